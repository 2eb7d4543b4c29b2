"""The sidebar's upload: a zip, an Excel workbook, dataset files or an EDC export with its mapping.

An upload is shown to the session that made it, and to no other. Its bytes are kept in that session's
``st.session_state`` only (never on a disk: no temporary file, nothing in the data folder) and read by
:func:`medcare_metrics.loading.load_upload`, with the same readers, checks and messages as files on the
server. Its data source is ``upload://NAME?sha256=DIGEST`` (:attr:`Upload.source`): the cached load and views
(:mod:`medcare_app.cache`) are keyed on the whole SHA-256 of the bytes, so only a session holding the same
bytes reaches them.

The largest upload is ``MEDCARE_MAX_UPLOAD_BYTES`` (default 50 MB; 0 turns uploads off); a larger one is
refused with a message naming the file and the limit. Streamlit refuses anything above its own
``server.maxUploadSize`` (MB, ``.streamlit/config.toml``) before the app sees it, so the two move together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import streamlit as st

from medcare_app.context import DataSource
from medcare_metrics.loading import LoadResult
from medcare_metrics.loading.limits import format_bytes
from medcare_metrics.loading.upload import (
    MAX_UPLOAD_BYTES_ENV,
    UPLOAD_EXTENSIONS,
    base_name,
    load_upload,
    upload_digest,
    upload_limit,
    upload_refusal,
)
from medcare_metrics.text.common import escape_markdown

#: Origin of a :class:`~medcare_app.context.DataSource` that is this session's upload.
UPLOAD_ORIGIN = "upload"
#: Start of an upload's data source string (never a path or a database URL).
UPLOAD_SCHEME = "upload://"
#: Session-state key of the active :class:`Upload`.
UPLOAD_KEY = "medcare_upload"
#: Session-state key of the uploader's generation: a new one is a new, empty uploader.
GENERATION_KEY = "medcare_upload_generation"
#: Key of the "back to the configured source" button.
BACK_KEY = "medcare_upload_back"
#: Session-state key of the sidebar's as-of date (:data:`medcare_app.sidebar.AS_OF_KEY`): another source has
#: another date range, so the date starts again from the URL or the cut-off.
AS_OF_KEY = "medcare_as_of"


@dataclass(frozen=True)
class Upload:
    """The files of this session's upload, held in memory.

    Attributes
    ----------
    name : str
        The upload's name: the file's, or the files' in words (``"export.csv and mapping.yaml"``).
    files : tuple of (str, bytes)
        Each file's base name and bytes (left out of ``repr``).
    digest : str
        SHA-256 of the names and bytes (:func:`medcare_metrics.loading.upload.upload_digest`).
    file_ids : tuple of str
        Streamlit's ids of the uploaded files, to tell a new upload from the same one on a rerun.
    """

    name: str
    files: tuple[tuple[str, bytes], ...] = field(repr=False)
    digest: str
    file_ids: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """The fingerprint shown and logged: 12 hex characters, as a source on disk has."""
        return self.digest[:12]

    @property
    def source(self) -> str:
        """The data source string: the name for people, the whole digest for cache keys."""
        return f"{UPLOAD_SCHEME}{self.name}?sha256={self.digest}"

    @property
    def size(self) -> int:
        """Bytes of all files together."""
        return sum(len(data) for _, data in self.files)

    def data(self) -> bytes | dict[str, bytes]:
        """Return the bytes as :func:`~medcare_metrics.loading.load_upload` takes them."""
        if len(self.files) == 1:
            return self.files[0][1]
        return dict(self.files)


def upload_name(names: list[str]) -> str:
    """Return the name of an upload of files ``names`` (base names), in words.

    Parameters
    ----------
    names : list of str
        The files' names, as uploaded.

    Returns
    -------
    str
        ``"trial.zip"``; ``"export.csv and mapping.yaml"``; ``"adae.csv and 4 more files"``.
    """
    names = [base_name(n) for n in names]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} and {len(names) - 1} more files"


def make_upload(files: list[tuple[str, bytes]], file_ids: tuple[str, ...] = ()) -> Upload:
    """Return the :class:`Upload` of ``files`` (name and bytes, in the order uploaded)."""
    name = upload_name([n for n, _ in files])
    named = tuple((base_name(n), data) for n, data in files)
    data: bytes | dict[str, bytes] = named[0][1] if len(named) == 1 else dict(named)
    return Upload(name=name, files=named, digest=upload_digest(name, data), file_ids=file_ids)


def is_upload_source(source: str) -> bool:
    """Return True when ``source`` names an upload (``upload://...``), not a path or a database."""
    return source.startswith(UPLOAD_SCHEME)


def session_upload(source: str | None = None) -> Upload | None:
    """Return this session's upload (the one whose source is ``source``, when given), else None.

    Parameters
    ----------
    source : str, optional
        A data source string; None for whichever upload is active.

    Returns
    -------
    Upload or None
        None when the session holds no upload, or another one.
    """
    held = st.session_state.get(UPLOAD_KEY)
    if not isinstance(held, Upload):
        return None
    if source is not None and held.source != source:
        return None
    return held


def load(upload: Upload) -> LoadResult:
    """Load and validate ``upload`` (not cached; :func:`medcare_app.cache.load` caches it)."""
    return load_upload(upload.name, upload.data())


def _switch(upload: Upload | None) -> None:
    """Make ``upload`` the session's source (None: back to the configured one)."""
    if upload is None:
        st.session_state.pop(UPLOAD_KEY, None)
    else:
        st.session_state[UPLOAD_KEY] = upload
    # Another source has other dates: an as-of date kept from the last one could lie outside them.
    st.session_state.pop(AS_OF_KEY, None)


def _back() -> None:
    """Forget the upload (the back button); a new uploader key makes Streamlit drop the files too."""
    _switch(None)
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1


def _widget_mb(limit: int) -> int | None:
    """Return the uploader's own cap in MB: at least ``limit``, at most the server's (None: the server's)."""
    server_mb = int(st.get_option("server.maxUploadSize"))
    wanted = max(1, math.ceil(limit / 1_000_000))
    return wanted if wanted < server_mb else None


def render_upload(configured: DataSource) -> DataSource:
    """Draw the sidebar's upload and return the source to show: this session's upload, else ``configured``.

    Draws the uploader (in an expander), a refusal naming the file and the limit for an upload that is too
    large, and, while an upload is shown, a notice saying so with a button back to ``configured``. Drawn
    before the data are loaded, so that a broken upload can be replaced or left.

    Parameters
    ----------
    configured : DataSource
        The source the app was started with (:func:`medcare_app.context.resolve_source`).

    Returns
    -------
    DataSource
        ``DataSource(upload.source, "upload")`` while the session shows an upload, else ``configured``.
    """
    with st.sidebar:
        try:
            limit = upload_limit()
        except ValueError as exc:
            st.error(f"Uploads are off: {exc}.", icon=":material/error:")
            limit = 0
        if limit <= 0:
            if session_upload() is not None:
                _switch(None)
            return configured
        notice = st.container()
        with st.expander("Upload data", icon=":material/upload_file:"):
            generation = st.session_state.get(GENERATION_KEY, 0)
            uploaded = st.file_uploader(
                "A zip or Excel workbook of the datasets, dataset files, or an EDC export with its mapping",
                type=[ext.lstrip(".") for ext in UPLOAD_EXTENSIONS],
                accept_multiple_files=True,
                key=f"medcare_upload_{generation}",
                max_upload_size=_widget_mb(limit),
                help=f"At most {format_bytes(limit)} ({MAX_UPLOAD_BYTES_ENV}). Shown to you only, for this "
                "session; kept in memory, never saved on the server. Read and checked as files on the server "
                "are.",
            )
            files = list(uploaded or [])
            ids = tuple(f.file_id for f in files)
            held = session_upload()
            if not files:
                if held is not None and held.file_ids:
                    _switch(None)  # the files were taken out of the uploader
            elif held is None or held.file_ids != ids:
                total = sum(f.size for f in files)
                if total > limit:
                    name = upload_name([f.name for f in files])
                    st.error(
                        escape_markdown(upload_refusal(name, total, limit)) + ".", icon=":material/block:"
                    )
                else:
                    _switch(make_upload([(f.name, f.getvalue()) for f in files], ids))
        held = session_upload()
        if held is None:
            return configured
        with notice:
            st.info(
                f"Showing upload **{escape_markdown(held.name)}** (fingerprint `{held.fingerprint}`) for "
                "this session only.",
                icon=":material/upload_file:",
            )
            st.button(
                "Back to the configured data",
                on_click=_back,
                icon=":material/undo:",
                key=BACK_KEY,
                help=f"Show {escape_markdown(configured.path)} again (from {configured.origin}).",
            )
    return DataSource(held.source, UPLOAD_ORIGIN)


def keep_uploads_in_memory() -> None:
    """Have the server hold an upload in memory up to ``server.maxUploadSize``, never in a temporary file.

    Streamlit's server parses an upload with Starlette, whose multipart parser spools a file above 1 MB to a
    temporary file on disk while it arrives. Its threshold is raised to the upload cap, so an upload stays
    in memory from the request to :attr:`Upload.files`.
    """
    try:
        from starlette.formparsers import MultiPartParser
    except ImportError:  # a Streamlit served by Tornado reads a request body into memory
        return
    # One MB more than the cap: the parser also holds the part's headers; a larger body is refused anyway.
    wanted = (int(st.get_option("server.maxUploadSize")) + 1) * 1024 * 1024
    if getattr(MultiPartParser, "spool_max_size", wanted) < wanted:
        MultiPartParser.spool_max_size = wanted


keep_uploads_in_memory()
