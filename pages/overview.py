"""Overview: where the trial stands, in a few numbers that each say what they count."""

import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import page_header, show_figure, unavailable
from medcare_metrics.figures.overview import enrollment_progress_figure
from medcare_metrics.text import overview as text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.overview import (
    OverviewChoices,
    OverviewControls,
    OverviewView,
    overview_choices,
    overview_view,
)

#: Datasets whose validation problems the header names.
DATASETS: tuple[str, ...] = ("adsl", "adtte", "adae")


def _since(choices: OverviewChoices) -> OverviewControls:
    window = choices.since
    if window is None:
        return OverviewControls()
    st.subheader("Changes since")
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
        help=text.CHANGES_HELP,
    )
    return OverviewControls(since=since)


def render(ctx: PageContext) -> None:
    """Draw the Overview page."""
    page_header(ctx, "Overview", text.INTRO, DATASETS)
    # The numbers and the figure come first on the page but need the "Changes since" date below them.
    numbers = st.container()
    try:
        choices: OverviewChoices = cache.page_view(ctx, overview_choices)
        controls = _since(choices)
        view: OverviewView = cache.page_view(ctx, overview_view, controls)
    except DataUnavailable as error:
        unavailable(str(error))
        return

    with numbers:
        for row in view.cards:
            for column, card in zip(st.columns(len(row)), row, strict=True):
                with column:
                    st.metric(card.label, card.value, border=True)
                    st.caption(card.caption)
        st.subheader("Enrollment against target")
        show_figure(
            enrollment_progress_figure(view.progress, view.target), key="overview_enrollment", ctx=ctx
        )

    if view.changes is not None:
        st.caption(view.changes.caption)
        counts = view.changes.counts
        with st.container(border=True, key="changes"):
            for column, (label, count) in zip(st.columns(len(counts) or 1), counts, strict=False):
                column.metric(label, count)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
