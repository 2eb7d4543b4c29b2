"""Comparison of survival curves: the log-rank test across groups and for each pair, as R's ``survdiff``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.survival._frame import check_tte, prepared

PAIRWISE_COLUMNS: tuple[str, ...] = ("GROUP_A", "GROUP_B", "N", "EVENTS", "CHISQ", "DF", "P")


@dataclass(frozen=True, eq=False)
class LogRankResult:
    """Log-rank test across groups, as R's ``survdiff`` (rho = 0).

    Attributes
    ----------
    chisq : float
        Chi-square statistic.
    df : int
        Degrees of freedom: groups with expected events > 0, minus one (as ``print.survdiff``).
    p : float
        Upper-tail chi-square p-value; NaN when ``df`` < 1 (nothing to compare).
    table : pandas.DataFrame
        One row per group: GROUP, N, OBSERVED, EXPECTED.
    """

    chisq: float
    df: int
    p: float
    table: pd.DataFrame = field(repr=False)

    @property
    def testable(self) -> bool:
        """Whether at least two groups had expected events (otherwise there is no test)."""
        return self.df >= 1


def _logrank(
    time: np.ndarray, event: np.ndarray, codes: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed, expected and variance matrix of the log-rank statistic (survdiff, rho = 0)."""
    order = np.argsort(time, kind="stable")
    time, event, codes = time[order], event[order], codes[order]
    n = time.size
    starts = np.flatnonzero(np.concatenate(([True], time[1:] != time[:-1])))
    ends = np.append(starts[1:], n)
    # Per distinct time and group: number with exactly that time, and events at that time.
    slot = np.repeat(np.arange(starts.size), ends - starts)
    at_time = np.zeros((starts.size, n_groups))
    np.add.at(at_time, (slot, codes), 1.0)
    deaths_g = np.zeros((starts.size, n_groups))
    np.add.at(deaths_g, (slot[event], codes[event]), 1.0)
    risk = np.cumsum(at_time[::-1], axis=0)[::-1]  # at risk: time >= t
    d = deaths_g.sum(axis=1)
    keep = d > 0
    risk, d, deaths_g = risk[keep], d[keep], deaths_g[keep]
    nr = risk.sum(axis=1)
    frac = risk / nr[:, None]
    observed = deaths_g.sum(axis=0)
    expected = (d[:, None] * frac).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(nr > 1, d * (nr - d) / (nr - 1), 0.0)
    var = np.diag((w[:, None] * frac).sum(axis=0)) - np.einsum("t,tj,tk->jk", w, frac, frac)
    return observed, expected, var


def _chisq(observed: np.ndarray, expected: np.ndarray, var: np.ndarray) -> tuple[float, int, float]:
    used = expected > 0
    df = max(int(used.sum()) - 1, 0)  # R gives -1 when no group has expected events
    if used.sum() < 2:
        return 0.0, df, float("nan")
    diff = (observed - expected)[used][1:]
    vv = var[np.ix_(used, used)][1:, 1:]
    chisq = float(np.sum(np.linalg.solve(vv, diff) * diff))
    return chisq, df, float(stats.chi2.sf(chisq, df))


def logrank_test(tte: pd.DataFrame) -> LogRankResult | None:
    """Log-rank test of equal survival across the groups of ``tte``, as R's ``survdiff``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event` with at least two groups.

    Returns
    -------
    LogRankResult or None
        None when ``tte`` has fewer than two groups. Groups without expected events do not count towards the
        degrees of freedom (as R); when fewer than two groups have expected events the chi-square is 0 and the
        p-value NaN (R prints 1 or NaN there; there is nothing to test).
    """
    time, event, codes, levels = prepared(tte)
    if len(levels) < 2:
        return None
    observed, expected, var = _logrank(time, event, codes, len(levels))
    chisq, df, p = _chisq(observed, expected, var)
    table = pd.DataFrame(
        {
            "GROUP": levels,
            "N": np.bincount(codes, minlength=len(levels)).astype(np.int64),
            "OBSERVED": observed,
            "EXPECTED": expected,
        }
    )
    return LogRankResult(chisq=chisq, df=df, p=p, table=table)


def pairwise_logrank(tte: pd.DataFrame) -> pd.DataFrame:
    """Log-rank test for each pair of groups (unadjusted for multiple testing).

    Times are merged as R's aeqSurv within each pair's data, as ``survdiff`` on that subset does.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.

    Returns
    -------
    pandas.DataFrame
        Columns GROUP_A, GROUP_B, N, EVENTS, CHISQ, DF, P; one row per pair in group order, empty with fewer
        than two groups.
    """
    check_tte(tte)
    groups = [str(g) for g in pd.unique(tte["GROUP"])]
    rows = []
    for a, b in itertools.combinations(groups, 2):
        pair = tte[tte["GROUP"].isin([a, b])]
        result = logrank_test(pair)
        assert result is not None  # two groups by construction
        rows.append(
            {
                "GROUP_A": a,
                "GROUP_B": b,
                "N": len(pair),
                "EVENTS": int(pair["EVENT"].sum()),
                "CHISQ": result.chisq,
                "DF": result.df,
                "P": result.p,
            }
        )
    return pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS))
