"""View of the Overview page: the headline numbers, enrollment against target, what changed since a date."""

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
from medcare_metrics.subjects import first_entry_date
from medcare_metrics.text import overview as text
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
class OverviewView:
    """Everything the Overview page shows.

    Attributes
    ----------
    summary : TrialSummary
        The headline numbers.
    cards : tuple of tuple of MetricCard
        The numbers as drawn, in rows.
    progress : pandas.DataFrame
        Enrollment against target (CATEGORY, PATIENTS), the figure's input.
    target : int or None
        The target enrollment, marked on the figure; None when the study names none (no mark).
    changes : ChangesSection or None
        What changed since the chosen date; None when the data hold no date.
    """

    summary: TrialSummary
    cards: tuple[tuple[MetricCard, ...], ...]
    progress: pd.DataFrame
    target: int | None
    changes: ChangesSection | None


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


def _cards(scope: ViewScope, summary: TrialSummary) -> tuple[tuple[MetricCard, ...], ...]:
    threshold = scope.settings.at_risk_threshold
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
            _card(summary, "on_study", "On study", summary.on_study),
            _card(
                summary,
                "latest_enrollment",
                "Latest enrollment",
                None if latest is None else f"{latest:%Y-%m-%d}",
                text.latest_enrollment_note(summary.latest_enrollment_column),
            ),
        ),
        (
            _card(summary, "nestfs_events", "NEST-FS events", summary.nestfs_events),
            _card(summary, "pfs_events", "PFS events", summary.pfs_events),
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
                summary.grade3_patients,
                "" if high is None else text.high_grade_note(high),
            ),
        ),
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
    return OverviewView(
        summary=summary,
        cards=_cards(scope, summary),
        progress=enrollment_progress(summary, overall),
        target=summary.target,
        changes=_changes(scope, controls.since),
    )
