"""``python -m medcare_metrics validate PATH``: print a source's problems, or a summary when it is clean."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import TextIO

import pandas as pd

from medcare_metrics.loading import LoadResult, load_trial
from medcare_metrics.rules import enrolled_mask

#: Width of the problem column; longer problem text wraps onto further lines (never cut).
MAX_PROBLEM_WIDTH = 100


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


def problems_table(problems: pd.DataFrame) -> str:
    """Return the problems as a plain-text table, errors first.

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
    cells = [list(shown.columns), *[[str(v) for v in row] for row in shown.itertuples(index=False)]]
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


def run(args: argparse.Namespace, stream: TextIO | None = None) -> int:
    """Validate ``args.path`` and print the result.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments with ``path``.
    stream : text stream, optional
        Where to print; standard output by default.

    Returns
    -------
    int
        0 when there is no error-severity problem (warnings are printed too), 1 when there is one or the
        source does not exist.
    """
    out = stream or sys.stdout
    try:
        result = load_trial(args.path)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=out)
        return 1
    if result.n_errors:
        print(
            f"{result.source}: {_count(result.n_errors, 'error')}, {_count(result.n_warnings, 'warning')}",
            file=out,
        )
        print(problems_table(result.problems), file=out)
        return 1
    print(summary(result), file=out)
    if result.n_warnings:
        print(f"\n{_count(result.n_warnings, 'warning')} (values set missing, rows kept):", file=out)
        print(problems_table(result.problems), file=out)
    return 0
