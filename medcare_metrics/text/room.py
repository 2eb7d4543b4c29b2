"""Wording of the lines every page shows above its content.

The replay and changed-setting banners, and presentation mode's one-line filter summary.
"""

from __future__ import annotations

from datetime import date

from medcare_metrics.protocol import TrialSettings


def replay_banner(as_of: date, cutoff: date, cutoff_label: str = "cut-off") -> str:
    """Say that the view replays the trial at an earlier date than the data's.

    Parameters
    ----------
    as_of : datetime.date
        The replayed date.
    cutoff : datetime.date
        The data cut-off (or the latest date in the data).
    cutoff_label : str, default "cut-off"
        ``"cut-off"`` or ``"latest date in the data"``.

    Returns
    -------
    str
        ``"Replayed as of 2023-06-30, not the data cut-off 2025-06-30: later enrollments, events and adverse
        events are hidden."``
    """
    what = "the data cut-off" if cutoff_label == "cut-off" else f"the {cutoff_label}"
    return (
        f"Replayed as of {as_of:%Y-%m-%d}, not {what} {cutoff:%Y-%m-%d}: later enrollments, events and "
        "adverse events are hidden."
    )


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "none"
    return f"{value:g}{unit}"


def settings_banner(settings: TrialSettings, study: TrialSettings) -> str | None:
    """Say which trial settings differ from the study file's, or None when none does.

    Parameters
    ----------
    settings : TrialSettings
        The settings in use (the sidebar's).
    study : TrialSettings
        The study file's (``TrialSettings.from_study``).

    Returns
    -------
    str or None
        ``"Target changed to 24; study file: 18."``, with the planned accrual period likewise.
    """
    parts = []
    if settings.target_enrollment != study.target_enrollment:
        parts.append(
            f"Target changed to {_number(settings.target_enrollment)}; "
            f"study file: {_number(study.target_enrollment)}."
        )
    if settings.planned_accrual_months != study.planned_accrual_months:
        parts.append(
            f"Planned accrual changed to {_number(settings.planned_accrual_months, ' months')}; "
            f"study file: {_number(study.planned_accrual_months, ' months')}."
        )
    return " ".join(parts) or None


def presentation_line(patients: str, filters: str) -> str:
    """Return presentation mode's line at the top of a page (Markdown; ``filters`` already escaped).

    ``":material/filter_alt: **7 of 18 patients** · Filters: Centre: UZ Leuven"``.
    """
    shown = "No filters" if filters in ("", "No filters") else f"Filters: {filters}"
    return f":material/filter_alt: **{patients}** · {shown}"
