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
from medcare_metrics.subjects import enrolled_mask, flag_yes

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


def _patients(adsl: pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the enrolled ADSL subjects (all subjects when ADSL has no ENRLFL)."""
    if adsl is None:
        return None
    return adsl.loc[enrolled_mask(adsl)].drop_duplicates("USUBJID")


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
    return _with_mdttype(out, adsl)


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
    return _count_distribution(label, per["MDTTYPE"], cats)


def _count_distribution(label: pd.Series, mdttype: pd.Series, cats: list[str]) -> pd.DataFrame:
    """Count patients per lesion-count category and MDT type; categories in ``cats`` order."""
    out = (
        pd.DataFrame({"N_LESIONS_CAT": label.to_numpy(), "MDTTYPE": mdttype.to_numpy()})
        .groupby(["N_LESIONS_CAT", "MDTTYPE"])
        .size()
        .reset_index(name="N_PATIENTS")
    )
    out["N_LESIONS_CAT"] = pd.Categorical(out["N_LESIONS_CAT"], categories=cats, ordered=True)
    order = {v: i for i, v in enumerate(_ordered(out["MDTTYPE"], protocol.MDT_TYPES))}
    out = out.assign(_o=out["MDTTYPE"].map(order)).sort_values(["N_LESIONS_CAT", "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)


def _with_mdttype(lesions: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``lesions`` with the patient's MDTTYPE from ADSL ("Not recorded" when absent)."""
    out = lesions.copy()
    if adsl is not None and "MDTTYPE" in adsl.columns:
        mdt = adsl.drop_duplicates("USUBJID").set_index("USUBJID")["MDTTYPE"]
        out["MDTTYPE"] = out["USUBJID"].map(mdt).astype(object)
        out["MDTTYPE"] = out["MDTTYPE"].where(out["MDTTYPE"].notna(), NOT_RECORDED)
    else:
        out["MDTTYPE"] = NOT_RECORDED
    return out


def lesions_by_site(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, level: str = "category", stack: str = "lesion"
) -> pd.DataFrame:
    """Return lesions per site category (or site) and MDT: the lesion's own, or the patient's MDT type.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions; MDTLES optional ("Not recorded" when absent).
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects; MDTTYPE for ``stack="patient"``.
    level : str
        ``"category"`` (TULOCCAT) or ``"site"`` (TULOCCAT and TULOC).
    stack : str
        ``"lesion"``: by the MDT applied to the lesion (ADTU.MDTLES). ``"patient"``: by the patient's MDT type
        (ADSL.MDTTYPE, the sidebar's "MDT type").

    Returns
    -------
    pandas.DataFrame
        TULOCCAT (, TULOC), MDTLES or MDTTYPE, N_LESIONS, N_PATIENTS; site categories in protocol order, MDT
        in protocol order ("Not recorded" when the column is absent or empty).

    Raises
    ------
    ValueError
        For an unknown level or stack, or missing ADTU columns.
    """
    if level not in ("category", "site"):
        raise ValueError(f"unknown level {level!r}; expected 'category' or 'site'")
    if stack not in ("lesion", "patient"):
        raise ValueError(f"unknown stack {stack!r}; expected 'lesion' or 'patient'")
    _check_adtu(adtu)
    lesions = _lesions(adtu, adsl)
    if stack == "patient":
        lesions, mdt_col, known = _with_mdttype(lesions, adsl), "MDTTYPE", protocol.MDT_TYPES
    else:
        mdt_col, known = "MDTLES", (*protocol.MDT_LESION_TYPES, "None")
        if "MDTLES" not in lesions.columns:
            lesions["MDTLES"] = NOT_RECORDED
    keys = ["TULOCCAT", "TULOC", mdt_col] if level == "site" else ["TULOCCAT", mdt_col]
    out = (
        lesions.groupby(keys)
        .agg(N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique"))
        .reset_index()
    )
    cat_order = {v: i for i, v in enumerate(_ordered(out["TULOCCAT"], protocol.SITE_CATEGORIES))}
    mdt_order = {v: i for i, v in enumerate(_ordered(out[mdt_col], known))}
    sort = out.assign(_c=out["TULOCCAT"].map(cat_order), _m=out[mdt_col].map(mdt_order))
    by = ["_c", "TULOC", "_m"] if level == "site" else ["_c", "_m"]
    return sort.sort_values(by).drop(columns=["_c", "_m"]).reset_index(drop=True)


#: Site pattern of an enrolled patient without a lesion row.
NO_LESION = "No lesion recorded"


def _patterns(lesions: pd.DataFrame, ids: list[str]) -> pd.Series:
    """Return each patient's site categories in protocol order joined by " + " (index USUBJID)."""
    order = {v: i for i, v in enumerate(_ordered(lesions["TULOCCAT"], protocol.SITE_CATEGORIES))}
    cats = lesions.groupby("USUBJID")["TULOCCAT"].agg(
        lambda s: " + ".join(sorted(set(s), key=lambda c: order[c]))
    )
    return cats.reindex(ids).fillna(NO_LESION)


def site_patterns(adtu: pd.DataFrame, adsl: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return patients per combination of lesion site categories (``"Bone + Lymph node"``), by MDT type.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects, adds those without a lesion (pattern
        :data:`NO_LESION`) and gives MDTTYPE.

    Returns
    -------
    pandas.DataFrame
        PATTERN, MDTTYPE ("Not recorded" when ADSL lacks it), N_PATIENTS (> 0 rows only), PATTERN_TOTAL
        (patients with that pattern, all MDT types); the most frequent pattern first (ties alphabetical), MDT
        types in protocol order.
    """
    _check_adtu(adtu)
    per = lesions_per_patient(adtu, adsl)
    lesions = _lesions(adtu, adsl)
    per["PATTERN"] = per["USUBJID"].map(_patterns(lesions, list(per["USUBJID"])))
    out = per.groupby(["PATTERN", "MDTTYPE"]).size().reset_index(name="N_PATIENTS")
    out["PATTERN_TOTAL"] = out.groupby("PATTERN")["N_PATIENTS"].transform("sum")
    mdt_order = {v: i for i, v in enumerate(_ordered(out["MDTTYPE"], protocol.MDT_TYPES))}
    out = out.assign(_m=out["MDTTYPE"].map(mdt_order), _t=-out["PATTERN_TOTAL"])
    return out.sort_values(["_t", "PATTERN", "_m"]).drop(columns=["_m", "_t"]).reset_index(drop=True)


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
    done = int(flag_yes(patients, "PSMAFL").sum()) if patients is not None and "PSMAFL" in patients else None
    changed = (
        int(flag_yes(patients, "PSMACHFL").sum())
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


def dose_by_modality(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> pd.DataFrame:
    """Return the radiotherapy dose and fractionation per modality: median and range.

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
        MDTLES, N_LESIONS (irradiated lesions), N_PATIENTS, N_DOSE_MISSING (lesions without RTDOSE or RTFX),
        and the median, minimum and maximum over lesions of RTDOSE, RTFX and EQD2 (RTDOSE_MEDIAN,
        RTDOSE_MIN, RTDOSE_MAX, RTFX_MEDIAN, ..., EQD2_MAX); modalities in protocol order.
    """
    doses = radiotherapy_doses(adtu, adsl, options)
    doses["RTFX"] = doses["RTFX"].astype("Float64").astype(float)
    doses["_MISSING"] = doses["EQD2"].isna()
    grouped = doses.groupby("MDTLES")
    out = grouped.agg(
        N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique"), N_DOSE_MISSING=("_MISSING", "sum")
    )
    for col in ("RTDOSE", "RTFX", "EQD2"):
        out[f"{col}_MEDIAN"] = grouped[col].median()
        out[f"{col}_MIN"] = grouped[col].min()
        out[f"{col}_MAX"] = grouped[col].max()
    out = out.reindex(_ordered(pd.Series(out.index), protocol.MDT_LESION_TYPES)).reset_index()
    out["N_DOSE_MISSING"] = out["N_DOSE_MISSING"].astype(int)
    return out


def patient_site_matrix(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, order: str = "patient"
) -> pd.DataFrame:
    """Return lesions per patient and site category as a matrix.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects and adds enrolled patients without a lesion (all
        zeros).
    order : str
        ``"patient"``: rows by USUBJID. ``"pattern"``: patients with the same site pattern together, the most
        frequent pattern first (as :func:`site_patterns`), then most lesions first, then USUBJID; with many
        patients this shows the distribution at a glance.

    Returns
    -------
    pandas.DataFrame
        Index USUBJID, one column per site category (the protocol's four always, then any other found),
        values the number of lesions (int).

    Raises
    ------
    ValueError
        For an unknown ``order``.
    """
    if order not in ("patient", "pattern"):
        raise ValueError(f"unknown order {order!r}; expected 'patient' or 'pattern'")
    _check_adtu(adtu)
    lesions = _lesions(adtu, adsl)
    patients = _patients(adsl)
    ids = sorted(set(lesions["USUBJID"]) | (set(patients["USUBJID"]) if patients is not None else set()))
    cats = list(protocol.SITE_CATEGORIES) + sorted(set(lesions["TULOCCAT"]) - set(protocol.SITE_CATEGORIES))
    counts = lesions.groupby(["USUBJID", "TULOCCAT"]).size().unstack(fill_value=0)
    matrix = counts.reindex(index=ids, columns=cats, fill_value=0).fillna(0).astype(int)
    if order == "pattern":
        pattern = _patterns(lesions, ids)
        size = pattern.map(pattern.value_counts())
        key = pd.DataFrame(
            {"size": -size.to_numpy(), "pattern": pattern.to_numpy(), "n": -matrix.sum(axis=1).to_numpy()},
            index=ids,
        )
        matrix = matrix.loc[key.sort_values(["size", "pattern", "n"], kind="stable").index]
    matrix.index.name = "USUBJID"
    matrix.columns.name = "TULOCCAT"
    return matrix


def lesion_counts_from_adsl(adsl: pd.DataFrame, options: LesionOptions | None = None) -> pd.DataFrame:
    """Return enrolled patients per number of lesions on conventional imaging from ADSL.NLES (no ADTU needed).

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject level with NLES; enrolled subjects only (ENRLFL = "Y", every subject without ENRLFL).
    options : LesionOptions or None
        The polyprogression limit (the last category is "> limit").

    Returns
    -------
    pandas.DataFrame
        As :func:`lesion_count_distribution`: N_LESIONS_CAT (ordered categorical; a last category
        :data:`NOT_RECORDED` holds patients without NLES), MDTTYPE, N_PATIENTS (> 0 rows only).

    Raises
    ------
    ValueError
        When ADSL has no NLES.
    """
    if "NLES" not in adsl.columns:
        raise ValueError("ADSL has no NLES column (lesions on conventional imaging)")
    options = options or LesionOptions()
    patients = adsl.loc[enrolled_mask(adsl)].drop_duplicates("USUBJID")
    cats = [str(k) for k in range(options.max_lesions + 1)] + [f">{options.max_lesions}", NOT_RECORDED]
    n = pd.to_numeric(patients["NLES"], errors="coerce")
    label = n.map(
        lambda k: NOT_RECORDED if pd.isna(k) else (str(int(k)) if k <= options.max_lesions else cats[-2])
    )
    mdt = _with_mdttype(patients[["USUBJID"]], patients)["MDTTYPE"]
    return _count_distribution(label, mdt, cats)
