"""Command line: ``python -m medcare_metrics {generate,validate,km,toxicity,convert,report} ...``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: Sub-command -> help text; medcare_metrics.cli.<name> provides ``add_arguments`` and ``run``.
COMMANDS: dict[str, str] = {
    "generate": "Write a synthetic MEDCARE-shaped example trial.",
    "validate": "Validate a data source and print its problems or a summary.",
    "km": "Kaplan-Meier medians and log-rank test for one endpoint.",
    "toxicity": "Worst CTCAE grade per subject and term, as JSON.",
    "convert": "Write an EDC export, read through a mapping file, as ADaM-shaped CSV files.",
    "report": "Write the meeting report (one self-contained HTML file, optionally a PDF) of a view.",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser with one sub-parser per command.

    Parameters
    ----------
    only : str, optional
        The one command whose module is imported to add its arguments; the others get their help line only.
        Default: every command's arguments.
    """
    parser = argparse.ArgumentParser(prog="python -m medcare_metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            importlib.import_module(f"medcare_metrics.cli.{name}").add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    given = list(sys.argv[1:] if argv is None else argv)
    # Only the chosen command's module is imported: each pulls in what it needs (scipy, lifelines, openpyxl,
    # ...), and importing them all cost seconds before any work.
    chosen = next((a for a in given if not a.startswith("-")), None)
    args = build_parser(chosen if chosen in COMMANDS else None).parse_args(given)
    module = importlib.import_module(f"medcare_metrics.cli.{args.command}")
    return int(module.run(args))


if __name__ == "__main__":
    sys.exit(main())
