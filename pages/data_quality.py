"""Data quality: validation problems, loading notes, possible protocol deviations and CTCAE checks."""

import streamlit as st

from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header
from medcare_metrics.ctcae import ctcae_problems
from medcare_metrics.eligibility import protocol_deviations, rules_not_checked
from medcare_metrics.filters import Filters, filter_options, select_rows

ctx = page_context()
page_header(
    ctx,
    "Data quality",
    "What loading found wrong in the files, what it derived, and values that break protocol or CTCAE rules.",
)

st.subheader("Validation problems")
problems = ctx.problems
if problems.empty:
    st.success("Every dataset passed validation.", icon=":material/check_circle:")
else:
    errors = select_rows(problems, Filters.from_mapping({"severity": ["error"]}))
    warnings = select_rows(problems, Filters.from_mapping({"severity": ["warning"]}))
    st.caption(
        f"{len(errors)} errors (row or dataset left out, or results would be wrong) and {len(warnings)} "
        "warnings (value missing or suspect, row kept), for the whole source: the sidebar filters do not "
        "apply."
    )
    left, right = st.columns(2)
    datasets = left.multiselect("Dataset", filter_options(problems, "dataset"), placeholder="All")
    severities = right.multiselect("Severity", filter_options(problems, "severity"), placeholder="All")
    shown = select_rows(problems, Filters.from_mapping({"dataset": datasets, "severity": severities}))
    st.dataframe(shown, hide_index=True)
    download_table(shown, "validation_problems.csv")

st.subheader("Derived or assumed while loading")
notes = ctx.trial.notes
if notes:
    st.markdown("\n".join(f"- {note}" for note in notes))
else:
    st.caption("Nothing: every value was read as given.")

st.subheader("Possible protocol deviations")
st.caption(
    "Enrolled patients in the current selection whose data break an eligibility rule of the protocol. "
    "Each row needs checking against the source documents."
)
deviations = protocol_deviations(ctx.trial.adsl, ctx.trial.adtu)
if deviations.empty:
    st.success("No enrolled patient breaks a checked rule.", icon=":material/check_circle:")
else:
    st.dataframe(deviations, hide_index=True)
    download_table(deviations, "protocol_deviations.csv")
skipped = rules_not_checked(ctx.trial.adsl, ctx.trial.adtu)
if not skipped.empty:
    st.caption("Rules not checked because their data are absent:")
    st.dataframe(skipped, hide_index=True)

st.subheader("CTCAE v5.0 checks")
if ctx.trial.adae is None:
    missing_dataset("adae", "the CTCAE term and grade checks")
else:
    bad_terms = ctcae_problems(ctx.trial.adae)
    if bad_terms.empty:
        st.success("Every adverse event term and grade fits CTCAE v5.0.", icon=":material/check_circle:")
    else:
        st.caption("Adverse events whose term or grade does not fit CTCAE v5.0 (row = ADAE record, from 0).")
        st.dataframe(bad_terms, hide_index=True)
        download_table(bad_terms, "ctcae_problems.csv")
