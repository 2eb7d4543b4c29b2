"""Dashboard trial settings: the values a user may change, their bounds, and their check.

The study's own facts (target enrollment, endpoints, benchmarks, categories, eligibility) live in its study
file (:mod:`medcare_metrics.study`; MEDCARE's is ``medcare_metrics/study/medcare.toml``). The settings start
from the loaded trial's study (:meth:`TrialSettings.from_study`); no number of a study is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Re-exported for older imports: time units and plausibility are ADaM rules, defined in medcare_metrics.rules.
from medcare_metrics.rules import DAYS_PER_MONTH as DAYS_PER_MONTH
from medcare_metrics.rules import DAYS_PER_WEEK as DAYS_PER_WEEK
from medcare_metrics.rules import MAX_TIME_TO_EVENT_YEARS as MAX_TIME_TO_EVENT_YEARS
from medcare_metrics.study import StudyDefinition, default_study


@dataclass(frozen=True)
class TrialSettings:
    """Settings of the dashboard, starting from the study definition; a user may change some of them.

    Without arguments the settings are those of MEDCARE's built-in study file; :meth:`from_study` takes them
    from another study.

    Attributes
    ----------
    target_enrollment : int or None
        Enrolled patients planned; None when the study names no target (counts are then shown without
        "of N", and no figure draws a target).
    planned_accrual_months : float or None
        Planned accrual period in months; None when the study names none.
    at_risk_threshold : int
        Kaplan-Meier curves are greyed where fewer than this many patients are at risk (the study's
        ``small_numbers_threshold``).
    acute_window_days : int
        AEs with onset up to this many days after the MDT start are acute; later ones are late.
    alpha_beta_gy : float
        Alpha/beta ratio for BED and EQD2.
    landmark_months : tuple of float
        Landmark times for survival estimates.
    """

    target_enrollment: int | None = field(default_factory=lambda: default_study().target_enrollment)
    planned_accrual_months: float | None = field(
        default_factory=lambda: default_study().planned_accrual_months
    )
    at_risk_threshold: int = field(default_factory=lambda: default_study().small_numbers_threshold)
    acute_window_days: int = field(default_factory=lambda: default_study().acute_window_days)
    alpha_beta_gy: float = field(default_factory=lambda: default_study().alpha_beta_gy)
    landmark_months: tuple[float, ...] = field(default_factory=lambda: default_study().landmark_months)

    @classmethod
    def from_study(cls, study: StudyDefinition) -> TrialSettings:
        """Return the settings a study definition gives.

        Parameters
        ----------
        study : StudyDefinition
            The loaded trial's study (``TrialData.study``).

        Returns
        -------
        TrialSettings
            Target, planned accrual, small-numbers threshold, acute window, alpha/beta and landmarks of the
            study.
        """
        return cls(
            target_enrollment=study.target_enrollment,
            planned_accrual_months=study.planned_accrual_months,
            at_risk_threshold=study.small_numbers_threshold,
            acute_window_days=study.acute_window_days,
            alpha_beta_gy=study.alpha_beta_gy,
            landmark_months=study.landmark_months,
        )


#: MEDCARE's settings (its built-in study file); the default of functions called without settings.
DEFAULT_SETTINGS = TrialSettings()

#: Inclusive bounds of the settings a user may change, in the sidebar or the address (``?target=``,
#: ``?accrual=``): target enrollment in patients, planned accrual period in months.
TARGET_ENROLLMENT_BOUNDS: tuple[int, int] = (1, 10_000)
PLANNED_ACCRUAL_MONTHS_BOUNDS: tuple[float, float] = (1.0, 600.0)


def check_settings(settings: TrialSettings) -> None:
    """Raise ValueError when the user-editable settings are outside their bounds.

    Parameters
    ----------
    settings : TrialSettings
        Settings to check: ``target_enrollment`` (None, or a whole number in :data:`TARGET_ENROLLMENT_BOUNDS`)
        and ``planned_accrual_months`` (None, or in :data:`PLANNED_ACCRUAL_MONTHS_BOUNDS`).

    Raises
    ------
    ValueError
        Naming the setting, its value and its bounds.
    """
    target = settings.target_enrollment
    low, high = TARGET_ENROLLMENT_BOUNDS
    if target is not None and not (low <= target <= high and float(target).is_integer()):
        raise ValueError(f"target enrollment must be a whole number from {low} to {high:,}, got {target!r}")
    months = settings.planned_accrual_months
    low_m, high_m = PLANNED_ACCRUAL_MONTHS_BOUNDS
    if months is not None and not low_m <= months <= high_m:  # False for NaN
        raise ValueError(f"planned accrual period must be {low_m:g} to {high_m:g} months, got {months!r}")
