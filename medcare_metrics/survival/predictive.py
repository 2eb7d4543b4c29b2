"""Predictive probability that the final analysis beats a historical median: a Bayesian event model.

This is a model, not a formal test. Given the data so far, it answers: if events keep happening at the rate
the data and a stated prior suggest, how likely is it that the Kaplan-Meier median at the planned final
analysis exceeds the historical benchmark median?

Model (time in months).

- Event rate. Exponential: one constant hazard ``lam``. Piecewise exponential: a constant hazard ``lam_k``
  within each of a few fixed intervals ``[b_k, b_{k+1})`` (default cut points 6, 12 and 24 months).
- Prior. Gamma on each rate, centred on the benchmark: prior mean ``lam0 = ln 2 / m`` (the rate whose
  exponential median is the benchmark median ``m``), worth ``w`` pseudo-events: ``Gamma(shape=w, rate=w /
  lam0)``, i.e. ``w`` events in ``w / lam0`` months of follow-up. The piecewise model spreads the same ``w``
  evenly over its ``K`` intervals: ``Gamma(w / K, (w / K) / lam0)`` each, independent.
- Posterior. Conjugate: ``Gamma(shape + d_k, rate + E_k)`` with ``d_k`` the events and ``E_k`` the months of
  follow-up in interval ``k`` (:func:`gamma_posterior`).
- Posterior predictive simulation (:func:`simulate_final_analysis`). Each draw takes rates from the
  posterior, then:

  - a patient censored while still on study lives on from the censoring time, conditional on having survived
    so far (memoryless within an interval; the piecewise cumulative hazard is inverted from that time);
  - a patient who left the study stays censored where follow-up ended; events stay as observed;
  - patients not yet enrolled enter at times drawn from the accrual prediction
    (:mod:`medcare_metrics.enrollment.accrual`: an accrual rate from its gamma posterior, exponential waiting
    times) until the target is reached, and get their whole follow-up from the event model;
  - the final analysis takes place ``F`` months after accrual closes (at the planned end of accrual or when
    the last patient enters, whichever is later; or at the last patient's entry, see
    :class:`PredictiveOptions`), so that every patient can be followed at least ``F`` months; each patient
    is censored at that date;
  - the Kaplan-Meier median of the simulated data set is computed by the app's rule (R's ``survmean``,
    :func:`km_median_rows`) and compared with the benchmark.

The share of draws whose median exceeds the benchmark is the predictive probability; its Monte Carlo
standard error is ``sqrt(p (1 - p) / draws)``. A median that is not reached counts as exceeding when follow-up
reaches past the benchmark (the curve then stays above 0.5 beyond it). The random generator is seeded, so the
same data give the same number on every rerun.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.enrollment.accrual import DEFAULT_CERTAINTY, accrual_outlook
from medcare_metrics.enrollment.reference import accrual_start, planned_accrual_days, reference_date
from medcare_metrics.errors import DataUnavailable
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.rules import DAYS_PER_MONTH, enrolled_mask, off_study_mask
from medcare_metrics.subjects import date_values, died_mask, registration_dates
from medcare_metrics.survival._frame import TOL
from medcare_metrics.survival.estimation import time_to_event

#: Default prior weight, in pseudo-events: weak, worth one observed event.
DEFAULT_PRIOR_EVENTS = 1.0
#: Default cut points (months) of the piecewise-exponential model.
DEFAULT_CUTS_MONTHS: tuple[float, ...] = (6.0, 12.0, 24.0)
#: Default number of simulated trials.
DEFAULT_DRAWS = 4000
#: Default seed: the same data give the same probability on every rerun.
DEFAULT_SEED = 20260611
#: When the final analysis takes place: ``"planned"`` (F months after the later of the planned end of accrual
#: and the last patient's entry) or ``"last_patient"`` (F months after the last patient's entry).
TIMINGS: tuple[str, ...] = ("planned", "last_patient")


@dataclass(frozen=True)
class PredictiveOptions:
    """The event model, its prior, the final analysis and the simulation.

    Attributes
    ----------
    prior_events : float
        Prior weight ``w`` in pseudo-events (> 0); the prior is centred on the benchmark.
    piecewise : bool
        Piecewise-exponential model (one rate per interval) instead of one constant rate.
    cuts_months : tuple of float
        Cut points of the piecewise model, months, increasing and positive.
    timing : str
        One of :data:`TIMINGS`.
    follow_up_months : float or None
        ``F``: months from the close of accrual to the final analysis; None takes the benchmark median.
    draws : int
        Simulated trials.
    seed : int
        Seed of the random generator.
    """

    prior_events: float = DEFAULT_PRIOR_EVENTS
    piecewise: bool = False
    cuts_months: tuple[float, ...] = DEFAULT_CUTS_MONTHS
    timing: str = "planned"
    follow_up_months: float | None = None
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        """Reject options the model cannot use."""
        if not (np.isfinite(self.prior_events) and self.prior_events > 0):
            raise ValueError(f"prior weight must be a positive number of events, got {self.prior_events!r}")
        cuts = np.asarray(self.cuts_months, dtype=float)
        if cuts.size and (not np.all(np.isfinite(cuts)) or cuts[0] <= 0 or np.any(np.diff(cuts) <= 0)):
            raise ValueError(f"cut points must be positive and increasing, got {self.cuts_months!r}")
        if self.timing not in TIMINGS:
            raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, got {self.timing!r}")
        if self.follow_up_months is not None and not (
            np.isfinite(self.follow_up_months) and self.follow_up_months >= 0
        ):
            raise ValueError(f"follow-up must be >= 0 months, got {self.follow_up_months!r}")
        if int(self.draws) != self.draws or self.draws < 1:
            raise ValueError(f"draws must be a positive whole number, got {self.draws!r}")

    @property
    def bounds(self) -> np.ndarray:
        """Lower bounds of the intervals, months: ``[0]`` for the exponential model."""
        return np.concatenate(([0.0], np.asarray(self.cuts_months if self.piecewise else (), dtype=float)))


@dataclass(frozen=True, eq=False)
class GammaPosterior:
    """Gamma prior and posterior of the event rate of each interval (per month).

    Attributes
    ----------
    bounds : numpy.ndarray
        Lower bound of each interval, months (the last interval is open).
    prior_shape, prior_rate : numpy.ndarray
        Prior parameters per interval.
    events : numpy.ndarray
        Events in each interval.
    exposure : numpy.ndarray
        Months of follow-up in each interval.
    """

    bounds: np.ndarray
    prior_shape: np.ndarray
    prior_rate: np.ndarray
    events: np.ndarray
    exposure: np.ndarray

    @property
    def shape(self) -> np.ndarray:
        """Posterior shape per interval: prior shape + events."""
        return self.prior_shape + self.events

    @property
    def rate(self) -> np.ndarray:
        """Posterior rate per interval: prior rate + months of follow-up."""
        return self.prior_rate + self.exposure

    @property
    def mean(self) -> np.ndarray:
        """Posterior mean event rate per interval (events per month)."""
        return self.shape / self.rate

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Return the equal-tailed credible interval of each rate.

        Parameters
        ----------
        level : float
            Credible level in (0, 1).

        Returns
        -------
        tuple of numpy.ndarray
            Lower and upper limits per interval (events per month).
        """
        tail = (1.0 - level) / 2.0
        lower = stats.gamma.ppf(tail, self.shape, scale=1.0 / self.rate)
        upper = stats.gamma.ppf(1.0 - tail, self.shape, scale=1.0 / self.rate)
        return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def _widths(bounds: np.ndarray) -> np.ndarray:
    return np.append(np.diff(bounds), np.inf)


def _overlap(time: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Months each time spends in each interval, shape (len(time), len(bounds))."""
    return np.clip(np.asarray(time, dtype=float)[:, None] - bounds[None, :], 0.0, _widths(bounds)[None, :])


def interval_of(time: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Return the interval index of each time (an event at a cut point opens the next interval).

    Parameters
    ----------
    time : numpy.ndarray
        Times, months (>= 0).
    bounds : numpy.ndarray
        Lower bounds of the intervals, starting at 0.

    Returns
    -------
    numpy.ndarray
        Index into ``bounds`` per time.
    """
    return np.searchsorted(bounds, np.asarray(time, dtype=float), side="right") - 1


def gamma_posterior(
    time: np.ndarray,
    event: np.ndarray,
    benchmark_median: float,
    prior_events: float = DEFAULT_PRIOR_EVENTS,
    cuts_months: tuple[float, ...] = (),
) -> GammaPosterior:
    """Return the gamma prior and posterior of the event rate, centred on a benchmark median.

    Parameters
    ----------
    time : numpy.ndarray
        Follow-up of each patient, months (event or censoring).
    event : numpy.ndarray
        True for an event.
    benchmark_median : float
        Median (months) the prior is centred on: prior mean rate ``ln 2 / benchmark_median``.
    prior_events : float
        Prior weight ``w`` in pseudo-events, spread evenly over the intervals.
    cuts_months : tuple of float
        Cut points of a piecewise model; empty for one constant rate.

    Returns
    -------
    GammaPosterior
        Prior, events, exposure and posterior per interval.

    Raises
    ------
    ValueError
        When the benchmark median or the prior weight is not positive, a time is negative or missing, or
        ``time`` and ``event`` differ in length.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    if time.shape != event.shape:
        raise ValueError("time and event must have the same length")
    if not (np.isfinite(benchmark_median) and benchmark_median > 0):
        raise ValueError(f"benchmark median must be a positive number of months, got {benchmark_median!r}")
    if not (np.isfinite(prior_events) and prior_events > 0):
        raise ValueError(f"prior weight must be a positive number of events, got {prior_events!r}")
    if np.any(~np.isfinite(time)) or np.any(time < 0):
        raise ValueError("follow-up times must be finite and >= 0")
    bounds = np.concatenate(([0.0], np.asarray(cuts_months, dtype=float)))
    k = bounds.size
    rate0 = np.log(2.0) / float(benchmark_median)
    prior_shape = np.full(k, float(prior_events) / k)
    prior_rate = prior_shape / rate0
    events = np.bincount(interval_of(time[event], bounds), minlength=k).astype(float)
    exposure = _overlap(time, bounds).sum(axis=0)
    return GammaPosterior(bounds, prior_shape, prior_rate, events, exposure)


def _cumulative_hazard_at_bounds(rates: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Cumulative hazard at each lower bound, shape (draws, K)."""
    steps = rates[:, :-1] * np.diff(bounds)[None, :]
    return np.concatenate((np.zeros((rates.shape[0], 1)), np.cumsum(steps, axis=1)), axis=1)


#: Cells (rows x inner x columns) of one block of :func:`_product`: below OpenBLAS's threading threshold.
_BLOCK_CELLS = 100_000


def _product(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Return ``left @ right``, by blocks of rows of ``left`` (at least two rows each).

    The whole product (draws x intervals x patients) crosses OpenBLAS's threshold for threads, and on a
    busy machine waiting for them costs a hundred times the arithmetic. Each block is the same kind of
    call on fewer rows (never one row, which numpy hands to gemv instead of gemm, whose sums may round
    differently), so each cell is the same dot product as in the whole product; the tests compare the two
    (tests/test_speed_equivalence_tox.py).
    """
    rows = left.shape[0]
    step = max(2, _BLOCK_CELLS // max(right.size, 1))
    if rows <= step:
        return left @ right
    out = np.empty((rows, right.shape[1]))
    begin = 0
    while begin < rows:
        end = min(rows, begin + step)
        end = rows if rows - end == 1 else end
        out[begin:end] = left[begin:end] @ right
        begin = end
    return out


def inverse_cumulative_hazard(target: np.ndarray, rates: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Return the time at which the piecewise-constant hazard's cumulative hazard reaches ``target``.

    Parameters
    ----------
    target : numpy.ndarray
        Cumulative hazards, shape (draws, m), >= 0.
    rates : numpy.ndarray
        Hazard of each interval per draw, shape (draws, K), > 0.
    bounds : numpy.ndarray
        Lower bounds of the K intervals (months), starting at 0.

    Returns
    -------
    numpy.ndarray
        Times, shape (draws, m).
    """
    at_bounds = _cumulative_hazard_at_bounds(rates, bounds)
    k = bounds.size
    if k == 1 and rates.shape[0] != target.shape[0]:
        # One interval: every target is in it (the gathers below would only repeat column 0).
        return bounds[0] + (target - at_bounds[:, :1]) / rates[:, :1]
    if rates.shape[0] != target.shape[0]:  # one row of rates for every row of targets
        segment = _segments(target, at_bounds)
        start = np.take_along_axis(at_bounds, segment, axis=1)
        rate = np.take_along_axis(rates, segment, axis=1)
        return bounds[segment] + (target - start) / rate
    # By blocks of rows: each cell's arithmetic is the same, and the temporaries (a few per cell) stay
    # small enough to be reused from the cache instead of being mapped afresh, page by page, every call.
    rates = np.ascontiguousarray(rates, dtype=float)
    out = np.empty(target.shape)
    step = max(1, _BLOCK_CELLS // max(target.shape[1], 1))
    for begin in range(0, target.shape[0], step):
        rows = slice(begin, begin + step)
        block, block_bounds = target[rows], at_bounds[rows]
        if k == 1:
            out[rows] = bounds[0] + (block - block_bounds[:, :1]) / rates[rows, :1]
            continue
        segment = _segments(block, block_bounds)
        # A flat gather picks the same cells as take_along_axis, without its broadcast index arrays.
        flat = segment + (k * np.arange(block.shape[0], dtype=np.intp))[:, None]
        start = block_bounds.ravel().take(flat)
        rate = rates[rows].ravel().take(flat)
        out[rows] = bounds[segment] + (block - start) / rate
    return out


def _segments(target: np.ndarray, at_bounds: np.ndarray) -> np.ndarray:
    """Return the interval of each target: the count of lower bounds (after the first) it has reached."""
    # Few intervals: a comparison per bound beats a search per target.
    segment = np.zeros(target.shape, dtype=np.intp)
    for j in range(1, at_bounds.shape[1]):
        segment += target >= at_bounds[:, j : j + 1]
    return segment


def km_median_rows(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Return the Kaplan-Meier median of each row, by R's rule (as ``km_medians`` computes it).

    Each row is one data set. The median is the first time the curve is below 0.5 + tol; where the curve
    sits at exactly 0.5 (within tol) and falls later, the midpoint of that time and the time of the next drop
    (R's ``survmean``, :func:`medcare_metrics.survival.km_medians`). Events come before censorings at equal
    times, as in ``survfit``.

    Parameters
    ----------
    time : numpy.ndarray
        Times, shape (rows, n).
    event : numpy.ndarray
        Event flags, shape (rows, n).

    Returns
    -------
    numpy.ndarray
        Median per row; NaN where not reached.
    """
    time = np.atleast_2d(np.asarray(time, dtype=float))
    event = np.atleast_2d(np.asarray(event, dtype=bool))
    n = time.shape[1]
    if n == 0:
        return np.full(time.shape[0], np.nan)
    if not _keyable(time):
        return _km_median_lexsort(time, event)
    keys = _sort_keys(time, event)
    keys.sort(axis=1)
    return _median_of_sorted(keys, n)[0]


#: The low bit of a sort key: 0 for an event, 1 for a censoring (events sort first at equal times).
_CENSORED_BIT = np.uint64(1)


def _keyable(time: np.ndarray) -> bool:
    """Return True when every time is a non-negative number (+0.0 to +inf): :func:`_sort_keys` applies."""
    return not (np.isnan(time).any() or np.signbit(time).any())


def _sort_keys(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Return one uint64 key per time whose order is survfit's: by time, events before censorings.

    The bits of a non-negative float grow with its value, so the key is those bits shifted up by one with
    the censoring flag below: one plain sort of integers gives the order a two-key lexsort gives, and
    the time and the flag come back from the key unchanged (:func:`_key_time`). Times must pass
    :func:`_keyable` (no NaN, no -0.0 or negative value).
    """
    bits = np.ascontiguousarray(time, dtype=np.float64).view(np.uint64)
    return (bits << _CENSORED_BIT) | (~np.asarray(event, dtype=bool)).astype(np.uint64)


def _key_time(keys: np.ndarray) -> np.ndarray:
    """Return the times of :func:`_sort_keys` keys, bit for bit."""
    return np.ascontiguousarray(keys >> _CENSORED_BIT).view(np.float64)


def _median_of_sorted(
    keys: np.ndarray, n: int, skip: int = 0, lead: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Return the median of each row of sorted keys, and whether it is settled within the columns given.

    ``keys`` holds the sorted keys ``skip`` to ``skip + width <= n`` of each row of ``n``. The survival
    curve of those columns is that of the whole row (a product in order), so a median found in them is the
    row's median, except at a plateau at 0.5 whose next drop lies beyond them: such rows, and rows whose
    curve has not fallen below 0.5 yet, are not settled when ``skip + width < n``. The arithmetic is that of
    the lexsort version (:func:`_km_median_lexsort`), in the same order, so the medians are equal bit for
    bit.

    ``skip`` leading columns are left out when every row shares them and its curve over them, ``lead``
    (the curve at column ``skip - 1``), stays at or above 0.5 + tol: the curve goes on from ``lead`` by the
    same products, so nothing changes but the work (:func:`_merged_medians`).
    """
    rows, width = keys.shape
    at_risk = (n - np.arange(skip, skip + width)).astype(float)
    event = (keys & _CENSORED_BIT) == 0
    # A tie of d events processed one at a time multiplies to 1 - d / n_j, as survfit's step does.
    factor = np.where(event, 1.0 - 1.0 / at_risk[None, :], 1.0)
    if skip and width:
        factor[:, 0] *= lead  # lead x the first factor: the product the whole curve takes there
    partial = skip + width < n
    if width == 0:  # nothing left after the shared columns, which do not reach 0.5
        return np.full(rows, np.nan), np.full(rows, not partial)
    surv = np.cumprod(factor, axis=1)
    below = surv < 0.5 + TOL
    first = np.argmax(below, axis=1)
    index = np.arange(rows)
    reached = below[index, first]
    y0 = surv[index, first]
    median = _key_time(keys[index, first])
    settled = reached.copy() if partial else np.ones(rows, dtype=bool)
    # Only a curve at 0.5 (within tol) needs the next drop: few rows, so only they are searched.
    near = np.flatnonzero(reached & (np.abs(y0 - 0.5) < TOL))
    if near.size:
        later = (surv[near] < y0[near, None]) & (np.arange(width)[None, :] > first[near, None])
        found = later.any(axis=1)
        drop = _key_time(keys[near, np.argmax(later, axis=1)])
        x0 = median[near]
        median[near] = np.where(found, (x0 + drop) / 2.0, x0)
        if partial:
            settled[near] &= found
    return np.where(reached, median, np.nan), settled


def _km_median_lexsort(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """:func:`km_median_rows` by a two-key lexsort: for times :func:`_sort_keys` cannot take (NaN, -0.0)."""
    n = time.shape[1]
    order = np.lexsort((~event, time), axis=1)  # by time, events first within a time
    t = np.take_along_axis(time, order, axis=1)
    e = np.take_along_axis(event, order, axis=1)
    at_risk = (n - np.arange(n)).astype(float)
    surv = np.cumprod(np.where(e, 1.0 - 1.0 / at_risk[None, :], 1.0), axis=1)
    below = surv < 0.5 + TOL
    reached = below.any(axis=1)
    first = np.argmax(below, axis=1)
    rows = np.arange(time.shape[0])
    y0 = surv[rows, first]
    x0 = t[rows, first]
    later = (surv < y0[:, None]) & (np.arange(n)[None, :] > first[:, None])
    plateau = (np.abs(y0 - 0.5) < TOL) & later.any(axis=1)
    drop = t[rows, np.argmax(later, axis=1)]
    median = np.where(plateau, (x0 + drop) / 2.0, x0)
    return np.where(reached, median, np.nan)


def _merged_medians(fixed: np.ndarray, random: np.ndarray) -> np.ndarray:
    """Return the Kaplan-Meier median of each draw: the fixed patients' keys merged with the draw's own.

    Parameters
    ----------
    fixed : numpy.ndarray
        Sorted :func:`_sort_keys` keys of the patients every draw shares (events and patients who left).
    random : numpy.ndarray
        Keys of the simulated patients, shape (draws, r); sorted in place.

    Returns
    -------
    numpy.ndarray
        :func:`km_median_rows` of each draw's whole data set, equal bit for bit.
    """
    draws, r = random.shape
    n = fixed.size + r
    random.sort(axis=1)

    def merged(rows: np.ndarray | slice, width: int, skip: int = 0) -> np.ndarray:
        # Keys ``skip`` to ``width`` of the merge, when its first ``skip`` are fixed keys in every row: they
        # come from the next ``width - skip`` of each side; two sorted runs side by side are merged in one
        # pass by the stable sort (timsort).
        left, right = fixed[skip:width], random[rows, : width - skip]
        both = np.empty((right.shape[0], left.size + right.shape[1]), dtype=np.uint64)
        both[:, : left.size] = left
        both[:, left.size :] = right
        both.sort(axis=1, kind="stable")
        return both[:, : width - skip]

    # Where the first draw's curve crosses 0.5 tells how far the others need to be merged; draws whose
    # median lies further are done again in full, so the guess costs time at worst, never a number.
    width = n
    if draws > 1:
        pilot = merged(slice(0, 1), n)
        median = _median_of_sorted(pilot, n)[0][0]
        if not np.isnan(median):
            at = int(np.searchsorted(_key_time(pilot[0]), median, side="right"))
            width = min(n, at + max(64, n // 16))
    # By blocks of draws: each row's arithmetic is the same, and the merged keys and the curves of a block
    # stay in the cache instead of being mapped afresh (tens of megabytes at 10,000 patients).
    # A draw's merge opens with the fixed keys below its smallest own key, and their curve is the same in
    # every draw: it is taken once (up to where it would reach 0.5), and each block starts after the
    # shortest such run among its draws.
    shared, lead = _shared_lead(fixed, random, n, width)
    medians, settled = np.empty(draws), np.empty(draws, dtype=bool)
    step = max(2, _BLOCK_CELLS // max(width, 1))
    for begin in range(0, draws, step):
        rows = slice(begin, begin + step)
        skip = int(shared[rows].min()) if shared.size else 0
        medians[rows], settled[rows] = _median_of_sorted(
            merged(rows, width, skip), n, skip, float(lead[skip - 1]) if skip else 1.0
        )
    redo = np.flatnonzero(~settled)
    if redo.size:
        medians[redo] = _median_of_sorted(merged(redo, n), n)[0]
    return medians


def _shared_lead(fixed: np.ndarray, random: np.ndarray, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return how many fixed keys open each draw's merge, capped, and the curve over the fixed keys.

    The cap keeps those columns above 0.5 + tol (where a median or a plateau could start) and within
    ``width``; ``random`` is sorted. The curve is :func:`_median_of_sorted`'s product over the fixed keys
    alone, as the merge takes them while no drawn key comes between.
    """
    draws, r = random.shape
    if r == 0 or fixed.size == 0:
        return np.zeros(draws, dtype=np.intp), np.ones(0)
    at_risk = (n - np.arange(fixed.size)).astype(float)
    lead = np.cumprod(np.where((fixed & _CENSORED_BIT) == 0, 1.0 - 1.0 / at_risk, 1.0))
    above = int(np.argmax(lead < 0.5 + TOL)) if (lead < 0.5 + TOL).any() else fixed.size
    # Equal keys are the same bits, so which side a tie comes from changes nothing.
    opening = np.searchsorted(fixed, random[:, 0], side="right")
    return np.minimum(opening, min(above, width)), lead


@dataclass(frozen=True, eq=False)
class TrialState:
    """The trial at the reference date, as the simulation needs it (months; dates relative to the reference).

    Attributes
    ----------
    time : numpy.ndarray
        Follow-up of each patient so far (event or censoring), months.
    event : numpy.ndarray
        True for an event.
    continuing : numpy.ndarray
        True for a censored patient still on study (followed on by the simulation).
    entry : numpy.ndarray
        Each patient's entry (time origin), months after the reference date (<= 0); NaN when unknown.
    n_future : int
        Patients still to be enrolled to reach the target.
    accrual_shape, accrual_rate : float
        Gamma posterior of the accrual rate (patients per month); unused when ``n_future`` is 0.
    planned_end : float or None
        Planned end of accrual, months after the reference date (negative when past); None when unknown.
    target : int or None
        Target enrollment; None when the study names none (no further patient is expected).
    reference : pandas.Timestamp or None
        The reference date.
    """

    time: np.ndarray
    event: np.ndarray
    continuing: np.ndarray
    entry: np.ndarray
    n_future: int = 0
    accrual_shape: float = 1.0
    accrual_rate: float = 1.0
    planned_end: float | None = None
    target: int | None = None
    reference: pd.Timestamp | None = None

    @property
    def n(self) -> int:
        """Patients with follow-up so far."""
        return int(self.time.size)

    @cached_property
    def fixed(self) -> tuple[np.ndarray, np.ndarray]:
        """Times and events of the patients every draw keeps as observed (events, patients who left)."""
        kept = ~self.continuing
        return self.time[kept], self.event[kept]

    @cached_property
    def fixed_keys(self) -> np.ndarray:
        """Sorted :func:`_sort_keys` keys of :attr:`fixed`, once for all the results drawn from this state.

        Only for times :func:`_keyable` accepts. Read-only: every result merges the same keys.
        """
        keys = np.sort(_sort_keys(*self.fixed))
        keys.flags.writeable = False
        return keys


@dataclass(frozen=True, eq=False)
class SimulatedTrials:
    """Complete data sets at the final analysis, one per draw.

    Attributes
    ----------
    time, event : numpy.ndarray
        Shape (draws, patients): observed patients first, then the patients still to be enrolled.
    analysis : numpy.ndarray
        Final analysis per draw, months after the reference date.
    rates : numpy.ndarray
        Event rates drawn from the posterior, shape (draws, intervals).
    """

    time: np.ndarray
    event: np.ndarray
    analysis: np.ndarray
    rates: np.ndarray


def simulate_final_analysis(
    state: TrialState,
    posterior: GammaPosterior,
    follow_up_months: float,
    timing: str = "planned",
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> SimulatedTrials:
    """Simulate the complete data set at the final analysis from the posterior predictive distribution.

    Parameters
    ----------
    state : TrialState
        The trial so far.
    posterior : GammaPosterior
        Posterior of the event rates.
    follow_up_months : float
        ``F``: months from the close of accrual to the final analysis.
    timing : str
        ``"planned"``: accrual closes at the later of the planned end and the last entry; ``"last_patient"``:
        at the last entry.
    draws : int
        Simulated trials.
    seed : int
        Seed of the random generator.

    Returns
    -------
    SimulatedTrials
        Times and event flags per draw.

    Raises
    ------
    ValueError
        When there is no patient at all, or ``timing`` is unknown.
    """
    draw = _simulate(state, posterior, follow_up_months, timing, draws, seed)
    time = np.broadcast_to(state.time, (draws, state.n)).copy()
    event = np.broadcast_to(state.event, (draws, state.n)).copy()
    time[:, draw.continuing] = draw.continuing_time
    event[:, draw.continuing] = draw.continuing_event
    if state.n_future:
        time = np.concatenate((time, draw.future_time), axis=1)
        event = np.concatenate((event, draw.future_event), axis=1)
    return SimulatedTrials(time, event, draw.analysis, draw.rates)


@dataclass(frozen=True, eq=False)
class _Draws:
    """What :func:`_simulate` draws: only the patients it follows on or adds (the others are as observed).

    Attributes
    ----------
    rates : numpy.ndarray
        Event rates per draw, shape (draws, intervals).
    analysis : numpy.ndarray
        Final analysis per draw, months after the reference date.
    continuing : numpy.ndarray
        Positions (in the state) of the censored patients followed on.
    continuing_time, continuing_event : numpy.ndarray
        Their times and events per draw, shape (draws, len(continuing)).
    future_time, future_event : numpy.ndarray
        Times and events of the patients still to come, shape (draws, n_future).
    """

    rates: np.ndarray
    analysis: np.ndarray
    continuing: np.ndarray
    continuing_time: np.ndarray
    continuing_event: np.ndarray
    future_time: np.ndarray
    future_event: np.ndarray


def _simulate(
    state: TrialState,
    posterior: GammaPosterior,
    follow_up_months: float,
    timing: str,
    draws: int,
    seed: int,
) -> _Draws:
    """Draw what :func:`simulate_final_analysis` draws, in the same order from the same generator."""
    if timing not in TIMINGS:
        raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, got {timing!r}")
    rng = np.random.default_rng(seed)
    bounds = posterior.bounds
    rates = rng.gamma(posterior.shape[None, :], 1.0 / posterior.rate[None, :], size=(draws, bounds.size))
    k = int(state.n_future)
    if state.n + k == 0:
        raise ValueError("no patient to simulate")
    # Entries of the patients still to come: an accrual rate from its posterior, exponential waits.
    if k:
        accrual = rng.gamma(state.accrual_shape, 1.0 / state.accrual_rate, size=draws)
        future_entry = np.cumsum(rng.standard_exponential((draws, k)), axis=1) / accrual[:, None]
        last_entry = future_entry[:, -1]
    else:
        future_entry = np.zeros((draws, 0))
        known = state.entry[np.isfinite(state.entry)]
        last_entry = np.full(draws, known.max() if known.size else 0.0)
    close = last_entry
    if timing == "planned" and state.planned_end is not None:
        close = np.maximum(close, state.planned_end)
    analysis = np.maximum(close + float(follow_up_months), 0.0)  # never before the data we have

    cont = np.flatnonzero(state.continuing)
    cont_time, cont_event = np.zeros((draws, 0)), np.zeros((draws, 0), dtype=bool)
    if cont.size:
        c = state.time[cont]
        entry = np.where(np.isfinite(state.entry[cont]), state.entry[cont], -c)
        start = _product(rates, _overlap(c, bounds).T)  # cumulative hazard survived so far
        # In the arrays just made (the same sums and bounds, fewer fresh arrays of draws x patients).
        target = rng.standard_exponential((draws, cont.size))
        target += start
        t = inverse_cumulative_hazard(target, rates, bounds)
        cap = np.subtract(analysis[:, None], entry[None, :])
        np.maximum(cap, c[None, :], out=cap)
        cont_event = t <= cap
        cont_time = np.minimum(t, cap, out=t)
    future_time, future_event = np.zeros((draws, 0)), np.zeros((draws, 0), dtype=bool)
    if k:
        t = inverse_cumulative_hazard(rng.standard_exponential((draws, k)), rates, bounds)
        cap = np.maximum(analysis[:, None] - future_entry, 0.0)
        future_time, future_event = np.minimum(t, cap), t <= cap
    return _Draws(rates, analysis, cont, cont_time, cont_event, future_time, future_event)


def beats_benchmark(medians: np.ndarray, time: np.ndarray, benchmark_median: float) -> np.ndarray:
    """Return, per simulated data set, whether its Kaplan-Meier median exceeds the benchmark.

    Parameters
    ----------
    medians : numpy.ndarray
        Median per data set (NaN: not reached).
    time : numpy.ndarray
        The data sets' times, shape (draws, patients).
    benchmark_median : float
        Historical median, months.

    Returns
    -------
    numpy.ndarray of bool
        ``median > benchmark``; a median not reached counts when some follow-up reaches the benchmark (the
        curve is then above 0.5 at the benchmark).
    """
    longest = time.max(axis=1) if time.shape[1] else None
    return _beats(medians, longest, benchmark_median)


def _beats(medians: np.ndarray, longest: np.ndarray | None, benchmark_median: float) -> np.ndarray:
    """:func:`beats_benchmark` from each data set's longest time (None: the data sets are empty)."""
    not_reached = np.isnan(medians)
    followed = longest >= benchmark_median if longest is not None else np.zeros(medians.shape, bool)
    return np.where(not_reached, followed, medians > benchmark_median)


def _final_medians(state: TrialState, draw: _Draws) -> tuple[np.ndarray, np.ndarray | None]:
    """Return each draw's Kaplan-Meier median and longest time, as of the whole simulated data set.

    The patients who are not followed on are the same in every draw: their keys are sorted once and merged
    with each draw's own (:func:`_merged_medians`), instead of sorting every draw's whole data set. Times
    the keys cannot hold go through :func:`simulate_final_analysis`'s arrays and :func:`km_median_rows`.
    """
    fixed_time, fixed_event = state.fixed
    random_time = np.concatenate((draw.continuing_time, draw.future_time), axis=1)
    random_event = np.concatenate((draw.continuing_event, draw.future_event), axis=1)
    draws = draw.analysis.size
    if _keyable(fixed_time) and _keyable(random_time):
        medians = _merged_medians(state.fixed_keys, _sort_keys(random_time, random_event))
        longest = np.full(draws, fixed_time.max()) if fixed_time.size else None
        if random_time.shape[1]:
            widest = random_time.max(axis=1)
            longest = widest if longest is None else np.maximum(longest, widest)
        return medians, longest
    time = np.concatenate((np.broadcast_to(fixed_time, (draws, fixed_time.size)), random_time), axis=1)
    event = np.concatenate((np.broadcast_to(fixed_event, (draws, fixed_event.size)), random_event), axis=1)
    return km_median_rows(time, event), (time.max(axis=1) if time.shape[1] else None)


@dataclass(frozen=True, eq=False)
class PredictiveResult:
    """Predictive probability that the final Kaplan-Meier median exceeds a benchmark, with its assumptions.

    Attributes
    ----------
    benchmark_median : float
        Historical median, months.
    probability : float
        Share of simulated final analyses whose median exceeds the benchmark.
    mc_se : float
        Monte Carlo standard error of :attr:`probability`.
    options : PredictiveOptions
        Model, prior and simulation.
    follow_up_months : float
        ``F`` used.
    posterior : GammaPosterior
        Prior and posterior of the rates.
    n_patients, n_events, n_continuing, n_future : int
        Patients so far, their events, censored patients followed on, patients still to be enrolled.
    analysis_months : float
        Median over draws of the final analysis, months after the reference date.
    medians : numpy.ndarray
        Simulated final medians (NaN: not reached).
    not_reached : float
        Share of draws whose median is not reached.
    assumptions : tuple of str
        The model's assumptions in sentences.
    """

    benchmark_median: float
    probability: float
    mc_se: float
    options: PredictiveOptions
    follow_up_months: float
    posterior: GammaPosterior
    n_patients: int
    n_events: int
    n_continuing: int
    n_future: int
    analysis_months: float
    medians: np.ndarray
    not_reached: float
    assumptions: tuple[str, ...] = field(default=())

    @property
    def draws(self) -> int:
        """Simulated trials."""
        return int(self.options.draws)


def _interval_names(bounds: np.ndarray) -> str:
    names = [f"{a:g}-{b:g}" for a, b in pairwise(bounds)]
    names.append(f"after {bounds[-1]:g}")
    return ", ".join(names[:-1]) + " and " + names[-1] + " months"


def assumption_sentences(
    state: TrialState, options: PredictiveOptions, benchmark_median: float, follow_up: float
) -> tuple[str, ...]:
    """Return the assumptions of one predictive probability, in sentences.

    Parameters
    ----------
    state : TrialState
        The trial so far.
    options : PredictiveOptions
        Model, prior and simulation.
    benchmark_median : float
        Historical median the prior is centred on, months.
    follow_up : float
        ``F``, months.

    Returns
    -------
    tuple of str
        One sentence per assumption.
    """
    rate0 = np.log(2.0) / benchmark_median
    bounds = options.bounds
    if options.piecewise:
        model = (
            f"Events follow a piecewise-exponential model: a constant rate within {_interval_names(bounds)}, "
            "each interval with its own rate."
        )
        spread = f", spread evenly over the {bounds.size} intervals"
    else:
        model = "Events follow an exponential model: one constant event rate over time."
        spread = ""
    prior = (
        f"Prior: gamma, centred on the benchmark median of {benchmark_median:g} months (rate ln 2 / "
        f"{benchmark_median:g} = {rate0:.3f} per month), worth {options.prior_events:g} "
        f"{'event' if options.prior_events == 1 else 'events'}{spread}."
    )
    n_left = int(np.sum(~state.event & ~state.continuing))
    censoring = "Patients censored while still on study are followed on; " + (
        f"{n_left} who left the study {'stays' if n_left == 1 else 'stay'} censored where their follow-up "
        "ended."
        if n_left
        else "no censored patient has left the study."
    )
    if state.n_future:
        accrual = (
            f"The {state.n_future} patients still to be enrolled (target {state.target}) enter at times "
            "drawn from the accrual prediction (Gajewski, Simon and Carlson 2008), each followed from entry."
        )
    elif state.target is None:
        accrual = "The study names no target enrollment: only the patients so far are analysed."
    else:
        accrual = "Enrollment is complete: no further patient enters."
    if options.timing == "planned":
        timing = (
            f"The final analysis is {follow_up:g} months after accrual closes (at the planned end of accrual "
            "or at the last patient's entry, whichever is later), so every patient can be followed at least "
            f"{follow_up:g} months."
        )
    else:
        timing = (
            f"The final analysis is {follow_up:g} months after the last patient's entry, so every patient "
            f"can be followed at least {follow_up:g} months."
        )
    independence = "Patients are independent, and censoring says nothing about a patient's risk of an event."
    return (model, prior, censoring, accrual, timing, independence)


def predictive_probability(
    state: TrialState, benchmark_median: float, options: PredictiveOptions | None = None
) -> PredictiveResult:
    """Return the predictive probability that the final Kaplan-Meier median exceeds ``benchmark_median``.

    Parameters
    ----------
    state : TrialState
        The trial so far (:func:`trial_state`).
    benchmark_median : float
        Historical median, months; the prior is centred on it.
    options : PredictiveOptions, optional
        Model, prior, final analysis and simulation (defaults: exponential, one pseudo-event, F = the
        benchmark median, 4000 draws).

    Returns
    -------
    PredictiveResult
        The probability with its Monte Carlo error, the posterior and the assumptions.
    """
    options = options or PredictiveOptions()
    follow_up = float(benchmark_median if options.follow_up_months is None else options.follow_up_months)
    cuts = options.cuts_months if options.piecewise else ()
    posterior = gamma_posterior(state.time, state.event, benchmark_median, options.prior_events, cuts)
    draw = _simulate(state, posterior, follow_up, options.timing, options.draws, options.seed)
    medians, longest = _final_medians(state, draw)
    beats = _beats(medians, longest, benchmark_median)
    p = float(beats.mean())
    return PredictiveResult(
        benchmark_median=float(benchmark_median),
        probability=p,
        mc_se=float(np.sqrt(p * (1.0 - p) / options.draws)),
        options=options,
        follow_up_months=follow_up,
        posterior=posterior,
        n_patients=state.n,
        n_events=int(state.event.sum()),
        n_continuing=int(state.continuing.sum()),
        n_future=int(state.n_future),
        analysis_months=float(np.median(draw.analysis)),
        medians=medians,
        not_reached=float(np.isnan(medians).mean()),
        assumptions=assumption_sentences(state, options, float(benchmark_median), follow_up),
    )


def _months_after(dates: pd.Series, reference: pd.Timestamp) -> np.ndarray:
    return ((dates - reference).dt.days / DAYS_PER_MONTH).to_numpy(dtype=float, na_value=np.nan)


def trial_state(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame,
    paramcd: str,
    settings: TrialSettings = DEFAULT_SETTINGS,
    as_of: object | None = None,
    certainty: float = DEFAULT_CERTAINTY,
) -> TrialState:
    """Return the trial so far for one endpoint, as :func:`predictive_probability` needs it.

    Patients: the endpoint's ADTTE rows (months), plus enrolled ADSL patients without a row yet (censored at
    0, followed on). A censored patient is followed on unless ADSL says they left the study (EOSSTT
    COMPLETED or DISCONTINUED) or died. Entry: ADTTE.STARTDT, else the registration date (ENRLDT, RANDDT,
    TRTSDT); a censored patient without either is taken as followed up to the reference date. Patients
    still to come and their entry times: the accrual prediction
    (:func:`~medcare_metrics.enrollment.accrual_outlook`) with the target and planned accrual of ``settings``.

    Parameters
    ----------
    adtte : pandas.DataFrame
        Time-to-event data.
    adsl : pandas.DataFrame
        Subject-level data of the whole trial (the target refers to the whole trial).
    paramcd : str
        Endpoint.
    settings : TrialSettings
        Target enrollment and planned accrual period.
    as_of : date-like, optional
        Reference date (default: the data cut-off).
    certainty : float
        Prior certainty of the accrual prediction.

    Returns
    -------
    TrialState
        Times, events, who is followed on, entries, and the accrual posterior.

    Raises
    ------
    DataUnavailable
        When the endpoint has no rows, the reference date is unknown, or enrollment is open and the accrual
        prediction cannot be made (the message says why).
    """
    try:
        tte = time_to_event(adtte, paramcd, unit="MONTHS")
    except ValueError as error:
        raise DataUnavailable(str(error)) from error
    reference = reference_date(adsl, as_of)
    if reference is None:
        raise DataUnavailable(
            "the outlook needs a reference date: ADSL holds no date and no as-of date is set"
        )
    subjects = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    enrolled = subjects.index[enrolled_mask(subjects).to_numpy()]
    followed = set(tte["USUBJID"])
    waiting = [s for s in enrolled if s not in followed]
    ids = pd.Series([*tte["USUBJID"], *waiting], dtype=object)
    time = np.concatenate((tte["TIME"].to_numpy(dtype=float), np.zeros(len(waiting))))
    event = np.concatenate((tte["EVENT"].to_numpy(dtype=bool), np.zeros(len(waiting), dtype=bool)))

    left = (
        (off_study_mask(subjects) | died_mask(subjects)).reindex(ids, fill_value=False).to_numpy(dtype=bool)
    )
    continuing = ~event & ~left
    start = pd.Series(pd.NaT, index=ids.index, dtype="datetime64[ns]")
    if "STARTDT" in adtte.columns:
        rows = adtte.loc[adtte["PARAMCD"] == paramcd]
        first = date_values(rows, "STARTDT").groupby(rows["USUBJID"].to_numpy()).min()
        start = pd.Series(ids.map(first).to_numpy(), dtype="datetime64[ns]")
    registered = registration_dates(subjects).reindex(ids).reset_index(drop=True)
    entry = _months_after(start.fillna(registered), reference)

    n_future, shape, rate = 0, 1.0, 1.0
    # Without a target (a study file that names none) no further patient is expected.
    if settings.target_enrollment is not None and settings.planned_accrual_months is not None:
        status = accrual_outlook(adsl, settings, certainty=certainty, as_of=reference)
        if not status.status.complete:
            if status.prediction is None:
                raise DataUnavailable(
                    f"the patients still to be enrolled cannot be predicted: {status.reason}"
                )
            n_future = status.prediction.target - status.prediction.accrued
            shape = status.prediction.posterior_shape
            rate = status.prediction.posterior_rate / DAYS_PER_MONTH  # days of exposure -> months
    begin = accrual_start(adsl)
    planned_end = None
    if begin is not None and settings.planned_accrual_months is not None:
        planned_end = float(
            (begin + pd.Timedelta(days=planned_accrual_days(settings)) - reference).days / DAYS_PER_MONTH
        )
    return TrialState(
        time=time,
        event=event,
        continuing=continuing,
        entry=entry,
        n_future=int(n_future),
        accrual_shape=float(shape),
        accrual_rate=float(rate),
        planned_end=planned_end,
        target=None if settings.target_enrollment is None else int(settings.target_enrollment),
        reference=reference,
    )
