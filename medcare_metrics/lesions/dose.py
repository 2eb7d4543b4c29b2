"""Radiotherapy dose of the irradiated lesions: BED, EQD2, schedules and dose per modality.

BED = D (1 + d / (alpha/beta)) and EQD2 = BED / (1 + 2 / (alpha/beta)), where D is the total dose (RTDOSE,
Gy), d the dose per fraction (RTDOSE / RTFX) and alpha/beta from
:class:`~medcare_metrics.lesions.LesionOptions` (the trial settings; prostate cancer: 1.5 Gy).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pandas as pd

from medcare_metrics.lesions.common import NOT_RECORDED, LesionOptions, check_adtu, enrolled_lesions, ordered

#: A dose or fraction count: one number, or one per lesion.
Dose: TypeAlias = float | np.ndarray | pd.Series


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

    Irradiated lesions: MDTLES in the study's ``radiotherapy_types`` (``LesionOptions.radiotherapy_types``),
    or any lesion with an RTDOSE when ADTU has no MDTLES or the study names no radiotherapy type.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with RTDOSE and RTFX.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects.
    options : LesionOptions or None
        The alpha/beta ratio and the radiotherapy types.

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
    check_adtu(adtu, ("RTDOSE", "RTFX"))
    options = options or LesionOptions()
    lesions = enrolled_lesions(adtu, adsl)
    if "MDTLES" in lesions.columns and options.radiotherapy_types:
        rt = lesions.loc[lesions["MDTLES"].isin(options.radiotherapy_types)].copy()
    elif "MDTLES" in lesions.columns:
        rt = lesions.loc[lesions["RTDOSE"].notna()].copy()
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
    known = (options or LesionOptions()).mdt_lesion_types
    order = {v: i for i, v in enumerate(ordered(out["MDTLES"], known))}
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
        RTDOSE_MIN, RTDOSE_MAX, RTFX_MEDIAN, ..., EQD2_MAX); modalities in the study's order.
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
    known = (options or LesionOptions()).mdt_lesion_types
    out = out.reindex(ordered(pd.Series(out.index), known)).reset_index()
    out["N_DOSE_MISSING"] = out["N_DOSE_MISSING"].astype(int)
    return out
