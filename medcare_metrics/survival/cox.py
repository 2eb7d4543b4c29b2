"""Cox proportional hazards with one binary covariate (two groups), Efron ties, as R's ``coxph``.

Beside the Wald test, the result carries the score (log-rank) and likelihood-ratio tests, as
``summary(coxph)`` prints them. Subjects of group "Missing" are left out, as ``coxph`` drops missing values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.survival._frame import prepared
from medcare_metrics.survival.comparison import without_missing


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
    wald_chisq : float
        Wald chi-square, (coef / se)^2, on 1 df (its p-value is :attr:`p`); NaN when not estimable.
    score_chisq, score_p : float
        Score (log-rank) test at coefficient 0 with Efron's information, on 1 df, as ``summary(coxph)``'s
        "Score (logrank) test". With tied event times it differs slightly from ``survdiff``.
    lr_chisq, lr_p : float
        Likelihood-ratio test, 2 (log L(final) - log L(0)), on 1 df. When the ratio is not estimable this is
        R's value at its last iteration, which approaches the supremum of the likelihood.
    df : int
        Degrees of freedom of the three tests (1).
    loglik0, loglik : float
        Log partial likelihood at 0 and at the estimate (R's ``fit$loglik``).
    excluded : int
        Subjects left out because their grouping value is missing.
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
    wald_chisq: float = float("nan")
    score_chisq: float = float("nan")
    score_p: float = float("nan")
    lr_chisq: float = float("nan")
    lr_p: float = float("nan")
    df: int = 1
    loglik0: float = float("nan")
    loglik: float = float("nan")
    excluded: int = 0


def cox_hazard_ratio(
    tte: pd.DataFrame, reference: str | None = None, conf_level: float = 0.95
) -> CoxResult | None:
    """Cox hazard ratio of two groups, Efron ties, Wald interval, as ``coxph(Surv(TIME, EVENT) ~ GROUP)``.

    Newton-Raphson from 0 with R's step halving and stopping rule (relative change of the log partial
    likelihood at most 1e-9, at most 20 iterations), so the estimate agrees with R's to rounding. The score
    test is taken at 0 and the likelihood-ratio test at the last iterate, as ``summary(coxph)`` does. Subjects
    of group "Missing" are left out (``excluded``).

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
        None unless ``tte`` has exactly two groups besides "Missing". When a group has no events, or there are
        no events at all, the ratio is not estimable (R warns of an infinite coefficient): hr, limits and the
        Wald test are NaN and ``note`` says why; the score and likelihood-ratio tests are still given when
        there is an event (as R prints them).
    """
    tte, excluded = without_missing(tte)
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
        return CoxResult(
            reference,
            comparator,
            nan,
            nan,
            nan,
            nan,
            nan,
            nan,
            n,
            n_events,
            conf_level,
            note,
            excluded=excluded,
        )

    if n_events == 0:
        return not_estimable("no events")
    without = [g for g, e in events_by.items() if e == 0]

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
    loglik0 = loglik
    # The score test at 0 (coxph's sctest): U(0)^2 / I(0) with Efron's information.
    if not info > 0:
        # No event time has both groups at risk: the data say nothing about the ratio, and no test exists.
        reason = f"no events in {without[0]}" if without else "the groups are never at risk together"
        return not_estimable(f"{reason}: the hazard ratio is 0 or infinite")
    score_chisq = score * score / info
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
    # R reports the log-likelihood of the last iterate, converged or not (coxfit6's final newlk).
    lr_chisq = 2.0 * (new_loglik - loglik0)

    def with_tests(result: CoxResult) -> CoxResult:
        return replace(
            result,
            score_chisq=float(score_chisq),
            score_p=float(stats.chi2.sf(score_chisq, 1)),
            lr_chisq=float(lr_chisq),
            lr_p=float(stats.chi2.sf(lr_chisq, 1)),
            loglik0=float(loglik0),
            loglik=float(new_loglik),
        )

    if without:
        return with_tests(not_estimable(f"no events in {without[0]}: the hazard ratio is 0 or infinite"))
    if not converged:
        return with_tests(
            not_estimable("no convergence in 20 iterations: the hazard ratio may be 0 or infinite")
        )
    # R's coxph check for a monotone likelihood: a further Newton step would still be large.
    step = abs(new_score / info)
    if step > eps and step > np.sqrt(eps) * abs(beta):
        return with_tests(
            not_estimable("the likelihood keeps rising towards a hazard ratio of 0 or infinity")
        )
    se = float(np.sqrt(1.0 / info))
    z = float(stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    estimate = CoxResult(
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
        wald_chisq=float((beta / se) ** 2),
        excluded=excluded,
    )
    return with_tests(estimate)
