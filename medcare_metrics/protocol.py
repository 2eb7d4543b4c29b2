"""MEDCARE protocol facts and dashboard settings, in one editable place.

Values come from the registry listing and protocol summary (``shared/trial/MEDCARE.md``). Pages read them from
here; no page holds a trial number as a literal.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Re-exported for older imports: time units and plausibility are ADaM rules, defined in medcare_metrics.rules.
from medcare_metrics.rules import DAYS_PER_MONTH as DAYS_PER_MONTH
from medcare_metrics.rules import DAYS_PER_WEEK as DAYS_PER_WEEK
from medcare_metrics.rules import MAX_TIME_TO_EVENT_YEARS as MAX_TIME_TO_EVENT_YEARS

STUDYID = "MEDCARE"

#: Testosterone castrate level, ng/dL (inclusion: below it; exclusion: above it).
CASTRATE_TESTOSTERONE_NG_DL = 50.0
#: Oligoprogression: at most this many progressive/new lesions (a local recurrence counts as one).
MAX_LESIONS = 3
#: Highest eligible WHO performance status.
MAX_WHO_PS = 1
#: Minimum age in years.
MIN_AGE = 18

#: Eligibility criteria by code, as written in the protocol. ``SCRFCRIT`` in ADSL holds these codes.
ELIGIBILITY_CRITERIA: dict[str, str] = {
    "INC01": "Histologically proven prostate adenocarcinoma",
    "INC02": "mCRPC with testosterone < 50 ng/dL (1.7 nmol/L)",
    "INC03": "Oligoprogression: at most 3 extracranial metastases or local recurrence on CT + bone scan",
    "INC04": "Ongoing ADT, with or without abiraterone, enzalutamide, docetaxel or radium-223",
    "INC05": "Primary tumour treated, or local therapy added",
    "INC06": "WHO performance status 0-1",
    "INC07": "Age >= 18 years",
    "INC08": "No condition hampering compliance with protocol and follow-up",
    "INC09": "Presented at the multidisciplinary tumour board",
    "INC10": "Written informed consent before registration",
    "EXC01": "Serum testosterone above castrate level",
    "EXC02": "Polyprogression (more than 3 progressive/new lesions)",
    "EXC03": "Other active malignancy",
    "EXC04": "Prior treatment or comorbidity making MDT impossible",
    "EXC05": "Unable to understand the trial or give informed consent",
    "OTHER": "Other (not an eligibility criterion, e.g. patient decision)",
}

#: Patient-level MDT categories (ADSL.MDTTYPE).
MDT_TYPES: tuple[str, ...] = ("SBRT", "Surgery", "SBRT + surgery")
#: Lesion-level MDT (ADTU.MDTLES), the finer types of the protocol.
MDT_LESION_TYPES: tuple[str, ...] = (
    "SBRT",
    "Conventional RT",
    "Metastasectomy",
    "Salvage lymphadenectomy",
    "Salvage prostatectomy",
)
#: Radiotherapy modalities among MDT_LESION_TYPES (these carry dose and fractions).
RADIOTHERAPY_TYPES: frozenset[str] = frozenset({"SBRT", "Conventional RT"})
#: Lesion site categories (ADTU.TULOCCAT).
SITE_CATEGORIES: tuple[str, ...] = ("Bone", "Lymph node", "Visceral", "Local recurrence")
#: Ongoing systemic therapy (ADSL.SYSTHER).
SYSTEMIC_THERAPIES: tuple[str, ...] = (
    "ADT",
    "ADT + abiraterone",
    "ADT + enzalutamide",
    "ADT + docetaxel",
    "ADT + radium-223",
)
#: Primary-tumour treatment before registration (ADSL.PRIMTRT).
PRIMARY_TREATMENTS: tuple[str, ...] = ("Radiotherapy", "Radical prostatectomy", "Untreated")
#: Time-to-event parameters (ADTTE.PARAMCD), primary endpoint first.
ENDPOINTS: dict[str, str] = {
    "NESTFS": "NEST-free survival",
    "PFS": "Progression-free survival (PCWG3)",
    "OS": "Overall survival",
}


@dataclass(frozen=True)
class Benchmark:
    """A historical median with its 95% CI, in months."""

    paramcd: str
    population: str
    median: float
    lower: float
    upper: float
    source: str = "Retrospective Leuven/Gent analysis, 30 patients, doi 10.1016/j.euo.2019.08.012"


#: Historical benchmark (MEDCARE.md). The trial population is "SBRT or metastasectomy".
BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("NESTFS", "All MDT", 16.0, 10.0, 22.0),
    Benchmark("PFS", "All MDT", 10.0, 6.0, 15.0),
    Benchmark("NESTFS", "SBRT or metastasectomy", 21.0, 12.0, 21.0),
    Benchmark("PFS", "SBRT or metastasectomy", 10.0, 6.0, 14.0),
)


@dataclass(frozen=True)
class TrialSettings:
    """Settings with protocol defaults; the dashboard lets a user change some of them.

    Attributes
    ----------
    target_enrollment : int
        Enrolled patients planned (registry: 18).
    planned_accrual_months : float
        Planned accrual period in months (about two years).
    at_risk_threshold : int
        Kaplan-Meier curves are greyed where fewer than this many patients are at risk.
    acute_window_days : int
        AEs with onset up to this many days after the MDT start are acute; later ones are late.
    alpha_beta_gy : float
        Alpha/beta ratio for BED and EQD2 (prostate cancer: 1.5 Gy).
    landmark_months : tuple of float
        Landmark times for survival estimates.
    """

    target_enrollment: int = 18
    planned_accrual_months: float = 24.0
    at_risk_threshold: int = 3
    acute_window_days: int = 90
    alpha_beta_gy: float = 1.5
    landmark_months: tuple[float, ...] = (6.0, 12.0, 18.0, 24.0)


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
        Settings to check: ``target_enrollment`` (a whole number in :data:`TARGET_ENROLLMENT_BOUNDS`) and
        ``planned_accrual_months`` (in :data:`PLANNED_ACCRUAL_MONTHS_BOUNDS`).

    Raises
    ------
    ValueError
        Naming the setting, its value and its bounds.
    """
    target = settings.target_enrollment
    low, high = TARGET_ENROLLMENT_BOUNDS
    if not (low <= target <= high and float(target).is_integer()):
        raise ValueError(f"target enrollment must be a whole number from {low} to {high:,}, got {target!r}")
    months = settings.planned_accrual_months
    low_m, high_m = PLANNED_ACCRUAL_MONTHS_BOUNDS
    if not low_m <= months <= high_m:  # False for NaN
        raise ValueError(f"planned accrual period must be {low_m:g} to {high_m:g} months, got {months!r}")


def is_protocol_study(adsl: pd.DataFrame) -> bool:
    """Return True when ``adsl`` holds MEDCARE data: every subject has ADSL.STUDYID equal to :data:`STUDYID`.

    Protocol labels (``"Progression-free survival (PCWG3)"``) and the historical :data:`BENCHMARKS` apply only
    to MEDCARE; other studies keep their own PARAM text and get no MEDCARE benchmark by default.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    bool
        False when STUDYID is absent, empty, or names another study for any subject.
    """
    if "STUDYID" not in adsl.columns or adsl.empty:
        return False
    ids = adsl["STUDYID"].astype("string").str.strip().str.upper()
    return bool(ids.eq(STUDYID.upper()).fillna(False).all())
