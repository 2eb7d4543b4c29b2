"""What the command-line commands share: loading a source and saying on stderr why it cannot be used."""

from __future__ import annotations

import sys

import pandas as pd

from medcare_metrics.loading import load_trial, redacted
from medcare_metrics.model import TrialData


def load_for_command(path: str, dataset: str) -> TrialData | None:
    """Load ``path`` for a command that needs ADSL and ``dataset``; report on stderr why not when it cannot.

    Parameters
    ----------
    path : str
        Folder, Excel workbook or zip, as given on the command line.
    dataset : str
        The dataset the command works on besides ADSL (``"adtte"``, ``"adae"``, ...).

    Returns
    -------
    TrialData or None
        The loaded trial; None (after an ``error:`` line on stderr) when the source does not exist or has no
        usable ADSL or ``dataset``.
    """
    shown = redacted(path)  # a database URL may hold a password
    try:
        result = load_trial(path)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    trial = result.trial
    if trial is None:
        print(f"error: no usable ADSL in {shown}{_first_problem(result.problems, 'adsl')}", file=sys.stderr)
        return None
    if trial.dataset(dataset) is None:
        problem = _first_problem(result.problems, dataset)
        print(f"error: no usable {dataset.upper()} in {shown}{problem}", file=sys.stderr)
        return None
    return trial


def _first_problem(problems: pd.DataFrame, dataset: str) -> str:
    """Return ``": <first error of dataset>"`` for an error line, or an empty string."""
    if problems.empty:
        return ""
    rows = problems.loc[
        problems["dataset"].astype(str).str.upper().eq(dataset.upper()) & problems["severity"].eq("error")
    ]
    return f": {rows['problem'].iloc[0]}" if len(rows) else ""
