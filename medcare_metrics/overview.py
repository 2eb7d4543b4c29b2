"""Where the trial stands: the headline numbers of the overview page.

Every measure of :class:`TrialSummary` is described in :data:`MEASURES` (what it counts, from which
columns); the overview page shows that text under each number. A measure the data cannot answer (dataset or
column absent, as in conformance data) is None and :meth:`TrialSummary.reason` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.model import TrialData
from medcare_metrics.protocol import DEFAULT_SETTINGS, ENDPOINTS, TrialSettings
from medcare_metrics.subjects import REGISTRATION_DATE_COLUMNS, date_values, died_mask, enrolled_mask
from medcare_metrics.survival import KMOptions, km_medians, time_to_event

#: End-of-study statuses (ADSL.EOSSTT) that mean a patient has left the study.
OFF_STUDY_STATUSES: frozenset[str] = frozenset({"COMPLETED", "DISCONTINUED"})
#: Lowest CTCAE grade counted as severe.
SEVERE_GRADE = 3

#: What each measure counts, in plain words (the overview page shows these as captions).
MEASURES: dict[str, str] = {
    "enrolled": "Patients registered (ADSL.ENRLFL = Y), against the protocol's target.",
    "screened": "Every screened subject in ADSL, screen failures included.",
    "on_study": "Enrolled patients alive and not COMPLETED or DISCONTINUED (EOSSTT).",
    "nestfs_events": "Enrolled patients with a NEST-FS event (CNSR = 0): next systemic therapy or death.",
    "pfs_events": "Enrolled patients with a PFS event (CNSR = 0): PCWG3 progression or death.",
    "nestfs_median": (
        "Kaplan-Meier median NEST-free survival of the enrolled patients; not reached while more than half "
        "are event-free."
    ),
    "grade3_patients": "Enrolled patients with an AE of CTCAE grade 3 or higher (ATOXGR), any attribution.",
    "latest_enrollment": "Latest registration date of an enrolled patient (ENRLDT).",
}


def count_enrolled(adsl: pd.DataFrame) -> int:
    """Return the number of enrolled subjects in ``adsl`` (see :func:`enrolled_mask`).

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    int
        Enrolled subjects.
    """
    return int(enrolled_mask(adsl).sum())


@dataclass(frozen=True)
class MedianEstimate:
    """A Kaplan-Meier median with its confidence interval, in months.

    Attributes
    ----------
    median, lower, upper : float
        Median and confidence limits in months; NaN means not reached.
    n : int
        Patients in the analysis.
    events : int
        Events among them.
    conf_level : float
        Confidence level of the interval.
    """

    median: float
    lower: float
    upper: float
    n: int
    events: int
    conf_level: float = 0.95

    @property
    def reached(self) -> bool:
        """True when the median is reached."""
        return not np.isnan(self.median)


@dataclass(frozen=True)
class TrialSummary:
    """Headline numbers of a trial; :data:`MEASURES` says what each counts.

    Attributes
    ----------
    screened : int
        ADSL rows.
    enrolled : int
        Enrolled patients.
    target : int
        Planned enrollment (``TrialSettings.target_enrollment``).
    on_study : int or None
        Enrolled patients still in follow-up.
    nestfs_events, pfs_events : int or None
        Enrolled patients with a NEST-FS / PFS event.
    nestfs_median : MedianEstimate or None
        Kaplan-Meier median NEST-FS.
    grade3_patients : int or None
        Enrolled patients with an AE of grade >= 3.
    latest_enrollment : pandas.Timestamp or None
        Latest registration date.
    latest_enrollment_column : str or None
        Column the registration date came from (ENRLDT, else RANDDT, else TRTSDT).
    unavailable : tuple of (str, str)
        ``(measure, reason)`` for every measure that is None.
    """

    screened: int
    enrolled: int
    target: int
    on_study: int | None
    nestfs_events: int | None
    pfs_events: int | None
    nestfs_median: MedianEstimate | None
    grade3_patients: int | None
    latest_enrollment: pd.Timestamp | None
    latest_enrollment_column: str | None = None
    unavailable: tuple[tuple[str, str], ...] = ()

    def reason(self, measure: str) -> str | None:
        """Return why ``measure`` is unavailable, or None when it is available.

        Parameters
        ----------
        measure : str
            A key of :data:`MEASURES`.

        Returns
        -------
        str or None
            The reason, or None.
        """
        if measure not in MEASURES:
            raise KeyError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
        return dict(self.unavailable).get(measure)


def _on_study(enrolled: pd.DataFrame) -> int | None:
    if "EOSSTT" not in enrolled.columns:
        return None
    status = enrolled["EOSSTT"].astype("string").str.strip().str.upper()
    off = status.isin(OFF_STUDY_STATUSES).fillna(False).astype(bool)
    return int((~off & ~died_mask(enrolled)).sum())


def _endpoint_rows(adtte: pd.DataFrame, paramcd: str, subjects: set[str]) -> pd.DataFrame:
    return adtte.loc[adtte["PARAMCD"].eq(paramcd) & adtte["USUBJID"].isin(subjects)]


def _grade3_patients(adae: pd.DataFrame, subjects: set[str]) -> int:
    grades = pd.to_numeric(adae["ATOXGR"], errors="coerce")
    severe = adae.loc[grades.ge(SEVERE_GRADE).fillna(False).astype(bool) & adae["USUBJID"].isin(subjects)]
    return int(severe["USUBJID"].nunique())


def _median(rows: pd.DataFrame) -> MedianEstimate:
    options = KMOptions()
    row = km_medians(time_to_event(rows, "NESTFS", unit="MONTHS"), options).iloc[0]
    return MedianEstimate(
        median=float(row["MEDIAN"]),
        lower=float(row["LOWER"]),
        upper=float(row["UPPER"]),
        n=int(row["N"]),
        events=int(row["EVENTS"]),
        conf_level=options.conf_level,
    )


def trial_summary(trial: TrialData, settings: TrialSettings = DEFAULT_SETTINGS) -> TrialSummary:
    """Compute the overview numbers of ``trial`` (see :data:`MEASURES` for what each counts).

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered, possibly replayed as of a date) trial.
    settings : TrialSettings, optional
        Gives the target enrollment.

    Returns
    -------
    TrialSummary
        The numbers; a measure the data cannot answer is None with its reason in ``unavailable``. Events and
        the median count only enrolled patients. The median uses :class:`medcare_metrics.survival.KMOptions`
        defaults (R's log transform, 95%), with times converted from AVALU to months.
    """
    adsl = trial.adsl
    enrolled = adsl.loc[enrolled_mask(adsl)]
    subjects = set(enrolled["USUBJID"])
    unavailable: list[tuple[str, str]] = []

    on_study = _on_study(enrolled)
    if on_study is None:
        unavailable.append(("on_study", "ADSL has no end-of-study status (EOSSTT)."))

    events: dict[str, int | None] = {}
    median: MedianEstimate | None = None
    for paramcd, measure in (("NESTFS", "nestfs_events"), ("PFS", "pfs_events")):
        if trial.adtte is None:
            events[paramcd] = None
            unavailable.append((measure, "No ADTTE dataset (time-to-event) in this source."))
        elif not trial.adtte["PARAMCD"].eq(paramcd).any():
            events[paramcd] = None
            unavailable.append((measure, f"ADTTE has no {paramcd} ({ENDPOINTS[paramcd]}) records."))
        else:
            rows = _endpoint_rows(trial.adtte, paramcd, subjects)
            events[paramcd] = 0 if rows.empty else int(time_to_event(rows, paramcd)["EVENT"].sum())
    if events["NESTFS"] is None:
        unavailable.append(("nestfs_median", dict(unavailable)["nestfs_events"]))
    else:
        rows = _endpoint_rows(trial.adtte, "NESTFS", subjects)  # type: ignore[arg-type]
        if rows.empty:
            unavailable.append(("nestfs_median", "No enrolled patient has a NEST-FS record."))
        else:
            try:
                median = _median(rows)
            except ValueError as exc:  # unknown time unit (AVALU): say so instead of failing the page
                unavailable.append(("nestfs_median", f"NEST-FS times cannot be used: {exc}."))

    grade3: int | None = None
    if trial.adae is None:
        unavailable.append(("grade3_patients", "No ADAE dataset (adverse events) in this source."))
    elif "ATOXGR" not in trial.adae.columns:
        unavailable.append(("grade3_patients", "ADAE has no CTCAE grade (ATOXGR or AETOXGR)."))
    else:
        grade3 = _grade3_patients(trial.adae, subjects)

    latest: pd.Timestamp | None = None
    column = next((c for c in REGISTRATION_DATE_COLUMNS if c in adsl.columns), None)
    if column is None:
        unavailable.append(("latest_enrollment", "ADSL has no registration date (ENRLDT, RANDDT or TRTSDT)."))
    else:
        last = date_values(enrolled, column).max()
        if pd.isna(last):
            unavailable.append(("latest_enrollment", f"No enrolled patient has a {column}."))
        else:
            latest = pd.Timestamp(last)

    return TrialSummary(
        screened=len(adsl),
        enrolled=len(enrolled),
        target=settings.target_enrollment,
        on_study=on_study,
        nestfs_events=events["NESTFS"],
        pfs_events=events["PFS"],
        nestfs_median=median,
        grade3_patients=grade3,
        latest_enrollment=latest,
        latest_enrollment_column=column if latest is not None else None,
        unavailable=tuple(unavailable),
    )


#: Categories of :func:`enrollment_progress`, in display order.
PROGRESS_CATEGORIES: tuple[str, ...] = ("On study", "Off study", "Not in selection", "Still to enroll")


def enrollment_progress(summary: TrialSummary, enrolled_overall: int | None = None) -> pd.DataFrame:
    """Split the enrollment target into patients on study, off study, outside the selection, still to enroll.

    Parameters
    ----------
    summary : TrialSummary
        Result of :func:`trial_summary` on the (possibly filtered) trial.
    enrolled_overall : int, optional
        Patients enrolled in the whole trial when ``summary`` covers a filtered selection; the others then
        count as "Not in selection" and "Still to enroll" is what the whole trial still needs.

    Returns
    -------
    pandas.DataFrame
        Columns CATEGORY, PATIENTS in :data:`PROGRESS_CATEGORIES` order. "On study" and "Off study" become one
        "Enrolled" row when on-study status is unknown; "Not in selection" appears only with a selection;
        "Still to enroll" is 0 once the target is met.
    """
    overall = summary.enrolled if enrolled_overall is None else enrolled_overall
    if overall < summary.enrolled:
        raise ValueError(f"enrolled_overall ({overall}) is below the selection's {summary.enrolled}")
    if summary.on_study is None:
        rows = [("Enrolled", summary.enrolled)]
    else:
        rows = [("On study", summary.on_study), ("Off study", summary.enrolled - summary.on_study)]
    if enrolled_overall is not None:
        rows.append(("Not in selection", overall - summary.enrolled))
    rows.append(("Still to enroll", max(summary.target - overall, 0)))
    return pd.DataFrame(rows, columns=["CATEGORY", "PATIENTS"])
