"""Synthetic MEDCARE-shaped example trial.

The generator draws a screened population across a few Belgian centres, registers ``patients`` of them and
gives every enrolled patient lesions, metastasis-directed therapy (MDT), adverse events, PSA values and
time-to-event outcomes, following the trial facts in ``shared/trial/MEDCARE.md``:

- screen failures come on top of the enrolled patients (about 25-35 % of the screened), each with the
  eligibility criterion that failed (codes of :data:`medcare_metrics.protocol.ELIGIBILITY_CRITERIA`);
- accrual is spread over ``accrual_months`` (two years by default) whatever the number of patients, so a
  large sample keeps the same calendar window and follow-up and only gets denser;
- PFS is Weibull with a median near 10 months; next-line systemic treatment (NEST) starts a while after
  progression, which puts the NEST-free survival median near 18 months; deaths come late (few OS events);
- adverse events are CTCAE v5 terms that fit the treated sites (pelvic radiotherapy gives GU/GI terms,
  surgery gives wound terms), mostly grade 1-2 with rare grade 3;
- ADSL.MDTTYPE counts conventional radiotherapy (of a local recurrence or an untreated primary) under
  ``"SBRT"``, the radiotherapy category of :data:`medcare_metrics.protocol.MDT_TYPES`; MDTDETL names it.

Everything is drawn from one ``numpy.random.Generator`` seeded by ``SyntheticOptions.seed``, so a seed always
gives the same trial. The work is done on whole numpy arrays (no per-patient loop over frames), so 10,000
patients take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from medcare_metrics import protocol
from medcare_metrics.model import DATASETS

#: Centre names; beyond the list, names repeat with a number (``"UZ Leuven 2"``).
SITE_NAMES: tuple[str, ...] = (
    "UZ Leuven",
    "UZ Gent",
    "AZ Groeninge Kortrijk",
    "GZA Antwerpen",
    "CHU Liège",
    "AZ Sint-Jan Brugge",
    "Jessa Ziekenhuis Hasselt",
    "Cliniques universitaires Saint-Luc",
)

OutputFormat = Literal["csv", "xlsx", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")
#: Workbook written by :func:`write_trial` for ``fmt="xlsx"``.
WORKBOOK_NAME = "medcare.xlsx"


@dataclass(frozen=True)
class SyntheticOptions:
    """What to generate.

    Attributes
    ----------
    patients : int
        Enrolled (registered) patients; screen failures come on top.
    sites : int
        Number of centres.
    seed : int
        Seed of the random generator; the same options give the same trial.
    first_screening : datetime.date
        Date of the first screening visit.
    accrual_months : float
        Months over which screening is spread, whatever the number of patients.
    cutoff : datetime.date
        Data cut-off date (DCUTDT); at least 180 days after the end of accrual.
    screen_fail_fraction : float
        Expected fraction of screened subjects who fail screening.
    """

    patients: int = 18
    sites: int = 4
    seed: int = 20240365
    first_screening: dt.date = dt.date(2022, 3, 1)
    accrual_months: float = 24.0
    cutoff: dt.date = dt.date(2025, 6, 30)
    screen_fail_fraction: float = 0.30

    def __post_init__(self) -> None:
        if self.patients < 1:
            raise ValueError(f"patients must be at least 1, got {self.patients}")
        if self.sites < 1:
            raise ValueError(f"sites must be at least 1, got {self.sites}")
        if not 0.0 <= self.screen_fail_fraction < 0.9:
            raise ValueError(f"screen_fail_fraction must be in [0, 0.9), got {self.screen_fail_fraction}")
        if self.accrual_months <= 0:
            raise ValueError(f"accrual_months must be positive, got {self.accrual_months}")
        accrual_end = _day(self.first_screening) + round(self.accrual_months * protocol.DAYS_PER_MONTH)
        # Registration, MDT start and a 39-fraction radiotherapy can end ~4.5 months after the last screening.
        if _day(self.cutoff) < accrual_end + 180:
            raise ValueError(
                f"cutoff {self.cutoff} must be at least 180 days after the end of accrual "
                f"({np.datetime64(accrual_end, 'D')})"
            )


# ----------------------------------------------------------------------------------------------------
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
    _AETerm("Erectile dysfunction", "Reproductive system and breast disorders", 1, 3, "srp", "late", 0.8,
            "Erectile dysfunction", True),
    _AETerm("Anemia", "Blood and lymphatic system disorders", 1, 5, "any", "any", 0.5, "Anaemia", False),
    _AETerm("Hot flashes", _VASC, 1, 3, "any", "any", 0.6, "Hot flushes", False),
    _AETerm("Urinary tract infection", _INF, 2, 5, "any", "any", 0.3, "Urinary tract infection", False),
    _AETerm("Constipation", _GI, 1, 5, "any", "any", 0.4, "Constipation", False),
    _AETerm("Arthralgia", _MSK, 1, 3, "any", "any", 0.4, "Joint pain", False),
)
_CONTEXTS: tuple[str, ...] = ("any", "rt", "bone_rt", "pelvic_rt", "thoracic_rt", "surgery", "lnd", "srp")

# ----------------------------------------------------------------------------------------------------
# Lesion sites and treatments.

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

_SCRF_P = {"EXC02": 0.38, "EXC01": 0.20, "INC06": 0.15, "OTHER": 0.15, "EXC03": 0.06, "EXC04": 0.06}
_SCRF_TEXT = {
    "OTHER": (
        "Patient declined participation",
        "Patient preferred a change of systemic therapy",
        "Withdrew before registration",
    ),
    "EXC03": ("Active urothelial carcinoma", "Active colorectal carcinoma"),
    "EXC04": (
        "Lesion not amenable to SBRT or surgery (prior radiotherapy dose)",
        "Comorbidity precluding both SBRT and surgery",
    ),
}

_EPOCH = np.datetime64("1970-01-01", "D")
_NEST_TEXT = "Start of next-line systemic treatment"


def _day(d: dt.date) -> int:
    return int((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Day numbers -> datetime64[ns]; ``missing`` marks NaT."""
    out = (_EPOCH + np.asarray(days, dtype=np.int64)).astype("datetime64[ns]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def _pick(rng: np.random.Generator, p: tuple[float, ...] | np.ndarray, size: int) -> np.ndarray:
    """Draw ``size`` indices with probabilities ``p``."""
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row of a non-negative weight matrix (rows with some positive weight)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), weights.shape[1] - 1)


def _within(counts: np.ndarray) -> np.ndarray:
    """Position of each element inside its group when groups of ``counts`` are laid end to end."""
    starts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - np.repeat(starts, counts)


def _text(values: tuple[str, ...], idx: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[idx]


def _flag(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "Y", "N").astype(object)


def _nullable_int(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    s = pd.Series(np.asarray(values, dtype=np.int64), dtype="Int64")
    if missing is not None:
        s[missing] = pd.NA
    return s


def _study_day(days: np.ndarray, start: np.ndarray) -> np.ndarray:
    """ADaM study day: day 1 is ``start``, the day before is -1 (there is no day 0)."""
    diff = days - start
    return np.where(diff >= 0, diff + 1, diff)


def _weibull(rng: np.random.Generator, median: float, shape: float, size: int) -> np.ndarray:
    return median * (rng.exponential(1.0, size) / np.log(2.0)) ** (1.0 / shape)


# ----------------------------------------------------------------------------------------------------


def generate_trial(options: SyntheticOptions | None = None) -> dict[str, pd.DataFrame]:
    """Generate a synthetic MEDCARE-shaped trial.

    Parameters
    ----------
    options : SyntheticOptions, optional
        What to generate; the defaults give the shipped example (18 enrolled patients, 4 centres).

    Returns
    -------
    dict of str to pandas.DataFrame
        Keys ``adsl``, ``adtte``, ``adae``, ``adtu``, ``adlb``, with the columns of
        ``docs/data-dictionary.md`` in its order. Dates are datetime64[ns]; integer-like columns are nullable
        ``Int64`` (AGE and ADTTE.AVAL, whole numbers, are int64); flags are ``"Y"``/``"N"``.
    """
    opt = options or SyntheticOptions()
    rng = np.random.default_rng(opt.seed)
    subj = _subjects(opt, rng)
    les = _lesions(subj, rng)
    _treatment_summary(subj, les)
    _outcomes(opt, subj, rng)
    datasets = {
        "adsl": _adsl_frame(opt, subj),
        "adtte": _adtte_frame(subj),
        "adae": _adae_frame(subj, rng),
        "adtu": _adtu_frame(subj, les),
        "adlb": _adlb_frame(subj, rng),
    }
    return {name: datasets[name] for name in DATASETS}


def _subjects(opt: SyntheticOptions, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Screened subjects: sites, dates, baseline characteristics and screen-failure reasons."""
    n_enr = opt.patients
    f = opt.screen_fail_fraction
    lo = int(np.floor(n_enr * max(f - 0.05, 0.0) / (1 - max(f - 0.05, 0.0))))
    hi = int(np.ceil(n_enr * (f + 0.05) / (1 - (f + 0.05))))
    # Screening until n_enr are eligible: failures before the n-th success are negative binomial.
    n_fail = int(np.clip(rng.negative_binomial(n_enr, 1 - f), lo, hi)) if f > 0 else 0
    n = n_enr + n_fail
    enrolled = np.ones(n, dtype=bool)
    enrolled[rng.permutation(n)[:n_fail]] = False

    accrual_days = round(opt.accrual_months * protocol.DAYS_PER_MONTH)
    offsets = np.sort(rng.uniform(0, accrual_days, n))
    scrn = _day(opt.first_screening) + np.floor(offsets - offsets[0]).astype(np.int64)

    # Centres open one after the other over the first third of accrual; the first centre recruits most.
    k = opt.sites
    opens = np.round(np.arange(k) * (accrual_days / 3) / max(k - 1, 1)).astype(np.int64)
    weights = 1.0 / (1.0 + 0.35 * np.arange(k))
    open_mask = (scrn[:, None] - scrn[0]) >= opens[None, :]
    site = _pick_rows(rng, open_mask * weights[None, :])
    width = max(2, len(str(k)))
    siteid = np.array([f"{i + 1:0{width}d}" for i in range(k)], dtype=object)
    names = np.array(
        [SITE_NAMES[i % len(SITE_NAMES)] + ("" if i < len(SITE_NAMES) else f" {i // len(SITE_NAMES) + 1}")
         for i in range(k)],
        dtype=object,
    )  # fmt: skip
    seq = pd.Series(site).groupby(site).cumcount().to_numpy() + 1
    seq_width = max(3, len(str(int(seq.max()))))
    subjid = pd.Series(siteid[site]) + "-" + pd.Series(seq).astype(str).str.zfill(seq_width)
    usubjid = protocol.STUDYID + "-" + subjid

    rfic = scrn - rng.integers(0, 15, n)
    enrl = scrn + rng.integers(3, 22, n)
    trts = enrl + rng.integers(7, 31, n)

    age = np.clip(np.round(rng.normal(71.0, 7.0, n)), 55, 85).astype(np.int64)
    whops = _pick(rng, (0.6, 0.4), n)
    btesto = np.round(np.clip(rng.lognormal(np.log(14.0), 0.6, n), 2.0, 48.0), 1)
    bpsa = np.round(np.clip(rng.lognormal(np.log(6.0), 1.0, n), 0.3, 150.0), 2)
    systher = _pick(rng, (0.30, 0.30, 0.25, 0.10, 0.05), n)
    primtrt = _pick(rng, (0.46, 0.46, 0.08), n)
    nles = 1 + _pick(rng, (0.45, 0.33, 0.22), n)

    # Screen failures: the failed criterion, and baseline values that show it.
    codes = np.array(list(_SCRF_P), dtype=object)
    crit = np.full(n, None, dtype=object)
    fail = ~enrolled
    crit[fail] = codes[_pick(rng, tuple(_SCRF_P.values()), n_fail)]
    exc01, exc02, inc06 = crit == "EXC01", crit == "EXC02", crit == "INC06"
    btesto = np.where(exc01, np.round(rng.uniform(52.0, 160.0, n), 1), btesto)
    nles = np.where(exc02, rng.integers(4, 10, n), nles)
    whops = np.where(inc06, 2 + (rng.random(n) < 0.2), whops)
    pick_text = rng.integers(0, 3, n)
    reason = np.full(n, None, dtype=object)
    for i in np.flatnonzero(fail):
        c = crit[i]
        if c == "EXC01":
            reason[i] = f"Testosterone {btesto[i]:.0f} ng/dL, above castrate level"
        elif c == "EXC02":
            reason[i] = f"Polyprogression: {nles[i]} progressive lesions on CT + bone scan"
        elif c == "INC06":
            reason[i] = f"WHO performance status {whops[i]}"
        else:
            texts = _SCRF_TEXT[c]
            reason[i] = texts[pick_text[i] % len(texts)]

    return {
        "n": np.int64(n),
        "enrolled": enrolled,
        "usubjid": usubjid.to_numpy(dtype=object),
        "subjid": subjid.to_numpy(dtype=object),
        "siteid": siteid[site],
        "sitename": names[site],
        "rfic": rfic,
        "scrn": scrn,
        "enrl": enrl,
        "trts": trts,
        "age": age,
        "whops": whops,
        "btesto": btesto,
        "bpsa": bpsa,
        "systher": systher,
        "primtrt": primtrt,
        "nles": nles,
        "scrfcrit": crit,
        "scrfreas": reason,
        "eidx": np.flatnonzero(enrolled),
    }


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

    # MDT per lesion: index into protocol.MDT_LESION_TYPES, -1 = none.
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
    c = rng.integers(0, 2, m)
    bed = (mdt == conv) & (loc == "Prostate bed")
    dose = np.where(bed, np.array([d for d, _ in _RT_BED])[c], dose)
    fx = np.where(bed, np.array([f for _, f in _RT_BED])[c], fx)
    pro = (mdt == conv) & (loc != "Prostate bed")
    dose = np.where(pro, np.array([d for d, _ in _RT_PROSTATE])[c], dose)
    fx = np.where(pro, np.array([f for _, f in _RT_PROSTATE])[c], fx)

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
        ["; ".join(t for j, t in enumerate(protocol.MDT_LESION_TYPES) if b >> j & 1) for b in range(32)],
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


def _outcomes(opt: SyntheticOptions, subj: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Event times (days from registration), censoring and end-of-study status of enrolled patients."""
    e = subj["eidx"]
    ne = len(e)
    month = protocol.DAYS_PER_MONTH
    prog = _weibull(rng, 10.0, 1.3, ne) * month
    nest = prog + rng.exponential(6.5 / np.log(2.0), ne) * month
    death = np.minimum(
        nest + _weibull(rng, 30.0, 1.2, ne) * month, rng.exponential(200.0 / np.log(2.0), ne) * month
    )
    enrl = subj["enrl"][e]
    # Nothing happens before the MDT is done: progression is assessed from 4 weeks after MDT start, and a
    # patient who gets MDT is alive and on study until it ends.
    mdt_start, mdt_end = subj["trts"][e] - enrl, subj["trte"] - enrl
    prog = np.maximum(np.ceil(prog).astype(np.int64), mdt_start + 28)
    nest = np.maximum(np.ceil(nest).astype(np.int64), prog)
    death = np.maximum(np.ceil(death).astype(np.int64), mdt_end + 14)
    followup = _day(opt.cutoff) - enrl
    leaves = rng.random(ne) < 0.06
    leave_day = np.where(leaves, np.ceil(rng.uniform(0.1, 1.0, ne) * followup), np.iinfo(np.int32).max)
    leave_day = np.maximum(leave_day.astype(np.int64), mdt_end + 14)
    limit = np.minimum(followup, leave_day)
    lost = rng.random(ne) < 0.5

    censor_text = np.where(
        leave_day < followup, np.where(lost, "Lost to follow-up", "Withdrawal by subject"), "Data cut-off"
    ).astype(object)
    died = death <= limit
    withdrew = ~died & (leave_day < followup)
    subj["died"] = died
    subj["withdrew"] = withdrew
    subj["dcsreas"] = np.where(died, "Death", np.where(withdrew, censor_text, None)).astype(object)
    # Last day on study, relative to registration.
    subj["end_rel"] = np.where(died, death, limit)
    subj["prog_rel"] = prog
    subj["nest_rel"] = nest
    for key, t, event_text in (
        ("NESTFS", np.minimum(nest, death), np.where(death < nest, "Death", _NEST_TEXT)),
        ("PFS", np.minimum(prog, death), np.where(death < prog, "Death", "Radiographic progression (PCWG3)")),
        ("OS", death, np.full(ne, "Death")),
    ):
        event = t <= limit
        subj[f"{key}_aval"] = np.where(event, t, limit)
        subj[f"{key}_cnsr"] = (~event).astype(np.int64)
        subj[f"{key}_evnt"] = np.where(event, event_text, None).astype(object)
        subj[f"{key}_cens"] = np.where(event, None, censor_text).astype(object)


def _adsl_frame(opt: SyntheticOptions, subj: dict[str, np.ndarray]) -> pd.DataFrame:
    n = int(subj["n"])
    enrolled = subj["enrolled"]
    e = subj["eidx"]
    fail = ~enrolled

    def on_enrolled(values: np.ndarray, fill: object) -> np.ndarray:
        """Spread values of enrolled patients over all screened subjects, ``fill`` for screen failures."""
        values = np.asarray(values)
        out = np.full(n, fill, dtype=object if values.dtype == object else values.dtype)
        out[e] = values
        return out

    enrl = subj["enrl"]
    end_abs = on_enrolled(enrl[e] + subj["end_rel"], 0)
    died = on_enrolled(subj["died"], False)
    withdrew = on_enrolled(subj["withdrew"], False)
    ongoing = enrolled & ~died & ~withdrew
    eosstt = np.where(ongoing, "ONGOING", "DISCONTINUED").astype(object)
    dcsreas = on_enrolled(subj["dcsreas"], "Screen failure")
    eosdt = np.where(fail, subj["scrn"], end_abs)
    lstalvdt = np.where(fail, subj["scrn"], end_abs)
    mdttype = on_enrolled(_text(protocol.MDT_TYPES, subj["mdttype"]), None)

    return pd.DataFrame(
        {
            "STUDYID": protocol.STUDYID,
            "USUBJID": subj["usubjid"],
            "SUBJID": subj["subjid"],
            "SITEID": subj["siteid"],
            "SITENAME": subj["sitename"],
            "ARM": np.where(enrolled, "MDT", "Screen Failure").astype(object),
            "RFICDT": _dates(subj["rfic"]),
            "SCRNDT": _dates(subj["scrn"]),
            "SCRFCRIT": subj["scrfcrit"],
            "SCRFREAS": subj["scrfreas"],
            "ENRLFL": _flag(enrolled),
            "ENRLDT": _dates(enrl, fail),
            "ITTFL": _flag(enrolled),
            "SAFFL": _flag(enrolled),
            "AGE": subj["age"],
            "AGEU": "YEARS",
            "SEX": "M",
            "WHOPS": _nullable_int(subj["whops"]),
            "BTESTO": subj["btesto"],
            "BPSA": subj["bpsa"],
            "SYSTHER": _text(protocol.SYSTEMIC_THERAPIES, subj["systher"]),
            "PRIMTRT": _text(protocol.PRIMARY_TREATMENTS, subj["primtrt"]),
            "NLES": _nullable_int(subj["nles"]),
            "PSMAFL": _flag(on_enrolled(subj["psmafl"], False)),
            "PSMACHFL": _flag(on_enrolled(subj["psmachfl"], False)),
            "MDTTYPE": mdttype,
            "MDTDETL": on_enrolled(subj["mdtdetl"], None),
            "TRTSDT": _dates(subj["trts"], fail),
            "TRTEDT": _dates(on_enrolled(subj["trte"], 0), fail),
            "EOSSTT": eosstt,
            "DCSREAS": dcsreas,
            "EOSDT": _dates(eosdt, ongoing),
            "DTHFL": _flag(died),
            "DTHDT": _dates(end_abs, ~died),
            "LSTALVDT": _dates(lstalvdt),
            "DCUTDT": _dates(np.full(n, _day(opt.cutoff))),
        }
    )


def _adtte_frame(subj: dict[str, np.ndarray]) -> pd.DataFrame:
    e = subj["eidx"]
    ne = len(e)
    params = tuple(protocol.ENDPOINTS)
    k = len(params)
    # Subject-major order: NESTFS, PFS, OS for the first subject, then the next.
    order = np.arange(ne * k).reshape(k, ne).T.ravel()

    def stack(suffix: str) -> np.ndarray:
        return np.concatenate([subj[f"{p}_{suffix}"] for p in params])[order]

    start = np.tile(subj["enrl"][e], k)[order]
    aval = stack("aval")
    return pd.DataFrame(
        {
            "STUDYID": protocol.STUDYID,
            "USUBJID": np.tile(subj["usubjid"][e], k)[order],
            "PARAMCD": np.repeat(np.array(params, dtype=object), ne)[order],
            "PARAM": np.repeat(np.array([protocol.ENDPOINTS[p] for p in params], dtype=object), ne)[order],
            "AVAL": aval,
            "AVALU": "DAYS",
            "CNSR": _nullable_int(stack("cnsr")),
            "STARTDT": _dates(start),
            "ADT": _dates(start + aval),
            "EVNTDESC": stack("evnt"),
            "CNSDTDSC": stack("cens"),
        }
    )


def _adtu_frame(subj: dict[str, np.ndarray], les: dict[str, np.ndarray]) -> pd.DataFrame:
    owner = les["owner"]
    treated = les["mdt"] >= 0
    is_rt = treated & (les["mdt"] <= 1)
    mdt_names = (*protocol.MDT_LESION_TYPES, "None")
    return pd.DataFrame(
        {
            "STUDYID": protocol.STUDYID,
            "USUBJID": subj["usubjid"][subj["eidx"]][owner],
            "TULNKID": "L" + pd.Series(les["pos"] + 1).astype(str),
            "TULOC": les["loc"],
            "TULOCCAT": _text(protocol.SITE_CATEGORIES, les["cat"]),
            "TUMETHOD": np.where(les["psma_only"], "PSMA PET-CT only", "Conventional").astype(object),
            "LESSTAT": np.where(les["new"], "New", "Progressing").astype(object),
            "MDTLES": _text(mdt_names, les["mdt"]),  # -1 indexes the trailing "None"
            "MDTDT": _dates(les["mdtdt"], ~treated),
            "RTDOSE": np.where(is_rt, les["dose"], np.nan),
            "RTFX": _nullable_int(les["fx"], ~is_rt),
        }
    )


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
    serious = rng.random(m) < np.where(grade >= 3, 0.8, np.where(grade == 2, 0.03, 0.0))
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
            "STUDYID": protocol.STUDYID,
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


def _adlb_frame(subj: dict[str, np.ndarray], rng: np.random.Generator) -> pd.DataFrame:
    e = subj["eidx"]
    ne = len(e)
    enrl, trts, scrn = subj["enrl"][e], subj["trts"][e], subj["scrn"][e]
    end = enrl + subj["end_rel"]
    base_day = np.maximum(scrn, enrl - rng.integers(0, 8, ne))
    # Visits every ~3 months after MDT start, until death, withdrawal or cut-off.
    n_visits = np.maximum((end - trts) // 91 + 1, 0) + 1  # + baseline; one spare, dropped below if late
    who = np.repeat(np.arange(ne), n_visits)
    k = _within(n_visits)
    m = len(who)
    day = np.where(k == 0, base_day[who], trts[who] + 91 * k + rng.integers(-7, 8, m))
    keep = (k == 0) | (day <= end[who])
    who, k, day = who[keep], k[keep], day[keep]
    m = len(who)

    # log PSA: falls after MDT to a nadir, rises with a doubling time from shortly before progression,
    # falls again once next-line treatment starts.
    base = np.log(subj["bpsa"][e])
    depth = np.clip(rng.normal(-1.2, 0.9, ne), -4.0, 0.3)
    rise = (enrl + subj["prog_rel"] - rng.integers(30, 121, ne)) - trts
    nest = (enrl + subj["nest_rel"]) - trts
    slope = np.log(2.0) / rng.lognormal(np.log(120.0), 0.4, ne)
    t = (day - trts[who]).astype(float)
    log_psa = (
        base[who]
        + depth[who] * (1.0 - np.exp(-np.maximum(t, 0.0) / 40.0))
        + np.maximum(t - rise[who], 0.0) * slope[who]
        - np.maximum(t - nest[who], 0.0) * slope[who] * 1.5
        + rng.normal(0.0, 0.12, m)
    )
    aval = np.round(np.clip(np.exp(log_psa), 0.01, 5000.0), 2)
    baseline = k == 0
    aval = np.where(baseline, subj["bpsa"][e][who], aval)
    base_val = subj["bpsa"][e][who]
    chg = np.round(aval - base_val, 2)
    return pd.DataFrame(
        {
            "STUDYID": protocol.STUDYID,
            "USUBJID": subj["usubjid"][e][who],
            "PARAMCD": "PSA",
            "PARAM": "Prostate-specific antigen (ng/mL)",
            "AVAL": aval,
            "AVALU": "ng/mL",
            "ADT": _dates(day),
            "ADY": _nullable_int(_study_day(day, trts[who])),
            "ABLFL": _flag(baseline),
            "BASE": base_val,
            "CHG": chg,
            "PCHG": np.round(100.0 * (aval - base_val) / base_val, 1),
        }
    )


def write_trial(
    datasets: dict[str, pd.DataFrame], out_dir: str | Path, fmt: OutputFormat = "csv"
) -> list[Path]:
    """Write the datasets to ``out_dir``.

    Parameters
    ----------
    datasets : dict of str to pandas.DataFrame
        As returned by :func:`generate_trial` (keys ``adsl``, ``adtte``, ...).
    out_dir : str or pathlib.Path
        Target folder; created when absent. Existing files of the same names are overwritten.
    fmt : {"csv", "xlsx", "parquet"}
        ``csv`` and ``parquet`` write one file per dataset (``adsl.csv``, ...); ``xlsx`` writes one
        workbook ``medcare.xlsx`` with a sheet per dataset (``ADSL``, ``ADTTE``, ...). Dates are written as
        ``YYYY-MM-DD``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = out / WORKBOOK_NAME
        iso = "YYYY-MM-DD"
        with pd.ExcelWriter(path, engine="openpyxl", date_format=iso, datetime_format=iso) as xl:
            for name, frame in datasets.items():
                frame.to_excel(xl, sheet_name=name.upper(), index=False)
        return [path]
    written = []
    for name, frame in datasets.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    return written
