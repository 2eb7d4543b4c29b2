"""Enrollment over time: the cumulative curve against the planned line, and enrollment per month."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from medcare_metrics.enrollment.reference import (
    ALL_CENTRES,
    accrual_start,
    planned_accrual_days,
    reference_date,
    require_columns,
)
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.rules import enrolled_mask
from medcare_metrics.subjects import as_date, registration_dates


@dataclass(frozen=True, eq=False)
class CumulativeEnrollment:
    """Cumulative enrollment curves and the planned accrual line.

    Attributes
    ----------
    curve : pandas.DataFrame
        Columns DATE, SITEID, N: the number enrolled by the end of DATE, one row per change, for every centre
        and for all centres together (SITEID ``"ALL"``). Each curve starts at 0 on the accrual start and is
        carried to the reference date.
    plan : pandas.DataFrame
        Columns DATE, N: the planned line, from 0 at the accrual start to the target at the planned end
        (empty when the accrual start, the target or the planned period is unknown).
    target : int or None
        Target enrollment; None when the study names none (no target line).
    start : pandas.Timestamp or None
        Accrual start.
    planned_end : pandas.Timestamp or None
        Accrual start plus the planned accrual period.
    reference : pandas.Timestamp or None
        Reference date the curves are carried to.
    undated : int
        Enrolled subjects without a registration date (in no curve).
    """

    curve: pd.DataFrame
    plan: pd.DataFrame
    target: int | None
    start: pd.Timestamp | None
    planned_end: pd.Timestamp | None
    reference: pd.Timestamp | None
    undated: int


def _step_curve(dates: pd.Series, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    counts = dates.value_counts().sort_index()
    frame = pd.DataFrame({"DATE": counts.index, "N": counts.to_numpy().cumsum()})
    if start is not None and (frame.empty or start < frame["DATE"].iloc[0]):
        frame = pd.concat([pd.DataFrame({"DATE": [start], "N": [0]}), frame], ignore_index=True)
    if end is not None and not frame.empty and end > frame["DATE"].iloc[-1]:
        frame = pd.concat(
            [frame, pd.DataFrame({"DATE": [end], "N": [frame["N"].iloc[-1]]})], ignore_index=True
        )
    return frame


def cumulative_enrollment(
    adsl: pd.DataFrame,
    settings: TrialSettings = DEFAULT_SETTINGS,
    as_of: object | None = None,
    start: object | None = None,
) -> CumulativeEnrollment:
    """Cumulative enrollment by registration date, in total and per centre, with the planned line.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with SITEID.
    settings : TrialSettings
        Target enrollment and planned accrual period (months) for the planned line.
    as_of : date-like, optional
        Reference date the curves are carried to (default: see :func:`reference_date`).
    start : date-like, optional
        Accrual start (default: see :func:`accrual_start`).

    Returns
    -------
    CumulativeEnrollment
        Curves, planned line and the dates used.

    Raises
    ------
    ValueError
        If ADSL has no SITEID.
    """
    require_columns(adsl, ["SITEID"], "ADSL")
    begin = as_date(start, "start") if start is not None else accrual_start(adsl)
    end = reference_date(adsl, as_of)
    enrolled = adsl.loc[enrolled_mask(adsl)]
    dates = registration_dates(enrolled)
    dated = enrolled.loc[dates.notna()]
    pieces = []
    groups = [(ALL_CENTRES, dates.dropna())]
    groups += [
        (str(site), dates.loc[rows.index].dropna()) for site, rows in dated.groupby("SITEID", sort=True)
    ]
    for site, site_dates in groups:
        frame = _step_curve(site_dates, begin, end)
        frame.insert(1, "SITEID", site)
        pieces.append(frame)
    curve = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=["DATE", "SITEID", "N"])
    curve["N"] = curve["N"].astype(int)
    planned_end = None
    plan = pd.DataFrame({"DATE": pd.Series(dtype="datetime64[ns]"), "N": pd.Series(dtype=float)})
    target = settings.target_enrollment
    # Without a target or a planned period (a study without a study file) there is no plan to draw.
    if begin is not None and target is not None and settings.planned_accrual_months is not None:
        planned_end = (begin + pd.Timedelta(days=planned_accrual_days(settings))).normalize()
        plan = pd.DataFrame({"DATE": [begin, planned_end], "N": [0.0, float(target)]})
    return CumulativeEnrollment(
        curve=curve,
        plan=plan,
        target=None if target is None else int(target),
        start=begin,
        planned_end=planned_end,
        reference=end,
        undated=int(dates.isna().sum()),
    )


def enrollment_by_month(adsl: pd.DataFrame) -> pd.DataFrame:
    """Count patients enrolled per calendar month and centre.

    Every month from the first to the last registration month appears for every centre with an enrolled
    patient (zero when none that month), so bars line up. Enrolled subjects without a registration date are
    left out.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with SITEID.

    Returns
    -------
    pandas.DataFrame
        Columns MONTH (first day of the month), SITEID, N (int), sorted by MONTH then SITEID. Empty when no
        enrolled subject has a registration date.

    Raises
    ------
    ValueError
        If ADSL has no SITEID.
    """
    require_columns(adsl, ["SITEID"], "ADSL")
    enrolled = adsl.loc[enrolled_mask(adsl)]
    dates = registration_dates(enrolled)
    dated = pd.DataFrame({"SITEID": enrolled["SITEID"].astype(str), "DATE": dates}).dropna(subset=["DATE"])
    if dated.empty:
        return pd.DataFrame(
            {
                "MONTH": pd.Series(dtype="datetime64[ns]"),
                "SITEID": pd.Series(dtype=object),
                "N": pd.Series(dtype=int),
            }
        )
    dated["MONTH"] = dated["DATE"].dt.to_period("M").dt.to_timestamp()
    months = pd.date_range(dated["MONTH"].min(), dated["MONTH"].max(), freq="MS")
    sites = sorted(dated["SITEID"].unique())
    grid = pd.MultiIndex.from_product([months, sites], names=["MONTH", "SITEID"])
    counts = dated.groupby(["MONTH", "SITEID"]).size().reindex(grid, fill_value=0)
    return counts.rename("N").astype(int).reset_index()
