"""What the meeting report holds: the provenance of the view and every page's view result, computed once.

The report calls the same view functions as the pages (:mod:`medcare_metrics.views`) with the same scope,
so each number in it is the number the app shows for that view; nothing here computes a statistic.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd

import medcare_metrics
from medcare_metrics import cuts
from medcare_metrics.errors import DataUnavailable
from medcare_metrics.filters import Filters, apply_filters, describe_filters, value_labels
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.views.data_quality import DataQualityControls, DataQualityView, data_quality_view
from medcare_metrics.views.decision import (
    MonitoringControls,
    MonitoringView,
    OutlookControls,
    OutlookView,
    outlook_view,
    toxicity_monitoring_view,
)
from medcare_metrics.views.enrollment import (
    EnrollmentControls,
    EnrollmentView,
    enrollment_view,
    primary_endpoint,
)
from medcare_metrics.views.followup import FollowUpControls, FollowUpView, follow_up_view
from medcare_metrics.views.lesions import LesionsControls, LesionsView, lesions_view
from medcare_metrics.views.overview import OverviewControls, OverviewView, overview_view
from medcare_metrics.views.patients import (
    ChangesControls,
    ChangesView,
    SwimmerControls,
    SwimmerView,
    WaterfallControls,
    WaterfallView,
    changes_view,
    swimmer_view,
    waterfall_view,
)
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import SurvivalControls, SurvivalView, survival_choices, survival_view
from medcare_metrics.views.toxicity import ToxicityControls, ToxicityView, toxicity_view

T = TypeVar("T")

#: Name of the distribution whose version the report names (pyproject.toml ``[project] name``).
DISTRIBUTION = "medcare-monitor"


@dataclass(frozen=True)
class ReportOptions:
    """What the report shows beyond the view's scope (hashable: the app caches the report on it).

    Attributes
    ----------
    since : datetime.date or None
        Start of the "changes since" window (excluded); None: the default of
        :func:`medcare_metrics.cuts.since_window`, as on the Overview page.
    patient_level : bool
        True adds the patient-level tables and figures (the command line, the patient-level role); False
        gives aggregates only (the viewer role): no subject identifier, no per-patient figure or listing.
    fingerprint : str
        The data cut's fingerprint; empty: the loaded trial's own.
    source_name : str
        Name of the data source for the first page; empty: the loaded trial's name.
    generated_at : datetime.datetime or None
        When the report is made; None: now.
    """

    since: date | None = None
    patient_level: bool = True
    fingerprint: str = ""
    source_name: str = ""
    generated_at: datetime | None = None


@dataclass(frozen=True)
class Provenance:
    """Where the report's numbers come from: the first screen and every PDF page's footer say it.

    Attributes
    ----------
    study_id, study_title : str
        The study (from the study definition; a neutral study names the data's STUDYID).
    cutoff : datetime.date or None
        The data cut-off (ADSL.DCUTDT), else the latest date in the data.
    cutoff_label : str
        ``"Data cut-off"``, or ``"Latest date in the data"`` when ADSL has no DCUTDT.
    as_of : datetime.date or None
        The date of the view.
    replayed : bool
        True when the view replays the trial at a date before the cut-off.
    filters : str
        The active filters in words.
    fingerprint : str
        Short hash of the source's files: identifies the data cut.
    source : str
        Name of the data source.
    version : str
        The software's version.
    generated_at : datetime.datetime
        When the report was made (local time, to the second).
    patient_level : bool
        Whether patient-level tables are in the report.
    """

    study_id: str
    study_title: str
    cutoff: date | None
    cutoff_label: str
    as_of: date | None
    replayed: bool
    filters: str
    fingerprint: str
    source: str
    version: str
    generated_at: datetime
    patient_level: bool

    def items(self) -> tuple[tuple[str, str], ...]:
        """Return the provenance as ``(item, value)`` rows for the first screen."""
        as_of = _day(self.as_of)
        if self.replayed:
            as_of += " (replayed: later records hidden)"
        return (
            ("Study", f"{self.study_id}: {self.study_title}" if self.study_title else self.study_id),
            (self.cutoff_label, _day(self.cutoff)),
            ("As of", as_of),
            ("Filters", self.filters),
            ("Dataset fingerprint", self.fingerprint or "not known"),
            ("Data source", self.source or "not named"),
            ("Software", f"MEDCARE Monitor {self.version}"),
            ("Made", self.generated_at.isoformat(sep=" ")),
            (
                "Content",
                "patient level" if self.patient_level else "aggregates only (no subject identifiers)",
            ),
        )

    def footer(self) -> str:
        """Return the provenance in one line, for the footer of every PDF page."""
        cut = "cut-off" if self.cutoff_label == "Data cut-off" else "latest date"
        return (
            f"{self.study_id} · {cut} {_day(self.cutoff)} · as of {_day(self.as_of)} · {self.filters} · "
            f"fingerprint {self.fingerprint or 'not known'}"
        )


@dataclass(frozen=True, eq=False)
class ReportContent:
    """Every view result the report shows, and why a section has none.

    Attributes
    ----------
    provenance : Provenance
        The first screen.
    overview, enrollment, survival, outlook, swimmer, waterfall, follow_up, lesions, toxicity, monitoring,
    data_quality, changes : view result or None
        The pages' view results (None when the view raised :class:`DataUnavailable`; :attr:`unavailable`
        says why).
    endpoint : str or None
        PARAMCD of the survival section (the study's primary endpoint when the data have it).
    endpoint_label : str
        Its name for people.
    unavailable : dict of str to str
        Per section key, why its view could not be computed.
    """

    provenance: Provenance
    overview: OverviewView | None
    enrollment: EnrollmentView | None
    survival: SurvivalView | None
    outlook: OutlookView | None
    swimmer: SwimmerView | None
    waterfall: WaterfallView | None
    follow_up: FollowUpView | None
    lesions: LesionsView | None
    toxicity: ToxicityView | None
    monitoring: MonitoringView | None
    data_quality: DataQualityView | None
    changes: ChangesView | None
    endpoint: str | None = None
    endpoint_label: str = ""
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def patient_level(self) -> bool:
        """True when the report holds patient-level tables and figures."""
        return self.provenance.patient_level


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else "not known"


def software_version() -> str:
    """Return the installed distribution's version, else the package's own (a source checkout).

    Returns
    -------
    str
        E.g. ``"0.1.0"``.
    """
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return str(medcare_metrics.__version__)


def report_cutoff(trial: TrialData) -> tuple[date | None, str]:
    """Return the data cut-off as the app's sidebar takes it, and its label.

    Parameters
    ----------
    trial : TrialData
        The trial as loaded.

    Returns
    -------
    (datetime.date or None, str)
        ADSL.DCUTDT with ``"Data cut-off"``; else the latest date in the data with
        ``"Latest date in the data"`` (None when the data hold no date).
    """
    cut = cuts.data_cutoff(trial)
    if cut is not None:
        return cut.date(), "Data cut-off"
    latest = cuts.latest_date(trial)
    return (None if latest is None else latest.date()), "Latest date in the data"


def report_scope(
    full: TrialData,
    problems: pd.DataFrame | None = None,
    filters: Filters | None = None,
    as_of: date | None = None,
    settings: TrialSettings | None = None,
) -> ViewScope:
    """Return the scope the app's pages would have for these filters and this date (command line, tests).

    Parameters
    ----------
    full : TrialData
        The trial as loaded.
    problems : pandas.DataFrame, optional
        Validation problems of the source (``LoadResult.problems``).
    filters : Filters, optional
        Subject filters on ADSL columns.
    as_of : datetime.date, optional
        The date of the view; None (or a date on or after the cut-off) is the cut-off.
    settings : TrialSettings, optional
        Trial settings; default those of the trial's study.

    Returns
    -------
    ViewScope
        Replayed as of ``as_of`` when it is before the cut-off, then filtered; data checks on the trial as
        delivered, filtered.
    """
    filters = Filters() if filters is None else filters
    cutoff, _ = report_cutoff(full)
    replay = as_of if as_of is not None and cutoff is not None and as_of < cutoff else None
    unfiltered = full if replay is None else cuts.as_of(full, replay)
    return ViewScope(
        trial=apply_filters(unfiltered, filters),
        unfiltered=unfiltered,
        full=full,
        delivered=apply_filters(full, filters),
        problems=pd.DataFrame() if problems is None else problems,
        settings=TrialSettings.from_study(full.study) if settings is None else settings,
        filters=filters,
        as_of=replay if replay is not None else cutoff,
        cutoff=cutoff,
    )


def provenance(scope: ViewScope, options: ReportOptions) -> Provenance:
    """Return the provenance of a report on ``scope``.

    Parameters
    ----------
    scope : ViewScope
        The view.
    options : ReportOptions
        Fingerprint, source name, time made and content level.

    Returns
    -------
    Provenance
        Study, dates, filters in words, fingerprint, version and time.
    """
    study = scope.full.study
    _, label = report_cutoff(scope.full)
    filters = describe_filters(scope.filters, value_labels=value_labels(scope.full.adsl))
    made = (options.generated_at or datetime.now()).replace(microsecond=0)
    return Provenance(
        study_id=study.study_id,
        study_title=study.title,
        cutoff=scope.cutoff,
        cutoff_label=label,
        as_of=scope.as_of,
        replayed=scope.replayed,
        filters=filters,
        fingerprint=options.fingerprint or scope.full.fingerprint,
        source=options.source_name or scope.full.name,
        version=software_version(),
        generated_at=made,
        patient_level=options.patient_level,
    )


def _call(
    missing: dict[str, str], key: str, function: Callable[..., T], scope: ViewScope, *controls: Any
) -> T | None:
    """Call one view; on :class:`DataUnavailable` note why under ``key`` and return None."""
    try:
        return function(scope, *controls)
    except DataUnavailable as error:
        missing[key] = str(error)
        return None


def _endpoint(scope: ViewScope, missing: dict[str, str]) -> tuple[str | None, str, bool]:
    """Return the survival endpoint (the study's primary, else the data's first), its name, its benchmark.

    The benchmark is drawn as the page draws it by default: on the study's own data, when there is one.
    """
    choices = _call(missing, "survival", survival_choices, scope)
    if choices is None or choices.missing_adtte or not choices.codes:
        return None, "", False
    primary = primary_endpoint(scope.full)
    code = primary if primary in choices.codes else choices.codes[0]
    return code, choices.label(code), choices.medcare and choices.endpoint(code).has_benchmark


def collect_report(scope: ViewScope, options: ReportOptions) -> ReportContent:
    """Return every view result the report shows, each view called once with the pages' default controls.

    Parameters
    ----------
    scope : ViewScope
        The view (filters, as-of date, settings), as the pages get it.
    options : ReportOptions
        The "changes since" date, the content level and the provenance's details.

    Returns
    -------
    ReportContent
        The provenance and the view results.
    """
    missing: dict[str, str] = {}
    code, label, show_benchmark = _endpoint(scope, missing)
    survival = outlook = None
    if code is not None:
        controls = SurvivalControls(endpoint=code, show_benchmark=show_benchmark)
        survival = _call(missing, "survival", survival_view, scope, controls)
        outlook = _call(missing, "outlook", outlook_view, scope, OutlookControls(endpoint=code))
    toxicity_controls = ToxicityControls(acute_window_days=int(scope.settings.acute_window_days))
    monitoring_controls = MonitoringControls(
        acute_window_days=toxicity_controls.acute_window_days, teae_only=toxicity_controls.teae_only
    )
    return ReportContent(
        provenance=provenance(scope, options),
        overview=_call(missing, "overview", overview_view, scope, OverviewControls(since=options.since)),
        enrollment=_call(missing, "enrollment", enrollment_view, scope, EnrollmentControls()),
        survival=survival,
        outlook=outlook,
        swimmer=_call(missing, "swimmer", swimmer_view, scope, SwimmerControls()),
        waterfall=_call(missing, "waterfall", waterfall_view, scope, WaterfallControls()),
        follow_up=_call(missing, "follow_up", follow_up_view, scope, FollowUpControls()),
        lesions=_call(missing, "lesions", lesions_view, scope, LesionsControls()),
        toxicity=_call(missing, "toxicity", toxicity_view, scope, toxicity_controls),
        monitoring=_call(missing, "monitoring", toxicity_monitoring_view, scope, monitoring_controls),
        data_quality=_call(missing, "data_quality", data_quality_view, scope, DataQualityControls()),
        changes=_call(missing, "changes", changes_view, scope, ChangesControls(since=options.since)),
        endpoint=code,
        endpoint_label=label,
        unavailable=missing,
    )
