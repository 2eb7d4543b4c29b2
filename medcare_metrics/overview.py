"""Where the trial stands: the headline numbers of the overview page.

Every measure of :class:`TrialSummary` (:data:`MEASURE_KEYS`) is described in words by
:mod:`medcare_metrics.text.overview` (what it counts, from which columns); the overview page shows that text
under each number. A measure the data cannot answer (dataset or column absent, as in conformance data) is
None and :meth:`TrialSummary.reason` says why.

"Grade >= 3 toxicity" is counted by the Toxicity page's rule
(:func:`medcare_metrics.toxicity.high_grade_patient_count`: the safety population, treatment-emergent events
when ADAE has TRTEMFL), so the two pages always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.filters import MISSING, Filters, column_keys, selected_subjects
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.rules import HIGH_GRADE, enrolled_mask, off_study_mask
from medcare_metrics.study import default_study, is_study
from medcare_metrics.subjects import REGISTRATION_DATE_COLUMNS, date_values, died_mask
from medcare_metrics.survival import KMOptions, km_medians, km_table, time_to_event
from medcare_metrics.toxicity import HighGradeCount, high_grade_patient_count

#: End-of-study statuses (ADSL.EOSSTT) that mean a patient has left the study.
#: Lowest CTCAE grade counted as severe (the rules module's high grade).
SEVERE_GRADE = HIGH_GRADE

#: The measures of :class:`TrialSummary`, in the overview's order (``medcare_metrics.text.overview`` words
#: each).
MEASURE_KEYS: tuple[str, ...] = (
    "enrolled",
    "screened",
    "on_study",
    "nestfs_events",
    "pfs_events",
    "nestfs_median",
    "grade3_patients",
    "latest_enrollment",
)


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
    at_risk : int or None
        Patients at risk at the median time (observed time >= the median); None when not reached.
    fewest_at_risk : int or None
        Fewest patients at risk at the median or a reached confidence limit; None when none is reached.
    """

    median: float
    lower: float
    upper: float
    n: int
    events: int
    conf_level: float = 0.95
    at_risk: int | None = None
    fewest_at_risk: int | None = None

    @property
    def reached(self) -> bool:
        """True when the median is reached."""
        return not np.isnan(self.median)


@dataclass(frozen=True)
class TrialSummary:
    """Headline numbers of a trial; :mod:`medcare_metrics.text.overview` says what each counts.

    Attributes
    ----------
    screened : int
        ADSL rows.
    enrolled : int
        Enrolled patients.
    target : int or None
        Planned enrollment (``TrialSettings.target_enrollment``); None when the study names no target.
    on_study : int or None
        Enrolled patients still in follow-up.
    nestfs_events, pfs_events : int or None
        Enrolled patients with a NEST-FS / PFS event.
    nestfs_median : MedianEstimate or None
        Kaplan-Meier median NEST-FS.
    grade3_patients : int or None
        Patients with a high-grade AE, as the Toxicity page counts them by default (:attr:`high_grade`).
    latest_enrollment : pandas.Timestamp or None
        Latest registration date.
    latest_enrollment_column : str or None
        Column the registration date came from (ENRLDT, else RANDDT, else TRTSDT).
    unavailable : tuple of (str, str)
        ``(measure, reason)`` for every measure that is None.
    protocol_study : bool
        True when the trial's study file describes the data (its study id is every subject's ADSL.STUDYID):
        the endpoint descriptions then follow the protocol. False for a neutral study (no study file).
    high_grade : HighGradeCount or None
        The count behind :attr:`grade3_patients`: its denominator, population rule and which events it
        counts (:func:`medcare_metrics.toxicity.high_grade_patient_count`); None when unavailable.
    """

    screened: int
    enrolled: int
    target: int | None
    on_study: int | None
    nestfs_events: int | None
    pfs_events: int | None
    nestfs_median: MedianEstimate | None
    grade3_patients: int | None
    latest_enrollment: pd.Timestamp | None
    latest_enrollment_column: str | None = None
    unavailable: tuple[tuple[str, str], ...] = ()
    protocol_study: bool = True
    high_grade: HighGradeCount | None = None

    def reason(self, measure: str) -> str | None:
        """Return why ``measure`` is unavailable, or None when it is available.

        Parameters
        ----------
        measure : str
            One of :data:`MEASURE_KEYS`.

        Returns
        -------
        str or None
            The reason, or None.

        Raises
        ------
        KeyError
            For an unknown measure.
        """
        if measure not in MEASURE_KEYS:
            raise KeyError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURE_KEYS)}")
        return dict(self.unavailable).get(measure)


def _on_study(enrolled: pd.DataFrame) -> int | None:
    if "EOSSTT" not in enrolled.columns:
        return None
    return int((~off_study_mask(enrolled) & ~died_mask(enrolled)).sum())


def _endpoint_rows(adtte: pd.DataFrame, paramcd: str, subjects: set[str]) -> pd.DataFrame:
    return adtte.loc[adtte["PARAMCD"].eq(paramcd) & adtte["USUBJID"].isin(subjects)]


def _at_risk(table: pd.DataFrame, time: float) -> int:
    """Patients at risk at ``time``: N_RISK at the first tabulated time >= ``time``, 0 beyond the last."""
    later = table.loc[table["TIME"].ge(time)]
    return 0 if later.empty else int(later["N_RISK"].iloc[0])


def _median(rows: pd.DataFrame) -> MedianEstimate:
    options = KMOptions()
    tte = time_to_event(rows, "NESTFS", unit="MONTHS")
    row = km_medians(tte, options).iloc[0]
    table = km_table(tte, options)
    median, lower, upper = (float(row[c]) for c in ("MEDIAN", "LOWER", "UPPER"))
    counts = {t: _at_risk(table, t) for t in (median, lower, upper) if not np.isnan(t)}
    return MedianEstimate(
        median=median,
        lower=lower,
        upper=upper,
        n=int(row["N"]),
        events=int(row["EVENTS"]),
        conf_level=options.conf_level,
        at_risk=counts.get(median),
        fewest_at_risk=min(counts.values()) if counts else None,
    )


def trial_summary(trial: TrialData, settings: TrialSettings = DEFAULT_SETTINGS) -> TrialSummary:
    """Compute the overview numbers of ``trial`` (:mod:`medcare_metrics.text.overview` says what each counts).

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
        the median count only enrolled patients; grade >= 3 toxicity counts as the Toxicity page's default
        (:func:`medcare_metrics.toxicity.high_grade_patient_count`). The median uses
        :class:`medcare_metrics.survival.KMOptions` defaults (R's log transform, 95%), with times converted
        from AVALU to months.
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
            # The card's endpoint is MEDCARE's when the study does not name it (a neutral study).
            label = trial.study.endpoint_labels.get(paramcd) or default_study().endpoint_label(paramcd)
            unavailable.append((measure, f"ADTTE has no {paramcd} ({label}) records."))
        else:
            rows = _endpoint_rows(trial.adtte, paramcd, subjects)
            # Days: an event count does not depend on the unit, and a conversion never fails on mixed units.
            tte = None if rows.empty else time_to_event(rows, paramcd, unit="DAYS")
            events[paramcd] = 0 if tte is None else int(tte["EVENT"].sum())
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

    high_grade: HighGradeCount | None = None
    if trial.adae is None:
        unavailable.append(("grade3_patients", "No ADAE dataset (adverse events) in this source."))
    else:
        try:
            # The Toxicity page's default rule, so that both pages give the same number.
            high_grade = high_grade_patient_count(trial.adae, adsl, teae_only=None, high_grade=SEVERE_GRADE)
        except ValueError as exc:  # no grade column, or a required ADAE column missing
            unavailable.append(("grade3_patients", f"{str(exc).rstrip('.')}."))

    latest: pd.Timestamp | None = None
    column = next((c for c in REGISTRATION_DATE_COLUMNS if c in adsl.columns), None)
    if column is None:
        unavailable.append(("latest_enrollment", "ADSL has no registration date (ENRLDT, RANDDT or TRTSDT)."))
    else:
        last = date_values(enrolled, column).max()
        if pd.isna(last):
            reason = f"No enrolled patient has a registration date ({column})."
            unavailable.append(("latest_enrollment", reason))
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
        grade3_patients=None if high_grade is None else high_grade.n_patients,
        latest_enrollment=latest,
        latest_enrollment_column=column if latest is not None else None,
        unavailable=tuple(unavailable),
        protocol_study=not trial.study.neutral and is_study(adsl, trial.study.study_id),
        high_grade=high_grade,
    )


@dataclass(frozen=True)
class ScreenFailuresOutside:
    """Screen failures a filter leaves out only because they have no value in a filtered column.

    Attributes
    ----------
    n : int
        Screen failures that match every filter on the columns they have a value in, but lack a value in
        at least one filtered column (MDT type, for instance, exists only for treated patients).
    columns : tuple of str
        The filtered columns those screen failures lack.
    screened_overall : int
        Subjects screened before filtering.
    """

    n: int
    columns: tuple[str, ...]
    screened_overall: int


def screen_failures_outside(adsl: pd.DataFrame, filters: Filters) -> ScreenFailuresOutside | None:
    """Count the screen failures that ``filters`` drop only for lack of a value in a filtered column.

    A filter on a column that screen failures do not have (MDTTYPE, TRTSDT, ...) makes "screened" in the
    selection equal the enrolled patients; this measures how many screen failures that hides.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data before filtering (as of the view's date).
    filters : Filters
        The active filters.

    Returns
    -------
    ScreenFailuresOutside or None
        None when no screen failure is left out that way (no filters, the missing value is allowed, or every
        screen failure has the filtered values).
    """
    columns = [c for c in filters.columns if c in adsl.columns and MISSING not in filters.values(c)]
    if not columns:
        return None
    failures = ~enrolled_mask(adsl)
    lacks = pd.DataFrame({c: column_keys(adsl[c]).eq(MISSING) for c in columns}, index=adsl.index)
    # Passing on every column where a value exists, with at least one filtered value missing (the missing
    # value is not allowed in these columns, so such a subject is outside the selection).
    ok = pd.Series(True, index=adsl.index)
    for column in columns:
        ok &= column_keys(adsl[column]).isin(filters.values(column)) | lacks[column]
    other = [c for c in filters.columns if c not in columns and c in adsl.columns]
    if other:
        ok &= selected_subjects(adsl, Filters(tuple((c, filters.values(c)) for c in other)))
    left_out = failures & ok & lacks.any(axis=1)
    if not left_out.any():
        return None
    lacking = tuple(c for c in columns if lacks.loc[left_out, c].any())
    return ScreenFailuresOutside(n=int(left_out.sum()), columns=lacking, screened_overall=len(adsl))


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
        "Still to enroll" is 0 once the target is met, and absent when the study names no target.
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
    if summary.target is not None:
        rows.append(("Still to enroll", max(summary.target - overall, 0)))
    return pd.DataFrame(rows, columns=["CATEGORY", "PATIENTS"])
