"""What every patient-level view shares: the enrolled patients, months from registration, deaths, events.

Times are months from registration (ENRLDT, else RANDDT, else TRTSDT), with a month of 365.25 / 12 days
(:data:`medcare_metrics.rules.DAYS_PER_MONTH`). Only enrolled patients
(:func:`medcare_metrics.rules.enrolled_mask`) appear.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.cuts import data_cutoff, latest_date
from medcare_metrics.model import TrialData
from medcare_metrics.rules import (
    DAYS_PER_MONTH,
    OFF_STUDY_STATUSES,
    days_per_unit,
    enrolled_mask,
    flag_yes,
    is_event,
)
from medcare_metrics.subjects import date_values, registration_dates

#: Label for a patient without ADSL.MDTTYPE.
NO_MDT_TYPE = "Not recorded"
#: End-of-study statuses meaning the patient left follow-up.
OFF_STUDY: frozenset[str] = OFF_STUDY_STATUSES


def _months(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days.astype(float) / DAYS_PER_MONTH


def _enrolled(adsl: pd.DataFrame) -> pd.DataFrame:
    out = adsl.loc[enrolled_mask(adsl)].copy()
    out["START"] = registration_dates(out)
    out["MDT"] = out["MDTTYPE"].fillna(NO_MDT_TYPE) if "MDTTYPE" in out.columns else NO_MDT_TYPE
    return out.reset_index(drop=True)


def _reference_date(trial: TrialData) -> pd.Timestamp | None:
    return data_cutoff(trial) or latest_date(trial)


def _aval_days(rows: pd.DataFrame) -> pd.Series:
    """Days per AVALU unit of each ADTTE row; DAYS when AVALU is absent or not understood."""
    if "AVALU" not in rows.columns:
        return pd.Series(1.0, index=rows.index)
    return days_per_unit(rows["AVALU"]).fillna(1.0)


def _death_dates(trial: TrialData) -> pd.Series:
    """Death date by USUBJID: ADSL DTHDT where DTHFL is "Y" (or DTHDT filled), else OS event dates."""
    adsl = trial.adsl
    if "DTHDT" in adsl.columns or "DTHFL" in adsl.columns:
        died = flag_yes(adsl, "DTHFL") if "DTHFL" in adsl.columns else date_values(adsl, "DTHDT").notna()
        dates = date_values(adsl, "DTHDT").where(died)
        # A death flagged without a date still ends the bar; NaT here and the status carries it.
        return pd.Series(dates.to_numpy(), index=adsl["USUBJID"]).loc[lambda s: died.to_numpy()]
    if trial.adtte is not None:
        os_ = trial.adtte.loc[trial.adtte["PARAMCD"].eq("OS") & is_event(trial.adtte["CNSR"])]
        return pd.Series(date_values(os_, "ADT").to_numpy(), index=os_["USUBJID"])
    return pd.Series(dtype="datetime64[ns]")


def _endpoint_events(trial: TrialData, paramcd: str, deaths: pd.Series) -> pd.DataFrame:
    """Events (CNSR 0) of one endpoint that are not deaths: USUBJID, DATE, DETAIL."""
    if trial.adtte is None:
        return pd.DataFrame({"USUBJID": [], "DATE": pd.Series(dtype="datetime64[ns]"), "DETAIL": []})
    rows = trial.adtte.loc[trial.adtte["PARAMCD"].eq(paramcd) & is_event(trial.adtte["CNSR"])]
    date = date_values(rows, "ADT")
    if date.isna().any() and "STARTDT" in rows.columns:
        # Without ADT the event date is the origin plus the time (AVAL in days when AVALU is absent).
        implied = date_values(rows, "STARTDT") + pd.to_timedelta(rows["AVAL"] * _aval_days(rows), unit="D")
        date = date.fillna(implied.dt.normalize())
    detail = rows["EVNTDESC"] if "EVNTDESC" in rows.columns else pd.Series(np.nan, index=rows.index)
    # PFS and NEST-FS count death as an event; the swimmer shows death by its own marker.
    said_death = detail.astype("string").str.contains("death|died", case=False, na=False)
    death_date = rows["USUBJID"].map(deaths.groupby(level=0).first()) if len(deaths) else None
    same_as_death = date.eq(death_date) if death_date is not None else False
    keep = ~(said_death | same_as_death)
    return pd.DataFrame(
        {"USUBJID": rows.loc[keep, "USUBJID"], "DATE": date[keep], "DETAIL": detail[keep]}
    ).reset_index(drop=True)
