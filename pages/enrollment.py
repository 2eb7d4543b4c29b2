"""Enrollment: progress to the target, by centre and month, screening funnel, projection, event maturity."""

import streamlit as st

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.accrual import DEFAULT_CERTAINTY, accrual_outlook
from medcare_metrics.enrollment import (
    MATURITY_HORIZONS,
    centre_summary,
    cumulative_enrollment,
    cumulative_note,
    enrollment_by_month,
    maturity_scenarios,
    screen_failure_listing,
    screen_failure_reasons,
    screening_funnel,
)
from medcare_metrics.figures.enrollment import (
    cumulative_enrollment_figure,
    enrollment_by_month_figure,
    event_maturity_figure,
    screening_funnel_figure,
)
from medcare_metrics.filters import value_labels
from medcare_metrics.protocol import ENDPOINTS
from medcare_metrics.survival import endpoints

PRIMARY = "NESTFS"

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Enrollment",
    "Progress to the target, by centre and month, from screening to follow-up, the projected completion "
    "and how many primary-endpoint events to expect.",
)
names = value_labels(ctx.full.adsl).get("SITEID", {})

# Target and planned accrual are shared trial settings (sidebar); only the prior belongs to this page.
certainty = st.slider(
    "Prior certainty in the plan (P)",
    min_value=0.0,
    max_value=1.0,
    value=DEFAULT_CERTAINTY,
    step=0.05,
    key="enrollment_certainty",
    width=400,
    help="0: the projection uses the observed accrual only. 1: the plan weighs as much as the full "
    "target of observed patients. Target and planned accrual period: Trial settings in the sidebar.",
)
settings = ctx.settings
# Target, status and projection belong to the whole trial: a centre's share of the target is not defined.
outlook = cache.measure(
    ctx, accrual_outlook, cache.Dataset("adsl"), settings, whole=True, certainty=certainty, as_of=ctx.as_of
)

st.subheader(outlook.headline)
for column, (label, value, help_text) in zip(st.columns(len(outlook.metrics)), outlook.metrics, strict=True):
    column.metric(label, value, help=help_text, border=True)
if outlook.prediction is not None:
    st.markdown(outlook.prediction_text)
    st.caption(outlook.method_text)
elif outlook.reason:
    unavailable(f"{outlook.reason}.")
if outlook.rate_text:
    st.caption(outlook.rate_text)
if ctx.filters:
    st.caption(
        ":material/filter_alt: Target, status and projection are for the whole trial; the figures and tables "
        "below follow the filters."
    )
# The projection is for the whole trial, so it is drawn and used only when no filter is active.
projected = outlook.projection is not None and not ctx.filters

cumulative_tab, month_tab, funnel_tab, centre_tab, maturity_tab = st.tabs(
    ["Cumulative", "Per month", "Screening funnel", "Per centre", "Event maturity"]
)

with cumulative_tab:
    cumulative = cache.measure(ctx, cumulative_enrollment, cache.Dataset("adsl"), settings, as_of=ctx.as_of)
    figure = cumulative_enrollment_figure(
        cumulative,
        outlook.projection if projected else None,
        names,
        outlook.status.completion_date,
        total_label="Selected patients" if ctx.filters else "All centres",
    )
    show_figure(figure, key="enrollment_cumulative")
    st.caption(cumulative_note(cumulative, projected))

with month_tab:
    by_month = cache.measure(ctx, enrollment_by_month, cache.Dataset("adsl"))
    if by_month.empty:
        unavailable("no enrolled patient has a registration date.")
    else:
        show_figure(enrollment_by_month_figure(by_month, names), key="enrollment_by_month")
        st.caption(
            "Enrolled patients per calendar month of registration (ENRLDT, else RANDDT, else TRTSDT), "
            "stacked by centre."
        )
        download_table(by_month, "enrollment_by_month")

with funnel_tab:
    funnel = cache.measure(ctx, screening_funnel, cache.Dataset("adsl"), cache.Dataset("adtte"))
    reasons = cache.measure(ctx, screen_failure_reasons, cache.Dataset("adsl"))
    show_figure(screening_funnel_figure(funnel, reasons), key="enrollment_funnel")
    st.caption(
        "Numbers are subjects. Exits to the right list the screen-failure criterion (ADSL.SCRFCRIT, protocol "
        "wording); outcome boxes are exclusive, the first that applies in the order shown."
    )
    with st.expander("What each box counts"):
        st.dataframe(
            funnel[["LABEL", "N", "DEFINITION"]],
            hide_index=True,
            width="stretch",
            column_config={"LABEL": "Box", "N": "Subjects", "DEFINITION": "Definition"},
        )
        download_table(funnel, "screening_funnel")
    st.markdown("**Screen failures by eligibility criterion**")
    if reasons.empty:
        st.caption("No screen failure.")
    else:
        st.dataframe(
            reasons[["KIND", "SCRFCRIT", "CRITERION", "N"]],
            hide_index=True,
            width="stretch",
            column_config={
                "KIND": "Criterion type",
                "SCRFCRIT": "Code",
                "CRITERION": st.column_config.TextColumn("Criterion (protocol wording)", width="large"),
                "N": "Screen failures",
            },
        )
        download_table(reasons, "screen_failure_reasons")
        with st.expander("Screen failures, one row per subject"):
            listing = cache.measure(ctx, screen_failure_listing, cache.Dataset("adsl"))
            st.dataframe(
                listing,
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
            download_table(listing, "screen_failures")

with centre_tab:
    table = cache.measure(ctx, centre_summary, cache.Dataset("adsl"), as_of=ctx.as_of)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
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
        },
    )
    as_of_text = "unknown" if ctx.as_of is None else f"{ctx.as_of:%Y-%m-%d}"
    st.caption(
        "Numbers are subjects. Screened: every ADSL subject. Screen failures: screened and not enrolled; "
        f"rate = screen failures / screened. Days since the last enrollment are counted to {as_of_text}."
    )
    download_table(table, "enrollment_by_centre")

with maturity_tab:
    if trial.adtte is None:
        missing_dataset("adtte", "the event maturity")
    elif PRIMARY not in endpoints(trial.adtte):
        unavailable(f"ADTTE has no {ENDPOINTS[PRIMARY]} ({PRIMARY}) rows.")
    else:
        left, right = st.columns(2)
        horizon = left.select_slider(
            "Project up to (months ahead)",
            options=list(MATURITY_HORIZONS),
            value=36,
            key="enrollment_horizon",
        )
        needed = right.number_input(
            "Events needed for the primary analysis (optional)",
            min_value=1,
            value=None,
            step=1,
            key="enrollment_events_needed",
        )
        scenarios = cache.measure(
            ctx,
            maturity_scenarios,
            cache.Dataset("adtte"),
            cache.Dataset("adsl"),
            PRIMARY,
            as_of=ctx.as_of,
            horizon_months=int(horizon),
            future_entries=outlook.future_entries if projected else (),
            events_needed=needed,
        )
        for column, (label, value, help_text) in zip(st.columns(4), scenarios.metrics, strict=True):
            column.metric(label, value, help=help_text, border=True)
        show_figure(event_maturity_figure(scenarios.lines, needed), key="enrollment_maturity")
        if scenarios.reached:
            st.markdown("\n".join(f"- {line}" for line in scenarios.reached))
        st.caption(f"{scenarios.median_text} {scenarios.note}".strip())
        download_table(scenarios.projection, "event_maturity")
