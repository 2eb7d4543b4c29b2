"""Lesions: progressing lesions at registration, their sites, what PSMA PET-CT added, MDT and dose."""

import pandas as pd
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
from medcare_metrics.figures.lesions import (
    detection_figure,
    eqd2_figure,
    lesion_count_figure,
    lesion_site_figure,
    patient_site_figure,
    site_pattern_figure,
)
from medcare_metrics.text import lesions as text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.lesions import (
    BASES,
    MAP_ORDERS,
    SITE_LEVELS,
    SITE_STACKS,
    CountFigure,
    LesionsChoices,
    LesionsControls,
    LesionsView,
    Share,
    lesions_choices,
    lesions_view,
)

#: Datasets whose validation problems the header names.
DATASETS: tuple[str, ...] = ("adsl", "adtu")

GY = "%.1f Gy"
#: Display names of the table columns (the data keep their ADaM names, also in the CSV downloads).
LABELS = {
    "USUBJID": "Patient",
    "N_LESIONS": "Lesions",
    "N_CONVENTIONAL": st.column_config.NumberColumn(
        "On CT + bone scan", help="Lesions on conventional imaging"
    ),
    "POLYPROGRESSION": st.column_config.CheckboxColumn(
        "Polyprogression", help="More lesions on conventional imaging than the protocol allows"
    ),
    "MDTTYPE": "MDT type",
    "MDTLES": "Lesion MDT",
    "TULOCCAT": "Site category",
    "TULOC": "Site",
    "TUMETHOD": "Detection",
    "TULNKID": "Lesion",
    "N_PATIENTS": "Patients",
    "PCT_LESIONS": st.column_config.NumberColumn("% of lesions", format="%.1f%%"),
    "RTDOSE": st.column_config.NumberColumn("Total dose", format=GY),
    "RTFX": "Fractions",
    "DOSE_PER_FX": st.column_config.NumberColumn("Dose per fraction", format=GY),
    "BED": st.column_config.NumberColumn("BED", format=GY),
    "EQD2": st.column_config.NumberColumn("EQD2", format=GY),
    "N_DOSE_MISSING": st.column_config.NumberColumn("No dose", help="Lesions without RTDOSE or RTFX"),
    "RTDOSE_MEDIAN": st.column_config.NumberColumn("Dose, median", format=GY),
    "RTDOSE_MIN": st.column_config.NumberColumn("min", format=GY),
    "RTDOSE_MAX": st.column_config.NumberColumn("max", format=GY),
    "RTFX_MEDIAN": st.column_config.NumberColumn("Fractions, median", format="%g"),
    "RTFX_MIN": None,
    "RTFX_MAX": None,
    "EQD2_MEDIAN": st.column_config.NumberColumn("EQD2, median", format=GY),
    "EQD2_MIN": st.column_config.NumberColumn("min", format=GY),
    "EQD2_MAX": st.column_config.NumberColumn("max", format=GY),
}
TABS = ("Lesions per patient", "Sites", "Detection (PSMA PET-CT)", "MDT and dose", "Patient × site")


def _table(frame: pd.DataFrame) -> None:
    """Draw ``frame`` with readable column names and units."""
    table(None, frame, hide_index=True, column_config=LABELS)  # the session's role: no USUBJID for a viewer


def _metric(where: DeltaGenerator, share: Share) -> None:
    """Draw an "n of N" metric with its percentage under it."""
    if share.percent is None:
        where.metric(share.label, share.value, help=share.help, border=True)
        return
    where.metric(
        share.label,
        share.value,
        share.percent,
        delta_color="off",
        delta_arrow="off",
        help=share.help,
        border=True,
    )


def _count_figure(ctx: PageContext, figure: CountFigure, key: str) -> None:
    show_figure(
        lesion_count_figure,
        figure.distribution,
        max_lesions=figure.max_lesions,
        limit_label=figure.limit_label,
        key=key,
        ctx=ctx,
    )


def _radio(
    label: str, options: tuple[tuple[str, str], ...], key: str, where: DeltaGenerator | None = None
) -> str:
    """Draw a horizontal radio of ``options`` labels (in ``where``, else here) and return the chosen value."""
    names = [name for name, _ in options]
    if where is None:
        chosen = st.radio(label, names, horizontal=True, key=key)
    else:
        chosen = where.radio(label, names, horizontal=True, key=key)
    return dict(options)[str(chosen)]


def _without_tabs(ctx: PageContext, view: LesionsView) -> None:
    """Draw the page for a source without usable lesions or a selection without enrolled patients."""
    if view.missing_adtu:
        missing_dataset("adtu", text.NEEDED_FOR, ctx=ctx)
        counts = view.adsl_counts
        assert counts is not None
        if counts.figure is not None:
            st.subheader(counts.heading)
            _count_figure(ctx, counts.figure, "les_count_adsl")
        st.caption(counts.caption)
    elif view.unavailable:
        unavailable(view.unavailable)
    else:
        st.info(view.no_patient, icon=":material/info:")


def render(ctx: PageContext) -> None:
    """Draw the Lesions page."""
    page_header(ctx, "Lesions", text.INTRO, DATASETS)
    if no_patient_selected(ctx):  # the header says no patient matches the filters; nothing else to draw
        return
    try:
        choices: LesionsChoices = cache.page_view(ctx, lesions_choices)
        if not choices.shows_tabs:
            _without_tabs(ctx, cache.page_view(ctx, lesions_view, LesionsControls()))
            return
    except DataUnavailable as error:
        unavailable(str(error))
        return

    count_tab, site_tab, detection_tab, mdt_tab, map_tab = st.tabs(list(TABS))
    # Each tab's controls come first in the tab, except where content sits above them: its place is kept.
    with count_tab:
        basis = _radio("Count", BASES, "les_basis")
    with site_tab:
        left, right = st.columns(2)
        level = _radio("Group by", SITE_LEVELS, "les_site_level", left)
        stack = _radio("Stack by", SITE_STACKS, "les_site_stack", right)
    with mdt_tab:
        st.subheader("MDT per lesion")
        per_lesion_area = st.container()
        st.subheader("Radiotherapy dose and fractionation")
        alpha_beta = None
        if choices.has_dose:
            alpha_beta = st.number_input(
                "Alpha/beta ratio (Gy) for BED and EQD2",
                min_value=0.1,
                max_value=20.0,
                value=float(choices.alpha_beta_gy),
                step=0.5,
                key="les_alpha_beta",
                help=choices.alpha_beta_help,
            )
    with map_tab:
        patterns_area = st.container()
        st.subheader("Patient × site category")
        order = _radio("Order patients by", MAP_ORDERS, "les_map_order")
    controls = LesionsControls(
        basis=basis,
        site_level=level,
        site_stack=stack,
        alpha_beta_gy=None if alpha_beta is None else float(alpha_beta),
        map_order=order,
    )
    try:
        view: LesionsView = cache.page_view(ctx, lesions_view, controls)
    except DataUnavailable as error:
        with count_tab:
            unavailable(str(error))
        return
    assert view.counts and view.sites and view.detection and view.mdt and view.map

    with count_tab:
        counts = view.counts
        _count_figure(ctx, counts.figure, "les_count")
        warning = counts.warning if ctx.can_see_subjects else counts.warning_without_ids
        if warning:
            st.warning(warning, icon=":material/warning:")
        st.caption(counts.caption)
        _table(counts.per_patient)
        download_table(counts.per_patient, "lesions_per_patient", ctx=ctx)

    with site_tab:
        show_figure(lesion_site_figure, view.sites.by_site, key="les_site", ctx=ctx)
        st.caption(view.sites.caption)
        _table(view.sites.by_site)
        download_table(view.sites.by_site, "lesions_by_site", ctx=ctx)

    with detection_tab:
        detection = view.detection
        if detection.summary is None:
            unavailable(detection.unavailable)
        else:
            for column, share in zip(st.columns(len(detection.metrics)), detection.metrics, strict=True):
                _metric(column, share)
            st.caption(detection.caption)
            show_figure(detection_figure, detection.summary, key="les_detection", ctx=ctx)
            _table(detection.summary.by_site)

    with mdt_tab:
        with per_lesion_area:
            if view.mdt.unavailable:
                unavailable(view.mdt.unavailable)
            else:
                _table(view.mdt.per_lesion)
        dose = view.mdt.dose
        if dose.unavailable:
            unavailable(dose.unavailable)
        else:
            st.caption(dose.caption)
            _table(dose.by_modality)
            st.markdown("**Schedules**")
            _table(dose.schedules)
            download_table(dose.schedules, "radiotherapy_schedules", ctx=ctx)
            if ctx.can_see_subjects:
                show_figure(eqd2_figure, dose.doses, dose.alpha_beta_gy, key="les_eqd2", ctx=ctx)
                st.caption(dose.figure_caption)
            else:
                st.caption(text.PATIENT_LEVEL_ONLY)
            download_table(dose.doses, "radiotherapy_doses_per_lesion", ctx=ctx)

    with map_tab:
        with patterns_area:
            st.subheader("Site patterns")
            show_figure(site_pattern_figure, view.map.patterns, key="les_patterns", ctx=ctx)
            st.caption(view.map.patterns_caption)
        site_map = view.map.map
        if ctx.can_see_subjects:
            show_figure(
                patient_site_figure,
                site_map.matrix,
                compact_above=site_map.compact_above,
                key="les_map",
                ctx=ctx,
            )
            st.caption(view.map.map_caption)
        else:
            st.caption(text.PATIENT_LEVEL_ONLY)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
