"""Small drawing helpers every page uses: header, figures, tables and their downloads, missing-dataset notes.

Tables that can hold subject identifiers go through :func:`table` and :func:`download_table`, which show a
viewer (aggregates only) no USUBJID / SUBJID column and offer such a table no download.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from medcare_app.access import can_see_subjects, subject_columns, without_subjects
from medcare_app.auth import session_role
from medcare_app.context import PageContext
from medcare_metrics.export import export_provenance, to_csv_bytes, to_excel_bytes
from medcare_metrics.figures.style import download_config
from medcare_metrics.text.common import escape_markdown

if TYPE_CHECKING:  # plotly is imported only by medcare_metrics.figures; here it is just a type
    import plotly.graph_objects as go

#: What each optional dataset holds, for "missing dataset" messages.
DATASET_DESCRIPTIONS: dict[str, str] = {
    "adsl": "subject-level data",
    "adtte": "time-to-event data",
    "adae": "adverse events",
    "adtu": "lesion-level data",
    "adlb": "laboratory data (PSA)",
}


def header_text(ctx: PageContext) -> str:
    """Return the line under a page title: patients shown, active filters and the date of the view.

    Parameters
    ----------
    ctx : PageContext
        The page context.

    Returns
    -------
    str
        Markdown, e.g. ``"**12 of 18 patients** · Filters: Centre: UZ Leuven · Data as of 2025-03-31
        (cut-off)"``.
    """
    filters = "No filters" if not ctx.filters else f"Filters: {ctx.filter_text}"
    if ctx.as_of is None:
        when = "Data cut-off unknown"
    elif ctx.replayed:
        when = f"Replayed as of {ctx.as_of:%Y-%m-%d} ({ctx.cutoff_label} {ctx.cutoff:%Y-%m-%d})"
    else:
        when = f"Data as of {ctx.as_of:%Y-%m-%d} ({ctx.cutoff_label})"
    return f"**{ctx.patients_text}** · {filters} · {when}"


def _dataset_problems(ctx: PageContext, name: str) -> tuple[int, int, list[str]]:
    """Return the errors, warnings and files of dataset ``name`` in the problems of ``ctx``."""
    problems = ctx.problems
    if problems.empty:
        return 0, 0, []
    rows = problems.loc[problems["dataset"].astype(str).str.upper().eq(name.upper())]
    errors = int(rows["severity"].eq("error").sum())
    files = sorted({str(f) for f in rows["file"].dropna()})
    return errors, len(rows) - errors, files


def plural(n: int, word: str) -> str:
    """Return ``"1 error"``, ``"2 errors"``: ``n`` and ``word``, with an ``s`` unless ``n`` is 1."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def dataset_problems_text(ctx: PageContext, datasets: Sequence[str]) -> str | None:
    """Say which of ``datasets`` (and ADSL, which every page uses) had validation errors or warnings, or None.

    Parameters
    ----------
    ctx : PageContext
        The page context.
    datasets : sequence of str
        Datasets the page draws on (``"adtte"``, ...). ADSL is added first when any is given: every page
        selects its patients from it. Empty: no banner (the Data quality page lists the problems itself).

    Returns
    -------
    str or None
        Markdown such as ``"ADTTE (adtte.csv): 4 errors, 1 warning; ..."`` for every dataset with a problem,
        followed by where to read them, or None when none of those datasets has a problem.
    """
    if not datasets:
        return None
    names = list(dict.fromkeys(["adsl", *(d.lower() for d in datasets)]))
    parts = []
    for name in names:
        errors, warnings, files = _dataset_problems(ctx, name)
        if not errors and not warnings:
            continue
        where = f" ({', '.join(escape_markdown(f) for f in files)})" if files else ""
        if errors:
            tail = f", {plural(warnings, 'warning')}" if warnings else ""
            unusable = ctx.full.dataset(name) is None
            what = "could not be used" if unusable else "rows with errors are left out of this page"
            parts.append(f"**{name.upper()}**{where}: {plural(errors, 'error')}{tail}; {what}.")
        else:
            count = plural(warnings, "warning")
            parts.append(f"**{name.upper()}**{where}: {count}; those values are set missing, rows kept.")
    if not parts:
        return None
    return " ".join(parts) + " The Data quality page lists each problem with its file, row and column."


def page_header(
    ctx: PageContext, title: str, intro: str | None = None, datasets: Sequence[str] | None = None
) -> None:
    """Draw a page title, the "n of N patients" line with the active filters, and an optional intro.

    Parameters
    ----------
    ctx : PageContext
        The page context.
    title : str
        Page title.
    intro : str, optional
        One or two sentences on what the page shows.
    datasets : sequence of str, optional
        Datasets the page draws on (``"adsl"``, ``"adtte"``, ...); a warning names those with validation
        errors. Default: what ``dashboard.py`` declares for the page (:attr:`PageContext.page_datasets`).
    """
    st.title(title)
    st.markdown(header_text(ctx))
    if intro:
        st.caption(intro)
    problems = dataset_problems_text(ctx, ctx.page_datasets if datasets is None else datasets)
    if problems:
        st.warning(problems, icon=":material/report:")
    if ctx.n_selected == 0 and ctx.n_total > 0:
        st.warning("No enrolled patient matches the filters in the sidebar.", icon=":material/filter_alt:")


def show_figure(fig: go.Figure, key: str | None = None, *, ctx: PageContext) -> None:
    """Draw a plotly figure at full width with a download button (PNG or SVG, as the sidebar says).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure (built in ``medcare_metrics.figures``).
    key : str, optional
        Streamlit element key, needed when a page draws the same figure twice; also names the downloaded file.
    ctx : PageContext
        The page context (its download format).
    """
    fmt = ctx.download_format
    filename = f"medcare_{_slug(key)}" if key else "medcare_figure"
    st.plotly_chart(fig, config=download_config(fmt, filename), key=key, theme=None)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "table"


def table(ctx: PageContext | None, frame: pd.DataFrame, **kwargs: Any) -> None:
    """Draw ``frame`` with ``st.dataframe``, without subject-identifier columns for a viewer.

    Parameters
    ----------
    ctx : PageContext or None
        The page context (its role); None takes the session's role (the sidebar, before a context exists).
    frame : pandas.DataFrame
        The table.
    **kwargs
        Passed to ``st.dataframe`` (``hide_index``, ``column_config``, ``column_order``, ``key``, ...); a
        dropped column is taken out of ``column_order``.
    """
    role = session_role() if ctx is None else ctx.role
    shown = without_subjects(frame, role)
    if shown is not frame and kwargs.get("column_order") is not None:
        hidden = {c.upper() for c in subject_columns(frame.columns)}
        kwargs["column_order"] = [c for c in kwargs["column_order"] if str(c).upper() not in hidden]
    st.dataframe(shown, **kwargs)


def download_table(
    df: pd.DataFrame,
    filename: str,
    label: str = "Download CSV",
    *,
    ctx: PageContext | None = None,
    excel: bool = False,
) -> None:
    """Draw a button that downloads ``df`` as CSV (formula-like cells made inert); optionally Excel beside.

    A viewer (aggregates only) is offered no download of a table with subject identifiers: a caption says
    why instead.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as shown.
    filename : str
        File name offered to the browser (``.csv`` is added when missing).
    label : str, default "Download CSV"
        Button text.
    ctx : PageContext, optional
        The page context (its role); default the session's role, which the sign-in sets on every run.
    excel : bool, default False
        Also offer the table as an Excel workbook, with an "About" sheet naming the data cut-off, the as-of
        date, the filters, the fingerprint and when it was made (from ``ctx``).
    """
    role = session_role() if ctx is None else ctx.role
    if not can_see_subjects(role) and subject_columns(list(df.columns) + list(df.index.names)):
        st.caption(":material/lock: Patient-level table: no download with viewer access.")
        return
    name = filename if filename.lower().endswith(".csv") else f"{filename}.csv"
    # Excel sits beside the CSV button; a CSV-only table keeps its plain button.
    with st.container(horizontal=True) if excel else contextlib.nullcontext():
        st.download_button(
            label,
            to_csv_bytes(df),
            file_name=name,
            mime="text/csv",
            key=f"download_{_slug(name)}",
            icon=":material/download:",
            on_click="ignore",
        )
        if excel:
            _download_excel(df, name[: -len(".csv")], ctx)


def _download_excel(df: pd.DataFrame, stem: str, ctx: PageContext | None) -> None:
    """Draw the Excel download of ``df``: the table and an "About" sheet saying where it comes from."""
    about = None
    if ctx is not None:
        about = export_provenance(
            cutoff=ctx.cutoff,
            as_of=ctx.as_of,
            filters=ctx.filter_text,
            fingerprint=ctx.fingerprint,
            source=ctx.source_name,
        )
    st.download_button(
        "Download Excel",
        to_excel_bytes(df, sheet_name=stem, provenance=about),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"download_{_slug(stem)}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def missing_dataset(name: str, needed_for: str, *, ctx: PageContext) -> None:
    """Say that the source has no usable ``name`` dataset and what cannot be shown without it.

    Parameters
    ----------
    name : str
        Dataset name (``"adae"``, ``"ADTTE"``, ...).
    needed_for : str
        What needs it, e.g. ``"the toxicity tables"``.
    ctx : PageContext
        The page context (to tell an absent dataset from an unusable one).

    Notes
    -----
    When the source has the dataset but loading could not use it (unreadable file, required column missing),
    the message says so and quotes the problem instead of claiming the dataset is absent.
    """
    key = name.lower()
    what = DATASET_DESCRIPTIONS.get(key, "dataset")
    unusable = key in DATASET_DESCRIPTIONS and ctx.full.dataset(key) is None
    problems = ctx.problems if unusable else pd.DataFrame()
    if not problems.empty:
        rows = problems.loc[
            problems["dataset"].astype(str).str.upper().eq(key.upper()) & problems["severity"].eq("error")
        ]
        if not rows.empty:
            first = rows.iloc[0]
            st.error(
                f"{key.upper()} ({what}) could not be used, so {needed_for} cannot be shown. "
                f"{escape_markdown(first['file'])}: {escape_markdown(first['problem'])}.",
                icon=":material/error:",
            )
            return
    st.info(
        f"This data source has no {key.upper()} ({what}; a file named `{key}.csv`, `{key}.xpt`, ... "
        f"or an `{key.upper()}` sheet), so {needed_for} cannot be shown.",
        icon=":material/info:",
    )


def unavailable(reason: str) -> None:
    """Say that one measure or view cannot be computed from this data, and why.

    Parameters
    ----------
    reason : str
        The reason, as the analytics return it (e.g. ``"ADAE has no CTCAE grade (ATOXGR or AETOXGR)."``).
    """
    st.caption(f":material/info: Not available: {reason}")
