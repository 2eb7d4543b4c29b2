"""Loading an upload: files held in memory (a zip, an Excel workbook, dataset files, an EDC export).

The bytes are read by the same readers and validation as a source on disk
(:mod:`~medcare_metrics.loading.readers`), from buffers in memory: nothing is written to a disk, not even a
temporary file. A zip's members are checked as a zip on disk is (unsafe paths, encryption, compression
method, nested zips, :attr:`LoadLimits.max_zip_bytes`) and unpacked into memory. Pickle-based files are
refused by name and never opened: unpickling one can run code.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath

import pandas as pd

from medcare_metrics.loading.limits import LoadLimits, _positive, format_bytes
from medcare_metrics.loading.load import _finish
from medcare_metrics.loading.readers import (
    MemoryFile,
    _collect_files,
    _collect_workbook,
    _collect_zip,
    _Raw,
)
from medcare_metrics.loading.sources import EXCEL_EXTENSIONS, EXTENSIONS, _dataset_of
from medcare_metrics.loading.validation import LoadResult, _Collector
from medcare_metrics.model import DATASETS

#: Environment variable setting the largest upload, in bytes (0 turns uploads off).
MAX_UPLOAD_BYTES_ENV = "MEDCARE_MAX_UPLOAD_BYTES"
#: Default of :func:`upload_limit`: 50 MB, far above a phase 2 trial (the example trial zips to about 40 kB).
DEFAULT_MAX_UPLOAD_BYTES = 50_000_000
#: Extensions of files that Python reads by unpickling (which can run code): refused, never opened.
PICKLE_EXTENSIONS: tuple[str, ...] = (
    ".pkl",
    ".pickle",
    ".p",
    ".joblib",
    ".dill",
    ".npy",
    ".npz",
    ".pt",
    ".pth",
)
#: Extensions of the mapping file of an EDC export.
MAPPING_EXTENSIONS: tuple[str, ...] = (".yaml", ".yml")
#: Extensions an upload may have (what the app's uploader offers).
UPLOAD_EXTENSIONS: tuple[str, ...] = tuple(
    dict.fromkeys((".zip", *EXCEL_EXTENSIONS, *EXTENSIONS, *MAPPING_EXTENSIONS))
)


def upload_limit(environ: Mapping[str, str] | None = None) -> int:
    """Return the largest upload in bytes: ``MEDCARE_MAX_UPLOAD_BYTES``, else 50 MB; 0 when uploads are off.

    Parameters
    ----------
    environ : mapping of str to str, optional
        Where to look the variable up; ``os.environ`` by default. ``_`` and ``,`` may group digits.

    Returns
    -------
    int
        Bytes; 0 when the variable is ``0`` (no upload accepted).

    Raises
    ------
    ValueError
        When the variable is set to something other than a whole number >= 0.
    """
    env = os.environ if environ is None else environ
    text = env.get(MAX_UPLOAD_BYTES_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_UPLOAD_BYTES
    if text.replace("_", "").replace(",", "") == "0":
        return 0
    return _positive(text, MAX_UPLOAD_BYTES_ENV)


def upload_refusal(name: str, size: int, limit: int) -> str:
    """Return the message for an upload larger than the limit, naming the file and the limit.

    Parameters
    ----------
    name : str
        The file (or the upload's files, in words).
    size : int
        Its size in bytes.
    limit : int
        :func:`upload_limit`.

    Returns
    -------
    str
        The refusal and how to raise the limit.
    """
    return (
        f"{name} is {format_bytes(size)}, more than the {format_bytes(limit)} upload limit; not read. "
        f"Raise the limit with {MAX_UPLOAD_BYTES_ENV}=BYTES (and server.maxUploadSize, in MB), or put the "
        "files on the server and start the app with MEDCARE_DATA"
    )


def is_pickle_name(name: str) -> bool:
    """Return whether a file name has a pickle-based extension (:data:`PICKLE_EXTENSIONS`)."""
    return PurePosixPath(name).suffix.lower() in PICKLE_EXTENSIONS


def base_name(name: str) -> str:
    """Return a file name without any folder (slash or backslash): what a browser sends is not trusted.

    Parameters
    ----------
    name : str
        The name as the upload gave it.

    Returns
    -------
    str
        Its last part; ``"upload"`` when nothing is left.
    """
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip() or "upload"


def _as_files(name: str, data: bytes | Mapping[str, bytes]) -> dict[str, bytes]:
    """Return the upload as base name -> bytes (a later file of the same name wins, as a browser's would)."""
    items = [(name, data)] if isinstance(data, bytes | bytearray | memoryview) else list(data.items())
    return {base_name(n): bytes(b) for n, b in items}


def upload_digest(name: str, data: bytes | Mapping[str, bytes]) -> str:
    """Return the SHA-256 (64 hex characters) of an upload's file names and bytes.

    Hashed as :func:`~medcare_metrics.loading.sources.fingerprint` hashes a source on disk: each file's name
    (lower case) and bytes, files sorted by name. An uploaded zip or workbook therefore has the fingerprint
    (:func:`upload_fingerprint`) of the same file on the server.

    Parameters
    ----------
    name : str
        The file's name when ``data`` is bytes.
    data : bytes or mapping of str to bytes
        One file's bytes, or several files' (name -> bytes).

    Returns
    -------
    str
        The hex digest.
    """
    digest = hashlib.sha256()
    for file_name, content in sorted(_as_files(name, data).items()):
        digest.update(file_name.lower().encode("utf-8") + b"\0")
        digest.update(content)
        digest.update(b"\0")
    return digest.hexdigest()


def upload_fingerprint(name: str, data: bytes | Mapping[str, bytes]) -> str:
    """Return the fingerprint of an upload: the first 12 hex characters of :func:`upload_digest`."""
    return upload_digest(name, data)[:12]


def _is_zip(file: MemoryFile) -> bool:
    ext = file.suffix.lower()
    if ext == ".zip":
        return True
    # A zip renamed by a browser or a mail program, as load_trial accepts one on disk; but not a workbook.
    return ext not in (*EXTENSIONS, *EXCEL_EXTENSIONS) and zipfile.is_zipfile(io.BytesIO(file.data))


def _load_edc(name: str, files: dict[str, bytes], limits: LoadLimits, fingerprint: str) -> LoadResult:
    """Load an EDC export (CSV files) through its mapping (the one YAML file among ``files``)."""
    from medcare_metrics.loading import edc  # the mapping's reader (pydantic, YAML) only when one is uploaded

    mappings = sorted(n for n in files if PurePosixPath(n).suffix.lower() in MAPPING_EXTENSIONS)
    if len(mappings) > 1:
        out = _Collector()
        out.add(
            "adsl",
            ", ".join(mappings),
            "several mapping files uploaded; upload the export with exactly one mapping (.yaml)",
            check="readable",
        )
        return _finish({}, out, source=name, label=name, name=name, fingerprint=lambda: fingerprint)
    export = {n: b for n, b in files.items() if n != mappings[0]}
    result = edc.read_export(export, files[mappings[0]], name=name, limits=limits)
    if result.trial is None:
        return result
    # The upload's fingerprint (every file, the mapping as a file), as the app shows and caches it.
    return replace(result, trial=replace(result.trial, fingerprint=fingerprint))


def load_upload(
    name: str,
    data: bytes | Mapping[str, bytes],
    *,
    limits: LoadLimits | None = None,
    max_bytes: int | None = None,
) -> LoadResult:
    """Load and validate an upload held in memory, as :func:`~medcare_metrics.loading.load_trial` a source.

    Parameters
    ----------
    name : str
        The upload's name: the file's name when ``data`` is bytes; else what names the files as a whole in
        problems (``"3 files"``).
    data : bytes or mapping of str to bytes
        One file: a zip of dataset files, an Excel workbook (a sheet per dataset) or one dataset file. Or
        several files (name -> bytes): dataset files, read as a folder's; or an EDC export (CSV files) with
        its mapping (one ``.yaml`` file).
    limits : LoadLimits, optional
        Largest zip and dataset read; by default :meth:`LoadLimits.from_environ`.
    max_bytes : int, optional
        Largest upload (all files together); by default :func:`upload_limit`.

    Returns
    -------
    LoadResult
        As :func:`~medcare_metrics.loading.load_trial` returns it, with the same problems for the same files;
        ``source`` is ``name``. An upload over ``max_bytes`` is not read (a problem naming the file and the
        limit), nor is a pickle-based file (:data:`PICKLE_EXTENSIONS`). Bad data never raises.

    Raises
    ------
    ValueError
        When ``limits`` or ``max_bytes`` is not given and its environment variable is malformed.
    """
    name = base_name(name)
    files = _as_files(name, data)
    limits = LoadLimits.from_environ() if limits is None else limits
    max_bytes = upload_limit() if max_bytes is None else max_bytes
    out = _Collector()
    total = sum(len(content) for content in files.values())
    raws: dict[str, _Raw] = {}
    if total > max_bytes:
        out.add("adsl", name, upload_refusal(name, total, max_bytes), check="size limit")
        files = {}
    for file_name in sorted(n for n in files if is_pickle_name(n)):
        stem = PurePosixPath(file_name).stem.lower()
        out.add(
            stem if stem in DATASETS else "adsl",
            file_name,
            "pickle-based file: never read (unpickling can run code); save it as CSV, XPT or Parquet",
            check="safe format",
        )
        del files[file_name]
    memory = [MemoryFile(n, files[n]) for n in sorted(files)]
    fingerprint = upload_fingerprint(name, data)
    if any(f.suffix.lower() in MAPPING_EXTENSIONS for f in memory):
        result = _load_edc(name, files, limits, fingerprint)
        refused = out.frame()  # pickle files beside the export
        if refused.empty:
            return result
        return replace(result, problems=pd.concat([refused, result.problems], ignore_index=True))
    if len(memory) == 1 and memory[0].suffix.lower() in EXCEL_EXTENSIONS:
        raws = _collect_workbook(memory[0], out, limits)
    elif len(memory) == 1 and _is_zip(memory[0]):
        raws = _collect_zip(memory[0], out, limits)
    elif memory:
        # Several files, or one dataset file: read as the files of a folder are, with the same note.
        others = sorted(
            f.name
            for f in memory
            if not _dataset_of(f.name) and f.suffix.lower() in (*EXTENSIONS, *EXCEL_EXTENSIONS)
        )
        if others:
            out.notes.append(f"Ignored {', '.join(others)}: not one of the datasets {', '.join(DATASETS)}.")
        zips = sorted(f.name for f in memory if f.suffix.lower() == ".zip")
        if zips:
            out.notes.append(f"Ignored {', '.join(zips)}: a zip is read when it is uploaded on its own.")
        raws = _collect_files(memory, out, limits)
    return _finish(
        raws,
        out,
        source=name,
        label=name,
        name=PurePosixPath(name).stem if len(files) <= 1 else name,
        fingerprint=lambda: fingerprint,
        # Not a path, so that no study file is looked for on the server beside a name the browser chose.
        study_source=f"upload://{name}",
    )
