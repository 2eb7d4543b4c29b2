"""The study definition: what a trial's protocol says, as frozen data read from a study file.

A study file (TOML or YAML, see ``docs/data-dictionary.md``, "Study file") holds the facts the dashboard
would otherwise hard-code: study id and title, target enrollment, endpoints, historical benchmarks, category
lists, eligibility thresholds, the acute toxicity window, a toxicity stopping rule and the visit schedule.
MEDCARE's file (``medcare.toml``) ships with the package; :func:`neutral_study` describes data of another
study that came without one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "MEDCARE_STUDY_FILE",
    "Assessment",
    "Benchmark",
    "Eligibility",
    "Endpoint",
    "StudyDefinition",
    "ToxicityRule",
    "VisitSchedule",
    "default_study",
]

#: MEDCARE's study file, shipped with the package.
MEDCARE_STUDY_FILE: Path = Path(__file__).with_name("medcare.toml")


@dataclass(frozen=True)
class Endpoint:
    """A time-to-event endpoint: its ADTTE PARAMCD, the label pages show, and whether it is primary."""

    paramcd: str
    label: str
    primary: bool = False


@dataclass(frozen=True)
class Benchmark:
    """A historical median with its 95% CI, in months, for one endpoint and population."""

    paramcd: str
    population: str
    median: float
    lower: float
    upper: float
    source: str = ""


@dataclass(frozen=True)
class Eligibility:
    """Eligibility thresholds the data checks verify, and the criteria texts by code (ADSL.SCRFCRIT).

    Attributes
    ----------
    castrate_testosterone_ng_dl : float or None
        Castrate testosterone level, ng/dL (inclusion: below it). None: not checked.
    max_lesions : int or None
        Most progressive/new lesions allowed. None: not checked.
    max_who_ps : int or None
        Highest eligible WHO performance status. None: not checked.
    min_age : float or None
        Minimum age in years. None: not checked.
    criteria : dict of str to str
        Criterion text by code, as in the protocol.
    """

    castrate_testosterone_ng_dl: float | None = None
    max_lesions: int | None = None
    max_who_ps: int | None = None
    min_age: float | None = None
    criteria: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:  # a dict field: hash its items so the study stays usable as a cache key
        return hash(
            (
                self.castrate_testosterone_ng_dl,
                self.max_lesions,
                self.max_who_ps,
                self.min_age,
                tuple(self.criteria.items()),
            )
        )


@dataclass(frozen=True)
class ToxicityRule:
    """A toxicity stopping rule: stop when too many patients have a high-grade (related) AE.

    Attributes
    ----------
    description : str
        What the rule is and where it comes from, in one or two sentences.
    unacceptable_rate : float
        Rate of patients with such an AE that is unacceptable, in (0, 1).
    method : {"pocock", "bayesian"}
        Pocock-type boundary on the observed count, or a Bayesian posterior probability (beta prior).
    min_grade : int
        Lowest CTCAE grade that counts.
    related_only : bool
        Count only AEs related to the study treatment.
    window : {"acute", "any"}
        Count AEs within the acute window only, or at any time.
    max_patients : int or None
        Patients the boundary is built for; None: the target enrollment.
    alpha : float
        Pocock: overall probability of crossing the boundary when the true rate is the unacceptable one's
        counterpart (see the toxicity module).
    prior_a, prior_b : float
        Bayesian: beta prior parameters.
    posterior_threshold : float
        Bayesian: stop when P(rate > unacceptable_rate | data) exceeds this.
    """

    description: str
    unacceptable_rate: float
    method: Literal["pocock", "bayesian"] = "pocock"
    min_grade: int = 3
    related_only: bool = True
    window: Literal["acute", "any"] = "acute"
    max_patients: int | None = None
    alpha: float = 0.05
    prior_a: float = 1.0
    prior_b: float = 1.0
    posterior_threshold: float = 0.9


@dataclass(frozen=True)
class Assessment:
    """A scheduled assessment (``"PSMA PET-CT"``) and how often it is due, in months."""

    name: str
    every_months: float


@dataclass(frozen=True)
class VisitSchedule:
    """Scheduled assessments and the tolerance, in days, around each due date."""

    assessments: tuple[Assessment, ...]
    tolerance_days: int = 30


@dataclass(frozen=True)
class StudyDefinition:
    """What the dashboard knows of a study's protocol.

    Attributes
    ----------
    study_id : str
        ADSL.STUDYID of the study.
    title : str
        Study title.
    target_enrollment : int or None
        Patients planned; None: no target (pages show counts without "of N").
    planned_accrual_months : float or None
        Planned accrual period; None: no accrual prediction against a plan.
    endpoints : tuple of Endpoint
        Time-to-event endpoints, primary first.
    benchmarks : tuple of Benchmark
        Historical medians to compare with; empty for none.
    centres : tuple of str
        Centre names (ADSL.SITENAME).
    centre_targets : tuple of (str, int)
        Patients planned per centre, ``(centre, target)`` with the centre as ADSL.SITEID or ADSL.SITENAME,
        when the protocol names them; empty: none (a centre is then compared with its share of the enrolled
        patients).
    mdt_types, mdt_lesion_types, radiotherapy_types, site_categories, systemic_therapies, primary_treatments
        Category values, in display order (ADSL.MDTTYPE, ADTU.MDTLES, radiotherapy among ADTU.MDTLES,
        ADTU.TULOCCAT, ADSL.SYSTHER, ADSL.PRIMTRT).
    eligibility : Eligibility
        Thresholds and criteria texts.
    acute_window_days : int
        AEs up to this many days after the treatment start are acute; later ones are late.
    small_numbers_threshold : int
        Curves are greyed, and counts flagged, below this many patients.
    alpha_beta_gy : float
        Alpha/beta ratio for BED and EQD2.
    landmark_months : tuple of float
        Landmark times for survival estimates.
    toxicity_rule : ToxicityRule or None
        Toxicity stopping rule; None: none.
    visit_schedule : VisitSchedule or None
        Scheduled assessments; None: none.
    source : str
        Path of the study file, ``"built-in"``, or ``"data"`` for a neutral study taken from the data.
    neutral : bool
        True for data of another study without a study file: neutral labels, no target, no benchmarks.
    """

    study_id: str
    title: str = ""
    target_enrollment: int | None = None
    planned_accrual_months: float | None = None
    endpoints: tuple[Endpoint, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()
    centres: tuple[str, ...] = ()
    centre_targets: tuple[tuple[str, int], ...] = ()
    mdt_types: tuple[str, ...] = ()
    mdt_lesion_types: tuple[str, ...] = ()
    radiotherapy_types: tuple[str, ...] = ()
    site_categories: tuple[str, ...] = ()
    systemic_therapies: tuple[str, ...] = ()
    primary_treatments: tuple[str, ...] = ()
    eligibility: Eligibility = field(default_factory=Eligibility)
    acute_window_days: int = 90
    small_numbers_threshold: int = 3
    alpha_beta_gy: float = 1.5
    landmark_months: tuple[float, ...] = (6.0, 12.0, 18.0, 24.0)
    toxicity_rule: ToxicityRule | None = None
    visit_schedule: VisitSchedule | None = None
    source: str = "built-in"
    neutral: bool = False

    @property
    def primary_endpoint(self) -> Endpoint | None:
        """The primary endpoint, or None when the study defines no endpoint."""
        for endpoint in self.endpoints:
            if endpoint.primary:
                return endpoint
        return self.endpoints[0] if self.endpoints else None

    @property
    def endpoint_labels(self) -> dict[str, str]:
        """Endpoint label by PARAMCD, primary first."""
        return {e.paramcd: e.label for e in self.endpoints}

    @property
    def endpoint_codes(self) -> tuple[str, ...]:
        """Endpoint PARAMCDs, primary first."""
        return tuple(e.paramcd for e in self.endpoints)

    @property
    def has_target(self) -> bool:
        """True when the study names a target enrollment."""
        return self.target_enrollment is not None

    def benchmarks_for(self, paramcd: str) -> tuple[Benchmark, ...]:
        """Return the benchmarks of endpoint ``paramcd`` (empty when none)."""
        return tuple(b for b in self.benchmarks if b.paramcd == paramcd)

    def endpoint_label(self, paramcd: str, default: str | None = None) -> str:
        """Return the label of endpoint ``paramcd``; ``default`` (or the code itself) when unknown."""
        return self.endpoint_labels.get(paramcd, paramcd if default is None else default)


@functools.cache
def default_study() -> StudyDefinition:
    """Return MEDCARE's study definition, read once from the shipped ``medcare.toml``.

    Returns
    -------
    StudyDefinition
        With ``source="built-in"``.
    """
    # Imported here: the reader validates with pydantic, which the dataclasses themselves do not need.
    from dataclasses import replace

    from medcare_metrics.study.load import load_study

    return replace(load_study(MEDCARE_STUDY_FILE), source="built-in")
