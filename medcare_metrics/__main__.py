"""Command line: ``python -m medcare_metrics {generate,validate,km,toxicity,convert} ...``."""

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
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(prog="python -m medcare_metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"medcare_metrics.cli.{name}")
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"medcare_metrics.cli.{args.command}")
    return int(module.run(args))


if __name__ == "__main__":
    sys.exit(main())
