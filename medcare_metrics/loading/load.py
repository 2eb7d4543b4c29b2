"""Loading a data source: read its files or tables, then coerce, validate and derive each dataset."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from medcare_metrics import schema
from medcare_metrics.loading.coercion import _coerce, _to_text
from medcare_metrics.loading.database import is_database_url, read_database
from medcare_metrics.loading.derivation import _derive
from medcare_metrics.loading.limits import LoadLimits
from medcare_metrics.loading.readers import _collect_folder, _collect_workbook, _collect_zip, _Raw
from medcare_metrics.loading.sources import (
    EXCEL_EXTENSIONS,
    fingerprint,
    source_path,
    split_mapping,
    with_study,
)
from medcare_metrics.loading.validation import LoadResult, _Collector, _validate_keys, _validate_values
from medcare_metrics.model import DATASETS, TrialData
from medcare_metrics.study import (
    StudyDefinition,
    StudyFileError,
    resolve_study,
    split_study,
    study_fingerprint_bytes,
)


def _process(dataset: str, raw: _Raw, adsl_subjects: set[str] | None, out: _Collector) -> pd.DataFrame | None:
    """Coerce, derive and validate one dataset; None when a required column is missing."""
    # A shallow copy: coercion replaces whole columns and never writes into the arrays as read, so a deep
    # copy would only hold a second copy of the data during the load.
    frame = raw.frame.copy(deep=False)
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    if frame.columns.duplicated().any():
        dups = sorted(set(frame.columns[frame.columns.duplicated()]))
        out.add(
            dataset,
            raw.file,
            f"columns {', '.join(dups)} appear more than once (names are case-insensitive); "
            "the first is used",
            check="unique columns",
            severity="warning",
        )
        frame = frame.take(np.flatnonzero(~frame.columns.duplicated()), axis=1)
    # Labels 0..n-1 line up with ``raw.rows``; set in place, as ``reset_index`` would copy every column.
    frame.index = pd.RangeIndex(len(frame))
    raw = _Raw(frame, raw.file, raw.rows, raw.sas)
    missing = [c for c in schema.required_columns(dataset) if c not in frame]
    if missing:
        consequence = "no trial can be shown" if dataset == "adsl" else f"{dataset.upper()} is not used"
        out.add(
            dataset,
            raw.file,
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing; {consequence}",
            check="required column",
            column=", ".join(missing),
        )
        return None
    frame, bad_type = _coerce(dataset, raw, out)
    # Rows already excluded for an unreadable required value are not checked again (one problem per cause).
    frame = _without(frame, bad_type)
    frame, bad_value = _validate_values(dataset, frame, raw, adsl_subjects, out)
    frame = _without(frame, bad_value)
    bad_key = _validate_keys(dataset, frame, raw, out)
    frame = _without(frame, bad_key)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        frame.index = pd.RangeIndex(len(frame))
    # Derived from validated columns, so derived values need no check of their own.
    return _derive(dataset, frame, out)


def _without(frame: pd.DataFrame, exclude: pd.Series) -> pd.DataFrame:
    """Return ``frame`` without the rows ``exclude`` marks; the frame itself when none is marked.

    Usually no row is excluded, and ``frame.loc[~exclude]`` would still copy every column. ``take``, not
    ``loc``: a ``loc`` selection is marked as a copy, and derivation adds columns to it.
    """
    mask = exclude.to_numpy(dtype=bool)
    if not mask.any():
        return frame
    return frame.take(np.flatnonzero(~mask))


def _process_safely(
    dataset: str, raw: _Raw, adsl_subjects: set[str] | None, out: _Collector
) -> pd.DataFrame | None:
    """:func:`_process`, with any unforeseen failure turned into a problem: bad data never stops a load."""
    try:
        return _process(dataset, raw, adsl_subjects, out)
    except Exception as exc:
        out.add(
            dataset,
            raw.file,
            f"{dataset.upper()} could not be checked ({type(exc).__name__}: {exc}); not used",
            check="readable",
        )
        return None


def load_trial(
    source: str | Path,
    limits: LoadLimits | None = None,
    *,
    study: str | Path | None = None,
    mapping: str | Path | None = None,
) -> LoadResult:
    """Load and validate a MEDCARE data source.

    Parameters
    ----------
    source : str or pathlib.Path
        A folder with one file per dataset (``adsl.csv``, ``adtte.xpt``, ``adae.sas7bdat``,
        ``adtu.parquet``, ``adlb.xlsx``; names case-insensitive), an Excel workbook with a sheet per
        dataset (``ADSL``, ``ADTTE``, ...), a zip of such a folder, or a database URL with a table per
        dataset (``duckdb:///path/trial.duckdb``, ``postgresql://user@host/db?schema=medcare``;
        :mod:`~medcare_metrics.loading.database`). A database that cannot be opened (server down, login
        refused) is a problem, not an exception.
    limits : LoadLimits, optional
        Largest zip and dataset read; by default :meth:`LoadLimits.from_environ` (``MEDCARE_MAX_ZIP_BYTES``,
        ``MEDCARE_MAX_ROWS``, else 500 MB and 1,000,000 rows). A file past a limit is not read and becomes
        a problem naming the limit.
    study : str or pathlib.Path, optional
        A study file (TOML or YAML) for the trial. Without it, a study file beside the data is used
        (:func:`medcare_metrics.study.find_study_file`), else MEDCARE's built-in definition for MEDCARE data,
        else a neutral one (:func:`medcare_metrics.study.resolve_study`). A broken study file is a problem
        per wrong key (dataset ``STUDY``) and the trial gets the built-in or neutral definition.
    mapping : str or pathlib.Path, optional
        A mapping file (YAML) that turns an EDC export (a folder, or one CSV file) into the datasets
        (:mod:`medcare_metrics.loading.edc`); also taken from a source written by
        :func:`~medcare_metrics.loading.sources.with_mapping`. A broken mapping is a problem per wrong key.

    Returns
    -------
    LoadResult
        The trial (None when ADSL is missing or lacks a required column), the problems table and the source
        (a database URL with its password masked). Bad data never raises: it becomes problems.

    Raises
    ------
    FileNotFoundError
        When ``source`` (a folder, a file, a DuckDB database file) does not exist.
    ValueError
        When ``limits`` is not given and a limit's environment variable is not a positive whole number.
    """
    # An explicit study file attached to the source string (the app's --study) travels outermost.
    source, attached_study = split_study(source)
    study = attached_study if study is None else study
    source, attached = split_mapping(source)
    mapping = attached if mapping is None else mapping
    if mapping is not None:
        # Imported here: the edc package builds on this module (it ends in _finish).
        from medcare_metrics.loading.edc import load_export

        limits = LoadLimits.from_environ() if limits is None else limits
        return load_export(source, mapping, limits, study=study)
    if is_database_url(source):
        return _load_database(str(source), LoadLimits.from_environ() if limits is None else limits, study)
    path = source_path(source, " (expected a folder, an .xlsx workbook or a .zip)")
    limits = LoadLimits.from_environ() if limits is None else limits
    out = _Collector()
    if path.is_dir():
        raws = _collect_folder(path, out, limits)
    elif path.suffix.lower() in EXCEL_EXTENSIONS:
        raws = _collect_workbook(path, out, limits)
    elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        raws = _collect_zip(path, out, limits)
    else:
        out.add("adsl", path.name, "not a folder, Excel workbook (.xlsx) or zip file", check="readable")
        raws = {}
    return _finish(
        raws,
        out,
        source=str(source),
        label=path.name,
        name=path.stem if path.is_file() else path.name,
        fingerprint=lambda: fingerprint(path, study),
        study=study,
    )


def _load_database(source: str, limits: LoadLimits, study: str | Path | None = None) -> LoadResult:
    """:func:`load_trial` of a database URL: its tables, read as the file readers read a file."""
    out = _Collector()
    read = read_database(source, out, limits)
    raws = {
        dataset: _Raw(table.frame, table.name, np.arange(1, len(table.frame) + 1))
        for dataset, table in read.tables.items()
    }
    # The fingerprint comes from the snapshot the tables were read in, not from a second look.
    return _finish(
        raws,
        out,
        source=read.label,
        label=read.label,
        name=read.name,
        fingerprint=lambda: with_study(read.fingerprint, study_fingerprint_bytes(source, study)),
        study=study,
        study_source=source,
    )


def _finish(
    raws: dict[str, _Raw],
    out: _Collector,
    *,
    source: str,
    label: str,
    name: str,
    fingerprint: Callable[[], str],
    study: str | Path | None = None,
    study_source: str | Path | None = None,
) -> LoadResult:
    """Process the datasets read from a source into the trial and the problems table.

    ``label`` names the source in problems about it as a whole; ``fingerprint`` is called only when there is
    a trial to identify. ``raws`` is emptied as its datasets are processed: a dataset as read is let go once
    its checked copy exists, so that the two are not both held until the end of the load.
    """
    trial: TrialData | None = None
    datasets: dict[str, pd.DataFrame | None] = {}
    if "adsl" not in raws:
        if not any(p["dataset"] == "ADSL" for p in out.problems):
            out.add(
                "adsl",
                label,
                "no ADSL dataset found (adsl.csv, adsl.xpt, ... or an ADSL sheet); no trial can be shown",
                check="required dataset",
            )
    else:
        raw_adsl_read = raws.pop("adsl")
        adsl = _process_safely("adsl", raw_adsl_read, None, out)
        if adsl is not None:
            datasets["adsl"] = adsl
            subjects = set(adsl["USUBJID"].dropna())
            raw_adsl = raw_adsl_read.frame
            id_cols = [c for c in raw_adsl.columns if str(c).strip().upper() == "USUBJID"]
            raw_ids = _to_text(raw_adsl[id_cols[0]]).dropna()
            out.excluded_subjects = set(raw_ids) - subjects
            raw_adsl_empty, adsl_file = raw_adsl.empty, raw_adsl_read.file
            del raw_adsl, raw_adsl_read, raw_ids
            others = [d for d in DATASETS[1:] if d in raws]
            if adsl.empty:
                # Every row of every other dataset would be an unknown subject: say it once instead.
                why = "ADSL has no rows" if raw_adsl_empty else "ADSL has no usable rows (see its problems)"
                unused = f"; {', '.join(d.upper() for d in others)} not used" if others else ""
                out.add(
                    "adsl",
                    adsl_file,
                    f"{why}: no subject to check other datasets against{unused}",
                    check="not empty",
                )
                others = []
            for dataset in others:
                raw = raws.pop(dataset)
                if raw.frame.empty:
                    # Usually a half-finished export; the pages then say the dataset has no rows.
                    out.add(
                        dataset,
                        raw.file,
                        f"{dataset.upper()} has no rows (a header only)",
                        check="not empty",
                        severity="warning",
                    )
                datasets[dataset] = _process_safely(dataset, raw, subjects, out)
                del raw
            # Before the notes are taken: a broken study file adds one.
            resolved = _study(datasets, source if study_source is None else study_source, study, out)
            trial = TrialData(
                **datasets,  # type: ignore[arg-type]
                name=name,
                fingerprint=fingerprint(),
                notes=tuple(out.notes),
                study=resolved,
            )
    return LoadResult(trial=trial, problems=out.frame(), source=source)


def _study(
    datasets: dict[str, pd.DataFrame | None], source: str | Path, study: str | Path | None, out: _Collector
) -> StudyDefinition:
    """Resolve the trial's study definition; a broken study file becomes problems, not an exception."""
    adsl = datasets["adsl"]
    assert adsl is not None  # only called with a usable ADSL
    args = (adsl, datasets.get("adtte"), datasets.get("adtu"))
    try:
        resolved = resolve_study(*args, source=source, study=study)
    except StudyFileError as exc:
        for p in exc.problems.itertuples(index=False):
            got = f" (got {p.value})" if p.value else ""
            out.add("study", str(p.file), f"{p.key}: {p.problem}{got}", check="study file", column=str(p.key))
        resolved = resolve_study(*args, files=False)
        instead = "a neutral definition from the data" if resolved.neutral else "the built-in MEDCARE one"
        out.notes.append(f"Study file {exc.file} not used (see its problems); {instead} applies.")
    return resolved
