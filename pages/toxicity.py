"""Toxicity: worst CTCAE grade per patient, grade >= 3 patients and events, acute vs late, relation to MDT."""

import pandas as pd
import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, table, unavailable
from medcare_metrics.figures.decision import monitoring_figure
from medcare_metrics.figures.toxicity import toxicity_grade_figure
from medcare_metrics.text import decision as decision_text
from medcare_metrics.text import toxicity as text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.decision import (
    MONITORING_METHODS,
    MONITORING_RATES,
    MonitoringControls,
    MonitoringView,
    toxicity_monitoring_view,
)
from medcare_metrics.views.toxicity import (
    DETAIL_LEVELS,
    VALUES,
    DetailSection,
    GradeFigure,
    ToxicityChoices,
    ToxicityControls,
    ToxicityView,
    toxicity_choices,
    toxicity_view,
)

#: Datasets whose validation problems the header names.
DATASETS: tuple[str, ...] = ("adsl", "adae")

#: Display names of the table columns (the data keep their ADaM names, also in the CSV downloads).
LABELS = {
    "AEBODSYS": "System organ class",
    "AEDECOD": "Term",
    "AETERM": "Reported term",
    "N": st.column_config.NumberColumn("N", help="Denominator: patients in the safety population (group)"),
    "USUBJID": "Patient",
    "SITEID": "Centre",
    "SITENAME": "Centre name",
    "MDTTYPE": "MDT type",
    "WORST_GRADE": None,
    "WORST_LABEL": "Worst",
    "N_EVENTS": st.column_config.NumberColumn("Events", help="Events at or above the threshold"),
    "TERMS": "Terms",
    "FIRST_ONSET": st.column_config.DateColumn("First onset", format="YYYY-MM-DD"),
    "AESEQ": "Seq",
    "GRADE_LABEL": "Grade",
    "AESER": "Serious",
    "AEREL": "Relationship",
    "ASTDT": st.column_config.DateColumn("Onset", format="YYYY-MM-DD"),
    "AENDT": st.column_config.DateColumn("End", format="YYYY-MM-DD"),
    "ONSET_DAYS": st.column_config.NumberColumn("Days after MDT", help="Onset day minus MDT start (TRTSDT)"),
    "PHASE": "Phase",
    "TRTEMFL": "TEAE",
}
#: Session-state key (and address parameter) of the open tab.
TAB_KEY = "toxicity_tab"
#: Columns of the grade >= 3 event listing on screen (the download has them all).
LISTING = (
    "USUBJID", "GROUP", "AESEQ", "AEDECOD", "AETERM", "GRADE_LABEL", "AESER", "AEREL", "ASTDT", "AENDT",
    "ONSET_DAYS", "PHASE", "TRTEMFL", "AEBODSYS",
)  # fmt: skip


def _table(frame: pd.DataFrame, group_label: str | None = None) -> None:
    """Draw ``frame`` with readable column names; GROUP is shown as ``group_label``."""
    config = dict(LABELS)
    if group_label:
        config["GROUP"] = group_label
    table(None, frame, hide_index=True, column_config=config)  # the session's role: no USUBJID for a viewer


def _figure(ctx: PageContext, figure: GradeFigure, key: str, max_rows: int | None = None) -> None:
    rows = max_rows or figure.max_rows
    show_figure(toxicity_grade_figure, figure.counts, value=figure.value, max_rows=rows, key=key, ctx=ctx)


def _controls(choices: ToxicityChoices) -> ToxicityControls:
    left, middle, right, far = st.columns(4)
    values = dict(VALUES)
    split = left.selectbox("Split by", list(choices.splits), key="tox_split")
    value = middle.radio("Bars show", list(values), horizontal=True, key="tox_value")
    teae = right.checkbox(
        "Treatment-emergent only",
        value=choices.has_teae,
        key="tox_teae",
        disabled=not choices.has_teae,
        help=text.TEAE_HELP if choices.has_teae else text.NO_TEAE_HELP,
    )
    window = far.number_input(
        "Acute window (days after MDT start)",
        min_value=0,
        max_value=3650,
        value=choices.acute_window_days,
        step=1,
        key="tox_window",
        help=text.window_help(choices.acute_window_days),
    )
    return ToxicityControls(str(split), values[str(value)], bool(teae), int(window))


def _grades(ctx: PageContext, view: ToxicityView) -> None:
    assert view.overall is not None and view.soc is not None
    st.subheader("Any adverse event")
    _figure(ctx, view.overall.figure, "tox_overall")
    _table(view.overall.table, view.group_label)
    st.subheader("By system organ class")
    _figure(ctx, view.soc.figure, "tox_soc")
    _table(view.soc.table, view.group_label)
    download_table(view.soc.download, "toxicity_by_soc", ctx=ctx)

    st.subheader("By term")
    pick_col, top_col = st.columns([3, 1])
    chosen = pick_col.selectbox(
        "System organ class", [t.soc for t in view.terms], key="tox_soc_pick", help=text.SOC_PICK_HELP
    )
    shown = view.term_section(str(chosen))
    top = shown.n_terms
    if shown.n_terms > 10:
        # How many terms to draw is a drawing choice: the view holds every term of the choice.
        top = int(
            top_col.number_input(
                text.top_n_label(shown.n_terms),
                min_value=5,
                max_value=shown.n_terms,
                value=min(25, shown.n_terms),
                step=5,
                key="tox_top_n",
                help=text.TOP_N_HELP,
            )
        )
    _figure(ctx, shown.figure, "tox_terms", max_rows=top)
    if view.definition_caption:
        st.caption(view.definition_caption)
    _table(shown.table, view.group_label)
    if view.terms_download is not None:
        download_table(view.terms_download, "toxicity_by_term", ctx=ctx)


def _high_grade(ctx: PageContext, view: ToxicityView) -> None:
    high = view.high
    assert high is not None
    st.markdown(high.sentence)
    _table(high.patients, view.group_label)
    download_table(high.patients, "toxicity_high_grade_patients", ctx=ctx)
    st.subheader(high.heading)
    st.caption(high.events_caption)
    table(
        None,
        high.events,
        hide_index=True,
        column_order=[c for c in LISTING if c in high.events.columns],
        column_config={**LABELS, "GROUP": view.group_label or "Group"},
    )
    download_table(high.events, "toxicity_high_grade_events", ctx=ctx)


def _detail(
    ctx: PageContext, section: DetailSection, key: str, group_label: str, level_label: str, filename: str
) -> None:
    st.caption(section.caption)
    _figure(ctx, section.overall.figure, key)
    _table(section.overall.table, group_label)
    level = st.radio(level_label, [label for label, _ in DETAIL_LEVELS], horizontal=True, key=f"{key}_level")
    detail = section.level(str(level))
    _figure(ctx, detail.figure, f"{key}_detail")
    _table(detail.table, group_label)
    download_table(detail.download, filename, ctx=ctx)


def _monitoring(ctx: PageContext, page: ToxicityControls) -> None:
    """Draw the toxicity stopping boundary (its own controls and view; the page's window and TEAE filter)."""
    st.subheader(decision_text.MONITORING_HEADING)
    left, right = st.columns(2)
    method = left.selectbox(
        "Boundary",
        list(MONITORING_METHODS),
        format_func=lambda m: decision_text.AS_STUDY_FILE if m is None else decision_text.METHOD_LABELS[m],
        key="tox_monitor_method",
    )
    rate = right.selectbox(
        "Unacceptable rate",
        list(MONITORING_RATES),
        format_func=lambda r: decision_text.AS_STUDY_FILE if r is None else decision_text.percent(r),
        key="tox_monitor_rate",
        help=decision_text.RATE_HELP,
    )
    controls = MonitoringControls(method, rate, page.acute_window_days, page.teae_only)
    monitoring: MonitoringView = cache.page_view(ctx, toxicity_monitoring_view, controls)
    if monitoring.description:
        st.caption(monitoring.description)
    if monitoring.unavailable:
        unavailable(monitoring.unavailable)
        return
    st.markdown(monitoring.status)
    st.markdown(monitoring.rule)
    if monitoring.figure is not None:
        figure = monitoring.figure
        args = (figure.boundary, figure.course, figure.crossed_at)
        show_figure(monitoring_figure, *args, key="tox_monitoring", ctx=ctx)
    st.caption(monitoring.caveat)
    if monitoring.whole_trial:
        st.caption(monitoring.whole_trial)
    with st.expander("Patients in order of MDT start", icon=":material/table:"):
        table(None, monitoring.course, hide_index=True, column_config={"USUBJID": "Patient"})
        download_table(monitoring.course_download, "toxicity_monitoring", ctx=ctx)
    st.dataframe(monitoring.operating, hide_index=True)
    st.caption(monitoring.operating_caption)


def render(ctx: PageContext) -> None:
    """Draw the Toxicity page."""
    try:
        choices: ToxicityChoices = cache.page_view(ctx, toxicity_choices)
    except DataUnavailable as error:
        page_header(ctx, "Toxicity", text.INTRO, DATASETS)
        unavailable(str(error))
        return
    if not choices.has_adae:
        page_header(ctx, "Toxicity", text.INTRO, DATASETS)
        missing_dataset("adae", text.NEEDED_FOR, ctx=ctx)
        return
    # The intro says which events are counted, which the controls below decide: its place is kept first.
    header = st.container()
    controls = _controls(choices)
    try:
        view: ToxicityView = cache.page_view(ctx, toxicity_view, controls)
    except DataUnavailable as error:
        with header:
            page_header(ctx, "Toxicity", text.INTRO, DATASETS)
        unavailable(str(error))
        return
    with header:
        page_header(ctx, "Toxicity", view.intro, DATASETS)
    if view.no_patient:  # the header says no patient matches the filters; nothing else to draw
        return
    if view.unavailable:
        unavailable(view.unavailable)
        return
    if view.severity_note:
        st.info(view.severity_note, icon=":material/info:")
    st.caption(view.denominator_caption)
    if view.ctcae_caption:
        st.caption(view.ctcae_caption)

    # Bound to the address so a copied link opens the same tab; only the open tab is drawn.
    grades_tab, high_tab, phase_tab, rel_tab = st.tabs(list(view.tabs), key=TAB_KEY, bind="query-params")
    if grades_tab.open:
        with grades_tab:
            _grades(ctx, view)
    if high_tab.open:
        with high_tab:
            _high_grade(ctx, view)
    if phase_tab.open:
        with phase_tab:
            assert view.phase is not None
            _detail(ctx, view.phase, "tox_phase", "Phase", "Acute and late by", "toxicity_acute_late")
    if rel_tab.open:
        with rel_tab:
            if view.relationship is None:
                unavailable(view.relationship_unavailable)
            else:
                _detail(
                    ctx,
                    view.relationship,
                    "tox_rel",
                    "Relationship",
                    "Relationship by",
                    "toxicity_by_relationship",
                )
    _monitoring(ctx, controls)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
