"""View of the Enrollment page: status, projection, curves, funnel, centres and event maturity."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from medcare_metrics.enrollment import (
    DEFAULT_CERTAINTY,
    MATURITY_HORIZONS,
    CumulativeEnrollment,
    EventMaturity,
    MaturityScenarios,
    accrual_outlook,
    centre_summary,
    cumulative_enrollment,
    enrollment_by_month,
    maturity_scenarios,
    screen_failure_listing,
    screen_failure_reasons,
    screening_funnel,
)
from medcare_metrics.filters import column_keys, value_labels
from medcare_metrics.model import TrialData
from medcare_metrics.rules import enrolled_mask
from medcare_metrics.survival import endpoints
from medcare_metrics.text import enrollment as text
from medcare_metrics.views.scope import ViewScope

#: MEDCARE's primary endpoint; the maturity tab counts and projects the study's (:func:`primary_endpoint`).
PRIMARY = "NESTFS"
#: Months ahead the maturity projection reaches unless the user chooses otherwise.
DEFAULT_HORIZON = 36


@dataclass(frozen=True)
class EnrollmentChoices:
    """What the page's data-dependent controls offer on this data.

    Attributes
    ----------
    has_subjects : bool
        Whether the selection has any ADSL row (the tabs are drawn only then).
    maturity : bool
        Whether ADTTE has the primary endpoint: the horizon and events-needed controls are drawn only then.
    horizons : tuple of int
        Months ahead the maturity projection can reach.
    default_horizon : int
        The horizon chosen unless the user changes it.
    """

    has_subjects: bool
    maturity: bool
    horizons: tuple[int, ...] = MATURITY_HORIZONS
    default_horizon: int = DEFAULT_HORIZON


@dataclass(frozen=True)
class EnrollmentControls:
    """The page's widget values.

    Attributes
    ----------
    certainty : float
        Prior certainty P in the planned accrual, in [0, 1].
    horizon_months : int
        Months after the reference date the event projection reaches.
    events_needed : int or None
        Events wanted for the primary analysis, when the user gave a number.
    """

    certainty: float = DEFAULT_CERTAINTY
    horizon_months: int = DEFAULT_HORIZON
    events_needed: int | None = None


@dataclass(frozen=True)
class StatusSection:
    """Where enrollment of the whole trial stands, and the predicted completion while it is open.

    Attributes
    ----------
    headline : str
        ``"Enrollment open"`` or ``"Enrollment complete"``.
    metrics : tuple of (str, str, str)
        Label, value and help of each headline number.
    prediction_text, method_text : str
        The predicted completion date with its intervals, and the method; empty without a prediction.
    no_prediction : str
        Why there is no prediction although enrollment is open; else empty.
    rate_text : str
        Observed against planned accrual rate; empty without dates.
    filter_note : str
        Said when filters are active: status and projection are for the whole trial; else empty.
    """

    headline: str
    metrics: tuple[tuple[str, str, str], ...]
    prediction_text: str
    method_text: str
    no_prediction: str
    rate_text: str
    filter_note: str


@dataclass(frozen=True, eq=False)
class CumulativeFigure:
    """Inputs of :func:`medcare_metrics.figures.enrollment.cumulative_enrollment_figure`.

    Attributes
    ----------
    cumulative : CumulativeEnrollment
        Curves of the selection and the planned line.
    projection : pandas.DataFrame or None
        Predictive bands of the whole trial; None when complete, unpredictable or filtered.
    centre_names : dict of str to str
        SITEID -> centre name.
    completed_on : pandas.Timestamp or None
        Date the target was reached.
    total_label : str
        Legend label of the total line.
    plan_label, target_label : str
        Legend label of the planned line and label of the target line (a centre's share when one centre is
        shown).
    """

    cumulative: CumulativeEnrollment
    projection: pd.DataFrame | None
    centre_names: dict[str, str]
    completed_on: pd.Timestamp | None
    total_label: str
    plan_label: str = "Planned accrual"
    target_label: str = "Target"


@dataclass(frozen=True)
class CentrePlan:
    """One centre's part of the plan, when the filters select exactly one centre.

    Attributes
    ----------
    site : str
        The centre's SITEID.
    target : int
        Its planned patients: from the study file's ``centre_targets``, else the trial's target times the
        centre's share of the enrolled patients so far, rounded to whole patients.
    from_study : bool
        True when the study file names the centre's target.
    enrolled, total : int
        The centre's and every centre's enrolled patients as of the view's date.
    text : str
        What the planned line is, in words.
    """

    site: str
    target: int
    from_study: bool
    enrolled: int
    total: int
    text: str


@dataclass(frozen=True, eq=False)
class MaturitySection:
    """Events of the primary endpoint so far and expected.

    Attributes
    ----------
    missing_adtte : bool
        True when the selection has no ADTTE.
    unavailable : str
        Why there is no projection although ADTTE is there (no primary-endpoint row, ...); else empty.
    metrics : tuple of (str, str, str)
        Label, value and help of each headline number.
    lines : tuple of (str, EventMaturity)
        Label and projection of each scenario drawn.
    events_needed : int or None
        Events wanted, drawn as a line.
    reached : tuple of str
        Per scenario, the date by which ``events_needed`` events are expected (Markdown).
    caption : str
        The fitted median and how the projection is computed.
    projection : pandas.DataFrame
        Every scenario's projection, SCENARIO labelled, for download.
    """

    missing_adtte: bool = False
    unavailable: str = ""
    metrics: tuple[tuple[str, str, str], ...] = ()
    lines: tuple[tuple[str, EventMaturity], ...] = ()
    events_needed: int | None = None
    reached: tuple[str, ...] = ()
    caption: str = ""
    projection: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True, eq=False)
class EnrollmentView:
    """Everything the Enrollment page shows.

    Attributes
    ----------
    status : StatusSection
        Status of the whole trial against the target, and the projection.
    empty_text : str
        One sentence when the selection has no subject (unless :attr:`no_patient` says it) or no enrolled
        patient; else empty.
    has_subjects : bool
        Whether the selection has any ADSL row; without one nothing below the status is shown.
    cumulative : CumulativeFigure or None
        Inputs of the cumulative figure (None without subjects).
    cumulative_caption : str
        Caption of the cumulative figure.
    by_month : pandas.DataFrame
        Enrolled per month and centre (empty when no enrolled patient has a registration date).
    centre_names : dict of str to str
        SITEID -> centre name, for the legends.
    funnel, reasons, listing : pandas.DataFrame
        Screening funnel, screen failures per criterion, one row per screen failure.
    centres : pandas.DataFrame
        Screening and enrollment per centre, with the all-centres row.
    centre_caption : str
        Caption of :attr:`centres`.
    maturity : MaturitySection
        Events of the primary endpoint.
    no_patient : str
        Said when the filters match no subject at all (the page header says it; nothing below is filled);
        else empty.
    centre_plan : CentrePlan or None
        When the filters select one centre and the study has a target and a planned period: the centre's
        part of the plan, which the cumulative figure draws instead of the whole trial's; else None.
    """

    status: StatusSection
    empty_text: str
    has_subjects: bool
    cumulative: CumulativeFigure | None
    cumulative_caption: str
    by_month: pd.DataFrame
    centre_names: dict[str, str]
    funnel: pd.DataFrame
    reasons: pd.DataFrame
    listing: pd.DataFrame
    centres: pd.DataFrame
    centre_caption: str
    maturity: MaturitySection
    centre_plan: CentrePlan | None = None
    no_patient: str = ""


def primary_endpoint(trial: TrialData) -> str:
    """Return the PARAMCD of the trial's primary endpoint (its study's; MEDCARE's NESTFS without one)."""
    primary = trial.study.primary_endpoint
    return PRIMARY if primary is None else primary.paramcd


def _has_primary(trial: TrialData) -> bool:
    return trial.adtte is not None and primary_endpoint(trial) in endpoints(trial.adtte)


def enrollment_choices(scope: ViewScope) -> EnrollmentChoices:
    """Return what the page's data-dependent controls offer.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    EnrollmentChoices
        Whether the selection has subjects and the primary endpoint, and the horizons offered.
    """
    return EnrollmentChoices(has_subjects=not scope.trial.adsl.empty, maturity=_has_primary(scope.trial))


def _maturity(
    scope: ViewScope, controls: EnrollmentControls, future_entries: tuple[pd.Timestamp, ...]
) -> MaturitySection:
    trial = scope.trial
    if trial.adtte is None:
        return MaturitySection(missing_adtte=True)
    if not _has_primary(trial):
        return MaturitySection(unavailable=text.no_endpoint_rows(primary_endpoint(trial), trial.study))
    try:
        scenarios: MaturityScenarios = maturity_scenarios(
            trial.adtte,
            trial.adsl,
            primary_endpoint(trial),
            as_of=scope.as_of,
            horizon_months=int(controls.horizon_months),
            future_entries=future_entries,
            events_needed=controls.events_needed,
            study=trial.study,
        )
    except ValueError as error:  # e.g. no reference date: said on the page instead of a traceback
        return MaturitySection(unavailable=f"{error}.")
    projection = scenarios.projection
    projection["SCENARIO"] = (
        text.scenario_names(scenarios, list(projection["SCENARIO"])) if scenarios.drawn else text.NO_EVENT
    )
    return MaturitySection(
        metrics=text.maturity_metrics(scenarios),
        lines=text.scenario_lines(scenarios),
        events_needed=scenarios.events_needed,
        reached=text.reached_lines(scenarios),
        caption=text.maturity_caption(scenarios),
        projection=projection,
    )


def _one_centre(scope: ViewScope) -> str | None:
    """Return the SITEID when the only filter selects exactly one centre, else None."""
    if scope.filters.columns != ("SITEID",) or len(scope.filters.values("SITEID")) != 1:
        return None
    return scope.filters.values("SITEID")[0]


def centre_plan(scope: ViewScope) -> CentrePlan | None:
    """Return the selected centre's part of the plan, or None when not one centre or there is no plan.

    The study file's ``centre_targets`` gives the centre's target when it names the centre (by SITEID or
    SITENAME); otherwise the centre's share of the trial's target is its share of the patients enrolled so
    far (as of the view's date, every centre counted), rounded to whole patients.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    CentrePlan or None
        The centre's target and how it was found.
    """
    site = _one_centre(scope)
    settings = scope.settings
    if site is None or settings.target_enrollment is None or settings.planned_accrual_months is None:
        return None
    trial_target = int(settings.target_enrollment)
    everyone = scope.unfiltered.adsl
    enrolled_ids = everyone.loc[enrolled_mask(everyone)]
    sites = column_keys(enrolled_ids["SITEID"]) if "SITEID" in enrolled_ids.columns else pd.Series(dtype=str)
    enrolled, total = int(sites.eq(site).sum()), len(sites)
    names = value_labels(scope.full.adsl).get("SITEID", {})
    name = names.get(site, "")
    label = f"{name} ({site})" if name and name != site else f"Centre {site}"
    declared = dict(scope.full.study.centre_targets)
    own = declared.get(site, declared.get(name) if name else None)
    if own is not None:
        target = int(own)
        sentence = text.centre_plan_text(label, target, trial_target, from_study=True)
    elif total:
        target = round(trial_target * enrolled / total)
        sentence = text.centre_plan_text(label, target, trial_target, False, enrolled, total)
    else:
        return None  # nobody enrolled anywhere yet: no share to take
    return CentrePlan(site, target, own is not None, enrolled, total, sentence)


def _with_centre_plan(cumulative: CumulativeEnrollment, plan: CentrePlan) -> CumulativeEnrollment:
    """Return ``cumulative`` with the planned line and the target of one centre instead of the trial's."""
    line = cumulative.plan.copy()
    if not line.empty:
        line["N"] = line["N"] / line["N"].iloc[-1] * float(plan.target) if line["N"].iloc[-1] else 0.0
    return replace(cumulative, plan=line, target=plan.target)


def enrollment_view(scope: ViewScope, controls: EnrollmentControls) -> EnrollmentView:
    """Return everything the Enrollment page shows.

    Status and projection are for the whole trial; the figures and tables follow the filters. When the
    filters select one centre, the cumulative figure compares it with its own part of the plan
    (:func:`centre_plan`) instead of the whole trial's target and planned line. The projection is drawn,
    and its future patients counted in the event maturity, only when no filter is active.

    Parameters
    ----------
    scope : ViewScope
        The view; its settings give the target enrollment and the planned accrual period.
    controls : EnrollmentControls
        Prior certainty, maturity horizon and events needed.

    Returns
    -------
    EnrollmentView
        Tables, figure inputs and sentences of the page.

    Raises
    ------
    ValueError
        When the certainty is outside [0, 1] or the trial settings are out of bounds
        (:func:`medcare_metrics.protocol.check_settings`).
    """
    settings = scope.settings
    adsl = scope.trial.adsl
    outlook = accrual_outlook(
        scope.unfiltered.adsl, settings, certainty=controls.certainty, as_of=scope.as_of
    )
    filtered = bool(scope.filters)
    projected = outlook.projection is not None and not filtered
    status = StatusSection(
        headline=text.headline(outlook.status),
        metrics=text.outlook_metrics(outlook),
        prediction_text=text.prediction_text(outlook.prediction),
        method_text=text.method_text(outlook.prediction),
        no_prediction=text.no_prediction(outlook.reason) if outlook.prediction is None else "",
        rate_text=text.rate_text(outlook.status),
        filter_note=text.FILTER_NOTE if filtered else "",
    )
    names = value_labels(scope.full.adsl).get("SITEID", {})
    has_subjects = not adsl.empty
    empty_text = ""
    # Filters that match no subject at all: the page header says so in the words every page uses. Screen
    # failures alone still have a funnel, so that case keeps its own sentence.
    no_patient = scope.no_patient_text if not has_subjects else ""
    if not has_subjects:
        empty_text = "" if no_patient else text.NO_SUBJECT
    elif not enrolled_mask(adsl).any():
        empty_text = text.NO_ENROLLED
    empty = pd.DataFrame()
    if not has_subjects:
        # Nothing to count: the tabs are not drawn, so their tables are not computed.
        return EnrollmentView(
            status=status,
            empty_text=empty_text,
            has_subjects=False,
            cumulative=None,
            cumulative_caption="",
            by_month=empty,
            centre_names=names,
            funnel=empty,
            reasons=empty,
            listing=empty,
            centres=empty,
            centre_caption="",
            maturity=MaturitySection(),
            no_patient=no_patient,
        )
    cumulative = cumulative_enrollment(adsl, settings, as_of=scope.as_of)
    # One centre is compared with its own part of the plan, not with the whole trial's target and line.
    plan = centre_plan(scope)
    if plan is not None:
        cumulative = _with_centre_plan(cumulative, plan)
    figure = CumulativeFigure(
        cumulative=cumulative,
        projection=outlook.projection if projected else None,
        centre_names=names,
        # The whole trial's completion date says nothing of one centre.
        completed_on=outlook.status.completion_date if plan is None else None,
        total_label=text.SELECTED_LABEL if filtered else text.ALL_CENTRES_LABEL,
        plan_label=text.CENTRE_PLAN_LABEL if plan is not None else "Planned accrual",
        target_label=text.CENTRE_TARGET_LABEL if plan is not None else "Target",
    )
    return EnrollmentView(
        status=status,
        empty_text=empty_text,
        has_subjects=True,
        cumulative=figure,
        cumulative_caption=text.cumulative_note(cumulative, projected, plan.text if plan else ""),
        by_month=enrollment_by_month(adsl),
        centre_names=names,
        funnel=screening_funnel(adsl, scope.trial.adtte),
        reasons=screen_failure_reasons(adsl, scope.full.study.eligibility.criteria),
        listing=screen_failure_listing(adsl, scope.full.study.eligibility.criteria),
        centres=centre_summary(adsl, as_of=scope.as_of),
        centre_caption=text.centre_caption(scope.as_of),
        maturity=_maturity(scope, controls, outlook.future_entries if projected else ()),
        centre_plan=plan,
    )
