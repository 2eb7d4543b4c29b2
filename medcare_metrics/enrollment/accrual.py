"""Bayesian accrual prediction (Gajewski, Simon and Carlson 2008).

Gajewski BJ, Simon SD, Carlson SE. Predicting accrual in clinical trials with Bayesian posterior predictive
distributions. Stat Med 2008;27:2328-2340. doi:10.1002/sim.3128.

Model (the paper's notation). Waiting times between enrollments are exponential with mean ``theta`` days, so
enrollments form a Poisson process with rate ``lam = 1 / theta`` patients per day. The prior comes from the
plan, ``n`` patients in ``T`` days, held with certainty ``P`` in [0, 1]: ``theta ~ InvGamma(n*P, T*P)``, i.e.
``lam ~ Gamma(shape=n*P, rate=T*P)``, prior mean ``n / T``, worth ``n*P`` observed patients (P = 1: as much as
the whole target; P = 0: no prior). After ``m`` enrollments in ``t`` days the posterior is
``lam ~ Gamma(n*P + m, T*P + t)``.

Which ``t``. The paper takes ``t`` as the time at which the m-th patient was enrolled (the sum of the ``m``
observed waiting times) and predicts from that date. Here ``t`` runs from the accrual start to the reference
date (the as-of date), and the prediction starts at the reference date: the gap since the last enrollment is a
waiting time still running, and the Poisson likelihood ``lam**m * exp(-lam * t)`` counts it. The authors' R
package ``accrual`` uses the same ``t`` ("time to date", ``tm``). On the day of the m-th enrollment both
definitions agree. By the memorylessness of the exponential, the time from the reference date to the next
enrollment is again exponential with rate ``lam``.

Prediction. Given ``lam``, the time to the remaining ``k = n - m`` enrollments is ``Gamma(k, rate=lam)``.
Mixed over the posterior it is ``b * X`` with ``X ~ BetaPrime(k, a)``, ``a = n*P + m``, ``b = T*P + t``
(equivalently ``b * B / (1 - B)`` with ``B ~ Beta(k, a)``, the formula of ``accrual.T.inform``), so its
quantiles are exact (``scipy.stats.betaprime``); no simulation is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.enrollment.reference import accrual_start, planned_accrual_days, reference_date
from medcare_metrics.enrollment.status import EnrollmentStatus, enrollment_status
from medcare_metrics.errors import DataUnavailable
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.rules import DAYS_PER_MONTH, enrolled_mask

#: Name of the method, for pages and reports.
METHOD_NAME = "Bayesian accrual prediction (Gajewski, Simon & Carlson, Stat Med 2008)"
#: Default prior certainty P: the plan counts as much as half the target's worth of observed patients.
DEFAULT_CERTAINTY = 0.5


def _check_inputs(
    target: int, planned_days: float, certainty: float, accrued: int, elapsed_days: float
) -> None:
    if int(target) != target or target < 1:
        raise ValueError(f"target must be a positive whole number, got {target!r}")
    if not planned_days > 0:
        raise ValueError(f"planned accrual period must be positive, got {planned_days!r} days")
    if not 0.0 <= certainty <= 1.0:
        raise ValueError(f"prior certainty P must be between 0 and 1, got {certainty!r}")
    if int(accrued) != accrued or accrued < 0:
        raise ValueError(f"accrued must be a whole number >= 0, got {accrued!r}")
    if not elapsed_days >= 0:
        raise ValueError(f"elapsed time must be >= 0 days, got {elapsed_days!r}")


def accrual_posterior(
    target: int, planned_days: float, certainty: float, accrued: int, elapsed_days: float
) -> tuple[float, float]:
    """Return the posterior shape and rate (per day) of the accrual rate.

    Parameters
    ----------
    target : int
        Planned number of patients ``n``.
    planned_days : float
        Planned accrual period ``T`` in days.
    certainty : float
        Prior certainty ``P`` in [0, 1] (0 = ignore the plan; 1 = the plan weighs as much as ``n`` patients).
    accrued : int
        Patients enrolled so far ``m``.
    elapsed_days : float
        Days from the accrual start to the reference date ``t``.

    Returns
    -------
    tuple of float
        ``(n*P + m, T*P + t)``: shape and rate of the Gamma posterior of patients per day.

    Raises
    ------
    ValueError
        If an argument is out of range, or the posterior is improper (shape or rate 0, e.g. P = 0 before any
        enrollment).
    """
    _check_inputs(target, planned_days, certainty, accrued, elapsed_days)
    shape = target * certainty + accrued
    rate = planned_days * certainty + elapsed_days
    if shape <= 0 or rate <= 0:
        raise ValueError(
            "the accrual posterior is improper: with prior certainty P = 0 at least one enrollment and a "
            "positive elapsed time are needed"
        )
    return float(shape), float(rate)


def remaining_time_distribution(
    target: int,
    planned_days: float,
    certainty: float,
    accrued: int,
    elapsed_days: float,
    until: int | None = None,
) -> stats.rv_continuous:
    """Posterior predictive distribution of the days from now until ``until`` patients are enrolled.

    Parameters
    ----------
    target, planned_days, certainty, accrued, elapsed_days
        As in :func:`accrual_posterior`.
    until : int, optional
        Enrollment count to predict (default: ``target``); must exceed ``accrued``.

    Returns
    -------
    scipy.stats frozen distribution
        ``betaprime(until - m, n*P + m, scale=T*P + t)``, in days from the reference date.

    Raises
    ------
    ValueError
        If ``until`` is not above ``accrued`` or an argument is out of range.
    """
    shape, rate = accrual_posterior(target, planned_days, certainty, accrued, elapsed_days)
    goal = target if until is None else int(until)
    if goal <= accrued:
        raise ValueError(f"until ({goal}) must be above the number accrued ({accrued})")
    return stats.betaprime(goal - accrued, shape, scale=rate)


@dataclass(frozen=True)
class AccrualPrediction:
    """Predicted date the target is reached, with 50% and 95% predictive intervals.

    Attributes
    ----------
    target, accrued : int
        ``n`` and ``m``.
    certainty : float
        Prior certainty ``P``.
    planned_days, elapsed_days : float
        ``T`` and ``t`` in days.
    reference : pandas.Timestamp
        Date of the prediction (accrual start + ``t``).
    posterior_shape, posterior_rate : float
        Gamma posterior of the accrual rate (rate in days).
    median_days, lower50_days, upper50_days, lower95_days, upper95_days : float
        Predictive median and quantiles (25/75% and 2.5/97.5%) of the days from ``reference`` to the target.
    method : str
        Name of the method.
    """

    target: int
    accrued: int
    certainty: float
    planned_days: float
    elapsed_days: float
    reference: pd.Timestamp
    posterior_shape: float
    posterior_rate: float
    median_days: float
    lower50_days: float
    upper50_days: float
    lower95_days: float
    upper95_days: float
    method: str = METHOD_NAME

    def _date(self, days: float) -> pd.Timestamp:
        return (self.reference + pd.Timedelta(days=days)).round("D")

    @property
    def median_date(self) -> pd.Timestamp:
        """Predicted completion date (median)."""
        return self._date(self.median_days)

    @property
    def interval50(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """50% predictive interval of the completion date."""
        return self._date(self.lower50_days), self._date(self.upper50_days)

    @property
    def interval95(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """95% predictive interval of the completion date."""
        return self._date(self.lower95_days), self._date(self.upper95_days)

    @property
    def posterior_rate_per_month(self) -> float:
        """Posterior mean accrual rate in patients per month."""
        return self.posterior_shape / self.posterior_rate * DAYS_PER_MONTH


def predict_accrual(
    target: int,
    planned_days: float,
    certainty: float,
    accrued: int,
    elapsed_days: float,
    reference: object,
) -> AccrualPrediction | None:
    """Predict when ``target`` patients will be enrolled.

    Parameters
    ----------
    target, planned_days, certainty, accrued, elapsed_days
        As in :func:`accrual_posterior`.
    reference : date-like
        Date of the prediction (the day ``elapsed_days`` after the accrual start).

    Returns
    -------
    AccrualPrediction or None
        None when ``accrued >= target`` (enrollment complete: nothing to predict).

    Raises
    ------
    ValueError
        If an argument is out of range or the posterior is improper.
    """
    _check_inputs(target, planned_days, certainty, accrued, elapsed_days)
    if accrued >= target:
        return None
    dist = remaining_time_distribution(target, planned_days, certainty, accrued, elapsed_days)
    shape, rate = accrual_posterior(target, planned_days, certainty, accrued, elapsed_days)
    q = dist.ppf([0.5, 0.25, 0.75, 0.025, 0.975])
    return AccrualPrediction(
        target=int(target),
        accrued=int(accrued),
        certainty=float(certainty),
        planned_days=float(planned_days),
        elapsed_days=float(elapsed_days),
        reference=pd.Timestamp(reference).normalize(),
        posterior_shape=shape,
        posterior_rate=rate,
        median_days=float(q[0]),
        lower50_days=float(q[1]),
        upper50_days=float(q[2]),
        lower95_days=float(q[3]),
        upper95_days=float(q[4]),
    )


def accrual_projection(prediction: AccrualPrediction) -> pd.DataFrame:
    """Predictive quantiles of the date each further patient is enrolled, up to the target.

    Parameters
    ----------
    prediction : AccrualPrediction
        A prediction from :func:`predict_accrual`.

    Returns
    -------
    pandas.DataFrame
        Columns N (enrollment count, from the current count ``m`` to ``n``), MEDIAN, LOWER50, UPPER50,
        LOWER95, UPPER95 (dates). The row for ``m`` is the reference date in every column, so a band drawn
        from these rows starts at the current count.
    """
    p = prediction
    counts = np.arange(p.accrued, p.target + 1)
    # Time to the j-th further patient is b * B / (1 - B), B ~ Beta(j, a): one vectorised quantile call.
    remaining = (counts - p.accrued)[1:, None]
    q = stats.beta.ppf(_BAND_PROBS[None, :], remaining, p.posterior_shape)
    days = np.vstack([np.zeros((1, len(_BAND_PROBS))), p.posterior_rate * q / (1.0 - q)])
    out = pd.DataFrame({"N": counts.astype(int)})
    for index, column in enumerate(_BAND_COLUMNS):
        offsets = pd.to_timedelta(days[:, index], unit="D")
        out[column] = (p.reference + offsets).round("D")
    return out


_BAND_COLUMNS: tuple[str, ...] = ("MEDIAN", "LOWER50", "UPPER50", "LOWER95", "UPPER95")
_BAND_PROBS = np.array([0.5, 0.25, 0.75, 0.025, 0.975])


def accrual_prediction(
    adsl: pd.DataFrame,
    settings: TrialSettings = DEFAULT_SETTINGS,
    certainty: float = DEFAULT_CERTAINTY,
    as_of: object | None = None,
    start: object | None = None,
) -> AccrualPrediction | None:
    """Predict the completion date of enrollment from ADSL.

    ``m`` is the number of enrolled subjects (ENRLFL = Y), ``t`` the days from the accrual start (earliest
    consent, screening or registration date; see :mod:`medcare_metrics.enrollment`) to the reference date
    (``as_of``, else the data cut-off), ``n`` and ``T`` come from ``settings``.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    settings : TrialSettings
        ``target_enrollment`` and ``planned_accrual_months``.
    certainty : float
        Prior certainty ``P`` in [0, 1].
    as_of : date-like, optional
        Reference date.
    start : date-like, optional
        Accrual start (overrides the date derived from ADSL).

    Returns
    -------
    AccrualPrediction or None
        None when enrollment is complete.

    Raises
    ------
    ValueError
        If the accrual start or the reference date cannot be determined, the reference date is before the
        start, or the posterior is improper.
    """
    if settings.target_enrollment is None or settings.planned_accrual_months is None:
        raise DataUnavailable(
            "the study names no target enrollment and planned accrual period to predict completion against"
        )
    target = int(settings.target_enrollment)
    accrued = int(enrolled_mask(adsl).sum())
    if accrued >= target:
        return None
    begin = pd.Timestamp(start).normalize() if start is not None else accrual_start(adsl)
    reference = reference_date(adsl, as_of)
    if begin is None or reference is None:
        raise ValueError(
            "accrual prediction needs dates: ADSL has no consent, screening or registration date"
        )
    elapsed = float((reference - begin).days)
    if elapsed < 0:
        raise ValueError(f"reference date {reference:%Y-%m-%d} is before the accrual start {begin:%Y-%m-%d}")
    return predict_accrual(target, planned_accrual_days(settings), certainty, accrued, elapsed, reference)


@dataclass(frozen=True, eq=False)
class AccrualOutlook:
    """Where enrollment stands and, while it is open, when the target will be reached.

    Attributes
    ----------
    status : EnrollmentStatus
        Enrolled so far, completion date and duration, rate against the plan.
    certainty : float
        Prior certainty ``P`` used for the prediction.
    prediction : AccrualPrediction or None
        None when enrollment is complete or the prediction cannot be made (see ``reason``).
    projection : pandas.DataFrame or None
        :func:`accrual_projection` of the prediction (None without one).
    reason : str or None
        Why there is no prediction although enrollment is open.
    """

    status: EnrollmentStatus
    certainty: float
    prediction: AccrualPrediction | None
    projection: pd.DataFrame | None
    reason: str | None = None

    @property
    def future_entries(self) -> tuple[pd.Timestamp, ...]:
        """Predicted (median) enrollment dates of the patients still to be enrolled (empty without one)."""
        if self.projection is None:
            return ()
        return tuple(pd.Timestamp(d) for d in self.projection["MEDIAN"].iloc[1:])


def accrual_outlook(
    adsl: pd.DataFrame,
    settings: TrialSettings = DEFAULT_SETTINGS,
    certainty: float = DEFAULT_CERTAINTY,
    as_of: object | None = None,
) -> AccrualOutlook:
    """Return the enrollment status and, while enrollment is open, the predicted completion.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data of the whole trial (a centre's share of the target is not defined).
    settings : TrialSettings
        ``target_enrollment`` and ``planned_accrual_months``.
    certainty : float
        Prior certainty ``P`` in [0, 1].
    as_of : date-like, optional
        Reference date (default: the data cut-off).

    Returns
    -------
    AccrualOutlook
        Status, prediction and projection; ``reason`` says why there is no prediction while open (for example
        missing dates, or ``P = 0`` before any enrollment).

    Raises
    ------
    ValueError
        If ``certainty`` is outside [0, 1] or the target or planned period is not positive.
    """
    if not 0.0 <= certainty <= 1.0:
        raise ValueError(f"prior certainty P must be between 0 and 1, got {certainty!r}")
    status = enrollment_status(adsl, settings, as_of=as_of)
    prediction = None
    projection = None
    reason = None
    if not status.complete:
        try:
            prediction = accrual_prediction(adsl, settings, certainty=certainty, as_of=as_of)
        except ValueError as error:
            reason = str(error)
    if prediction is not None:
        try:
            prediction.interval95  # noqa: B018 - dated here so that a date out of range is a reason, not a crash
            projection = accrual_projection(prediction)
        except (OverflowError, pd.errors.OutOfBoundsDatetime, pd.errors.OutOfBoundsTimedelta):
            # A slow accrual with little trust in the plan can put the target centuries ahead.
            prediction = None
            reason = (
                "the predicted completion lies beyond the last date the software can represent "
                f"({pd.Timestamp.max:%Y-%m-%d})"
            )
    return AccrualOutlook(
        status=status,
        certainty=float(certainty),
        prediction=prediction,
        projection=projection,
        reason=reason,
    )
