"""``python -m medcare_metrics validate PATH``: print a source's problems, or a summary when it is clean.

Repeated problems are grouped (one line per dataset, file, column, check and severity, with a count and
the first rows); ``--json`` prints a document for scripts instead, ``--strict`` fails on warnings too, and
``--max-zip-bytes`` / ``--max-rows`` raise the load limits (:class:`~medcare_metrics.loading.LoadLimits`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import textwrap
from typing import TextIO

import pandas as pd

from medcare_metrics.cli.common import add_mapping_argument, add_study_argument
from medcare_metrics.loading import LoadLimits, LoadResult, load_trial, summarise_problems
from medcare_metrics.rules import enrolled_mask

#: Width of the problem column; longer problem text wraps onto further lines (never cut).
MAX_PROBLEM_WIDTH = 100
#: Rows named in a grouped problem line before "...".
ROWS_SHOWN = 3
#: Columns a problem is grouped on in the printed table.
GROUP_BY: tuple[str, ...] = ("dataset", "file", "column", "check", "severity")


def _positive_int(text: str) -> int:
    """Parse a positive whole number for argparse (``_`` may group digits)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``validate`` arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser of the ``validate`` command.
    """
    parser.add_argument("path", metavar="PATH", help="folder, Excel workbook (.xlsx) or zip of a folder")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too, not only on errors")
    add_mapping_argument(parser)
    add_study_argument(parser)
    parser.add_argument(
        "--json", action="store_true", help="print a JSON document (summary counts and every problem)"
    )
    parser.add_argument(
        "--max-zip-bytes",
        type=_positive_int,
        metavar="BYTES",
        help="largest uncompressed size of the dataset files of a zip (MEDCARE_MAX_ZIP_BYTES, else 500 MB)",
    )
    parser.add_argument(
        "--max-rows",
        type=_positive_int,
        metavar="N",
        help="largest number of rows of one dataset (default: MEDCARE_MAX_ROWS, else 1,000,000)",
    )


def _table(cells: list[list[str]]) -> str:
    """Lay out rows of cells as columns; the last cell wraps at :data:`MAX_PROBLEM_WIDTH`, never cut."""
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]) - 1)]
    indent = sum(w + 2 for w in widths)
    lines = []
    for row in cells:
        head = "  ".join(v.ljust(w) for v, w in zip(row[:-1], widths, strict=True))
        # Long words (paths, value lists) stay whole: the text is never cut.
        parts = textwrap.wrap(row[-1], MAX_PROBLEM_WIDTH, break_long_words=False, break_on_hyphens=False)
        parts = parts or [""]
        lines.append(f"{head}  {parts[0]}".rstrip())
        lines.extend(" " * indent + part for part in parts[1:])
    return "\n".join(lines)


def problems_table(problems: pd.DataFrame) -> str:
    """Return the problems as a plain-text table, errors first, one line per problem.

    Parameters
    ----------
    problems : pandas.DataFrame
        ``LoadResult.problems``.

    Returns
    -------
    str
        One row per problem with severity, dataset, file, row, USUBJID, column and the full problem text,
        wrapped at :data:`MAX_PROBLEM_WIDTH` characters onto indented continuation lines.
    """
    if problems.empty:
        return "No problems."
    shown = problems.assign(_err=problems["severity"] != "error")
    shown = shown.sort_values("_err", kind="stable").drop(columns="_err")
    shown = shown[["severity", "dataset", "file", "row", "USUBJID", "column", "problem"]].astype(object)
    shown = shown.where(shown.notna(), "")
    return _table([list(shown.columns), *[[str(v) for v in row] for row in shown.itertuples(index=False)]])


def _rows_text(rows: pd.Series) -> str:
    """Return ``"rows 3, 5, 9, ..."`` for the file rows of a group (empty when none is known)."""
    known = sorted({int(r) for r in rows.dropna()})
    if not known:
        return ""
    listed = ", ".join(str(r) for r in known[:ROWS_SHOWN]) + (", ..." if len(known) > ROWS_SHOWN else "")
    return f"row{'s' if len(known) > 1 else ''} {listed}"


def grouped_table(problems: pd.DataFrame) -> str:
    """Return the problems as a plain-text table with one line per kind of problem, errors first.

    A problem seen once is shown in full, as in :func:`problems_table`. Repeated ones (same dataset, file,
    column, check and severity; :func:`~medcare_metrics.loading.summarise_problems`) become one line with
    their count, the first rows and the first problem's text, e.g.
    ``ADTTE  adtte.csv  AVAL  12 x type (rows 3, 5, 9, ...), first: AVAL 'abc' is not a number; ...``.

    Parameters
    ----------
    problems : pandas.DataFrame
        ``LoadResult.problems``.

    Returns
    -------
    str
        The table, or ``"No problems."``.
    """
    if problems.empty:
        return "No problems."
    groups = summarise_problems(problems, by=GROUP_BY)
    keyed = problems.astype({c: object for c in GROUP_BY})
    keyed = keyed.assign(**{c: keyed[c].where(keyed[c].notna(), "") for c in GROUP_BY})
    cells = [["severity", "dataset", "file", "row", "USUBJID", "column", "problem"]]
    for group in groups.astype({c: object for c in GROUP_BY}).itertuples(index=False):
        key = {c: "" if pd.isna(getattr(group, c)) else getattr(group, c) for c in GROUP_BY}
        members = keyed
        for c, v in key.items():
            members = members[members[c] == v]
        if len(members) == 1:
            one = members.iloc[0]
            row = "" if pd.isna(one["row"]) else str(int(one["row"]))
            subject = "" if pd.isna(one["USUBJID"]) else str(one["USUBJID"])
            text = str(one["problem"])
        else:
            row, subject = "", f"{group.subjects} subj." if group.subjects else ""
            rows = _rows_text(members["row"])
            same = members["problem"].nunique() == 1
            text = f"{len(members)} x {key['check']}{f' ({rows})' if rows else ''}"
            text += f": {group.example}" if same else f", first: {group.example}"
        cells.append(
            [
                str(key["severity"]),
                str(key["dataset"]),
                str(key["file"]),
                row,
                subject,
                str(key["column"]),
                text,
            ]
        )
    return _table(cells)


def to_json(result: LoadResult, exit_code: int) -> str:
    """Return a load's outcome as a JSON document, for scripts.

    Parameters
    ----------
    result : LoadResult
        The load.
    exit_code : int
        The exit status the command returns.

    Returns
    -------
    str
        ``{"source", "exit_code", "summary": {"errors", "warnings", "trial", "datasets": {name: rows},
        "fingerprint", "notes"}, "problems": [{dataset, file, row, USUBJID, column, check, problem,
        severity}, ...]}``; ``row`` and missing values are null.
    """
    trial = result.trial
    problems = result.problems.astype(object).where(result.problems.notna(), None)
    records = [
        {k: (int(v) if k == "row" and v is not None else v) for k, v in rec.items()}
        for rec in problems.to_dict(orient="records")
    ]
    document = {
        "source": result.source,
        "exit_code": exit_code,
        "summary": {
            "errors": result.n_errors,
            "warnings": result.n_warnings,
            "trial": trial is not None,
            "datasets": {} if trial is None else {n: len(trial.dataset(n)) for n in trial.available},  # type: ignore[arg-type]
            "fingerprint": None if trial is None else trial.fingerprint,
            "notes": [] if trial is None else list(trial.notes),
        },
        "problems": records,
    }
    return json.dumps(document, indent=2, default=str)


def summary(result: LoadResult) -> str:
    """Return a short summary of a loaded trial (datasets, subjects, cut-off date, fingerprint, notes).

    Parameters
    ----------
    result : LoadResult
        A load whose ``trial`` is not None.

    Returns
    -------
    str
        Several lines of text.
    """
    trial = result.trial
    if trial is None:
        return f"{result.source}: no trial (ADSL missing or unusable)."
    adsl = trial.adsl
    lines = [f"Source: {result.source}", f"Name: {trial.name}", f"Fingerprint: {trial.fingerprint}"]
    for name in trial.available:
        frame = trial.dataset(name)
        assert frame is not None  # available lists only present datasets
        lines.append(f"{name.upper():6} {len(frame):7d} rows  {frame['USUBJID'].nunique():6d} subjects")
    enrolled = int(enrolled_mask(adsl).sum())
    lines.append(f"Subjects screened (ADSL rows): {len(adsl)}; enrolled (ENRLFL = Y): {enrolled}")
    if "DCUTDT" in adsl and adsl["DCUTDT"].notna().any():
        cutoffs = sorted(adsl["DCUTDT"].dropna().unique())
        lines.append(
            "Data cut-off (DCUTDT): " + ", ".join(pd.Timestamp(c).strftime("%Y-%m-%d") for c in cutoffs)
        )
    else:
        lines.append("Data cut-off (DCUTDT): not given")
    absent = [n.upper() for n in ("adsl", "adtte", "adae", "adtu", "adlb") if n not in trial.available]
    if absent:
        lines.append(f"Absent datasets: {', '.join(absent)}")
    if trial.notes:
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in trial.notes)
    return "\n".join(lines)


class _BadLimit(ValueError):
    """A ``MEDCARE_MAX_*`` environment variable that is not a positive whole number."""


def _limits(args: argparse.Namespace) -> LoadLimits:
    """Return the environment's limits with the command-line options applied over them."""
    try:
        limits = LoadLimits.from_environ()
    except ValueError as exc:
        raise _BadLimit(str(exc)) from None
    changes: dict[str, int] = {}
    for name in ("max_zip_bytes", "max_rows"):
        value = getattr(args, name, None)  # absent when run() gets a hand-made namespace
        if value is not None:
            changes[name] = int(value)
    return dataclasses.replace(limits, **changes)


def run(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Validate ``args.path`` and print the result.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``path``, and optionally ``strict``, ``json``, ``max_zip_bytes``, ``max_rows``.
    stream : text stream, optional
        Where to print; standard output by default.

    Returns
    -------
    int
        0 when there is no error-severity problem (warnings are printed too) and, with ``--strict``, no
        warning; 1 otherwise, or when the source does not exist or a limit's environment variable is bad.
    """
    out = stream or sys.stdout
    as_json = bool(getattr(args, "json", False))
    try:
        result = load_trial(
            args.path,
            _limits(args),
            mapping=getattr(args, "mapping", None),
            study=getattr(args, "study", None),
        )
    except (FileNotFoundError, _BadLimit) as exc:
        if as_json:
            document = {"source": str(args.path), "exit_code": 1, "error": str(exc)}
            print(json.dumps(document, indent=2), file=out)
        else:
            print(f"error: {exc}", file=out)
        return 1
    strict = bool(getattr(args, "strict", False))
    code = 1 if result.n_errors or (strict and result.n_warnings) else 0
    if as_json:
        print(to_json(result, code), file=out)
        return code
    if code:
        print(
            f"{result.source}: {_count(result.n_errors, 'error')}, {_count(result.n_warnings, 'warning')}"
            + (" (--strict: warnings fail too)" if strict and not result.n_errors else ""),
            file=out,
        )
        print(grouped_table(result.problems), file=out)
        return code
    print(summary(result), file=out)
    if result.n_warnings:
        print(f"\n{_count(result.n_warnings, 'warning')} (values set missing, rows kept):", file=out)
        print(grouped_table(result.problems), file=out)
    return 0
