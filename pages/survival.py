"""Survival: Kaplan-Meier curves, medians, landmarks and group comparisons, computed as R's survival does."""

import streamlit as st

from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics import survival as sv
from medcare_metrics.figures.survival import COUNT_TITLES, km_figure
from medcare_metrics.filters import value_labels
from medcare_metrics.protocol import STUDYID, is_protocol_study

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Survival",
    "Kaplan-Meier curves of the time-to-event endpoints, with medians, landmark survival and group "
    "comparisons. Numbers agree with R's survival package (survfit, survdiff, coxph).",
)
if trial.adtte is None:
    missing_dataset("adtte", "the survival curves")
    st.stop()

# Protocol names and the historical benchmark belong to MEDCARE; another study keeps its own PARAM text.
medcare = is_protocol_study(ctx.full.adsl)
endpoint_codes = sv.endpoints(trial.adtte) or sv.endpoints(ctx.full.adtte)
UNITS = {"MONTHS": "Months", "WEEKS": "Weeks", "DAYS": "Days"}
CONF_LABELS = {"log": "log (R default)", "log-log": "log-log", "plain": "plain"}

top = st.columns([2, 1, 1])
paramcd = top[0].selectbox(
    "Endpoint",
    endpoint_codes,
    format_func=lambda code: sv.endpoint_label(ctx.full.adtte, code, medcare),
    key="survival_endpoint",
)
unit = top[1].radio("Time in", list(UNITS), format_func=UNITS.get, horizontal=True, key="survival_unit")
conf_type = top[2].selectbox(
    "Confidence interval",
    list(CONF_LABELS),
    format_func=CONF_LABELS.get,
    key="survival_conf_type",
    help="Pointwise 95% CI of the curve, transform as R's survfit(conf.type=). The median's CI is where "
    "this band crosses 0.5.",
)
options = sv.KMOptions(conf_type)

try:
    all_tte = sv.time_to_event(trial.adtte, paramcd, unit=unit)
except ValueError as error:
    unavailable(f"{error} (with the filters in the sidebar).")
    st.stop()

middle = st.columns([2, 1, 1])
choices = sv.stratification_columns(trial.adsl, all_tte["USUBJID"])
by = middle[0].selectbox(
    "Curve per group of",
    [None, *choices],
    format_func=lambda c: "No grouping (all patients)" if c is None else sv.column_label(c),
    key="survival_by",
)
threshold = int(
    middle[1].number_input(
        "Tail: fewer than ... at risk",
        min_value=0,
        value=int(ctx.settings.at_risk_threshold),
        step=1,
        key="survival_threshold",
    )
)
tail = middle[2].radio(
    "Draw the tail",
    ["grey", "truncate", "show"],
    format_func=str.capitalize,
    horizontal=True,
    key="survival_tail",
)
benchmarks = sv.benchmark_table(paramcd, unit)
bottom = st.columns([2, 1, 1])
show_benchmark = False
if benchmarks.empty:
    with bottom[0]:
        unavailable(
            f"no historical benchmark for {paramcd}; the retrospective series gives medians for "
            f"{' and '.join(sv.benchmark_endpoints())} only."
        )
else:
    show_benchmark = bottom[0].toggle(
        "Show the historical benchmark medians",
        value=medcare,
        key="survival_benchmark",
        help=f"{benchmarks['SOURCE'].iloc[0]}. The values live in medcare_metrics/protocol.py (BENCHMARKS).",
    )
    if not medcare:
        with bottom[0]:
            st.caption(
                f"The benchmark is the {STUDYID} historical series; these data are not {STUDYID} "
                "(ADSL.STUDYID), so it is off by default."
            )
show_ci = bottom[1].toggle("Confidence bands", value=True, key="survival_bands")
counts = bottom[2].selectbox(
    "Under the time axis",
    list(COUNT_TITLES),
    format_func=COUNT_TITLES.get,
    key="survival_counts",
)

tte = sv.time_to_event(trial.adtte, paramcd, adsl=trial.adsl, by=by, unit=unit)
if by is not None:
    tte = sv.label_groups(tte, value_labels(trial.adsl).get(by, {}))
curve = sv.km_curve(tte, options, at_risk_threshold=threshold)
medians = sv.km_medians(tte, options)
# The axis reaches the benchmark's upper limit when one is drawn beyond the follow-up.
axis_end = max([float(tte["TIME"].max()), *(benchmarks["UPPER"] if show_benchmark else [])])
ticks = sv.at_risk_times(axis_end, unit)
at_risk = sv.at_risk_table(tte, ticks, options)
unit_word = UNITS[unit].lower()

show_figure(
    km_figure(
        curve,
        medians,
        at_risk,
        unit=unit,
        benchmarks=benchmarks if show_benchmark else None,
        tail=tail,
        threshold=threshold,
        show_ci=show_ci,
        title=sv.endpoint_label(trial.adtte, paramcd, medcare),
        counts=counts,
    ),
    key="survival_km",
)
notes = [
    f"Shaded: pointwise {options.label}." if show_ci else "",
    "Ticks on the curves: censored patients.",
]
if sv.tail_note(threshold, tail):
    notes.append(sv.tail_note(threshold, tail))
if show_benchmark:
    notes.append(
        "Black markers at 50%: historical medians with their 95% CI (retrospective series, not a "
        "comparison group)."
    )
if (tte["GROUP"] == sv.MISSING_GROUP).any():
    notes.append(f"Group {sv.MISSING_GROUP}: patients without a value in {by}.")
st.caption(" ".join(n for n in notes if n))

st.subheader("Median")
median_table = sv.median_summary(medians, options, unit)
st.dataframe(
    median_table,
    hide_index=True,
    width="stretch",
    # The CI method goes into the interval's heading here (the CSV keeps its own column), and the widths
    # fit "12.5 to not reached" and long group names that may only appear in a lower row.
    column_order=[c for c in median_table.columns if c != "CI method"],
    column_config={
        "Group": st.column_config.TextColumn(width="medium"),
        median_table.columns[5]: st.column_config.TextColumn(
            f"{median_table.columns[5]}, {conf_type}", width="medium"
        ),
    },
)
st.caption(
    "Median = the first time the curve reaches 50% (midpoint of a step lying exactly at 50%); "
    "'not reached' = the curve or its confidence band does not fall to 50% within follow-up. "
    f"The median's {options.label}: the times where the pointwise band crosses 50% "
    "(Brookmeyer-Crowley, as R's print(survfit))."
)
download_table(median_table, f"median_{paramcd}")

st.subheader("Landmark survival")
landmark_text = st.text_input(
    f"Landmarks ({unit_word})",
    value=sv.default_landmarks(ctx.settings.landmark_months, unit),
    key=f"survival_landmarks_{unit}",
    help="Times separated by commas.",
)
landmarks, bad = sv.parse_landmarks(landmark_text)
if bad:
    st.warning(f"Ignored (not a time): {', '.join(bad)}")
if landmarks:
    landmark_table = sv.landmark_summary(
        sv.survival_at(tte, landmarks, options), options, f"Landmark ({unit_word})"
    )
    # Every landmark of every group in view (up to 8 groups x a handful of times), no inner scrolling.
    st.dataframe(
        landmark_table,
        hide_index=True,
        width="stretch",
        height="content" if len(landmark_table) <= 40 else "auto",
    )
    st.caption(
        "Survival at each time with its pointwise CI and the patients still at risk, as R's "
        "summary(fit, times = ...); 'beyond follow-up' after a group's last observed time."
    )
    download_table(landmark_table, f"landmarks_{paramcd}")

if by is not None:
    st.subheader("Comparison of the groups")
    logrank = sv.logrank_test(tte)
    if logrank is None:
        st.caption("Only one group with these filters: nothing to compare.")
    else:
        st.markdown(sv.logrank_text(logrank))
        observed = sv.logrank_summary(logrank)
        st.dataframe(
            observed,
            hide_index=True,
            width="stretch",
            column_config={"Events expected": st.column_config.NumberColumn(format="%.2f")},
        )
        download_table(observed, f"logrank_{paramcd}_{by}")
        n_groups = len(logrank.table)
        if n_groups == 2:
            st.markdown(sv.cox_text(sv.cox_hazard_ratio(tte)))
        elif st.checkbox("Pairwise log-rank tests", key="survival_pairwise"):
            pairs = sv.pairwise_summary(sv.pairwise_logrank(tte))
            st.dataframe(pairs, hide_index=True, width="stretch")
            st.caption("Each pair tested on its own; p-values are not adjusted for multiple comparisons.")
            download_table(pairs, f"pairwise_logrank_{paramcd}")
        st.caption(
            "Log-rank test as R's survdiff; hazard ratio (two groups) from a Cox model with Efron ties and a "
            "Wald interval, as R's coxph. With few patients these tests have little power."
        )

with st.expander("Kaplan-Meier table and numbers at risk", icon=":material/table:"):
    table = sv.km_table(tte, options)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        f"Every distinct time ({unit_word}): patients at risk, events, censored, survival, standard error "
        "of log survival (Greenwood) and the pointwise CI, as R's survfit."
    )
    download_table(table, f"km_table_{paramcd}")
    st.dataframe(at_risk, hide_index=True, width="stretch")
    st.caption(
        "At each tick of the time axis: patients at risk; events and censorings since the previous tick "
        "(N_EVENT, N_CENSOR) and so far (CUM_EVENT, CUM_CENSOR)."
    )
    download_table(at_risk, f"at_risk_{paramcd}")
