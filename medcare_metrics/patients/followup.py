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
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from medcare_metrics.cuts import data_cutoff
from medcare_metrics.model import TrialData
from medcare_metrics.rules import DAYS_PER_MONTH, enrolled_mask, off_study_mask
from medcare_metrics.subjects import as_date, date_values, died_mask, registration_dates

if TYPE_CHECKING:  # the schedule is read by attribute only; the study package owns the type
    from medcare_metrics.study import VisitSchedule

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
        parts.append(_dates(frame, columns))
    if not parts:
        return pd.Series(dtype="datetime64[ns]")
    dates = pd.concat(parts, ignore_index=True)
    cutoff = data_cutoff(trial)
    if cutoff is not None:
        dates = dates.loc[dates["DATE"].dt.normalize().ne(cutoff)]
    return _latest(dates, when)


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
    adlb = trial.adlb
    key = re.sub(r"\s+", "", name).upper()
    if adlb is not None and {"PARAMCD", "ADT", "USUBJID"} <= set(adlb.columns):
        paramcd = adlb["PARAMCD"].astype("string").str.strip().str.upper()
        rows = adlb.loc[paramcd.eq(key).fillna(False).astype(bool)]
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


def follow_up_due(trial: TrialData, schedule: VisitSchedule, as_of: date | pd.Timestamp) -> pd.DataFrame:
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
    rows: list[dict[str, object]] = []
    for assessment in schedule.assessments:
        dates, basis = assessment_dates(trial, assessment.name)
        last = ids.map(_latest(dates, when)) if dates is not None else contact
        for i in patients.index:
            anchor, done = anchors[i], last[i]
            if pd.isna(anchor):
                due, status, late = pd.NaT, NO_ANCHOR, pd.NA
            else:
                due = _next_due(anchor, None if pd.isna(done) else done, assessment.every_months, tolerance)
                status, late = _status(due, when, tolerance), max(0, (when - due).days)
            rows.append(
                {
                    "SITEID": site[i],
                    "SITENAME": "" if pd.isna(name[i]) else str(name[i]),
                    "USUBJID": ids[i],
                    "REGISTERED": anchor,
                    "LAST_CONTACT": contact[i],
                    "ASSESSMENT": assessment.name,
                    "EVERY_MONTHS": float(assessment.every_months),
                    "LAST_ASSESSMENT": done,
                    "BASIS": basis,
                    "NEXT_DUE": due,
                    "STATUS": status,
                    "DAYS_PAST_DUE": late,
                    "_ORDER": len(rows),
                }
            )
    out = pd.DataFrame(rows).sort_values(["SITEID", "USUBJID", "_ORDER"], kind="stable")
    for column in ("REGISTERED", "LAST_CONTACT", "LAST_ASSESSMENT", "NEXT_DUE"):
        out[column] = pd.to_datetime(out[column])
    out["DAYS_PAST_DUE"] = out["DAYS_PAST_DUE"].astype("Int64")
    return out.loc[:, list(FOLLOWUP_COLUMNS)].reset_index(drop=True)


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
    "assessment_dates",
    "follow_up_by_centre",
    "follow_up_due",
    "last_contact_dates",
    "on_study_mask",
    "patient_status",
]
