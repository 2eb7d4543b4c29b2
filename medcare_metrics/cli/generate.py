"""``python -m medcare_metrics generate``: write a synthetic MEDCARE-shaped example trial."""

from __future__ import annotations

import argparse

from medcare_metrics.synthetic import FORMATS, SyntheticOptions, generate_trial, write_trial

_DEFAULTS = SyntheticOptions()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``generate`` options to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command parser.
    """
    parser.add_argument("--out", required=True, help="folder to write to (created when absent)")
    parser.add_argument(
        "--patients",
        type=int,
        default=_DEFAULTS.patients,
        help=f"enrolled patients; screen failures come on top (default {_DEFAULTS.patients})",
    )
    parser.add_argument(
        "--sites", type=int, default=_DEFAULTS.sites, help=f"number of centres (default {_DEFAULTS.sites})"
    )
    parser.add_argument(
        "--seed", type=int, default=_DEFAULTS.seed, help=f"random seed (default {_DEFAULTS.seed})"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="csv",
        help="csv or parquet: one file per dataset; xlsx: one workbook medcare.xlsx (default csv)",
    )


def run(args: argparse.Namespace) -> int:
    """Generate the trial and write it; print what was written.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``out``, ``patients``, ``sites``, ``seed``, ``format``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 when the options are invalid.
    """
    try:
        options = SyntheticOptions(patients=args.patients, sites=args.sites, seed=args.seed)
    except ValueError as err:
        print(f"error: {err}")
        return 2
    datasets = generate_trial(options)
    paths = write_trial(datasets, args.out, fmt=args.format)
    adsl = datasets["adsl"]
    enrolled = int((adsl["ENRLFL"] == "Y").sum())
    print(
        f"{enrolled} enrolled and {len(adsl) - enrolled} screen failures across {options.sites} centres "
        f"(seed {options.seed}), data cut-off {options.cutoff.isoformat()}"
    )
    for path in paths:
        print(f"wrote {path}")
    return 0
