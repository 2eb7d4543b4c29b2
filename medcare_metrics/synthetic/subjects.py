"""ADSL: the screened subjects (centres, screening and registration dates, baseline, screen failures).

The subject-level columns of enrolled patients that come from their lesions (MDT) and their outcomes (end
of study, death) are added to the subject arrays by :mod:`~medcare_metrics.synthetic.lesions` and
:mod:`~medcare_metrics.synthetic.outcomes` before :func:`_adsl_frame` builds the frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.rules import DAYS_PER_MONTH
from medcare_metrics.study import default_study
from medcare_metrics.synthetic.arrays import _dates, _day, _flag, _nullable_int, _pick, _pick_rows, _text
from medcare_metrics.synthetic.options import SyntheticOptions

#: Centre names (the study file's ``centres``); beyond the list, names repeat with a number ("UZ Leuven 2").
SITE_NAMES: tuple[str, ...] = default_study().centres

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

    accrual_days = round(opt.accrual_months * DAYS_PER_MONTH)
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
    usubjid = default_study().study_id + "-" + subjid

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
    mdttype = on_enrolled(_text(default_study().mdt_types, subj["mdttype"]), None)

    return pd.DataFrame(
        {
            "STUDYID": default_study().study_id,
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
            "SYSTHER": _text(default_study().systemic_therapies, subj["systher"]),
            "PRIMTRT": _text(default_study().primary_treatments, subj["primtrt"]),
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
