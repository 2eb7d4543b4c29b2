"""Validation of coerced datasets: the pandera checks, the problems table and what loading returns.

Every pandera check failure becomes a row of the problems table instead of an exception. A problem in a
required column excludes the row (severity ``"error"``); one in an optional column is a ``"warning"``, the
value is set missing and the row is kept.
"""

from __future__ import annotations

import datetime
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from medcare_metrics import schema
from medcare_metrics.model import DATASETS, TrialData

if TYPE_CHECKING:
    from medcare_metrics.loading.readers import _Raw

#: Columns of the problems table.
PROBLEM_COLUMNS: tuple[str, ...] = (
    "dataset",
    "file",
    "row",
    "USUBJID",
    "column",
    "check",
    "problem",
    "severity",
)


@dataclass(frozen=True)
class LoadResult:
    """What :func:`~medcare_metrics.loading.load_trial` returns.

    Attributes
    ----------
    trial : TrialData or None
        The validated datasets; None only when ADSL is missing or unusable.
    problems : pandas.DataFrame
        One row per problem, columns :data:`PROBLEM_COLUMNS`. ``row`` is the row in the file as a user
        finds it: the line number for CSV and Excel (the header is row 1, so the first record is row 2),
        the record number (first record = 1) for XPT, SAS7BDAT and Parquet. ``severity`` is ``"error"``
        (row or dataset excluded, or a rule that makes results wrong) or ``"warning"`` (value set missing,
        row kept).
    source : str
        The source path as given.
    """

    trial: TrialData | None
    problems: pd.DataFrame
    source: str

    @property
    def n_errors(self) -> int:
        """Number of error-severity problems."""
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        """Number of warning-severity problems."""
        return int((self.problems["severity"] == "warning").sum())


@dataclass
class _Collector:
    """Accumulates problems and notes while loading."""

    problems: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: USUBJIDs present in the ADSL file whose every ADSL row was excluded.
    excluded_subjects: set[str] = field(default_factory=set)

    def add(
        self,
        dataset: str,
        file: str,
        problem: str,
        *,
        check: str,
        severity: str = "error",
        row: object = None,
        usubjid: object = None,
        column: str | None = None,
    ) -> None:
        self.problems.append(
            {
                "dataset": dataset.upper(),
                "file": file,
                "row": row,
                "USUBJID": None if _missing(usubjid) else str(usubjid),
                "column": column,
                "check": check,
                "problem": problem,
                "severity": severity,
            }
        )

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.problems, columns=list(PROBLEM_COLUMNS))
        order = {d.upper(): i for i, d in enumerate(DATASETS)}
        out["_order"] = out["dataset"].map(order)
        out = out.sort_values(["_order", "row"], kind="stable", na_position="first").drop(columns="_order")
        out = out.reset_index(drop=True)
        out["row"] = pd.array(out["row"].tolist(), dtype="Int64")
        for col in ("dataset", "file", "USUBJID", "column", "check", "problem", "severity"):
            out[col] = out[col].astype(object)
        return out


def _missing(value: object) -> bool:
    """Return whether a scalar is missing (None, NaN, NaT, pd.NA)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def summarise_problems(
    problems: pd.DataFrame, by: tuple[str, ...] = ("dataset", "column", "check", "severity")
) -> pd.DataFrame:
    """Count the rows of a problems table per group, with the first problem of each group as an example.

    Like the summary of pandera's lazy validation report: one line per kind of problem instead of one per
    row, which keeps thousands of problems readable.

    Parameters
    ----------
    problems : pandas.DataFrame
        A problems table (``LoadResult.problems``, or any table with the ``by`` columns and ``problem``).
    by : tuple of str, default ("dataset", "column", "check", "severity")
        Columns to group on; missing values form their own group.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``count`` (rows in the group), ``subjects`` (distinct USUBJID when the table has that
        column, else omitted) and ``example`` (the group's first problem text), sorted by severity (errors
        first, when ``severity`` is grouped on), then by descending count, then by the ``by`` columns.

    Raises
    ------
    ValueError
        When a ``by`` column or ``problem`` is not in ``problems``.
    """
    missing = [c for c in (*by, "problem") if c not in problems.columns]
    if missing:
        raise ValueError(f"cannot summarise problems: no column {', '.join(missing)}")
    keys = list(by)
    grouped = problems.groupby(keys, dropna=False, sort=False)
    out = grouped.size().rename("count").reset_index()
    if "USUBJID" in problems.columns:
        out = out.merge(grouped["USUBJID"].nunique().rename("subjects").reset_index(), on=keys, how="left")
    out = out.merge(grouped["problem"].first().rename("example").reset_index(), on=keys, how="left")
    order = ["count", *keys]
    ascending = [False] + [True] * len(keys)
    if "severity" in keys:
        out["_error"] = out["severity"].ne("error")
        order, ascending = ["_error", *order], [True, *ascending]
    out = out.sort_values(order, ascending=ascending, kind="stable", na_position="first")
    return out.drop(columns=["_error"], errors="ignore").reset_index(drop=True)


def _describe_value(value: object) -> str:
    if isinstance(value, (pd.Timestamp, datetime.date)):
        # Not strftime: it drops the leading zeros of years before 1000 ("1-01-01").
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _failure_cases(schema_: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Return pandera's failure cases of a lazy validation (empty when the frame is valid)."""
    try:
        with warnings.catch_warnings():
            # pandera concatenates empty frames internally; the pandas FutureWarning is not ours to act on.
            warnings.simplefilter("ignore", FutureWarning)
            # The schemas neither coerce nor add columns, so pandera's own copy of every column would only
            # cost time and memory; the shallow copy keeps pandera's schema accessor off the loaded frame.
            schema_.validate(frame.copy(deep=False), lazy=True, inplace=True)
    except pa.errors.SchemaErrors as err:
        return err.failure_cases
    return pd.DataFrame(columns=["column", "check", "index"])


def _validate_values(
    dataset: str, frame: pd.DataFrame, raw: _Raw, adsl_subjects: set[str] | None, out: _Collector
) -> tuple[pd.DataFrame, pd.Series]:
    """Check types, missing values, ranges, allowed values and ADSL membership.

    Returns the frame (bad optional values set missing) and a mask of rows to exclude.
    """
    exclude = pd.Series(False, index=frame.index)
    specs = schema.column_specs(dataset)
    cases = _failure_cases(schema.schema_for(dataset, adsl_subjects, keys=False), frame)
    row_check_columns = {str(check.error): col for check, col in schema.ROW_CHECKS.get(dataset, [])}
    if not cases.empty:
        # pandera repeats a frame-wide check's failure once per column; one problem per row is enough.
        is_row_check = cases["check"].astype(str).isin(row_check_columns)
        cases = cases[~is_row_check | ~cases.duplicated(["check", "index"])]
    for case in cases.itertuples(index=False):
        check_text = str(case.check)
        column = row_check_columns.get(check_text, case.column)
        col = column if isinstance(column, str) and column in frame else None
        idx = case.index
        if check_text == "not_nullable":
            check, text = "not missing", "is missing but required"
        else:
            check, text = schema.CHECK_LABELS.get(check_text, check_text), check_text
        if col is None or _missing(idx) or idx not in frame.index:
            out.add(dataset, raw.file, f"{col or dataset.upper()} {text}", check=check, column=col)
            continue
        value = frame.at[idx, col]
        shown = "" if _missing(value) else f"{_describe_value(value)} "
        if check_text == schema.IN_ADSL and value in out.excluded_subjects:
            text = "is a subject whose ADSL row was excluded (see the ADSL problems)"
        if check_text in row_check_columns and check_text not in schema.EXCLUDING_ROW_CHECKS:
            severity, tail = "warning", "row kept"
        elif col == "DCUTDT":
            # Mixed cut-off dates make every date-based number doubtful, yet the rows themselves are usable.
            severity, tail = "error", "row kept"
        elif specs[col].required or (dataset, col) in schema.EXCLUDE_ROW:
            exclude.at[idx] = True
            severity, tail = "error", "row excluded"
        else:
            kind = specs[col].kind
            frame.at[idx, col] = pd.NA if kind == "integer" else (pd.NaT if kind == "date" else np.nan)
            severity, tail = "warning", "value set missing"
        out.add(
            dataset,
            raw.file,
            f"{col} {shown}{text}; {tail}",
            check=check,
            severity=severity,
            row=int(raw.rows[idx]),
            usubjid=frame.at[idx, "USUBJID"],
            column=col,
        )
    return frame, exclude


def _validate_keys(dataset: str, frame: pd.DataFrame, raw: _Raw, out: _Collector) -> pd.Series:
    """Check the key columns are unique; return a mask of the later duplicates (the first row is kept)."""
    exclude = pd.Series(False, index=frame.index)
    key = list(schema.UNIQUE_KEYS.get(dataset, ()))
    if not key:
        return exclude
    cases = _failure_cases(schema.schema_for(dataset, values=False), frame)
    rows = sorted({int(i) for i in cases["index"] if not _missing(i) and i in frame.index})
    if not rows:
        return exclude
    first = frame.groupby(key, sort=False, dropna=False).cumcount() == 0
    first_index = frame.loc[first].reset_index().set_index(key)["index"]
    for idx in rows:
        exclude.at[idx] = True
        values = tuple(frame.loc[idx, key])
        original = first_index.loc[values if len(key) > 1 else values[0]]
        shown = ", ".join(f"{c} {v!r}" for c, v in zip(key, values, strict=True))
        out.add(
            dataset,
            raw.file,
            f"{shown} duplicates row {int(raw.rows[original])}: {' + '.join(key)} must be unique; "
            "row excluded",
            check="unique",
            row=int(raw.rows[idx]),
            usubjid=frame.at[idx, "USUBJID"],
            column=" + ".join(key),
        )
    return exclude
