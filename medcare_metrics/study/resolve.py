"""Which study definition a data source gets, decided once at loading.

In order: an explicit study file (``--study FILE``, ``MEDCARE_STUDY``), else a study file beside the data,
else MEDCARE's built-in definition when ADSL.STUDYID is MEDCARE, else a neutral study taken from the data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from medcare_metrics.study.definition import StudyDefinition, default_study
from medcare_metrics.study.load import STUDY_FILE_EXTENSIONS, load_study
from medcare_metrics.study.neutral import neutral_study

__all__ = [
    "STUDY_ENV",
    "attach_study",
    "find_study_file",
    "is_study",
    "resolve_study",
    "split_study",
    "study_fingerprint_bytes",
    "study_stamp_files",
]

#: Environment variable naming the app's study file (as ``--study`` does on the command line).
STUDY_ENV = "MEDCARE_STUDY"
#: Name of a study file inside a data folder or beside a workbook, zip or database file.
STUDY_FILE_STEM = "study"


#: A source with an explicit study file, as one string (the app and its caches keep a source as a string).
_WITH_STUDY = re.compile(r"^(?P<source>.+) \[study (?P<study>[^\]]+)\]$", re.DOTALL)


def attach_study(source: str | Path, study: str | Path | None) -> str:
    """Return ``source`` with an explicit study file attached (``"data [study trial.toml]"``), or as is.

    The app keeps a source as one string in its cache keys; attached, the study file travels with it. Loading
    (:func:`medcare_metrics.loading.load_trial`) and the fingerprint take it apart with :func:`split_study`.

    Parameters
    ----------
    source : str or pathlib.Path
        The data source (possibly with a mapping attached).
    study : str or pathlib.Path or None
        The study file; None leaves ``source`` as it is.

    Returns
    -------
    str
        One string.
    """
    if study is None or not str(study).strip():
        return str(source)
    return f"{source} [study {study}]"


def split_study(source: str | Path) -> tuple[str, str | None]:
    """Return the source and its explicit study file from :func:`attach_study`'s string (None when absent).

    Parameters
    ----------
    source : str or pathlib.Path
        A source, with or without a study file attached.

    Returns
    -------
    tuple of (str, str or None)
        The data source and the study file.
    """
    match = _WITH_STUDY.match(str(source))
    return (str(source), None) if match is None else (match["source"], match["study"])


def study_stamp_files(source: str | Path) -> list[Path]:
    """Return the study file a source (with or without an attached one) reads, for a change stamp.

    Parameters
    ----------
    source : str or pathlib.Path
        As the app keeps it (:func:`attach_study`).

    Returns
    -------
    list of pathlib.Path
        The explicit or beside-the-data study file (it may not exist), or an empty list.
    """
    data, study = split_study(source)
    # A mapping may follow the data path ("export [mapping m.yaml]"): the study file sits beside the export.
    data = re.sub(r" \[mapping [^\]]+\]$", "", data)
    file = study_file_for(data, study)
    return [] if file is None else [file]


def _first_existing(candidates: list[Path]) -> Path | None:
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def find_study_file(source: str | Path | None) -> Path | None:
    """Return the study file that comes with a data source, or None.

    Parameters
    ----------
    source : str or pathlib.Path or None
        A data folder: ``study.toml``, ``study.yaml`` or ``study.yml`` inside it. A workbook, zip or DuckDB
        file (a ``duckdb:///`` URL too): a file with the same stem (``trial.xlsx`` -> ``trial.toml``), else
        ``study.toml`` / ``study.yaml`` / ``study.yml`` in the same folder. A database server: None.

    Returns
    -------
    pathlib.Path or None
        The first of these that exists.
    """
    if source is None:
        return None
    # Imported here: loading imports this package, and only a database URL needs the database module.
    from medcare_metrics.loading.database import database_file, is_database_url

    if is_database_url(source):
        path = database_file(str(source))
        if path is None:
            return None
    else:
        path = Path(source)
    if path.is_dir():
        return _first_existing([path / f"{STUDY_FILE_STEM}{ext}" for ext in STUDY_FILE_EXTENSIONS])
    if not path.exists():
        return None
    same_stem = [path.with_suffix(ext) for ext in STUDY_FILE_EXTENSIONS if path.with_suffix(ext) != path]
    named = [path.with_name(f"{STUDY_FILE_STEM}{ext}") for ext in STUDY_FILE_EXTENSIONS]
    return _first_existing(same_stem + named)


def study_file_for(source: str | Path | None, study: str | Path | None = None) -> Path | None:
    """Return the study file a load of ``source`` reads: ``study`` if given, else :func:`find_study_file`."""
    return Path(study) if study is not None and str(study).strip() else find_study_file(source)


def study_fingerprint_bytes(source: str | Path | None, study: str | Path | None = None) -> bytes:
    """Return what a study file adds to the data fingerprint: its name and bytes; empty without one.

    Parameters
    ----------
    source : str or pathlib.Path or None
        The data source (for a study file beside it).
    study : str or pathlib.Path, optional
        An explicit study file.

    Returns
    -------
    bytes
        ``b""`` when no study file applies; a missing or unreadable explicit file gives a marker with its
        name (loading then reports it).
    """
    file = study_file_for(source, study)
    if file is None:
        return b""
    try:
        return b"study\0" + file.name.encode("utf-8") + b"\0" + file.read_bytes()
    except OSError:
        return b"study\0" + str(file).encode("utf-8") + b"\0unreadable"


def is_study(adsl: pd.DataFrame, study_id: str) -> bool:
    """Return True when every subject of ``adsl`` has ADSL.STUDYID equal to ``study_id`` (case-insensitive).

    False when STUDYID is absent, empty, or names another study for any subject.
    """
    if "STUDYID" not in adsl.columns or adsl.empty:
        return False
    ids = adsl["STUDYID"].astype("string").str.strip().str.upper()
    return bool(ids.eq(study_id.strip().upper()).fillna(False).all())


def resolve_study(
    adsl: pd.DataFrame,
    adtte: pd.DataFrame | None = None,
    adtu: pd.DataFrame | None = None,
    *,
    source: str | Path | None = None,
    study: str | Path | None = None,
    files: bool = True,
) -> StudyDefinition:
    """Return the study definition of a loaded source.

    Parameters
    ----------
    adsl, adtte, adtu : pandas.DataFrame
        The loaded datasets (ADSL.STUDYID decides between MEDCARE and a neutral study; ADTTE and ADTU give
        a neutral study's endpoints and categories).
    source : str or pathlib.Path, optional
        The data source, for a study file beside it (:func:`find_study_file`).
    study : str or pathlib.Path, optional
        An explicit study file; it wins over one beside the data.
    files : bool
        False: read no study file (after a broken one), only the built-in or neutral definition.

    Returns
    -------
    StudyDefinition
        The explicit file's, else the file beside the data, else MEDCARE's built-in one when every ADSL
        STUDYID is MEDCARE (or ADSL has no rows), else :func:`~medcare_metrics.study.neutral_study`.

    Raises
    ------
    StudyFileError
        When the study file that applies is broken (every problem named).
    """
    if files:
        file = study_file_for(source, study)
        if file is not None:
            return load_study(file)
    medcare = default_study()
    # An ADSL without rows says nothing of its study (a header-only export): MEDCARE's, as for its data.
    if adsl.empty or is_study(adsl, medcare.study_id):
        return medcare
    return neutral_study(adsl, adtte, adtu)
