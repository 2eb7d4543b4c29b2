"""Comparison of survival curves: the log-rank test across groups and for each pair, as R's ``survdiff``.

Subjects whose grouping value is missing (group :data:`~medcare_metrics.survival.MISSING_GROUP`) are left out
of every test here, as R's ``survdiff`` drops them (``na.action``). For small groups,
:func:`permutation_logrank` gives the permutation p-value of the log-rank chi-square; :func:`holm_adjust` is
R's ``p.adjust(method = "holm")``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.survival._frame import MISSING_GROUP, arrays, check_tte, prepared

PAIRWISE_COLUMNS: tuple[str, ...] = ("GROUP_A", "GROUP_B", "N", "EVENTS", "CHISQ", "DF", "P", "P_HOLM")
#: A group with fewer patients than this makes the permutation p-value worth showing beside the chi-square.
SMALL_GROUP = 10
#: Most re-assignments of the labels enumerated; beyond, a seeded Monte Carlo sample is drawn.
MAX_ENUMERATED = 200_000
#: Random re-assignments drawn when there are too many to enumerate.
MONTE_CARLO_PERMUTATIONS = 20_000
#: Seed of the Monte Carlo sample, so a page shows the same p-value on every rerun.
PERMUTATION_SEED = 20_261_202


def without_missing(tte: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Return ``tte`` without the subjects whose grouping value is missing, and how many were left out.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`medcare_metrics.survival.time_to_event`.

    Returns
    -------
    tuple of (pandas.DataFrame, int)
        The rows of the other groups, and the number of rows of group ``"Missing"``.
    """
    check_tte(tte)
    missing = (tte["GROUP"] == MISSING_GROUP).to_numpy()
    if not missing.any():
        return tte, 0
    return tte[~missing].reset_index(drop=True), int(missing.sum())


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
    excluded : int
        Subjects left out because their grouping value is missing (group "Missing"), as R's ``survdiff``.
    """

    chisq: float
    df: int
    p: float
    table: pd.DataFrame = field(repr=False)
    excluded: int = 0

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

    Subjects in group "Missing" (no value of the grouping column) are left out, as ``survdiff`` drops them;
    :attr:`LogRankResult.excluded` counts them.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event` with at least two groups.

    Returns
    -------
    LogRankResult or None
        None when ``tte`` has fewer than two groups besides "Missing". Groups without expected events do not
        count towards the degrees of freedom (as R); when fewer than two groups have expected events the
        chi-square is 0 and the p-value NaN (R prints 1 or NaN there; there is nothing to test).
    """
    tte, excluded = without_missing(tte)
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
    return LogRankResult(chisq=chisq, df=df, p=p, table=table, excluded=excluded)


def pairwise_logrank(tte: pd.DataFrame) -> pd.DataFrame:
    """Log-rank test for each pair of groups, unadjusted and adjusted for multiple testing (Holm).

    Times are merged as R's aeqSurv within each pair's data, as ``survdiff`` on that subset does. Group
    "Missing" is left out, as ``survdiff`` drops missing values.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.

    Returns
    -------
    pandas.DataFrame
        Columns GROUP_A, GROUP_B, N, EVENTS, CHISQ, DF, P (unadjusted), P_HOLM (:func:`holm_adjust` over the
        testable pairs, as ``p.adjust(p, "holm")``); one row per pair in group order, empty with fewer than
        two groups.
    """
    tte, _ = without_missing(tte)
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
    out = pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS))
    out["P_HOLM"] = holm_adjust(out["P"].to_numpy(dtype=float))
    return out


def holm_adjust(p: np.ndarray | list[float]) -> np.ndarray:
    """Holm's step-down adjustment of p-values, as R's ``p.adjust(p, method = "holm")``.

    Parameters
    ----------
    p : array-like of float
        Unadjusted p-values; NaN (no test) stays NaN and does not count as a test, as NA in R.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the order given: the k-th smallest of m is
        ``max over j <= k of (m - j + 1) p_(j)``, capped at 1.
    """
    values = np.asarray(p, dtype=float)
    out = np.full(values.shape, np.nan)
    known = np.flatnonzero(np.isfinite(values))
    m = known.size
    if m == 0:
        return out
    kept = values[known]
    order = np.argsort(kept, kind="stable")  # R's order(): ties keep their positions
    steps = np.maximum.accumulate((m - np.arange(m)) * kept[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(steps, 1.0)
    out[known] = adjusted
    return out


@dataclass(frozen=True)
class PermutationResult:
    """Permutation p-value of the log-rank chi-square across groups.

    Attributes
    ----------
    chisq : float
        Observed log-rank chi-square (as :func:`logrank_test`).
    p : float
        Share of label re-assignments (group sizes kept) whose chi-square is at least the observed one. Exact:
        over all of them; Monte Carlo: ``(1 + hits) / (1 + draws)``.
    exact : bool
        True when every re-assignment was enumerated, False for a Monte Carlo sample.
    n_permutations : int
        Re-assignments enumerated (exact) or drawn (Monte Carlo).
    n_possible : int
        Distinct re-assignments: the multinomial coefficient n! / (n_1! ... n_k!).
    mc_error : float
        Monte Carlo standard error of ``p``, sqrt(p (1 - p) / draws); 0 when exact.
    seed : int or None
        Seed of the Monte Carlo sample; None when exact.
    excluded : int
        Subjects left out because their grouping value is missing.
    """

    chisq: float
    p: float
    exact: bool
    n_permutations: int
    n_possible: int
    mc_error: float
    seed: int | None
    excluded: int = 0


def _multinomial(sizes: list[int]) -> int:
    total, left = 1, sum(sizes)
    for size in sizes:
        total *= math.comb(left, size)
        left -= size
    return total


def _all_assignments(sizes: list[int]) -> np.ndarray:
    """Every labelling of ``sum(sizes)`` subjects with ``sizes[g]`` subjects in group g, one per row."""
    n = sum(sizes)
    rows = np.full((1, n), -1, dtype=np.int16)
    for group, size in enumerate(sizes[:-1]):
        blocks = []
        for row in rows:
            free = np.flatnonzero(row < 0)
            combos = np.array(list(itertools.combinations(range(free.size), size)), dtype=np.intp)
            block = np.repeat(row[None, :], len(combos), axis=0)
            block[np.arange(len(combos))[:, None], free[combos]] = group
            blocks.append(block)
        rows = np.concatenate(blocks)
    rows[rows < 0] = len(sizes) - 1
    return rows


def _chisq_batch(time: np.ndarray, event: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    """Log-rank chi-square (survdiff, rho = 0) of each labelling in ``labels`` (one row per labelling)."""
    order = np.argsort(time, kind="stable")
    time, event, labels = time[order], event[order], labels[:, order]
    n = time.size
    starts = np.flatnonzero(np.concatenate(([True], time[1:] != time[:-1])))
    deaths = np.add.reduceat(event.astype(float), starts)
    keep = deaths > 0
    d = deaths[keep]
    nr = (n - starts)[keep].astype(float)  # sorted by time: at risk at a time = from its first index on
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(nr > 1, d * (nr - d) / (nr - 1), 0.0)
    groups = np.stack([labels == g for g in range(n_groups)], axis=-1).astype(float)  # (B, n, k)
    risk = np.cumsum(groups[:, ::-1, :], axis=1)[:, ::-1, :][:, starts[keep], :]  # (B, T, k)
    died = np.add.reduceat(groups * event[None, :, None], starts, axis=1)[:, keep, :]
    frac = risk / nr[None, :, None]
    observed = died.sum(axis=1)
    expected = np.einsum("t,btk->bk", d, frac)
    var = np.einsum("t,btk->bk", w, frac)[:, :, None] * np.eye(n_groups)[None] - np.einsum(
        "t,btj,btk->bjk", w, frac, frac
    )
    out = np.empty(labels.shape[0])
    full = (expected > 0).all(axis=1)
    if full.any():
        diff = (observed - expected)[full][:, 1:]
        try:
            solved = np.linalg.solve(var[full][:, 1:, 1:], diff[:, :, None])[:, :, 0]
            out[full] = np.sum(solved * diff, axis=1)
        except np.linalg.LinAlgError:
            full[:] = False  # a singular variance somewhere: each labelling on its own below
    for b in np.flatnonzero(~full):
        try:
            out[b] = _chisq(observed[b], expected[b], var[b])[0]
        except np.linalg.LinAlgError:
            out[b] = np.nan  # R's solve() stops here; such a labelling never counts as extreme
    return out


def _at_least(chisq: np.ndarray, observed: float) -> np.ndarray:
    # Equal statistics of different labellings differ in their last bits: a relative tolerance of 1e-7.
    return chisq >= observed - 1e-7 * max(1.0, observed)


def permutation_logrank(
    tte: pd.DataFrame,
    max_enumerated: int = MAX_ENUMERATED,
    n_draws: int = MONTE_CARLO_PERMUTATIONS,
    seed: int = PERMUTATION_SEED,
) -> PermutationResult | None:
    """Permutation p-value of the log-rank test: the chi-square over re-assignments of the group labels.

    Under equal survival every assignment of the group labels to the subjects, with the group sizes kept,
    is equally likely. The p-value is the share of assignments whose log-rank chi-square (R's ``survdiff``,
    computed as :func:`logrank_test`) is at least the observed one. It does not rest on the chi-square
    approximation, which is poor with few patients.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`; group "Missing" is left out.
    max_enumerated : int
        Enumerate every assignment when there are at most this many; otherwise draw ``n_draws`` at random.
    n_draws : int
        Random assignments of the Monte Carlo sample.
    seed : int
        Seed of the Monte Carlo sample (``numpy.random.default_rng``).

    Returns
    -------
    PermutationResult or None
        None with fewer than two groups besides "Missing".
    """
    tte, excluded = without_missing(tte)
    time, event, codes, levels = arrays(tte)
    if len(levels) < 2:
        return None
    k = len(levels)
    observed = logrank_test(tte)
    assert observed is not None  # two groups or more
    sizes = [int(s) for s in np.bincount(codes, minlength=k)]
    possible = _multinomial(sizes)
    exact = possible <= max_enumerated
    if exact:
        labels = _all_assignments(sizes)
    else:
        rng = np.random.default_rng(seed)
        labels = rng.permuted(np.tile(codes.astype(np.int16), (n_draws, 1)), axis=1)
    # Batches keep the (assignments x subjects x groups) arrays to a few million numbers.
    batch = max(1, 2_000_000 // max(1, time.size * k))
    hits = 0
    for start in range(0, labels.shape[0], batch):
        chis = _chisq_batch(time, event, labels[start : start + batch], k)
        hits += int(_at_least(chis, observed.chisq).sum())
    count = labels.shape[0]
    if exact:
        p, error = hits / count, 0.0
    else:
        p = (1 + hits) / (1 + count)
        error = float(np.sqrt(p * (1 - p) / count))
    return PermutationResult(
        chisq=observed.chisq,
        p=float(p),
        exact=exact,
        n_permutations=int(count),
        n_possible=possible,
        mc_error=error,
        seed=None if exact else seed,
        excluded=excluded,
    )
