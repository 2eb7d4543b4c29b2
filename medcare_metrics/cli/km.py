"""``python -m medcare_metrics km PATH --endpoint PARAMCD``: Kaplan-Meier medians and the log-rank test.

Times stay in the data's own unit (AVALU), so the numbers can be compared with R's survfit/survdiff directly.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from medcare_metrics import survival as sv
from medcare_metrics.cli.common import add_mapping_argument, add_study_argument, load_for_command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``km`` arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser of the ``km`` command.
    """
    parser.add_argument("path", metavar="PATH", help="folder, Excel workbook (.xlsx) or zip of a folder")
    parser.add_argument(
        "--endpoint", required=True, metavar="PARAMCD", help="ADTTE parameter code, e.g. NESTFS"
    )
    parser.add_argument("--by", metavar="COLUMN", help="stratify by this ADTTE or ADSL column")
    parser.add_argument(
        "--conf-type",
        choices=sv.CONF_TYPES,
        default="log",
        help="confidence interval transform (R's conf.type)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    add_mapping_argument(parser)
    add_study_argument(parser)


def _number(value: float) -> float | None:
    """JSON-safe number: None for NaN and infinity (JSON has neither)."""
    value = float(value)
    return value if math.isfinite(value) else None


def result_json(
    endpoint: str,
    options: sv.KMOptions,
    unit: str,
    table: pd.DataFrame,
    medians: pd.DataFrame,
    logrank: sv.LogRankResult | None,
) -> dict[str, object]:
    """Assemble the ``--json`` object.

    Parameters
    ----------
    endpoint : str
        PARAMCD.
    options : KMOptions
        Options used for ``table`` and ``medians``.
    unit : str
        Time unit of the data (AVALU).
    table : pandas.DataFrame
        :func:`medcare_metrics.survival.km_table` output.
    medians : pandas.DataFrame
        :func:`medcare_metrics.survival.km_medians` output.
    logrank : LogRankResult or None
        :func:`medcare_metrics.survival.logrank_test` output.

    Returns
    -------
    dict
        ``{"endpoint", "conf_type", "time_unit", "strata": [...], "logrank": {...} | None}``; not reached and
        undefined values are None.
    """
    strata = []
    for row in medians.itertuples(index=False):
        rows = table[table["GROUP"] == row.GROUP]
        timeline = [
            {
                "time": _number(r.TIME),
                "n_risk": int(r.N_RISK),
                "n_event": int(r.N_EVENT),
                "n_censor": int(r.N_CENSOR),
                "surv": _number(r.SURV),
                "lower": _number(r.LOWER),
                "upper": _number(r.UPPER),
            }
            for r in rows.itertuples(index=False)
        ]
        strata.append(
            {
                "group": str(row.GROUP),
                "n": int(row.N),
                "events": int(row.EVENTS),
                "median": _number(row.MEDIAN),
                "median_ci": [_number(row.LOWER), _number(row.UPPER)],
                "timeline": timeline,
            }
        )
    test = None
    if logrank is not None:
        test = {
            "chisq": _number(logrank.chisq),
            "df": int(logrank.df),
            "p": _number(logrank.p),
            "excluded": int(logrank.excluded),
        }
    return {
        "endpoint": endpoint,
        "conf_type": options.conf_type,
        "time_unit": unit,
        "strata": strata,
        "logrank": test,
    }


def _format(value: float) -> str:
    return "NA" if not math.isfinite(value) else f"{value:g}"


def median_text(medians: pd.DataFrame, options: sv.KMOptions, unit: str) -> str:
    """Return the median table as plain text, R-like (NA = not reached).

    Parameters
    ----------
    medians : pandas.DataFrame
        :func:`medcare_metrics.survival.km_medians` output.
    options : KMOptions
        Options used for ``medians``.
    unit : str
        Time unit, for the header.

    Returns
    -------
    str
        A table with group, n, events, median and confidence limits.
    """
    level = f"{100 * options.conf_level:g}"
    header = ["group", "n", "events", f"median ({unit.lower()})", f"{level}% LCL", f"{level}% UCL"]
    cells = [header] + [
        [str(r.GROUP), str(r.N), str(r.EVENTS), _format(r.MEDIAN), _format(r.LOWER), _format(r.UPPER)]
        for r in medians.itertuples(index=False)
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = [
        "  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(c, widths, strict=True)))
        for c in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def run(args: argparse.Namespace) -> int:
    """Load ``args.path``, estimate and print.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``path``, ``endpoint``, ``by``, ``conf_type``, ``json``.

    Returns
    -------
    int
        0 on success; 2 when the source, ADTTE, the endpoint or the ``--by`` column is missing.
    """
    trial = load_for_command(
        args.path, "adtte", mapping=getattr(args, "mapping", None), study=getattr(args, "study", None)
    )
    if trial is None or trial.adtte is None:
        return 2
    options = sv.KMOptions(args.conf_type)
    try:
        try:
            unit = sv.time_unit(trial.adtte, args.endpoint)
            tte = sv.time_to_event(trial.adtte, args.endpoint, adsl=trial.adsl, by=args.by)
        except ValueError as exc:
            if "mixes time units" not in str(exc):
                raise
            unit = "DAYS"
            print(f"note: {exc}; times converted to days", file=sys.stderr)
            tte = sv.time_to_event(trial.adtte, args.endpoint, adsl=trial.adsl, by=args.by, unit=unit)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n_missing = int((tte["GROUP"] == sv.MISSING_GROUP).sum()) if args.by else 0
    if n_missing:
        print(
            f"note: {n_missing} subject(s) without {args.by} are in group {sv.MISSING_GROUP!r}",
            file=sys.stderr,
        )
    table = sv.km_table(tte, options)
    medians = sv.km_medians(tte, options)
    logrank = sv.logrank_test(tte) if args.by else None
    if args.json:
        print(json.dumps(result_json(args.endpoint, options, unit, table, medians, logrank)))
        return 0
    print(f"{args.endpoint}: Kaplan-Meier median, {options.label}; NA = not reached")
    print(median_text(medians, options, unit))
    if logrank is not None:
        p = (
            "not testable (fewer than two groups with expected events)"
            if not logrank.testable
            else f"{logrank.p:.4g}"
        )
        print(f"\nLog-rank test: chi-square = {logrank.chisq:.4f} on {logrank.df} df, p = {p}")
        if logrank.excluded:
            # As R's survdiff: a subject without a value of the grouping column is in no group.
            print(f"{logrank.excluded} subject(s) without a value of {args.by} left out of the test.")
    return 0
