"""``python -m medcare_metrics toxicity PATH [--by COLUMN] [--teae] [--level LEVEL] [--json]``.

Prints subjects by worst grade per term (and group) over the safety population. With ``--json`` one JSON
object: ``{"denominators": {group: int}, "rows": [{"AEBODSYS", "AEDECOD", "group", "worst_grade",
"n_subjects"}, ...]}``. ``worst_grade`` is the CTCAE grade; on data without one it is the AESEV rank (1 MILD,
2 MODERATE, 3 SEVERE) and a note on stderr says so. ``worst_grade`` is null for subjects whose events for the
term have no valid grade. ``--by`` an ADAE column: a subject attribute carried on ADAE (TRTA) takes its groups
and denominators from the matching ADSL column (TRT01A); an event attribute (AEREL, AESER) keeps the whole
safety population as every group's denominator. A note on stderr says which
(:func:`medcare_metrics.toxicity.split_source`).
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from medcare_metrics import toxicity
from medcare_metrics.cli.common import add_mapping_argument, add_study_argument, load_for_command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the toxicity command's arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command's parser.
    """
    parser.add_argument("path", help="data source: folder, Excel workbook or zip")
    parser.add_argument(
        "--by",
        metavar="COLUMN",
        default=None,
        help='split by an ADSL (preferred) or ADAE column; default "ALL" (see the note on stderr)',
    )
    parser.add_argument("--teae", action="store_true", help='treatment-emergent events only (TRTEMFL = "Y")')
    parser.add_argument(
        "--level",
        choices=toxicity.LEVELS,
        default="term",
        help='per term (default), per SOC or overall; "ANY" fills AEBODSYS/AEDECOD above the term level',
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    add_mapping_argument(parser)
    add_study_argument(parser)


def result_json(result: toxicity.ToxicityCounts) -> dict[str, object]:
    """Return the JSON object of a toxicity count.

    Parameters
    ----------
    result : ToxicityCounts
        From :func:`medcare_metrics.toxicity.toxicity_by_grade`.

    Returns
    -------
    dict
        ``{"denominators": {group: int}, "rows": [...]}``; rows ordered by AEBODSYS, AEDECOD, group,
        worst_grade (null last).
    """
    denominators = {
        str(g): int(n) for g, n in zip(result.denominators["GROUP"], result.denominators["N"], strict=True)
    }
    rows = [
        {
            "AEBODSYS": str(r.AEBODSYS),
            "AEDECOD": str(r.AEDECOD),
            "group": str(r.GROUP),
            "worst_grade": None if pd.isna(r.GRADE) else int(r.GRADE),
            "n_subjects": int(r.N),
        }
        for r in result.counts.itertuples(index=False)
    ]
    return {"denominators": denominators, "rows": rows}


def run(args: argparse.Namespace) -> int:
    """Run the toxicity command.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (path, by, teae, level, json).

    Returns
    -------
    int
        0 on success; 2 when the source is missing or has no usable ADSL or ADAE, or an argument does not
        fit the data.
    """
    trial = load_for_command(
        args.path, "adae", mapping=getattr(args, "mapping", None), study=getattr(args, "study", None)
    )
    if trial is None or trial.adae is None:
        return 2
    options = toxicity.ToxicityOptions(teae_only=args.teae)
    try:
        result = toxicity.toxicity_by_grade(
            trial.adae, trial.adsl, level=args.level, by=args.by, options=options
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if result.uses_severity:
        labels = ", ".join(f"{g} {lab}" for g, lab in result.scale.labels)
        print(f"note: no CTCAE grade in ADAE; worst_grade is the AESEV rank ({labels})", file=sys.stderr)
    if result.note:
        print(f"note: {result.note}", file=sys.stderr)
    if args.json:
        print(json.dumps(result_json(result)))
        return 0
    print(f"Safety population: {result.population}")
    print(result.denominators.to_string(index=False))
    print()
    print(toxicity.grade_table(result).to_string(index=False))
    return 0
