"""Sentences of the Lesions page: captions, notes, warnings and the "n of N" metrics."""

from __future__ import annotations

from collections.abc import Sequence

from medcare_metrics.text.common import escape_markdown

INTRO = (
    "Progressing lesions at registration of the enrolled patients: how many, where, how they were found and "
    "how they were treated."
)
#: What the page cannot show without ADTU (completes "so ... cannot be shown").
NEEDED_FOR = "the lesion sites, detection, MDT per lesion and radiotherapy dose"
NLES_HEADING = "Lesions per patient on conventional imaging (ADSL.NLES)"
#: Said when the selection holds no enrolled patient (filters, an early as-of date, screen failures only).
NO_PATIENT = "No enrolled patient in the selection, so no lesion to show."
NO_TUMETHOD = "ADTU has no TUMETHOD column (conventional imaging or PSMA PET-CT only)."
NO_MDTLES = "ADTU has no MDTLES column (MDT per lesion)."
NO_DOSE = "ADTU has no RTDOSE and RTFX columns (radiotherapy dose and fractions)."
DOSE_FIGURE_CAPTION = "One point per irradiated lesion; hover for the patient, site and schedule."
PATTERNS_CAPTION = "Patients by the combination of site categories of their lesions, stacked by MDT type."
#: A metric whose count the data lack.
NOT_AVAILABLE = "n/a"

#: The detection metrics: label and help (None: no help).
PSMA_ADDED = ("Lesions added by PSMA PET-CT", "Lesions seen on PSMA PET-CT only, of all lesions")
PSMA_PATIENTS = ("Patients with PSMA-only lesions", None)
PSMA_DONE = ("PSMA PET-CT done", "ADSL.PSMAFL = Y")
PLAN_CHANGED = (
    "MDT plan changed",
    "PSMA PET-CT changed the MDT plan (ADSL.PSMACHFL = Y), of the patients who had one",
)


def alpha_beta_help(default_gy: float) -> str:
    """Return the help of the alpha/beta control: its default, from the trial settings."""
    return f"Protocol default {default_gy:g} Gy (prostate cancer)."


def nles_caption(max_lesions: int) -> str:
    """Return the caption of the lesion counts taken from ADSL.NLES (a source without ADTU)."""
    return (
        f"From ADSL.NLES, the lesion count recorded at registration; eligibility allows at most "
        f"{max_lesions}. Bars are stacked by the patient's MDT type."
    )


def no_lesion_columns(absent: Sequence[str]) -> str:
    """Return the note for a source with neither ADTU nor the subject-level lesion columns of ADSL."""
    return (
        ":material/info: ADSL has none of the subject-level lesion columns either ("
        + ", ".join(absent)
        + "), so nothing about lesions can be shown for this source."
    )


#: Said instead of a figure whose rows or labels are patients, to a role that sees aggregates only.
PATIENT_LEVEL_ONLY = "This figure names patients: it is shown to the patient-level role only."


def polyprogression_warning(patients: Sequence[str], max_lesions: int, named: bool = True) -> str:
    """Return the warning naming patients with polyprogression (the first ten), or "" when there are none.

    Parameters
    ----------
    patients : sequence of str
        USUBJID of the patients with more than ``max_lesions`` lesions on conventional imaging.
    max_lesions : int
        The protocol's limit.
    named : bool, default True
        Name the patients; False gives their number only (for roles that see aggregates only).

    Returns
    -------
    str
        The warning (Markdown, identifiers escaped), or an empty string.
    """
    if not patients:
        return ""
    head = (
        f"{len(patients)} patient(s) with more than {max_lesions} lesions on conventional imaging "
        "(polyprogression, an exclusion criterion)"
    )
    if not named:
        return f"{head}."
    shown = [escape_markdown(p) for p in patients[:10]]
    listed = ", ".join(shown) + (f" and {len(patients) - 10} more" if len(patients) > 10 else "")
    return f"{head}: {listed}."


def count_caption(max_lesions: int) -> str:
    """Return the caption of the lesions-per-patient figure: which lesions count towards polyprogression."""
    return (
        f"Eligibility allows at most {max_lesions} lesions on conventional imaging (CT + bone scan); "
        "lesions seen on PSMA PET-CT only do not count towards it, so with “All lesions” a patient can have "
        f"more than {max_lesions} without polyprogression. Bars are stacked by the patient's MDT "
        "type."
    )


def site_caption(stack: str) -> str:
    """Return the caption of the lesions per site, stacked by ``"lesion"`` MDT or ``"patient"`` MDT type."""
    return "Lesions (not patients) per site, stacked by " + (
        "the MDT applied to each lesion (ADTU.MDTLES)."
        if stack == "lesion"
        else "the patient's MDT type (ADSL.MDTTYPE)."
    )


def share(n: int | None, total: int | None) -> tuple[str, str | None]:
    """Return a metric's value ``"n of N"`` and its percentage (``"n/a"`` when the data lack the count).

    Parameters
    ----------
    n : int or None
        The count; None when the data cannot give it.
    total : int or None
        Its denominator.

    Returns
    -------
    value : str
        ``"3 of 8"`` or ``"n/a"``.
    percent : str or None
        ``"37.5%"``; None when the value is n/a or ``total`` is 0.
    """
    if n is None or total is None:
        return NOT_AVAILABLE, None
    return f"{n} of {total}", (f"{100.0 * n / total:.1f}%" if total else None)


def detection_caption(missing_flags: Sequence[str], n_method_missing: int) -> str:
    """Return the caption of the detection metrics.

    Parameters
    ----------
    missing_flags : sequence of str
        ADSL flags the data lack (PSMAFL, PSMACHFL).
    n_method_missing : int
        Lesions without TUMETHOD.

    Returns
    -------
    str
        What is compared, over whom, and what is missing.
    """
    return (
        "Lesions on conventional imaging (CT + bone scan) versus those seen on PSMA PET-CT only. "
        "Patients: enrolled patients in the selection."
        + (f" ADSL has no {' or '.join(missing_flags)} column." if missing_flags else "")
        + (f" {n_method_missing} lesion(s) without TUMETHOD." if n_method_missing else "")
    )


def dose_caption(alpha_beta_gy: float) -> str:
    """Return the caption of the dose table: the BED and EQD2 formulas with the alpha/beta ratio used."""
    return (
        "BED = D (1 + d / (α/β)) and EQD2 = BED / (1 + 2 / (α/β)), with "
        f"α/β = {alpha_beta_gy:g} Gy; D total dose, d dose per fraction. Median and range "
        "over the irradiated lesions:"
    )


def matrix_caption(n_patients: int, compact_above: int) -> str:
    """Return the caption of the patient x site map (a thin column per patient above ``compact_above``)."""
    return "Lesions per patient and site category; empty cells have none." + (
        f" With more than {compact_above} patients each patient is a thin column; hover for who it is."
        if n_patients > compact_above
        else ""
    )
