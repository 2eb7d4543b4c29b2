"""The app's only Streamlit caches: loading, each filtered / as-of view, each page's view and its figures.

The loaded trial, its filtered / as-of views, page views and figures are shared objects, never copied on a
hit (see the comment above :func:`_load` for why that is safe). Views are kept within a byte budget
(:data:`VIEW_BUDGET`), and each session keeps those its last run drew (:func:`end_run`), so the server's
memory stays flat however many filters are tried.

A source is loaded once per fingerprint, each filtered / as-of view once, each page's view function once per
view, trial settings and controls (:func:`page_view`), and each figure once per view (:func:`figure`).

Keys are the source path and its fingerprint (a hash of the file bytes), so a new data cut is read again and
an unchanged one never is. The fingerprint itself is cached on the files' size, modification time, change
time and inode, which takes a ``stat`` and no reading: changing a filter or the as-of date never re-reads the
files. The change time is set by the system on every write (a tool restoring the modification time cannot
restore it), and the inode changes when a file is replaced, so an edit of the same size is still seen.

An upload (:mod:`medcare_app.upload`) is keyed on its data source string, which holds the SHA-256 of its
bytes, and read from the bytes the session holds: it is loaded once per upload, never from a disk.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from medcare_app import upload
from medcare_metrics import cuts, loading
from medcare_metrics.figures.style import with_provenance
from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading import LoadResult
from medcare_metrics.loading.sources import split_mapping
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.study import split_study, study_stamp_files
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.sidebar import SourceFacts, ViewCounts, source_facts, view_counts

if TYPE_CHECKING:  # the context module imports this one; here it is only a type
    import plotly.graph_objects as go

    from medcare_app.context import PageContext

T = TypeVar("T")

#: A source's files as ``(name, size, modification time, change time, inode)``: cheap to take, and changes
#: whenever a file does.
Stamp = tuple[tuple[str, int, int, int, int], ...]


def source_stamp(source: str) -> Stamp:
    """Return name, size, modification and change time and inode of the files of ``source`` (no reading).

    A DuckDB URL's stamp is that of its database file and write-ahead log. A database server has no file to
    look at: its stamp is the fingerprint itself, which the server computes from the tables (a query over a
    trial's few hundred rows, no rows sent), so a cut committed there shows on the next interaction.

    Parameters
    ----------
    source : str
        Folder, workbook, zip or database URL.

    Returns
    -------
    tuple of (str, int, int, int, int)
        One entry per file (every file of a folder, sorted by name); for a database server, one entry
        ``(fingerprint, 0, 0, 0, 0)``.

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    medcare_metrics.loading.DatabaseSourceError
        When a database server cannot be reached or refuses the login (no password in the message).
    """
    data, study = split_study(source)
    if study is not None:
        # An explicit study file (--study): an edit of it is a new fingerprint too; missing, it is stamped
        # as such (loading then says so).
        study_path = Path(study)
        study_stat = study_path.stat() if study_path.is_file() else None
        entry = (study_path.name, 0, 0, 0, 0)
        if study_stat is not None:
            i = study_stat
            entry = (study_path.name, i.st_size, i.st_mtime_ns, i.st_ctime_ns, i.st_ino)
        return (*source_stamp(data), entry)
    exported, mapping = split_mapping(source)
    if mapping is not None:
        # An export read through a mapping file: an edit of the mapping is a new data cut too.
        return source_stamp(exported) + source_stamp(mapping)
    if loading.is_database_url(source) and loading.database_file(source) is None:
        return ((loading.fingerprint(source), 0, 0, 0, 0),)
    path = loading.source_path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    elif loading.is_database_url(source):
        # DuckDB writes a commit to the .wal file first and folds it into the database file later.
        wal = path.with_name(f"{path.name}.wal")
        files = [path, wal] if wal.exists() else [path]
    else:
        # A study file beside a workbook, zip or database file counts too (a folder's is among its files).
        files = [path, *(f for f in study_stamp_files(source) if f.is_file())]
    stats = [(p.name, p.stat()) for p in files]
    return tuple((name, i.st_size, i.st_mtime_ns, i.st_ctime_ns, i.st_ino) for name, i in stats)


@st.cache_data(show_spinner=False, max_entries=16)
def _fingerprint(source: str, stamp: Stamp) -> str:
    del stamp  # part of the cache key only
    return loading.fingerprint(source)


def source_fingerprint(source: str) -> str:
    """Return the fingerprint of ``source``, hashing the files only when their size or time changed.

    Parameters
    ----------
    source : str
        Folder, workbook or zip.

    Returns
    -------
    str
        12 hex characters.
    """
    held = upload.session_upload(source) if upload.is_upload_source(source) else None
    if held is not None:
        return held.fingerprint  # hashed once, when uploaded
    return _fingerprint(source, source_stamp(source))


@st.cache_data(show_spinner=False, max_entries=1)
def _generation() -> str:
    # A new value after every ``st.cache_data.clear()``: the shared (resource) caches below are keyed on it,
    # so clearing the data cache (tests, :func:`clear`) forgets them too.
    return uuid.uuid4().hex


# Why ``st.cache_resource`` for the loaded trial and its views: ``st.cache_data`` unpickles a fresh copy of
# the whole trial on every hit, and the sidebar, the page header and every page view's miss ask for it (at
# 10,000 patients about 0.1 s a copy, at 100,000 about a second, and a copy more in memory each time). These
# results are immutable by contract: loading builds them, and nothing after loading writes to a trial's
# frames (every statistics function and view returns new frames; tests/test_speed_equivalence.py runs each
# page view on the example trial and checks the trial is unchanged). The shared object is handed out as is.
@st.cache_resource(show_spinner="Reading the data files...", max_entries=4)
def _load(source: str, fingerprint: str, generation: str) -> LoadResult:
    del fingerprint, generation  # part of the cache key only
    held = upload.session_upload(source) if upload.is_upload_source(source) else None
    if held is not None:
        # The key's source holds the bytes' whole SHA-256: only a session with the same bytes gets here.
        loaded = upload.load(held)
    else:
        loaded = loading.load_trial(source)
    _give_memory_back()  # reading leaves freed buffers the process would otherwise keep
    return loaded


def load(source: str, fingerprint: str) -> LoadResult:
    """Load and validate ``source`` once per fingerprint.

    Parameters
    ----------
    source : str
        Folder, workbook or zip.
    fingerprint : str
        Its fingerprint (:func:`source_fingerprint`); part of the cache key so that a new cut is read again.

    Returns
    -------
    LoadResult
        As :func:`medcare_metrics.loading.load_trial` returns it.
    """
    return _load(source, fingerprint, _generation())


#: Bytes of filtered or replayed views the shared store keeps (least recently used out first). A view holds
#: its own copy of the selected rows: about half of a 100,000-patient trial (90 MiB) for half the centres, a
#: megabyte for MEDCARE. The store keeps what fits, and always the newest view.
VIEW_BUDGET = 160 * 2**20
#: Most views the shared store keeps, however small.
VIEW_ENTRIES = 32
_MISSING = object()


def _frame_bytes(value: object) -> int:
    """Bytes of the arrays ``value``'s frames hold (text cells count as pointers: the text is shared)."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    if isinstance(value, pd.Series):
        return int(value.memory_usage(index=True, deep=False))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_frame_bytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 0


class _Store:
    """Views kept within a byte budget, least recently used out first; shared by sessions (thread safe)."""

    def __init__(self, budget: int, entries: int) -> None:
        self._budget, self._entries = budget, entries
        self._values: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._values:
                return _MISSING
            self._values.move_to_end(key)
            return self._values[key][0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        with self._lock:
            if key in self._values:
                return
            self._values[key] = (value, size)
            self._bytes += size
            evicted = False
            while len(self._values) > 1 and (self._bytes > self._budget or len(self._values) > self._entries):
                _, (_, freed) = self._values.popitem(last=False)
                self._bytes -= freed
                evicted = True
        if evicted:
            _give_memory_back()


def _give_memory_back() -> None:
    """Free dropped views now and hand the memory back to the system.

    A dropped view's frames sit in reference cycles (pandas keeps some), which only the cyclic garbage
    collector frees, and it may not run for many clicks; glibc and pyarrow then keep freed memory for the
    process unless asked to return it.
    """
    gc.collect()
    _trim()


_FROZEN = threading.Lock()
_frozen = False


def freeze_imports() -> None:
    """Move the objects alive now (the imported modules) out of the garbage collector's sight, once.

    Call at the top of the entry script, after its imports and before any data is read. Streamlit runs a
    full collection after every script run (``runner.postScriptGC``), while the browser waits for the run's
    last messages; most of what it walks are the objects of imported libraries (plotly, pandas, pandera,
    lifelines), which live as long as the process. Frozen, they are no longer walked; data read later is not
    frozen, so a dropped view is still collected.
    """
    global _frozen
    with _FROZEN:
        if _frozen:
            return
        _frozen = True
        gc.collect()
        gc.freeze()


def _trim() -> None:
    """Hand memory freed by the process back to the system (glibc and pyarrow keep it otherwise)."""
    with contextlib.suppress(Exception):
        pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018  # glibc only
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


@st.cache_resource(show_spinner=False, max_entries=1)
def _view_store(generation: str) -> _Store:
    del generation  # a new store after every st.cache_data.clear()
    return _Store(VIEW_BUDGET, VIEW_ENTRIES)


#: Session-state key of the views a session holds (:class:`_SessionViews`).
_SESSION_VIEWS = "_medcare_views"


class _SessionViews:
    """The views a session used in its current run and in its last whole run.

    One object per session, changed in place: a value put in ``st.session_state`` again is kept by
    Streamlit for one more run, which would hold a view longer than its run.
    """

    def __init__(self) -> None:
        self.this_run: dict[Hashable, Any] = {}
        self.last_run: dict[Hashable, Any] = {}


def _session_views() -> _SessionViews | None:
    """Return this session's views; None outside a script run."""
    if get_script_run_ctx() is None:
        return None
    state = st.session_state
    if _SESSION_VIEWS not in state:
        state[_SESSION_VIEWS] = _SessionViews()
    held = state[_SESSION_VIEWS]
    return held if isinstance(held, _SessionViews) else None


def end_run() -> None:
    """Keep, for the next run of this session, only the views this run used (call when a run ends).

    A session holds the views of its last run (and of the run under way): the shared store may drop a view
    for memory, but the session's next rerun still finds the views it is drawing, so a small store never
    makes a page compute its views again on every click.
    """
    held = _session_views()
    if held is not None:
        held.last_run, held.this_run = held.this_run, {}


def _make_view(source: str, fingerprint: str, filters: Filters, as_of: date | None) -> TrialData | None:
    if filters:
        # The replay of the whole trial is shared by every filter of the same date (it is the slow part).
        replayed = view(source, fingerprint, Filters(), as_of)
        return None if replayed is None else apply_filters(replayed, filters)
    trial = load(source, fingerprint).trial
    if trial is None:
        return None
    return trial if as_of is None else cuts.as_of(trial, as_of)


def view(source: str, fingerprint: str, filters: Filters, as_of: date | None) -> TrialData | None:
    """Return the trial of ``source`` replayed as of ``as_of``, then restricted to ``filters``.

    Views are shared objects, immutable by contract (see the comment above :func:`_load`), kept in a store
    of :data:`VIEW_BUDGET` bytes shared by sessions, and by each session for its next run
    (:func:`end_run`).

    Parameters
    ----------
    source : str
        Folder, workbook or zip.
    fingerprint : str
        Its fingerprint.
    filters : Filters
        Subject filters on ADSL columns.
    as_of : datetime.date or None
        Replay date (:func:`medcare_metrics.cuts.as_of`); None shows the data as of the cut-off.

    Returns
    -------
    TrialData or None
        None when ADSL could not be loaded.
    """
    generation = _generation()
    key = (source, fingerprint, filters, as_of, generation)
    session = _session_views()
    if session is not None:
        for held in (session.this_run, session.last_run):
            if key in held:
                session.this_run[key] = held[key]
                return held[key]  # type: ignore[no-any-return]
    store = _view_store(generation)
    value = store.get(key)
    if value is _MISSING:
        value = _make_view(source, fingerprint, filters, as_of)
        # The loaded trial itself (no filter, no replay) costs the store nothing.
        loaded = load(source, fingerprint).trial
        store.put(key, value, 0 if value is None or value is loaded else _frame_bytes(value))
    if session is not None:
        session.this_run[key] = value
    return value  # type: ignore[no-any-return]


@st.cache_resource(show_spinner=False, max_entries=16)
def _source_facts(source: str, fingerprint: str, generation: str) -> SourceFacts:
    del generation  # part of the cache key only
    trial = load(source, fingerprint).trial
    if trial is None:
        raise ValueError(f"{source} has no usable ADSL")
    return source_facts(trial)


def sidebar_facts(source: str, fingerprint: str) -> SourceFacts:
    """Return the sidebar's facts of the loaded ``source`` (cut-off, filter choices), once per data cut.

    Parameters
    ----------
    source : str
        Folder, workbook, zip or database URL.
    fingerprint : str
        Its fingerprint.

    Returns
    -------
    SourceFacts
        Shared between reruns and sessions (read-only mappings).

    Raises
    ------
    ValueError
        When the source has no usable ADSL.
    """
    return _source_facts(source, fingerprint, _generation())


@st.cache_resource(show_spinner=False, max_entries=64)
def _view_counts(
    source: str,
    fingerprint: str,
    filters: Filters,
    as_of: date | None,
    columns: tuple[str, ...],
    generation: str,
) -> ViewCounts:
    del generation  # part of the cache key only
    trial = view(source, fingerprint, filters, as_of)
    if trial is None:
        raise ValueError(f"{source} has no usable ADSL")
    return view_counts(trial, columns)


def enrolled_counts(
    source: str, fingerprint: str, filters: Filters, as_of: date | None, columns: tuple[str, ...] = ()
) -> ViewCounts:
    """Return the enrolled patients of a view, in all and per value of ``columns``, once per view.

    Parameters
    ----------
    source : str
        Folder, workbook, zip or database URL.
    fingerprint : str
        Its fingerprint.
    filters : Filters
        Subject filters.
    as_of : datetime.date or None
        Replay date; None for the data as of the cut-off.
    columns : tuple of str, optional
        ADSL columns counted per value (the sidebar's filters, on the unfiltered view).

    Returns
    -------
    ViewCounts
        Shared between reruns and sessions (read-only mappings).
    """
    return _view_counts(source, fingerprint, filters, as_of, columns, _generation())


# Page views are shared objects too (``st.cache_resource``): a copy per rerun cost an unpickling of every
# table of the page, and a shared result gives its figure inputs a stable identity (see :func:`figure`).
# Like the trial, a view result is immutable by contract: pages and figure builders read its frames and
# never write to them (tests/test_cache.py checks that a rerun draws the same page).
@st.cache_resource(show_spinner=False, max_entries=48)
def _page_view(
    source: str,
    fingerprint: str,
    filters: Filters,
    as_of: date | None,
    cutoff: date | None,
    settings: TrialSettings,
    qualname: str,
    _function: Callable[..., Any],
    controls: object,
) -> Any:
    # ``_function`` is not hashed by Streamlit (leading underscore): ``qualname`` stands for it in the key.
    del qualname
    scope = _scope(source, fingerprint, filters, as_of, cutoff, settings)
    result = _function(scope) if controls is None else _function(scope, controls)
    # A view's intermediate frames are freed now; without this, glibc keeps their memory for the process
    # (a third of the server's memory after visiting every page of 100,000 patients).
    _trim()
    return result


def _scope(
    source: str,
    fingerprint: str,
    filters: Filters,
    as_of: date | None,
    cutoff: date | None,
    settings: TrialSettings,
) -> ViewScope:
    """Return the view's scope from the cached load and views (shared by page views and the report)."""
    loaded = load(source, fingerprint)
    replay = as_of if as_of is not None and cutoff is not None and as_of < cutoff else None
    trial = view(source, fingerprint, filters, replay)
    unfiltered = view(source, fingerprint, Filters(), replay)
    delivered = view(source, fingerprint, filters, None)
    if loaded.trial is None or trial is None or unfiltered is None or delivered is None:
        raise ValueError(f"{source} has no usable ADSL")
    return ViewScope(
        trial=trial,
        unfiltered=unfiltered,
        full=loaded.trial,
        delivered=delivered,
        problems=loaded.problems,
        settings=settings,
        filters=filters,
        as_of=as_of,
        cutoff=cutoff,
    )


def page_view(ctx: PageContext, function: Callable[..., T], controls: object = None) -> T:
    """Call a page's view function once per view and controls, and return the cached result on reruns.

    The result is kept per source, fingerprint, filters, as-of date, trial settings, function and controls:
    a rerun with nothing changed, or a return to earlier widget values, costs a cache lookup.

    Parameters
    ----------
    ctx : PageContext
        The page context (source, fingerprint, filters, dates and settings of the view).
    function : callable
        A view function of :mod:`medcare_metrics.views`: ``function(scope, controls)``, or ``function(scope)``
        when ``controls`` is None. Keyed by its module and qualified name, so it must be a module-level
        function.
    controls : frozen dataclass, optional
        The page's widget values (hashable by Streamlit).

    Returns
    -------
    object
        What ``function`` returns, shared between reruns and sessions: read it, never change it.

    Raises
    ------
    ValueError
        When ``function`` is a lambda or a local function (its name would not identify it).
    """
    qualname = f"{function.__module__}.{function.__qualname__}"
    if "<" in qualname:
        raise ValueError(f"page_view() needs a module-level function, not {qualname}")
    return _page_view(
        ctx.source,
        ctx.fingerprint,
        ctx.filters,
        ctx.as_of,
        ctx.cutoff,
        ctx.settings,
        qualname,
        function,
        controls,
    )


def delivered_view(ctx: PageContext, function: Callable[..., T], controls: object = None) -> T:
    """Call a view function that reads the selection as delivered only, once per selection and controls.

    As :func:`page_view`, but keyed without the as-of date: the function sees the view of the cut-off (its
    :attr:`ViewScope.delivered`), so changing the as-of date keeps the result.

    Parameters
    ----------
    ctx : PageContext
        The page context.
    function : callable
        ``function(scope)`` or ``function(scope, controls)``; a module-level function that reads
        ``scope.delivered``, ``scope.full`` and ``scope.problems`` only.
    controls : frozen dataclass, optional
        Its widget values.

    Returns
    -------
    object
        What ``function`` returns.
    """
    qualname = f"{function.__module__}.{function.__qualname__}"
    if "<" in qualname:
        raise ValueError(f"delivered_view() needs a module-level function, not {qualname}")
    return _page_view(
        ctx.source, ctx.fingerprint, ctx.filters, None, ctx.cutoff, ctx.settings, qualname, function, controls
    )


#: Argument types keyed by value in :func:`figure`; any other argument is keyed by identity.
_VALUE_TYPES = (str, int, float, bool, date, type(None))


def _argument_key(value: object) -> tuple[object, ...]:
    if isinstance(value, _VALUE_TYPES):
        return ("value", value)
    if isinstance(value, tuple) and all(isinstance(v, _VALUE_TYPES) for v in value):
        return ("value", value)
    return ("id", id(value))


# An entry keeps its arguments, parts of a page view, alive: few entries (a page draws up to 8 figures).
@st.cache_resource(show_spinner=False, max_entries=32)
def _figure(
    qualname: str,
    key: tuple[tuple[object, ...], ...],
    footer: str,
    generation: str,
    _build: Callable[..., go.Figure],
    _args: tuple[Any, ...],
    _kwargs: dict[str, Any],
    _keyed: tuple[Any, ...],
) -> tuple[go.Figure, tuple[Any, ...]]:
    # What the key names by identity is kept with the figure: while an entry lives those objects do too, so
    # no other object can have their identity, and a key with the same identities means the same objects.
    del qualname, key, generation  # the cache key only
    return with_provenance(_build(*_args, **_kwargs), footer), _keyed


def figure(
    build: Callable[..., go.Figure],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    footer: str,
    derived_from: tuple[Any, ...] | None = None,
) -> go.Figure:
    """Build ``build(*args, **kwargs)`` with the provenance ``footer`` once, and return it on reruns.

    Figure inputs come from a page's view, which is a shared object (:func:`page_view`): the same view gives
    the same objects on every rerun. They are keyed by identity (hashing a table's values on every rerun
    cost more than drawing it), plain values (text, numbers, dates) by value. Building a figure (plotly
    validates every property) costs more than drawing it, so a rerun draws the figure built before.

    Parameters
    ----------
    build : callable
        A figure builder of :mod:`medcare_metrics.figures` (a module-level function).
    args : tuple
        Its positional arguments (the page view's figure inputs).
    kwargs : dict
        Its keyword arguments.
    footer : str
        The provenance line (:func:`medcare_metrics.figures.style.with_provenance`).
    derived_from : tuple, optional
        When the page derives the arguments anew on each run (a page of a table): what they are derived
        from (the view, the page number), keyed instead of the arguments.

    Returns
    -------
    plotly.graph_objects.Figure
        The figure, shared between reruns and sessions: read it, never change it (the footer is added
        before it is shared; ``st.plotly_chart`` serialises a copy).

    Raises
    ------
    ValueError
        When ``build`` is a lambda or a local function (its name would not identify it).
    """
    qualname = f"{build.__module__}.{build.__qualname__}"
    if "<" in qualname:
        raise ValueError(f"figure() needs a module-level function, not {qualname}")
    keyed = (args, kwargs) if derived_from is None else (derived_from, {})
    key = tuple(_argument_key(a) for a in keyed[0]) + tuple(
        (name, *_argument_key(value)) for name, value in sorted(keyed[1].items())
    )
    built, _ = _figure(qualname, key, footer, _generation(), build, args, kwargs, keyed)
    return built


@st.cache_data(show_spinner="Preparing the meeting report...", max_entries=4)
def _report(
    source: str,
    fingerprint: str,
    filters: Filters,
    as_of: date | None,
    cutoff: date | None,
    settings: TrialSettings,
    qualname: str,
    _function: Callable[..., Any],
    options: object,
) -> Any:
    # Few entries: a report holds plotly.js (about 5 MB); ``qualname`` stands for ``_function`` in the key.
    del qualname
    return _function(_scope(source, fingerprint, filters, as_of, cutoff, settings), options)


def report(ctx: PageContext, function: Callable[..., T], options: object) -> T:
    """Build the meeting report of the view on screen once per view and options; cached on reruns.

    Keyed as :func:`page_view` is (source, fingerprint, filters, as-of date, trial settings) and on the
    report's options (role, "changes since" date), in a cache of its own that keeps only a few reports.

    Parameters
    ----------
    ctx : PageContext
        The page context.
    function : callable
        ``function(scope, options)`` returning the report (:func:`medcare_metrics.report.build_report`);
        a module-level function.
    options : frozen dataclass
        The report's options (hashable by Streamlit).

    Returns
    -------
    object
        What ``function`` returns.
    """
    qualname = f"{function.__module__}.{function.__qualname__}"
    key = (ctx.source, ctx.fingerprint, ctx.filters, ctx.as_of, ctx.cutoff, ctx.settings)
    return _report(*key, qualname, function, options)


def clear() -> None:
    """Forget every cached load and view (tests, or a user asking to re-read the files)."""
    st.cache_data.clear()
    _load.clear()
    _view_store.clear()
    _figure.clear()
    _source_facts.clear()
    _view_counts.clear()
