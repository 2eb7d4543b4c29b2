"""What PSMA PET-CT added to conventional imaging (CT + bone scan)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from medcare_metrics.lesions.common import (
    CONVENTIONAL,
    NOT_RECORDED,
    PSMA_ONLY,
    LesionOptions,
    check_adtu,
    enrolled_lesions,
    enrolled_patients,
    ordered,
)
from medcare_metrics.rules import flag_yes


@dataclass(frozen=True)
class DetectionSummary:
    """Conventional imaging versus PSMA PET-CT: what PSMA PET-CT added.

    Attributes
    ----------
    n_patients : int
        Patients in the summary (the enrolled ADSL subjects, or the ADTU subjects without ADSL).
    n_lesions : int
        All lesions of those patients.
    n_conventional : int
        Lesions seen on conventional imaging (TUMETHOD = "Conventional").
    n_psma_only : int
        Lesions seen on PSMA PET-CT only: what PSMA PET-CT added.
    n_method_missing : int
        Lesions without TUMETHOD.
    n_patients_psma_added : int
        Patients with at least one PSMA-only lesion.
    n_patients_psma_done : int or None
        Patients with PSMA PET-CT at baseline (ADSL.PSMAFL = "Y"); None when ADSL has no PSMAFL.
    n_patients_plan_changed : int or None
        Patients whose MDT plan PSMA PET-CT changed (ADSL.PSMACHFL = "Y"); None when ADSL has no PSMACHFL.
    by_site : pandas.DataFrame
        TULOCCAT, TUMETHOD, N_LESIONS, N_PATIENTS.
    """

    n_patients: int
    n_lesions: int
    n_conventional: int
    n_psma_only: int
    n_method_missing: int
    n_patients_psma_added: int
    n_patients_psma_done: int | None
    n_patients_plan_changed: int | None
    by_site: pd.DataFrame


def detection_summary(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> DetectionSummary:
    """Summarise what PSMA PET-CT added to conventional imaging (CT + bone scan).

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with TUMETHOD.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects; PSMAFL and PSMACHFL when present.
    options : LesionOptions or None
        The study's site categories (their order).

    Returns
    -------
    DetectionSummary
        Counts of lesions and patients, and a TULOCCAT x TUMETHOD table.

    Raises
    ------
    ValueError
        When ADTU lacks TUMETHOD or a required column.
    """
    check_adtu(adtu, ("TUMETHOD",))
    patients = enrolled_patients(adsl)
    lesions = enrolled_lesions(adtu, adsl)
    method = lesions["TUMETHOD"]
    psma = lesions.loc[method == PSMA_ONLY]
    n_patients = len(patients) if patients is not None else lesions["USUBJID"].nunique()
    done = int(flag_yes(patients, "PSMAFL").sum()) if patients is not None and "PSMAFL" in patients else None
    changed = (
        int(flag_yes(patients, "PSMACHFL").sum()) if patients is not None and "PSMACHFL" in patients else None
    )
    table = lesions.groupby(["TULOCCAT", "TUMETHOD"]).agg(
        N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique")
    )
    table = table.reset_index()
    known = (options or LesionOptions()).site_categories
    order = {v: i for i, v in enumerate(ordered(table["TULOCCAT"], known))}
    table = table.assign(_o=table["TULOCCAT"].map(order)).sort_values(["_o", "TUMETHOD"]).drop(columns="_o")
    return DetectionSummary(
        n_patients=int(n_patients),
        n_lesions=len(lesions),
        n_conventional=int((method == CONVENTIONAL).sum()),
        n_psma_only=len(psma),
        n_method_missing=int((method == NOT_RECORDED).sum()),
        n_patients_psma_added=int(psma["USUBJID"].nunique()),
        n_patients_psma_done=done,
        n_patients_plan_changed=changed,
        by_site=table.reset_index(drop=True),
    )
