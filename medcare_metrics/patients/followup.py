"""Follow-up that is due or overdue: per patient on study, the next visit the schedule expects.

Definitions (the page says them too):

- *On study*: enrolled (:func:`medcare_metrics.rules.enrolled_mask`), not off study
  (:func:`medcare_metrics.rules.off_study_mask`: EOSSTT COMPLETED or DISCONTINUED) and not recorded as dead
  (:func:`medcare_metrics.subjects.died_mask`: DTHFL Y or a DTHDT).
- *Last contact*: the latest date recorded for the patient in any dataset (every date column but the data
  cut-off DCUTDT), on or before the as-of date. A date on the cut-off day itself is left out: it is where the
  data stop (a last-known-alive date or a censoring set to the cut-off), not a visit.
- *Schedule anchor*: the registration date (ENRLDT, else RANDDT, else TRTSDT). An assessment every N months
  is due at anchor + k x N months (k = 1, 2, ...), a month being 365.25 / 12 days, rounded to whole days.
  The tolerance is in days either side of a due date.
- *Last assessment*: the latest date of that assessment on or before the as-of date. PSA and any other
  assessment named as an ADLB parameter (PARAMCD, case and spaces ignored): the ADLB dates (ADT) of that
  parameter. Imaging (a name with PET, CT, MRI, scan or imaging): the ADTU imaging dates (ADT) when ADTU has
  them. Otherwise, or when the data hold no such dates, the last contact stands in (column BASIS says which).
- *Next due*: the first due date whose window (due date - tolerance) opens after the last assessment (the
  anchor when there is none): an assessment inside or after a window covers that visit, one before it does
  not.
- *Status* at the as-of date: ``Overdue`` after the window closes (due date + tolerance), ``Due`` inside the
  window, ``Not yet due`` before it; ``No registration date`` when there is no anchor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from medcare_metrics.cuts import data_cutoff
from medcare_metrics.model import TrialData
from medcare_metrics.rules import DAYS_PER_MONTH, enrolled_mask, off_study_mask
from medcare_metrics.subjects import as_date, date_values, died_mask, registration_dates

if TYPE_CHECKING:  # the schedule is read by attribute only; the study package owns the type
    from medcare_metrics.study import VisitSchedule

#: Dates of one assessment (USUBJID, DATE; None when the data hold none) and where they come from.
AssessmentSource = tuple[pd.DataFrame | None, str]
#: Columns of :func:`follow_up_due`.
FOLLOWUP_COLUMNS: tuple[str, ...] = (
    "SITEID",
    "SITENAME",
    "USUBJID",
    "REGISTERED",
    "LAST_CONTACT",
    "ASSESSMENT",
    "EVERY_MONTHS",
    "LAST_ASSESSMENT",
    "BASIS",
    "NEXT_DUE",
    "STATUS",
    "DAYS_PAST_DUE",
)
#: Values of STATUS, most urgent first.
OVERDUE, DUE, NOT_YET_DUE, NO_ANCHOR = "Overdue", "Due", "Not yet due", "No registration date"
STATUSES: tuple[str, ...] = (OVERDUE, DUE, NOT_YET_DUE, NO_ANCHOR)
#: Columns of :func:`follow_up_by_centre`.
CENTRE_COLUMNS: tuple[str, ...] = ("SITEID", "SITENAME", "ON_STUDY", "DUE", "OVERDUE")
#: SITEID and SITENAME of the all-centres row of :func:`follow_up_by_centre`.
ALL_CENTRES: tuple[str, str] = ("ALL", "All centres")
#: Date columns that are not contacts with the patient.
NOT_CONTACT_DATES: frozenset[str] = frozenset({"DCUTDT"})
#: An assessment whose name matches this (case-insensitive) is imaging, read from ADTU.ADT.
IMAGING_PATTERN = r"PET|\bCT\b|MRI|SCAN|IMAGING|SCINTI|X-?RAY"
#: BASIS of an assessment read from the last contact.
LAST_CONTACT_BASIS = "last contact"


def on_study_mask(adsl: pd.DataFrame) -> pd.Series:
    """Return True for patients on study: enrolled, not off study, not recorded as dead.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data (ENRLFL, EOSSTT, DTHFL, DTHDT each optional).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``adsl``.
    """
    return enrolled_mask(adsl) & ~off_study_mask(adsl) & ~died_mask(adsl)


def _dates(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """USUBJID and DATE, one row per non-missing date of ``columns``."""
    parts = [
        pd.DataFrame({"USUBJID": frame["USUBJID"].astype(str).to_numpy(), "DATE": date_values(frame, c)})
        for c in columns
    ]
    if not parts:
        return pd.DataFrame({"USUBJID": pd.Series(dtype=object), "DATE": pd.Series(dtype="datetime64[ns]")})
    out = pd.concat(parts, ignore_index=True)
    return out.loc[out["DATE"].notna()]


def _latest(dates: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Latest DATE on or before ``as_of`` per USUBJID."""
    kept = dates.loc[dates["DATE"].dt.normalize() <= as_of]
    return kept.groupby("USUBJID")["DATE"].max().dt.normalize()


def last_contact_dates(trial: TrialData, as_of: date | pd.Timestamp) -> pd.Series:
    """Return each patient's last contact: the latest date recorded in any dataset, on or before ``as_of``.

    Parameters
    ----------
    trial : TrialData
        The trial; every datetime column of every dataset counts except :data:`NOT_CONTACT_DATES`, and no
        date on the data cut-off day (:func:`medcare_metrics.cuts.data_cutoff`), which marks where the data
        stop rather than a visit.
    as_of : date-like
        Later dates are not yet known and are ignored.

    Returns
    -------
    pandas.Series
        Dates (datetime64, midnight) indexed by USUBJID (str), for patients with a date.
    """
    when = as_date(as_of, "as_of")
    cutoff = data_cutoff(trial)
    parts = []
    for name in trial.available:
        frame = trial.dataset(name)
        if frame is None or "USUBJID" not in frame.columns:
            continue
        columns = [
            c
            for c in frame.select_dtypes(include=["datetime64[ns]", "datetime"]).columns
            if c not in NOT_CONTACT_DATES
        ]
        parts.append(_record_latest(frame, columns, cutoff, when))
    if not parts:
        return pd.Series(dtype="datetime64[ns]")
    # The latest of the records' latest dates is the latest date: the same set, maximised in two steps.
    return _latest(pd.concat(parts, ignore_index=True), when)


def _record_latest(
    frame: pd.DataFrame, columns: Sequence[str], cutoff: pd.Timestamp | None, when: pd.Timestamp
) -> pd.DataFrame:
    """Return USUBJID and DATE: each record's latest date of ``columns`` that counts as a contact.

    What counts is said in :func:`last_contact_dates`; one row per record that has such a date.
    """
    latest: pd.Series | None = None
    for column in columns:
        values = date_values(frame, column)
        day = values.dt.normalize()
        keep = day.le(when)
        if cutoff is not None:
            keep &= day.ne(cutoff)
        values = values.where(keep)
        latest = values if latest is None else latest.where(latest.ge(values) | values.isna(), values)
    if latest is None:
        return pd.DataFrame({"USUBJID": pd.Series(dtype=object), "DATE": pd.Series(dtype="datetime64[ns]")})
    out = pd.DataFrame({"USUBJID": frame["USUBJID"].astype(str).to_numpy(), "DATE": latest.to_numpy()})
    return out.loc[out["DATE"].notna()]


def assessment_dates(trial: TrialData, name: str) -> tuple[pd.DataFrame | None, str]:
    """Return the dates on which assessment ``name`` was done, and where they come from.

    Parameters
    ----------
    trial : TrialData
        The trial.
    name : str
        The assessment as the visit schedule names it (``"PSA"``, ``"PSMA PET-CT"``).

    Returns
    -------
    (pandas.DataFrame or None, str)
        USUBJID and DATE, one row per assessment, and the BASIS in words (``"ADLB PSA"``, ``"ADTU ADT"``);
        ``(None, "last contact")`` when the data hold no dates of that assessment.
    """
    return _assessment_dates(trial, name, _paramcd_matcher(trial.adlb))


def _paramcd_matcher(adlb: pd.DataFrame | None) -> Callable[[str], np.ndarray] | None:
    """Return ``key -> mask`` of the ADLB rows whose PARAMCD, stripped and upper case, is ``key``.

    None when ADLB lacks PARAMCD, ADT or USUBJID. Text codes are cleaned once per distinct value (a few
    parameters on many rows); other codes go through the whole column, as before.
    """
    if adlb is None or not {"PARAMCD", "ADT", "USUBJID"} <= set(adlb.columns):
        return None
    column = adlb["PARAMCD"]
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(column)
        clean = pd.Series(uniques, dtype=object).astype("string").str.strip().str.upper()

        def distinct(key: str) -> np.ndarray:
            hit = np.append(clean.eq(key).fillna(False).to_numpy(dtype=bool), False)
            return hit[codes]  # code -1 (missing) takes the appended False

        return distinct
    paramcd = column.astype("string").str.strip().str.upper()
    return lambda key: paramcd.eq(key).fillna(False).to_numpy(dtype=bool)


def _assessment_dates(
    trial: TrialData, name: str, matcher: Callable[[str], np.ndarray] | None
) -> tuple[pd.DataFrame | None, str]:
    """:func:`assessment_dates` with ADLB's PARAMCD matcher made once (:func:`_paramcd_matcher`)."""
    adlb = trial.adlb
    key = re.sub(r"\s+", "", name).upper()
    if adlb is not None and matcher is not None:
        rows = adlb.loc[matcher(key)]
        if not rows.empty:
            return _dates(rows, ["ADT"]), f"ADLB {key}"
    adtu = trial.adtu
    imaging = re.search(IMAGING_PATTERN, name, flags=re.IGNORECASE) is not None
    if imaging and adtu is not None and {"ADT", "USUBJID"} <= set(adtu.columns):
        dates = _dates(adtu, ["ADT"])
        if not dates.empty:
            return dates, "ADTU ADT"
    return None, LAST_CONTACT_BASIS


def _due_date(anchor: pd.Timestamp, k: int, every_months: float) -> pd.Timestamp:
    return anchor + pd.Timedelta(days=round(k * every_months * DAYS_PER_MONTH))


def _next_due(
    anchor: pd.Timestamp, last: pd.Timestamp | None, every_months: float, tolerance: pd.Timedelta
) -> pd.Timestamp:
    """First due date whose window opens after ``last`` (the anchor when None)."""
    since = anchor if last is None or pd.isna(last) else max(last, anchor)
    k = 1
    while _due_date(anchor, k, every_months) - tolerance <= since:
        k += 1
    return _due_date(anchor, k, every_months)


def _status(due: pd.Timestamp, as_of: pd.Timestamp, tolerance: pd.Timedelta) -> str:
    if as_of > due + tolerance:
        return OVERDUE
    if as_of >= due - tolerance:
        return DUE
    return NOT_YET_DUE


def _empty() -> pd.DataFrame:
    dates = ("REGISTERED", "LAST_CONTACT", "LAST_ASSESSMENT", "NEXT_DUE")
    return pd.DataFrame(
        {
            c: pd.Series(dtype="datetime64[ns]")
            if c in dates
            else pd.Series(dtype="Int64")
            if c == "DAYS_PAST_DUE"
            else pd.Series(dtype=float)
            if c == "EVERY_MONTHS"
            else pd.Series(dtype=object)
            for c in FOLLOWUP_COLUMNS
        }
    )


def assessment_sources(trial: TrialData, schedule: VisitSchedule) -> tuple[AssessmentSource, ...]:
    """Return :func:`assessment_dates` of every assessment of ``schedule``, in its order.

    Parameters
    ----------
    trial : TrialData
        The trial.
    schedule : VisitSchedule
        The study's visit schedule.

    Returns
    -------
    tuple of (pandas.DataFrame or None, str)
        The dates and the BASIS of each assessment; ADLB's PARAMCD is read once for all of them.
    """
    matcher = _paramcd_matcher(trial.adlb)
    return tuple(_assessment_dates(trial, a.name, matcher) for a in schedule.assessments)


def follow_up_due(
    trial: TrialData,
    schedule: VisitSchedule,
    as_of: date | pd.Timestamp,
    sources: Sequence[AssessmentSource] | None = None,
) -> pd.DataFrame:
    """List, per patient on study and scheduled assessment, the next visit due and whether it is overdue.

    The rules are in the module docstring (:mod:`medcare_metrics.patients.followup`): on study, last contact,
    the anchor (registration), the last assessment of each kind and the window of tolerance around each due
    date.

    Parameters
    ----------
    trial : TrialData
        The trial (as of ``as_of`` and filtered as the page shows it).
    schedule : VisitSchedule
        The study's visit schedule: ``assessments`` (each with ``name`` and ``every_months``) and
        ``tolerance_days``.
    as_of : date-like
        The date of the view; dates after it are ignored.
    sources : sequence of (pandas.DataFrame or None, str), optional
        :func:`assessment_sources` of ``trial`` and ``schedule`` when already made (a view shows their BASIS
        too); made here when None.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FOLLOWUP_COLUMNS`, one row per patient on study and assessment: SITEID, SITENAME
        (when ADSL has them, else empty), USUBJID, REGISTERED (the anchor), LAST_CONTACT, ASSESSMENT,
        EVERY_MONTHS, LAST_ASSESSMENT (NaT when none), BASIS (where the last assessment comes from), NEXT_DUE,
        STATUS (one of :data:`STATUSES`) and DAYS_PAST_DUE (days from NEXT_DUE to ``as_of``, 0 before it;
        Int64). Sorted by SITEID, USUBJID, then the schedule's order of assessments. Empty (same columns)
        when no patient is on study or the schedule has no assessment.

    Raises
    ------
    ValueError
        For a negative tolerance or an assessment that is not due every positive number of months.
    """
    if schedule.tolerance_days < 0:
        raise ValueError(f"tolerance_days must be 0 or more, got {schedule.tolerance_days}")
    for assessment in schedule.assessments:
        if not assessment.every_months > 0:
            raise ValueError(
                f"{assessment.name}: every_months must be above 0, got {assessment.every_months}"
            )
    when = as_date(as_of, "as_of")
    tolerance = pd.Timedelta(days=schedule.tolerance_days)
    adsl = trial.adsl
    patients = adsl.loc[on_study_mask(adsl)]
    if patients.empty or not schedule.assessments:
        return _empty()
    ids = patients["USUBJID"].astype(str)
    anchors = registration_dates(patients).dt.normalize()
    contact = ids.map(last_contact_dates(trial, when))
    site = patients["SITEID"].astype(str) if "SITEID" in patients.columns else pd.Series("", index=ids.index)
    name = patients["SITENAME"] if "SITENAME" in patients.columns else site
    site_name = name.astype(object).where(name.notna(), "").map(str)
    if sources is None:
        sources = assessment_sources(trial, schedule)
    frames = []
    for assessment, (dates, basis) in zip(schedule.assessments, sources, strict=True):
        last = ids.map(_latest(dates, when)) if dates is not None else contact
        due = _next_due_dates(anchors, last, assessment.every_months, tolerance)
        frames.append(
            pd.DataFrame(
                {
                    "SITEID": site.to_numpy(dtype=object),
                    "SITENAME": site_name.to_numpy(dtype=object),
                    "USUBJID": ids.to_numpy(dtype=object),
                    "REGISTERED": anchors.to_numpy(),
                    "LAST_CONTACT": contact.to_numpy(),
                    "ASSESSMENT": assessment.name,
                    "EVERY_MONTHS": float(assessment.every_months),
                    "LAST_ASSESSMENT": last.to_numpy(),
                    "BASIS": basis,
                    "NEXT_DUE": due.to_numpy(),
                    "STATUS": _statuses(due, when, tolerance).to_numpy(dtype=object),
                    "DAYS_PAST_DUE": _days_past(due, when),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    # Row order as built (assessments, then patients) breaks ties, as the schedule's order of assessments.
    out = out.sort_values(["SITEID", "USUBJID"], kind="stable")
    for column in ("REGISTERED", "LAST_CONTACT", "LAST_ASSESSMENT", "NEXT_DUE"):
        out[column] = _datetimes(out[column])
    out["DAYS_PAST_DUE"] = out["DAYS_PAST_DUE"].astype("Int64")
    return out.loc[:, list(FOLLOWUP_COLUMNS)].reset_index(drop=True)


def _datetimes(values: pd.Series) -> pd.Series:
    """Return ``pd.to_datetime(values)``, skipped for datetimes (it returns them as they are, slowly)."""
    return values if values.dtype == "datetime64[ns]" else pd.to_datetime(values)


_DAY = pd.Timedelta(days=1)


def _next_due_dates(
    anchors: pd.Series, last: pd.Series, every_months: float, tolerance: pd.Timedelta
) -> pd.Series:
    """:func:`_next_due` of every patient at once; NaT where there is no anchor.

    The k-th due date is ``round(k x every_months x DAYS_PER_MONTH)`` days after the anchor, which never
    decreases with k, so the first k whose window opens after the last assessment is found from an estimate
    stepped up or down until it is the first; the steps evaluate the very expression :func:`_due_date` does.
    """
    anchor = _datetimes(anchors)
    known = anchor.notna().to_numpy()
    since = _datetimes(last).where(lambda d: d > anchor, anchor)  # max(last, anchor); anchor when none
    # Windows open at due - tolerance: the first k with an offset beyond (since - anchor) + tolerance.
    limit = ((since - anchor) + tolerance).to_numpy()
    step = float(every_months) * DAYS_PER_MONTH

    def offset(k: np.ndarray) -> np.ndarray:
        # round() and rint both round half to even, on the same product in the same order.
        days = np.rint(k.astype(float) * every_months * DAYS_PER_MONTH).astype(np.int64)
        return days.astype("timedelta64[D]").astype(limit.dtype)

    k = np.ones(len(anchor), dtype=np.int64)
    if known.any():
        span = limit[known] / np.timedelta64(1, "D")
        k[known] = np.maximum(1, np.floor(span / step).astype(np.int64))
    # Step down while the previous due date's window still opens after the limit, then up while this one's
    # does not: the result is the first k >= 1 past the limit, as the loop of _next_due finds it.
    while True:
        back = known & (k > 1)
        idx = np.flatnonzero(back)
        lower = idx[offset(k[idx] - 1) > limit[idx]] if idx.size else idx
        if not lower.size:
            break
        k[lower] -= 1
    while True:
        idx = np.flatnonzero(known)
        raise_ = idx[offset(k[idx]) <= limit[idx]] if idx.size else idx
        if not raise_.size:
            break
        k[raise_] += 1
    due = anchor.to_numpy(copy=True)
    idx = np.flatnonzero(known)
    if idx.size:
        due[idx] = due[idx] + offset(k[idx])
    return pd.Series(due, index=anchor.index)


def _statuses(due: pd.Series, when: pd.Timestamp, tolerance: pd.Timedelta) -> pd.Series:
    """:func:`_status` of every due date; :data:`NO_ANCHOR` where there is none."""
    status = np.where(
        when > due + tolerance, OVERDUE, np.where(when >= due - tolerance, DUE, NOT_YET_DUE)
    ).astype(object)
    status[due.isna().to_numpy()] = NO_ANCHOR
    return pd.Series(status, index=due.index, dtype=object)


def _days_past(due: pd.Series, when: pd.Timestamp) -> pd.array:
    """Days from each due date to ``when`` (0 before it); <NA> where there is no due date."""
    days = (when - due) // _DAY  # floor, as Timedelta.days
    return pd.array(days.clip(lower=0), dtype="Int64")


def patient_status(due: pd.DataFrame) -> pd.DataFrame:
    """Return each patient's most urgent status over the assessments of :func:`follow_up_due`.

    Parameters
    ----------
    due : pandas.DataFrame
        :func:`follow_up_due`.

    Returns
    -------
    pandas.DataFrame
        SITEID, SITENAME, USUBJID, STATUS (the first of :data:`STATUSES` among the patient's rows), one row
        per patient in the order of ``due``.
    """
    rank = due["STATUS"].map({s: i for i, s in enumerate(STATUSES)})
    worst = (
        due.assign(_RANK=rank)
        .groupby("USUBJID", sort=False)
        .agg(SITEID=("SITEID", "first"), SITENAME=("SITENAME", "first"), _RANK=("_RANK", "min"))
    )
    worst["STATUS"] = [STATUSES[int(r)] for r in worst["_RANK"]]
    return worst.reset_index().loc[:, ["SITEID", "SITENAME", "USUBJID", "STATUS"]]


def follow_up_by_centre(due: pd.DataFrame, total: bool = True) -> pd.DataFrame:
    """Count per centre the patients on study, those with a visit due now and those overdue.

    Parameters
    ----------
    due : pandas.DataFrame
        :func:`follow_up_due`.
    total : bool, default True
        Append a row for all centres (:data:`ALL_CENTRES`) when any patient is on study.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CENTRE_COLUMNS`: ON_STUDY (patients), DUE (patients whose most urgent assessment is
        due inside its window now) and OVERDUE (patients with at least one assessment overdue); a patient
        counts once, under the most urgent status. One row per centre by SITEID.
    """
    if due.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CENTRE_COLUMNS})
    status = patient_status(due)
    rows = []
    for siteid, group in status.groupby("SITEID", sort=True):
        rows.append(_centre_counts(group, str(siteid), str(group["SITENAME"].iloc[0]) or str(siteid)))
    if total:
        rows.append(_centre_counts(status, *ALL_CENTRES))
    return pd.DataFrame(rows, columns=list(CENTRE_COLUMNS))


def _centre_counts(status: pd.DataFrame, siteid: str, sitename: str) -> dict[str, object]:
    counts = status["STATUS"].value_counts()
    return {
        "SITEID": siteid,
        "SITENAME": sitename,
        "ON_STUDY": len(status),
        "DUE": int(counts.get(DUE, 0)),
        "OVERDUE": int(counts.get(OVERDUE, 0)),
    }


__all__ = [
    "ALL_CENTRES",
    "CENTRE_COLUMNS",
    "DUE",
    "FOLLOWUP_COLUMNS",
    "IMAGING_PATTERN",
    "LAST_CONTACT_BASIS",
    "NOT_YET_DUE",
    "NO_ANCHOR",
    "OVERDUE",
    "STATUSES",
    "AssessmentSource",
    "assessment_dates",
    "assessment_sources",
    "follow_up_by_centre",
    "follow_up_due",
    "last_contact_dates",
    "on_study_mask",
    "patient_status",
]
