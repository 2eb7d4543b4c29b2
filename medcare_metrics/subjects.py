"""Subject-level basics shared by the analytics: who is enrolled, when subjects entered, dates as given.

Definitions:

- *Enrolled*: ``ADSL.ENRLFL == "Y"`` (loading derives ENRLFL when absent); every subject without ENRLFL.
- *Entry date*: RFICDT, SCRNDT, ENRLDT, RANDDT or TRTSDT; the earliest over all subjects is the first entry
  (the trial's opening date is not in ADaM; the first consent or screening is the closest date held).
- *Registration date*: ENRLDT, else RANDDT, else TRTSDT.
"""

from __future__ import annotations

import pandas as pd

# Re-exported: the flag and population rules live in medcare_metrics.rules.
from medcare_metrics.rules import enrolled_mask as enrolled_mask
from medcare_metrics.rules import flag_yes as flag_yes

#: ADSL dates marking a subject's entry into the trial, the earliest counting.
ENTRY_DATE_COLUMNS: tuple[str, ...] = ("RFICDT", "SCRNDT", "ENRLDT", "RANDDT", "TRTSDT")
#: ADSL dates marking registration, in order of preference (ENRLDT is MEDCARE's; RANDDT, TRTSDT stand in).
REGISTRATION_DATE_COLUMNS: tuple[str, ...] = ("ENRLDT", "RANDDT", "TRTSDT")


def died_mask(adsl: pd.DataFrame) -> pd.Series:
    """Return True for subjects ADSL records as dead: ``DTHFL == "Y"`` or a DTHDT.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data; DTHFL and DTHDT are optional (all False without either).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``adsl``.
    """
    died = pd.Series(False, index=adsl.index)
    if "DTHFL" in adsl.columns:
        died |= flag_yes(adsl, "DTHFL")
    if "DTHDT" in adsl.columns:
        died |= date_values(adsl, "DTHDT").notna()
    return died


def date_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``column`` as datetimes (unparseable values NaT), or all NaT when the column is absent.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any dataset.
    column : str
        Date column.

    Returns
    -------
    pandas.Series
        datetime64 Series aligned with ``frame``.
    """
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        # Loaded data are datetimes already; parsing them again is the slow path on large trials.
        return values.copy()
    return pd.to_datetime(values, errors="coerce")


def as_date(value: object, name: str) -> pd.Timestamp:
    """Return a date-like argument as a naive Timestamp at midnight.

    Parameters
    ----------
    value : date-like
        A string, date, datetime, Timestamp or numpy datetime64.
    name : str
        Argument name, for the error message.

    Returns
    -------
    pandas.Timestamp
        Naive (time zone dropped), normalised to midnight.

    Raises
    ------
    ValueError
        When ``value`` is not a date or is missing.
    """
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a date, got {value!r}") from exc
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date, got a missing value")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def registration_dates(adsl: pd.DataFrame) -> pd.Series:
    """Return each subject's registration date: ENRLDT, else RANDDT, else TRTSDT.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    pandas.Series
        datetime64 Series aligned with ``adsl``; NaT where none of the columns holds a date.
    """
    out = pd.Series(pd.NaT, index=adsl.index, dtype="datetime64[ns]")
    for column in REGISTRATION_DATE_COLUMNS:
        out = out.fillna(date_values(adsl, column))
    return out


def entry_dates(adsl: pd.DataFrame) -> pd.Series:
    """Return each subject's entry date: the earliest of :data:`ENTRY_DATE_COLUMNS`.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    pandas.Series
        datetime64 Series aligned with ``adsl``; NaT where none of the columns holds a date.
    """
    present = [c for c in ENTRY_DATE_COLUMNS if c in adsl.columns]
    if not present:
        return pd.Series(pd.NaT, index=adsl.index, dtype="datetime64[ns]")
    return pd.concat([date_values(adsl, c) for c in present], axis=1).min(axis=1)


def first_entry_date(adsl: pd.DataFrame) -> pd.Timestamp | None:
    """Return the earliest consent, screening, registration or treatment date of any subject.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    pandas.Timestamp or None
        Earliest date over :data:`ENTRY_DATE_COLUMNS`, at midnight; None when none of them holds a date.
    """
    first = entry_dates(adsl).min()
    return None if pd.isna(first) else pd.Timestamp(first).normalize()
