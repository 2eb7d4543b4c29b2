"""Adverse events counted as trial reports count them: worst grade per subject, over the safety population.

Counting rules (the same as the R reference tables in ``shared/conformance/*/reference/make_reference.R``):

- A subject counts once per term (or SOC, or overall) at the worst grade of their events for it.
- The denominator is the safety population: ADSL.SAFFL = "Y" when ADSL has SAFFL (MEDCARE: the treated
  patients). Without SAFFL: subjects with a TRTSDT, else ENRLFL = "Y", else every ADSL subject
  (:func:`medcare_metrics.rules.safety_mask`; :func:`safety_population` says which rule it used). Events of
  subjects outside that population are not counted, so a percentage never exceeds 100.
- Grades are CTCAE grades 1-5 from ATOXGR (AETOXGR when ATOXGR is absent). Data without a CTCAE grade
  (severity only, such as the CDISC pilot) are counted the same way on AESEV ranked MILD (1) < MODERATE (2) <
  SEVERE (3); :class:`GradeScale` says which was used. SEVERE stands in for grade >= 3
  (:data:`medcare_metrics.rules.HIGH_GRADE`).
- A subject whose events for a term all lack a valid grade (missing, or outside the scale, such as 0 or 6) is
  counted under "missing grade" (GRADE = <NA>), not dropped. When at least one event has a valid grade, the
  worst valid grade counts. :func:`medcare_metrics.ctcae.ctcae_problems` lists each such event.
- ``by`` splits by a column of ADSL (a subject attribute: MDTTYPE, SITEID, an arm) or, when ADSL lacks it, of
  ADAE. For an ADSL column each group's denominator is its own subjects. An ADAE column that is the same for
  all events of a subject (a subject attribute carried on ADAE, such as TRTA) cannot place the subjects
  without events; when an ADSL column has the same value for every subject with an event (TRT01A for TRTA),
  that column gives the groups and their denominators, as a trial report's arm columns do
  (:func:`split_source`). For an event attribute (AEREL, AESER, the onset phase; see
  :data:`EVENT_LEVEL_PREFIXES`) or a subject attribute without a matching ADSL column, every group's
  denominator is the whole safety population, because any subject can have an event in any group, and a
  subject counts in each group where they have an event. A missing group value is the group "Missing".
- "Grade >= 3 patients" on every page come from :func:`high_grade_patient_count`.

Modules: :mod:`~medcare_metrics.toxicity.grades` (the grade scale), :mod:`~medcare_metrics.toxicity.groups`
(group names and order), :mod:`~medcare_metrics.toxicity.population` (safety population, splits),
:mod:`~medcare_metrics.toxicity.counts` (worst grade per subject, counts, the report table),
:mod:`~medcare_metrics.toxicity.phases` (onset phase, relationship, treatment emergence) and
:mod:`~medcare_metrics.toxicity.listings` (high-grade events and patients). Sentences about these results are
in :mod:`medcare_metrics.text.toxicity`.
"""

from __future__ import annotations

from medcare_metrics.toxicity.counts import (
    ANY,
    LEVELS,
    TABLE_ORDERS,
    ToxicityCounts,
    ToxicityOptions,
    grade_table,
    restrict_to_soc,
    soc_names,
    toxicity_by_grade,
    worst_grade_per_subject,
)
from medcare_metrics.toxicity.grades import (
    CTCAE_SCALE_LABELS,
    MISSING_GRADE_LABEL,
    SEVERITY_LEVELS,
    SEVERITY_SCALE_LABELS,
    GradeScale,
    analysis_grade,
    grade_scale,
)
from medcare_metrics.toxicity.groups import ALL, MISSING_GROUP, PHASES, RELATIONSHIP_ORDER, group_order
from medcare_metrics.toxicity.listings import (
    HighGradeCount,
    high_grade_events,
    high_grade_patient_count,
    high_grade_patients,
)
from medcare_metrics.toxicity.phases import (
    CountedEvents,
    add_onset_phase,
    counted_events,
    toxicity_by_phase,
    toxicity_by_relationship,
)
from medcare_metrics.toxicity.population import (
    EVENT_LEVEL_COLUMNS,
    EVENT_LEVEL_PREFIXES,
    SPLIT_COLUMNS,
    Population,
    SplitSource,
    is_event_level,
    safety_population,
    split_choices,
    split_source,
)

__all__ = [
    "ALL",
    "ANY",
    "CTCAE_SCALE_LABELS",
    "EVENT_LEVEL_COLUMNS",
    "EVENT_LEVEL_PREFIXES",
    "LEVELS",
    "MISSING_GRADE_LABEL",
    "MISSING_GROUP",
    "PHASES",
    "RELATIONSHIP_ORDER",
    "SEVERITY_LEVELS",
    "SEVERITY_SCALE_LABELS",
    "SPLIT_COLUMNS",
    "TABLE_ORDERS",
    "CountedEvents",
    "GradeScale",
    "HighGradeCount",
    "Population",
    "SplitSource",
    "ToxicityCounts",
    "ToxicityOptions",
    "add_onset_phase",
    "analysis_grade",
    "counted_events",
    "grade_scale",
    "grade_table",
    "group_order",
    "high_grade_events",
    "high_grade_patient_count",
    "high_grade_patients",
    "is_event_level",
    "restrict_to_soc",
    "safety_population",
    "soc_names",
    "split_choices",
    "split_source",
    "toxicity_by_grade",
    "toxicity_by_phase",
    "toxicity_by_relationship",
    "worst_grade_per_subject",
]
