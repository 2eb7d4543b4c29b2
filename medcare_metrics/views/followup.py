"""View of the Patients page's Follow-up tab: per patient on study, the next visit due and whether late."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from medcare_metrics.patients.followup import (
    DUE,
    OVERDUE,
    assessment_sources,
    follow_up_by_centre,
    follow_up_due,
    patient_status,
)
from medcare_metrics.text import followup as text
from medcare_metrics.views.scope import ViewScope


@dataclass(frozen=True)
class FollowUpControls:
    """The Follow-up tab's widget values.

    Attributes
    ----------
    only_late : bool
        List only the assessments due now or overdue (the counts always cover every patient on study).
    """

    only_late: bool = False


@dataclass(frozen=True)
class FollowUpView:
    """The Follow-up tab.

    Attributes
    ----------
    unavailable : str
        Why nothing can be shown (no visit schedule in the study file, no date in the data); else empty.
    patients : pandas.DataFrame
        One row per patient on study and assessment (:func:`medcare_metrics.patients.followup.follow_up_due`).
    shown : pandas.DataFrame
        The rows the tab lists (all, or only due and overdue ones).
    by_centre : pandas.DataFrame
        Patients on study, due and overdue per centre
        (:func:`medcare_metrics.patients.followup.follow_up_by_centre`).
    sentence, schedule, rules : str
        The counts (Markdown), the schedule in words and how the tab decides (Markdown bullets).
    none_on_study : str
        Said when no patient of the selection is on study; else empty.
    """

    unavailable: str = ""
    patients: pd.DataFrame = field(default_factory=pd.DataFrame)
    shown: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_centre: pd.DataFrame = field(default_factory=pd.DataFrame)
    sentence: str = ""
    schedule: str = ""
    rules: str = ""
    none_on_study: str = ""


def follow_up_view(scope: ViewScope, controls: FollowUpControls) -> FollowUpView:
    """Return the Follow-up tab: who is due or overdue for a visit of the study's schedule, by centre.

    Parameters
    ----------
    scope : ViewScope
        The view (the selected patients as of the view date; the schedule from the study file).
    controls : FollowUpControls
        Whether only due and overdue assessments are listed.

    Returns
    -------
    FollowUpView
        Tables and sentences; only :attr:`FollowUpView.unavailable` when the study file names no schedule or
        the data hold no date.
    """
    schedule = scope.full.study.visit_schedule
    if schedule is None:
        return FollowUpView(unavailable=text.NO_SCHEDULE)
    if scope.as_of is None:
        return FollowUpView(unavailable=text.NO_DATE)
    trial = scope.trial
    sources = assessment_sources(trial, schedule)
    due = follow_up_due(trial, schedule, scope.as_of, sources)
    basis = tuple((a.name, source[1]) for a, source in zip(schedule.assessments, sources, strict=True))
    common = {
        "schedule": text.schedule_text(
            tuple((a.name, a.every_months) for a in schedule.assessments), schedule.tolerance_days
        ),
        "rules": text.rules_text(basis),
    }
    if due.empty:
        return FollowUpView(patients=due, shown=due, none_on_study=text.NONE_ON_STUDY, **common)
    status = patient_status(due)["STATUS"]
    shown = due.loc[due["STATUS"].isin((OVERDUE, DUE))] if controls.only_late else due
    return FollowUpView(
        patients=due,
        shown=shown.reset_index(drop=True),
        by_centre=follow_up_by_centre(due),
        sentence=text.follow_up_sentence(
            len(status), int(status.eq(DUE).sum()), int(status.eq(OVERDUE).sum()), scope.as_of
        ),
        **common,
    )
