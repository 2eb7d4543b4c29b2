"""Toxicity: worst CTCAE grade per patient, grade >= 3 patients and events, acute vs late, relation to MDT."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.ctcae import ctcae_problems
from medcare_metrics.figures.toxicity import toxicity_grade_figure
from medcare_metrics.toxicity import (
    ToxicityCounts,
    ToxicityOptions,
    counted_events_text,
    denominator_text,
    grade_table,
    high_grade_events,
    high_grade_patients,
    restrict_to_soc,
    soc_names,
    split_choices,
    toxicity_by_grade,
    toxicity_by_phase,
    toxicity_by_relationship,
)

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
#: Columns of the grade >= 3 event listing on screen (the download has them all).
LISTING = (
    "USUBJID", "GROUP", "AESEQ", "AEDECOD", "AETERM", "GRADE_LABEL", "AESER", "AEREL", "ASTDT", "AENDT",
    "ONSET_DAYS", "PHASE", "TRTEMFL", "AEBODSYS",
)  # fmt: skip


def table(frame: pd.DataFrame, group_label: str | None = None) -> None:
    """Draw ``frame`` with readable column names; GROUP is shown as ``group_label``."""
    config = dict(LABELS)
    if group_label:
        config["GROUP"] = group_label
    st.dataframe(frame, hide_index=True, column_config=config)


def detail_by_level(
    measure: Callable[..., ToxicityCounts], label: str, key: str, group_label: str, filename: str
) -> None:
    """Draw ``measure`` by SOC or term, as the user picks, with its table and CSV download."""
    level = st.radio(label, ["System organ class", "Term"], horizontal=True, key=f"{key}_level")
    detail = cache.measure(
        ctx,
        measure,
        cache.Dataset("adae"),
        cache.Dataset("adsl"),
        level="soc" if level == "System organ class" else "term",
        options=options,
    )
    show_figure(toxicity_grade_figure(detail, value=value, max_rows=25), key=f"{key}_detail")
    table(grade_table(detail, order="frequency"), group_label)
    download_table(detail.counts, filename)


ctx = page_context()
trial = ctx.trial
intro = (
    "Adverse events as trial reports count them: each patient once per term, SOC or overall, at the worst "
    "grade, as a share of the treated patients (safety population)."
)
has_teae = trial.adae is not None and "TRTEMFL" in trial.adae.columns
# The header says which events are counted, so it reads the checkbox below before it is drawn; treatment-
# emergent events only by default, as the denominator (treated patients) implies.
teae_wanted = bool(st.session_state.get("tox_teae", has_teae)) and has_teae
if trial.adae is not None:
    intro += " " + cache.measure(
        ctx,
        counted_events_text,
        cache.Dataset("adae"),
        cache.Dataset("adsl"),
        ToxicityOptions(teae_only=teae_wanted),
    )
page_header(ctx, "Toxicity", intro)
if trial.adae is None:
    missing_dataset("adae", "the toxicity tables")
    st.stop()

adae, adsl = trial.adae, trial.adsl
splits = split_choices(adsl)
left, middle, right, far = st.columns(4)
split_label = left.selectbox("Split by", list(splits), key="tox_split")
value_label = middle.radio("Bars show", ["% of patients", "Patients"], horizontal=True, key="tox_value")
teae = right.checkbox(
    "Treatment-emergent only",
    value=has_teae,
    key="tox_teae",
    disabled=not has_teae,
    help='ADAE.TRTEMFL = "Y" (on by default)' if has_teae else "ADAE has no TRTEMFL column.",
)
window = far.number_input(
    "Acute window (days after MDT start)",
    min_value=0,
    max_value=3650,
    value=int(ctx.settings.acute_window_days),
    step=1,
    key="tox_window",
    help=f"Protocol default: {ctx.settings.acute_window_days} days.",
)
options = ToxicityOptions(teae_only=teae and has_teae, acute_window_days=int(window))
by = splits[split_label]
group_label = split_label if by is not None else None
value = "PCT" if value_label == "% of patients" else "N"

try:
    overall = cache.measure(
        ctx,
        toxicity_by_grade,
        cache.Dataset("adae"),
        cache.Dataset("adsl"),
        level="overall",
        by=by,
        options=options,
    )
except ValueError as err:
    unavailable(str(err))
    st.stop()

if overall.uses_severity:
    st.info(
        overall.scale.describe() + " The bars and tables below show severity, not CTCAE grades.",
        icon=":material/info:",
    )
high_label = "SEVERE" if overall.uses_severity else f"Grade ≥ {options.high_grade}"
st.caption(denominator_text(overall) + (" Treatment-emergent events only." if options.teae_only else ""))
n_problems = len(cache.measure(ctx, ctcae_problems, cache.Dataset("adae")))
if n_problems:
    st.caption(
        f":material/warning: {n_problems} AE term or grade problem(s) against CTCAE v5.0 (unknown term, "
        "impossible or missing grade); see the Data quality page. Events without a valid grade count under "
        "“Missing grade”."
    )

grades_tab, high_tab, phase_tab, rel_tab = st.tabs(
    ["Grades", f"{high_label} patients", "Acute vs late", "Relationship to MDT"]
)

with grades_tab:
    st.subheader("Any adverse event")
    show_figure(toxicity_grade_figure(overall, value=value), key="tox_overall")
    table(grade_table(overall), group_label)
    soc = cache.measure(
        ctx,
        toxicity_by_grade,
        cache.Dataset("adae"),
        cache.Dataset("adsl"),
        level="soc",
        by=by,
        options=options,
    )
    st.subheader("By system organ class")
    show_figure(toxicity_grade_figure(soc, value=value, max_rows=len(soc_names(soc))), key="tox_soc")
    table(grade_table(soc, order="frequency"), group_label)
    download_table(soc.counts, "toxicity_by_soc")

    st.subheader("By term")
    terms = cache.measure(
        ctx,
        toxicity_by_grade,
        cache.Dataset("adae"),
        cache.Dataset("adsl"),
        level="term",
        by=by,
        options=options,
    )
    socs = soc_names(terms)
    pick_col, top_col = st.columns([3, 1])
    chosen = pick_col.selectbox(
        "System organ class", ["All", *socs], key="tox_soc_pick", help="Drill down from a SOC to its terms."
    )
    shown = terms if chosen == "All" else restrict_to_soc(terms, chosen)
    n_terms = int(shown.counts["AEDECOD"].nunique())
    top = n_terms
    if n_terms > 10:
        top = int(
            top_col.number_input(
                f"Terms drawn (of {n_terms})",
                min_value=5,
                max_value=n_terms,
                value=min(25, n_terms),
                step=5,
                key="tox_top_n",
                help="The most frequent terms are drawn; the table lists them all.",
            )
        )
    show_figure(toxicity_grade_figure(shown, value=value, max_rows=top), key="tox_terms")
    if not overall.uses_severity:
        st.caption("Hover over a bar for the CTCAE v5.0 definition of that grade for that term.")
    table(grade_table(shown, order="frequency"), group_label)
    download_table(terms.counts, "toxicity_by_term")

with high_tab:
    patients = cache.measure(
        ctx, high_grade_patients, cache.Dataset("adae"), cache.Dataset("adsl"), by=by, options=options
    )
    events = cache.measure(
        ctx, high_grade_events, cache.Dataset("adae"), cache.Dataset("adsl"), by=by, options=options
    )
    n_high, n_pop = patients["USUBJID"].nunique(), overall.n_population
    share = f" ({100.0 * n_high / n_pop:.1f}%)" if n_pop else ""
    st.markdown(
        f"**{n_high} of {n_pop} patients**{share} in the safety population had at least one {high_label} "
        "event."
    )
    table(patients, group_label)
    download_table(patients, "toxicity_high_grade_patients")
    st.subheader(f"Every {high_label} event")
    st.caption(f"{len(events)} event(s), by patient and onset. The CSV download has every ADAE column used.")
    st.dataframe(
        events,
        hide_index=True,
        column_order=[c for c in LISTING if c in events.columns],
        column_config={**LABELS, "GROUP": group_label or "Group"},
    )
    download_table(events, "toxicity_high_grade_events")

with phase_tab:
    phases = cache.measure(
        ctx, toxicity_by_phase, cache.Dataset("adae"), cache.Dataset("adsl"), level="overall", options=options
    )
    st.caption(
        "Acute: onset from the day of the patient's MDT start (ADSL.TRTSDT) up to "
        f"{options.acute_window_days} days after it; late: after that. Onset from ASTDT, else the study day "
        "ASTDY. Events that began before the MDT start are shown apart as “Before MDT” (not toxicity of "
        "MDT); events without an onset date as “Unknown onset”. A patient with events in both phases counts "
        "in both. " + denominator_text(phases)
    )
    show_figure(toxicity_grade_figure(phases, value=value), key="tox_phase")
    table(grade_table(phases), "Phase")
    detail_by_level(toxicity_by_phase, "Acute and late by", "tox_phase", "Phase", "toxicity_acute_late")

with rel_tab:
    if "AEREL" not in adae.columns:
        unavailable("ADAE has no AEREL column (relationship to MDT).")
    else:
        related = cache.measure(
            ctx,
            toxicity_by_relationship,
            cache.Dataset("adae"),
            cache.Dataset("adsl"),
            level="overall",
            options=options,
        )
        st.caption("Relationship to MDT as recorded in ADAE.AEREL. " + denominator_text(related))
        show_figure(toxicity_grade_figure(related, value=value), key="tox_rel")
        table(grade_table(related), "Relationship")
        detail_by_level(
            toxicity_by_relationship, "Relationship by", "tox_rel", "Relationship", "toxicity_by_relationship"
        )
