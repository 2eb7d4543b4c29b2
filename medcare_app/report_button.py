"""The sidebar's meeting report: built on request for the view on screen, then offered as a download.

Building the report runs every page's view and draws every figure, which takes seconds: it is built only
when the user asks ("Prepare meeting report"), through :func:`medcare_app.cache.report` (so a rerun or a
second download costs a cache lookup), and for the view on screen: its filters, as-of date, trial settings
and the signed-in role (a viewer gets aggregates only).
"""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

from medcare_app import cache
from medcare_app.context import PageContext
from medcare_metrics.report import ReportOptions, build_report

#: Session-state key holding the view whose report the user asked for.
PREPARED_KEY = "medcare_report_prepared"
#: Keys of the two buttons.
PREPARE_BUTTON_KEY = "medcare_report_prepare"
DOWNLOAD_BUTTON_KEY = "medcare_report_download"
#: Labels of the two buttons.
PREPARE_LABEL = "Prepare meeting report"
DOWNLOAD_LABEL = "Meeting report (HTML)"
#: The Overview's "Changes since" date in the address (the report's changes start there too).
SINCE_PARAM = "since"


def _since() -> date | None:
    """Return the Overview's "Changes since" date from the address, when it holds a valid one."""
    text = st.query_params.get(SINCE_PARAM)
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def report_options(ctx: PageContext) -> ReportOptions:
    """Return the report's options for the view on screen: the role's content level and the provenance.

    Parameters
    ----------
    ctx : PageContext
        The page context.

    Returns
    -------
    ReportOptions
        Patient level for the patient-level role, aggregates only for a viewer.
    """
    return ReportOptions(
        since=_since(),
        patient_level=ctx.can_see_subjects,
        fingerprint=ctx.fingerprint,
        source_name=ctx.source_name,
    )


def report_file_name(ctx: PageContext) -> str:
    """Return the download's file name: study, date of the view and fingerprint (safe characters only)."""
    study = re.sub(r"[^A-Za-z0-9_-]+", "_", ctx.full.study.study_id).strip("_") or "trial"
    when = f"{ctx.as_of:%Y-%m-%d}" if ctx.as_of is not None else "undated"
    return f"{study}_meeting_report_{when}_{ctx.fingerprint}.html"


def render_report_button(ctx: PageContext) -> None:
    """Draw "Prepare meeting report" in the sidebar; once asked for, the download of the report.

    Parameters
    ----------
    ctx : PageContext
        The view on screen (filters, as-of date, settings, role).
    """
    options = report_options(ctx)
    wanted = (ctx.source, ctx.fingerprint, ctx.filters, ctx.as_of, ctx.settings, options)
    with st.sidebar:
        st.divider()
        if st.session_state.get(PREPARED_KEY) != wanted:
            asked = st.button(
                PREPARE_LABEL,
                key=PREPARE_BUTTON_KEY,
                icon=":material/description:",
                help="One HTML file with every page for this view (filters, as-of date): opens offline, "
                "to hand out after the meeting. Takes a few seconds.",
            )
            if not asked:
                return
            st.session_state[PREPARED_KEY] = wanted
        html = cache.report(ctx, build_report, options)
        st.download_button(
            DOWNLOAD_LABEL,
            data=html.encode("utf-8"),
            file_name=report_file_name(ctx),
            mime="text/html",
            key=DOWNLOAD_BUTTON_KEY,
            icon=":material/download:",
            on_click="ignore",
        )
