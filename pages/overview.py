"""Overview: where the trial stands, in one sentence and a few numbers that each say what they count."""

from datetime import date

import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import download_table, page_header, show_figure, unavailable
from medcare_metrics.figures.overview import enrollment_progress_figure, primary_curve_figure
from medcare_metrics.text import overview as text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.overview import (
    MetricCard,
    OverviewChoices,
    OverviewControls,
    OverviewView,
    overview_choices,
    overview_view,
)

#: Datasets whose validation problems the header names.
DATASETS: tuple[str, ...] = ("adsl", "adtte", "adae")
#: Width in pixels of one headline card: the cards wrap to fewer per row on a narrow screen.
CARD_WIDTH = 175
#: Width of one "changes since" number.
CHANGE_WIDTH = 150


def _since_from_url() -> date | None:
    """Return the "Changes since" date of the address (presentation mode draws no date input)."""
    value = st.query_params.get("since")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _since(choices: OverviewChoices, ctx: PageContext) -> OverviewControls:
    window = choices.since
    if window is None:
        return OverviewControls()
    st.subheader("Changes since")
    if ctx.presenting:
        return OverviewControls(since=_since_from_url())
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


def _cards(cards: tuple[MetricCard, ...]) -> None:
    # Keyed: the app's style block (medcare_app.room) sizes these cards' values.
    with st.container(horizontal=True, gap="small", key="overview_cards"):
        for card in cards:
            with st.container(border=True, width=CARD_WIDTH):
                st.metric(card.label, card.value)
                st.caption(card.caption)


def render(ctx: PageContext) -> None:
    """Draw the Overview page."""
    page_header(ctx, "Overview", text.INTRO, DATASETS)
    # The numbers and the figures come first on the page but need the "Changes since" date below them.
    numbers = st.container()
    try:
        choices: OverviewChoices = cache.page_view(ctx, overview_choices)
        controls = _since(choices, ctx)
        view: OverviewView = cache.page_view(ctx, overview_view, controls)
    except DataUnavailable as error:
        unavailable(str(error))
        return

    with numbers:
        st.markdown(f"#### {view.status}")
        _cards(tuple(card for row in view.cards for card in row))
        st.caption(text.NUMBERS_DOWNLOAD)
        download_table(view.numbers, "overview_numbers", ctx=ctx)
        if view.primary is not None:
            st.subheader(view.primary.title)
            label = f"{text.endpoint_short_name(view.primary.paramcd)} (S)"
            show_figure(
                primary_curve_figure,
                view.primary.curve,
                view.primary.benchmarks,
                label,
                key="overview_primary",
                ctx=ctx,
            )
            st.caption(view.primary.caption)
        else:
            unavailable(view.primary_unavailable)
        st.subheader("Enrollment against target" if view.target is not None else "Enrollment")
        show_figure(
            enrollment_progress_figure, view.progress, view.target, key="overview_enrollment", ctx=ctx
        )

    if view.changes is not None:
        st.caption(view.changes.caption)
        with st.container(border=True, key="changes", horizontal=True):
            for label, count in view.changes.counts:
                st.metric(label, count, width=CHANGE_WIDTH)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
