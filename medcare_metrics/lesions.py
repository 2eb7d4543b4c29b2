"""Progressing lesions at registration (ADTU): per patient, sites, detection, MDT and radiotherapy dose.

Patients are the enrolled subjects of the ADSL given (ENRLFL = "Y"; every ADSL subject when ADSL has no
ENRLFL; the page passes the filtered ADSL). Lesions of other subjects (screen failures, filtered out) are left
out. Without ADSL every ADTU subject counts. Enrolled patients without a lesion row count with 0 lesions.

Radiotherapy dose: BED = D (1 + d / (alpha/beta)) and EQD2 = BED / (1 + 2 / (alpha/beta)), where D is the
total dose (RTDOSE, Gy), d the dose per fraction (RTDOSE / RTFX) and alpha/beta from :class:`LesionOptions`
(prostate cancer: 1.5 Gy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics import protocol
from medcare_metrics.protocol import DEFAULT_SETTINGS

#: Label of a missing value in groupings (site, MDT type, detection).
NOT_RECORDED = "Not recorded"
#: TUMETHOD value of lesions seen on PSMA PET-CT only.
PSMA_ONLY = "PSMA PET-CT only"
CONVENTIONAL = "Conventional"
#: Lesion-count categories of :func:`lesion_count_distribution`.
COUNT_CATEGORIES: tuple[str, ...] = ("0", "1", "2", "3", f">{protocol.MAX_LESIONS}")

_REQUIRED = ("USUBJID", "TULNKID", "TULOC", "TULOCCAT")
#: A dose or fraction count: one number, or one per lesion.
Dose = float | np.ndarray | pd.Series


@dataclass(frozen=True)
class LesionOptions:
    """Options of the lesion summaries.

    Attributes
    ----------
    alpha_beta_gy : float
        Alpha/beta ratio in Gy for BED and EQD2.
    max_lesions : int
        More lesions than this is polyprogression (the protocol's limit is 3).
    """

    alpha_beta_gy: float = DEFAULT_SETTINGS.alpha_beta_gy
    max_lesions: int = protocol.MAX_LESIONS


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


def _check_adtu(adtu: pd.DataFrame, extra: tuple[str, ...] = ()) -> None:
    missing = [c for c in (*_REQUIRED, *extra) if c not in adtu.columns]
    if missing:
        raise ValueError(f"ADTU lacks column(s) {', '.join(missing)}")


def _flag_yes(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("string").str.strip().str.upper().eq("Y").fillna(False).astype(bool)


def _patients(adsl: pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the enrolled ADSL subjects (all subjects when ADSL has no ENRLFL)."""
    if adsl is None:
        return None
    if "ENRLFL" in adsl.columns:
        adsl = adsl.loc[_flag_yes(adsl, "ENRLFL")]
    return adsl.drop_duplicates("USUBJID")


def _lesions(adtu: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    """Return the lesions of the enrolled ADSL subjects, with missing grouping values labelled."""
    out = adtu.copy()
    patients = _patients(adsl)
    if patients is not None:
        out = out.loc[out["USUBJID"].isin(patients["USUBJID"])]
    for col in ("TULOC", "TULOCCAT", "TUMETHOD", "MDTLES"):
        if col in out.columns:
            out[col] = out[col].astype(object).where(out[col].notna(), NOT_RECORDED)
    return out.reset_index(drop=True)


def _ordered(values: pd.Series, known: tuple[str, ...]) -> list[str]:
    """Return the distinct values: the known ones in protocol order, then the others sorted."""
    present = set(values.dropna().astype(str))
    return [v for v in known if v in present] + sorted(present - set(known))


def lesions_per_patient(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> pd.DataFrame:
    """Return the number of lesions per patient, with polyprogression flagged.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    adsl : pandas.DataFrame or None
        Subject level: restricts to enrolled subjects, adds those without a lesion (0) and MDTTYPE.
    options : LesionOptions or None
        The polyprogression limit.

    Returns
    -------
    pandas.DataFrame
        USUBJID, N_LESIONS, N_CONVENTIONAL (lesions on conventional imaging; all lesions when ADTU has no
        TUMETHOD), POLYPROGRESSION (N_CONVENTIONAL above the limit: eligibility counts lesions on conventional
        imaging, so lesions PSMA PET-CT added do not make polyprogression) and MDTTYPE ("Not recorded" when
        ADSL lacks it); sorted by USUBJID.
    """
    _check_adtu(adtu)
    options = options or LesionOptions()
    lesions = _lesions(adtu, adsl)
    n = lesions.groupby("USUBJID").size()
    if "TUMETHOD" in lesions.columns:
        conv = lesions.loc[lesions["TUMETHOD"] == CONVENTIONAL].groupby("USUBJID").size()
    else:
        conv = n
    patients = _patients(adsl)
    ids = sorted(set(n.index) | (set(patients["USUBJID"]) if patients is not None else set()))
    out = pd.DataFrame({"USUBJID": ids})
    out["N_LESIONS"] = out["USUBJID"].map(n).fillna(0).astype(int)
    out["N_CONVENTIONAL"] = out["USUBJID"].map(conv).fillna(0).astype(int)
    # Eligibility counts lesions on conventional imaging; PSMA-only lesions do not make polyprogression.
    out["POLYPROGRESSION"] = out["N_CONVENTIONAL"] > options.max_lesions
    if adsl is not None and "MDTTYPE" in adsl.columns:
        mdt = adsl.drop_duplicates("USUBJID").set_index("USUBJID")["MDTTYPE"]
        out["MDTTYPE"] = out["USUBJID"].map(mdt).astype(object)
        out["MDTTYPE"] = out["MDTTYPE"].where(out["MDTTYPE"].notna(), NOT_RECORDED)
    else:
        out["MDTTYPE"] = NOT_RECORDED
    return out


def lesion_count_distribution(
    adtu: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    options: LesionOptions | None = None,
    basis: str = "all",
) -> pd.DataFrame:
    """Return patients per number of lesions (0, 1, 2, 3, >3), split by patient MDT type.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    adsl : pandas.DataFrame or None
        Subject level (see :func:`lesions_per_patient`).
    options : LesionOptions or None
        The polyprogression limit (the last category is "> limit").
    basis : str
        ``"all"`` counts every lesion; ``"conventional"`` only those on conventional imaging (the eligibility
        count, where "> limit" is polyprogression).

    Returns
    -------
    pandas.DataFrame
        N_LESIONS_CAT ("0", "1", ..., "> limit"; ordered categorical), MDTTYPE, N_PATIENTS (> 0 rows only).

    Raises
    ------
    ValueError
        For an unknown basis.
    """
    if basis not in ("all", "conventional"):
        raise ValueError(f"unknown basis {basis!r}; expected 'all' or 'conventional'")
    options = options or LesionOptions()
    per = lesions_per_patient(adtu, adsl, options)
    cats = [str(k) for k in range(options.max_lesions + 1)] + [f">{options.max_lesions}"]
    label = per["N_LESIONS" if basis == "all" else "N_CONVENTIONAL"].map(
        lambda k: str(k) if k <= options.max_lesions else cats[-1]
    )
    out = (
        pd.DataFrame({"N_LESIONS_CAT": label, "MDTTYPE": per["MDTTYPE"]})
        .groupby(["N_LESIONS_CAT", "MDTTYPE"])
        .size()
        .reset_index(name="N_PATIENTS")
    )
    out["N_LESIONS_CAT"] = pd.Categorical(out["N_LESIONS_CAT"], categories=cats, ordered=True)
    order = {v: i for i, v in enumerate(_ordered(out["MDTTYPE"], protocol.MDT_TYPES))}
    out = out.assign(_o=out["MDTTYPE"].map(order)).sort_values(["N_LESIONS_CAT", "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)


def lesions_by_site(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, level: str = "category"
) -> pd.DataFrame:
    """Return lesions per site category (or site) and lesion MDT.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions; MDTLES optional ("Not recorded" when absent).
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects.
    level : str
        ``"category"`` (TULOCCAT) or ``"site"`` (TULOCCAT and TULOC).

    Returns
    -------
    pandas.DataFrame
        TULOCCAT (, TULOC), MDTLES, N_LESIONS, N_PATIENTS; site categories in protocol order, MDT in protocol
        order.

    Raises
    ------
    ValueError
        For an unknown level or missing ADTU columns.
    """
    if level not in ("category", "site"):
        raise ValueError(f"unknown level {level!r}; expected 'category' or 'site'")
    _check_adtu(adtu)
    lesions = _lesions(adtu, adsl)
    if "MDTLES" not in lesions.columns:
        lesions["MDTLES"] = NOT_RECORDED
    keys = ["TULOCCAT", "TULOC", "MDTLES"] if level == "site" else ["TULOCCAT", "MDTLES"]
    out = (
        lesions.groupby(keys)
        .agg(N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique"))
        .reset_index()
    )
    cat_order = {v: i for i, v in enumerate(_ordered(out["TULOCCAT"], protocol.SITE_CATEGORIES))}
    mdt_order = {v: i for i, v in enumerate(_ordered(out["MDTLES"], (*protocol.MDT_LESION_TYPES, "None")))}
    sort = out.assign(_c=out["TULOCCAT"].map(cat_order), _m=out["MDTLES"].map(mdt_order))
    by = ["_c", "TULOC", "_m"] if level == "site" else ["_c", "_m"]
    return sort.sort_values(by).drop(columns=["_c", "_m"]).reset_index(drop=True)


def detection_summary(adtu: pd.DataFrame, adsl: pd.DataFrame | None = None) -> DetectionSummary:
    """Summarise what PSMA PET-CT added to conventional imaging (CT + bone scan).

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with TUMETHOD.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects; PSMAFL and PSMACHFL when present.

    Returns
    -------
    DetectionSummary
        Counts of lesions and patients, and a TULOCCAT x TUMETHOD table.

    Raises
    ------
    ValueError
        When ADTU lacks TUMETHOD or a required column.
    """
    _check_adtu(adtu, ("TUMETHOD",))
    patients = _patients(adsl)
    lesions = _lesions(adtu, adsl)
    method = lesions["TUMETHOD"]
    psma = lesions.loc[method == PSMA_ONLY]
    n_patients = len(patients) if patients is not None else lesions["USUBJID"].nunique()
    done = int(_flag_yes(patients, "PSMAFL").sum()) if patients is not None and "PSMAFL" in patients else None
    changed = (
        int(_flag_yes(patients, "PSMACHFL").sum())
        if patients is not None and "PSMACHFL" in patients
        else None
    )
    table = lesions.groupby(["TULOCCAT", "TUMETHOD"]).agg(
        N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique")
    )
    table = table.reset_index()
    order = {v: i for i, v in enumerate(_ordered(table["TULOCCAT"], protocol.SITE_CATEGORIES))}
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


def mdt_per_lesion(adtu: pd.DataFrame, adsl: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return lesions and patients per lesion MDT (SBRT, conventional RT, metastasectomy, ...).

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with MDTLES.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects.

    Returns
    -------
    pandas.DataFrame
        MDTLES (protocol order, then others, "Not recorded" for a missing value), N_LESIONS, N_PATIENTS,
        PCT_LESIONS (of all lesions).

    Raises
    ------
    ValueError
        When ADTU lacks MDTLES or a required column.
    """
    _check_adtu(adtu, ("MDTLES",))
    lesions = _lesions(adtu, adsl)
    out = lesions.groupby("MDTLES").agg(N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique"))
    order = _ordered(pd.Series(out.index), (*protocol.MDT_LESION_TYPES, "None"))
    out = out.reindex(order).reset_index()
    total = len(lesions)
    out["PCT_LESIONS"] = 100.0 * out["N_LESIONS"] / total if total else np.nan
    return out


def bed(total_dose_gy: Dose, fractions: Dose, alpha_beta_gy: float) -> Dose:
    """Return the biologically effective dose, BED = D (1 + d / (alpha/beta)), d = D / n.

    Parameters
    ----------
    total_dose_gy : float or array-like
        Total dose D in Gy.
    fractions : int or array-like
        Number of fractions n.
    alpha_beta_gy : float
        Alpha/beta ratio in Gy (> 0).

    Returns
    -------
    float or array-like
        BED in Gy, the same shape as the inputs (NaN where an input is missing).

    Raises
    ------
    ValueError
        When ``alpha_beta_gy`` is not positive.
    """
    if not alpha_beta_gy > 0:
        raise ValueError(f"alpha/beta must be > 0 Gy, got {alpha_beta_gy}")
    d = total_dose_gy / fractions
    return total_dose_gy * (1.0 + d / alpha_beta_gy)


def eqd2(total_dose_gy: Dose, fractions: Dose, alpha_beta_gy: float) -> Dose:
    """Return the equivalent dose in 2-Gy fractions, EQD2 = BED / (1 + 2 / (alpha/beta)).

    Parameters
    ----------
    total_dose_gy : float or array-like
        Total dose D in Gy.
    fractions : int or array-like
        Number of fractions n.
    alpha_beta_gy : float
        Alpha/beta ratio in Gy (> 0).

    Returns
    -------
    float or array-like
        EQD2 in Gy.
    """
    return bed(total_dose_gy, fractions, alpha_beta_gy) / (1.0 + 2.0 / alpha_beta_gy)


def radiotherapy_doses(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> pd.DataFrame:
    """Return one row per irradiated lesion with dose per fraction, BED and EQD2.

    Irradiated lesions: MDTLES in :data:`medcare_metrics.protocol.RADIOTHERAPY_TYPES`, or any lesion with an
    RTDOSE when ADTU has no MDTLES.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with RTDOSE and RTFX.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects.
    options : LesionOptions or None
        The alpha/beta ratio.

    Returns
    -------
    pandas.DataFrame
        USUBJID, TULNKID, TULOC, TULOCCAT, MDTLES, RTDOSE, RTFX, DOSE_PER_FX, BED, EQD2 (float; NaN when
        RTDOSE or RTFX is missing).

    Raises
    ------
    ValueError
        When ADTU lacks RTDOSE or RTFX.
    """
    _check_adtu(adtu, ("RTDOSE", "RTFX"))
    options = options or LesionOptions()
    lesions = _lesions(adtu, adsl)
    if "MDTLES" in lesions.columns:
        rt = lesions.loc[lesions["MDTLES"].isin(protocol.RADIOTHERAPY_TYPES)].copy()
    else:
        rt = lesions.loc[lesions["RTDOSE"].notna()].copy()
        rt["MDTLES"] = NOT_RECORDED
    dose = pd.to_numeric(rt["RTDOSE"], errors="coerce").astype(float)
    fx = pd.to_numeric(rt["RTFX"], errors="coerce").astype(float)
    fx = fx.where(fx > 0)
    rt["RTDOSE"] = dose
    rt["RTFX"] = pd.array(fx.round(), dtype="Int64")
    rt["DOSE_PER_FX"] = dose / fx
    rt["BED"] = bed(dose, fx, options.alpha_beta_gy)
    rt["EQD2"] = eqd2(dose, fx, options.alpha_beta_gy)
    cols = [
        "USUBJID",
        "TULNKID",
        "TULOC",
        "TULOCCAT",
        "MDTLES",
        "RTDOSE",
        "RTFX",
        "DOSE_PER_FX",
        "BED",
        "EQD2",
    ]
    return rt[cols].sort_values(["USUBJID", "TULNKID"]).reset_index(drop=True)


def dose_summary(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> pd.DataFrame:
    """Return one row per radiotherapy schedule (modality, total dose, fractions) with BED and EQD2.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with RTDOSE and RTFX.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects.
    options : LesionOptions or None
        The alpha/beta ratio.

    Returns
    -------
    pandas.DataFrame
        MDTLES, RTDOSE, RTFX, DOSE_PER_FX, BED, EQD2, N_LESIONS, N_PATIENTS; a schedule with a missing dose or
        fraction count keeps its row (NaN dose values). Sorted by modality and EQD2, highest first.
    """
    doses = radiotherapy_doses(adtu, adsl, options)
    keys = ["MDTLES", "RTDOSE", "RTFX"]
    out = (
        doses.groupby(keys, dropna=False)
        .agg(
            DOSE_PER_FX=("DOSE_PER_FX", "first"),
            BED=("BED", "first"),
            EQD2=("EQD2", "first"),
            N_LESIONS=("TULNKID", "size"),
            N_PATIENTS=("USUBJID", "nunique"),
        )
        .reset_index()
    )
    order = {v: i for i, v in enumerate(_ordered(out["MDTLES"], protocol.MDT_LESION_TYPES))}
    out = out.assign(_o=out["MDTLES"].map(order)).sort_values(["_o", "EQD2"], ascending=[True, False])
    return out.drop(columns="_o").reset_index(drop=True)


def patient_site_matrix(adtu: pd.DataFrame, adsl: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return lesions per patient and site category as a matrix.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects and adds enrolled patients without a lesion (all
        zeros).

    Returns
    -------
    pandas.DataFrame
        Index USUBJID (sorted), one column per site category (the protocol's four always, then any other
        found), values the number of lesions (int).
    """
    _check_adtu(adtu)
    lesions = _lesions(adtu, adsl)
    patients = _patients(adsl)
    ids = sorted(set(lesions["USUBJID"]) | (set(patients["USUBJID"]) if patients is not None else set()))
    cats = list(protocol.SITE_CATEGORIES) + sorted(set(lesions["TULOCCAT"]) - set(protocol.SITE_CATEGORIES))
    counts = lesions.groupby(["USUBJID", "TULOCCAT"]).size().unstack(fill_value=0)
    matrix = counts.reindex(index=ids, columns=cats, fill_value=0).fillna(0).astype(int)
    matrix.index.name = "USUBJID"
    matrix.columns.name = "TULOCCAT"
    return matrix
