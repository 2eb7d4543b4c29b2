"""One patient's record as tables with readable headers: baseline, key dates, lesions, AEs, time to event."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.patients.profile import PatientProfile
from medcare_metrics.rules import is_event

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
    event = is_event(tte["CNSR"])
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
