"""Enrollment: progress to the target, by centre and month, the screening funnel, event maturity, accrual.

Definitions used throughout:

- *Screened*: every ADSL row (ADSL holds one row per screened subject, screen failures included).
- *Enrolled*: ``ENRLFL == "Y"`` (:func:`medcare_metrics.rules.enrolled_mask`; loading derives ENRLFL when
  absent). Without ENRLFL every subject counts as enrolled, as loading would have derived.
- *Registration date*: ENRLDT, else RANDDT, else TRTSDT (the first present, per subject). Enrolled subjects
  without any of them count in totals but cannot be placed on a time axis.
- *Accrual start*: the earliest RFICDT, SCRNDT, ENRLDT, RANDDT or TRTSDT of any screened subject. The trial's
  opening date is not in ADaM; the first consent or screening is the closest date the data hold.
- *Reference date* ("today" of the analysis): the as-of date when given, else the data cut-off (latest
  ADSL.DCUTDT), else the latest date in ADSL.
- *Event*: ``CNSR = 0`` (:func:`medcare_metrics.rules.is_event`).

Modules: :mod:`~medcare_metrics.enrollment.reference` (accrual start, reference date),
:mod:`~medcare_metrics.enrollment.curves` (cumulative curve against the plan, enrollment per month),
:mod:`~medcare_metrics.enrollment.centres` (per-centre table), :mod:`~medcare_metrics.enrollment.screening`
(screen failures and the funnel), :mod:`~medcare_metrics.enrollment.status` (enrolled against the target),
:mod:`~medcare_metrics.enrollment.accrual` (the Bayesian prediction of the completion date) and
:mod:`~medcare_metrics.enrollment.maturity` (events so far and expected). Sentences about these results are in
:mod:`medcare_metrics.text.enrollment`.
"""

from __future__ import annotations

from medcare_metrics.enrollment.accrual import (
    DEFAULT_CERTAINTY,
    METHOD_NAME,
    AccrualOutlook,
    AccrualPrediction,
    accrual_outlook,
    accrual_posterior,
    accrual_prediction,
    accrual_projection,
    predict_accrual,
    remaining_time_distribution,
)
from medcare_metrics.enrollment.centres import ALL_CENTRES_NAME, centre_summary
from medcare_metrics.enrollment.curves import CumulativeEnrollment, cumulative_enrollment, enrollment_by_month
from medcare_metrics.enrollment.maturity import (
    BENCHMARK,
    DEFAULT_PROJECTION_MONTHS,
    FITTED,
    MATURITY_HORIZONS,
    TRIAL_POPULATION,
    EventMaturity,
    MaturityScenarios,
    event_maturity,
    maturity_scenarios,
    trial_benchmark,
)
from medcare_metrics.enrollment.reference import ALL_CENTRES, accrual_start, reference_date
from medcare_metrics.enrollment.screening import (
    FUNNEL_STAGES,
    NOT_RECORDED,
    OTHER_REASON,
    SCREEN_FAILURE_COLUMNS,
    screen_failure_listing,
    screen_failure_reasons,
    screening_funnel,
)
from medcare_metrics.enrollment.status import EnrollmentStatus, enrollment_status

# Imported by callers of the former single module (tests, scripts) from here.
from medcare_metrics.subjects import registration_dates

__all__ = [
    "ALL_CENTRES",
    "ALL_CENTRES_NAME",
    "BENCHMARK",
    "DEFAULT_CERTAINTY",
    "DEFAULT_PROJECTION_MONTHS",
    "FITTED",
    "FUNNEL_STAGES",
    "MATURITY_HORIZONS",
    "METHOD_NAME",
    "NOT_RECORDED",
    "OTHER_REASON",
    "SCREEN_FAILURE_COLUMNS",
    "TRIAL_POPULATION",
    "AccrualOutlook",
    "AccrualPrediction",
    "CumulativeEnrollment",
    "EnrollmentStatus",
    "EventMaturity",
    "MaturityScenarios",
    "accrual_outlook",
    "accrual_posterior",
    "accrual_prediction",
    "accrual_projection",
    "accrual_start",
    "centre_summary",
    "cumulative_enrollment",
    "enrollment_by_month",
    "enrollment_status",
    "event_maturity",
    "maturity_scenarios",
    "predict_accrual",
    "reference_date",
    "registration_dates",
    "remaining_time_distribution",
    "screen_failure_listing",
    "screen_failure_reasons",
    "screening_funnel",
    "trial_benchmark",
]
