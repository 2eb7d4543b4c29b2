"""ADTU: the lesions of enrolled patients, their metastasis-directed therapy (MDT) and its dose.

Also the patient-level summary of the lesions' MDT (ADSL.MDTTYPE, MDTDETL, PSMAFL, PSMACHFL, TRTEDT) and
which adverse-event contexts each patient has (:data:`~medcare_metrics.synthetic.adverse_events._CONTEXTS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.study import default_study
from medcare_metrics.synthetic.arrays import _dates, _nullable_int, _pick, _text, _within

_BONE_SITES = (
    "Rib", "Thoracic vertebra", "Lumbar vertebra", "Ilium", "Sacrum", "Acetabulum", "Femur", "Humerus",
    "Scapula", "Sternum",
)  # fmt: skip
_NODE_SITES = (
    "Pelvic lymph node", "Common iliac lymph node", "Para-aortic lymph node", "Inguinal lymph node",
    "Mediastinal lymph node", "Supraclavicular lymph node",
)  # fmt: skip
_VISCERAL_SITES = ("Lung", "Liver", "Adrenal gland")
#: Radiotherapy here reaches bladder or rectum (GU/GI toxicity).
_PELVIC = frozenset({"Sacrum", "Pelvic lymph node", "Common iliac lymph node", "Prostate", "Prostate bed"})
#: Nodes a salvage lymphadenectomy can reach.
_RESECTABLE_NODES = frozenset(
    {"Pelvic lymph node", "Common iliac lymph node", "Para-aortic lymph node", "Inguinal lymph node"}
)
_THORACIC = frozenset({"Rib", "Thoracic vertebra", "Sternum", "Lung", "Mediastinal lymph node"})
#: Category probabilities of a lesion seen on conventional imaging / on PSMA PET-CT only.
_CAT_P_CONVENTIONAL = (0.50, 0.34, 0.08, 0.08)
_CAT_P_PSMA_ONLY = (0.45, 0.50, 0.05, 0.0)
#: SBRT schedules (total Gy, fractions) and their weights.
_SBRT = ((30.0, 3), (35.0, 5), (24.0, 1), (27.0, 3), (40.0, 5))
_SBRT_P = (0.35, 0.25, 0.2, 0.1, 0.1)
#: Conventional RT of the prostate bed (after prostatectomy) and of an intact prostate.
_RT_BED = ((70.0, 35), (66.0, 33))
_RT_PROSTATE = ((78.0, 39), (60.0, 20))


def _lesions(subj: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Lesions of enrolled patients: conventional ones first (NLES), then PSMA PET-CT-only ones."""
    e = subj["eidx"]
    ne = len(e)
    nles = subj["nles"][e]
    primtrt = subj["primtrt"][e]
    psmafl = rng.random(ne) < 0.7
    n_psma = np.where(psmafl, _pick(rng, (0.6, 0.3, 0.1), ne), 0)
    counts = nles + n_psma
    owner = np.repeat(np.arange(ne), counts)
    pos = _within(counts)
    psma_only = pos >= np.repeat(nles, counts)
    m = len(owner)

    cat = np.where(
        psma_only, _pick(rng, _CAT_P_PSMA_ONLY, m), _pick(rng, _CAT_P_CONVENTIONAL, m)
    )  # 0 bone, 1 node, 2 visceral, 3 local recurrence
    # An untreated primary gets local therapy: its first lesion is the prostate.
    untreated = primtrt[owner] == 2
    cat = np.where(untreated & (pos == 0), 3, cat)
    # At most one local recurrence per patient.
    lr = np.flatnonzero(cat == 3)
    dup = np.zeros(len(lr), dtype=bool)
    dup[1:] = owner[lr][1:] == owner[lr][:-1]
    cat[lr[dup]] = 0

    u_site = rng.random(m)
    loc = np.empty(m, dtype=object)
    for c, sites in enumerate((_BONE_SITES, _NODE_SITES, _VISCERAL_SITES)):
        sel = cat == c
        loc[sel] = np.asarray(sites, dtype=object)[(u_site[sel] * len(sites)).astype(int)]
    sel = cat == 3
    loc[sel] = np.where(primtrt[owner[sel]] == 1, "Prostate bed", "Prostate")

    # MDT per lesion: index into default_study().mdt_lesion_types, -1 = none.
    sbrt, conv, metx, lnd, srp = range(5)
    u = rng.random(m)
    mdt = np.full(m, sbrt)
    mdt = np.where((cat == 0) & (u < 0.05), metx, mdt)
    mdt = np.where((cat == 1) & (u < 0.40) & np.isin(loc, list(_RESECTABLE_NODES)), lnd, mdt)
    mdt = np.where((cat == 2) & (u < 0.40), metx, mdt)
    after_rp = primtrt[owner] == 1
    after_rt = primtrt[owner] == 0
    mdt = np.where((cat == 3) & (after_rp | untreated), conv, mdt)
    mdt = np.where((cat == 3) & after_rt & (u < 0.4), srp, mdt)
    mdt = np.where(psma_only & (rng.random(m) >= 0.75), -1, mdt)

    # Radiotherapy dose and fractions.
    dose = np.full(m, np.nan)
    fx = np.zeros(m, dtype=np.int64)
    s = _pick(rng, _SBRT_P, m)
    dose = np.where(mdt == sbrt, np.array([d for d, _ in _SBRT])[s], dose)
    fx = np.where(mdt == sbrt, np.array([f for _, f in _SBRT])[s], fx)
    schedule = rng.integers(0, 2, m)
    bed = (mdt == conv) & (loc == "Prostate bed")
    dose = np.where(bed, np.array([d for d, _ in _RT_BED])[schedule], dose)
    fx = np.where(bed, np.array([f for _, f in _RT_BED])[schedule], fx)
    pro = (mdt == conv) & (loc != "Prostate bed")
    dose = np.where(pro, np.array([d for d, _ in _RT_PROSTATE])[schedule], dose)
    fx = np.where(pro, np.array([f for _, f in _RT_PROSTATE])[schedule], fx)

    # First lesion starts on TRTSDT; the others the same day or within four weeks.
    trts = subj["trts"][e][owner]
    lag = np.where(rng.random(m) < 0.5, 0, rng.integers(1, 29, m))
    mdtdt = trts + np.where(pos == 0, 0, lag)
    # SBRT every other day; conventional RT five fractions a week.
    duration = np.where(mdt == sbrt, 2 * (fx - 1), np.where(mdt == conv, np.floor((fx - 1) * 7 / 5), 0))
    mdtend = mdtdt + duration.astype(np.int64)

    return {
        "owner": owner,
        "pos": pos,
        "counts": counts,
        "psmafl": psmafl,
        "psma_only": psma_only,
        "cat": cat,
        "loc": loc,
        "new": rng.random(m) < np.where(psma_only, 1.0, 0.4),
        "mdt": mdt,
        "dose": dose,
        "fx": fx,
        "mdtdt": mdtdt,
        "mdtend": mdtend,
    }


def _treatment_summary(subj: dict[str, np.ndarray], les: dict[str, np.ndarray]) -> None:
    """Patient-level MDT columns and AE contexts from the lesions."""
    ne = len(subj["eidx"])
    owner, mdt = les["owner"], les["mdt"]
    treated = mdt >= 0
    starts = np.cumsum(les["counts"]) - les["counts"]
    bits = np.where(treated, 1 << np.maximum(mdt, 0), 0)
    mask = np.bitwise_or.reduceat(bits, starts)
    labels = np.array(
        [
            "; ".join(t for j, t in enumerate(default_study().mdt_lesion_types) if b >> j & 1)
            for b in range(32)
        ],
        dtype=object,
    )
    rt_bits = 0b00011
    surg_bits = 0b11100
    has_rt = (mask & rt_bits) > 0
    has_surg = (mask & surg_bits) > 0
    mdttype = np.where(has_rt & has_surg, 2, np.where(has_surg, 1, 0))

    def any_lesion(sel: np.ndarray) -> np.ndarray:
        return np.bincount(owner[sel], minlength=ne) > 0

    is_rt = treated & (mdt <= 1)
    pelvic = np.isin(les["loc"], list(_PELVIC))
    thoracic = np.isin(les["loc"], list(_THORACIC))
    subj["mdtdetl"] = labels[mask]
    subj["mdttype"] = mdttype
    subj["psmafl"] = les["psmafl"]
    subj["psmachfl"] = any_lesion(les["psma_only"] & treated)
    subj["trte"] = np.maximum.reduceat(np.where(treated, les["mdtend"], np.iinfo(np.int64).min), starts)
    subj["ctx"] = np.column_stack(
        [
            np.ones(ne, dtype=bool),
            has_rt,
            any_lesion(is_rt & (les["cat"] == 0)),
            any_lesion(is_rt & pelvic),
            any_lesion(is_rt & thoracic),
            has_surg,
            any_lesion(mdt == 3),
            any_lesion(mdt == 4),
        ]
    )


def _adtu_frame(subj: dict[str, np.ndarray], les: dict[str, np.ndarray]) -> pd.DataFrame:
    owner = les["owner"]
    treated = les["mdt"] >= 0
    is_rt = treated & (les["mdt"] <= 1)
    mdt_names = (*default_study().mdt_lesion_types, "None")
    return pd.DataFrame(
        {
            "STUDYID": default_study().study_id,
            "USUBJID": subj["usubjid"][subj["eidx"]][owner],
            "TULNKID": "L" + pd.Series(les["pos"] + 1).astype(str),
            "TULOC": les["loc"],
            "TULOCCAT": _text(default_study().site_categories, les["cat"]),
            "TUMETHOD": np.where(les["psma_only"], "PSMA PET-CT only", "Conventional").astype(object),
            "LESSTAT": np.where(les["new"], "New", "Progressing").astype(object),
            "MDTLES": _text(mdt_names, les["mdt"]),  # -1 indexes the trailing "None"
            "MDTDT": _dates(les["mdtdt"], ~treated),
            "RTDOSE": np.where(is_rt, les["dose"], np.nan),
            "RTFX": _nullable_int(les["fx"], ~is_rt),
        }
    )
