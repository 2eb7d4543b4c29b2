"""What the command-line commands share: loading a source and saying on stderr why it cannot be used."""

from __future__ import annotations

import sys

from medcare_metrics.loading import load_trial
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
    try:
        trial = load_trial(path).trial
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if trial is None:
        print(f"error: no usable ADSL in {path}", file=sys.stderr)
        return None
    if trial.dataset(dataset) is None:
        print(f"error: no usable {dataset.upper()} in {path}", file=sys.stderr)
        return None
    return trial
