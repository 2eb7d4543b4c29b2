"""PSA: each patient's baseline, the start of a next-line systemic treatment, the best change (waterfall)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.model import TrialData
from medcare_metrics.patients.common import _death_dates, _endpoint_events, _enrolled
from medcare_metrics.subjects import date_values, registration_dates

#: PCWG3 PSA response threshold: a decline of at least 50% from baseline.
PSA_RESPONSE_PCHG = -50.0


def _psa(adlb: pd.DataFrame) -> pd.DataFrame:
    rows = adlb.loc[adlb["PARAMCD"].eq("PSA") & adlb["ADT"].notna()].copy()
    rows["AVAL"] = pd.to_numeric(rows["AVAL"], errors="coerce")
    return rows.loc[rows["AVAL"].notna()].sort_values(["USUBJID", "ADT"], kind="mergesort")


def psa_baseline(adlb: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """Return each subject's PSA baseline value and date.

    The baseline is the record flagged ABLFL "Y" (the latest one if several); without a flag, the last sample
    on or before the MDT start (TRTSDT, else the registration date); without those dates, the first sample.

    Parameters
    ----------
    adlb : pandas.DataFrame
        Laboratory data; only PARAMCD ``"PSA"`` is used.
    adsl : pandas.DataFrame
        Subject-level data (TRTSDT and registration dates).

    Returns
    -------
    pandas.DataFrame
        USUBJID, BASE, BASE_ADT, BASE_RULE (``"ABLFL"``, ``"Before MDT"``, ``"First sample"``).
    """
    psa = _psa(adlb)
    psa = psa.loc[psa["USUBJID"].notna()]  # as a groupby would: a sample without a subject has no baseline
    columns = ["USUBJID", "AVAL", "ADT"]
    # ``psa`` is sorted by USUBJID then ADT: the last row of a subject's block is its latest sample.
    if "ABLFL" in psa.columns:
        flagged = psa.loc[psa["ABLFL"].eq("Y"), columns].groupby("USUBJID", sort=False).tail(1)
    else:
        flagged = psa.iloc[0:0][columns]
    reference = date_values(adsl, "TRTSDT").fillna(registration_dates(adsl))
    reference = pd.Series(reference.to_numpy(), index=adsl["USUBJID"]).groupby(level=0).first()
    rest = psa.loc[~psa["USUBJID"].isin(set(flagged["USUBJID"])), columns]
    ref = rest["USUBJID"].map(reference).astype("datetime64[ns]")
    before = rest.loc[ref.notna() & (rest["ADT"] <= ref)].groupby("USUBJID", sort=False).tail(1)
    # Without a reference date the first sample stands in; with one but no sample before it, no baseline.
    first = rest.loc[ref.isna()].groupby("USUBJID", sort=False).head(1)
    others = pd.concat(
        [before.assign(BASE_RULE="Before MDT"), first.assign(BASE_RULE="First sample")]
    ).sort_values("USUBJID", kind="mergesort")
    chosen = pd.concat([flagged.assign(BASE_RULE="ABLFL"), others], ignore_index=True)
    return pd.DataFrame(
        {
            "USUBJID": chosen["USUBJID"].to_numpy(dtype=object),
            "BASE": chosen["AVAL"].to_numpy(dtype=float),
            "BASE_ADT": chosen["ADT"].astype("datetime64[ns]").to_numpy(),
            "BASE_RULE": chosen["BASE_RULE"].to_numpy(dtype=object),
        }
    )


def nest_start_dates(adtte: pd.DataFrame | None, adsl: pd.DataFrame) -> pd.Series:
    """Return the date each patient started a next-line systemic treatment (NEST).

    A NEST start is a NESTFS event (CNSR 0) that is not a death: EVNTDESC does not mention death and the date
    is not the patient's death date (ADSL DTHDT, else the OS event date).

    Parameters
    ----------
    adtte : pandas.DataFrame or None
        Time-to-event data; None gives an empty result.
    adsl : pandas.DataFrame
        Subject-level data (death dates).

    Returns
    -------
    pandas.Series
        Dates indexed by USUBJID (one per patient, the earliest); empty when there is no NESTFS event.
    """
    if adtte is None:
        return pd.Series(dtype="datetime64[ns]")
    trial = TrialData(adsl=adsl, adtte=adtte)
    events = _endpoint_events(trial, "NESTFS", _death_dates(trial))
    events = events.loc[events["DATE"].notna()]
    return events.groupby("USUBJID")["DATE"].min()


def psa_waterfall(adlb: pd.DataFrame, adsl: pd.DataFrame, adtte: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return each enrolled patient's best PSA change from baseline, in %, sorted for a waterfall plot.

    Best change (PCWG3): the maximal decline, or the minimal rise when PSA never fell, over all samples after
    the baseline date (baseline as in :func:`psa_baseline`). With ``adtte``, samples after the start of a
    next-line systemic treatment (:func:`nest_start_dates`) are left out: a decline then reflects the new
    treatment, not MDT. A sample on the NEST start date is kept (drawn before the first dose). Patients
    without a baseline, with a baseline of 0, or without a later sample are left out. The change is not
    confirmed by a second value (PCWG3 asks for one three or more weeks later).

    Parameters
    ----------
    adlb : pandas.DataFrame
        Laboratory data; only PARAMCD ``"PSA"`` is used.
    adsl : pandas.DataFrame
        Subject-level data (enrollment, MDTTYPE, TRTSDT).
    adtte : pandas.DataFrame, optional
        Time-to-event data; its NESTFS events end each patient's PSA follow-up.

    Returns
    -------
    pandas.DataFrame
        USUBJID, MDT, BASE, BASE_ADT, BEST_AVAL, BEST_ADT, BEST_PCHG (%), DECLINE50 (True when BEST_PCHG
        <= -50), N_POST (samples after baseline that count), NEST_ADT (NEST start, NaT when none or when
        ``adtte`` is not given), ORDER (1 = largest rise, left; declines to the right).
    """
    enrolled = _enrolled(adsl)
    base = psa_baseline(adlb, enrolled)
    base = base.loc[base["BASE"] > 0]
    psa = _psa(adlb)[["USUBJID", "ADT", "AVAL"]].merge(base, on="USUBJID", how="inner")
    psa["NEST_ADT"] = psa["USUBJID"].map(nest_start_dates(adtte, adsl)).astype("datetime64[ns]")
    post = psa.loc[(psa["ADT"] > psa["BASE_ADT"]) & ~(psa["ADT"] > psa["NEST_ADT"])].copy()
    post["PCHG"] = (post["AVAL"] - post["BASE"]) / post["BASE"] * 100.0
    columns = [
        "USUBJID",
        "MDT",
        "BASE",
        "BASE_ADT",
        "BEST_AVAL",
        "BEST_ADT",
        "BEST_PCHG",
        "DECLINE50",
        "N_POST",
        "NEST_ADT",
    ]
    if post.empty:
        return pd.DataFrame(columns=[*columns, "ORDER"])
    best_rows = post.sort_values(["USUBJID", "PCHG", "ADT"], kind="mergesort").groupby("USUBJID").head(1)
    best = best_rows.rename(columns={"AVAL": "BEST_AVAL", "ADT": "BEST_ADT", "PCHG": "BEST_PCHG"})
    best = best.merge(post.groupby("USUBJID").size().rename("N_POST"), on="USUBJID")
    best = best.merge(enrolled[["USUBJID", "MDT"]], on="USUBJID", how="inner")
    best["DECLINE50"] = best["BEST_PCHG"] <= PSA_RESPONSE_PCHG
    best = best.sort_values(["BEST_PCHG", "USUBJID"], ascending=[False, True], kind="mergesort")
    best["ORDER"] = np.arange(1, len(best) + 1)
    return best[[*columns, "ORDER"]].reset_index(drop=True)


def psa_response_count(waterfall: pd.DataFrame) -> tuple[int, int]:
    """Return the number of patients with a PCWG3 PSA response (>= 50% decline) and the number evaluable.

    Parameters
    ----------
    waterfall : pandas.DataFrame
        As :func:`psa_waterfall` returns.

    Returns
    -------
    tuple of int
        ``(responders, evaluable)``.
    """
    return int(waterfall["DECLINE50"].sum()), len(waterfall)
