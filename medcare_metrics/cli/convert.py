"""``python -m medcare_metrics convert SOURCE --mapping FILE --out DIR``: an EDC export as ADaM CSV files.

Writes one CSV file per dataset the mapping gives (``adsl.csv``, ``adtte.csv``, ...), with the values the
mapping makes (codes turned into values, dates as ``YYYY-MM-DD``, derived variables), before validation:
loading the
folder written gives the same trial as loading the export through the mapping. The source is never written to:
an ``--out`` that is the source's folder, or a write that would replace a source or mapping file, is refused.
Problems (the mapping's and the data's) are printed as ``validate`` prints them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medcare_metrics.cli.validate import grouped_table, problems_table
from medcare_metrics.loading import load_trial
from medcare_metrics.loading.edc import MappingError, map_datasets, parse_mapping


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``convert`` arguments to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser of the ``convert`` command.
    """
    parser.add_argument("source", metavar="SOURCE", help="the export: a folder of its files, or one CSV file")
    parser.add_argument("--mapping", required=True, metavar="FILE", help="mapping file (YAML)")
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="folder to write to (created when absent)"
    )


def _export_files(source: Path) -> dict[str, Path]:
    if source.is_dir():
        return {p.name: p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")}
    return {source.name: source}


def _refusal(source: Path, mapping: Path, out: Path, names: list[str]) -> str | None:
    """Why writing ``names`` into ``out`` could touch the source, or None."""
    folder = source if source.is_dir() else source.parent
    if out.resolve() == folder.resolve():
        return f"--out {out} is the source's folder; choose another folder (the source is never written to)"
    protected = {p.resolve() for p in _export_files(source).values()} | {mapping.resolve()}
    clash = [n for n in names if (out / n).resolve() in protected]
    if clash:
        return (
            f"writing {', '.join(clash)} into {out} would replace a source or mapping file; "
            "choose another folder"
        )
    return None


def run(args: argparse.Namespace) -> int:
    """Convert ``args.source`` through ``args.mapping`` into ``args.out``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``source``, ``mapping``, ``out``.

    Returns
    -------
    int
        0 when the files were written without an error-severity problem; 1 when they were written but the data
        have errors (printed), or when nothing was written (source or mapping missing, mapping invalid, an
        ``--out`` that would touch the source).
    """
    source, mapping, out = Path(args.source), Path(args.mapping), Path(args.out)
    for path, what in ((source, "source"), (mapping, "mapping file")):
        if not path.exists():
            print(f"error: {what} not found: {path}", file=sys.stderr)
            return 1
    try:
        spec = parse_mapping(mapping.read_bytes(), name=mapping.name)
    except MappingError as err:
        print(f"error: {mapping} cannot be used; nothing written", file=sys.stderr)
        print(problems_table(err.frame()), file=sys.stderr)
        return 1
    names = [f"{d}.csv" for d in spec.datasets]
    refused = _refusal(source, mapping, out, names)
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    datasets, _ = map_datasets(spec, _export_files(source))
    result = load_trial(source, mapping=mapping)  # every problem, the data's validation included
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in datasets.items():
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n")
        print(f"wrote {path} ({len(frame)} rows)")
    if result.problems.empty:
        return 0
    print(
        f"{result.n_errors} error(s), {result.n_warnings} warning(s) in the export "
        "(files written as mapped):",
        file=sys.stderr,
    )
    print(grouped_table(result.problems), file=sys.stderr)
    return 1 if result.n_errors else 0
