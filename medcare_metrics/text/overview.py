"""Sentences of the Overview page: what each headline number counts, and the notes that qualify it."""

from __future__ import annotations

from datetime import date

import numpy as np

from medcare_metrics.overview import MEASURE_KEYS, MedianEstimate, ScreenFailuresOutside, TrialSummary
from medcare_metrics.text.common import format_date, plural
from medcare_metrics.text.toxicity import high_grade_count_text, high_grade_label
from medcare_metrics.toxicity import HighGradeCount
from medcare_metrics.variables import VARIABLE_LABELS

INTRO = "Where the trial stands. Each number says what it counts."
#: Above the download of the headline numbers.
NUMBERS_DOWNLOAD = "These numbers and what each counts, as a table:"
#: Under the "Enrolled" card when loading derived ENRLFL.
ENRLFL_DERIVED = "ENRLFL was derived while loading (see Data quality)."
#: Help of the "Changes since" date.
CHANGES_HELP = "For example the last steering committee. Default: three months before the view's date."
#: Label of the grade >= 3 card when the data cannot give the count.
HIGH_GRADE_LABEL = "Grade ≥ 3 toxicity"

#: What each measure counts, in plain words (the overview page shows these as captions).
MEASURES: dict[str, str] = {
    "enrolled": "Patients registered (ADSL.ENRLFL = Y), against the protocol's target.",
    "screened": "Every screened subject in ADSL, screen failures included.",
    "on_study": "Enrolled patients alive and not COMPLETED or DISCONTINUED (EOSSTT).",
    "nestfs_events": "Enrolled patients with a NEST-FS event (CNSR = 0): next systemic therapy or death.",
    "pfs_events": "Enrolled patients with a PFS event (CNSR = 0): PCWG3 progression or death.",
    "nestfs_median": (
        "Kaplan-Meier median NEST-free survival of the enrolled patients; not reached while more than half "
        "are event-free."
    ),
    "grade3_patients": (
        "Patients with an AE of CTCAE grade 3 or higher, any attribution, counted as on the Toxicity page."
    ),
    "latest_enrollment": "Latest registration date of an enrolled patient (ENRLDT).",
}
#: Wording of :data:`MEASURES` for a study other than MEDCARE, whose ADTTE defines its own endpoints.
OTHER_STUDY_MEASURES: dict[str, str] = {
    "nestfs_events": "Enrolled patients with a NESTFS event (CNSR = 0), as this study's ADTTE defines it.",
    "pfs_events": "Enrolled patients with a PFS event (CNSR = 0), as this study's ADTTE defines it.",
}
#: :data:`MEASURES` ``"enrolled"`` when the study names no target enrollment (``{n}``: patients enrolled).
NO_TARGET_MEASURE = (
    "{n} enrolled: patients registered (ADSL.ENRLFL = Y); the study names no target enrollment."
)
#: :data:`MEASURES` ``"grade3_patients"`` on data without a CTCAE grade, where AESEV stands in.
SEVERE_MEASURE = (
    "Patients with a SEVERE AE (AESEV: the data have no CTCAE grade), any attribution, counted as on the "
    "Toxicity page."
)


def describe(summary: TrialSummary, measure: str) -> str:
    """Return what ``measure`` counts, in the protocol's words for MEDCARE data and neutrally otherwise.

    Parameters
    ----------
    summary : TrialSummary
        The overview numbers (whether the data are MEDCARE, how grade >= 3 was counted).
    measure : str
        One of :data:`medcare_metrics.overview.MEASURE_KEYS`.

    Returns
    -------
    str
        The description.

    Raises
    ------
    KeyError
        For an unknown measure.
    """
    if measure not in MEASURE_KEYS:
        raise KeyError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURE_KEYS)}")
    if measure == "enrolled" and summary.target is None:
        return NO_TARGET_MEASURE.format(n=summary.enrolled)
    if not summary.protocol_study and measure in OTHER_STUDY_MEASURES:
        return OTHER_STUDY_MEASURES[measure]
    if measure == "grade3_patients" and summary.high_grade is not None and summary.high_grade.uses_severity:
        return SEVERE_MEASURE
    return MEASURES[measure]


def enrolled_value(summary: TrialSummary) -> str:
    """Return the "Enrolled" number: ``"12 of 18"`` against the study's target, ``"254"`` without one."""
    if summary.target is None:
        return str(summary.enrolled)
    return f"{summary.enrolled} of {summary.target}"


def not_available(reason: str) -> str:
    """Return the caption of a number the data cannot give: ``"Not available: <reason>"``."""
    return f"Not available: {reason}"


def months(value: float) -> str:
    """Return a time in months (``"9.9 months"``), or ``"not reached"`` for NaN."""
    return "not reached" if np.isnan(value) else f"{value:.1f} months"


def small_numbers_note(median: MedianEstimate, threshold: int) -> str | None:
    """Say that a median rests on fewer than ``threshold`` patients at risk, or None.

    Parameters
    ----------
    median : MedianEstimate
        The Kaplan-Meier median.
    threshold : int
        Fewest patients at risk for a trustworthy estimate (``TrialSettings.at_risk_threshold``).

    Returns
    -------
    str or None
        A plain warning when the median or a confidence limit lies where fewer than ``threshold`` patients
        are at risk; None otherwise.
    """
    if median.fewest_at_risk is None or median.fewest_at_risk >= threshold:
        return None
    where = (
        "at the median"
        if median.at_risk is not None and median.at_risk == median.fewest_at_risk
        else "at a confidence limit"
    )
    word = "patient" if median.fewest_at_risk == 1 else "patients"
    return (
        f"Unreliable: the estimate rests on {median.fewest_at_risk} {word} at risk {where} "
        f"(fewer than {threshold})."
    )


def median_value(median: MedianEstimate) -> str:
    """Return the median NEST-FS card's value: ``"9.9 months"`` or ``"Not reached"``."""
    return f"{median.median:.1f} months" if median.reached else "Not reached"


def median_note(median: MedianEstimate, threshold: int) -> str:
    """Return what follows the median's description: its interval, events, patients and any caution.

    Parameters
    ----------
    median : MedianEstimate
        The Kaplan-Meier median.
    threshold : int
        Fewest patients at risk for a trustworthy estimate.

    Returns
    -------
    str
        ``"95% CI 3.3 months to not reached; 2 events in 4 patients."``, with the small-numbers warning in
        bold when it applies (Markdown).
    """
    ci = f"{median.conf_level:.0%} CI {months(median.lower)} to {months(median.upper)}"
    caution = small_numbers_note(median, threshold)
    text = f"{ci}; {plural(median.events, 'event')} in {median.n} patients."
    return text + (f" **{caution}**" if caution else "")


def screen_failures_note(outside: ScreenFailuresOutside) -> str:
    """Say plainly that screen failures lacking a filtered column are not in the selection.

    Parameters
    ----------
    outside : ScreenFailuresOutside
        From :func:`medcare_metrics.overview.screen_failures_outside`.

    Returns
    -------
    str
        The note, with the unfiltered number of screened subjects.
    """
    names = " or ".join(f"{VARIABLE_LABELS.get(c, c)} ({c})" for c in outside.columns)
    who = "screen failure has" if outside.n == 1 else "screen failures have"
    return (
        f"Screened is not comparable under this filter: {outside.n} {who} no {names} and so "
        f"{'is' if outside.n == 1 else 'are'} not in the selection. Without filters, "
        f"{outside.screened_overall} subjects were screened."
    )


def latest_enrollment_note(column: str | None) -> str:
    """Say where the registration date came from when ADSL has no ENRLDT (empty otherwise)."""
    return "" if column in (None, "ENRLDT") else f"Taken from {column}: no ENRLDT in the data."


def high_grade_card_label(count: HighGradeCount | None) -> str:
    """Return the grade >= 3 card's label: "Grade ≥ 3 toxicity", or "SEVERE toxicity" on severity data."""
    if count is None:
        return HIGH_GRADE_LABEL
    return f"{high_grade_label(count.uses_severity, count.high_grade)} toxicity"


def high_grade_note(count: HighGradeCount) -> str:
    """Return whom and which events the grade >= 3 card counts, as the Toxicity page says it.

    Parameters
    ----------
    count : HighGradeCount
        From :func:`medcare_metrics.toxicity.high_grade_patient_count`.

    Returns
    -------
    str
        ``'2 of 4 patients in the safety population (SAFFL = "Y"), treatment-emergent events.'``
    """
    return f"{high_grade_count_text(count)}."


def changes_window(since: date, until: date) -> str:
    """Return the sentence naming the window of the changes: ``(since, until]``."""
    return f"What is new between {format_date(since)} (excluded) and {format_date(until)} (included)."


#: Short names of endpoints in the status sentence and card labels; others go by their PARAMCD.
SHORT_ENDPOINT_NAMES: dict[str, str] = {"NESTFS": "NEST-FS", "PFS": "PFS", "OS": "OS"}
#: Label of the median follow-up card.
FOLLOWUP_LABEL = "Median follow-up"


def endpoint_short_name(paramcd: str) -> str:
    """Return an endpoint's short name (``"NEST-FS"`` for NESTFS), else its PARAMCD."""
    return SHORT_ENDPOINT_NAMES.get(paramcd, paramcd)


def of_enrolled(count: int, enrolled: int) -> str:
    """Return a count over the enrolled patients as a card shows it: ``"14 of 18"``."""
    return f"{count} of {enrolled}"


def enrolled_caption(enrolled: int) -> str:
    """Return the denominator sentence that starts a card's caption: ``"Of 18 enrolled patients."``."""
    return f"Of {plural(enrolled, 'enrolled patient')}."


def status_sentence(
    *,
    enrolled_trial: int,
    target: int | None,
    selected: int | None,
    on_study: int | None,
    endpoint: str | None,
    events: int | None,
    at_risk_n: int | None,
    followup_months: float | None,
) -> str:
    """Return the one sentence of where the trial stands, the Overview's first line.

    Parameters
    ----------
    enrolled_trial : int
        Enrolled patients of the whole trial (as of the view's date, before filters).
    target : int or None
        The target enrollment; None for a study without one (no "of N", no "complete").
    selected : int or None
        Enrolled patients under the filters; None when no filter is active.
    on_study : int or None
        Enrolled patients of the selection still on study; None when the data cannot say.
    endpoint : str or None
        Short name of the primary endpoint (``"NEST-FS"``); None when the data have none.
    events, at_risk_n : int or None
        Events of the primary endpoint and patients with a record of it (the selection's enrolled).
    followup_months : float or None
        Median follow-up (reverse Kaplan-Meier) in months; NaN when not reached, None when unavailable.

    Returns
    -------
    str
        ``"Enrollment complete (18 of 18); follow-up ongoing; 13 of 18 NEST-FS events; median follow-up
        21.3 months."``
    """
    if target is None:
        parts = [f"{enrolled_trial} enrolled"]
    elif enrolled_trial >= target:
        parts = [f"Enrollment complete ({enrolled_trial} of {target})"]
    else:
        parts = [f"Enrolling ({enrolled_trial} of {target})"]
    if selected is not None:
        parts.append(f"this selection: {plural(selected, 'patient')}")
    if on_study is not None:
        parts.append("follow-up ongoing" if on_study > 0 else "follow-up complete")
    if endpoint is not None and events is not None and at_risk_n is not None:
        parts.append(f"{events} of {at_risk_n} {endpoint} events")
    if followup_months is not None:
        parts.append(f"median follow-up {months(followup_months)}")
    return "; ".join(parts) + "."


def followup_caption(paramcd: str, lower: float, upper: float, n: int, censored: int) -> str:
    """Return what the median follow-up card counts, and its interval.

    Parameters
    ----------
    paramcd : str
        The endpoint whose times were used (OS, else the primary endpoint).
    lower, upper : float
        95% confidence limits in months (NaN: not reached).
    n, censored : int
        Patients, and those without an event at their last date (censored).

    Returns
    -------
    str
        ``"Reverse Kaplan-Meier on OS times (an OS event ends follow-up early, so it censors): 95% CI 23.0
        months to not reached; 14 of 18 without an OS event."``
    """
    return (
        f"Reverse Kaplan-Meier on {paramcd} times (an {paramcd} event ends follow-up early, so it censors): "
        f"95% CI {months(lower)} to {months(upper)}; {censored} of {n} without an {paramcd} event."
    )


def primary_curve_title(label: str) -> str:
    """Return the heading of the Overview's small curve: ``"NEST-free survival against the benchmark"``."""
    return f"{label} against the benchmark"


def primary_curve_caption(paramcd: str, events: int, n: int, benchmark: str | None) -> str:
    """Return the caption under the Overview's small curve of the primary endpoint.

    Parameters
    ----------
    paramcd : str
        The primary endpoint.
    events, n : int
        Events and enrolled patients with a record.
    benchmark : str or None
        Where the benchmark comes from (the study file's source); None when the study names none.

    Returns
    -------
    str
        What the curve and the diamonds show; the Survival page has the full analysis.
    """
    what = (
        f"Kaplan-Meier estimate of {paramcd} in the enrolled patients ({plural(events, 'event')} in {n}); "
        "faded where fewer patients remain at risk than the small-numbers threshold."
    )
    if benchmark:
        what += f" Markers: historical median with its 95% CI at 50% ({benchmark})."
    else:
        what += " The study file names no historical benchmark."
    return what + " The Survival page has the full analysis."
