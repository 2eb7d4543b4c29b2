"""Cox proportional hazards with one binary covariate (two groups), Efron ties, as R's ``coxph``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.survival._frame import prepared


@dataclass(frozen=True)
class CoxResult:
    """Hazard ratio of one group against a reference group, as R's ``coxph`` with Efron ties.

    Attributes
    ----------
    reference, comparator : str
        Groups; the hazard ratio is comparator versus reference.
    hr, lower, upper : float
        Hazard ratio and its Wald confidence interval; NaN when not estimable.
    p : float
        Wald test p-value; NaN when not estimable.
    coef, se : float
        Log hazard ratio and its standard error.
    n, events : int
        Subjects and events in the two groups.
    conf_level : float
        Level of the interval.
    note : str
        Why the ratio is not estimable (empty when it is).
    """

    reference: str
    comparator: str
    hr: float
    lower: float
    upper: float
    p: float
    coef: float
    se: float
    n: int
    events: int
    conf_level: float = 0.95
    note: str = ""


def cox_hazard_ratio(
    tte: pd.DataFrame, reference: str | None = None, conf_level: float = 0.95
) -> CoxResult | None:
    """Cox hazard ratio of two groups, Efron ties, Wald interval, as ``coxph(Surv(TIME, EVENT) ~ GROUP)``.

    Newton-Raphson from 0 with R's step halving and stopping rule (relative change of the log partial
    likelihood at most 1e-9, at most 20 iterations), so the estimate agrees with R's to rounding.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    reference : str, optional
        Reference group; default the first group of ``tte`` (R's first factor level).
    conf_level : float
        Level of the Wald interval.

    Returns
    -------
    CoxResult or None
        None unless ``tte`` has exactly two groups. When a group has no events, or there are no events at all,
        the ratio is not estimable (R warns of an infinite coefficient): hr, limits and p are NaN and ``note``
        says why.
    """
    time, event, codes, levels = prepared(tte)
    if len(levels) != 2:
        return None
    if reference is None:
        reference = levels[0]
    if reference not in levels:
        raise ValueError(f"reference group {reference!r} is not one of {levels}")
    comparator = levels[1] if reference == levels[0] else levels[0]
    x_raw = (np.asarray(levels)[codes] == comparator).astype(float)
    n, n_events = time.size, int(event.sum())
    events_by = {g: int(event[np.asarray(levels)[codes] == g].sum()) for g in levels}
    nan = float("nan")

    def not_estimable(note: str) -> CoxResult:
        return CoxResult(reference, comparator, nan, nan, nan, nan, nan, nan, n, n_events, conf_level, note)

    if n_events == 0:
        return not_estimable("no events")
    without = [g for g, e in events_by.items() if e == 0]
    if without:
        return not_estimable(f"no events in {without[0]}: the hazard ratio is 0 or infinite")

    order = np.argsort(time, kind="stable")
    time, event = time[order], event[order]
    x = x_raw[order] - x_raw.mean()  # centring, as coxph; the likelihood and Newton path do not depend on it
    starts = np.flatnonzero(np.concatenate(([True], time[1:] != time[:-1])))
    block = np.repeat(np.arange(starts.size), np.diff(np.append(starts, n)))
    ev_pos = np.flatnonzero(event)
    ev_block = block[ev_pos]
    # Rank of each event within its tied set, and the tied-set size.
    tie_size = np.bincount(ev_block, minlength=starts.size)[ev_block].astype(float)
    first_of_block = np.searchsorted(ev_block, ev_block, side="left")
    tie_rank = (np.arange(ev_pos.size) - first_of_block).astype(float)
    risk_start = starts[ev_block]

    def sums(beta: float) -> tuple[float, float, float]:
        r = np.exp(beta * x)
        w0, w1, w2 = r, r * x, r * x * x
        s0, s1, s2 = (np.cumsum(w[::-1])[::-1] for w in (w0, w1, w2))
        # Tied-event sums per time block, then looked up per event.
        d0, d1, d2 = (
            np.bincount(ev_block, weights=w[ev_pos], minlength=starts.size)[ev_block] for w in (w0, w1, w2)
        )
        f = tie_rank / tie_size
        a0 = s0[risk_start] - f * d0
        a1 = s1[risk_start] - f * d1
        a2 = s2[risk_start] - f * d2
        mean = a1 / a0
        loglik = float(beta * x[ev_pos].sum() - np.log(a0).sum())
        score = float(x[ev_pos].sum() - mean.sum())
        info = float((a2 / a0 - mean * mean).sum())
        return loglik, score, info

    eps, max_iter = 1e-9, 20
    beta = 0.0
    loglik, score, info = sums(beta)
    new_beta = beta + score / info
    halving = False
    converged = False
    for iteration in range(1, max_iter + 1):
        new_loglik, new_score, new_info = sums(new_beta)
        if abs(1 - loglik / new_loglik) <= eps and not halving:
            beta, info, converged = new_beta, new_info, True
            break
        if iteration == max_iter:
            break
        if new_loglik < loglik:
            halving = True
            new_beta = (new_beta + beta) / 2
        else:
            halving = False
            loglik, beta = new_loglik, new_beta
            new_beta = new_beta + new_score / new_info
    if not converged:
        return not_estimable("no convergence in 20 iterations: the hazard ratio may be 0 or infinite")
    # R's coxph check for a monotone likelihood: a further Newton step would still be large.
    step = abs(new_score / info)
    if step > eps and step > np.sqrt(eps) * abs(beta):
        return not_estimable("the likelihood keeps rising towards a hazard ratio of 0 or infinity")
    se = float(np.sqrt(1.0 / info))
    z = float(stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    return CoxResult(
        reference=reference,
        comparator=comparator,
        hr=float(np.exp(beta)),
        lower=float(np.exp(beta - z * se)),
        upper=float(np.exp(beta + z * se)),
        p=float(2.0 * stats.norm.sf(abs(beta / se))),
        coef=float(beta),
        se=se,
        n=n,
        events=n_events,
        conf_level=conf_level,
    )
