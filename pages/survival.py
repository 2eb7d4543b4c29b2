"""Survival: Kaplan-Meier curves, medians, landmarks and group comparisons, computed as R's survival does."""

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import (
    download_table,
    missing_dataset,
    no_patient_selected,
    page_header,
    show_figure,
    table,
    unavailable,
)
from medcare_metrics.figures.decision import outlook_figure
from medcare_metrics.figures.survival import COUNT_TITLES, km_figure
from medcare_metrics.text import decision as decision_text
from medcare_metrics.text import survival as text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.decision import PRIOR_WEIGHT_DEFAULT, OutlookControls, OutlookView, outlook_view
from medcare_metrics.views.survival import (
    UNITS,
    ComparisonSection,
    EndpointChoice,
    KMFigure,
    SurvivalChoices,
    SurvivalControls,
    SurvivalView,
    survival_choices,
    survival_view,
)

#: Datasets whose validation problems the header names.
DATASETS: tuple[str, ...] = ("adsl", "adtte")


def _top_row(choices: SurvivalChoices) -> tuple[str | None, str, str]:
    top = st.columns([2, 1, 1])
    code = top[0].selectbox(
        "Endpoint", list(choices.codes), format_func=choices.label, key="survival_endpoint"
    )
    unit = top[1].radio(
        "Time in",
        list(UNITS),
        format_func=lambda u: text.UNIT_LABELS[u],
        horizontal=True,
        key="survival_unit",
    )
    conf_type = top[2].selectbox(
        "Confidence interval",
        list(text.CONF_LABELS),
        format_func=lambda c: text.CONF_LABELS[c],
        key="survival_conf_type",
        help=text.CONF_HELP,
    )
    return code, str(unit), str(conf_type)


def _benchmark_toggle(choices: SurvivalChoices, endpoint: EndpointChoice, column: DeltaGenerator) -> bool:
    if not endpoint.has_benchmark:
        with column:
            unavailable(endpoint.no_benchmark)
        return False
    shown = column.toggle(
        "Show the historical benchmark medians",
        value=choices.medcare,
        key="survival_benchmark",
        help=endpoint.benchmark_help,
    )
    if choices.benchmark_other_study:
        with column:
            st.caption(choices.benchmark_other_study)
    return bool(shown)


def _figure(ctx: PageContext, figure: KMFigure) -> None:
    show_figure(
        km_figure,
        figure.curve,
        figure.medians,
        figure.at_risk,
        unit=figure.unit,
        benchmarks=figure.benchmarks,
        tail=figure.tail,
        threshold=figure.threshold,
        show_ci=figure.show_ci,
        title=figure.title,
        counts=figure.counts,
        key="survival_km",
        ctx=ctx,
    )


def _medians(ctx: PageContext, view: SurvivalView, code: str | None) -> None:
    st.subheader("Median")
    st.dataframe(
        view.medians,
        hide_index=True,
        width="stretch",
        # The CI method goes into the interval's heading here (the CSV keeps its own column), and the widths
        # fit "12.5 to not reached" and long group names that may only appear in a lower row.
        column_order=[c for c in view.medians.columns if c != "CI method"],
        column_config={
            "Group": st.column_config.TextColumn(width="medium"),
            view.median_ci_column: st.column_config.TextColumn(view.median_ci_heading, width="medium"),
        },
    )
    st.caption(view.median_caption)
    download_table(view.medians, f"median_{code}", ctx=ctx)


def _landmarks(ctx: PageContext, view: SurvivalView, code: str | None) -> None:
    if view.ignored_text:
        st.warning(view.ignored_text)
    if view.landmark_times:
        # Every landmark of every group in view (up to 8 groups x a handful of times), no inner scrolling.
        st.dataframe(
            view.landmarks,
            hide_index=True,
            width="stretch",
            height="content" if len(view.landmarks) <= 40 else "auto",
        )
        st.caption(view.landmark_caption)
        download_table(view.landmarks, f"landmarks_{code}", ctx=ctx)


def _logrank(ctx: PageContext, comparison: ComparisonSection, code: str | None, by: str) -> None:
    if comparison.one_group_text:
        st.caption(comparison.one_group_text)
        if comparison.excluded_text:
            st.caption(comparison.excluded_text)
        return
    st.markdown(comparison.logrank_text)
    if comparison.permutation_text:
        st.markdown(comparison.permutation_text)
    if comparison.excluded_text:
        st.caption(comparison.excluded_text)
    st.dataframe(
        comparison.logrank_table,
        hide_index=True,
        width="stretch",
        column_config={"Events expected": st.column_config.NumberColumn(format="%.2f")},
    )
    download_table(comparison.logrank_table, f"logrank_{code}_{by}", ctx=ctx)
    if comparison.cox_text:
        st.markdown(comparison.cox_text)
    if not comparison.cox_tests.empty:
        st.dataframe(comparison.cox_tests, hide_index=True, width="stretch")
        st.caption(comparison.cox_tests_caption)


def _tables(ctx: PageContext, view: SurvivalView, code: str | None) -> None:
    with st.expander("Kaplan-Meier table and numbers at risk", icon=":material/table:"):
        table(ctx, view.km_table, hide_index=True, width="stretch")
        st.caption(view.km_table_caption)
        download_table(view.km_table, f"km_table_{code}", ctx=ctx)
        table(ctx, view.at_risk, hide_index=True, width="stretch")
        st.caption(view.at_risk_caption)
        download_table(view.at_risk, f"at_risk_{code}", ctx=ctx)


def _outlook(ctx: PageContext, code: str) -> None:
    """Draw the outlook: the chance that the final median beats the benchmark (its own controls and view)."""
    st.subheader(decision_text.OUTLOOK_HEADING)
    left, right = st.columns(2)
    weight = left.number_input(
        "Prior weight (events)",
        min_value=0.1,
        max_value=100.0,
        value=PRIOR_WEIGHT_DEFAULT,
        step=1.0,
        key="outlook_prior",
        help=decision_text.PRIOR_HELP,
    )
    piecewise = right.toggle(
        "Piecewise exponential", key="outlook_piecewise", help=decision_text.PIECEWISE_HELP
    )
    controls = OutlookControls(endpoint=code, prior_events=float(weight), piecewise=bool(piecewise))
    outlook: OutlookView = cache.page_view(ctx, outlook_view, controls)
    if outlook.unavailable:
        st.caption(outlook.unavailable)
        return
    st.markdown(outlook.headline)
    st.caption(outlook.caveat)
    st.dataframe(outlook.table, hide_index=True, width="stretch")
    st.caption(outlook.so_far)
    if outlook.filters_note:
        st.caption(outlook.filters_note)
    # A second figure on a long page: drawn on request.
    if outlook.figure is not None and st.toggle("Show the simulated final medians", key="outlook_figure"):
        bars, benchmarks = outlook.figure.bars, outlook.figure.benchmarks
        show_figure(outlook_figure, bars, benchmarks, key="survival_outlook", ctx=ctx)
        st.caption(outlook.figure_caption)
    st.markdown("**Sensitivity**")
    st.dataframe(outlook.sensitivity, hide_index=True, width="stretch")
    st.caption(outlook.sensitivity_caption)
    download_table(outlook.sensitivity, f"outlook_sensitivity_{code}", ctx=ctx)
    with st.expander("Assumptions of the model", icon=":material/rule:"):
        st.markdown("\n".join(f"- {sentence}" for sentence in outlook.assumptions))


def render(ctx: PageContext) -> None:
    """Draw the Survival page."""
    page_header(ctx, "Survival", text.INTRO, DATASETS)
    if no_patient_selected(ctx):  # the header says no patient matches the filters; nothing else to draw
        return
    try:
        choices: SurvivalChoices = cache.page_view(ctx, survival_choices)
    except DataUnavailable as error:
        unavailable(str(error))
        return
    if choices.missing_adtte:
        missing_dataset("adtte", text.NEEDED_FOR, ctx=ctx)
        return
    code, unit, conf_type = _top_row(choices)
    endpoint = choices.endpoint(code)
    if endpoint.error or code is None:
        unavailable(text.unavailable_endpoint(endpoint.error))
        return

    middle = st.columns([2, 1, 1])
    by = middle[0].selectbox(
        "Curve per group of", [None, *endpoint.columns], format_func=endpoint.column_label, key="survival_by"
    )
    threshold = middle[1].number_input(
        "Tail: fewer than ... at risk",
        min_value=0,
        value=choices.at_risk_threshold,
        step=1,
        key="survival_threshold",
    )
    tail = middle[2].radio(
        "Draw the tail",
        list(text.TAIL_LABELS),
        format_func=lambda t: text.TAIL_LABELS[t],
        horizontal=True,
        key="survival_tail",
    )
    bottom = st.columns([2, 1, 1])
    show_benchmark = _benchmark_toggle(choices, endpoint, bottom[0])
    show_ci = bottom[1].toggle("Confidence bands", value=True, key="survival_bands")
    counts = bottom[2].selectbox(
        "Under the time axis",
        list(COUNT_TITLES),
        format_func=lambda c: COUNT_TITLES[c],
        key="survival_counts",
    )

    # The figure and the medians come before the landmark box and the pairwise switch: their places are
    # kept here and filled once the view is computed with every widget's value.
    results = st.container()
    st.subheader("Landmark survival")
    landmarks = st.text_input(
        text.landmarks_input_label(unit),
        value=choices.landmarks(unit),
        key=f"survival_landmarks_{unit}",
        help=text.LANDMARK_HELP,
    )
    landmark_area = st.container()
    pairwise = False
    if by is not None:
        st.subheader("Comparison of the groups")
        logrank_area = st.container()
        if endpoint.groups(by) > 2:
            pairwise = st.checkbox("Pairwise log-rank tests", key="survival_pairwise")

    controls = SurvivalControls(
        endpoint=code,
        unit=unit,
        conf_type=conf_type,
        by=by,
        at_risk_threshold=int(threshold),
        tail=str(tail),
        show_benchmark=show_benchmark,
        show_ci=bool(show_ci),
        counts=str(counts),
        landmarks=landmarks,
        pairwise=bool(pairwise),
    )
    try:
        view: SurvivalView = cache.page_view(ctx, survival_view, controls)
    except DataUnavailable as error:
        with results:
            unavailable(str(error))
        return
    if view.unavailable or view.figure is None:
        with results:
            unavailable(view.unavailable)
        return

    with results:
        _figure(ctx, view.figure)
        st.caption(view.figure_caption)
        _medians(ctx, view, code)
    with landmark_area:
        _landmarks(ctx, view, code)
    if by is not None and view.comparison is not None:
        with logrank_area:
            _logrank(ctx, view.comparison, code, by)
        if not view.comparison.pairwise.empty:
            table(ctx, view.comparison.pairwise, hide_index=True, width="stretch")
            st.caption(view.comparison.pairwise_caption)
            download_table(view.comparison.pairwise, f"pairwise_logrank_{code}", ctx=ctx)
        if view.comparison.caption:
            st.caption(view.comparison.caption)
    _tables(ctx, view, code)
    _outlook(ctx, code)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
