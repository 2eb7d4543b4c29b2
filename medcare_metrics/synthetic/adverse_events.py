"""ADAE: adverse events of enrolled patients, CTCAE v5 terms that fit the treated sites."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.rules import HIGH_GRADE
from medcare_metrics.study import default_study
from medcare_metrics.synthetic.arrays import (
    _dates,
    _flag,
    _nullable_int,
    _pick_rows,
    _study_day,
    _text,
    _within,
)

# Adverse-event catalogue. SOC and the grades that exist are copied from CTCAE v5.0
# (shared/reference/ctcae_v5.csv; tests/test_synthetic.py checks every row against that file).


@dataclass(frozen=True)
class _AETerm:
    term: str
    soc: str
    min_grade: int
    max_grade: int
    context: str  # which patients can have it: any, rt, bone_rt, pelvic_rt, thoracic_rt, surgery
    phase: str  # early (day 1-30), acute (day 1-90), late (after day 90) or any (day 1-720)
    weight: float
    verbatim: str
    related: bool  # caused by MDT (else mostly by the disease or the systemic therapy)


_GEN = "General disorders and administration site conditions"
_GI = "Gastrointestinal disorders"
_RU = "Renal and urinary disorders"
_MSK = "Musculoskeletal and connective tissue disorders"
_INJ = "Injury, poisoning and procedural complications"
_RESP = "Respiratory, thoracic and mediastinal disorders"
_VASC = "Vascular disorders"
_INF = "Infections and infestations"
_REPRO = "Reproductive system and breast disorders"

AE_CATALOGUE: tuple[_AETerm, ...] = (
    _AETerm("Fatigue", _GEN, 1, 3, "rt", "acute", 3.0, "Tiredness", True),
    _AETerm("Nausea", _GI, 1, 3, "rt", "acute", 0.8, "Nausea", True),
    _AETerm("Dermatitis radiation", _INJ, 1, 5, "rt", "acute", 0.5, "Skin erythema in radiation field", True),
    _AETerm("Pain", _GEN, 1, 3, "rt", "acute", 0.8, "Pain flare after SBRT", True),
    _AETerm("Bone pain", _MSK, 1, 3, "bone_rt", "acute", 2.0, "Bone pain flare", True),
    _AETerm("Back pain", _MSK, 1, 3, "bone_rt", "any", 0.8, "Back pain", True),
    _AETerm("Pain in extremity", _MSK, 1, 3, "bone_rt", "any", 0.4, "Leg pain", True),
    _AETerm("Fracture", _INJ, 1, 5, "bone_rt", "late", 0.3, "Pathological fracture in treated bone", True),
    _AETerm("Cystitis noninfective", _RU, 1, 5, "pelvic_rt", "acute", 1.5, "Radiation cystitis", True),
    _AETerm("Cystitis noninfective", _RU, 1, 5, "pelvic_rt", "late", 0.6, "Late radiation cystitis", True),
    _AETerm("Urinary frequency", _RU, 1, 2, "pelvic_rt", "acute", 2.0, "Frequency", True),
    _AETerm("Urinary urgency", _RU, 1, 2, "pelvic_rt", "acute", 1.0, "Urgency", True),
    _AETerm("Diarrhea", _GI, 1, 5, "pelvic_rt", "acute", 1.5, "Diarrhoea", True),
    _AETerm("Proctitis", _GI, 1, 5, "pelvic_rt", "acute", 0.8, "Radiation proctitis", True),
    _AETerm("Proctitis", _GI, 1, 5, "pelvic_rt", "late", 0.5, "Late radiation proctitis", True),
    _AETerm("Rectal hemorrhage", _GI, 1, 5, "pelvic_rt", "late", 0.5, "Rectal blood loss", True),
    _AETerm("Hematuria", _RU, 1, 5, "pelvic_rt", "late", 0.5, "Haematuria", True),
    _AETerm("Urinary incontinence", _RU, 1, 3, "pelvic_rt", "late", 0.3, "Urinary incontinence", True),
    _AETerm("Cough", _RESP, 1, 3, "thoracic_rt", "acute", 0.5, "Dry cough", True),
    _AETerm("Pneumonitis", _RESP, 1, 5, "thoracic_rt", "late", 0.3, "Radiation pneumonitis", True),
    _AETerm("Chest wall pain", _MSK, 1, 3, "thoracic_rt", "late", 0.4, "Chest wall pain", True),
    _AETerm("Pain", _GEN, 1, 3, "surgery", "early", 2.0, "Postoperative pain", True),
    _AETerm("Wound complication", _INJ, 1, 5, "surgery", "early", 0.8, "Wound dehiscence", True),
    _AETerm("Wound infection", _INF, 1, 5, "surgery", "early", 0.4, "Wound infection", True),
    _AETerm("Postoperative hemorrhage", _INJ, 1, 5, "surgery", "early", 0.2, "Postoperative bleeding", True),
    _AETerm("Lymphocele", _VASC, 1, 3, "lnd", "any", 0.8, "Pelvic lymphocele", True),
    _AETerm("Lymphedema", _VASC, 1, 3, "lnd", "late", 0.4, "Leg lymphoedema", True),
    _AETerm("Urinary incontinence", _RU, 1, 3, "srp", "any", 1.5, "Stress incontinence", True),
    _AETerm("Erectile dysfunction", _REPRO, 1, 3, "srp", "late", 0.8, "Erectile dysfunction", True),
    _AETerm("Anemia", "Blood and lymphatic system disorders", 1, 5, "any", "any", 0.5, "Anaemia", False),
    _AETerm("Hot flashes", _VASC, 1, 3, "any", "any", 0.6, "Hot flushes", False),
    _AETerm("Urinary tract infection", _INF, 2, 5, "any", "any", 0.3, "Urinary tract infection", False),
    _AETerm("Constipation", _GI, 1, 5, "any", "any", 0.4, "Constipation", False),
    _AETerm("Arthralgia", _MSK, 1, 3, "any", "any", 0.4, "Joint pain", False),
)
_CONTEXTS: tuple[str, ...] = ("any", "rt", "bone_rt", "pelvic_rt", "thoracic_rt", "surgery", "lnd", "srp")


def _adae_frame(subj: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    e = subj["eidx"]
    ne = len(e)
    cat = AE_CATALOGUE
    ctx_col = np.array([_CONTEXTS.index(t.context) for t in cat])
    weight = np.array([t.weight for t in cat])
    late = np.array([t.phase == "late" for t in cat])
    acute = np.array([t.phase == "acute" for t in cat])
    early = np.array([t.phase == "early" for t in cat])

    n_ae = rng.poisson(2.2, ne)
    who = np.repeat(np.arange(ne), n_ae)
    m = len(who)
    allowed = subj["ctx"][who][:, ctx_col]
    row = _pick_rows(rng, allowed * weight[None, :])

    trts = subj["trts"][e][who]
    enrl = subj["enrl"][e][who]
    end = enrl + subj["end_rel"][who]
    # Onset day relative to MDT start (day 1 = TRTSDT).
    acute_day = rng.integers(1, 91, m)
    late_day = 91 + np.floor(rng.exponential(240.0, m)).astype(np.int64)
    any_day = rng.integers(1, 720, m)
    early_day = rng.integers(1, 31, m)
    onset = np.where(
        early[row], early_day, np.where(acute[row], acute_day, np.where(late[row], late_day, any_day))
    )
    unrelated = np.array([not t.related for t in cat])[row]
    # Some AEs unrelated to MDT start between registration and MDT: not treatment emergent.
    before = unrelated & (rng.random(m) < 0.15)
    pre_mdt = enrl + np.floor(rng.random(m) * (trts - enrl)).astype(np.int64)
    astdt = np.where(before, pre_mdt, trts + onset - 1)
    keep = astdt <= end

    is_late = (astdt - trts) >= 90
    pelvic = np.array([t.context == "pelvic_rt" for t in cat])[row]
    p3 = np.where(pelvic & is_late, 0.12, 0.02)
    u = rng.random(m)
    grade = np.where(u < p3, 3, np.where(u < p3 + 0.28, 2, 1))
    lowest = np.array([t.min_grade for t in cat])[row]
    grade = np.clip(grade, lowest, np.array([t.max_grade for t in cat])[row])
    serious = rng.random(m) < np.where(grade >= HIGH_GRADE, 0.8, np.where(grade == 2, 0.03, 0.0))
    rel_u = rng.random(m)
    rel = np.where(
        unrelated,
        np.where(rel_u < 0.75, 2, 1),
        np.where(rel_u < 0.65, 0, 1),
    )
    dur = np.ceil(rng.lognormal(np.log(np.where(is_late, 60.0, 20.0)), 0.7, m)).astype(np.int64)
    aendt = astdt + dur
    ongoing = aendt > end

    order = np.lexsort((np.array([t.term for t in cat], dtype=object)[row], astdt, who))
    order = order[keep[order]]
    # One record per subject, term and acute/late phase (the first onset).
    term_id = np.unique([t.term for t in cat], return_inverse=True)[1][row]
    repeat = pd.DataFrame({"who": who, "term": term_id, "late": is_late}).iloc[order].duplicated().to_numpy()
    order = order[~repeat]
    who, row, astdt, aendt = who[order], row[order], astdt[order], aendt[order]
    grade, serious, rel, ongoing, trts = grade[order], serious[order], rel[order], ongoing[order], trts[order]
    counts = np.bincount(who, minlength=ne)
    sev = np.array(["MILD", "MODERATE", "SEVERE", "SEVERE", "SEVERE"], dtype=object)
    return pd.DataFrame(
        {
            "STUDYID": default_study().study_id,
            "USUBJID": subj["usubjid"][e][who],
            "AESEQ": _nullable_int(_within(counts) + 1),  # rows are sorted by subject
            "AETERM": np.array([t.verbatim for t in cat], dtype=object)[row],
            "AEDECOD": np.array([t.term for t in cat], dtype=object)[row],
            "AEBODSYS": np.array([t.soc for t in cat], dtype=object)[row],
            "ATOXGR": _nullable_int(grade),
            "AETOXGR": _nullable_int(grade),
            "AESEV": sev[grade - 1],
            "AESER": _flag(serious),
            "AEREL": _text(("RELATED", "POSSIBLY RELATED", "NOT RELATED"), rel),
            "ASTDT": _dates(astdt),
            "AENDT": _dates(aendt, ongoing),
            "ASTDY": _nullable_int(_study_day(astdt, trts)),
            "TRTEMFL": _flag(astdt >= trts),
        }
    )
