"""Patient-level views: swimmer plot data, PSA waterfall and a single patient's profile.

Times are months from registration (ENRLDT, else RANDDT, else TRTSDT), with a month of 365.25 / 12 days
(:data:`medcare_metrics.rules.DAYS_PER_MONTH`). Only enrolled patients (ADSL.ENRLFL "Y"; everyone when ENRLFL
is absent: :func:`medcare_metrics.rules.enrolled_mask`) appear. Events are ADTTE rows with CNSR = 0
(:func:`medcare_metrics.rules.is_event`); AVALU units follow :data:`medcare_metrics.rules.DAYS_PER_UNIT`.

Modules: :mod:`~medcare_metrics.patients.common` (the enrolled patients, months, deaths and endpoint events
every part shares), :mod:`~medcare_metrics.patients.swimmer` (swimmer bars and markers),
:mod:`~medcare_metrics.patients.psa` (PSA baseline, NEST start, best change),
:mod:`~medcare_metrics.patients.profile` (one patient's profile) and :mod:`~medcare_metrics.patients.listing`
(the profile's tables with readable headers). Sentences about these results are in
:mod:`medcare_metrics.text.patients`.
"""

from __future__ import annotations

from medcare_metrics.patients.common import NO_MDT_TYPE, OFF_STUDY
from medcare_metrics.patients.listing import (
    BASELINE_FIELDS,
    DATE_FIELDS,
    LESION_FIELDS,
    adverse_event_table,
    baseline_table,
    lesion_table,
    time_to_event_table,
)
from medcare_metrics.patients.profile import PatientProfile, patient_ids, patient_profile
from medcare_metrics.patients.psa import (
    PSA_RESPONSE_PCHG,
    nest_start_dates,
    psa_baseline,
    psa_response_count,
    psa_waterfall,
)
from medcare_metrics.patients.swimmer import (
    CONTACT_DATES,
    STATUSES,
    SWIMMER_EVENTS,
    SwimmerOrder,
    SwimmerPlot,
    status_counts,
    swimmer_data,
    swimmer_events,
    swimmer_plot,
)

__all__ = [
    "BASELINE_FIELDS",
    "CONTACT_DATES",
    "DATE_FIELDS",
    "LESION_FIELDS",
    "NO_MDT_TYPE",
    "OFF_STUDY",
    "PSA_RESPONSE_PCHG",
    "STATUSES",
    "SWIMMER_EVENTS",
    "PatientProfile",
    "SwimmerOrder",
    "SwimmerPlot",
    "adverse_event_table",
    "baseline_table",
    "lesion_table",
    "nest_start_dates",
    "patient_ids",
    "patient_profile",
    "psa_baseline",
    "psa_response_count",
    "psa_waterfall",
    "status_counts",
    "swimmer_data",
    "swimmer_events",
    "swimmer_plot",
    "time_to_event_table",
]
