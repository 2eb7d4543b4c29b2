"""Progressing lesions at registration (ADTU): per patient, sites, detection, MDT and radiotherapy dose.

Patients are the enrolled subjects of the ADSL given (ENRLFL = "Y"; every ADSL subject when ADSL has no
ENRLFL; the page passes the filtered ADSL). Lesions of other subjects (screen failures, filtered out) are left
out. Without ADSL every ADTU subject counts. Enrolled patients without a lesion row count with 0 lesions.

Radiotherapy dose: BED = D (1 + d / (alpha/beta)) and EQD2 = BED / (1 + 2 / (alpha/beta)), where D is the
total dose (RTDOSE, Gy), d the dose per fraction (RTDOSE / RTFX) and alpha/beta from :class:`LesionOptions`
(the trial settings; prostate cancer: 1.5 Gy).

Modules: :mod:`~medcare_metrics.lesions.common` (labels, options, the enrolled patients and their lesions),
:mod:`~medcare_metrics.lesions.counts` (lesions per patient, their distribution, per lesion MDT),
:mod:`~medcare_metrics.lesions.sites` (sites, site patterns, the patient x site matrix),
:mod:`~medcare_metrics.lesions.detection` (what PSMA PET-CT added) and :mod:`~medcare_metrics.lesions.dose`
(BED, EQD2 and the radiotherapy schedules). Sentences about these results are in
:mod:`medcare_metrics.text.lesions`.
"""

from __future__ import annotations

from medcare_metrics.lesions.common import (
    CONVENTIONAL,
    COUNT_CATEGORIES,
    NOT_RECORDED,
    PSMA_ONLY,
    REQUIRED_COLUMNS,
    LesionOptions,
)
from medcare_metrics.lesions.counts import (
    lesion_count_distribution,
    lesion_counts_from_adsl,
    lesions_per_patient,
    mdt_per_lesion,
)
from medcare_metrics.lesions.detection import DetectionSummary, detection_summary
from medcare_metrics.lesions.dose import Dose, bed, dose_by_modality, dose_summary, eqd2, radiotherapy_doses
from medcare_metrics.lesions.sites import NO_LESION, lesions_by_site, patient_site_matrix, site_patterns

__all__ = [
    "CONVENTIONAL",
    "COUNT_CATEGORIES",
    "NOT_RECORDED",
    "NO_LESION",
    "PSMA_ONLY",
    "REQUIRED_COLUMNS",
    "DetectionSummary",
    "Dose",
    "LesionOptions",
    "bed",
    "detection_summary",
    "dose_by_modality",
    "dose_summary",
    "eqd2",
    "lesion_count_distribution",
    "lesion_counts_from_adsl",
    "lesions_by_site",
    "lesions_per_patient",
    "mdt_per_lesion",
    "patient_site_matrix",
    "radiotherapy_doses",
    "site_patterns",
]
