"""What the command-line commands share: loading a source and saying on stderr why it cannot be used."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from medcare_metrics.loading import load_trial, redacted
from medcare_metrics.model import TrialData


def add_mapping_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--mapping FILE``: read PATH as an EDC export through a mapping file (docs/data-dictionary.md).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        A command's parser.
    """
    parser.add_argument(
        "--mapping",
        metavar="FILE",
        help="mapping file (YAML): read PATH, an EDC export (folder or CSV file), through it",
    )


def add_study_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--study FILE``: the study definition (TOML or YAML; ``docs/data-dictionary.md``, "Study file").

    Parameters
    ----------
    parser : argparse.ArgumentParser
        A command's parser.
    """
    parser.add_argument(
        "--study",
        metavar="FILE",
        help="study file (TOML or YAML): target, endpoints, benchmarks of the study; default: a study.toml "
        "beside the data, else MEDCARE's for MEDCARE data, else neutral labels from the data",
    )


def load_for_command(
    path: str, dataset: str, *, mapping: str | None = None, study: str | None = None
) -> TrialData | None:
    """Load ``path`` for a command that needs ADSL and ``dataset``; report on stderr why not when it cannot.

    Parameters
    ----------
    path : str
        Folder, Excel workbook or zip, as given on the command line.
    dataset : str
        The dataset the command works on besides ADSL (``"adtte"``, ``"adae"``, ...).
    mapping : str, optional
        A mapping file: ``path`` is an EDC export read through it (:mod:`medcare_metrics.loading.edc`).
    study : str, optional
        A study file (:mod:`medcare_metrics.study`); its problems are reported on stderr as warnings.

    Returns
    -------
    TrialData or None
        The loaded trial; None (after an ``error:`` line on stderr) when the source does not exist or has no
        usable ADSL or ``dataset``.
    """
    shown = redacted(path)  # a database URL may hold a password
    try:
        result = load_trial(path, mapping=mapping, study=study)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    trial = result.trial
    for line in _study_problems(result.problems):
        print(f"warning: {line}", file=sys.stderr)
    if trial is None:
        print(f"error: no usable ADSL in {shown}{_first_problem(result.problems, 'adsl')}", file=sys.stderr)
        return None
    if trial.dataset(dataset) is None:
        problem = _first_problem(result.problems, dataset)
        print(f"error: no usable {dataset.upper()} in {shown}{problem}", file=sys.stderr)
        return None
    return trial


def _study_problems(problems: pd.DataFrame) -> list[str]:
    """Return the study file's problems as lines (``"study.toml: benchmarks[2].median: ..."``)."""
    if problems.empty:
        return []
    rows = problems.loc[problems["dataset"].astype(str).str.upper().eq("STUDY")]
    return [f"{row.file}: {row.problem}" for row in rows.itertuples(index=False)]


def _first_problem(problems: pd.DataFrame, dataset: str) -> str:
    """Return ``": <first error of dataset>"`` for an error line, or an empty string."""
    if problems.empty:
        return ""
    rows = problems.loc[
        problems["dataset"].astype(str).str.upper().eq(dataset.upper()) & problems["severity"].eq("error")
    ]
    return f": {rows['problem'].iloc[0]}" if len(rows) else ""
