"""ADLB: PSA values of enrolled patients, from baseline to the end of follow-up."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.study import default_study
from medcare_metrics.synthetic.arrays import _dates, _flag, _nullable_int, _study_day, _within


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
            "STUDYID": default_study().study_id,
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
