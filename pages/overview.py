"""Overview: where the trial stands, in a few numbers that each say what they count."""

import streamlit as st

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import page_header, show_figure
from medcare_metrics.cuts import changes_since, since_window
from medcare_metrics.figures.overview import enrollment_progress_figure
from medcare_metrics.overview import (
    MedianEstimate,
    enrollment_progress,
    screen_failures_outside,
    trial_summary,
)
from medcare_metrics.subjects import first_entry_date

ctx = page_context()
page_header(ctx, "Overview", "Where the trial stands. Each number says what it counts.")
summary = cache.measure(ctx, trial_summary, cache.TRIAL, ctx.settings)


def _months(value: float) -> str:
    return "not reached" if value != value else f"{value:.1f} months"  # NaN = not reached


def _median_text(median: MedianEstimate | None) -> tuple[str | None, str]:
    if median is None:
        return None, ""
    value = f"{median.median:.1f} months" if median.reached else "Not reached"
    ci = f"{median.conf_level:.0%} CI {_months(median.lower)} to {_months(median.upper)}"
    events = f"{median.events} event{'' if median.events == 1 else 's'}"
    caution = median.small_numbers_note(ctx.settings.at_risk_threshold)
    return value, f"{ci}; {events} in {median.n} patients." + (f" **{caution}**" if caution else "")


def _metric(label: str, value: object, measure: str, extra: str = "") -> None:
    reason = summary.reason(measure)
    st.metric(label, "n/a" if value is None else value, border=True)
    st.caption(f"Not available: {reason}" if reason else f"{summary.describe(measure)} {extra}".strip())


median_value, median_extra = _median_text(summary.nestfs_median)
latest = summary.latest_enrollment
latest_from = summary.latest_enrollment_column
latest_extra = "" if latest_from in (None, "ENRLDT") else f"Taken from {latest_from}: no ENRLDT in the data."
enrolled_extra = (
    "ENRLFL was derived while loading (see Data quality)."
    if any(note.startswith("ADSL.ENRLFL derived") for note in ctx.full.notes)
    else ""
)
# A filter on a column screen failures lack (MDT type, ...) silently drops them from "Screened".
outside = cache.measure(ctx, screen_failures_outside, cache.Dataset("adsl"), ctx.filters, whole=True)
screened_extra = f"**{outside.note}**" if outside is not None else ""
rows = (
    (
        ("Enrolled", f"{summary.enrolled} of {summary.target}", "enrolled", enrolled_extra),
        ("Screened", summary.screened, "screened", screened_extra),
        ("On study", summary.on_study, "on_study", ""),
        ("Latest enrollment", latest and f"{latest:%Y-%m-%d}", "latest_enrollment", latest_extra),
    ),
    (
        ("NEST-FS events", summary.nestfs_events, "nestfs_events", ""),
        ("PFS events", summary.pfs_events, "pfs_events", ""),
        ("Median NEST-FS", median_value, "nestfs_median", median_extra),
        ("Grade ≥ 3 toxicity", summary.grade3_patients, "grade3_patients", ""),
    ),
)
for row in rows:
    for column, (label, value, measure, extra) in zip(st.columns(len(row)), row, strict=True):
        with column:
            _metric(label, value, measure, extra)

st.subheader("Enrollment against target")
progress = enrollment_progress(summary, ctx.n_total if ctx.filters else None)
show_figure(enrollment_progress_figure(progress, summary.target), key="overview_enrollment")

if ctx.as_of is not None:
    st.subheader("Changes since")
    window = since_window(first_entry_date(ctx.full.adsl), ctx.as_of)
    since = st.date_input(
        "Changes since",
        value=window.default,
        min_value=window.min,
        max_value=window.max,
        key="since",
        bind="query-params",
        format="YYYY-MM-DD",
        label_visibility="collapsed",
        width=200,
        help="For example the last steering committee. Default: three months before the view's date.",
    )
    since = window.clamp(since)
    counts = cache.measure(ctx, changes_since, cache.TRIAL, since, ctx.as_of).counts()
    st.caption(f"What is new between {since:%Y-%m-%d} (excluded) and {ctx.as_of:%Y-%m-%d} (included).")
    with st.container(border=True, key="changes"):
        for column, (label, count) in zip(st.columns(len(counts) or 1), counts.items(), strict=False):
            column.metric(label, count)
