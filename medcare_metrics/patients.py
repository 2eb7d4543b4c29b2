"""Patient-level views: swimmer plot data, PSA waterfall and a single patient's profile.

Times are months from registration (ENRLDT, else RANDDT, else TRTSDT), with a month of 365.25 / 12 days.
Only enrolled patients (ADSL.ENRLFL "Y"; everyone when ENRLFL is absent) appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from medcare_metrics.cuts import data_cutoff, latest_date
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import DAYS_PER_MONTH
from medcare_metrics.subjects import date_values, enrolled_mask, registration_dates

#: Marker kinds of :func:`swimmer_events`, in legend order.
SWIMMER_EVENTS: tuple[str, ...] = ("MDT", "Progression", "NEST start", "Death", "Censored", "Ongoing")
#: Patient status at the end of the swimmer bar; "Unknown": alive, and ADSL has no EOSSTT to tell.
STATUSES: tuple[str, ...] = ("Ongoing", "Off study", "Died", "Unknown")
#: Label for a patient without ADSL.MDTTYPE.
NO_MDT_TYPE = "Not recorded"
#: PCWG3 PSA response threshold: a decline of at least 50% from baseline.
PSA_RESPONSE_PCHG = -50.0
#: End-of-study statuses meaning the patient left follow-up.
OFF_STUDY: frozenset[str] = frozenset({"COMPLETED", "DISCONTINUED"})

SwimmerOrder = Literal["follow_up", "nestfs"]


def _months(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days.astype(float) / DAYS_PER_MONTH


def _enrolled(adsl: pd.DataFrame) -> pd.DataFrame:
    out = adsl.loc[enrolled_mask(adsl)].copy()
    out["START"] = registration_dates(out)
    out["MDT"] = out["MDTTYPE"].fillna(NO_MDT_TYPE) if "MDTTYPE" in out.columns else NO_MDT_TYPE
    return out.reset_index(drop=True)


def _reference_date(trial: TrialData) -> pd.Timestamp | None:
    return data_cutoff(trial) or latest_date(trial)


def _death_dates(trial: TrialData) -> pd.Series:
    """Death date by USUBJID: ADSL DTHDT where DTHFL is "Y" (or DTHDT filled), else OS event dates."""
    adsl = trial.adsl
    if "DTHDT" in adsl.columns or "DTHFL" in adsl.columns:
        died = adsl["DTHFL"].eq("Y") if "DTHFL" in adsl.columns else date_values(adsl, "DTHDT").notna()
        dates = date_values(adsl, "DTHDT").where(died)
        # A death flagged without a date still ends the bar; NaT here and the status carries it.
        return pd.Series(dates.to_numpy(), index=adsl["USUBJID"]).loc[lambda s: died.to_numpy()]
    if trial.adtte is not None:
        os_ = trial.adtte.loc[trial.adtte["PARAMCD"].eq("OS") & trial.adtte["CNSR"].eq(0)]
        return pd.Series(date_values(os_, "ADT").to_numpy(), index=os_["USUBJID"])
    return pd.Series(dtype="datetime64[ns]")


def _endpoint_events(trial: TrialData, paramcd: str, deaths: pd.Series) -> pd.DataFrame:
    """Events (CNSR 0) of one endpoint that are not deaths: USUBJID, DATE, DETAIL."""
    if trial.adtte is None:
        return pd.DataFrame({"USUBJID": [], "DATE": pd.Series(dtype="datetime64[ns]"), "DETAIL": []})
    rows = trial.adtte.loc[trial.adtte["PARAMCD"].eq(paramcd) & trial.adtte["CNSR"].eq(0)]
    date = date_values(rows, "ADT")
    if date.isna().any() and "STARTDT" in rows.columns:
        # Without ADT the event date is the origin plus the time (AVAL in days when AVALU is absent).
        unit = rows["AVALU"].astype("string").str.upper() if "AVALU" in rows.columns else "DAYS"
        factor = pd.Series(unit, index=rows.index).map(
            {"DAYS": 1.0, "WEEKS": 7.0, "MONTHS": DAYS_PER_MONTH, "YEARS": 365.25}
        )
        implied = date_values(rows, "STARTDT") + pd.to_timedelta(rows["AVAL"] * factor.fillna(1.0), unit="D")
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


def _mdt_events(trial: TrialData, enrolled: pd.DataFrame) -> pd.DataFrame:
    """One row per subject and MDT date: ADTU lesions when they carry MDTDT, else ADSL TRTSDT."""
    frames = []
    have: set[str] = set()
    adtu = trial.adtu
    if adtu is not None and "MDTDT" in adtu.columns:
        rows = adtu.loc[adtu["MDTDT"].notna() & adtu["USUBJID"].isin(set(enrolled["USUBJID"]))].copy()
        kind = (
            rows["MDTLES"].astype("string")
            if "MDTLES" in rows.columns
            else pd.Series("MDT", index=rows.index)
        )
        site = rows["TULOC"].astype("string") if "TULOC" in rows.columns else pd.Series("", index=rows.index)
        rows["DETAIL"] = (kind.fillna("MDT") + " (" + site.fillna("?") + ")").astype(object)
        per_date = (
            rows.groupby(["USUBJID", "MDTDT"], sort=True)["DETAIL"]
            .agg("; ".join)
            .reset_index()
            .rename(columns={"MDTDT": "DATE"})
        )
        frames.append(per_date)
        have = set(per_date["USUBJID"])
    if "TRTSDT" in enrolled.columns:
        rest = enrolled.loc[~enrolled["USUBJID"].isin(have) & enrolled["TRTSDT"].notna()]
        frames.append(
            pd.DataFrame({"USUBJID": rest["USUBJID"], "DATE": rest["TRTSDT"], "DETAIL": rest["MDT"]})
        )
    if not frames:
        return pd.DataFrame({"USUBJID": [], "DATE": pd.Series(dtype="datetime64[ns]"), "DETAIL": []})
    return pd.concat(frames, ignore_index=True)


#: Dates that show a patient was seen: (dataset, column).
CONTACT_DATES: tuple[tuple[str, str], ...] = (
    ("adsl", "TRTEDT"),
    ("adtte", "ADT"),
    ("adae", "ASTDT"),
    ("adae", "AENDT"),
    ("adlb", "ADT"),
    ("adtu", "MDTDT"),
)


def _latest_per_subject(trial: TrialData, enrolled: pd.DataFrame) -> pd.Series:
    """Latest of the :data:`CONTACT_DATES` per USUBJID."""
    parts = [pd.Series(dtype="datetime64[ns]")]
    for name, column in CONTACT_DATES:
        frame = enrolled if name == "adsl" else trial.dataset(name)
        if frame is not None and column in frame.columns:
            parts.append(pd.Series(date_values(frame, column).to_numpy(), index=frame["USUBJID"].to_numpy()))
    dates = pd.concat(parts).dropna()
    return dates.groupby(level=0).max()


def _last_contact(trial: TrialData, enrolled: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Last contact per enrolled patient (aligned with ``enrolled``) and where it came from."""
    end = pd.Series(pd.NaT, index=enrolled.index, dtype="datetime64[ns]")
    source = pd.Series(pd.NA, index=enrolled.index, dtype="object")
    candidates: list[tuple[str, pd.Series]] = []
    if trial.adtte is not None and "ADT" in trial.adtte.columns:
        os_ = trial.adtte.loc[trial.adtte["PARAMCD"].eq("OS")]
        os_adt = pd.Series(date_values(os_, "ADT").to_numpy(), index=os_["USUBJID"]).groupby(level=0).max()
        candidates.append(("OS date", enrolled["USUBJID"].map(os_adt)))
    candidates.append(("Last known alive", date_values(enrolled, "LSTALVDT")))
    candidates.append(("Death", date_values(enrolled, "DTHDT")))
    candidates.append(("End of study", date_values(enrolled, "EOSDT")))
    # Without a follow-up date in ADSL, the latest date recorded for the patient is the last known contact.
    candidates.append(("Latest date recorded", enrolled["USUBJID"].map(_latest_per_subject(trial, enrolled))))
    cutoff = _reference_date(trial)
    if cutoff is not None:
        candidates.append(("Data cut-off", pd.Series(cutoff, index=enrolled.index)))
    for label, values in candidates:
        fill = end.isna() & values.notna()
        end = end.where(~fill, values)
        source = source.where(~fill, label)
    return end, source


def _status(enrolled: pd.DataFrame, deaths: pd.Series) -> pd.Series:
    died = enrolled["USUBJID"].isin(set(deaths.index))
    if "EOSSTT" not in enrolled.columns:
        return pd.Series(np.where(died, "Died", "Unknown"), index=enrolled.index)
    off = enrolled["EOSSTT"].astype("string").str.upper().isin(OFF_STUDY).fillna(False).astype(bool)
    return pd.Series(np.select([died, off], ["Died", "Off study"], "Ongoing"), index=enrolled.index)


def _nestfs_times(trial: TrialData, enrolled: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """NEST-FS time (months) and event flag aligned with ``enrolled``; NaN where there is no NESTFS row."""
    if trial.adtte is None:
        return pd.Series(np.nan, index=enrolled.index), pd.Series(
            pd.NA, index=enrolled.index, dtype="boolean"
        )
    rows = (
        trial.adtte.loc[trial.adtte["PARAMCD"].eq("NESTFS")].drop_duplicates("USUBJID").set_index("USUBJID")
    )
    unit = rows["AVALU"].astype("string").str.upper() if "AVALU" in rows.columns else None
    to_days = (
        unit.map({"DAYS": 1.0, "WEEKS": 7.0, "MONTHS": DAYS_PER_MONTH, "YEARS": 365.25}).fillna(1.0)
        if unit is not None
        else 1.0
    )
    months = pd.to_numeric(rows["AVAL"], errors="coerce") * to_days / DAYS_PER_MONTH
    event = rows["CNSR"].eq(0).astype("boolean")
    return (
        enrolled["USUBJID"].map(months).astype(float),
        enrolled["USUBJID"].map(event).astype("boolean"),
    )


def swimmer_data(trial: TrialData, order: SwimmerOrder = "follow_up") -> pd.DataFrame:
    """Return one row per enrolled patient for a swimmer plot.

    The bar runs from registration to last contact: the OS row's ADT, else LSTALVDT, else DTHDT, else EOSDT,
    else the latest date recorded for the patient (:data:`CONTACT_DATES`: TRTEDT, ADTTE ADT, AE onset and
    end, PSA sample, MDT date), else the data cut-off; it is stretched to the latest marker of
    :func:`swimmer_events` if one falls later.

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered / as-of) trial.
    order : {"follow_up", "nestfs"}
        ``"follow_up"``: longest follow-up first. ``"nestfs"``: longest NEST-FS time (event or censoring)
        first, patients without a NESTFS row last. Ties by USUBJID.

    Returns
    -------
    pandas.DataFrame
        USUBJID, SITEID (when present), MDT (ADSL.MDTTYPE, ``"Not recorded"`` when missing), START, END,
        END_SOURCE, FOLLOWUP_MONTHS, NESTFS_MONTHS, NESTFS_EVENT, STATUS (``"Ongoing"``, ``"Off study"``,
        ``"Died"``, or ``"Unknown"`` for a living patient when ADSL has no EOSSTT), ORDER (1 = first = top of
        the plot). Patients without a registration date are left out.

    Raises
    ------
    ValueError
        If ``order`` is not one of the two choices.
    """
    if order not in ("follow_up", "nestfs"):
        raise ValueError(f"order must be 'follow_up' or 'nestfs', got {order!r}")
    enrolled = _enrolled(trial.adsl)
    enrolled = enrolled.loc[enrolled["START"].notna()].reset_index(drop=True)
    deaths = _death_dates(trial)
    end, source = _last_contact(trial, enrolled)
    markers = swimmer_events(trial)
    latest_marker = markers.groupby("USUBJID")["DATE"].max()
    later = enrolled["USUBJID"].map(latest_marker)
    stretched = later.notna() & (later > end.fillna(pd.Timestamp.min))
    end = end.where(~stretched, later)
    source = source.where(~stretched, "Latest event")
    nest_months, nest_event = _nestfs_times(trial, enrolled)
    columns = ["USUBJID", "SITEID", "MDT"] if "SITEID" in enrolled.columns else ["USUBJID", "MDT"]
    out = enrolled[columns].copy()
    out["START"] = enrolled["START"]
    out["END"] = end
    out["END_SOURCE"] = source
    out["FOLLOWUP_MONTHS"] = _months(end, enrolled["START"]).clip(lower=0.0)
    out["NESTFS_MONTHS"] = nest_months
    out["NESTFS_EVENT"] = nest_event
    out["STATUS"] = _status(enrolled, deaths)
    key = "FOLLOWUP_MONTHS" if order == "follow_up" else "NESTFS_MONTHS"
    out = out.sort_values([key, "USUBJID"], ascending=[False, True], na_position="last", kind="mergesort")
    out["ORDER"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def status_counts(swimmers: pd.DataFrame) -> dict[str, int]:
    """Count the patients of a swimmer plot by status at the end of their bar.

    Parameters
    ----------
    swimmers : pandas.DataFrame
        As :func:`swimmer_data` returns.

    Returns
    -------
    dict of str to int
        ``{"Ongoing": n, "Off study": n, "Died": n, "Unknown": n}`` (every status of :data:`STATUSES`, zeros
        included).
    """
    counts = swimmers["STATUS"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def swimmer_events(trial: TrialData) -> pd.DataFrame:
    """Return the markers of the swimmer plot, one row per patient and event.

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered / as-of) trial.

    Returns
    -------
    pandas.DataFrame
        USUBJID, EVENT (one of :data:`SWIMMER_EVENTS`), DATE, MONTHS (from registration), DETAIL. MDT: each
        ADTU MDTDT (lesions treated on the same day joined in DETAIL), else ADSL TRTSDT. Progression: PFS
        events; NEST start: NESTFS events; both without the events that are deaths (EVNTDESC mentioning
        death, or on the death date). Death: ADSL DTHFL/DTHDT, else OS events. Censored / Ongoing: at the last
        contact of patients alive there, off study (EOSSTT COMPLETED or DISCONTINUED) or whose status is not
        recorded (no EOSSTT) / still followed.
        Sorted by USUBJID and DATE.
    """
    enrolled = _enrolled(trial.adsl)
    enrolled = enrolled.loc[enrolled["START"].notna()].reset_index(drop=True)
    ids = set(enrolled["USUBJID"])
    deaths = _death_dates(trial)
    parts = [
        _mdt_events(trial, enrolled).assign(EVENT="MDT"),
        _endpoint_events(trial, "PFS", deaths).assign(EVENT="Progression"),
        _endpoint_events(trial, "NESTFS", deaths).assign(EVENT="NEST start"),
        pd.DataFrame({"USUBJID": deaths.index, "DATE": deaths.to_numpy(), "DETAIL": np.nan}).assign(
            EVENT="Death"
        ),
    ]
    end, _ = _last_contact(trial, enrolled)
    status = _status(enrolled, deaths)
    alive = status.ne("Died")
    parts.append(
        pd.DataFrame(
            {
                "USUBJID": enrolled.loc[alive, "USUBJID"],
                "DATE": end[alive],
                "DETAIL": status[alive].map(
                    {
                        "Ongoing": "Follow-up ongoing",
                        "Off study": "Off study",
                        "Unknown": "Last contact (study status not recorded)",
                    }
                ),
                "EVENT": status[alive].map(
                    {"Ongoing": "Ongoing", "Off study": "Censored", "Unknown": "Censored"}
                ),
            }
        )
    )
    events = (
        pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    )
    if events is None:
        return pd.DataFrame(
            {
                "USUBJID": pd.Series(dtype=object),
                "EVENT": pd.Series(dtype=object),
                "DATE": pd.Series(dtype="datetime64[ns]"),
                "MONTHS": pd.Series(dtype=float),
                "DETAIL": pd.Series(dtype=object),
            }
        )
    events = events.loc[events["USUBJID"].isin(ids) & events["DATE"].notna()].copy()
    events["DATE"] = pd.to_datetime(events["DATE"])
    start = events["USUBJID"].map(enrolled.set_index("USUBJID")["START"])
    events["MONTHS"] = _months(events["DATE"], start)
    events["_rank"] = events["EVENT"].map({e: i for i, e in enumerate(SWIMMER_EVENTS)})
    events = events.sort_values(["USUBJID", "DATE", "_rank"], kind="mergesort")
    return events[["USUBJID", "EVENT", "DATE", "MONTHS", "DETAIL"]].reset_index(drop=True)


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
    chosen: dict[str, tuple[float, pd.Timestamp, str]] = {}
    if "ABLFL" in psa.columns:
        for usubjid, rows in psa.loc[psa["ABLFL"].eq("Y")].groupby("USUBJID", sort=False):
            chosen[usubjid] = (rows["AVAL"].iloc[-1], rows["ADT"].iloc[-1], "ABLFL")
    reference = date_values(adsl, "TRTSDT").fillna(registration_dates(adsl))
    reference = pd.Series(reference.to_numpy(), index=adsl["USUBJID"]).groupby(level=0).first()
    for usubjid, rows in psa.groupby("USUBJID", sort=False):
        if usubjid in chosen:
            continue
        ref = reference.get(usubjid, pd.NaT)
        before = rows.loc[rows["ADT"] <= ref] if pd.notna(ref) else rows.iloc[0:0]
        if len(before):
            chosen[usubjid] = (before["AVAL"].iloc[-1], before["ADT"].iloc[-1], "Before MDT")
        elif pd.isna(ref):
            chosen[usubjid] = (rows["AVAL"].iloc[0], rows["ADT"].iloc[0], "First sample")
    return pd.DataFrame(
        [(k, *v) for k, v in chosen.items()], columns=["USUBJID", "BASE", "BASE_ADT", "BASE_RULE"]
    ).astype({"BASE": float, "BASE_ADT": "datetime64[ns]"})


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


@dataclass(frozen=True, eq=False)
class PatientProfile:
    """Everything recorded about one patient.

    Attributes
    ----------
    usubjid : str
        The patient.
    start : pandas.Timestamp or None
        Registration date (None when not registered / unknown).
    baseline : pandas.Series
        The patient's ADSL row.
    lesions : pandas.DataFrame or None
        ADTU rows (None when the trial has no ADTU).
    adverse_events : pandas.DataFrame or None
        AEs sorted by onset: AEDECOD, AEBODSYS, GRADE, AESEV, AESER, AEREL, START, END, ONGOING,
        END_DRAWN (END, else the last contact), START_MONTHS, END_MONTHS (from registration, to END_DRAWN).
        None when the trial has no ADAE.
    psa : pandas.DataFrame or None
        PSA samples: ADT, AVAL, MONTHS, PCHG (vs baseline), BASELINE (bool). None when the trial has no ADLB.
    time_to_event : pandas.DataFrame or None
        ADTTE rows of the patient. None when the trial has no ADTTE.
    events : pandas.DataFrame
        The patient's swimmer markers (:func:`swimmer_events`).
    reference_date : pandas.Timestamp or None
        Data cut-off (or latest date) of the trial.
    last_contact : pandas.Timestamp or None
        The end of the patient's swimmer bar (:func:`swimmer_data`), where ongoing AEs are drawn to; the
        reference date when the patient has no registration date.
    """

    usubjid: str
    start: pd.Timestamp | None
    baseline: pd.Series
    lesions: pd.DataFrame | None
    adverse_events: pd.DataFrame | None
    psa: pd.DataFrame | None
    time_to_event: pd.DataFrame | None
    events: pd.DataFrame
    reference_date: pd.Timestamp | None
    last_contact: pd.Timestamp | None = None


def _profile_aes(
    adae: pd.DataFrame, start: pd.Timestamp | None, reference: pd.Timestamp | None
) -> pd.DataFrame:
    grade_col = next((c for c in ("ATOXGR", "AETOXGR") if c in adae.columns), None)
    out = pd.DataFrame(
        {
            "AEDECOD": adae["AEDECOD"],
            "AEBODSYS": adae["AEBODSYS"],
            "GRADE": adae[grade_col].astype("Int64") if grade_col else pd.array([pd.NA] * len(adae), "Int64"),
            "AESEV": adae["AESEV"] if "AESEV" in adae.columns else np.nan,
            "AESER": adae["AESER"] if "AESER" in adae.columns else np.nan,
            "AEREL": adae["AEREL"] if "AEREL" in adae.columns else np.nan,
            "START": date_values(adae, "ASTDT"),
            "END": date_values(adae, "AENDT"),
        }
    )
    out["ONGOING"] = out["END"].isna() & out["START"].notna()
    drawn_end = out["END"].fillna(reference) if reference is not None else out["END"]
    # An end before the onset (a data error) is drawn as a point, not a backwards bar.
    out["END_DRAWN"] = drawn_end.where(drawn_end >= out["START"], out["START"])
    origin = pd.Series(start if start is not None else pd.NaT, index=out.index, dtype="datetime64[ns]")
    out["START_MONTHS"] = _months(out["START"], origin)
    out["END_MONTHS"] = _months(out["END_DRAWN"], origin)
    return out.sort_values(["START", "AEDECOD"], kind="mergesort", na_position="last").reset_index(drop=True)


def patient_profile(trial: TrialData, usubjid: str) -> PatientProfile:
    """Gather one patient's baseline, lesions, AEs, PSA series and events.

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly as-of) trial.
    usubjid : str
        The patient; must be in ADSL.

    Returns
    -------
    PatientProfile
        The patient's data; parts whose dataset is absent are None.

    Raises
    ------
    ValueError
        If ``usubjid`` is not in ADSL.
    """
    rows = trial.adsl.loc[trial.adsl["USUBJID"].eq(usubjid)]
    if rows.empty:
        raise ValueError(f"USUBJID {usubjid!r} is not in ADSL")
    baseline = rows.iloc[0]
    registered = registration_dates(rows).iloc[0]
    start = None if pd.isna(registered) else pd.Timestamp(registered)
    reference = _reference_date(trial)

    def own(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        return None if frame is None else frame.loc[frame["USUBJID"].eq(usubjid)].reset_index(drop=True)

    adae = own(trial.adae)
    adlb = own(trial.adlb)
    psa = None
    if adlb is not None:
        samples = _psa(adlb).reset_index(drop=True)
        base = psa_baseline(samples, rows)
        psa = samples[["ADT", "AVAL"]].copy()
        origin = pd.Series(start if start is not None else pd.NaT, index=psa.index, dtype="datetime64[ns]")
        psa["MONTHS"] = _months(psa["ADT"], origin)
        if len(base) and base["BASE"].iloc[0] > 0:
            psa["PCHG"] = (psa["AVAL"] - base["BASE"].iloc[0]) / base["BASE"].iloc[0] * 100.0
            psa["BASELINE"] = psa["ADT"].eq(base["BASE_ADT"].iloc[0])
        else:
            psa["PCHG"] = np.nan
            psa["BASELINE"] = False
    events = swimmer_events(trial)
    bars = swimmer_data(trial).set_index("USUBJID")["END"]
    last_contact = pd.Timestamp(bars[usubjid]) if usubjid in bars.index else reference
    return PatientProfile(
        usubjid=usubjid,
        start=start,
        baseline=baseline,
        lesions=own(trial.adtu),
        adverse_events=None if adae is None else _profile_aes(adae, start, last_contact),
        psa=psa,
        time_to_event=own(trial.adtte),
        events=events.loc[events["USUBJID"].eq(usubjid)].reset_index(drop=True),
        reference_date=reference,
        last_contact=last_contact,
    )


def patient_ids(trial: TrialData) -> list[str]:
    """Return the enrolled patients' USUBJIDs, sorted (the choices of a patient picker).

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered / as-of) trial.

    Returns
    -------
    list of str
        Sorted USUBJIDs of enrolled patients.
    """
    return sorted(trial.adsl.loc[enrolled_mask(trial.adsl), "USUBJID"].astype(str))


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


#: ADSL columns shown in a patient's baseline table, with their labels.
BASELINE_FIELDS: dict[str, str] = {
    "SITEID": "Centre",
    "SITENAME": "Centre name",
    "AGE": "Age (years)",
    "WHOPS": "WHO performance status",
    "BPSA": "Baseline PSA (ng/mL)",
    "BTESTO": "Baseline testosterone (ng/dL)",
    "SYSTHER": "Ongoing systemic therapy",
    "PRIMTRT": "Primary tumour treatment",
    "NLES": "Progressing / new lesions",
    "PSMAFL": "PSMA PET-CT done",
    "PSMACHFL": "PSMA PET-CT changed the plan",
    "MDTTYPE": "MDT type",
    "MDTDETL": "MDT (detail)",
}
#: ADSL dates and study status shown in a patient's key-dates table, with their labels.
DATE_FIELDS: dict[str, str] = {
    "RFICDT": "Informed consent",
    "SCRNDT": "Screening",
    "ENRLDT": "Registration",
    "TRTSDT": "MDT start",
    "TRTEDT": "MDT end",
    "EOSSTT": "Study status",
    "DCSREAS": "Reason for discontinuation",
    "EOSDT": "End of study",
    "DTHDT": "Death",
    "LSTALVDT": "Last known alive",
}


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _cell_text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def baseline_table(profile: PatientProfile, fields: dict[str, str] | None = None) -> pd.DataFrame:
    """Return the patient's baseline characteristics (or key dates) as a two-column table.

    Parameters
    ----------
    profile : PatientProfile
        As :func:`patient_profile` returns.
    fields : dict of str to str, optional
        ADSL columns to show and their labels; default :data:`BASELINE_FIELDS` (use :data:`DATE_FIELDS` for
        the dates and study status).

    Returns
    -------
    pandas.DataFrame
        ITEM, VALUE (text; dates as ``YYYY-MM-DD``, whole numbers without decimals) for the columns present
        and filled, in the order of ``fields``.
    """
    fields = BASELINE_FIELDS if fields is None else fields
    rows = []
    for column, label in fields.items():
        value = profile.baseline.get(column)
        if not _missing(value):
            rows.append((label, _cell_text(value)))
    return pd.DataFrame(rows, columns=["ITEM", "VALUE"])


def _date_text(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce")
    return dates.dt.strftime("%Y-%m-%d").astype(object).where(dates.notna(), "")


def _readable(frame: pd.DataFrame, columns: dict[str, str], dates: tuple[str, ...] = ()) -> pd.DataFrame:
    present = [c for c in columns if c in frame.columns]
    out = frame[present].copy()
    for column in dates:
        if column in out.columns:
            out[column] = _date_text(out[column])
    return out.rename(columns=columns).reset_index(drop=True)


#: ADTU columns of a patient's lesion table, with their labels.
LESION_FIELDS: dict[str, str] = {
    "TULNKID": "Lesion",
    "TULOC": "Site",
    "TULOCCAT": "Site category",
    "TUMETHOD": "Seen on",
    "LESSTAT": "Status",
    "MDTLES": "MDT",
    "MDTDT": "MDT date",
    "RTDOSE": "Dose (Gy)",
    "RTFX": "Fractions",
}


def lesion_table(profile: PatientProfile) -> pd.DataFrame | None:
    """Return the patient's lesions and the MDT each received, with readable headers.

    Parameters
    ----------
    profile : PatientProfile
        As :func:`patient_profile` returns.

    Returns
    -------
    pandas.DataFrame or None
        The :data:`LESION_FIELDS` columns present, renamed to their labels, MDT date as ``YYYY-MM-DD``;
        None when the trial has no ADTU.
    """
    if profile.lesions is None:
        return None
    return _readable(profile.lesions, LESION_FIELDS, dates=("MDTDT",))


def adverse_event_table(profile: PatientProfile) -> pd.DataFrame | None:
    """Return the patient's adverse events in onset order, with readable headers.

    Parameters
    ----------
    profile : PatientProfile
        As :func:`patient_profile` returns.

    Returns
    -------
    pandas.DataFrame or None
        No. (the row of the timeline), Term, Grade, Onset, End (``"ongoing"`` when not ended; dates
        ``YYYY-MM-DD``), Month (of onset, from registration), Severity, Serious, Relationship, System organ
        class; columns whose values are all missing are left out. None when the trial has no ADAE.
    """
    aes = profile.adverse_events
    if aes is None:
        return None
    out = pd.DataFrame(
        {
            "No.": np.arange(1, len(aes) + 1),
            "Term": aes["AEDECOD"],
            "Grade": aes["GRADE"],
            "Onset": _date_text(aes["START"]),
            "End": _date_text(aes["END"]).where(~aes["ONGOING"], "ongoing"),
            "Month": aes["START_MONTHS"].round(1),
            "Severity": aes["AESEV"],
            "Serious": aes["AESER"],
            "Relationship": aes["AEREL"],
            "System organ class": aes["AEBODSYS"],
        }
    )
    empty = [c for c in ("Grade", "Severity", "Serious", "Relationship") if out[c].isna().all()]
    return out.drop(columns=empty)


def time_to_event_table(profile: PatientProfile) -> pd.DataFrame | None:
    """Return the patient's time-to-event records, one row per endpoint, with readable headers.

    Parameters
    ----------
    profile : PatientProfile
        As :func:`patient_profile` returns.

    Returns
    -------
    pandas.DataFrame or None
        Endpoint (PARAM, else PARAMCD), Time (AVAL with its unit), Outcome (``"Event"`` or ``"Censored"``),
        Origin (STARTDT), Date (ADT), Description (EVNTDESC for events, CNSDTDSC for censorings). None when
        the trial has no ADTTE; empty (same columns) when the patient has no ADTTE row.
    """
    tte = profile.time_to_event
    if tte is None:
        return None
    if tte.empty:  # a patient registered but without time-to-event rows yet
        return pd.DataFrame(columns=["Endpoint", "Time", "Outcome", "Origin", "Date", "Description"])
    label = tte["PARAM"].fillna(tte["PARAMCD"]) if "PARAM" in tte.columns else tte["PARAMCD"]
    unit = tte["AVALU"].astype("string").str.lower().fillna("") if "AVALU" in tte.columns else ""
    aval = pd.to_numeric(tte["AVAL"], errors="coerce")
    time = aval.map(lambda v: "" if pd.isna(v) else f"{v:g}") + " " + unit
    event = tte["CNSR"].eq(0).fillna(False).astype(bool)
    blank = pd.Series(np.nan, index=tte.index, dtype=object)
    described = tte["EVNTDESC"].astype(object) if "EVNTDESC" in tte.columns else blank
    censored = tte["CNSDTDSC"].astype(object) if "CNSDTDSC" in tte.columns else blank
    return pd.DataFrame(
        {
            "Endpoint": label.astype(str),
            "Time": time.str.strip(),
            "Outcome": np.where(event, "Event", "Censored"),
            "Origin": _date_text(tte["STARTDT"]) if "STARTDT" in tte.columns else "",
            "Date": _date_text(tte["ADT"]) if "ADT" in tte.columns else "",
            "Description": described.where(event, censored).fillna(""),
        }
    ).reset_index(drop=True)
