"""Enrollment: progress to the target, by centre and month, screening funnel, projection, event maturity."""

from dataclasses import replace

import streamlit as st

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.accrual import DEFAULT_CERTAINTY, METHOD_NAME, accrual_prediction, accrual_projection
from medcare_metrics.enrollment import (
    centre_summary,
    cumulative_enrollment,
    enrollment_by_month,
    enrollment_status,
    event_maturity,
    screen_failure_reasons,
    screening_funnel,
)
from medcare_metrics.figures.enrollment import (
    cumulative_enrollment_figure,
    enrollment_by_month_figure,
    event_maturity_figure,
    screen_failure_reasons_figure,
    screening_funnel_figure,
)
from medcare_metrics.filters import Filters, value_labels
from medcare_metrics.protocol import BENCHMARKS, ENDPOINTS

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Enrollment",
    "Progress to the target, by centre and month, from screening to follow-up, the projected completion "
    "and how many primary-endpoint events to expect.",
)
names = value_labels(ctx.full.adsl).get("SITEID", {})
# Target, projection and status belong to the whole trial: a centre's share of the target is not defined.
whole = cache.view(ctx.source, ctx.fingerprint, Filters(), ctx.as_of if ctx.replayed else None) or trial

with st.expander("Plan and prior", expanded=False, icon=":material/tune:"):
    left, middle, right = st.columns(3)
    target = left.number_input(
        "Target enrollment (patients)",
        min_value=1,
        value=int(ctx.settings.target_enrollment),
        step=1,
        key="enrollment_target",
        help="Protocol default from the trial settings.",
    )
    months = middle.number_input(
        "Planned accrual period (months)",
        min_value=1.0,
        value=float(ctx.settings.planned_accrual_months),
        step=1.0,
        key="enrollment_planned_months",
        help="Protocol default from the trial settings; counted from the first consent or screening.",
    )
    certainty = right.slider(
        "Prior certainty in the plan (P)",
        min_value=0.0,
        max_value=1.0,
        value=DEFAULT_CERTAINTY,
        step=0.05,
        key="enrollment_certainty",
        help="0: the projection uses the observed accrual only. 1: the plan weighs as much as the full "
        "target of observed patients.",
    )
settings = replace(ctx.settings, target_enrollment=int(target), planned_accrual_months=float(months))

status = enrollment_status(whole.adsl, settings, as_of=ctx.as_of)
prediction = None
prediction_error = None
if not status.complete:
    try:
        prediction = accrual_prediction(whole.adsl, settings, certainty=certainty, as_of=ctx.as_of)
    except ValueError as error:
        prediction_error = str(error)

st.subheader("Enrollment complete" if status.complete else "Enrollment open")
rate = status.observed_rate_per_month
rate_value = "n/a" if rate != rate else f"{status.rate_ratio:.0%}"  # NaN when dates are missing
cols = st.columns(4 if status.complete else 3)
cols[0].metric("Enrolled", f"{status.enrolled} of {status.target}", border=True)
if status.complete:
    done = "n/a" if status.completion_date is None else f"{status.completion_date:%Y-%m-%d}"
    cols[1].metric("Completed on", done, border=True)
    cols[2].metric("Duration", f"{status.duration_months:.1f} months", border=True)
elif prediction is not None:
    cols[1].metric("Predicted completion", f"{prediction.median_date:%Y-%m-%d}", border=True)
else:
    cols[1].metric("Predicted completion", "n/a", border=True)
cols[-1].metric("Accrual rate vs plan", rate_value, border=True)
if prediction is not None:
    low50, high50 = prediction.interval50
    low95, high95 = prediction.interval95
    st.markdown(
        f"Target of {status.target} reached by **{prediction.median_date:%Y-%m-%d}** (median); "
        f"50% predictive interval {low50:%Y-%m-%d} to {high50:%Y-%m-%d}, "
        f"95% {low95:%Y-%m-%d} to {high95:%Y-%m-%d}."
    )
    st.caption(
        f"Method: {METHOD_NAME}. Exponential waiting times between enrolments; Gamma prior on the accrual "
        f"rate from the plan ({status.target} patients in {status.planned_months:.0f} months) with "
        f"certainty P = {certainty:.2f}, updated with the {status.enrolled} enrolments in the "
        f"{prediction.elapsed_days:.0f} days since the first consent or screening; the predictive "
        "distribution of the time to the target is exact (scaled beta-prime)."
    )
elif not status.complete:
    unavailable(prediction_error or "the projection needs consent, screening or registration dates.")
start = "unknown" if status.start is None else f"{status.start:%Y-%m-%d}"
period = (
    f"from the first consent or screening ({start}) to completion on {status.completion_date:%Y-%m-%d}"
    if status.completion_date is not None
    else f"from the first consent or screening ({start}) to {ctx.as_of or 'the cut-off'}"
)
if rate == rate:
    st.caption(
        f"Accrual rate {rate:.2f} patients/month {period}, against a planned "
        f"{status.planned_rate_per_month:.2f} ({status.target} in {status.planned_months:.0f} months)."
    )
if ctx.filters:
    st.caption(
        ":material/filter_alt: Target, status and projection are for the whole trial; the figures and tables "
        "below follow the filters."
    )

cumulative_tab, month_tab, funnel_tab, centre_tab, maturity_tab = st.tabs(
    ["Cumulative", "Per month", "Screening funnel", "Per centre", "Event maturity"]
)

# The projection is for the whole trial, so it is drawn and used only when no filter is active.
band = accrual_projection(prediction) if prediction is not None and not ctx.filters else None
future_entries = [] if band is None else list(band["MEDIAN"].iloc[1:])

with cumulative_tab:
    cumulative = cumulative_enrollment(trial.adsl, settings, as_of=ctx.as_of)
    show_figure(cumulative_enrollment_figure(cumulative, band, names), key="enrollment_cumulative")
    st.caption(
        "Enrolled patients by registration date (ENRLDT), all centres and per centre. Dotted: the "
        "planned accrual, a straight line from the first consent or screening to the target at the end of "
        "the planned period. Shaded: 50% and 95% predictive intervals of the date each further patient is "
        "enrolled."
        + (
            f" {cumulative.undated} enrolled patient(s) without a registration date are not drawn."
            if cumulative.undated
            else ""
        )
    )

with month_tab:
    by_month = enrollment_by_month(trial.adsl)
    if by_month.empty:
        unavailable("no enrolled patient has a registration date.")
    else:
        show_figure(enrollment_by_month_figure(by_month, names), key="enrollment_by_month")
        download_table(by_month, "enrollment_by_month")

with funnel_tab:
    funnel = screening_funnel(trial.adsl, trial.adtte)
    show_figure(screening_funnel_figure(funnel), key="enrollment_funnel")
    st.dataframe(funnel[["LABEL", "N", "DEFINITION"]], hide_index=True, width="stretch")
    download_table(funnel, "screening_funnel")
    reasons = screen_failure_reasons(trial.adsl)
    st.markdown("**Screen failures by eligibility criterion**")
    if reasons.empty:
        st.caption("No screen failure.")
    else:
        show_figure(screen_failure_reasons_figure(reasons), key="enrollment_reasons")
        st.dataframe(reasons, hide_index=True, width="stretch")
        download_table(reasons, "screen_failure_reasons")

with centre_tab:
    table = centre_summary(trial.adsl, as_of=ctx.as_of)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "SITEID": "Centre",
            "SITENAME": "Name",
            "SCREENED": "Screened",
            "ENROLLED": "Enrolled",
            "SCREEN_FAILURES": "Screen failures",
            "SCREEN_FAILURE_RATE": st.column_config.NumberColumn("Screen-failure rate", format="percent"),
            "FIRST_ENROLLMENT": st.column_config.DateColumn("First enrollment", format="YYYY-MM-DD"),
            "LAST_ENROLLMENT": st.column_config.DateColumn("Last enrollment", format="YYYY-MM-DD"),
            "DAYS_SINCE_LAST": st.column_config.NumberColumn("Days since last enrollment", format="%d"),
        },
    )
    as_of_text = "unknown" if ctx.as_of is None else f"{ctx.as_of:%Y-%m-%d}"
    st.caption(
        "Screened: every ADSL subject. Screen failures: screened and not enrolled. Days since the last "
        f"enrollment are counted to {as_of_text}."
    )
    download_table(table, "enrollment_by_centre")

with maturity_tab:
    paramcd = "NESTFS"
    if trial.adtte is None:
        missing_dataset("adtte", "the event maturity")
    elif not trial.adtte["PARAMCD"].eq(paramcd).any():
        unavailable(f"ADTTE has no {ENDPOINTS[paramcd]} ({paramcd}) rows.")
    else:
        benchmark = next(
            b for b in BENCHMARKS if b.paramcd == paramcd and b.population == "SBRT or metastasectomy"
        )
        left, right = st.columns(2)
        horizon = left.select_slider(
            "Project up to (months ahead)", options=[12, 24, 36, 48, 60], value=36, key="enrollment_horizon"
        )
        needed = right.number_input(
            "Events needed for the primary analysis (optional)",
            min_value=1,
            value=None,
            step=1,
            key="enrollment_events_needed",
        )
        steps = [float(m) for m in range(0, int(horizon) + 1)]
        fitted = event_maturity(
            trial.adtte,
            trial.adsl,
            paramcd,
            as_of=ctx.as_of,
            months_ahead=steps,
            future_entries=future_entries,
        )
        assumed = event_maturity(
            trial.adtte,
            trial.adsl,
            paramcd,
            as_of=ctx.as_of,
            months_ahead=steps,
            assumed_median_months=benchmark.median,
            future_entries=future_entries,
        )
        cols = st.columns(4)
        cols[0].metric(f"{paramcd} events", fitted.events, border=True)
        cols[1].metric("At risk", fitted.at_risk, border=True)
        median_text = "n/a" if fitted.events == 0 else f"{fitted.median_months:.1f}"
        cols[2].metric("Fitted median (months)", median_text, border=True)
        cols[3].metric("Follow-up ended", fitted.follow_up_ended, border=True)
        lines = [
            (f"Fitted rate: {fitted.events} event(s) in {fitted.exposure_months:.0f} patient-months", fitted)
        ]
        if fitted.events == 0:
            lines = []
        lines.append((f"Benchmark median {benchmark.median:g} months ({benchmark.population})", assumed))
        show_figure(event_maturity_figure(lines, needed), key="enrollment_maturity")
        if needed:
            for label, result in lines:
                when = result.date_reaching(int(needed))
                text = (
                    "not reachable with the patients at risk and to come"
                    if when is None
                    else f"{when:%Y-%m-%d}"
                )
                st.markdown(f"- {label}: {int(needed)} events expected by **{text}**")
        st.caption(
            "Expected events by a date = events so far + for each patient at risk (censored, still followed) "
            "the probability of an event between their last follow-up and that date, under an exponential "
            "model (constant hazard). The rate is fitted (events / total follow-up) or set from the "
            "benchmark median. Kaplan-Meier is not used because it cannot project past the longest "
            "follow-up. These are expectations, not intervals."
            + (
                f" The {len(future_entries)} patients still to enrol are counted from their predicted "
                "(median) enrollment dates."
                if future_entries
                else ""
            )
        )
        table = fitted.projection if fitted.events else assumed.projection
        download_table(table, "event_maturity")
