"""Data quality: validation problems, loading notes, protocol deviations, contradictions and CTCAE checks."""

import streamlit as st

from medcare_app import cache
from medcare_app.context import page_context
from medcare_app.ui import download_table, missing_dataset, page_header, plural
from medcare_metrics.consistency import RULES as CONSISTENCY_RULES
from medcare_metrics.consistency import consistency_problems, consistency_rules_not_checked
from medcare_metrics.ctcae import CTCAE_VERSION, GRADE_COLUMNS, ctcae_problems
from medcare_metrics.eligibility import RULES, UNCHECKABLE_CRITERIA, protocol_deviations, rules_not_checked
from medcare_metrics.filters import Filters, filter_options, search_rows, select_rows
from medcare_metrics.loading import summarise_problems
from medcare_metrics.protocol import ELIGIBILITY_CRITERIA

ctx = page_context()
page_header(
    ctx,
    "Data quality",
    "What loading found wrong in the files, what it derived, values that break protocol or CTCAE rules, and "
    "datasets that contradict each other.",
)

PROBLEM_COLUMNS = {
    "row": st.column_config.NumberColumn(
        "row",
        help="Line in the file for CSV and Excel (the header is line 1); record number for XPT, SAS7BDAT and "
        "Parquet. Empty when the problem concerns the whole file or column.",
        format="%d",
    ),
    "problem": st.column_config.TextColumn("problem", width="large"),
}

st.subheader("Validation problems")
problems = ctx.problems
if problems.empty:
    st.success("Every dataset passed validation.", icon=":material/check_circle:")
else:
    errors = select_rows(problems, Filters.from_mapping({"severity": ["error"]}))
    warnings = select_rows(problems, Filters.from_mapping({"severity": ["warning"]}))
    st.caption(
        f"{plural(len(errors), 'error')} (row or dataset left out, or results would be wrong) and "
        f"{plural(len(warnings), 'warning')} (value set missing or suspect, row kept), for the whole source: "
        "the sidebar filters do not apply. The source files are never changed."
    )
    st.markdown("**By kind of problem**")
    st.dataframe(
        summarise_problems(problems),
        hide_index=True,
        column_order=["severity", "dataset", "column", "check", "count", "subjects", "example"],
        column_config={"example": st.column_config.TextColumn("example", width="large")},
        key="dq_problem_summary",
    )
    st.markdown("**Each problem**")
    left, middle, right, last = st.columns(4)
    datasets = left.multiselect("Dataset", filter_options(problems, "dataset"), placeholder="All")
    severities = middle.multiselect("Severity", filter_options(problems, "severity"), placeholder="All")
    columns = right.multiselect("Column", filter_options(problems, "column"), placeholder="All")
    checks = last.multiselect("Check", filter_options(problems, "check"), placeholder="All")
    search = st.text_input(
        "Search", placeholder="USUBJID, value or words of the problem", key="dq_search", width=400
    )
    chosen = Filters.from_mapping(
        {"dataset": datasets, "severity": severities, "column": columns, "check": checks}
    )
    shown = search_rows(select_rows(problems, chosen), search, ("USUBJID", "problem", "file"))
    st.caption(f"{len(shown)} of {len(problems)} problems shown.")
    st.dataframe(
        shown,
        hide_index=True,
        column_config=PROBLEM_COLUMNS,
        column_order=["severity", "dataset", "file", "row", "USUBJID", "column", "check", "problem"],
        key="dq_problems",
    )
    download_table(shown, "validation_problems.csv")

st.subheader("Derived or assumed while loading")
notes = ctx.full.notes
if notes:
    st.markdown("\n".join(f"- {note}" for note in notes))
else:
    st.caption("Nothing: every value was read as given.")

# Data checks concern the data as delivered: a replay at an earlier date cannot undo a later grade change,
# so it could show contradictions the source does not have. Filters still apply.
delivered = cache.view(ctx.source, ctx.fingerprint, ctx.filters, None) or ctx.trial
if ctx.replayed:
    st.info(
        "The checks below run on the data as delivered (cut-off), not as of the chosen date; "
        "the filters apply.",
        icon=":material/info:",
    )

st.subheader("Possible protocol deviations")
st.caption(
    "Enrolled patients in the current selection whose data break an eligibility rule of the protocol. "
    "Each row needs checking against the source documents."
)
deviations = protocol_deviations(delivered.adsl, delivered.adtu)
skipped = rules_not_checked(delivered.adsl, delivered.adtu)
checked = len(RULES) - len(skipped)
if not deviations.empty:
    st.dataframe(
        deviations,
        hide_index=True,
        key="dq_deviations",
        column_order=["USUBJID", "SITEID", "RULE", "VALUE", "DETAIL", "CRITERION"],
        column_config={"CRITERION": st.column_config.TextColumn("CRITERION", width="medium")},
    )
    download_table(deviations, "protocol_deviations.csv")
elif checked == 0:
    st.info("No eligibility rule could be checked: the data lack every column they need (below).")
else:
    st.success(
        f"No enrolled patient breaks a checked rule ({checked} of {len(RULES)} rules could be checked).",
        icon=":material/check_circle:",
    )
if not skipped.empty:
    st.markdown(f"**Rules not checked** ({len(skipped)} of {len(RULES)}): their data are absent.")
    st.dataframe(skipped, hide_index=True, key="dq_not_checked")
st.caption(
    "Criteria no ADaM column records, to be checked at the centre: "
    + "; ".join(f"{code} {ELIGIBILITY_CRITERIA[code]}" for code in UNCHECKABLE_CRITERIA)
    + "."
)

st.subheader("Consistency between datasets")
st.caption(
    "Patients in the current selection whose datasets contradict each other, for example a fatal (grade 5) "
    "adverse event for a patient recorded alive, or a date after the data cut-off. Each row needs checking "
    "against the source documents."
)
contradictions = consistency_problems(delivered)
unchecked = consistency_rules_not_checked(delivered)
n_rules = len(CONSISTENCY_RULES)
consistency_checked = n_rules - len(unchecked)
if not contradictions.empty:
    st.dataframe(
        contradictions,
        hide_index=True,
        key="dq_consistency",
        column_config={"DETAIL": st.column_config.TextColumn("DETAIL", width="large")},
    )
    download_table(contradictions, "consistency_problems.csv")
elif consistency_checked == 0:
    st.info("No consistency rule could be checked: the data lack every column they need (below).")
else:
    st.success(
        f"No contradiction between datasets ({consistency_checked} of {n_rules} rules could be checked).",
        icon=":material/check_circle:",
    )
if not unchecked.empty:
    st.markdown(f"**Consistency rules not checked** ({len(unchecked)} of {n_rules}): their data are absent.")
    st.dataframe(
        unchecked,
        hide_index=True,
        key="dq_consistency_not_checked",
        column_config={"DESCRIPTION": st.column_config.TextColumn("DESCRIPTION", width="medium")},
    )

st.subheader(f"CTCAE v{CTCAE_VERSION} checks")
adae = delivered.adae
if adae is None:
    missing_dataset("adae", "the CTCAE term and grade checks")
elif not any(column in adae.columns for column in GRADE_COLUMNS):
    severity = " It records severity (AESEV: MILD, MODERATE, SEVERE) instead." if "AESEV" in adae else ""
    st.info(
        f"ADAE has no CTCAE grade (ATOXGR or AETOXGR), so the grade checks do not apply.{severity} Such data "
        "are usually coded in MedDRA preferred terms rather than CTCAE terms, so term mismatches are "
        "expected and are not listed as problems.",
        icon=":material/info:",
    )
    with st.expander(f"Compare the ADAE terms with CTCAE v{CTCAE_VERSION} anyway"):
        by_term = summarise_problems(ctcae_problems(adae, check_terms=True), by=("problem", "AEDECOD"))
        st.caption(
            f"{by_term['count'].sum()} findings on {len(adae)} adverse events of the current selection, "
            "one line per term and finding (count = events, subjects = patients)."
        )
        st.dataframe(
            by_term,
            hide_index=True,
            column_order=["AEDECOD", "problem", "count", "subjects"],
            key="dq_ctcae_terms",
        )
else:
    bad_terms = ctcae_problems(adae)
    if bad_terms.empty:
        st.success(
            f"Every adverse event term and grade of the current selection fits CTCAE v{CTCAE_VERSION}.",
            icon=":material/check_circle:",
        )
    else:
        st.caption(
            "Adverse events of the current selection whose term or grade does not fit "
            f"CTCAE v{CTCAE_VERSION}."
        )
        st.dataframe(
            bad_terms,
            hide_index=True,
            column_config={
                "row": st.column_config.NumberColumn(
                    "ADAE record", help="Position in ADAE as loaded, first record = 0.", format="%d"
                ),
                "ASTDT": st.column_config.DateColumn("ASTDT", format="YYYY-MM-DD"),
                "problem": st.column_config.TextColumn("problem", width="large"),
            },
            key="dq_ctcae",
        )
        download_table(bad_terms, "ctcae_problems.csv")
