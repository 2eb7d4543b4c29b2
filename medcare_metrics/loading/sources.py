"""Where a data source's files are: the source path (folder, workbook or zip), its files, its fingerprint.

A source may also be a database URL (``duckdb:///...``, ``postgresql://...``;
:mod:`~medcare_metrics.loading.database`), whose fingerprint the database computes from its tables. Also the
example trial shipped inside the package (:func:`example_path`).
"""

from __future__ import annotations

import hashlib
import re
from functools import partial
from pathlib import Path

from medcare_metrics.loading.database import database_file, database_fingerprint, is_database_url, redacted
from medcare_metrics.model import DATASETS
from medcare_metrics.study import split_study, study_fingerprint_bytes

#: File extensions read in a folder, in order of preference when one dataset has several files.
EXTENSIONS: tuple[str, ...] = (".csv", ".xpt", ".sas7bdat", ".parquet", ".xlsx")
EXCEL_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm")


#: A source read through a mapping file, as one string (the app and its caches keep a source as a string).
_MAPPED = re.compile(r"^(?P<source>.+) \[mapping (?P<mapping>[^\]]+)\]$", re.DOTALL)


def with_mapping(source: str | Path, mapping: str | Path | None) -> str:
    """Return ``source`` with a mapping file attached (``"export [mapping mapping.yaml]"``), or as is.

    Parameters
    ----------
    source : str or pathlib.Path
        The export: a folder or one CSV file.
    mapping : str or pathlib.Path or None
        The mapping file (:mod:`medcare_metrics.loading.edc`); None for a native source.

    Returns
    -------
    str
        One string that :func:`split_mapping` takes apart again.
    """
    return str(source) if mapping is None else f"{source} [mapping {mapping}]"


def split_mapping(source: str | Path) -> tuple[str, str | None]:
    """Return the source and its mapping file from :func:`with_mapping`'s string (mapping None when absent).

    Parameters
    ----------
    source : str or pathlib.Path
        A source, with or without a mapping attached.

    Returns
    -------
    tuple of (str, str or None)
        The export and the mapping file.
    """
    match = _MAPPED.match(str(source))
    return (str(source), None) if match is None else (match["source"], match["mapping"])


def example_path() -> Path:
    """Return the folder of the example trial shipped inside the package.

    Returns
    -------
    pathlib.Path
        ``medcare_metrics/example_data/`` (written by ``python -m medcare_metrics generate``).
    """
    # This module sits in medcare_metrics/loading/; the example trial beside the package's modules.
    return Path(__file__).parent.parent / "example_data"


def _dataset_of(name: str) -> str | None:
    """Return the dataset a file name stands for (``ADSL.csv`` -> ``"adsl"``) or None."""
    p = Path(name)
    stem, ext = p.stem.lower(), p.suffix.lower()
    if ext == ".sas7bdat" or ext in EXTENSIONS or ext in EXCEL_EXTENSIONS:
        return stem if stem in DATASETS else None
    return None


def _links_outside(folder: Path) -> list[Path]:
    """Return the entries of ``folder`` that are symbolic links to somewhere outside it, sorted by name.

    Such a link would make a source read (and fingerprint) a file its owner never put in the folder.
    """
    inside = folder.resolve()
    outside = []
    for p in folder.iterdir():
        if not p.is_symlink():
            continue
        try:
            target = p.resolve(strict=False)
        except (OSError, RuntimeError):  # a link loop
            outside.append(p)
            continue
        if target != inside and inside not in target.parents:
            outside.append(p)
    return sorted(outside)


def _folder_files(folder: Path) -> list[Path]:
    """Return the dataset files directly inside ``folder`` (hidden files skipped), sorted by name.

    Symbolic links are followed only when they stay inside ``folder`` (:func:`_links_outside`).
    """
    refused = set(_links_outside(folder))
    return sorted(
        p
        for p in folder.iterdir()
        if p not in refused and p.is_file() and not p.name.startswith((".", "~$")) and _dataset_of(p.name)
    )


def source_path(source: str | Path, expected: str = "") -> Path:
    """Return ``source`` as a path, after checking that it exists.

    Parameters
    ----------
    source : str or pathlib.Path
        Folder, workbook or zip; or a ``duckdb://`` URL, whose database file is returned.
    expected : str
        Added to the error message (for example what kinds of source are read).

    Returns
    -------
    pathlib.Path
        The path.

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    ValueError
        When ``source`` is the URL of a database server (``postgresql://``), which has no path.
    """
    source, _ = split_study(source)  # the study file is checked when loading (a problem, not an error)
    source, mapping = split_mapping(source)
    if mapping is not None and not Path(mapping).is_file():
        raise FileNotFoundError(f"mapping file not found: {mapping}")
    if is_database_url(source):
        file = database_file(str(source))
        if file is None:
            raise ValueError(f"{redacted(str(source))} is a database server, not a file or folder")
        if not file.is_file():
            raise FileNotFoundError(f"data source not found: {file} ({redacted(str(source))})")
        return file
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"data source not found: {path}{expected}")
    return path


def fingerprint(source: str | Path, study: str | Path | None = None) -> str:
    """Return a short hash identifying the bytes of a data source and of its study file.

    Parameters
    ----------
    source : str or pathlib.Path
        Folder, workbook or zip; or a database URL.
    study : str or pathlib.Path, optional
        An explicit study file; without it, the study file beside the data, if any
        (:func:`medcare_metrics.study.find_study_file`). Its name and bytes are hashed too, so a changed
        study file is a new fingerprint; without a study file the hash is that of the data alone.

    Returns
    -------
    str
        First 12 hex characters of a SHA-256 over each dataset file's name (relative to the folder,
        lower case) and bytes; for a single file, over its name and bytes; for a database, over each
        dataset table's name, columns, row count and a hash of its rows the database computes
        (:func:`~medcare_metrics.loading.database.database_fingerprint`).

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    medcare_metrics.loading.database.DatabaseSourceError
        When a database URL is malformed or its database cannot be opened (no password in the message).
    """
    source, attached_study = split_study(source)
    study = attached_study if study is None else study
    source, mapping = split_mapping(source)
    study_bytes = study_fingerprint_bytes(source, study)
    if mapping is not None:
        return _mapped_fingerprint(source_path(source), Path(mapping), study_bytes)
    if is_database_url(source):
        # The tables' contents, not the file's bytes: DuckDB rewrites its file without the data changing.
        return with_study(database_fingerprint(str(source)), study_bytes)
    path = source_path(source)
    files = _folder_files(path) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.lower().encode("utf-8") + b"\0")
        with f.open("rb") as handle:
            for chunk in iter(partial(handle.read, 1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    digest.update(study_bytes)
    return digest.hexdigest()[:12]


def with_study(tables: str, study_bytes: bytes) -> str:
    """Return a database fingerprint combined with a study file's bytes (unchanged when there are none)."""
    if not study_bytes:
        return tables
    return hashlib.sha256(tables.encode("ascii") + b"\0" + study_bytes).hexdigest()[:12]


def _mapped_fingerprint(path: Path, mapping: Path, study_bytes: bytes = b"") -> str:
    """Return the fingerprint of an export read through a mapping: its files, the mapping, the study file.

    Every regular file directly in the folder counts (the mapping chooses among them), links leaving the
    folder excepted, as for a native folder.
    """
    if path.is_dir():
        refused = set(_links_outside(path))
        files = sorted(
            p for p in path.iterdir() if p not in refused and p.is_file() and not p.name.startswith(".")
        )
    else:
        files = [path]
    digest = hashlib.sha256()
    for f in [*files, mapping]:
        digest.update(f.name.lower().encode("utf-8") + b"\0")
        with f.open("rb") as handle:
            for chunk in iter(partial(handle.read, 1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    digest.update(study_bytes)
    return digest.hexdigest()[:12]
