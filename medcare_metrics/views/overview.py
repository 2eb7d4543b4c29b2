"""View of the Overview page: where the trial stands.

One status sentence, the headline numbers (each count over its denominator), the median follow-up, a small
curve of the primary endpoint with its benchmark, enrollment against target and what changed since a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from medcare_metrics.cuts import SinceWindow, changes_since, since_window
from medcare_metrics.overview import (
    TrialSummary,
    count_enrolled,
    enrollment_progress,
    screen_failures_outside,
    trial_summary,
)
from medcare_metrics.rules import enrolled_mask
from medcare_metrics.subjects import first_entry_date
from medcare_metrics.survival import benchmark_table, endpoints, km_curve, time_to_event
from medcare_metrics.survival.followup import FollowUp, followup_endpoint, median_followup
from medcare_metrics.text import overview as text
from medcare_metrics.text.common import plain_text
from medcare_metrics.views.scope import ViewScope


@dataclass(frozen=True)
class OverviewChoices:
    """What the page's "Changes since" date offers.

    Attributes
    ----------
    since : SinceWindow or None
        Bounds and default of the date (shared with the Patients page); None when the data hold no date, and
        the page then shows no changes.
    """

    since: SinceWindow | None


@dataclass(frozen=True)
class OverviewControls:
    """The page's widget values.

    Attributes
    ----------
    since : datetime.date or None
        Start of the "changes since" window (excluded); None, or a date outside the bounds, means the
        default of :func:`medcare_metrics.cuts.since_window`.
    """

    since: date | None = None


@dataclass(frozen=True)
class MetricCard:
    """One headline number with its label and the caption saying what it counts.

    Attributes
    ----------
    measure : str
        Key of the measure (:data:`medcare_metrics.overview.MEASURE_KEYS`).
    label : str
        The card's label.
    value : str
        The number as shown; ``"n/a"`` when the data cannot give it.
    caption : str
        What it counts, or why it is not available (Markdown).
    """

    measure: str
    label: str
    value: str
    caption: str


@dataclass(frozen=True)
class ChangesSection:
    """What changed in the window ``(since, until]``, counted.

    Attributes
    ----------
    since, until : datetime.date
        The window: ``since`` excluded (clamped to the window's bounds), ``until`` (the view's date)
        included.
    caption : str
        The window in words.
    counts : tuple of (str, int)
        ``(label, count)`` per kind of change, in :data:`medcare_metrics.cuts.CHANGE_LABELS` order; kinds the
        data cannot answer are left out.
    """

    since: date
    until: date
    caption: str
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PrimaryCurve:
    """The small curve of the primary endpoint on the Overview.

    Attributes
    ----------
    paramcd : str
        The primary endpoint.
    title : str
        Heading above the figure.
    curve : pandas.DataFrame
        :func:`medcare_metrics.survival.km_curve` of the enrolled patients, in months (TAIL marks the thinly
        populated end).
    benchmarks : pandas.DataFrame
        :func:`medcare_metrics.survival.benchmark_table` in months; empty without a benchmark.
    events, n : int
        Events and patients in the estimate.
    caption : str
        What the figure shows.
    """

    paramcd: str
    title: str
    curve: pd.DataFrame
    benchmarks: pd.DataFrame
    events: int
    n: int
    caption: str


@dataclass(frozen=True)
class OverviewView:
    """Everything the Overview page shows.

    Attributes
    ----------
    summary : TrialSummary
        The headline numbers.
    cards : tuple of tuple of MetricCard
        The numbers as drawn, in rows.
    numbers : pandas.DataFrame
        The same numbers as a table to download: MEASURE (key), LABEL, VALUE (as shown) and DESCRIPTION
        (the card's caption as plain text), a row per card.
    progress : pandas.DataFrame
        Enrollment against target (CATEGORY, PATIENTS), the figure's input.
    target : int or None
        The target enrollment, marked on the figure; None when the study names none (no mark).
    changes : ChangesSection or None
        What changed since the chosen date; None when the data hold no date.
    status : str
        One sentence of where the trial stands (enrollment, follow-up, primary-endpoint events, median
        follow-up), drawn first.
    followup : FollowUp or None
        Median follow-up by reverse Kaplan-Meier, in months; None without time-to-event data.
    primary : PrimaryCurve or None
        The small curve of the primary endpoint; None when the data have none.
    primary_unavailable : str
        Why there is no curve (empty when there is one).
    """

    summary: TrialSummary
    cards: tuple[tuple[MetricCard, ...], ...]
    numbers: pd.DataFrame
    progress: pd.DataFrame
    target: int | None
    changes: ChangesSection | None
    status: str = ""
    followup: FollowUp | None = None
    primary: PrimaryCurve | None = None
    primary_unavailable: str = ""


def overview_choices(scope: ViewScope) -> OverviewChoices:
    """Return the bounds and default of the page's "Changes since" date.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    OverviewChoices
        The window from the trial's first entry date to the view's date; None without a date.
    """
    if scope.as_of is None:
        return OverviewChoices(None)
    return OverviewChoices(since_window(first_entry_date(scope.full.adsl), scope.as_of))


def _card(summary: TrialSummary, measure: str, label: str, value: object, extra: str = "") -> MetricCard:
    reason = summary.reason(measure)
    caption = text.not_available(reason) if reason else f"{text.describe(summary, measure)} {extra}".strip()
    return MetricCard(measure, label, "n/a" if value is None else str(value), caption)


def _over(count: int | None, denominator: int) -> str | None:
    """Return a count over its denominator (``"13 of 18"``), None when unavailable."""
    return None if count is None else text.of_enrolled(count, denominator)


def _cards(
    scope: ViewScope, summary: TrialSummary, followup: FollowUp | None
) -> tuple[tuple[MetricCard, ...], ...]:
    threshold = scope.settings.at_risk_threshold
    enrolled = summary.enrolled
    denominator = text.enrolled_caption(enrolled)
    median = summary.nestfs_median
    latest = summary.latest_enrollment
    enrolled_extra = (
        text.ENRLFL_DERIVED if any(n.startswith("ADSL.ENRLFL derived") for n in scope.full.notes) else ""
    )
    # A filter on a column screen failures lack (MDT type, ...) silently drops them from "Screened".
    outside = screen_failures_outside(scope.unfiltered.adsl, scope.filters)
    screened_extra = f"**{text.screen_failures_note(outside)}**" if outside is not None else ""
    high = summary.high_grade
    return (
        (
            _card(summary, "enrolled", "Enrolled", text.enrolled_value(summary), enrolled_extra),
            _card(summary, "screened", "Screened", summary.screened, screened_extra),
            _card(summary, "on_study", "On study", _over(summary.on_study, enrolled), denominator),
            _card(
                summary,
                "latest_enrollment",
                "Latest enrollment",
                None if latest is None else f"{latest:%Y-%m-%d}",
                text.latest_enrollment_note(summary.latest_enrollment_column),
            ),
        ),
        (
            _card(
                summary,
                "nestfs_events",
                "NEST-FS events",
                _over(summary.nestfs_events, enrolled),
                denominator,
            ),
            _card(summary, "pfs_events", "PFS events", _over(summary.pfs_events, enrolled), denominator),
            _card(
                summary,
                "nestfs_median",
                "Median NEST-FS",
                None if median is None else text.median_value(median),
                "" if median is None else text.median_note(median, threshold),
            ),
            _card(
                summary,
                "grade3_patients",
                text.high_grade_card_label(high),
                summary.grade3_patients
                if high is None
                else text.of_enrolled(high.n_patients, high.n_population),
                "" if high is None else text.high_grade_note(high),
            ),
            _followup_card(followup),
        ),
    )


def numbers_table(cards: tuple[tuple[MetricCard, ...], ...]) -> pd.DataFrame:
    """Return the headline numbers as a table, a row per card in the order drawn.

    Parameters
    ----------
    cards : tuple of tuple of MetricCard
        The cards, in rows.

    Returns
    -------
    pandas.DataFrame
        MEASURE, LABEL, VALUE (text, as shown) and DESCRIPTION (the caption without Markdown).
    """
    rows = [(card.measure, card.label, card.value, plain_text(card.caption)) for row in cards for card in row]
    return pd.DataFrame(rows, columns=["MEASURE", "LABEL", "VALUE", "DESCRIPTION"], dtype=object)


def _followup_card(followup: FollowUp | None) -> MetricCard:
    if followup is None:
        return MetricCard(
            "followup", text.FOLLOWUP_LABEL, "n/a", text.not_available("No OS or primary-endpoint records.")
        )
    caption = text.followup_caption(
        followup.paramcd, followup.lower, followup.upper, followup.n, followup.censored
    )
    value = text.months(followup.median) if followup.reached else "Not reached"
    return MetricCard("followup", text.FOLLOWUP_LABEL, value, caption)


def _enrolled_rows(scope: ViewScope, paramcd: str) -> pd.DataFrame:
    """ADTTE rows of one endpoint for the selection's enrolled patients."""
    adsl = scope.trial.adsl
    subjects = set(adsl.loc[enrolled_mask(adsl), "USUBJID"])
    adtte = scope.trial.adtte
    assert adtte is not None
    return adtte.loc[adtte["PARAMCD"].eq(paramcd) & adtte["USUBJID"].isin(subjects)]


def _primary_and_followup(scope: ViewScope) -> tuple[PrimaryCurve | None, str, FollowUp | None]:
    """Return the primary endpoint's small curve (or why there is none) and the median follow-up."""
    adtte = scope.trial.adtte
    if adtte is None:
        return None, "No ADTTE dataset (time-to-event) in this source.", None
    study = scope.full.study
    available = endpoints(adtte)
    named = study.primary_endpoint
    primary = named.paramcd if named is not None else (available[0] if available else None)
    followup = None
    code = followup_endpoint(tuple(available), primary)
    if code is not None:
        rows = _enrolled_rows(scope, code)
        try:
            followup = None if rows.empty else median_followup(time_to_event(rows, code, unit="MONTHS"), code)
        except ValueError:  # an unknown time unit: the card says n/a rather than failing the page
            followup = None
    if primary is None or primary not in available:
        return None, f"ADTTE has no {primary or 'time-to-event'} records.", followup
    rows = _enrolled_rows(scope, primary)
    if rows.empty:
        return None, f"No enrolled patient has a {primary} record.", followup
    try:
        tte = time_to_event(rows, primary, unit="MONTHS")
    except ValueError as exc:
        return None, f"{primary} times cannot be used: {exc}.", followup
    benchmarks = benchmark_table(primary, "MONTHS", study)
    sources = sorted(set(benchmarks["SOURCE"].astype(str))) if not benchmarks.empty else []
    label = study.endpoint_labels.get(primary) or primary
    events, n = int(tte["EVENT"].sum()), len(tte)
    curve = PrimaryCurve(
        paramcd=primary,
        title=text.primary_curve_title(label) if sources else label,
        curve=km_curve(tte, at_risk_threshold=scope.settings.at_risk_threshold),
        benchmarks=benchmarks,
        events=events,
        n=n,
        caption=text.primary_curve_caption(primary, events, n, "; ".join(sources) or None),
    )
    return curve, "", followup


def _status(
    scope: ViewScope, summary: TrialSummary, primary: PrimaryCurve | None, followup: FollowUp | None
) -> str:
    return text.status_sentence(
        enrolled_trial=count_enrolled(scope.unfiltered.adsl),
        target=summary.target,
        selected=summary.enrolled if scope.filters else None,
        on_study=summary.on_study,
        endpoint=None if primary is None else text.endpoint_short_name(primary.paramcd),
        events=None if primary is None else primary.events,
        at_risk_n=None if primary is None else primary.n,
        followup_months=None if followup is None else followup.median,
    )


def _changes(scope: ViewScope, since: date | None) -> ChangesSection | None:
    if scope.as_of is None:
        return None
    window = since_window(first_entry_date(scope.full.adsl), scope.as_of)
    start = window.clamp(since)
    counts = changes_since(scope.trial, start, scope.as_of).counts()
    return ChangesSection(
        since=start,
        until=scope.as_of,
        caption=text.changes_window(start, scope.as_of),
        counts=tuple(counts.items()),
    )


def overview_view(scope: ViewScope, controls: OverviewControls) -> OverviewView:
    """Return everything the Overview page shows.

    Parameters
    ----------
    scope : ViewScope
        The view (the selected patients, as of the chosen date).
    controls : OverviewControls
        The start of the "changes since" window.

    Returns
    -------
    OverviewView
        The headline numbers with their captions, the enrollment progress and the changes since the date.
        "Grade ≥ 3 toxicity" counts as the Toxicity page does by default (safety population,
        treatment-emergent events when ADAE records them) and its caption says so.
    """
    summary = trial_summary(scope.trial, scope.settings)
    # Under a filter the others enrolled in the trial are "not in the selection" on the progress bar.
    overall = count_enrolled(scope.unfiltered.adsl) if scope.filters else None
    primary, primary_unavailable, followup = _primary_and_followup(scope)
    cards = _cards(scope, summary, followup)
    return OverviewView(
        summary=summary,
        cards=cards,
        numbers=numbers_table(cards),
        progress=enrollment_progress(summary, overall),
        target=summary.target,
        changes=_changes(scope, controls.since),
        status=_status(scope, summary, primary, followup),
        followup=followup,
        primary=primary,
        primary_unavailable=primary_unavailable,
    )
