"""Patients: swimmer plot, PSA waterfall, one patient's profile, what changed since a date, follow-up due."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import (
    column_labels,
    download_table,
    missing_dataset,
    no_patient_selected,
    on_screen,
    page_header,
    show_figure,
    table,
    unavailable,
)
from medcare_metrics.figures.patients import (
    patient_timeline_figure,
    psa_trajectory_figure,
    psa_waterfall_figure,
    swimmer_figure,
)
from medcare_metrics.text import followup as followup_text
from medcare_metrics.text import patients as text
from medcare_metrics.text.common import column_label
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.followup import FollowUpControls, FollowUpView, follow_up_view
from medcare_metrics.views.patients import (
    SWIMMER_ORDERS,
    ChangesControls,
    ChangesView,
    PatientsChoices,
    ProfileControls,
    ProfileView,
    SwimmerControls,
    SwimmerView,
    WaterfallControls,
    WaterfallView,
    changes_view,
    patients_choices,
    profile_view,
    swimmer_page,
    swimmer_page_count,
    swimmer_view,
    waterfall_view,
)

#: Datasets whose validation problems the header names.
DATASETS: tuple[str, ...] = ("adsl", "adtte", "adae", "adtu", "adlb")
#: The page's tabs, and the session-state key (and address parameter) of the open one.
TABS: tuple[str, ...] = ("Swimmer plot", "PSA waterfall", "Patient profile", "Changes since", "Follow-up")
TAB_KEY = "patients_tab"


def _table(frame: pd.DataFrame) -> None:
    """Show a listing with its dates as YYYY-MM-DD."""
    dates = frame.select_dtypes(include=["datetime64[ns]"]).columns
    config = {c: st.column_config.DateColumn(column_label(c), format="YYYY-MM-DD") for c in dates}
    st.dataframe(on_screen(frame), hide_index=True, column_config=column_labels(list(frame.columns), config))


def _swimmer(ctx: PageContext) -> None:
    orders = dict(SWIMMER_ORDERS)
    label = st.radio("Sort patients by", list(orders), horizontal=True, key="patients_swimmer_order")
    view: SwimmerView = cache.page_view(ctx, swimmer_view, SwimmerControls(orders[str(label)]))
    if view.patients.empty:
        st.info(text.NO_SWIMMER, icon=":material/info:")
        return
    st.markdown(view.summary)
    pages = swimmer_page_count(len(view.patients))
    page = 1
    if pages > 1:
        # Keyed on the page count: a filter change that leaves fewer pages starts again at page 1.
        page = st.number_input(
            "Swimmer plot page",
            min_value=1,
            max_value=pages,
            value=1,
            step=1,
            key=f"patients_swimmer_page_{pages}",
        )
    shown = swimmer_page(view, int(page))
    if shown.caption:
        st.caption(shown.caption)
    show_figure(
        swimmer_figure,
        shown.patients,
        shown.events,
        key="patients_swimmer",
        ctx=ctx,
        derived_from=(view, int(page)),
    )
    st.caption(view.caption)
    download_table(view.patients, "swimmer_patients", ctx=ctx)
    if view.missing_adtte:
        missing_dataset("adtte", text.MARKERS_NEED, ctx=ctx)


def _waterfall(ctx: PageContext, choices: PatientsChoices) -> None:
    if not choices.has_adlb:
        missing_dataset("adlb", text.WATERFALL_NEED, ctx=ctx)
        return
    stop_at_nest = st.toggle(
        "Leave out PSA values after the start of a next-line systemic treatment",
        value=choices.has_adtte,
        disabled=not choices.has_adtte,
        key="patients_psa_until_nest",
        help=text.PSA_UNTIL_NEST_HELP,
    )
    view: WaterfallView = cache.page_view(ctx, waterfall_view, WaterfallControls(bool(stop_at_nest)))
    if view.unavailable:
        unavailable(view.unavailable)
        return
    st.markdown(view.sentence)
    show_figure(psa_waterfall_figure, view.waterfall, title=view.title, key="patients_waterfall", ctx=ctx)
    st.caption(view.caption)
    download_table(view.waterfall, "psa_waterfall", ctx=ctx)


def _listing(ctx: PageContext, table: pd.DataFrame | None, dataset: str, needed_for: str, none: str) -> None:
    if table is None:
        missing_dataset(dataset, needed_for, ctx=ctx)
    elif table.empty:
        st.caption(none)
    else:
        st.dataframe(table, hide_index=True, column_config=column_labels(list(table.columns)))


def _profile(ctx: PageContext, choices: PatientsChoices) -> None:
    if not choices.ids:
        st.info(text.NO_PATIENT, icon=":material/info:")
        return
    usubjid = st.selectbox("Patient (USUBJID)", choices.ids, key="patient", bind="query-params")
    view: ProfileView = cache.page_view(ctx, profile_view, ProfileControls(str(usubjid)))
    profile = view.profile
    if profile is None:
        st.info(text.NO_PATIENT, icon=":material/info:")
        return
    left, right = st.columns(2)
    with left:
        st.subheader("Baseline")
        st.table(view.baseline, hide_index=True, hide_header=True)
    with right:
        st.subheader("Dates and status")
        st.table(view.dates, hide_index=True, hide_header=True)
    st.subheader("Lesions and their MDT")
    _listing(ctx, view.lesions, "adtu", text.LESIONS_NEED, text.NO_LESION)
    st.subheader("Timeline: events and adverse events")
    show_figure(
        patient_timeline_figure, profile.events, profile.adverse_events, key="patients_timeline", ctx=ctx
    )
    _listing(ctx, view.adverse_events, "adae", text.AES_NEED, text.NO_AE)
    if view.adverse_events is not None and not view.adverse_events.empty:
        st.caption(text.AE_CAPTION)
    st.subheader("PSA trajectory")
    if profile.psa is None:
        missing_dataset("adlb", text.PSA_NEED, ctx=ctx)
    elif profile.psa.empty:
        st.caption(text.NO_PSA)
    else:
        log_y = st.toggle("Logarithmic PSA axis", key="patients_psa_log")
        show_figure(
            psa_trajectory_figure, profile.psa, profile.events, log_y=log_y, key="patients_psa", ctx=ctx
        )
    st.subheader("Time-to-event records")
    _listing(ctx, view.time_to_event, "adtte", text.TTE_NEED, text.NO_TTE)


def _changes(ctx: PageContext, choices: PatientsChoices) -> None:
    window = choices.since
    if window is None:
        unavailable(text.NO_DATE)
        return
    # Same key, default and URL parameter as the overview's "Changes since": one date for both pages.
    since = st.date_input(
        "Changes since",
        value=window.default,
        min_value=window.min,
        max_value=window.max,
        key="since",
        bind="query-params",
        format="YYYY-MM-DD",
        width=300,
        help=text.CHANGES_HELP,
    )
    view: ChangesView = cache.page_view(ctx, changes_view, ChangesControls(since))
    st.markdown(view.sentence)
    for start in range(0, len(view.counts), 3):
        for column, (label, count) in zip(st.columns(3), view.counts[start : start + 3], strict=False):
            column.metric(label, count, border=True)
    for note in view.notes:
        unavailable(note)
    for listing in view.listings:
        st.subheader(listing.title)
        if listing.table.empty:
            st.caption(text.NO_CHANGE)
        else:
            _table(listing.table)
            download_table(listing.table, f"changes_{listing.name}", ctx=ctx)


def _followup(ctx: PageContext) -> None:
    only_late = st.toggle("Only visits due now or overdue", key="patients_followup_late")
    view: FollowUpView = cache.page_view(ctx, follow_up_view, FollowUpControls(bool(only_late)))
    if view.unavailable:
        unavailable(view.unavailable)
        return
    st.caption(view.schedule)
    if view.none_on_study:
        st.info(view.none_on_study, icon=":material/info:")
    else:
        st.markdown(view.sentence)
        st.markdown(followup_text.BY_CENTRE_TITLE)
        table(ctx, view.by_centre, hide_index=True, key="patients_followup_centres")
        st.markdown(followup_text.LIST_TITLE)
        _table(view.shown)
        download_table(view.shown, "follow_up_due", ctx=ctx, excel=True)
    with st.expander("How due and overdue are decided"):
        st.markdown(view.rules)


def _tab(draw: Callable[..., None], *args: object) -> None:
    """Draw one tab; when its data cannot give it, say why in one sentence and leave the other tabs be."""
    try:
        draw(*args)
    except DataUnavailable as error:
        unavailable(str(error))


def render(ctx: PageContext) -> None:
    """Draw the Patients page."""
    page_header(ctx, "Patients", text.INTRO, DATASETS)
    if no_patient_selected(ctx):  # the header says no patient matches the filters; nothing else to draw
        return
    try:
        choices: PatientsChoices = cache.page_view(ctx, patients_choices)
    except DataUnavailable as error:
        unavailable(str(error))
        return
    # Bound to the URL so a copied link opens the same tab, patient and window.
    tabs = st.tabs(list(TABS), key=TAB_KEY, bind="query-params")
    drawn: tuple[tuple[Callable[..., None], tuple[object, ...]], ...] = (
        (_swimmer, (ctx,)),
        (_waterfall, (ctx, choices)),
        (_profile, (ctx, choices)),
        (_changes, (ctx, choices)),
        (_followup, (ctx,)),
    )
    for tab, (draw, args) in zip(tabs, drawn, strict=True):
        # Only the open tab is drawn: the others' views are computed when opened, not on every click.
        if tab.open:
            with tab:
                _tab(draw, *args)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
