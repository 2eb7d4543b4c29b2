"""View of the Survival page: Kaplan-Meier curves, medians, landmarks and group comparisons of an endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from medcare_metrics.filters import value_labels
from medcare_metrics.study.resolve import is_study
from medcare_metrics.survival import (
    MISSING_GROUP,
    KMOptions,
    at_risk_times,
    benchmark_endpoints,
    benchmark_table,
    cox_hazard_ratio,
    endpoint_label,
    endpoints,
    km_fit,
    label_groups,
    logrank_test,
    pairwise_logrank,
    stratification_columns,
    time_to_event,
)
from medcare_metrics.survival.comparison import SMALL_GROUP, permutation_logrank
from medcare_metrics.survival.estimation import group_counts
from medcare_metrics.text import survival as text
from medcare_metrics.views.scope import ViewScope

#: The time units the page offers, first the default.
UNITS: tuple[str, ...] = tuple(text.UNIT_LABELS)


@dataclass(frozen=True)
class EndpointChoice:
    """What the page's controls offer for one endpoint.

    Attributes
    ----------
    code : str or None
        PARAMCD (None when ADTTE has no endpoint).
    label : str
        Its name for people (the protocol's name on MEDCARE data, else ADTTE.PARAM).
    error : str
        Why the endpoint cannot be shown with the sidebar's filters; empty when it can.
    columns : tuple of str
        Columns the curve can be split by (among the endpoint's patients).
    n_groups : tuple of int
        Groups of each of :attr:`columns` among the endpoint's patients that a test compares (a "Missing"
        group does not count: the tests leave it out).
    column_labels : tuple of str
        Names of :attr:`columns` for people.
    has_benchmark : bool
        Whether a historical benchmark exists for the endpoint.
    benchmark_help : str
        Where the benchmark comes from (empty without one).
    no_benchmark : str
        Why no benchmark can be drawn (empty with one).
    """

    code: str | None
    label: str
    error: str = ""
    columns: tuple[str, ...] = ()
    n_groups: tuple[int, ...] = ()
    column_labels: tuple[str, ...] = ()
    has_benchmark: bool = False
    benchmark_help: str = ""
    no_benchmark: str = ""

    def groups(self, column: str | None) -> int:
        """Return the number of groups ``column`` splits the endpoint's patients into (1 for None)."""
        if column is None or column not in self.columns:
            return 1
        return self.n_groups[self.columns.index(column)]

    def column_label(self, column: str | None) -> str:
        """Return the name of a grouping column for people; :data:`text.NO_GROUPING` for None."""
        if column is None:
            return text.NO_GROUPING
        if column in self.columns:
            return self.column_labels[self.columns.index(column)]
        return text.column_label(column)


@dataclass(frozen=True)
class SurvivalChoices:
    """What the page's controls offer on this data.

    Attributes
    ----------
    missing_adtte : bool
        True when the source has no usable ADTTE (the page shows nothing else).
    endpoints : tuple of EndpointChoice
        The endpoints, the protocol's first.
    medcare : bool
        Whether the data are MEDCARE's (ADSL.STUDYID): protocol names, and the benchmark on by default.
    benchmark_other_study : str
        Why the benchmark is off by default on another study's data; empty on MEDCARE data.
    at_risk_threshold : int
        The trial settings' at-risk threshold, the default of the tail control.
    landmark_defaults : tuple of (str, str)
        ``(unit, text)``: the trial settings' landmark months written in each unit of :data:`UNITS`.
    """

    missing_adtte: bool
    endpoints: tuple[EndpointChoice, ...]
    medcare: bool
    benchmark_other_study: str
    at_risk_threshold: int
    landmark_defaults: tuple[tuple[str, str], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """PARAMCD of each endpoint, in the order offered."""
        return tuple(e.code for e in self.endpoints if e.code is not None)

    def endpoint(self, code: str | None) -> EndpointChoice:
        """Return the choices of endpoint ``code`` (an endpoint saying why not, for an unknown code)."""
        for choice in self.endpoints:
            if choice.code == code:
                return choice
        if code is None and not self.endpoints:
            # The page's endpoint box is empty: ADTTE has no row at all, not merely none with the filters.
            return EndpointChoice(None, text.NO_ENDPOINT, error=text.NO_ENDPOINT)
        available = ", ".join(self.codes) or "none"
        return EndpointChoice(
            code, str(code), error=f"no ADTTE rows for PARAMCD {code!r}; available: {available}"
        )

    def label(self, code: str | None) -> str:
        """Return the name of endpoint ``code`` for people."""
        return self.endpoint(code).label

    def landmarks(self, unit: str) -> str:
        """Return the default landmark times in ``unit`` (empty for an unknown unit)."""
        return dict(self.landmark_defaults).get(unit, "")


@dataclass(frozen=True)
class SurvivalControls:
    """The page's widget values.

    Attributes
    ----------
    endpoint : str
        PARAMCD.
    unit : str
        Time unit shown (one of :data:`UNITS`).
    conf_type : str
        Confidence interval transform (``"log"``, ``"log-log"``, ``"plain"``).
    by : str or None
        Column to split the curve by; None for one curve.
    at_risk_threshold : int or None
        Steps with fewer than this many patients at risk are the tail; None takes the trial settings'.
    tail : str
        How the tail is drawn: ``"grey"``, ``"truncate"`` or ``"show"``.
    show_benchmark : bool
        Draw the historical benchmark medians (when the endpoint has one).
    show_ci : bool
        Draw the pointwise confidence bands.
    counts : str
        What the table under the axis shows: ``"N_RISK"``, ``"CUM_EVENT"`` or ``"CUM_CENSOR"``.
    landmarks : str or None
        Landmark times as typed, in ``unit``; None takes the trial settings' landmark months.
    pairwise : bool
        With more than two groups, test each pair.
    """

    endpoint: str
    unit: str = "MONTHS"
    conf_type: str = "log"
    by: str | None = None
    at_risk_threshold: int | None = None
    tail: str = "grey"
    show_benchmark: bool = False
    show_ci: bool = True
    counts: str = "N_RISK"
    landmarks: str | None = None
    pairwise: bool = False


@dataclass(frozen=True)
class KMFigure:
    """The inputs of :func:`medcare_metrics.figures.survival.km_figure`.

    Attributes
    ----------
    curve : pandas.DataFrame
        The curves to draw, tail marked.
    medians : pandas.DataFrame
        Medians per group (legend).
    at_risk : pandas.DataFrame
        Counts at the ticks of the time axis.
    unit : str
        Time unit.
    benchmarks : pandas.DataFrame or None
        Historical benchmark medians to draw; None when not drawn.
    tail : str
        How the tail is drawn.
    threshold : int
        The at-risk threshold of the tail.
    show_ci : bool
        Draw the bands.
    title : str
        The endpoint's name.
    counts : str
        Column of :attr:`at_risk` printed under the axis.
    """

    curve: pd.DataFrame
    medians: pd.DataFrame
    at_risk: pd.DataFrame
    unit: str
    benchmarks: pd.DataFrame | None
    tail: str
    threshold: int
    show_ci: bool
    title: str
    counts: str


@dataclass(frozen=True)
class ComparisonSection:
    """The comparison of the groups (shown when the curve is split).

    Attributes
    ----------
    n_groups : int
        Groups among the endpoint's patients.
    one_group_text : str
        Said when there is only one group (nothing else is then shown); else empty.
    logrank_text : str
        The log-rank test in one sentence.
    logrank_table : pandas.DataFrame
        Observed and expected events per group.
    cox_text : str
        With two groups: the Cox hazard ratio in one sentence; else empty.
    pairwise_offered : bool
        Whether pairwise tests apply (more than two groups).
    pairwise : pandas.DataFrame
        Pairwise log-rank tests when asked for and offered; else empty.
    pairwise_caption : str
        Caption of :attr:`pairwise`.
    caption : str
        How the tests were done.
    excluded_text : str
        How many patients without a grouping value are left out of the tests, and why; empty when none.
    permutation_text : str
        The permutation p-value of the log-rank test, when a group has fewer than ``SMALL_GROUP`` patients;
        else empty.
    cox_tests : pandas.DataFrame
        With two groups: the Wald, score (log-rank) and likelihood-ratio tests of the Cox fit; else empty.
    cox_tests_caption : str
        Caption of :attr:`cox_tests` (empty without it).
    """

    n_groups: int
    one_group_text: str
    logrank_text: str
    logrank_table: pd.DataFrame
    cox_text: str
    pairwise_offered: bool
    pairwise: pd.DataFrame
    pairwise_caption: str
    caption: str
    excluded_text: str = ""
    permutation_text: str = ""
    cox_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    cox_tests_caption: str = ""


@dataclass(frozen=True)
class SurvivalView:
    """Everything the Survival page shows for one endpoint.

    Attributes
    ----------
    unavailable : str
        Why nothing can be shown (no ADTTE, or no row of the endpoint with the filters); empty otherwise.
        When set, the tables below are empty and :attr:`figure` is None.
    figure : KMFigure or None
        The Kaplan-Meier figure's inputs.
    figure_caption : str
        Notes under the figure.
    medians : pandas.DataFrame
        Median per group in words (the CSV as downloaded; the page hides its "CI method" column).
    median_ci_column : str
        Column of :attr:`medians` holding the median's interval.
    median_ci_heading : str
        Its heading on screen (names the transform).
    median_caption : str
        How the median and its interval are read.
    landmark_label : str
        Heading of the landmark column.
    landmark_times : tuple of float
        The landmark times read from what was typed (ascending, distinct); empty: no landmark table.
    landmarks : pandas.DataFrame
        Survival at each landmark in words; empty without a landmark.
    landmarks_ignored : tuple of str
        Typed entries that are not times.
    ignored_text : str
        The warning on :attr:`landmarks_ignored` (empty when none).
    landmark_caption : str
        How landmark survival is read.
    comparison : ComparisonSection or None
        The group comparison; None when the curve is not split.
    km_table : pandas.DataFrame
        The Kaplan-Meier table at every distinct time.
    km_table_caption : str
        Its caption.
    at_risk : pandas.DataFrame
        Counts at the ticks of the time axis.
    at_risk_caption : str
        Its caption.
    """

    unavailable: str
    figure: KMFigure | None
    figure_caption: str
    medians: pd.DataFrame
    median_ci_column: str
    median_ci_heading: str
    median_caption: str
    landmark_label: str
    landmark_times: tuple[float, ...]
    landmarks: pd.DataFrame
    landmarks_ignored: tuple[str, ...]
    ignored_text: str
    landmark_caption: str
    comparison: ComparisonSection | None
    km_table: pd.DataFrame
    km_table_caption: str
    at_risk: pd.DataFrame
    at_risk_caption: str


def _endpoint_choice(scope: ViewScope, code: str, medcare: bool) -> EndpointChoice:
    trial = scope.trial
    assert trial.adtte is not None and scope.full.adtte is not None
    study = scope.full.study
    benchmark = benchmark_table(code, "MONTHS", study)
    choice = EndpointChoice(
        code,
        endpoint_label(scope.full.adtte, code, medcare, study),
        has_benchmark=not benchmark.empty,
        benchmark_help=""
        if benchmark.empty
        else text.benchmark_help(str(benchmark["SOURCE"].iloc[0]), study.source),
        no_benchmark=text.no_benchmark(code, benchmark_endpoints(study)) if benchmark.empty else "",
    )
    try:
        # Days: the groups do not depend on the unit, and a conversion never fails on mixed units.
        every = time_to_event(trial.adtte, code, unit="DAYS")
    except ValueError as error:
        return replace(choice, error=str(error))
    columns = tuple(stratification_columns(trial.adsl, every["USUBJID"]))
    # "Missing" is left out of every test, so it does not count towards the groups a test compares. The
    # endpoint's rows are read once for every column (a time_to_event per column was most of the page).
    n_groups = group_counts(trial.adtte, code, trial.adsl, columns)
    return replace(
        choice,
        columns=columns,
        n_groups=n_groups,
        column_labels=tuple(text.column_label(c) for c in columns),
    )


def survival_choices(scope: ViewScope) -> SurvivalChoices:
    """Return what the page's controls offer on this data.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    SurvivalChoices
        Endpoints with their labels, grouping columns and benchmark, whether the data are MEDCARE's, and
        the defaults the trial settings give.
    """
    settings = scope.settings
    landmarks = tuple((u, text.default_landmarks(settings.landmark_months, u)) for u in UNITS)
    study = scope.full.study
    # The study's own labels and benchmarks; a benchmark is off by default only on data of another STUDYID.
    medcare = not study.neutral and is_study(scope.full.adsl, study.study_id)
    other_study = "" if medcare or study.neutral else text.benchmark_other_study(study.study_id)
    if scope.trial.adtte is None or scope.full.adtte is None:
        return SurvivalChoices(True, (), medcare, other_study, int(settings.at_risk_threshold), landmarks)
    codes = endpoints(scope.trial.adtte) or endpoints(scope.full.adtte)
    return SurvivalChoices(
        missing_adtte=False,
        endpoints=tuple(_endpoint_choice(scope, code, medcare) for code in codes),
        medcare=medcare,
        benchmark_other_study=other_study,
        at_risk_threshold=int(settings.at_risk_threshold),
        landmark_defaults=landmarks,
    )


def _unavailable(reason: str, unit: str) -> SurvivalView:
    empty = pd.DataFrame()
    return SurvivalView(
        unavailable=reason,
        figure=None,
        figure_caption="",
        medians=empty,
        median_ci_column="",
        median_ci_heading="",
        median_caption="",
        landmark_label=text.landmark_label(unit),
        landmark_times=(),
        landmarks=empty,
        landmarks_ignored=(),
        ignored_text="",
        landmark_caption="",
        comparison=None,
        km_table=empty,
        km_table_caption="",
        at_risk=empty,
        at_risk_caption="",
    )


def _comparison(tte: pd.DataFrame, pairwise: bool, column: str | None = None) -> ComparisonSection:
    empty = pd.DataFrame()
    # Patients without a grouping value are left out of every test (as R); the curves still show them.
    excluded = text.excluded_text(int((tte["GROUP"] == MISSING_GROUP).sum()), column)
    logrank = logrank_test(tte)
    if logrank is None:
        return ComparisonSection(1, text.ONE_GROUP, "", empty, "", False, empty, "", "", excluded)
    n_groups = len(logrank.table)
    cox = cox_hazard_ratio(tte) if n_groups == 2 else None
    offered = n_groups > 2
    small = int(logrank.table["N"].min()) < SMALL_GROUP
    permutation = permutation_logrank(tte) if small else None
    return ComparisonSection(
        n_groups=n_groups,
        one_group_text="",
        logrank_text=text.logrank_text(logrank),
        logrank_table=text.logrank_summary(logrank),
        cox_text=text.cox_text(cox) if cox is not None else "",
        pairwise_offered=offered,
        pairwise=text.pairwise_summary(pairwise_logrank(tte)) if offered and pairwise else empty,
        pairwise_caption=text.PAIRWISE_CAPTION if offered and pairwise else "",
        caption=text.COMPARISON_CAPTION,
        excluded_text=excluded,
        permutation_text=text.permutation_text(permutation) if permutation is not None else "",
        cox_tests=text.cox_tests(cox) if cox is not None else empty,
        cox_tests_caption=text.COX_TESTS_CAPTION if cox is not None else "",
    )


def survival_view(scope: ViewScope, controls: SurvivalControls) -> SurvivalView:
    """Return everything the Survival page shows for one endpoint.

    Each group's Kaplan-Meier curve is fitted once (:func:`medcare_metrics.survival.km_fit`); the figure,
    medians, landmarks, table and numbers at risk are read off that fit.

    Parameters
    ----------
    scope : ViewScope
        The view.
    controls : SurvivalControls
        Endpoint, unit, interval, grouping, tail, benchmark, landmarks and pairwise tests.

    Returns
    -------
    SurvivalView
        Tables, figure inputs and sentences of the page; :attr:`SurvivalView.unavailable` says why not when
        the endpoint cannot be shown.
    """
    trial = scope.trial
    unit = controls.unit
    if trial.adtte is None:
        return _unavailable(text.NO_ADTTE, unit)
    if scope.no_patient_text:  # said in the words every page uses, not as "no ADTTE rows"
        return _unavailable(scope.no_patient_text, unit)
    options = KMOptions(controls.conf_type)
    settings = scope.settings
    threshold = int(
        settings.at_risk_threshold if controls.at_risk_threshold is None else controls.at_risk_threshold
    )
    paramcd = controls.endpoint
    try:
        tte = time_to_event(trial.adtte, paramcd, adsl=trial.adsl, by=controls.by, unit=unit)
    except ValueError as error:
        return _unavailable(text.unavailable_endpoint(str(error)), unit)
    if controls.by is not None:
        tte = label_groups(tte, value_labels(trial.adsl).get(controls.by, {}))
    study = scope.full.study
    medcare = not study.neutral and is_study(scope.full.adsl, study.study_id)

    fit = km_fit(tte, options)
    medians = fit.medians()
    benchmarks = benchmark_table(paramcd, unit, study)
    show_benchmark = controls.show_benchmark and not benchmarks.empty
    # The axis reaches the benchmark's upper limit when one is drawn beyond the follow-up.
    axis_end = max([float(tte["TIME"].max()), *(benchmarks["UPPER"] if show_benchmark else [])])
    at_risk = fit.at_risk(at_risk_times(axis_end, unit))
    figure = KMFigure(
        curve=fit.curve(threshold, no_event_ci=True),
        medians=medians,
        at_risk=at_risk,
        unit=unit,
        benchmarks=benchmarks if show_benchmark else None,
        tail=controls.tail,
        threshold=threshold,
        show_ci=controls.show_ci,
        title=endpoint_label(trial.adtte, paramcd, medcare, study),
        counts=controls.counts,
    )
    missing = controls.by if (tte["GROUP"] == MISSING_GROUP).any() else None

    median_table = text.median_summary(medians, options, unit, fit.median_at_risk()["N_RISK"], threshold)
    ci_column = str(median_table.columns[5])

    typed = (
        text.default_landmarks(settings.landmark_months, unit)
        if controls.landmarks is None
        else controls.landmarks
    )
    times, bad = text.parse_landmarks(typed)
    label = text.landmark_label(unit)
    landmarks = (
        text.landmark_summary(fit.survival_at(times, no_event_ci=True), options, label, threshold, True)
        if times
        else pd.DataFrame()
    )
    return SurvivalView(
        unavailable="",
        figure=figure,
        figure_caption=text.figure_caption(
            options,
            controls.show_ci,
            text.tail_note(threshold, controls.tail),
            show_benchmark,
            missing,
        )
        + (f" {text.NO_EVENT_BAND_NOTE}" if controls.show_ci else ""),
        medians=median_table,
        median_ci_column=ci_column,
        median_ci_heading=text.median_ci_heading(ci_column, options.conf_type),
        median_caption=" ".join(
            n for n in (text.median_caption(options), text.small_numbers_note(threshold, "median")) if n
        ),
        landmark_label=label,
        landmark_times=tuple(times),
        landmarks=landmarks,
        landmarks_ignored=tuple(bad),
        ignored_text=text.ignored_landmarks(bad),
        landmark_caption=text.landmark_caption(threshold) if times else "",
        comparison=None if controls.by is None else _comparison(tte, controls.pairwise, controls.by),
        km_table=fit.table(),
        km_table_caption=text.km_table_caption(unit),
        at_risk=at_risk,
        at_risk_caption=text.AT_RISK_CAPTION,
    )
