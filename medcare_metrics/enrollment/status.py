"""Where enrollment stands against the plan: enrolled so far, completion, duration and rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.enrollment.reference import accrual_start, planned_accrual_days, reference_date
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings, check_settings
from medcare_metrics.rules import DAYS_PER_MONTH, enrolled_mask
from medcare_metrics.subjects import as_date, registration_dates


@dataclass(frozen=True)
class EnrollmentStatus:
    """Where enrollment stands against the plan.

    Attributes
    ----------
    enrolled : int
        Enrolled subjects.
    target : int or None
        Target enrollment; None when the study names none (nothing is then complete or planned).
    complete : bool
        ``enrolled >= target`` (False without a target).
    start : pandas.Timestamp or None
        Accrual start.
    reference : pandas.Timestamp or None
        Reference date.
    completion_date : pandas.Timestamp or None
        Registration date of the target-th enrolled patient (in date order); None while open or when
        registration dates are missing.
    duration_days : float
        Accrual start to completion date when complete, to the reference date while open; NaN when a date is
        unknown.
    planned_days : float
        Planned accrual period in days (NaN when the study names none).
    planned_end : pandas.Timestamp or None
        Accrual start plus the planned period.
    observed_rate_per_month : float
        Patients per month: target / duration when complete, enrolled / duration while open.
    planned_rate_per_month : float
        Target / planned accrual period in months.
    rate_ratio : float
        Observed over planned rate (1 = on plan, below 1 = slower).
    """

    enrolled: int
    target: int | None
    complete: bool
    start: pd.Timestamp | None
    reference: pd.Timestamp | None
    completion_date: pd.Timestamp | None
    duration_days: float
    planned_days: float
    planned_end: pd.Timestamp | None
    observed_rate_per_month: float
    planned_rate_per_month: float
    rate_ratio: float

    @property
    def duration_months(self) -> float:
        """Duration in months (days / :data:`~medcare_metrics.rules.DAYS_PER_MONTH`)."""
        return self.duration_days / DAYS_PER_MONTH

    @property
    def planned_months(self) -> float:
        """Planned accrual period in months."""
        return self.planned_days / DAYS_PER_MONTH


def enrollment_status(
    adsl: pd.DataFrame,
    settings: TrialSettings = DEFAULT_SETTINGS,
    as_of: object | None = None,
    start: object | None = None,
) -> EnrollmentStatus:
    """Return whether enrollment is complete, when it completed or how long it has run, and the rate vs plan.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    settings : TrialSettings
        Target enrollment and planned accrual period.
    as_of : date-like, optional
        Reference date (default: see :func:`reference_date`).
    start : date-like, optional
        Accrual start (default: see :func:`accrual_start`).

    Returns
    -------
    EnrollmentStatus
        The status; see its attributes for the definitions.

    Raises
    ------
    ValueError
        If the target or the planned period is outside its bounds
        (:func:`medcare_metrics.protocol.check_settings`).
    """
    check_settings(settings)
    target = None if settings.target_enrollment is None else int(settings.target_enrollment)
    planned = planned_accrual_days(settings)
    begin = as_date(start, "start") if start is not None else accrual_start(adsl)
    reference = reference_date(adsl, as_of)
    mask = enrolled_mask(adsl)
    enrolled = int(mask.sum())
    complete = target is not None and enrolled >= target
    dates = registration_dates(adsl.loc[mask]).dropna().sort_values()
    completion = None
    if target is not None and complete and len(dates) >= target:
        completion = pd.Timestamp(dates.iloc[target - 1])
    end = completion if complete else reference
    duration = float((end - begin).days) if begin is not None and end is not None else np.nan
    count = target if complete and target is not None else enrolled
    observed = count / (duration / DAYS_PER_MONTH) if duration and duration > 0 else np.nan
    # No target or no planned period: no planned rate (NaN), so no ratio either.
    planned_rate = np.nan if target is None or np.isnan(planned) else target / (planned / DAYS_PER_MONTH)
    known_plan = begin is not None and not np.isnan(planned)
    planned_end = (begin + pd.Timedelta(days=planned)).normalize() if known_plan else None
    return EnrollmentStatus(
        enrolled=enrolled,
        target=target,
        complete=complete,
        start=begin,
        reference=reference,
        completion_date=completion,
        duration_days=duration,
        planned_days=planned,
        planned_end=planned_end,
        observed_rate_per_month=observed,
        planned_rate_per_month=planned_rate,
        rate_ratio=observed / planned_rate,
    )
