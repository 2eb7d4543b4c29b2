"""EDC exports read through a mapping file: a REDCap records export (or plain tables) as ADaM datasets.

A mapping file (YAML, docs/data-dictionary.md "Mapping file") says which file and which rows (REDCap event,
repeating form) feed each dataset, which column is which variable, and how values are turned into the
dataset's: code lists, date formats, checkboxes, constants and a few derivations (CNSR from a status, AVAL
from two dates, a subject's ADSL value copied onto its rows). The datasets it gives then go through the same
coercion, validation and derivation as native files, so an export and the ADaM files it stands for give the
same trial.

- :mod:`~medcare_metrics.loading.edc.spec`: the mapping file, checked with pydantic (:func:`parse_mapping`);
- :mod:`~medcare_metrics.loading.edc.engine`: applying it to the export's tables (:func:`map_export`);
- this module: :func:`load_export` (files on disk) and :func:`read_export` (bytes, e.g. an upload).
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from medcare_metrics.loading.edc.engine import (
    ExportRefused,
    ExportTable,
    checkbox_column,
    map_export,
    read_export_table,
)
from medcare_metrics.loading.edc.spec import EdcMapping, MappingError, MappingProblem, parse_mapping
from medcare_metrics.loading.limits import LoadLimits
from medcare_metrics.loading.readers import _Raw
from medcare_metrics.loading.sources import _links_outside, _mapped_fingerprint
from medcare_metrics.loading.validation import LoadResult, _Collector

__all__ = [
    "EdcMapping",
    "MappingError",
    "MappingProblem",
    "checkbox_column",
    "load_export",
    "map_datasets",
    "parse_mapping",
    "read_export",
]


def _problems_only(error: MappingError, source: str) -> LoadResult:
    return LoadResult(trial=None, problems=error.frame(), source=source)


def _choose(pattern: str, names: list[str]) -> list[str]:
    """Return the file names matching a mapping's file entry (a name or a ``*`` pattern), any case."""
    return [n for n in names if fnmatch.fnmatchcase(n.lower(), pattern.lower())]


def _tables(
    mapping: EdcMapping,
    files: Mapping[str, bytes] | Mapping[str, Path],
    single: bool,
    where: str,
    limits: LoadLimits,
    out: _Collector,
) -> dict[str, ExportTable]:
    """Read the files the mapping names; each one missing, ambiguous or unreadable becomes a problem."""
    tables: dict[str, ExportTable] = {}
    names = sorted(files)
    for key, pattern in mapping.export.files.items():
        datasets = [d for d, spec in mapping.datasets.items() if spec.file == key]
        if not datasets:
            continue
        owner = datasets[0]
        # A single file given as the source is the export whatever its name, when the mapping has one file.
        found = names if single else _choose(pattern, names)
        if len(found) != 1:
            listed = f" ({', '.join(found)})" if found else ""
            what = "no file" if not found else "several files"
            out.add(
                owner,
                where,
                f"{what} in the source match{'es' if not found else ''} export.files.{key} = {pattern!r}"
                f"{listed}; {', '.join(d.upper() for d in datasets)} not read",
                check="mapping file",
            )
            continue
        name = found[0]
        try:
            item = files[name]  # type: ignore[index]
            data = item.read_bytes() if isinstance(item, Path) else bytes(item)
            tables[key] = read_export_table(data, name, limits)
        except (ExportRefused, OSError) as exc:
            out.add(owner, name, str(exc), check="readable")
    return tables


def map_datasets(
    mapping: EdcMapping,
    files: Mapping[str, bytes] | Mapping[str, Path],
    *,
    limits: LoadLimits | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Apply a mapping to an export and return the ADaM-shaped tables as text, before any validation.

    What ``convert`` writes: each table, read back as a native file, gives the same trial as the export.

    Parameters
    ----------
    mapping : EdcMapping
        A checked mapping.
    files : mapping of str to bytes or pathlib.Path
        The export's files by name: their bytes, or where to read them (only the files the mapping names are
        read).
    limits : LoadLimits, optional
        Largest file and rows (default :meth:`LoadLimits.from_environ`).

    Returns
    -------
    tuple of (dict of str to pandas.DataFrame, pandas.DataFrame)
        The datasets by lower-case name (every cell text or missing) and the mapping's problems (columns of
        ``LoadResult.problems``).
    """
    limits = LoadLimits.from_environ() if limits is None else limits
    out = _Collector()
    tables = _tables(
        mapping, files, len(files) == 1 and len(mapping.export.files) == 1, "export", limits, out
    )
    raws = map_export(mapping, tables, out)
    return {name: raw.frame for name, raw in raws.items()}, out.frame()


def _finish(raws: dict[str, _Raw], out: _Collector, **kwargs: object) -> LoadResult:
    from medcare_metrics.loading.load import _finish as finish  # the load module imports this package lazily

    return finish(raws, out, **kwargs)  # type: ignore[arg-type]


def load_export(
    source: str | Path,
    mapping: str | Path,
    limits: LoadLimits | None = None,
    *,
    study: str | Path | None = None,
) -> LoadResult:
    """Load an EDC export through a mapping file, as :func:`~medcare_metrics.loading.load_trial` loads files.

    Parameters
    ----------
    source : str or pathlib.Path
        A folder holding the export's files, or one CSV file (when the mapping names one file).
    mapping : str or pathlib.Path
        The mapping file (YAML).
    limits : LoadLimits, optional
        Largest file and rows (default :meth:`LoadLimits.from_environ`).
    study : str or pathlib.Path, optional
        A study file, as for :func:`~medcare_metrics.loading.load_trial`.

    Returns
    -------
    LoadResult
        The trial and every problem: the mapping's (file = the mapping, row = its line, column = the key
        path), the export's (file, row, column, value) and the datasets' validation problems. A mapping that
        cannot be used gives no trial, only its problems.

    Raises
    ------
    FileNotFoundError
        When ``source`` or ``mapping`` does not exist.
    """
    limits = LoadLimits.from_environ() if limits is None else limits
    path, mapping_path = Path(source), Path(mapping)
    if not path.exists():
        raise FileNotFoundError(f"data source not found: {path} (expected the export's folder or CSV file)")
    if not mapping_path.is_file():
        raise FileNotFoundError(f"mapping file not found: {mapping_path}")
    shown = f"{source} [mapping {mapping}]"
    try:
        spec = parse_mapping(mapping_path.read_bytes(), name=mapping_path.name)
    except MappingError as err:
        return _problems_only(err, shown)
    out = _Collector()
    if path.is_dir():
        refused = set(_links_outside(path))
        files = {
            p.name: p
            for p in path.iterdir()
            if p not in refused and p.is_file() and not p.name.startswith(".")
        }
        single = False
    else:
        files, single = {path.name: path}, len(spec.export.files) == 1
    tables = _tables(spec, files, single, path.name, limits, out)
    raws = map_export(spec, tables, out)
    return _finish(
        raws,
        out,
        source=shown,
        label=path.name,
        name=path.stem if path.is_file() else path.name,
        fingerprint=lambda: _mapped_fingerprint(path, mapping_path, _study_bytes(path, study)),
        study=study,
        study_source=str(path),
    )


def _study_bytes(path: Path, study: str | Path | None) -> bytes:
    from medcare_metrics.study import study_fingerprint_bytes

    return study_fingerprint_bytes(path, study)


def read_export(
    files: Mapping[str, bytes],
    mapping_text: str | bytes,
    *,
    name: str,
    limits: LoadLimits | None = None,
) -> LoadResult:
    """Load an EDC export held in memory (an upload) through a mapping: nothing is written anywhere.

    Parameters
    ----------
    files : mapping of str to bytes
        The export's files by file name (the names the mapping's ``export.files`` match).
    mapping_text : str or bytes
        The mapping file's text.
    name : str
        The source's name (shown as the trial's name and in problems about the source as a whole).
    limits : LoadLimits, optional
        Largest file and rows (default :meth:`LoadLimits.from_environ`).

    Returns
    -------
    LoadResult
        As :func:`load_export`; the fingerprint hashes every file's name and bytes and the mapping's text.
    """
    limits = LoadLimits.from_environ() if limits is None else limits
    try:
        spec = parse_mapping(mapping_text, name="mapping")
    except MappingError as err:
        return _problems_only(err, name)
    out = _Collector()
    tables = _tables(spec, files, len(files) == 1 and len(spec.export.files) == 1, name, limits, out)
    raws = map_export(spec, tables, out)

    def fingerprint() -> str:
        digest = hashlib.sha256()
        for file_name in sorted(files):
            digest.update(file_name.lower().encode("utf-8") + b"\0" + bytes(files[file_name]) + b"\0")
        text = mapping_text.encode("utf-8") if isinstance(mapping_text, str) else mapping_text
        digest.update(b"mapping\0" + text)
        return digest.hexdigest()[:12]

    # Named by the browser: never looked up as a path on the server.
    return _finish(
        raws,
        out,
        source=name,
        label=name,
        name=name,
        fingerprint=fingerprint,
        study_source=f"upload://{name}",
    )
