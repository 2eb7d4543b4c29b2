"""``python -m medcare_metrics report SOURCE --out FILE.html [--pdf FILE.pdf] ...``: the meeting report.

The report is the app's pages for one view (filters, as-of date) in one self-contained HTML file, and
optionally the same as an A4 PDF (:mod:`medcare_metrics.report`). From the command line it holds the
patient-level tables unless ``--aggregates-only`` is given.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from medcare_metrics.cli.common import (
    _first_problem,
    _study_problems,
    add_mapping_argument,
    add_study_argument,
)
from medcare_metrics.errors import MedcareError
from medcare_metrics.filters import Filters, filterable_columns
from medcare_metrics.loading import load_trial, redacted
from medcare_metrics.model import TrialData
from medcare_metrics.report import ReportOptions, collect_report, report_html, report_scope
from medcare_metrics.report.pdf import PdfUnavailable, write_pdf


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``report`` arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser of the ``report`` command.
    """
    parser.add_argument("path", metavar="SOURCE", help="folder, workbook, zip or database URL of the trial")
    parser.add_argument("--out", required=True, metavar="FILE.html", help="the HTML report to write")
    parser.add_argument(
        "--pdf", metavar="FILE.pdf", help="also write the report as an A4 PDF (needs Chromium)"
    )
    parser.add_argument(
        "--as-of", metavar="DATE", help="replay the trial as of this date (YYYY-MM-DD); default: the cut-off"
    )
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="keep subjects whose ADSL column COL holds VALUE; repeat for more values (same column: or; "
        "other columns: and)",
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="start of the 'changes since' window (YYYY-MM-DD, excluded); default: 91 days before as-of",
    )
    parser.add_argument(
        "--aggregates-only",
        action="store_true",
        help="leave out patient-level tables and figures (as the app's viewer role sees it)",
    )
    add_mapping_argument(parser)
    add_study_argument(parser)


def _date(text: str | None, option: str) -> date | None:
    """Return the ISO date of ``option``; raise ValueError saying which option and what it got."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} must be a date as YYYY-MM-DD, got {text!r}") from None


def parse_filters(items: list[str], adsl: pd.DataFrame) -> Filters:
    """Return the filters of ``--filter COL=VALUE`` arguments, checked against ADSL.

    Parameters
    ----------
    items : list of str
        The ``COL=VALUE`` texts.
    adsl : pandas.DataFrame
        The trial's ADSL.

    Returns
    -------
    Filters
        Values of one column are alternatives; columns are all required.

    Raises
    ------
    ValueError
        When an item has no ``=`` or names a column ADSL has not.
    """
    chosen: dict[str, list[str]] = {}
    for item in items:
        column, sep, value = item.partition("=")
        column = column.strip().upper()
        if not sep or not column:
            raise ValueError(f"--filter must be COL=VALUE, got {item!r}")
        if column not in adsl.columns:
            offered = ", ".join(filterable_columns(adsl)) or "none"
            raise ValueError(f"--filter {item!r}: ADSL has no column {column}; filterable columns: {offered}")
        chosen.setdefault(column, []).append(value.strip())
    return Filters.from_mapping(chosen)


def _load(args: argparse.Namespace) -> tuple[TrialData, pd.DataFrame] | None:
    """Load the source with its validation problems; say on stderr why not when it cannot be used."""
    shown = redacted(args.path)
    try:
        result = load_trial(args.path, mapping=args.mapping, study=args.study)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    for line in _study_problems(result.problems):
        print(f"warning: {line}", file=sys.stderr)
    if result.trial is None:
        print(f"error: no usable ADSL in {shown}{_first_problem(result.problems, 'adsl')}", file=sys.stderr)
        return None
    return result.trial, result.problems


def run(args: argparse.Namespace) -> int:
    """Write the meeting report of ``args.path`` (and its PDF with ``--pdf``).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: path, out, pdf, as_of, filter, since, aggregates_only, mapping, study.

    Returns
    -------
    int
        0 when the report (and the PDF asked for) was written; 2 when the source cannot be used or an
        argument does not fit the data; 3 when the HTML was written but the PDF could not be made.
    """
    loaded = _load(args)
    if loaded is None:
        return 2
    trial, problems = loaded
    try:
        as_of = _date(args.as_of, "--as-of")
        since = _date(args.since, "--since")
        filters = parse_filters(list(args.filter), trial.adsl)
        scope = report_scope(trial, problems, filters, as_of)
        if as_of is not None and scope.cutoff is not None and as_of > scope.cutoff:
            raise ValueError(f"--as-of {as_of} is after the data cut-off {scope.cutoff}")
        options = ReportOptions(
            since=since, patient_level=not args.aggregates_only, source_name=Path(redacted(args.path)).name
        )
        content = collect_report(scope, options)
        html = report_html(content)
    except (ValueError, MedcareError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {out}: {error.strerror or type(error).__name__}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({len(html.encode('utf-8')) // 1024} KiB)", file=sys.stderr)
    if args.pdf:
        try:
            write_pdf(html, args.pdf, content.provenance.footer())
        except PdfUnavailable as error:
            print(f"error: {error}", file=sys.stderr)
            return 3
        print(f"wrote {args.pdf}", file=sys.stderr)
    return 0
