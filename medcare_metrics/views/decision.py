"""Views of the decision-support sections: the outlook against the benchmark, the toxicity boundary.

The outlook is a section of the Survival page, the monitoring boundary one of the Toxicity page.

Both work on the whole trial as of the view's date (``scope.unfiltered``): the target enrollment, the
benchmark and a stopping rule refer to every patient, so the sidebar's filters do not apply, and the sections
say so. The study definition (``scope.full.study``) gives the benchmarks and the toxicity rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.study import StudyDefinition, ToxicityRule
from medcare_metrics.survival import benchmark_endpoints, endpoint_label
from medcare_metrics.survival.predictive import (
    DEFAULT_DRAWS,
    DEFAULT_PRIOR_EVENTS,
    PredictiveOptions,
    PredictiveResult,
    TrialState,
    predictive_probability,
    trial_state,
)
from medcare_metrics.text import decision as text
from medcare_metrics.toxicity.monitoring import (
    METHODS,
    MonitoringOptions,
    operating_characteristics,
    toxicity_monitoring,
)
from medcare_metrics.views.scope import ViewScope

#: Default of the prior weight control (pseudo-events).
PRIOR_WEIGHT_DEFAULT = DEFAULT_PRIOR_EVENTS
#: Prior weights of the sensitivity table (the chosen one is added).
SENSITIVITY_WEIGHTS: tuple[float, ...] = (1.0, 5.0, 10.0)
#: Simulated trials per cell of the sensitivity table (a quarter of the main number: the page stays fast,
#: and each cell shows its Monte Carlo error).
SENSITIVITY_DRAWS = 1000
#: Simulated patient follow-ups per result (draws x patients): the simulation holds arrays of that size, so
#: a large trial gets fewer draws (at least :data:`MIN_DRAWS`; the Monte Carlo error says what it costs).
SIMULATION_BUDGET = 2_000_000
MIN_DRAWS = 200


def draws_for(patients: int, draws: int) -> int:
    """Return the draws a result gets for a trial of ``patients`` (observed and still to come).

    Parameters
    ----------
    patients : int
        Patients in each simulated trial.
    draws : int
        Draws wanted.

    Returns
    -------
    int
        ``draws``, lowered so that draws x patients stays within :data:`SIMULATION_BUDGET`, and at least
        :data:`MIN_DRAWS` (or ``draws`` when that is smaller).
    """
    return max(min(draws, MIN_DRAWS), min(draws, SIMULATION_BUDGET // max(patients, 1)))


#: Methods offered by the monitoring section; None keeps the study file's.
MONITORING_METHODS: tuple[str | None, ...] = (None, *METHODS)
#: Unacceptable rates offered; None keeps the study file's.
MONITORING_RATES: tuple[float | None, ...] = (None, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)


@dataclass(frozen=True)
class OutlookControls:
    """The outlook's widget values.

    Attributes
    ----------
    endpoint : str
        PARAMCD (the Survival page's endpoint).
    prior_events : float
        Prior weight in pseudo-events.
    piecewise : bool
        Piecewise-exponential model instead of one rate.
    follow_up_months : float or None
        Months from the close of accrual to the final analysis; None: the endpoint's longest benchmark median.
    """

    endpoint: str
    prior_events: float = PRIOR_WEIGHT_DEFAULT
    piecewise: bool = False
    follow_up_months: float | None = None


@dataclass(frozen=True)
class OutlookFigure:
    """Inputs of :func:`medcare_metrics.figures.decision.outlook_figure`.

    Attributes
    ----------
    bars : pandas.DataFrame
        LABEL (benchmark), LOW, HIGH (months), SHARE (of simulated trials, reached medians only).
    benchmarks : pandas.DataFrame
        LABEL, MEDIAN (months).
    """

    bars: pd.DataFrame
    benchmarks: pd.DataFrame


@dataclass(frozen=True)
class OutlookView:
    """Everything the outlook section shows.

    Attributes
    ----------
    unavailable : str
        Why there is no outlook (no benchmark, no data); the rest is then empty.
    headline : str
        The chances in one sentence (Markdown).
    caveat : str
        "A model, not a formal test".
    table : pandas.DataFrame
        One row per benchmark.
    so_far : str
        What the outlook starts from.
    figure : OutlookFigure or None
        Simulated final medians against the benchmarks.
    figure_caption : str
        How to read the figure.
    sensitivity : pandas.DataFrame
        Chance per prior weight and model.
    sensitivity_caption : str
        How to read it.
    assumptions : tuple of str
        The model's assumptions and the simulation, in sentences.
    filters_note : str
        Said when the sidebar has filters (they do not apply); else empty.
    follow_up_months : float
        Months from the close of accrual to the final analysis used.
    """

    unavailable: str = ""
    headline: str = ""
    caveat: str = text.OUTLOOK_CAVEAT
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    so_far: str = ""
    figure: OutlookFigure | None = None
    figure_caption: str = ""
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity_caption: str = ""
    assumptions: tuple[str, ...] = ()
    filters_note: str = ""
    follow_up_months: float = float("nan")


def _histogram(rows: list[tuple[str, PredictiveResult]]) -> OutlookFigure:
    reached = [r.medians[~np.isnan(r.medians)] for _, r in rows]
    top = max((float(m.max()) for m in reached if m.size), default=1.0)
    top = max(top, *(r.benchmark_median for _, r in rows))
    step = max(1.0, float(np.ceil(top / 60.0)))  # at most about 60 bars
    edges = np.arange(0.0, top + step, step)
    frames = []
    for (population, result), medians in zip(rows, reached, strict=True):
        counts, _ = np.histogram(medians, bins=edges)
        frames.append(
            pd.DataFrame(
                {
                    "LABEL": text.benchmark_label(population, result.benchmark_median),
                    "LOW": edges[:-1],
                    "HIGH": edges[1:],
                    "SHARE": counts / result.draws,
                }
            )
        )
    benchmarks = pd.DataFrame(
        {
            "LABEL": [text.benchmark_label(p, r.benchmark_median) for p, r in rows],
            "MEDIAN": [r.benchmark_median for _, r in rows],
        }
    )
    return OutlookFigure(pd.concat(frames, ignore_index=True), benchmarks)


def _results(
    state: TrialState,
    benchmarks: list[tuple[str, float]],
    weight: float,
    piecewise: bool,
    follow_up: float,
    draws: int = DEFAULT_DRAWS,
) -> list[tuple[str, PredictiveResult]]:
    draws = draws_for(state.n + state.n_future, draws)
    options = PredictiveOptions(
        prior_events=weight, piecewise=piecewise, follow_up_months=follow_up, draws=draws
    )
    return [(population, predictive_probability(state, median, options)) for population, median in benchmarks]


def outlook_view(scope: ViewScope, controls: OutlookControls) -> OutlookView:
    """Return the predictive probability that the final median beats each historical benchmark.

    Parameters
    ----------
    scope : ViewScope
        The view; the whole trial as of its date is used.
    controls : OutlookControls
        Endpoint, prior weight, model and follow-up.

    Returns
    -------
    OutlookView
        Chances, sensitivity table, figure inputs and assumptions; :attr:`OutlookView.unavailable` says why
        not when there is no benchmark or the data cannot give one.
    """
    study: StudyDefinition = scope.full.study
    trial = scope.unfiltered
    code = controls.endpoint
    if study.neutral:
        return OutlookView(unavailable=text.NEUTRAL_STUDY)
    adtte = trial.adtte if trial.adtte is not None else scope.full.adtte
    label = endpoint_label(adtte, code, True, study) if adtte is not None else code
    benchmarks = [(b.population, float(b.median)) for b in study.benchmarks if b.paramcd == code]
    if not benchmarks:
        return OutlookView(unavailable=text.no_benchmark_text(label, benchmark_endpoints(study)))
    if trial.adtte is None:
        return OutlookView(unavailable="The outlook needs ADTTE (time-to-event data).")
    try:
        state = trial_state(trial.adtte, trial.adsl, code, scope.settings, as_of=scope.as_of)
    except DataUnavailable as error:
        return OutlookView(unavailable=f"No outlook: {error}.")
    follow_up = (
        max(m for _, m in benchmarks)
        if controls.follow_up_months is None
        else float(controls.follow_up_months)
    )
    weight, piecewise = float(controls.prior_events), bool(controls.piecewise)
    try:
        rows = _results(state, benchmarks, weight, piecewise, follow_up)
    except ValueError as error:  # a prior weight the model cannot take
        return OutlookView(unavailable=f"No outlook: {error}.")
    cells = []
    for w in sorted({*SENSITIVITY_WEIGHTS, weight}):
        for pw in (False, True):
            same = w == weight and pw == piecewise
            cell = rows if same else _results(state, benchmarks, w, pw, follow_up, SENSITIVITY_DRAWS)
            for population, result in cell:
                cells.append((w, pw, population, result))
    first = rows[0][1]
    return OutlookView(
        headline=text.outlook_headline(label, rows),
        table=text.outlook_table(rows),
        so_far=text.so_far_sentence(first),
        figure=_histogram(rows),
        figure_caption=text.FIGURE_CAPTION,
        sensitivity=text.sensitivity_table(cells),
        sensitivity_caption=text.SENSITIVITY_CAPTION,
        assumptions=(
            *first.assumptions[:1],
            *(r.assumptions[1] for _, r in rows),  # the prior of each benchmark
            *first.assumptions[2:],
            text.simulation_sentence(first),
        ),
        filters_note=text.FILTERS_IGNORED if scope.filters.items else "",
        follow_up_months=follow_up,
    )


@dataclass(frozen=True)
class MonitoringControls:
    """The monitoring section's widget values.

    Attributes
    ----------
    method : str or None
        ``"pocock"`` or ``"bayesian"``; None: the study file's.
    unacceptable_rate : float or None
        The limit; None: the study file's.
    acute_window_days : int or None
        The acute window (the Toxicity page's control); None: the trial settings'.
    teae_only : bool
        Treatment-emergent events only (applies when ADAE has TRTEMFL), as the Toxicity page's control.
    """

    method: str | None = None
    unacceptable_rate: float | None = None
    acute_window_days: int | None = None
    teae_only: bool = True


@dataclass(frozen=True)
class MonitoringFigure:
    """Inputs of :func:`medcare_metrics.figures.decision.monitoring_figure`.

    Attributes
    ----------
    boundary : pandas.DataFrame
        N, BOUNDARY (Int64, <NA> where not reachable), REACHABLE.
    course : pandas.DataFrame
        N, CUM_EVENTS per treated patient.
    crossed_at : int or None
        First n at which the boundary was reached.
    """

    boundary: pd.DataFrame
    course: pd.DataFrame
    crossed_at: int | None


@dataclass(frozen=True)
class MonitoringView:
    """Everything the monitoring section shows.

    Attributes
    ----------
    unavailable : str
        Why there is no boundary (no rule in the study file, no ADAE, ...); the rest is then empty.
    description : str
        The study file's description of its rule.
    rule : str
        The rule as applied, in words.
    status : str
        Whether and when the boundary was crossed (Markdown).
    caveat : str
        "A monitoring aid, not a formal test".
    figure : MonitoringFigure or None
        Step chart inputs.
    course : pandas.DataFrame
        The treated patients in order, in words.
    course_download : pandas.DataFrame
        The same, as data.
    operating : pandas.DataFrame
        Chance of crossing by N at several true rates.
    operating_caption : str
        How to read it.
    whole_trial : str
        Said when the sidebar has filters (they do not apply); else empty.
    """

    unavailable: str = ""
    description: str = ""
    rule: str = ""
    status: str = ""
    caveat: str = text.MONITORING_CAVEAT
    figure: MonitoringFigure | None = None
    course: pd.DataFrame = field(default_factory=pd.DataFrame)
    course_download: pd.DataFrame = field(default_factory=pd.DataFrame)
    operating: pd.DataFrame = field(default_factory=pd.DataFrame)
    operating_caption: str = ""
    whole_trial: str = ""


def monitoring_options(
    rule: ToxicityRule, controls: MonitoringControls, target: int | None, window: int, teae: bool | None
) -> MonitoringOptions:
    """Return the monitoring options of a study's rule, with the controls' changes.

    Parameters
    ----------
    rule : ToxicityRule
        The study file's rule.
    controls : MonitoringControls
        Method and rate chosen on the page (None keeps the rule's).
    target : int or None
        Target enrollment, used when the rule names no number of patients.
    window : int
        The acute window in days.
    teae : bool or None
        Treatment-emergent events only.

    Returns
    -------
    MonitoringOptions
        The rule as applied.

    Raises
    ------
    DataUnavailable
        When neither the rule nor the study gives a number of patients.
    """
    n_max = rule.max_patients if rule.max_patients is not None else target
    if n_max is None:
        raise DataUnavailable(text.NO_PATIENTS_FOR_RULE)
    return MonitoringOptions(
        unacceptable_rate=rule.unacceptable_rate
        if controls.unacceptable_rate is None
        else controls.unacceptable_rate,
        max_patients=int(n_max),
        method=rule.method if controls.method is None else controls.method,
        alpha=rule.alpha,
        prior_a=rule.prior_a,
        prior_b=rule.prior_b,
        posterior_threshold=rule.posterior_threshold,
        min_grade=rule.min_grade,
        related_only=rule.related_only,
        acute_only=rule.window == "acute",
        acute_window_days=int(window),
        teae_only=teae,
    )


def _operating_rates(rate: float) -> tuple[float, ...]:
    wanted = {round(rate / 2, 4), round(rate, 4), round(rate + 0.1, 4), round(rate + 0.2, 4)}
    return tuple(sorted(r for r in wanted if 0.0 < r < 1.0))


def toxicity_monitoring_view(scope: ViewScope, controls: MonitoringControls) -> MonitoringView:
    """Return the toxicity stopping boundary, the patients treated so far and whether it has been crossed.

    Parameters
    ----------
    scope : ViewScope
        The view; the whole trial as of its date is used.
    controls : MonitoringControls
        Method, rate, acute window and TEAE filter.

    Returns
    -------
    MonitoringView
        Rule, status, figure inputs and tables; :attr:`MonitoringView.unavailable` says why not.
    """
    study: StudyDefinition = scope.full.study
    rule = study.toxicity_rule
    if rule is None:
        return MonitoringView(unavailable=text.NO_RULE)
    trial = scope.unfiltered
    if trial.adae is None:
        return MonitoringView(unavailable="The boundary needs ADAE (adverse events).")
    window = (
        scope.settings.acute_window_days if controls.acute_window_days is None else controls.acute_window_days
    )
    teae = bool(controls.teae_only) and "TRTEMFL" in trial.adae.columns
    reference = pd.Timestamp(scope.as_of) if scope.as_of is not None else None
    try:
        options = monitoring_options(rule, controls, scope.settings.target_enrollment, window, teae)
        result = toxicity_monitoring(trial.adae, trial.adsl, options, reference=reference)
    except (DataUnavailable, ValueError) as error:
        return MonitoringView(description=rule.description, unavailable=f"No boundary: {error}.")
    boundary = result.boundary
    return MonitoringView(
        description=rule.description,
        rule=text.rule_sentence(options, boundary),
        status=text.status_sentence(result),
        figure=MonitoringFigure(
            boundary=boundary.table(), course=result.course[["N", "CUM_EVENTS"]], crossed_at=result.crossed_at
        ),
        course=text.course_table(result.course),
        course_download=result.course,
        operating=text.operating_table(
            operating_characteristics(boundary, _operating_rates(options.unacceptable_rate))
        ),
        operating_caption=text.OPERATING_CAPTION,
        whole_trial=text.WHOLE_TRIAL if scope.filters.items else "",
    )
