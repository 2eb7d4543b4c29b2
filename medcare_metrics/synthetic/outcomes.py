"""ADTTE: time-to-event outcomes of enrolled patients (NEST-free survival, PFS, OS) and end of study."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.rules import DAYS_PER_MONTH
from medcare_metrics.study import default_study
from medcare_metrics.synthetic.arrays import _dates, _day, _nullable_int, _weibull
from medcare_metrics.synthetic.options import SyntheticOptions

_NEST_TEXT = "Start of next-line systemic treatment"
#: A missing text value for np.where (a 0-d object array: numpy's stubs do not take a bare None there).
_MISSING = np.array(None, dtype=object)


def _outcomes(opt: SyntheticOptions, subj: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Event times (days from registration), censoring and end-of-study status of enrolled patients."""
    e = subj["eidx"]
    ne = len(e)
    month = DAYS_PER_MONTH
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
    subj["dcsreas"] = np.where(died, "Death", np.where(withdrew, censor_text, _MISSING)).astype(object)
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
        subj[f"{key}_evnt"] = np.where(event, event_text, _MISSING).astype(object)
        subj[f"{key}_cens"] = np.where(event, _MISSING, censor_text).astype(object)


def _adtte_frame(subj: dict[str, np.ndarray]) -> pd.DataFrame:
    e = subj["eidx"]
    ne = len(e)
    params = default_study().endpoint_codes
    k = len(params)
    # Subject-major order: NESTFS, PFS, OS for the first subject, then the next.
    order = np.arange(ne * k).reshape(k, ne).T.ravel()

    def stack(suffix: str) -> np.ndarray:
        return np.concatenate([subj[f"{p}_{suffix}"] for p in params])[order]

    start = np.tile(subj["enrl"][e], k)[order]
    aval = stack("aval")
    return pd.DataFrame(
        {
            "STUDYID": default_study().study_id,
            "USUBJID": np.tile(subj["usubjid"][e], k)[order],
            "PARAMCD": np.repeat(np.array(params, dtype=object), ne)[order],
            "PARAM": np.repeat(
                np.array([default_study().endpoint_labels[p] for p in params], dtype=object), ne
            )[order],
            "AVAL": aval,
            "AVALU": "DAYS",
            "CNSR": _nullable_int(stack("cnsr")),
            "STARTDT": _dates(start),
            "ADT": _dates(start + aval),
            "EVNTDESC": stack("evnt"),
            "CNSDTDSC": stack("cens"),
        }
    )
