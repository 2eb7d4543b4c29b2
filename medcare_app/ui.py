"""Small drawing helpers every page uses: header, figures, table downloads, missing-dataset notes."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from medcare_app.context import PageContext
from medcare_metrics.figures.style import DOWNLOAD_CONFIG

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


def page_header(ctx: PageContext, title: str, intro: str | None = None) -> None:
    """Draw a page title, the "n of N patients" line with the active filters, and an optional intro.

    Parameters
    ----------
    ctx : PageContext
        The page context.
    title : str
        Page title.
    intro : str, optional
        One or two sentences on what the page shows.
    """
    st.title(title)
    st.markdown(header_text(ctx))
    if intro:
        st.caption(intro)
    if ctx.n_selected == 0 and ctx.n_total > 0:
        st.warning("No enrolled patient matches the filters in the sidebar.", icon=":material/filter_alt:")


def show_figure(fig: go.Figure, key: str | None = None) -> None:
    """Draw a plotly figure at full width with the PNG download button in its toolbar.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure (built in ``medcare_metrics.figures``).
    key : str, optional
        Streamlit element key, needed when a page draws the same figure twice.
    """
    st.plotly_chart(fig, config=DOWNLOAD_CONFIG, key=key, theme=None)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "table"


def download_table(df: pd.DataFrame, filename: str, label: str = "Download CSV") -> None:
    """Draw a button that downloads ``df`` as a CSV file.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as shown.
    filename : str
        File name offered to the browser (``.csv`` is added when missing).
    label : str, default "Download CSV"
        Button text.
    """
    name = filename if filename.lower().endswith(".csv") else f"{filename}.csv"
    st.download_button(
        label,
        df.to_csv(index=False).encode("utf-8"),
        file_name=name,
        mime="text/csv",
        key=f"download_{_slug(name)}",
        icon=":material/download:",
        on_click="ignore",
    )


def missing_dataset(name: str, needed_for: str) -> None:
    """Say that the source has no ``name`` dataset and what cannot be shown without it.

    Parameters
    ----------
    name : str
        Dataset name (``"adae"``, ``"ADTTE"``, ...).
    needed_for : str
        What needs it, e.g. ``"the toxicity tables"``.
    """
    key = name.lower()
    what = DATASET_DESCRIPTIONS.get(key, "dataset")
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
