"""Sentences of the Enrollment page: status against the target, the accrual prediction, captions, maturity."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import pandas as pd

from medcare_metrics.enrollment import (
    BENCHMARK,
    FITTED,
    AccrualOutlook,
    AccrualPrediction,
    CumulativeEnrollment,
    EnrollmentStatus,
    EventMaturity,
    MaturityScenarios,
)
from medcare_metrics.rules import DAYS_PER_MONTH
from medcare_metrics.study import StudyDefinition, default_study
from medcare_metrics.text.common import format_date, plural

INTRO = (
    "Progress to the target, by centre and month, from screening to follow-up, the projected completion "
    "and how many primary-endpoint events to expect."
)
CERTAINTY_HELP = (
    "0: the projection uses the observed accrual only. 1: the plan weighs as much as the full "
    "target of observed patients. Target and planned accrual period: Trial settings in the sidebar."
)
FILTER_NOTE = (
    ":material/filter_alt: Target, status and projection are for the whole trial; the figures and tables "
    "below follow the filters."
)
#: Legend label of the thick total line of the cumulative figure, without and with filters.
ALL_CENTRES_LABEL = "All centres"
SELECTED_LABEL = "Selected patients"
#: Why there is no per-month figure (said after "Not available: ").
NO_REGISTRATION_DATE = "no enrolled patient has a registration date."
BY_MONTH_CAPTION = (
    "Enrolled patients per calendar month of registration (ENRLDT, else RANDDT, else TRTSDT), "
    "stacked by centre."
)
FUNNEL_CAPTION = (
    "Numbers are subjects. Exits to the right list the screen-failure criterion (ADSL.SCRFCRIT, protocol "
    "wording); outcome boxes are exclusive, the first that applies in the order shown."
)
FUNNEL_DEFINITIONS_TITLE = "What each box counts"
SCREEN_FAILURES_HEADING = "**Screen failures by eligibility criterion**"
NO_SCREEN_FAILURE = "No screen failure."
SCREEN_FAILURE_LISTING_TITLE = "Screen failures, one row per subject"
#: What the event maturity needs ADTTE for (said when ADTTE is absent).
MATURITY_NEEDS = "the event maturity"
#: The one sentence of the page when the selection has no subject, or no enrolled patient.
NO_SUBJECT = "No subject in the selection (ADSL has no row for it), so there is no enrollment to show."
NO_ENROLLED = (
    "No enrolled patient in the selection: the figures count screened subjects only, and there is no "
    "enrollment over time or event to show."
)

#: Legend labels of the planned line and of the target line when one centre is shown.
CENTRE_PLAN_LABEL = "Centre's share of the plan"
CENTRE_TARGET_LABEL = "Centre's share of the target"

#: SCENARIO of the maturity projection when no scenario is drawn (no event and no benchmark).
NO_EVENT = "No event yet"
#: Short endpoint names for labels.
SHORT_ENDPOINTS: dict[str, str] = {"NESTFS": "NEST-FS", "PFS": "PFS", "OS": "OS"}


def _nan(value: float) -> bool:
    return value != value  # NaN when a date is missing


# --- Status and accrual prediction --------------------------------------------------------------------------


def headline(status: EnrollmentStatus) -> str:
    """Return ``"Enrollment complete"``, ``"Enrollment open"``, or ``"254 enrolled"`` without a target."""
    if status.target is None:
        return f"{status.enrolled} enrolled"
    return "Enrollment complete" if status.complete else "Enrollment open"


def outlook_metrics(outlook: AccrualOutlook) -> tuple[tuple[str, str, str], ...]:
    """Return label, value and help text of the headline numbers of the enrollment status.

    Parameters
    ----------
    outlook : AccrualOutlook
        Status and prediction.

    Returns
    -------
    tuple of (str, str, str)
        Enrolled; completion date and duration (complete) or predicted completion (open); rate against plan.
    """
    status = outlook.status
    rate = status.rate_ratio
    if status.target is None:  # a study without a target: a count, no completion and no plan
        return (
            ("Enrolled", str(status.enrolled), "Enrolled patients (ENRLFL = Y); the study names no target."),
        )
    out = [
        (
            "Enrolled",
            f"{status.enrolled} of {status.target}",
            "Enrolled patients (ENRLFL = Y) of the target enrollment.",
        )
    ]
    if status.complete:
        duration = status.duration_months
        out.append(
            (
                "Completed on",
                format_date(status.completion_date, "n/a"),
                f"Registration date of enrolled patient number {status.target}, in date order.",
            )
        )
        out.append(
            (
                "Duration",
                "n/a" if _nan(duration) else f"{duration:.1f} months",
                "From the first consent or screening to the completion date.",
            )
        )
    else:
        median = None if outlook.prediction is None else outlook.prediction.median_date
        out.append(
            (
                "Predicted completion",
                format_date(median, "n/a"),
                "Median of the predictive distribution of the date the target is reached.",
            )
        )
    out.append(
        (
            "Accrual rate vs plan",
            "n/a" if _nan(rate) else f"{rate:.0%}",
            "Observed patients per month over the planned rate (100% = on plan).",
        )
    )
    return tuple(out)


def prediction_text(prediction: AccrualPrediction | None) -> str:
    """Return the predicted completion date with its 50% and 95% predictive intervals (empty without one)."""
    if prediction is None:
        return ""
    p = prediction
    low50, high50 = p.interval50
    low95, high95 = p.interval95
    return (
        f"Target of {p.target} reached by **{p.median_date:%Y-%m-%d}** (median); 50% predictive interval "
        f"{low50:%Y-%m-%d} to {high50:%Y-%m-%d}, 95% {low95:%Y-%m-%d} to {high95:%Y-%m-%d}."
    )


def method_text(prediction: AccrualPrediction | None) -> str:
    """Return the method, its prior and the data it used (empty without a prediction)."""
    if prediction is None:
        return ""
    p = prediction
    return (
        f"Method: {p.method}. Exponential waiting times between enrollments; Gamma prior on the "
        f"accrual rate from the plan ({p.target} patients in {p.planned_days / DAYS_PER_MONTH:.0f} "
        f"months) with certainty P = {p.certainty:.2f} (worth {p.target * p.certainty:g} patients), "
        f"updated with the {p.accrued} enrollments in the {p.elapsed_days:.0f} days from the first "
        f"consent or screening to {p.reference:%Y-%m-%d}: posterior mean "
        f"{p.posterior_rate_per_month:.2f} patients/month. The predictive distribution of the time to "
        "the target is exact (scaled beta-prime)."
    )


def rate_text(status: EnrollmentStatus) -> str:
    """Return the observed against the planned accrual rate and the period it covers (empty without dates)."""
    rate = status.observed_rate_per_month
    if _nan(rate):
        return ""
    planned = (
        ""
        if _nan(status.planned_rate_per_month)
        else f", against a planned {status.planned_rate_per_month:.2f} ({status.target} in "
        f"{status.planned_months:.0f} months)"
    )
    start = format_date(status.start, "n/a")
    end = (
        f"completion on {status.completion_date:%Y-%m-%d}"
        if status.completion_date is not None
        else format_date(status.reference, "n/a")
    )
    return (
        f"Accrual rate {rate:.2f} patients/month from the first consent or screening ({start}) to {end}"
        f"{planned}."
    )


def no_prediction(reason: str | None) -> str:
    """Return why there is no prediction although enrollment is open, as a sentence (empty without reason)."""
    return f"{reason}." if reason else ""


# --- Captions -----------------------------------------------------------------------------------------------


def cumulative_note(cumulative: CumulativeEnrollment, projected: bool, centre_plan: str = "") -> str:
    """Explain the cumulative enrollment figure: what is counted, the planned line and the bands when drawn.

    Parameters
    ----------
    cumulative : CumulativeEnrollment
        From :func:`medcare_metrics.enrollment.cumulative_enrollment`.
    projected : bool
        Whether the figure shows the predictive bands.
    centre_plan : str, optional
        When one centre is shown, what its planned line is (:func:`centre_plan_text`); it replaces the
        sentence on the whole trial's plan.

    Returns
    -------
    str
        One caption.
    """
    parts = ["Enrolled patients by registration date (ENRLDT, else RANDDT, else TRTSDT), all and per centre."]
    if centre_plan:
        parts.append(centre_plan)
    elif cumulative.start is not None and cumulative.planned_end is not None:
        parts.append(
            f"Dotted: the planned accrual, a straight line from the first consent or screening "
            f"({cumulative.start:%Y-%m-%d}) to the target of {cumulative.target} at the end of the planned "
            f"period ({cumulative.planned_end:%Y-%m-%d})."
        )
    if projected:
        parts.append(
            "Dashed: the predicted (median) date of each further enrollment; shaded: its 50% and 95% "
            "predictive intervals."
        )
    if cumulative.undated:
        parts.append(
            f"{plural(cumulative.undated, 'enrolled patient')} without a registration date not drawn."
        )
    return " ".join(parts)


def centre_caption(as_of: date | pd.Timestamp | None) -> str:
    """Return the caption of the per-centre table; days since the last enrollment count to ``as_of``."""
    return (
        "Numbers are subjects. Screened: every ADSL subject. Screen failures: screened and not enrolled; "
        "rate = screen failures / screened. Days since the last enrollment are counted to "
        f"{format_date(as_of)}."
    )


def centre_plan_text(
    centre: str, target: int, trial_target: int, from_study: bool, enrolled: int = 0, total: int = 0
) -> str:
    """Say what one centre is compared with: its own target, or its share of the enrolled so far.

    Parameters
    ----------
    centre : str
        The centre as people know it (``"UZ Leuven (01)"``).
    target : int
        The centre's planned patients (rounded to whole patients when taken from its share).
    trial_target : int
        The whole trial's target.
    from_study : bool
        True when the study file names the centre's target.
    enrolled, total : int
        The centre's and every centre's enrolled patients so far (used when ``from_study`` is False).

    Returns
    -------
    str
        One or two sentences.
    """
    if from_study:
        return (
            f"Dotted: {centre}'s own plan, a straight line to its target of {target} of the trial's "
            f"{trial_target} patients (study file, centre_targets) at the end of the planned period."
        )
    return (
        f"Dotted: {centre}'s share of the plan, a straight line to {target} of the trial's {trial_target} "
        f"patients at the end of the planned period. The study file names no target per centre, so the share "
        f"is the centre's share of the patients enrolled so far ({enrolled} of {total}); it is not a target "
        "the protocol sets."
    )


# --- Event maturity -----------------------------------------------------------------------------------------


def short_name(paramcd: str) -> str:
    """Return the short name of an endpoint (``"NEST-FS"``), else its code."""
    return SHORT_ENDPOINTS.get(paramcd, paramcd)


def no_endpoint_rows(paramcd: str, study: StudyDefinition | None = None) -> str:
    """Return why there is no event maturity: ADTTE lacks the endpoint (said after "Not available: ")."""
    labels = (default_study() if study is None else study).endpoint_labels
    return f"ADTTE has no {labels.get(paramcd, paramcd)} ({paramcd}) rows."


def scenario_label(scenarios: MaturityScenarios, code: str) -> str:
    """Return the legend label of one scenario of :attr:`MaturityScenarios.drawn`.

    Parameters
    ----------
    scenarios : MaturityScenarios
        Both projections.
    code : str
        :data:`~medcare_metrics.enrollment.FITTED` or :data:`~medcare_metrics.enrollment.BENCHMARK`.

    Returns
    -------
    str
        ``"Fitted rate: 2 events in 23 patient-months"`` or ``"Benchmark median 21 months (SBRT or
        metastasectomy)"``; ``code`` itself when unknown.
    """
    fitted = scenarios.fitted
    if code == FITTED:
        return f"Fitted rate: {plural(fitted.events, 'event')} in {fitted.exposure_months:.0f} patient-months"
    if code == BENCHMARK and scenarios.benchmark is not None:
        return f"Benchmark median {scenarios.benchmark.median:g} months ({scenarios.benchmark.population})"
    return code


def scenario_lines(scenarios: MaturityScenarios) -> tuple[tuple[str, EventMaturity], ...]:
    """Return label and projection of each scenario to draw (:attr:`MaturityScenarios.drawn`, labelled)."""
    return tuple((scenario_label(scenarios, code), result) for code, result in scenarios.drawn)


def maturity_metrics(scenarios: MaturityScenarios) -> tuple[tuple[str, str, str], ...]:
    """Return label, value and help text of the headline numbers of the event maturity.

    Parameters
    ----------
    scenarios : MaturityScenarios
        Both projections.

    Returns
    -------
    tuple of (str, str, str)
        Events so far, at risk, fitted median, follow-up ended.
    """
    fitted = scenarios.fitted
    if fitted.events == 0:
        median = "n/a"
        median_help = "No event yet: no rate can be fitted."
    else:
        upper = fitted.median_upper_months
        upper_text = "not estimable" if math.isinf(upper) else f"{upper:.1f}"
        median = f"{fitted.median_months:.1f} months"
        median_help = (
            f"ln 2 / fitted rate, exponential model; 95% CI {fitted.median_lower_months:.1f} to "
            f"{upper_text} months (exact Poisson interval of the rate)."
        )
    return (
        (f"{short_name(scenarios.paramcd)} events", str(fitted.events), "Events so far (CNSR = 0)."),
        ("At risk", str(fitted.at_risk), "Censored patients still followed: they can still have an event."),
        ("Fitted median", median, median_help),
        (
            "Follow-up ended",
            str(fitted.follow_up_ended),
            "Censored patients who completed or left the study, or died: no further event expected.",
        ),
    )


def median_text(fitted: EventMaturity) -> str:
    """Return the fitted median with its confidence interval, in words (empty without events)."""
    if fitted.events == 0:
        return ""
    upper = fitted.median_upper_months
    upper_text = "not estimable" if math.isinf(upper) else f"{upper:.1f} months"
    return (
        f"Fitted median {fitted.median_months:.1f} months "
        f"(95% CI {fitted.median_lower_months:.1f} months to {upper_text}) from "
        f"{plural(fitted.events, 'event')} in {fitted.exposure_months:.0f} patient-months."
    )


def reached_text(label: str, needed: int, when: pd.Timestamp | None) -> str:
    """Return the sentence: by which date ``needed`` events are expected under scenario ``label``."""
    text = "not reachable with the patients at risk and to come" if when is None else f"**{when:%Y-%m-%d}**"
    return f"{label}: {needed} events expected by {text}"


def reached_lines(scenarios: MaturityScenarios) -> tuple[str, ...]:
    """Return one :func:`reached_text` per drawn scenario (empty without a number of events needed)."""
    if not scenarios.events_needed:
        return ()
    needed = int(scenarios.events_needed)
    return tuple(
        reached_text(scenario_label(scenarios, code), needed, when) for code, when in scenarios.reached()
    )


def maturity_note(future: int) -> str:
    """Return how the projection is computed, for a caption; ``future`` patients still to be enrolled."""
    return (
        "Expected events by a date = events so far + for each patient at risk the probability of an "
        "event between their last follow-up and that date, under an exponential model (constant "
        "hazard). The rate is fitted (events / total follow-up) or set from the historical benchmark "
        "median. Kaplan-Meier is not used because it cannot project past the longest follow-up. These "
        "are expectations, not intervals."
        + (
            f" The {plural(future, 'patient')} still to be enrolled are counted from their predicted "
            "(median) enrollment dates."
            if future
            else ""
        )
    )


def maturity_caption(scenarios: MaturityScenarios) -> str:
    """Return the caption under the maturity figure: the fitted median, then how the projection works."""
    return f"{median_text(scenarios.fitted)} {maturity_note(scenarios.fitted.future)}".strip()


def scenario_names(scenarios: MaturityScenarios, codes: Sequence[str]) -> list[str]:
    """Return the label of each scenario code in ``codes`` (for the SCENARIO column of a download)."""
    return [scenario_label(scenarios, code) for code in codes]
