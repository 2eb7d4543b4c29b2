"""Lesion sites: lesions per site and MDT, patients per combination of sites, the patient x site matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.lesions.common import (
    NOT_RECORDED,
    LesionOptions,
    check_adtu,
    enrolled_ids,
    enrolled_lesions,
    ordered,
    with_mdttype,
)
from medcare_metrics.lesions.counts import per_patient


def lesions_by_site(
    adtu: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    level: str = "category",
    stack: str = "lesion",
    options: LesionOptions | None = None,
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
    options : LesionOptions or None
        The study's categories (their order); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        TULOCCAT (, TULOC), MDTLES or MDTTYPE, N_LESIONS, N_PATIENTS; site categories and MDT in the
        study's order ("Not recorded" when the column is absent or empty).

    Raises
    ------
    ValueError
        For an unknown level or stack, or missing ADTU columns.
    """
    if level not in ("category", "site"):
        raise ValueError(f"unknown level {level!r}; expected 'category' or 'site'")
    if stack not in ("lesion", "patient"):
        raise ValueError(f"unknown stack {stack!r}; expected 'lesion' or 'patient'")
    check_adtu(adtu)
    options = options or LesionOptions()
    lesions = enrolled_lesions(adtu, adsl)
    if stack == "patient":
        lesions, mdt_col, known = with_mdttype(lesions, adsl), "MDTTYPE", options.mdt_types
    else:
        mdt_col, known = "MDTLES", (*options.mdt_lesion_types, "None")
        if "MDTLES" not in lesions.columns:
            lesions["MDTLES"] = NOT_RECORDED
    keys = ["TULOCCAT", "TULOC", mdt_col] if level == "site" else ["TULOCCAT", mdt_col]
    out = (
        lesions.groupby(keys)
        .agg(N_LESIONS=("TULNKID", "size"), N_PATIENTS=("USUBJID", "nunique"))
        .reset_index()
    )
    cat_order = {v: i for i, v in enumerate(ordered(out["TULOCCAT"], options.site_categories))}
    mdt_order = {v: i for i, v in enumerate(ordered(out[mdt_col], known))}
    sort = out.assign(_c=out["TULOCCAT"].map(cat_order), _m=out[mdt_col].map(mdt_order))
    by = ["_c", "TULOC", "_m"] if level == "site" else ["_c", "_m"]
    return sort.sort_values(by).drop(columns=["_c", "_m"]).reset_index(drop=True)


#: Site pattern of an enrolled patient without a lesion row.
NO_LESION = "No lesion recorded"


def _patterns(lesions: pd.DataFrame, ids: list[str], categories: tuple[str, ...]) -> pd.Series:
    """Return each patient's site categories in the study's order joined by " + " (index USUBJID)."""
    names = ordered(lesions["TULOCCAT"], categories)
    order = {v: i for i, v in enumerate(names)}
    cat_codes, cat_values = pd.factorize(lesions["TULOCCAT"])
    subject_codes, subjects = pd.factorize(lesions["USUBJID"])
    if (
        len(lesions) == 0
        or len(names) > _MAX_MASK_BITS
        or (cat_codes < 0).any()
        or not all(isinstance(v, str) for v in cat_values)
    ):
        return _patterns_by_group(lesions, ids, order)
    # Each patient's set of categories as bits (bit i: the study's i-th category), then one label per
    # distinct set: a Python join per patient was most of the Lesions page at 10,000 patients.
    bits = np.array([1 << order[v] for v in cat_values], dtype=np.int64)[cat_codes]
    kept = subject_codes >= 0  # groupby leaves out a missing USUBJID
    masks = np.zeros(len(subjects), dtype=np.int64)
    np.bitwise_or.at(masks, subject_codes[kept], bits[kept])
    distinct, which = np.unique(masks, return_inverse=True)
    labels = [" + ".join(names[i] for i in range(len(names)) if m >> i & 1) for m in distinct.tolist()]
    index = pd.Index(subjects, name="USUBJID")
    cats = pd.Series(np.array(labels, dtype=object)[which.reshape(-1)], index=index, name="TULOCCAT")
    return cats.reindex(ids).fillna(NO_LESION)


#: Most site categories :func:`_patterns` packs into the bits of one integer.
_MAX_MASK_BITS = 62


def _patterns_by_group(lesions: pd.DataFrame, ids: list[str], order: dict[str, int]) -> pd.Series:
    """:func:`_patterns` one patient at a time, for values the bit sets cannot hold (not text, missing)."""
    cats = lesions.groupby("USUBJID")["TULOCCAT"].agg(
        lambda s: " + ".join(sorted(set(s), key=lambda c: order[c]))
    )
    return cats.reindex(ids).fillna(NO_LESION)


def site_patterns(
    adtu: pd.DataFrame, adsl: pd.DataFrame | None = None, options: LesionOptions | None = None
) -> pd.DataFrame:
    """Return patients per combination of lesion site categories (``"Bone + Lymph node"``), by MDT type.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    adsl : pandas.DataFrame or None
        Subject level: restricts to its enrolled subjects, adds those without a lesion (pattern
        :data:`NO_LESION`) and gives MDTTYPE.
    options : LesionOptions or None
        The study's categories (their order); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        PATTERN, MDTTYPE ("Not recorded" when ADSL lacks it), N_PATIENTS (> 0 rows only), PATTERN_TOTAL
        (patients with that pattern, all MDT types); the most frequent pattern first (ties alphabetical), MDT
        types in the study's order.
    """
    check_adtu(adtu)
    options = options or LesionOptions()
    lesions = enrolled_lesions(adtu, adsl)
    per = per_patient(lesions, adsl, options)
    per["PATTERN"] = per["USUBJID"].map(_patterns(lesions, list(per["USUBJID"]), options.site_categories))
    out = per.groupby(["PATTERN", "MDTTYPE"]).size().reset_index(name="N_PATIENTS")
    out["PATTERN_TOTAL"] = out.groupby("PATTERN")["N_PATIENTS"].transform("sum")
    mdt_order = {v: i for i, v in enumerate(ordered(out["MDTTYPE"], options.mdt_types))}
    out = out.assign(_m=out["MDTTYPE"].map(mdt_order), _t=-out["PATTERN_TOTAL"])
    return out.sort_values(["_t", "PATTERN", "_m"]).drop(columns=["_m", "_t"]).reset_index(drop=True)


def patient_site_matrix(
    adtu: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    order: str = "patient",
    options: LesionOptions | None = None,
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
    options : LesionOptions or None
        The study's categories (their order); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        Index USUBJID, one column per site category (the study's always, then any other found),
        values the number of lesions (int).

    Raises
    ------
    ValueError
        For an unknown ``order``.
    """
    if order not in ("patient", "pattern"):
        raise ValueError(f"unknown order {order!r}; expected 'patient' or 'pattern'")
    check_adtu(adtu)
    lesions = enrolled_lesions(adtu, adsl)
    ids = sorted(set(lesions["USUBJID"]) | (set(enrolled_ids(adsl)) if adsl is not None else set()))
    known = (options or LesionOptions()).site_categories
    cats = list(known) + sorted(set(lesions["TULOCCAT"]) - set(known))
    counts = lesions.groupby(["USUBJID", "TULOCCAT"]).size().unstack(fill_value=0)
    matrix = counts.reindex(index=ids, columns=cats, fill_value=0).fillna(0).astype(int)
    if order == "pattern":
        pattern = _patterns(lesions, ids, known)
        size = pattern.map(pattern.value_counts())
        key = pd.DataFrame(
            {"size": -size.to_numpy(), "pattern": pattern.to_numpy(), "n": -matrix.sum(axis=1).to_numpy()},
            index=ids,
        )
        matrix = matrix.loc[key.sort_values(["size", "pattern", "n"], kind="stable").index]
    matrix.index.name = "USUBJID"
    matrix.columns.name = "TULOCCAT"
    return matrix
