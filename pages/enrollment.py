"""Enrollment: progress to the target, by centre and month, screening funnel, projection, event maturity."""

from typing import Any

import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import (
    download_table,
    missing_dataset,
    page_header,
    show_figure,
    table,
    unavailable,
)
from medcare_metrics.figures.enrollment import (
    cumulative_enrollment_figure,
    enrollment_by_month_figure,
    event_maturity_figure,
    screening_funnel_figure,
)
from medcare_metrics.text import enrollment as text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.enrollment import (
    EnrollmentChoices,
    EnrollmentControls,
    EnrollmentView,
    enrollment_choices,
    enrollment_view,
)

DATASETS: tuple[str, ...] = ("adsl", "adtte")  # datasets whose validation problems the header names

TABS = ("Cumulative", "Per month", "Screening funnel", "Per centre", "Event maturity")

CENTRE_COLUMNS: dict[str, Any] = {
    "SITEID": st.column_config.TextColumn("Centre", width="small"),
    "SITENAME": "Name",
    "SCREENED": "Screened",
    "ENROLLED": "Enrolled",
    "SCREEN_FAILURES": st.column_config.NumberColumn("Failures", help="Screened and not enrolled."),
    "SCREEN_FAILURE_RATE": st.column_config.NumberColumn(
        "Failure rate", format="percent", help="Screen failures / screened."
    ),
    "FIRST_ENROLLMENT": st.column_config.DateColumn("First enrolled", format="YYYY-MM-DD"),
    "LAST_ENROLLMENT": st.column_config.DateColumn("Last enrolled", format="YYYY-MM-DD"),
    "DAYS_SINCE_LAST": st.column_config.NumberColumn(
        "Days since last", format="%d", help="Days from the last enrollment to the date shown."
    ),
}


def _maturity_controls(choices: EnrollmentChoices) -> tuple[int, int | None]:
    left, right = st.columns(2)
    horizon = left.select_slider(
        "Project up to (months ahead)",
        options=list(choices.horizons),
        value=choices.default_horizon,
        key="enrollment_horizon",
    )
    needed = right.number_input(
        "Events needed for the primary analysis (optional)",
        min_value=1,
        value=None,
        step=1,
        key="enrollment_events_needed",
    )
    return int(horizon), None if needed is None else int(needed)


def _status(view: EnrollmentView) -> None:
    status = view.status
    st.subheader(status.headline)
    for column, (label, value, help_text) in zip(
        st.columns(len(status.metrics)), status.metrics, strict=True
    ):
        column.metric(label, value, help=help_text, border=True)
    if status.prediction_text:
        st.markdown(status.prediction_text)
        st.caption(status.method_text)
    elif status.no_prediction:
        unavailable(status.no_prediction)
    if status.rate_text:
        st.caption(status.rate_text)
    if status.filter_note:
        st.caption(status.filter_note)
    if view.empty_text:
        st.info(view.empty_text, icon=":material/info:")


def _funnel(view: EnrollmentView, ctx: PageContext) -> None:
    show_figure(screening_funnel_figure, view.funnel, view.reasons, key="enrollment_funnel", ctx=ctx)
    st.caption(text.FUNNEL_CAPTION)
    with st.expander(text.FUNNEL_DEFINITIONS_TITLE):
        st.dataframe(
            view.funnel[["LABEL", "N", "DEFINITION"]],
            hide_index=True,
            width="stretch",
            column_config={"LABEL": "Box", "N": "Subjects", "DEFINITION": "Definition"},
        )
        download_table(view.funnel, "screening_funnel", ctx=ctx)
    st.markdown(text.SCREEN_FAILURES_HEADING)
    if view.reasons.empty:
        st.caption(text.NO_SCREEN_FAILURE)
        return
    st.dataframe(
        view.reasons[["KIND", "SCRFCRIT", "CRITERION", "N"]],
        hide_index=True,
        width="stretch",
        column_config={
            "KIND": "Criterion type",
            "SCRFCRIT": "Code",
            "CRITERION": st.column_config.TextColumn("Criterion (protocol wording)", width="large"),
            "N": "Screen failures",
        },
    )
    download_table(view.reasons, "screen_failure_reasons", ctx=ctx)
    with st.expander(text.SCREEN_FAILURE_LISTING_TITLE):
        table(
            ctx,
            view.listing,
            hide_index=True,
            width="stretch",
            column_config={
                "SITEID": "Centre",
                "SCRNDT": st.column_config.DateColumn("Screened on", format="YYYY-MM-DD"),
                "SCRFCRIT": "Code",
                "CRITERION": "Criterion (protocol wording)",
                "SCRFREAS": "Reason as recorded",
            },
        )
        download_table(view.listing, "screen_failures", ctx=ctx)


def _maturity(view: EnrollmentView, ctx: PageContext) -> None:
    maturity = view.maturity
    if maturity.missing_adtte:
        missing_dataset("adtte", text.MATURITY_NEEDS, ctx=ctx)
        return
    if maturity.unavailable:
        unavailable(maturity.unavailable)
        return
    for column, (label, value, help_text) in zip(st.columns(4), maturity.metrics, strict=True):
        column.metric(label, value, help=help_text, border=True)
    lines, needed = maturity.lines, maturity.events_needed
    show_figure(event_maturity_figure, lines, needed, key="enrollment_maturity", ctx=ctx)
    if maturity.reached:
        st.markdown("\n".join(f"- {line}" for line in maturity.reached))
    st.caption(maturity.caption)
    download_table(maturity.projection, "event_maturity", ctx=ctx)


def render(ctx: PageContext) -> None:
    """Draw the Enrollment page."""
    page_header(ctx, "Enrollment", text.INTRO, DATASETS)
    defaults = EnrollmentControls()
    # Target and planned accrual are shared trial settings (sidebar); only the prior belongs to this page.
    certainty = st.slider(
        "Prior certainty in the plan (P)",
        min_value=0.0,
        max_value=1.0,
        value=defaults.certainty,
        step=0.05,
        key="enrollment_certainty",
        width=400,
        help=text.CERTAINTY_HELP,
    )
    status_area = st.container()
    try:
        choices: EnrollmentChoices = cache.page_view(ctx, enrollment_choices)
        horizon, needed = defaults.horizon_months, defaults.events_needed
        tabs = st.tabs(TABS) if choices.has_subjects else None
        if tabs is not None and choices.maturity:
            with tabs[4]:  # the maturity controls sit at the top of their tab, above what the view returns
                horizon, needed = _maturity_controls(choices)
        controls = EnrollmentControls(
            certainty=float(certainty), horizon_months=horizon, events_needed=needed
        )
        view: EnrollmentView = cache.page_view(ctx, enrollment_view, controls)
    except DataUnavailable as error:
        with status_area:
            unavailable(str(error))
        return

    with status_area:
        _status(view)
    if tabs is None or view.cumulative is None:
        return
    cumulative_tab, month_tab, funnel_tab, centre_tab, maturity_tab = tabs
    with cumulative_tab:
        figure = view.cumulative
        show_figure(
            cumulative_enrollment_figure,
            figure.cumulative,
            figure.projection,
            figure.centre_names,
            figure.completed_on,
            total_label=figure.total_label,
            plan_label=figure.plan_label,
            target_label=figure.target_label,
            key="enrollment_cumulative",
            ctx=ctx,
        )
        st.caption(view.cumulative_caption)
    with month_tab:
        if view.by_month.empty:
            unavailable(text.NO_REGISTRATION_DATE)
        else:
            by_month, names = view.by_month, view.centre_names
            show_figure(enrollment_by_month_figure, by_month, names, key="enrollment_by_month", ctx=ctx)
            st.caption(text.BY_MONTH_CAPTION)
            download_table(view.by_month, "enrollment_by_month", ctx=ctx)
    with funnel_tab:
        _funnel(view, ctx)
    with centre_tab:
        st.dataframe(view.centres, hide_index=True, width="stretch", column_config=CENTRE_COLUMNS)
        st.caption(view.centre_caption)
        download_table(view.centres, "enrollment_by_centre", ctx=ctx)
    with maturity_tab:
        _maturity(view, ctx)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
