"""Enrollment: progress to the target, by centre and month, the screening funnel and event maturity.

Definitions used throughout:

- *Screened*: every ADSL row (ADSL holds one row per screened subject, screen failures included).
- *Enrolled*: ``ENRLFL == "Y"`` (loading derives ENRLFL when absent). Without ENRLFL every subject counts as
  enrolled, as loading would have derived.
- *Registration date*: ENRLDT, else RANDDT, else TRTSDT (the first present, per subject). Enrolled subjects
  without any of them count in totals but cannot be placed on a time axis.
- *Accrual start*: the earliest RFICDT, SCRNDT, ENRLDT, RANDDT or TRTSDT of any screened subject. The trial's
  opening date is not in ADaM; the first consent or screening is the closest date the data hold.
- *Reference date* ("today" of the analysis): the as-of date when given, else the data cut-off (latest
  ADSL.DCUTDT), else the latest date in ADSL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.protocol import (
    BENCHMARKS,
    DAYS_PER_MONTH,
    DEFAULT_SETTINGS,
    ELIGIBILITY_CRITERIA,
    ENDPOINTS,
    Benchmark,
    TrialSettings,
    check_settings,
)
from medcare_metrics.subjects import (
    as_date,
    date_values,
    died_mask,
    enrolled_mask,
    first_entry_date,
    flag_yes,
    registration_dates,
)
from medcare_metrics.survival import time_to_event

#: Label of the all-centres group in per-centre outputs.
ALL_CENTRES = "ALL"
#: SCRFCRIT value for a screen failure that is not an eligibility criterion (e.g. patient decision).
OTHER_REASON = "OTHER"
#: SCRFCRIT shown for a subject not enrolled without a recorded reason.
NOT_RECORDED = "NOT RECORDED"


def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return ``column`` stripped and upper case, missing and blank as <NA>."""
    text = frame[column].astype("string").str.strip().str.upper()
    return text.mask(text.eq(""))


def _require(frame: pd.DataFrame, columns: Sequence[str], dataset: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{dataset} has no column {', '.join(missing)}")


#: The accrual start is the first entry date of any subject (see the module notes).
accrual_start = first_entry_date


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
        (empty when the accrual start is unknown).
    target : int
        Target enrollment.
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
    target: int
    start: pd.Timestamp | None
    planned_end: pd.Timestamp | None
    reference: pd.Timestamp | None
    undated: int


def _planned_days(settings: TrialSettings) -> float:
    return float(settings.planned_accrual_months) * DAYS_PER_MONTH


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
    _require(adsl, ["SITEID"], "ADSL")
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
    if begin is not None:
        planned_end = (begin + pd.Timedelta(days=_planned_days(settings))).normalize()
        plan = pd.DataFrame({"DATE": [begin, planned_end], "N": [0.0, float(settings.target_enrollment)]})
    return CumulativeEnrollment(
        curve=curve,
        plan=plan,
        target=int(settings.target_enrollment),
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
    _require(adsl, ["SITEID"], "ADSL")
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


def centre_summary(adsl: pd.DataFrame, as_of: object | None = None, total: bool = True) -> pd.DataFrame:
    """Screening and enrollment per centre.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with SITEID (SITENAME used when present).
    as_of : date-like, optional
        Reference date for DAYS_SINCE_LAST (default: see :func:`reference_date`).
    total : bool
        Append a row for all centres (SITEID ``"ALL"``).

    Returns
    -------
    pandas.DataFrame
        One row per centre: SITEID, SITENAME (first name recorded, SITEID when absent), SCREENED (ADSL rows),
        ENROLLED, SCREEN_FAILURES (screened and not enrolled), SCREEN_FAILURE_RATE (SCREEN_FAILURES /
        SCREENED, 0-1), FIRST_ENROLLMENT and LAST_ENROLLMENT (registration dates), DAYS_SINCE_LAST (reference
        date minus LAST_ENROLLMENT, in days; NaN without an enrollment or a reference date).

    Raises
    ------
    ValueError
        If ADSL has no SITEID.
    """
    _require(adsl, ["SITEID"], "ADSL")
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
    parts = [(site, rows) for site, rows in work.groupby("SITEID", sort=True)]
    if total:
        parts.append((ALL_CENTRES, work.assign(SITENAME="All centres")))
    rows = []
    for site, group in parts:
        screened = len(group)
        n_enrolled = int(group["ENROLLED"].sum())
        last = group["DATE"].max()
        rows.append(
            {
                "SITEID": site,
                "SITENAME": group["SITENAME"].iloc[0],
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
    out = pd.DataFrame(rows)
    for column in ("FIRST_ENROLLMENT", "LAST_ENROLLMENT"):
        out[column] = pd.to_datetime(out[column])
    return out


@dataclass(frozen=True)
class EnrollmentStatus:
    """Where enrollment stands against the plan.

    Attributes
    ----------
    enrolled : int
        Enrolled subjects.
    target : int
        Target enrollment.
    complete : bool
        ``enrolled >= target``.
    start : pandas.Timestamp or None
        Accrual start.
    reference : pandas.Timestamp or None
        Reference date.
    completion_date : pandas.Timestamp or None
        Registration date of the target-th enrolled patient (in date order); None while open or when
        registration dates are missing.
    duration_days : float
        Accrual start to completion date when complete, to the reference date while open; NaN when a date is
        unknown.
    planned_days : float
        Planned accrual period in days.
    planned_end : pandas.Timestamp or None
        Accrual start plus the planned period.
    observed_rate_per_month : float
        Patients per month: target / duration when complete, enrolled / duration while open.
    planned_rate_per_month : float
        Target / planned accrual period in months.
    rate_ratio : float
        Observed over planned rate (1 = on plan, below 1 = slower).
    """

    enrolled: int
    target: int
    complete: bool
    start: pd.Timestamp | None
    reference: pd.Timestamp | None
    completion_date: pd.Timestamp | None
    duration_days: float
    planned_days: float
    planned_end: pd.Timestamp | None
    observed_rate_per_month: float
    planned_rate_per_month: float
    rate_ratio: float

    @property
    def duration_months(self) -> float:
        """Duration in months (days / 30.4375)."""
        return self.duration_days / DAYS_PER_MONTH

    @property
    def planned_months(self) -> float:
        """Planned accrual period in months."""
        return self.planned_days / DAYS_PER_MONTH


def enrollment_status(
    adsl: pd.DataFrame,
    settings: TrialSettings = DEFAULT_SETTINGS,
    as_of: object | None = None,
    start: object | None = None,
) -> EnrollmentStatus:
    """Return whether enrollment is complete, when it completed or how long it has run, and the rate vs plan.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    settings : TrialSettings
        Target enrollment and planned accrual period.
    as_of : date-like, optional
        Reference date (default: see :func:`reference_date`).
    start : date-like, optional
        Accrual start (default: see :func:`accrual_start`).

    Returns
    -------
    EnrollmentStatus
        The status; see its attributes for the definitions.

    Raises
    ------
    ValueError
        If the target or the planned period is outside its bounds
        (:func:`medcare_metrics.protocol.check_settings`).
    """
    check_settings(settings)
    target = int(settings.target_enrollment)
    planned_days = _planned_days(settings)
    begin = as_date(start, "start") if start is not None else accrual_start(adsl)
    reference = reference_date(adsl, as_of)
    mask = enrolled_mask(adsl)
    enrolled = int(mask.sum())
    complete = enrolled >= target
    dates = registration_dates(adsl.loc[mask]).dropna().sort_values()
    completion = None
    if complete and len(dates) >= target:
        completion = pd.Timestamp(dates.iloc[target - 1])
    end = completion if complete else reference
    duration = float((end - begin).days) if begin is not None and end is not None else np.nan
    count = target if complete else enrolled
    observed = count / (duration / DAYS_PER_MONTH) if duration and duration > 0 else np.nan
    planned_rate = target / (planned_days / DAYS_PER_MONTH)
    return EnrollmentStatus(
        enrolled=enrolled,
        target=target,
        complete=complete,
        start=begin,
        reference=reference,
        completion_date=completion,
        duration_days=duration,
        planned_days=planned_days,
        planned_end=None if begin is None else (begin + pd.Timedelta(days=planned_days)).normalize(),
        observed_rate_per_month=observed,
        planned_rate_per_month=planned_rate,
        rate_ratio=observed / planned_rate,
    )


def _failure_codes(adsl: pd.DataFrame) -> pd.Series:
    """SCRFCRIT normalised (upper case, blank as <NA>); all <NA> when the column is absent."""
    if "SCRFCRIT" not in adsl.columns:
        return pd.Series(pd.NA, index=adsl.index, dtype="string")
    return _codes(adsl, "SCRFCRIT")


def _ineligible_mask(adsl: pd.DataFrame) -> pd.Series:
    codes = _failure_codes(adsl)
    failed_criterion = codes.notna() & codes.ne(OTHER_REASON)
    return (failed_criterion & ~enrolled_mask(adsl)).fillna(False).astype(bool)


def _criterion_kind(code: str) -> str:
    if code.startswith("INC") and code in ELIGIBILITY_CRITERIA:
        return "Inclusion"
    if code.startswith("EXC") and code in ELIGIBILITY_CRITERIA:
        return "Exclusion"
    if code == OTHER_REASON:
        return "Other"
    if code == NOT_RECORDED:
        return "Not recorded"
    return "Unrecognised"


def _criterion_text(code: str) -> str:
    if code == NOT_RECORDED:
        return "Not recorded"
    return ELIGIBILITY_CRITERIA.get(code, "Unrecognised code")


def _exit_stage(kind: str) -> str:
    """Funnel exit of a screen failure: a failed criterion (or a code that may be one) is "not eligible"."""
    return "NOT_ENROLLED" if kind in ("Other", "Not recorded") else "NOT_ELIGIBLE"


#: Kinds of screen-failure reason labelled "code: text" (a criterion, or a code that may be one); "Other" and
#: "Not recorded" are labelled by their text only.
_CODED_KINDS: frozenset[str] = frozenset({"Inclusion", "Exclusion", "Unrecognised"})


def screen_failure_reasons(adsl: pd.DataFrame) -> pd.DataFrame:
    """Screened subjects not enrolled, grouped by the eligibility criterion in SCRFCRIT.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data; SCRFCRIT (codes of ``protocol.ELIGIBILITY_CRITERIA``) is used when present.

    Returns
    -------
    pandas.DataFrame
        Columns SCRFCRIT, KIND (``"Inclusion"`` = inclusion criterion not met, ``"Exclusion"``, ``"Other"`` =
        not an eligibility criterion, ``"Unrecognised"`` = a code the protocol does not list, ``"Not
        recorded"`` = blank or no SCRFCRIT column), CRITERION (protocol wording), LABEL (``"EXC01: Serum
        testosterone above castrate level"``, ``"INC06 not met: WHO performance status 0-1"``; the text alone
        for other and not recorded), STAGE (the funnel
        exit the subjects count in, as in :func:`screening_funnel`: ``"NOT_ELIGIBLE"`` for inclusion,
        exclusion and unrecognised codes, ``"NOT_ENROLLED"`` for other and not recorded), N. One row per code
        with N > 0, in protocol order, then unrecognised codes, then not recorded. Codes are compared stripped
        and upper case.
    """
    codes = _failure_codes(adsl).loc[~enrolled_mask(adsl)].fillna(NOT_RECORDED)
    counts = codes.value_counts()
    known = [c for c in ELIGIBILITY_CRITERIA if c in counts.index]
    unknown = sorted(c for c in counts.index if c not in ELIGIBILITY_CRITERIA and c != NOT_RECORDED)
    order = known + unknown + ([NOT_RECORDED] if NOT_RECORDED in counts.index else [])
    kinds = [_criterion_kind(c) for c in order]
    texts = [_criterion_text(c) for c in order]
    return pd.DataFrame(
        {
            "SCRFCRIT": pd.Series(order, dtype=object),
            "KIND": pd.Series(kinds, dtype=object),
            "CRITERION": pd.Series(texts, dtype=object),
            "LABEL": pd.Series(
                [
                    # An inclusion criterion names what was required, so say it was not met.
                    (f"{c} not met: {t}" if k == "Inclusion" else f"{c}: {t}") if k in _CODED_KINDS else t
                    for c, k, t in zip(order, kinds, texts, strict=True)
                ],
                dtype=object,
            ),
            "STAGE": pd.Series([_exit_stage(k) for k in kinds], dtype=object),
            "N": pd.Series([int(counts[c]) for c in order], dtype=int),
        }
    )


#: Columns of :func:`screen_failure_listing`.
SCREEN_FAILURE_COLUMNS: tuple[str, ...] = ("USUBJID", "SITEID", "SCRNDT", "SCRFCRIT", "CRITERION", "SCRFREAS")


def screen_failure_listing(adsl: pd.DataFrame) -> pd.DataFrame:
    """List the screened subjects who were not enrolled, with the criterion and the reason as recorded.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID and SITEID; SCRNDT, SCRFCRIT and SCRFREAS used when present.

    Returns
    -------
    pandas.DataFrame
        Columns USUBJID, SITEID, SCRNDT (screening date, NaT when absent), SCRFCRIT (normalised code,
        ``"NOT RECORDED"`` when blank), CRITERION (protocol wording), SCRFREAS (as recorded, empty when
        absent); sorted by SITEID then USUBJID.

    Raises
    ------
    ValueError
        If ADSL has no USUBJID or SITEID.
    """
    _require(adsl, ["USUBJID", "SITEID"], "ADSL")
    failed = ~enrolled_mask(adsl)
    rows = adsl.loc[failed]
    codes = _failure_codes(adsl).loc[failed].fillna(NOT_RECORDED).astype(object)
    reasons = (
        rows["SCRFREAS"].astype("string").fillna("").astype(object)
        if "SCRFREAS" in rows.columns
        else pd.Series("", index=rows.index, dtype=object)
    )
    out = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].astype(str),
            "SITEID": rows["SITEID"].astype(str),
            "SCRNDT": date_values(rows, "SCRNDT"),
            "SCRFCRIT": codes,
            "CRITERION": codes.map(_criterion_text).astype(object),
            "SCRFREAS": reasons,
        }
    )
    return out.sort_values(["SITEID", "USUBJID"], kind="stable").reset_index(drop=True)


def _event_ids(adtte: pd.DataFrame | None, paramcd: str, ids: pd.Series) -> set[str] | None:
    """USUBJIDs among ``ids`` with an event (CNSR = 0) for ``paramcd``; None when the parameter is absent."""
    if adtte is None or "PARAMCD" not in adtte.columns or not adtte["PARAMCD"].eq(paramcd).any():
        return None
    tte = time_to_event(adtte, paramcd)
    return set(tte.loc[tte["EVENT"].astype(bool) & tte["USUBJID"].isin(set(ids)), "USUBJID"])


def _died_mask(adsl: pd.DataFrame, adtte: pd.DataFrame | None) -> pd.Series | None:
    if "DTHFL" in adsl.columns or "DTHDT" in adsl.columns:
        return died_mask(adsl)
    os_events = _event_ids(adtte, "OS", adsl["USUBJID"])
    return None if os_events is None else adsl["USUBJID"].isin(os_events)


#: Funnel stage code -> (label, definition). Order is the order of the returned rows.
FUNNEL_STAGES: dict[str, tuple[str, str]] = {
    "SCREENED": ("Screened", "Every ADSL row (one per screened subject)."),
    "NOT_ELIGIBLE": (
        "Not eligible",
        "Not enrolled, and SCRFCRIT names an eligibility criterion (any code other than OTHER).",
    ),
    "ELIGIBLE": ("Eligible", "Screened minus not eligible."),
    "NOT_ENROLLED": (
        "Eligible, not enrolled",
        "Eligible and ENRLFL not Y: SCRFCRIT OTHER (e.g. patient decision) or blank.",
    ),
    "ENROLLED": ("Enrolled", "ENRLFL = Y."),
    "NO_MDT": ("Enrolled, no MDT", "Enrolled and MDT not received."),
    "MDT": ("MDT received", "Enrolled and SAFFL = Y (TRTSDT present when ADSL has no SAFFL)."),
    "DIED": ("Died", "DTHFL = Y or DTHDT present (OS event in ADTTE when ADSL has neither)."),
    "NEST": ("NEST started", "Alive, NEST-free survival event (ADTTE NESTFS, CNSR = 0)."),
    "PROGRESSED": ("Progressed, no NEST", "Alive, no NEST, progression (ADTTE PFS, CNSR = 0)."),
    "WITHDRAWN": ("Withdrawn, no event", "Alive, no NEST or progression, EOSSTT = DISCONTINUED."),
    "FOLLOW_UP": (
        "In follow-up, no event",
        "Every other patient who received MDT: alive, no NEST, no progression, not withdrawn.",
    ),
}


def screening_funnel(adsl: pd.DataFrame, adtte: pd.DataFrame | None = None) -> pd.DataFrame:
    """CONSORT-style counts from screening to the patients' current status.

    Main path: screened -> eligible -> enrolled -> MDT received, with the subjects leaving the path at each
    step (not eligible, eligible but not enrolled, enrolled without MDT). Patients who received MDT are then
    split into mutually exclusive outcome boxes, the first that applies in this order: died, NEST started,
    progressed without NEST, withdrawn without any of these, in follow-up without event. The order puts the
    milestone that matters most to the trial first: a patient who started NEST and then withdrew counts under
    NEST started. The exact definition of each stage is in the DEFINITION column (from :data:`FUNNEL_STAGES`).

    Stages whose data are absent are left out instead of guessed: NO_MDT and MDT without SAFFL and TRTSDT (the
    outcome boxes then split the enrolled patients); DIED without DTHFL, DTHDT and an OS parameter; NEST and
    PROGRESSED without the NESTFS or PFS parameter in ADTTE; WITHDRAWN without EOSSTT. Without SCRFCRIT no
    subject counts as not eligible (eligible = screened).

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID.
    adtte : pandas.DataFrame, optional
        Time-to-event data (NESTFS, PFS, OS used when present).

    Returns
    -------
    pandas.DataFrame
        Columns STAGE (code), LABEL, N (int), PARENT (stage it branches from, empty for SCREENED), KIND
        (``"main"``, ``"excluded"`` or ``"outcome"``), DEFINITION.

    Raises
    ------
    ValueError
        If ADSL has no USUBJID.
    """
    _require(adsl, ["USUBJID"], "ADSL")
    enrolled = enrolled_mask(adsl)
    ineligible = _ineligible_mask(adsl)
    counts: list[tuple[str, int, str, str]] = [
        ("SCREENED", len(adsl), "", "main"),
        ("NOT_ELIGIBLE", int(ineligible.sum()), "SCREENED", "excluded"),
        ("ELIGIBLE", int((~ineligible).sum()), "SCREENED", "main"),
        ("NOT_ENROLLED", int((~ineligible & ~enrolled).sum()), "ELIGIBLE", "excluded"),
        ("ENROLLED", int(enrolled.sum()), "ELIGIBLE", "main"),
    ]
    base = enrolled
    parent = "ENROLLED"
    if "SAFFL" in adsl.columns or "TRTSDT" in adsl.columns:
        treated = flag_yes(adsl, "SAFFL") if "SAFFL" in adsl.columns else date_values(adsl, "TRTSDT").notna()
        base = enrolled & treated
        counts.append(("NO_MDT", int((enrolled & ~treated).sum()), "ENROLLED", "excluded"))
        counts.append(("MDT", int(base.sum()), "ENROLLED", "main"))
        parent = "MDT"
    remaining = base.copy()
    ids = adsl["USUBJID"]
    died = _died_mask(adsl, adtte)
    outcome_masks: list[tuple[str, pd.Series | None]] = [
        ("DIED", died),
        ("NEST", _as_mask(ids, _event_ids(adtte, "NESTFS", ids))),
        ("PROGRESSED", _as_mask(ids, _event_ids(adtte, "PFS", ids))),
        (
            "WITHDRAWN",
            _codes(adsl, "EOSSTT").eq("DISCONTINUED").fillna(False).astype(bool)
            if "EOSSTT" in adsl.columns
            else None,
        ),
    ]
    for stage, mask in outcome_masks:
        if mask is None:
            continue
        hit = remaining & mask
        counts.append((stage, int(hit.sum()), parent, "outcome"))
        remaining &= ~hit
    counts.append(("FOLLOW_UP", int(remaining.sum()), parent, "outcome"))
    return pd.DataFrame(
        {
            "STAGE": [c[0] for c in counts],
            "LABEL": [FUNNEL_STAGES[c[0]][0] for c in counts],
            "N": pd.Series([c[1] for c in counts], dtype=int),
            "PARENT": [c[2] for c in counts],
            "KIND": [c[3] for c in counts],
            "DEFINITION": [FUNNEL_STAGES[c[0]][1] for c in counts],
        }
    )


def _as_mask(ids: pd.Series, chosen: set[str] | None) -> pd.Series | None:
    return None if chosen is None else ids.isin(chosen)


#: Months after the reference date at which :func:`event_maturity` projects the number of events.
DEFAULT_PROJECTION_MONTHS: tuple[float, ...] = (0.0, 3.0, 6.0, 9.0, 12.0, 18.0, 24.0)


@dataclass(frozen=True, eq=False)
class EventMaturity:
    """Events of an endpoint so far and the expected number by future dates.

    Attributes
    ----------
    paramcd : str
        Endpoint (ADTTE PARAMCD).
    patients : int
        Subjects with a row for the endpoint.
    events : int
        Events so far (CNSR = 0).
    at_risk : int
        Censored subjects still followed (ADSL EOSSTT not COMPLETED or DISCONTINUED, not dead).
    follow_up_ended : int
        Censored subjects whose follow-up ended; they add no expected events.
    exposure_months : float
        Sum of the follow-up times (event or censoring) of all subjects, in months.
    rate_per_month : float
        Event rate used for the projection, per patient-month.
    median_months : float
        Median implied by the rate, ln 2 / rate (inf when the rate is 0).
    rate_source : str
        ``"fitted"`` (events / exposure) or ``"assumed median"`` (from ``assumed_median_months``).
    reference : pandas.Timestamp
        Date the projection starts from.
    projection : pandas.DataFrame
        Columns MONTHS_AHEAD, DATE, EXPECTED_NEW (expected events among the subjects at risk by DATE),
        EXPECTED_TOTAL (events so far + EXPECTED_NEW).
    future : int
        Patients still to enrol who are counted in the projection (see ``future_entries``).
    last_follow_up : pandas.Series
        Date from which each subject at risk is followed event-free: the last follow-up of enrolled subjects
        (index USUBJID), then the entry dates of future patients (index ``FUTURE-1``, ...).
    median_lower_months, median_upper_months : float
        95% confidence interval of the fitted median (exact Poisson interval of the rate, inverted; the upper
        limit is inf without events); NaN when the rate is assumed.
    """

    paramcd: str
    patients: int
    events: int
    at_risk: int
    follow_up_ended: int
    exposure_months: float
    rate_per_month: float
    median_months: float
    rate_source: str
    reference: pd.Timestamp
    projection: pd.DataFrame
    future: int
    last_follow_up: pd.Series
    median_lower_months: float = math.nan
    median_upper_months: float = math.nan

    def expected_events(self, dates: Sequence[object]) -> np.ndarray:
        """Return the expected total number of events by each of ``dates`` (events so far + expected new).

        Parameters
        ----------
        dates : sequence of date-like
            Dates to evaluate.

        Returns
        -------
        numpy.ndarray
            Expected events, one per date.
        """
        stamps = pd.to_datetime(pd.Series(list(dates), dtype=object))
        last = self.last_follow_up.to_numpy(dtype="datetime64[ns]")
        gaps = (stamps.to_numpy(dtype="datetime64[ns]")[:, None] - last[None, :]) / np.timedelta64(1, "D")
        months = np.clip(gaps, 0.0, None) / DAYS_PER_MONTH
        return self.events + (1.0 - np.exp(-self.rate_per_month * months)).sum(axis=1)

    def date_reaching(self, events: int) -> pd.Timestamp | None:
        """Return the first date by which ``events`` events are expected.

        Parameters
        ----------
        events : int
            Number of events wanted (e.g. for the primary analysis).

        Returns
        -------
        pandas.Timestamp or None
            The reference date when already reached; None when it cannot be reached (at least as many events
            as events so far plus patients at risk and future patients, or a rate of 0).
        """
        if events <= self.events:
            return self.reference
        if events >= self.events + self.at_risk + self.future or self.rate_per_month <= 0:
            return None
        low, high = 0, 1
        while self.expected_events([self.reference + pd.Timedelta(days=high)])[0] < events:
            low, high = high, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            if self.expected_events([self.reference + pd.Timedelta(days=middle)])[0] < events:
                low = middle
            else:
                high = middle
        return self.reference + pd.Timedelta(days=high)


def _median_interval(events: int, exposure_months: float, level: float = 0.95) -> tuple[float, float]:
    """Exact Poisson (chi-square) interval of the exponential rate, inverted into one of ln 2 / rate."""
    alpha = 1.0 - level
    rate_low = stats.chi2.ppf(alpha / 2, 2 * events) / (2 * exposure_months) if events > 0 else 0.0
    rate_high = stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / (2 * exposure_months)
    log2 = math.log(2.0)
    return log2 / rate_high, (log2 / rate_low if rate_low > 0 else math.inf)


def event_maturity(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    paramcd: str = "NESTFS",
    as_of: object | None = None,
    months_ahead: Sequence[float] = DEFAULT_PROJECTION_MONTHS,
    assumed_median_months: float | None = None,
    future_entries: Sequence[object] = (),
) -> EventMaturity:
    """Count the events of ``paramcd`` so far and project how many there will be by future dates.

    Each subject still at risk (censored, follow-up not ended) was event-free at their last follow-up date L
    (ADT; else STARTDT + AVAL; else the reference date). Their probability of an event by a date D is
    ``P(T <= t_L + (D - L) | T > t_L)``; the expected number of events by D is the events so far plus the sum
    of these probabilities. The survival model is exponential, ``P = 1 - exp(-rate * (D - L))``, with the
    maximum likelihood rate ``events / total follow-up`` (or ``ln 2 / assumed_median_months``). The
    Kaplan-Meier curve is not used because it is flat after the last observed time: with 18 patients and short
    follow-up it would project no further events past the longest follow-up, however long one waits. The
    exponential uses all follow-up, extrapolates, and its one assumption (a constant hazard) is easy to state;
    compare it with an assumed median such as the historical benchmark. Parameter uncertainty is not
    propagated: the numbers are expectations, not intervals. While enrollment is open, patients still to come
    can be added through ``future_entries`` (for example the predicted enrollment dates): each is event-free
    at entry and contributes ``1 - exp(-rate * (D - entry))`` after it.

    Parameters
    ----------
    adtte : pandas.DataFrame
        Time-to-event data.
    adsl : pandas.DataFrame, optional
        Subject-level data: EOSSTT, DTHFL and DTHDT tell whose follow-up has ended; the reference date
        defaults to its data cut-off. Without ADSL every censored subject counts as at risk.
    paramcd : str
        Endpoint; NEST-free survival by default.
    as_of : date-like, optional
        Reference date (default: ADSL data cut-off, else the latest ADT in ADTTE for the endpoint).
    months_ahead : sequence of float
        Months after the reference date to project to (each >= 0).
    assumed_median_months : float, optional
        Use ``ln 2 / assumed_median_months`` as the rate instead of the fitted one.
    future_entries : sequence of date-like
        Entry dates of patients still to enrol, counted as at risk from that date.

    Returns
    -------
    EventMaturity
        Counts, rate and the projection.

    Raises
    ------
    ValueError
        If ``paramcd`` has no rows, a horizon is negative, the assumed median is not positive, or no reference
        date can be found.
    """
    if assumed_median_months is not None and not assumed_median_months > 0:
        raise ValueError(f"assumed median must be positive, got {assumed_median_months!r} months")
    horizons = np.asarray(list(months_ahead), dtype=float)
    if (horizons < 0).any():
        raise ValueError("months_ahead must be >= 0")
    _require(adtte, ["USUBJID", "PARAMCD"], "ADTTE")
    if not adtte["PARAMCD"].eq(paramcd).any():
        name = ENDPOINTS.get(paramcd)
        raise ValueError(f"ADTTE has no rows with PARAMCD {paramcd!r}" + (f" ({name})" if name else ""))
    tte = time_to_event(adtte, paramcd, unit="DAYS")
    rows = adtte.loc[adtte["PARAMCD"].eq(paramcd)].drop_duplicates("USUBJID")
    rows = rows.set_index(rows["USUBJID"].astype(str))
    last = date_values(rows, "ADT")
    implied = date_values(rows, "STARTDT") + pd.to_timedelta(
        tte.set_index("USUBJID")["TIME"].reindex(rows.index), "D"
    )
    last = last.fillna(implied.dt.round("D"))

    reference = None
    if as_of is not None or adsl is not None:
        reference = reference_date(adsl if adsl is not None else pd.DataFrame(), as_of)
    if reference is None:
        latest = last.max()
        reference = None if pd.isna(latest) else pd.Timestamp(latest).normalize()
    if reference is None:
        raise ValueError("no reference date: give as_of, or ADSL with DCUTDT, or ADTTE with ADT")

    ended = pd.Series(False, index=rows.index)
    if adsl is not None and "USUBJID" in adsl.columns:
        status = adsl.drop_duplicates("USUBJID").set_index(adsl["USUBJID"].astype(str).unique())
        if "EOSSTT" in status.columns:
            ended |= (
                _codes(status, "EOSSTT")
                .isin(["COMPLETED", "DISCONTINUED"])
                .reindex(rows.index, fill_value=False)
            )
        died = _died_mask(status, None)
        if died is not None:
            ended |= died.reindex(rows.index, fill_value=False)
    ended = ended.fillna(False).astype(bool)

    event = tte.set_index("USUBJID")["EVENT"].reindex(rows.index).astype(bool)
    censored = ~event
    at_risk = censored & ~ended
    exposure_days = float(tte["TIME"].sum())
    events = int(event.sum())
    exposure_months = exposure_days / DAYS_PER_MONTH
    median_lower = median_upper = math.nan
    if assumed_median_months is not None:
        rate_month = math.log(2.0) / assumed_median_months
        source = "assumed median"
    else:
        rate_month = events / exposure_months if exposure_days > 0 else 0.0
        source = "fitted"
        if exposure_days > 0:
            median_lower, median_upper = _median_interval(events, exposure_months)
    since = last.where(at_risk).fillna(reference)[at_risk]
    entries = pd.to_datetime(pd.Series(list(future_entries), dtype=object))
    if entries.isna().any():
        raise ValueError("future_entries must be dates")
    entries.index = [f"FUTURE-{i + 1}" for i in range(len(entries))]
    if len(entries):
        since = pd.concat([since, entries])
    dates = [(reference + pd.Timedelta(days=h * DAYS_PER_MONTH)).normalize() for h in horizons]
    result = EventMaturity(
        paramcd=paramcd,
        patients=len(rows),
        events=events,
        at_risk=int(at_risk.sum()),
        follow_up_ended=int((censored & ended).sum()),
        exposure_months=exposure_months,
        rate_per_month=rate_month,
        median_months=math.log(2.0) / rate_month if rate_month > 0 else math.inf,
        rate_source=source,
        reference=reference,
        projection=pd.DataFrame(),
        future=len(entries),
        last_follow_up=since.rename("LAST_FOLLOW_UP"),
        median_lower_months=median_lower,
        median_upper_months=median_upper,
    )
    total = result.expected_events(dates) if dates else np.zeros(0)
    projection = pd.DataFrame(
        {
            "MONTHS_AHEAD": horizons,
            "DATE": pd.to_datetime(pd.Series(dates, dtype=object)),
            "EXPECTED_NEW": total - events,
            "EXPECTED_TOTAL": total,
        }
    )
    return replace(result, projection=projection)


#: Population of the historical benchmark that matches the trial's (SBRT or metastasectomy only).
TRIAL_POPULATION = "SBRT or metastasectomy"
#: Short endpoint names for labels.
SHORT_ENDPOINTS: dict[str, str] = {"NESTFS": "NEST-FS", "PFS": "PFS", "OS": "OS"}
#: Horizons (months after the reference date) offered for the event projection.
MATURITY_HORIZONS: tuple[int, ...] = (12, 24, 36, 48, 60)


def trial_benchmark(paramcd: str, population: str = TRIAL_POPULATION) -> Benchmark | None:
    """Return the historical benchmark of ``paramcd`` for ``population``, or None when there is none.

    Parameters
    ----------
    paramcd : str
        Endpoint (``"NESTFS"``, ``"PFS"``).
    population : str
        Benchmark population (default: the trial's, SBRT or metastasectomy).

    Returns
    -------
    Benchmark or None
        From :data:`medcare_metrics.protocol.BENCHMARKS`.
    """
    return next((b for b in BENCHMARKS if b.paramcd == paramcd and b.population == population), None)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True, eq=False)
class MaturityScenarios:
    """Event maturity of one endpoint under the fitted rate and under the benchmark median, with texts.

    Attributes
    ----------
    paramcd : str
        Endpoint (ADTTE PARAMCD).
    fitted : EventMaturity
        Projection with the rate fitted to the data (events / follow-up).
    assumed : EventMaturity or None
        Projection with the rate implied by the benchmark median; None without a benchmark.
    benchmark : Benchmark or None
        The benchmark used for ``assumed``.
    events_needed : int or None
        Events wanted for an analysis, when the user gave a number.
    """

    paramcd: str
    fitted: EventMaturity
    assumed: EventMaturity | None
    benchmark: Benchmark | None
    events_needed: int | None = None

    @property
    def short_name(self) -> str:
        """Short endpoint name (``"NEST-FS"``)."""
        return SHORT_ENDPOINTS.get(self.paramcd, self.paramcd)

    @property
    def lines(self) -> tuple[tuple[str, EventMaturity], ...]:
        """Label and projection of each scenario to draw; the fitted one only when there is an event."""
        out: list[tuple[str, EventMaturity]] = []
        fitted = self.fitted
        if fitted.events > 0:
            out.append(
                (
                    f"Fitted rate: {_plural(fitted.events, 'event')} in "
                    f"{fitted.exposure_months:.0f} patient-months",
                    fitted,
                )
            )
        if self.assumed is not None and self.benchmark is not None:
            out.append(
                (
                    f"Benchmark median {self.benchmark.median:g} months ({self.benchmark.population})",
                    self.assumed,
                )
            )
        return tuple(out)

    @property
    def metrics(self) -> tuple[tuple[str, str, str], ...]:
        """Label, value and help text of the headline numbers."""
        fitted = self.fitted
        if fitted.events == 0:
            median = "n/a"
            median_help = "No event yet: no rate can be fitted."
        else:
            upper = fitted.median_upper_months
            upper_text = "not estimable" if math.isinf(upper) else f"{upper:.1f}"
            median = f"{fitted.median_months:.1f} months"
            median_help = (
                f"ln 2 / fitted rate, exponential model; 95% CI {fitted.median_lower_months:.1f} to "
                f"{upper_text} months (exact Poisson interval of the rate)."
            )
        return (
            (f"{self.short_name} events", str(fitted.events), "Events so far (CNSR = 0)."),
            (
                "At risk",
                str(fitted.at_risk),
                "Censored patients still followed: they can still have an event.",
            ),
            ("Fitted median", median, median_help),
            (
                "Follow-up ended",
                str(fitted.follow_up_ended),
                "Censored patients who completed or left the study, or died: no further event expected.",
            ),
        )

    @property
    def median_text(self) -> str:
        """The fitted median with its confidence interval, in words (empty without events)."""
        fitted = self.fitted
        if fitted.events == 0:
            return ""
        upper = fitted.median_upper_months
        upper_text = "not estimable" if math.isinf(upper) else f"{upper:.1f} months"
        return (
            f"Fitted median {fitted.median_months:.1f} months "
            f"(95% CI {fitted.median_lower_months:.1f} months to {upper_text}) from "
            f"{_plural(fitted.events, 'event')} in {fitted.exposure_months:.0f} patient-months."
        )

    @property
    def reached(self) -> tuple[str, ...]:
        """One sentence per scenario: the date by which ``events_needed`` events are expected."""
        if not self.events_needed:
            return ()
        needed = int(self.events_needed)
        out = []
        for label, result in self.lines:
            when = result.date_reaching(needed)
            text = (
                "not reachable with the patients at risk and to come"
                if when is None
                else f"**{when:%Y-%m-%d}**"
            )
            out.append(f"{label}: {needed} events expected by {text}")
        return tuple(out)

    @property
    def note(self) -> str:
        """How the projection is computed, for a caption."""
        future = self.fitted.future
        return (
            "Expected events by a date = events so far + for each patient at risk the probability of an "
            "event between their last follow-up and that date, under an exponential model (constant "
            "hazard). The rate is fitted (events / total follow-up) or set from the historical benchmark "
            "median. Kaplan-Meier is not used because it cannot project past the longest follow-up. These "
            "are expectations, not intervals."
            + (
                f" The {_plural(future, 'patient')} still to be enrolled are counted from their predicted "
                "(median) enrollment dates."
                if future
                else ""
            )
        )

    @property
    def projection(self) -> pd.DataFrame:
        """All projections in one table: SCENARIO, MONTHS_AHEAD, DATE, EXPECTED_NEW, EXPECTED_TOTAL."""
        pieces = [result.projection.assign(SCENARIO=label) for label, result in self.lines]
        if not pieces:
            pieces = [self.fitted.projection.assign(SCENARIO="No event yet")]
        out = pd.concat(pieces, ignore_index=True)
        return out.loc[:, ["SCENARIO", "MONTHS_AHEAD", "DATE", "EXPECTED_NEW", "EXPECTED_TOTAL"]]


def maturity_scenarios(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    paramcd: str = "NESTFS",
    as_of: object | None = None,
    horizon_months: int = 36,
    future_entries: Sequence[object] = (),
    events_needed: int | None = None,
) -> MaturityScenarios:
    """Project the events of ``paramcd`` month by month, with the fitted rate and with the benchmark median.

    Parameters
    ----------
    adtte : pandas.DataFrame
        Time-to-event data.
    adsl : pandas.DataFrame, optional
        Subject-level data (see :func:`event_maturity`).
    paramcd : str
        Endpoint; NEST-free survival by default.
    as_of : date-like, optional
        Reference date.
    horizon_months : int
        Last month after the reference date to project to (one point per month from 0).
    future_entries : sequence of date-like
        Entry dates of patients still to be enrolled.
    events_needed : int, optional
        Events wanted for an analysis; :attr:`MaturityScenarios.reached` gives the dates.

    Returns
    -------
    MaturityScenarios
        Both projections, the benchmark used and the texts.

    Raises
    ------
    ValueError
        As :func:`event_maturity`, or if ``horizon_months`` is negative or ``events_needed`` below 1.
    """
    if horizon_months < 0:
        raise ValueError(f"horizon must be >= 0 months, got {horizon_months!r}")
    if events_needed is not None and events_needed < 1:
        raise ValueError(f"events needed must be at least 1, got {events_needed!r}")
    steps = [float(m) for m in range(0, int(horizon_months) + 1)]
    common = {"as_of": as_of, "months_ahead": steps, "future_entries": future_entries}
    fitted = event_maturity(adtte, adsl, paramcd, **common)
    benchmark = trial_benchmark(paramcd)
    assumed = (
        None
        if benchmark is None
        else event_maturity(adtte, adsl, paramcd, assumed_median_months=benchmark.median, **common)
    )
    return MaturityScenarios(
        paramcd=paramcd,
        fitted=fitted,
        assumed=assumed,
        benchmark=benchmark,
        events_needed=None if events_needed is None else int(events_needed),
    )


def cumulative_note(cumulative: CumulativeEnrollment, projected: bool) -> str:
    """Explain the cumulative enrollment figure: what is counted, the planned line and the bands when drawn.

    Parameters
    ----------
    cumulative : CumulativeEnrollment
        From :func:`cumulative_enrollment`.
    projected : bool
        Whether the figure shows the predictive bands.

    Returns
    -------
    str
        One caption.
    """
    parts = ["Enrolled patients by registration date (ENRLDT, else RANDDT, else TRTSDT), all and per centre."]
    if cumulative.start is not None and cumulative.planned_end is not None:
        parts.append(
            f"Dotted: the planned accrual, a straight line from the first consent or screening "
            f"({cumulative.start:%Y-%m-%d}) to the target of {cumulative.target} at the end of the planned "
            f"period ({cumulative.planned_end:%Y-%m-%d})."
        )
    if projected:
        parts.append(
            "Dashed: the predicted (median) date of each further enrollment; shaded: its 50% and 95% "
            "predictive intervals."
        )
    if cumulative.undated:
        parts.append(
            f"{_plural(cumulative.undated, 'enrolled patient')} without a registration date not drawn."
        )
    return " ".join(parts)
