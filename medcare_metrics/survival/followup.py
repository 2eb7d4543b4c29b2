"""Median follow-up by the reverse Kaplan-Meier method (Schemper and Smith, 1996).

The censoring indicator is reversed (an event becomes a censoring and a censoring an "event") and the median
of the Kaplan-Meier estimate of that reversed frame is the median potential follow-up, as R's
``print(survfit(Surv(time, 1 - status) ~ 1))``. Unlike the median of the observed times, it does not shrink
when patients have the event early: a patient who died at month 3 would have been followed to the cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.survival._frame import check_tte
from medcare_metrics.survival.estimation import KMOptions, km_medians

#: Endpoints tried for the follow-up, in order: overall survival (death is the only event that ends
#: follow-up) first; otherwise the study's primary endpoint (:func:`followup_endpoint`).
FOLLOWUP_ENDPOINT = "OS"


@dataclass(frozen=True)
class FollowUp:
    """Median follow-up by reverse Kaplan-Meier, with its confidence interval.

    Attributes
    ----------
    median, lower, upper : float
        Median follow-up and confidence limits, in the time unit of the input; NaN means not reached.
    n : int
        Patients in the analysis.
    censored : int
        Patients censored in the original frame (the "events" of the reversed estimate).
    paramcd : str
        The endpoint whose times were used (filled in by the caller; empty when not given).
    """

    median: float
    lower: float
    upper: float
    n: int
    censored: int
    paramcd: str = ""

    @property
    def reached(self) -> bool:
        """True when the median follow-up is reached."""
        return not np.isnan(self.median)


def reverse_km_medians(tte: pd.DataFrame, options: KMOptions | None = None) -> pd.DataFrame:
    """Median follow-up per group by reverse Kaplan-Meier, as R's ``survfit(Surv(TIME, 1 - EVENT) ~ GROUP)``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`medcare_metrics.survival.time_to_event` (USUBJID, TIME, EVENT, GROUP).
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).

    Returns
    -------
    pandas.DataFrame
        Columns GROUP, N, EVENTS (here: censorings of the original frame), MEDIAN, LOWER, UPPER; NaN means
        not reached.

    Raises
    ------
    ValueError
        When ``tte`` lacks a column or has a missing TIME or GROUP.
    """
    check_tte(tte)
    # The one place the indicator is reversed: follow-up ends at a censoring, and an event stops nothing.
    reversed_frame = tte.assign(EVENT=~tte["EVENT"].astype(bool))
    return km_medians(reversed_frame, options)


def median_followup(
    tte: pd.DataFrame, paramcd: str = "", options: KMOptions | None = None
) -> FollowUp | None:
    """Median follow-up of one group of patients by reverse Kaplan-Meier.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`medcare_metrics.survival.time_to_event` with one group (``by=None``).
    paramcd : str, optional
        The endpoint of ``tte``, kept on the result for the words that describe it.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).

    Returns
    -------
    FollowUp or None
        The median and its interval in the unit of ``tte``; None when ``tte`` has no row.

    Raises
    ------
    ValueError
        When ``tte`` holds more than one group, lacks a column or has a missing TIME.
    """
    if tte.empty:
        return None
    if tte["GROUP"].nunique() > 1:
        raise ValueError("median_followup takes one group; use reverse_km_medians for several")
    row = reverse_km_medians(tte, options).iloc[0]
    return FollowUp(
        median=float(row["MEDIAN"]),
        lower=float(row["LOWER"]),
        upper=float(row["UPPER"]),
        n=int(row["N"]),
        censored=int(row["EVENTS"]),
        paramcd=paramcd,
    )


def followup_endpoint(available: list[str] | tuple[str, ...], primary: str | None) -> str | None:
    """Choose the endpoint whose times measure follow-up: OS when present, else the primary endpoint.

    Parameters
    ----------
    available : sequence of str
        ADTTE parameter codes in the data.
    primary : str or None
        The study's primary endpoint (``StudyDefinition.primary_endpoint``), if any.

    Returns
    -------
    str or None
        The parameter code, or None when neither is in the data.
    """
    for candidate in (FOLLOWUP_ENDPOINT, primary):
        if candidate and candidate in available:
            return candidate
    return None
