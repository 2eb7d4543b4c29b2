"""Data quality: validation problems, loading notes, protocol deviations, contradictions and CTCAE checks."""

from typing import Any

import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_app.shell import run_standalone
from medcare_app.ui import download_table, missing_dataset, page_header, table, unavailable
from medcare_metrics.text import data_quality as text
from medcare_metrics.text import queries as queries_text
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.data_quality import (
    DataChecks,
    DataQualityControls,
    DataQualityView,
    RuleSection,
    ValidationSection,
    data_checks,
    data_quality_choices,
    validation_section,
)

#: Datasets whose problems the header names: none, since this page lists every problem itself.
DATASETS: tuple[str, ...] = ()

PROBLEM_COLUMNS = {
    "row": st.column_config.NumberColumn("row", help=text.ROW_HELP, format="%d"),
    "problem": st.column_config.TextColumn("problem", width="large"),
}


def _controls(ctx: PageContext) -> DataQualityControls:
    choices = cache.page_view(ctx, data_quality_choices)
    left, middle, right, last = st.columns(4)
    chosen = {
        "dataset": left.multiselect("Dataset", choices.values("dataset"), placeholder="All"),
        "severity": middle.multiselect("Severity", choices.values("severity"), placeholder="All"),
        "column": right.multiselect("Column", choices.values("column"), placeholder="All"),
        "check": last.multiselect("Check", choices.values("check"), placeholder="All"),
    }
    # A search by subject identifier would tell a viewer (aggregates only) who is in the data.
    search = (
        st.text_input(
            "Search", placeholder="USUBJID, value or words of the problem", key="dq_search", width=400
        )
        if ctx.can_see_subjects
        else ""
    )
    return DataQualityControls.chosen(chosen, search)


def _rule_section(
    ctx: PageContext,
    section: RuleSection,
    key: str,
    filename: str,
    column_config: dict[str, Any],
    column_order: list[str] | None = None,
) -> None:
    if not section.findings.empty:
        table(
            ctx,
            section.findings,
            hide_index=True,
            key=key,
            column_config=column_config,
            column_order=column_order,
        )
        download_table(section.findings, filename, ctx=ctx)
    elif section.n_checked == 0:
        st.info(section.none_checked_text)
    else:
        st.success(section.ok_text, icon=":material/check_circle:")


def _ctcae(ctx: PageContext, view: DataQualityView) -> None:
    ctcae = view.ctcae
    st.subheader(ctcae.heading)
    if ctcae.missing_adae:
        missing_dataset("adae", "the CTCAE term and grade checks", ctx=ctx)
    elif not ctcae.applies:
        st.info(ctcae.no_grade_note, icon=":material/info:")
        with st.expander(ctcae.terms_title):
            st.caption(ctcae.terms_caption)
            st.dataframe(
                ctcae.terms_by_problem,
                hide_index=True,
                column_order=["AEDECOD", "problem", "count", "subjects"],
                key="dq_ctcae_terms",
            )
    elif ctcae.problems.empty:
        st.success(ctcae.ok_text, icon=":material/check_circle:")
    else:
        st.caption(ctcae.problems_caption)
        table(
            ctx,
            ctcae.problems,
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
        download_table(ctcae.problems, "ctcae_problems.csv", ctx=ctx)


def _queries(ctx: PageContext, view: DataQualityView) -> None:
    st.subheader(queries_text.HEADING)
    st.caption(queries_text.CAPTION)
    if view.queries.empty:
        st.success(queries_text.NONE, icon=":material/check_circle:")
        return
    st.caption(view.queries_caption)
    st.markdown(queries_text.COUNTS_TITLE)
    table(ctx, view.queries_by_centre, hide_index=True, key="dq_queries_by_centre")
    # The list names patients: a viewer (aggregates only) sees the counts per centre alone.
    if not ctx.can_see_subjects:
        st.caption(queries_text.VIEWER_NOTE)
        return
    st.markdown(queries_text.LIST_TITLE)
    table(
        ctx,
        view.queries,
        hide_index=True,
        key="dq_queries",
        column_config={"PROBLEM": st.column_config.TextColumn("PROBLEM", width="large")},
    )
    download_table(view.queries, "site_queries", ctx=ctx, excel=True)


def render(ctx: PageContext) -> None:
    """Draw the Data quality page."""
    page_header(ctx, "Data quality", text.INTRO, DATASETS)
    st.subheader("Validation problems")
    if ctx.problems.empty:
        st.success(text.ALL_VALID, icon=":material/check_circle:")
        controls = DataQualityControls()
    else:
        summary_area = st.container()
        st.markdown("**Each problem**")
        try:
            controls = _controls(ctx)
        except DataUnavailable as error:
            unavailable(str(error))
            controls = DataQualityControls()
    try:
        validation: ValidationSection = cache.page_view(ctx, validation_section, controls)
        # The checks read the data as delivered: an as-of date or a problem filter does not run them again.
        checks: DataChecks = cache.delivered_view(ctx, data_checks)
        view = DataQualityView.of(validation, checks)
    except DataUnavailable as error:
        unavailable(str(error))
        return

    if not view.problems.empty:
        with summary_area:
            st.caption(view.problems_caption)
            st.markdown("**By kind of problem**")
            st.dataframe(
                view.summary,
                hide_index=True,
                column_order=["severity", "dataset", "column", "check", "count", "subjects", "example"],
                column_config={"example": st.column_config.TextColumn("example", width="large")},
                key="dq_problem_summary",
            )
        st.caption(view.shown_caption)
        table(
            ctx,
            view.shown,
            hide_index=True,
            column_config=PROBLEM_COLUMNS,
            column_order=["severity", "dataset", "file", "row", "USUBJID", "column", "check", "problem"],
            key="dq_problems",
        )
        download_table(view.shown, "validation_problems.csv", ctx=ctx)

    st.subheader("Derived or assumed while loading")
    if view.notes:
        st.markdown("\n".join(f"- {note}" for note in view.notes))
    else:
        st.caption(text.NO_NOTES)

    if view.replay_note:
        st.info(view.replay_note, icon=":material/info:")

    st.subheader("Possible protocol deviations")
    st.caption(text.DEVIATIONS_CAPTION)
    _rule_section(
        ctx,
        view.deviations,
        "dq_deviations",
        "protocol_deviations.csv",
        column_order=["USUBJID", "SITEID", "RULE", "VALUE", "DETAIL", "CRITERION"],
        column_config={"CRITERION": st.column_config.TextColumn("CRITERION", width="medium")},
    )
    if not view.deviations.not_checked.empty:
        st.markdown(view.deviations.not_checked_title)
        st.dataframe(view.deviations.not_checked, hide_index=True, key="dq_not_checked")
    st.caption(view.uncheckable_text)

    st.subheader("Consistency between datasets")
    st.caption(text.CONSISTENCY_CAPTION)
    _rule_section(
        ctx,
        view.consistency,
        "dq_consistency",
        "consistency_problems.csv",
        column_config={"DETAIL": st.column_config.TextColumn("DETAIL", width="large")},
    )
    if not view.consistency.not_checked.empty:
        st.markdown(view.consistency.not_checked_title)
        st.dataframe(
            view.consistency.not_checked,
            hide_index=True,
            key="dq_consistency_not_checked",
            column_config={"DESCRIPTION": st.column_config.TextColumn("DESCRIPTION", width="medium")},
        )
    _ctcae(ctx, view)
    _queries(ctx, view)


if __name__ == "__main__":
    run_standalone(render, DATASETS)
