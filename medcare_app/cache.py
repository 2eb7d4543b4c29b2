"""The app's only ``st.cache_data`` functions: loading a source once, and each filtered / as-of view once.

Keys are the source path and its fingerprint (a hash of the file bytes), so a new data cut is read again and
an unchanged one never is. The fingerprint itself is cached on the files' size and modification time, which
takes a ``stat`` and no reading: changing a filter or the as-of date never re-reads the files.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from medcare_metrics import cuts, loading
from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading import LoadResult
from medcare_metrics.model import TrialData

#: A source's files as ``(name, size, modification time in ns)``: cheap to compute, changes when a file does.
Stamp = tuple[tuple[str, int, int], ...]


def source_stamp(source: str) -> Stamp:
    """Return name, size and modification time of the files of ``source`` (without reading them).

    Parameters
    ----------
    source : str
        Folder, workbook or zip.

    Returns
    -------
    tuple of (str, int, int)
        One entry per file (every file of a folder, sorted by name).

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    """
    path = loading.source_path(source)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)


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
    return _fingerprint(source, source_stamp(source))


@st.cache_data(show_spinner="Reading the data files...", max_entries=4)
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
    del fingerprint  # part of the cache key only
    return loading.load_trial(source)


@st.cache_data(show_spinner=False, max_entries=64)
def view(source: str, fingerprint: str, filters: Filters, as_of: date | None) -> TrialData | None:
    """Return the trial of ``source`` replayed as of ``as_of``, then restricted to ``filters``.

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
    trial = load(source, fingerprint).trial
    if trial is None:
        return None
    if as_of is not None:
        trial = cuts.as_of(trial, as_of)
    return apply_filters(trial, filters)


def clear() -> None:
    """Forget every cached load and view (tests, or a user asking to re-read the files)."""
    st.cache_data.clear()
