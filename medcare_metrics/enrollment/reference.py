"""What every enrollment measure refers to: the accrual start, the reference date, and shared helpers.

The helpers without a leading underscore here are shared by the modules of this package only; the package
re-exports :data:`ALL_CENTRES`, :func:`accrual_start` and :func:`reference_date`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from medcare_metrics.protocol import TrialSettings
from medcare_metrics.rules import DAYS_PER_MONTH, is_event
from medcare_metrics.subjects import as_date, date_values, died_mask, first_entry_date

#: Label of the all-centres group in per-centre outputs.
ALL_CENTRES = "ALL"

#: The accrual start is the first entry date of any subject (see the package notes).
accrual_start = first_entry_date


def normalised_codes(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``column`` stripped and upper case, missing and blank as <NA>.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any dataset holding ``column``.
    column : str
        A coded text column (SCRFCRIT, EOSSTT).

    Returns
    -------
    pandas.Series of string
        Aligned with ``frame``.
    """
    text = frame[column].astype("string").str.strip().str.upper()
    return text.mask(text.eq(""))


def require_columns(frame: pd.DataFrame, columns: Sequence[str], dataset: str) -> None:
    """Raise ValueError naming the ``columns`` that ``frame`` lacks.

    Parameters
    ----------
    frame : pandas.DataFrame
        The dataset.
    columns : sequence of str
        Columns a measure needs.
    dataset : str
        Its name, for the message.

    Raises
    ------
    ValueError
        When a column is missing.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{dataset} has no column {', '.join(missing)}")


def planned_accrual_days(settings: TrialSettings) -> float:
    """Return the planned accrual period of ``settings`` in days.

    Parameters
    ----------
    settings : TrialSettings
        Trial settings.

    Returns
    -------
    float
        ``planned_accrual_months`` times :data:`medcare_metrics.rules.DAYS_PER_MONTH`; NaN when the study
        names no planned accrual period.
    """
    if settings.planned_accrual_months is None:
        return float("nan")
    return float(settings.planned_accrual_months) * DAYS_PER_MONTH


def reference_date(adsl: pd.DataFrame, as_of: object | None = None) -> pd.Timestamp | None:
    """Return the date the analysis refers to: ``as_of``, else the data cut-off, else the latest ADSL date.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    as_of : date-like, optional
        Explicit reference date (the dashboard's "as of").

    Returns
    -------
    pandas.Timestamp or None
        The reference date; None when it is not given and ADSL holds no date.
    """
    if as_of is not None:
        return as_date(as_of, "as_of")
    if "DCUTDT" in adsl.columns:
        cut = date_values(adsl, "DCUTDT").max()
        if pd.notna(cut):
            return cut.normalize()
    latest = [adsl[c].max() for c in adsl.select_dtypes(include=["datetime64[ns]", "datetime"]).columns]
    latest = [v for v in latest if pd.notna(v)]
    return pd.Timestamp(max(latest)).normalize() if latest else None


def event_ids(adtte: pd.DataFrame | None, paramcd: str, ids: pd.Series) -> set[str] | None:
    """Return the USUBJIDs among ``ids`` with an event for ``paramcd``; None when the parameter is absent.

    Parameters
    ----------
    adtte : pandas.DataFrame or None
        Time-to-event data.
    paramcd : str
        Endpoint.
    ids : pandas.Series
        Subjects to look at.

    Returns
    -------
    set of str or None
        Subjects with an event (:func:`medcare_metrics.rules.is_event`).
    """
    if adtte is None or "PARAMCD" not in adtte.columns or not adtte["PARAMCD"].eq(paramcd).any():
        return None
    require_columns(adtte, ["USUBJID", "CNSR"], "ADTTE")
    rows = adtte.loc[adtte["PARAMCD"].eq(paramcd)]
    subjects = rows["USUBJID"].astype(str)
    return set(subjects.loc[is_event(rows["CNSR"]) & subjects.isin(set(ids.astype(str)))])


def death_mask(adsl: pd.DataFrame, adtte: pd.DataFrame | None) -> pd.Series | None:
    """Return True for subjects known to have died; None when the data cannot tell.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID.
    adtte : pandas.DataFrame or None
        Time-to-event data, used (its OS events) only when ADSL has neither DTHFL nor DTHDT.

    Returns
    -------
    pandas.Series of bool or None
        Aligned with ``adsl``.
    """
    if "DTHFL" in adsl.columns or "DTHDT" in adsl.columns:
        return died_mask(adsl)
    os_events = event_ids(adtte, "OS", adsl["USUBJID"])
    return None if os_events is None else adsl["USUBJID"].isin(os_events)
