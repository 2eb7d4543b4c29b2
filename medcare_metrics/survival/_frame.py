"""The analysis frame every estimator takes, and its conversion to arrays (times merged as R merges them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Label of the single group when no stratifying column is given.
ALL = "ALL"
#: Label of the group of subjects whose stratifying value is missing.
MISSING_GROUP = "Missing"
#: Columns of the frame of :func:`medcare_metrics.survival.time_to_event`.
TTE_COLUMNS: tuple[str, ...] = ("USUBJID", "TIME", "EVENT", "GROUP")

# R's default tolerance (sqrt of machine epsilon): for merging nearly equal times (aeqSurv) and for the
# S = 0.5 plateau of the median (survmean).
TOL = float(np.sqrt(np.finfo(float).eps))


def check_tte(tte: pd.DataFrame) -> None:
    """Raise ValueError when ``tte`` lacks a column of :data:`TTE_COLUMNS`.

    Parameters
    ----------
    tte : pandas.DataFrame
        A time-to-event frame.
    """
    missing = [c for c in TTE_COLUMNS if c not in tte.columns]
    if missing:
        raise ValueError(f"time-to-event frame lacks {', '.join(missing)}; build it with time_to_event()")


def whole_numbers(time: np.ndarray) -> bool:
    """Whether times are non-negative whole numbers small enough to count with ``bincount`` (usually days).

    Parameters
    ----------
    time : numpy.ndarray
        Times.

    Returns
    -------
    bool
        True when counting (rather than sorting) may be used.
    """
    if time.size == 0:
        return False
    top = time.max()
    return bool(time.min() >= 0 and top <= max(1_000_000, 10 * time.size) and np.all(np.floor(time) == time))


def merge_close_times(time: np.ndarray) -> np.ndarray:
    """Map nearly equal times onto one value, as R's aeqSurv (``timefix`` in survfit, survdiff, coxph).

    Parameters
    ----------
    time : numpy.ndarray
        Times.

    Returns
    -------
    numpy.ndarray
        ``time`` with values within R's tolerance of a smaller one replaced by it.
    """
    if whole_numbers(time):
        # Distinct whole numbers below 1e7 differ by >= 1, never within R's tolerance: nothing to merge.
        return time
    finite = time[np.isfinite(time)]
    if finite.size < 2:
        return time
    y = np.unique(finite)
    dy = np.diff(y)
    tied = (dy <= TOL) | (dy / np.mean(np.abs(y)) <= TOL)
    if not tied.any():
        return time
    cuts = y[np.concatenate(([True], ~tied))]
    return cuts[np.searchsorted(cuts, time, side="right") - 1]


def arrays(tte: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Return times (merged as aeqSurv), event flags, group codes and group labels, in the frame's order.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`medcare_metrics.survival.time_to_event`.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray, numpy.ndarray, list of str)
        TIME, EVENT, the code of each row's group, and the groups in order of appearance.

    Raises
    ------
    ValueError
        When a column is missing, or TIME or GROUP has a missing value.
    """
    check_tte(tte)
    time = tte["TIME"].to_numpy(dtype=float)
    if np.isnan(time).any():
        raise ValueError("TIME has missing values")
    time = merge_close_times(time)
    event = tte["EVENT"].to_numpy(dtype=bool)
    codes, levels = pd.factorize(tte["GROUP"], sort=False)
    if (codes < 0).any():
        raise ValueError("GROUP has missing values; time_to_event labels them 'Missing'")
    return time, event, codes, [str(g) for g in levels]


def prepared(tte: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Return :func:`arrays` sorted by group, then time.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`medcare_metrics.survival.time_to_event`.

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray, numpy.ndarray, list of str)
        As :func:`arrays`, rows reordered.
    """
    time, event, codes, levels = arrays(tte)
    order = np.lexsort((time, codes))
    return time[order], event[order], codes[order], levels
