"""Lesions per patient (all, or on conventional imaging: polyprogression), their distribution, lesion MDT."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.lesions.common import (
    CONVENTIONAL,
    NOT_RECORDED,
    LesionOptions,
    check_adtu,
    enrolled_ids,
    enrolled_lesions,
    ordered,
    with_mdttype,
)
from medcare_metrics.rules import enrolled_mask


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
    check_adtu(adtu)
    return per_patient(enrolled_lesions(adtu, adsl), adsl, options or LesionOptions())


def per_patient(lesions: pd.DataFrame, adsl: pd.DataFrame | None, options: LesionOptions) -> pd.DataFrame:
    """Return :func:`lesions_per_patient` from the lesions :func:`enrolled_lesions` gave.

    Parameters
    ----------
    lesions : pandas.DataFrame
        ``enrolled_lesions(adtu, adsl)``.
    adsl : pandas.DataFrame or None
        The same ADSL.
    options : LesionOptions
        The polyprogression limit.

    Returns
    -------
    pandas.DataFrame
        As :func:`lesions_per_patient`; for callers that need the enrolled lesions too, so that they are
        selected once.
    """
    n = lesions.groupby("USUBJID").size()
    if "TUMETHOD" in lesions.columns:
        conv = lesions.loc[lesions["TUMETHOD"] == CONVENTIONAL].groupby("USUBJID").size()
    else:
        conv = n
    # The USUBJID column only: taking every ADSL column of the enrolled subjects is not needed here.
    ids = sorted(set(n.index) | (set(enrolled_ids(adsl)) if adsl is not None else set()))
    out = pd.DataFrame({"USUBJID": ids})
    out["N_LESIONS"] = out["USUBJID"].map(n).fillna(0).astype(int)
    out["N_CONVENTIONAL"] = out["USUBJID"].map(conv).fillna(0).astype(int)
    # Eligibility counts lesions on conventional imaging; PSMA-only lesions do not make polyprogression.
    out["POLYPROGRESSION"] = out["N_CONVENTIONAL"] > options.max_lesions
    return with_mdttype(out, adsl)


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
    return _count_distribution(label, per["MDTTYPE"], cats, options.mdt_types)


def _count_distribution(
    label: pd.Series, mdttype: pd.Series, cats: list[str], mdt_types: tuple[str, ...]
) -> pd.DataFrame:
    """Count patients per lesion-count category and MDT type; categories in ``cats`` order."""
    out = (
        pd.DataFrame({"N_LESIONS_CAT": label.to_numpy(), "MDTTYPE": mdttype.to_numpy()})
        .groupby(["N_LESIONS_CAT", "MDTTYPE"])
        .size()
        .reset_index(name="N_PATIENTS")
    )
    out["N_LESIONS_CAT"] = pd.Categorical(out["N_LESIONS_CAT"], categories=cats, ordered=True)
    order = {v: i for i, v in enumerate(ordered(out["MDTTYPE"], mdt_types))}
    out = out.assign(_o=out["MDTTYPE"].map(order)).sort_values(["N_LESIONS_CAT", "_o"]).drop(columns="_o")
    return out.reset_index(drop=True)


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
    DataUnavailable
        When ADSL has no NLES (a ValueError).
    """
    if "NLES" not in adsl.columns:
        raise DataUnavailable("ADSL has no NLES column (lesions on conventional imaging)")
    options = options or LesionOptions()
    patients = adsl.loc[enrolled_mask(adsl)].drop_duplicates("USUBJID")
    cats = [str(k) for k in range(options.max_lesions + 1)] + [f">{options.max_lesions}", NOT_RECORDED]
    n = pd.to_numeric(patients["NLES"], errors="coerce")
    label = n.map(
        lambda k: NOT_RECORDED if pd.isna(k) else (str(int(k)) if k <= options.max_lesions else cats[-2])
    )
    mdt = with_mdttype(patients[["USUBJID"]], patients)["MDTTYPE"]
    return _count_distribution(label, mdt, cats, options.mdt_types)


def mdt_per_lesion(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> pd.DataFrame:
    """Return lesions and patients per lesion MDT (SBRT, conventional RT, metastasectomy, ...).

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions with MDTLES.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects.
    options : LesionOptions or None
        The study's lesion MDT types (their order).

    Returns
    -------
    pandas.DataFrame
        MDTLES (the study's order, then others, "Not recorded" for a missing value), N_LESIONS, N_PATIENTS,
        PCT_LESIONS (of all lesions).

    Raises
    ------
    ValueError
        When ADTU lacks MDTLES or a required column.
    """
    check_adtu(adtu, ("MDTLES",))
    lesions = enrolled_lesions(adtu, adsl)
    out = lesions.groupby("MDTLES").agg(N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique"))
    options = options or LesionOptions()
    order = ordered(pd.Series(out.index), (*options.mdt_lesion_types, "None"))
    out = out.reindex(order).reset_index()
    total = len(lesions)
    out["PCT_LESIONS"] = 100.0 * out["N_LESIONS"] / total if total else np.nan
    return out
