"""Where a data source's files are: the source path (folder, workbook or zip), its files, its fingerprint.

A source may also be a database URL (``duckdb:///...``, ``postgresql://...``;
:mod:`~medcare_metrics.loading.database`), whose fingerprint the database computes from its tables. Also the
example trial shipped inside the package (:func:`example_path`).
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

from medcare_metrics.loading.database import database_file, database_fingerprint, is_database_url, redacted
from medcare_metrics.model import DATASETS

#: File extensions read in a folder, in order of preference when one dataset has several files.
EXTENSIONS: tuple[str, ...] = (".csv", ".xpt", ".sas7bdat", ".parquet", ".xlsx")
EXCEL_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm")


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


def fingerprint(source: str | Path) -> str:
    """Return a short hash identifying the bytes of a data source.

    Parameters
    ----------
    source : str or pathlib.Path
        Folder, workbook or zip; or a database URL.

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
    if is_database_url(source):
        # The tables' contents, not the file's bytes: DuckDB rewrites its file without the data changing.
        return database_fingerprint(str(source))
    path = source_path(source)
    files = _folder_files(path) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.lower().encode("utf-8") + b"\0")
        with f.open("rb") as handle:
            for chunk in iter(partial(handle.read, 1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()[:12]
