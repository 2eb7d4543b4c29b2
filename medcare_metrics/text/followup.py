"""Sentences of the Patients page's Follow-up tab: who is due or overdue for a scheduled visit."""

from __future__ import annotations

from datetime import date

from medcare_metrics.text.common import plural

NO_SCHEDULE = "The study file names no visit schedule, so no visit can be due or overdue."
NO_DATE = "The data hold no date, so there is no date to compare the schedule with."
NONE_ON_STUDY = "No patient in the selection is on study (enrolled, not off study, alive)."
BY_CENTRE_TITLE = "**By centre**"
LIST_TITLE = "**Each patient and assessment**"


def schedule_text(assessments: tuple[tuple[str, float], ...], tolerance_days: int) -> str:
    """Return the schedule in words: ``"PSMA PET-CT every 3 months, PSA every 3 months; 30 days' tolerance"``.

    Parameters
    ----------
    assessments : tuple of (str, float)
        ``(name, every_months)`` per assessment, in the study file's order.
    tolerance_days : int
        Days either side of a due date.

    Returns
    -------
    str
        One line.
    """
    parts = ", ".join(
        f"{name} every {months:g} month{'' if months == 1 else 's'}" for name, months in assessments
    )
    window = plural(tolerance_days, "day")
    return f"{parts or 'No assessment'}; a visit counts as on time within {window} of its due date."


def rules_text(basis: tuple[tuple[str, str], ...]) -> str:
    """Return how the tab decides who is due (Markdown bullets).

    Parameters
    ----------
    basis : tuple of (str, str)
        ``(assessment, where its dates come from)`` per assessment.

    Returns
    -------
    str
        The definitions: on study, last contact, anchor, last assessment, next due and status.
    """
    sources = "; ".join(f"{name}: {where}" for name, where in basis)
    return "\n".join(
        [
            "- **On study**: enrolled, not off study (EOSSTT completed or discontinued) and not recorded as "
            "dead.",
            "- **Last contact**: the latest date recorded for the patient in any dataset up to the view date "
            "(the cut-off day itself and DCUTDT left out: they mark where the data stop).",
            "- **Schedule**: visits every N months from registration (ENRLDT, else RANDDT, else TRTSDT); "
            "a month is 365.25 / 12 days.",
            f"- **Last assessment** of each kind: {sources or 'none scheduled'}. Where the data hold no such "
            "dates, the last contact stands in.",
            "- **Next due**: the first scheduled visit whose window opens after the last assessment. "
            "**Overdue**: the window has closed (due date + tolerance) at the view date; **Due**: the window "
            "is open now.",
        ]
    )


def follow_up_sentence(on_study: int, due: int, overdue: int, as_of: date) -> str:
    """Return the tab's count sentence (Markdown).

    Parameters
    ----------
    on_study, due, overdue : int
        Patients on study, with a visit due now (most urgent), and with a visit overdue.
    as_of : datetime.date
        The view date.

    Returns
    -------
    str
        For example ``"As of 2025-06-30, **2 of 14 patients** on study are overdue and 7 have a visit due."``.
    """
    return (
        f"As of {as_of:%Y-%m-%d}, **{overdue} of {plural(on_study, 'patient')}** on study "
        f"{'is' if overdue == 1 else 'are'} overdue and {due} {'has' if due == 1 else 'have'} a visit due."
    )
