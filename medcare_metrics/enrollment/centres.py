"""Screening and enrollment per centre."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.enrollment.reference import ALL_CENTRES, reference_date, require_columns
from medcare_metrics.rules import enrolled_mask
from medcare_metrics.subjects import registration_dates

#: SITENAME of the all-centres row of :func:`centre_summary`.
ALL_CENTRES_NAME = "All centres"
#: Columns of :func:`centre_summary`.
_COLUMNS: tuple[str, ...] = (
    "SITEID",
    "SITENAME",
    "SCREENED",
    "ENROLLED",
    "SCREEN_FAILURES",
    "SCREEN_FAILURE_RATE",
    "FIRST_ENROLLMENT",
    "LAST_ENROLLMENT",
    "DAYS_SINCE_LAST",
)


def centre_summary(adsl: pd.DataFrame, as_of: object | None = None, total: bool = True) -> pd.DataFrame:
    """Screening and enrollment per centre.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with SITEID (SITENAME used when present).
    as_of : date-like, optional
        Reference date for DAYS_SINCE_LAST (default: see :func:`reference_date`).
    total : bool
        Append a row for all centres (SITEID ``"ALL"``), also when ADSL has no row (all counts 0).

    Returns
    -------
    pandas.DataFrame
        One row per centre: SITEID, SITENAME (first name recorded, SITEID when absent), SCREENED (ADSL rows),
        ENROLLED, SCREEN_FAILURES (screened and not enrolled), SCREEN_FAILURE_RATE (SCREEN_FAILURES /
        SCREENED, 0-1; NaN without a screened subject), FIRST_ENROLLMENT and LAST_ENROLLMENT (registration
        dates), DAYS_SINCE_LAST (reference date minus LAST_ENROLLMENT, in days; NaN without an enrollment or a
        reference date).

    Raises
    ------
    ValueError
        If ADSL has no SITEID.
    """
    require_columns(adsl, ["SITEID"], "ADSL")
    reference = reference_date(adsl, as_of)
    enrolled = enrolled_mask(adsl)
    dates = registration_dates(adsl).where(enrolled)
    names = adsl["SITENAME"] if "SITENAME" in adsl.columns else adsl["SITEID"]
    work = pd.DataFrame(
        {
            "SITEID": adsl["SITEID"].astype(str),
            "SITENAME": names.astype("string").fillna(adsl["SITEID"].astype(str)).astype(object),
            "ENROLLED": enrolled.astype(int),
            "DATE": dates,
        }
    )
    # A centre's name is its first recorded one; the all-centres row is named, not taken from a row, so that
    # an ADSL without rows still gives it.
    parts = [(str(site), rows["SITENAME"].iloc[0], rows) for site, rows in work.groupby("SITEID", sort=True)]
    if total:
        parts.append((ALL_CENTRES, ALL_CENTRES_NAME, work))
    rows = []
    for site, name, group in parts:
        screened = len(group)
        n_enrolled = int(group["ENROLLED"].sum())
        last = group["DATE"].max()
        rows.append(
            {
                "SITEID": site,
                "SITENAME": name,
                "SCREENED": screened,
                "ENROLLED": n_enrolled,
                "SCREEN_FAILURES": screened - n_enrolled,
                "SCREEN_FAILURE_RATE": (screened - n_enrolled) / screened if screened else np.nan,
                "FIRST_ENROLLMENT": group["DATE"].min(),
                "LAST_ENROLLMENT": last,
                "DAYS_SINCE_LAST": float((reference - last).days)
                if reference is not None and pd.notna(last)
                else np.nan,
            }
        )
    out = pd.DataFrame(rows, columns=list(_COLUMNS))
    for column in ("FIRST_ENROLLMENT", "LAST_ENROLLMENT"):
        out[column] = pd.to_datetime(out[column])
    return out
