"""Toxicity: worst CTCAE grade per patient, grade >= 3 patients and events, acute vs late, relation to MDT."""

import streamlit as st

from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, show_figure, unavailable
from medcare_metrics.ctcae import ctcae_problems
from medcare_metrics.figures.toxicity import toxicity_grade_figure
from medcare_metrics.toxicity import (
    ToxicityOptions,
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

ctx = page_context()
trial = ctx.trial
page_header(
    ctx,
    "Toxicity",
    "Adverse events as trial reports count them: each patient once per term, SOC or overall, at the worst "
    "grade, as a share of the treated patients (safety population).",
)
if trial.adae is None:
    missing_dataset("adae", "the toxicity tables")
    st.stop()

adae, adsl = trial.adae, trial.adsl
splits = split_choices(adsl)
left, middle, right, far = st.columns(4)
split_label = left.selectbox("Split by", list(splits), key="tox_split")
value_label = middle.radio("Bars show", ["% of patients", "Patients"], horizontal=True, key="tox_value")
has_teae = "TRTEMFL" in adae.columns
teae = right.checkbox(
    "Treatment-emergent only",
    key="tox_teae",
    disabled=not has_teae,
    help='ADAE.TRTEMFL = "Y"' if has_teae else "ADAE has no TRTEMFL column.",
)
window = far.number_input(
    "Acute window (days after MDT start)",
    min_value=0,
    max_value=3650,
    value=int(ctx.settings.acute_window_days),
    step=1,
    key="tox_window",
)
options = ToxicityOptions(teae_only=teae and has_teae, acute_window_days=int(window))
by = splits[split_label]
value = "PCT" if value_label == "% of patients" else "N"

try:
    overall = toxicity_by_grade(adae, adsl, level="overall", by=by, options=options)
except ValueError as err:
    unavailable(str(err))
    st.stop()

if overall.uses_severity:
    st.info(overall.scale.describe(), icon=":material/info:")
high_label = "SEVERE" if overall.uses_severity else f"Grade ≥ {options.high_grade}"
st.caption(denominator_text(overall))
n_problems = len(ctcae_problems(adae))
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
    st.dataframe(grade_table(overall), hide_index=True)
    soc = toxicity_by_grade(adae, adsl, level="soc", by=by, options=options)
    st.subheader("By system organ class")
    show_figure(toxicity_grade_figure(soc, value=value), key="tox_soc")
    st.dataframe(grade_table(soc), hide_index=True)
    download_table(soc.counts, "toxicity_by_soc")
    st.subheader("Terms of one system organ class")
    terms = toxicity_by_grade(adae, adsl, level="term", by=by, options=options)
    socs = soc_names(terms)
    chosen = st.selectbox("System organ class", ["All", *socs], key="tox_soc_pick")
    shown = terms if chosen == "All" else restrict_to_soc(terms, chosen)
    show_figure(toxicity_grade_figure(shown, value=value), key="tox_terms")
    if not overall.uses_severity:
        st.caption("Hover over a bar for the CTCAE v5.0 definition of that grade for that term.")
    st.dataframe(grade_table(shown), hide_index=True)
    download_table(terms.counts, "toxicity_by_term")

with high_tab:
    patients = high_grade_patients(adae, adsl, by=by, options=options)
    events = high_grade_events(adae, adsl, by=by, options=options)
    st.markdown(f"**{patients['USUBJID'].nunique()} patients** with at least one {high_label} event.")
    st.dataframe(patients, hide_index=True)
    download_table(patients, "toxicity_high_grade_patients")
    st.subheader(f"Every {high_label} event")
    st.dataframe(events, hide_index=True)
    download_table(events, "toxicity_high_grade_events")

with phase_tab:
    phases = toxicity_by_phase(adae, adsl, level="overall", options=options)
    st.caption(
        f"Acute: onset up to {options.acute_window_days} days after the patient's MDT start (ADSL.TRTSDT); "
        "late: after that. Onset from ASTDT, else the study day ASTDY. A patient with events in both "
        "phases counts in both. " + denominator_text(phases)
    )
    show_figure(toxicity_grade_figure(phases, value=value), key="tox_phase")
    st.dataframe(grade_table(phases), hide_index=True)
    phase_terms = toxicity_by_phase(adae, adsl, level="term", options=options)
    st.dataframe(grade_table(phase_terms), hide_index=True)
    download_table(phase_terms.counts, "toxicity_acute_late_by_term")

with rel_tab:
    if "AEREL" not in adae.columns:
        unavailable("ADAE has no AEREL column (relationship to MDT).")
    else:
        related = toxicity_by_relationship(adae, adsl, level="overall", options=options)
        st.caption("Relationship as recorded in ADAE.AEREL. " + denominator_text(related))
        show_figure(toxicity_grade_figure(related, value=value), key="tox_rel")
        st.dataframe(grade_table(related), hide_index=True)
        download_table(related.counts, "toxicity_by_relationship")
