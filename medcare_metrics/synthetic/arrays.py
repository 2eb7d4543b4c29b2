"""Array helpers of the generator: day numbers and dates, weighted draws, group positions, column types."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

_EPOCH = np.datetime64("1970-01-01", "D")


def _day(d: dt.date) -> int:
    return int((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Day numbers -> datetime64[ns]; ``missing`` marks NaT."""
    out = (_EPOCH + np.asarray(days, dtype=np.int64)).astype("datetime64[ns]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _pick(rng: np.random.Generator, p: tuple[float, ...] | np.ndarray, size: int) -> np.ndarray:
    """Draw ``size`` indices with probabilities ``p``."""
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row of a non-negative weight matrix (rows with some positive weight)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), weights.shape[1] - 1)


def _within(counts: np.ndarray) -> np.ndarray:
    """Position of each element inside its group when groups of ``counts`` are laid end to end."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def _text(values: tuple[str, ...], idx: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[idx]


def _flag(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "Y", "N").astype(object)


def _nullable_int(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    s = pd.Series(np.asarray(values, dtype=np.int64), dtype="Int64")
    if missing is not None:
        s[missing] = pd.NA
    return s


def _study_day(days: np.ndarray, start: np.ndarray) -> np.ndarray:
    """ADaM study day: day 1 is ``start``, the day before is -1 (there is no day 0)."""
    diff = days - start
    return np.where(diff >= 0, diff + 1, diff)


def _weibull(rng: np.random.Generator, median: float, shape: float, size: int) -> np.ndarray:
    return median * (rng.exponential(1.0, size) / np.log(2.0)) ** (1.0 / shape)
