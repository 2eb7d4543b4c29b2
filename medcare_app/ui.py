"""Small drawing helpers every page uses: header, figures, tables and their downloads, missing-dataset notes.

Tables that can hold subject identifiers go through :func:`table` and :func:`download_table`, which show a
viewer (aggregates only) no USUBJID / SUBJID column and offer such a table no download.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from medcare_app import cache
from medcare_app.access import can_see_subjects, subject_columns, without_subjects
from medcare_app.auth import session_role
from medcare_app.context import PageContext
from medcare_app.room import draw_banners, draw_presentation_line
from medcare_metrics.export import export_provenance, to_csv_bytes, to_excel_bytes
from medcare_metrics.figures.style import download_config
from medcare_metrics.filters import describe_filters
from medcare_metrics.text.common import (
    COLUMN_LABELS,
    escape_markdown,
    export_stem,
    no_patient_matches,
    provenance_line,
    rows_shown,
)

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
    draw_presentation_line(ctx)
    st.title(title)
    st.markdown(header_text(ctx))
    draw_banners(ctx)
    if intro:
        st.caption(intro)
    problems = dataset_problems_text(ctx, ctx.page_datasets if datasets is None else datasets)
    if problems:
        st.warning(problems, icon=":material/report:")
    if no_patient_selected(ctx):
        st.warning(no_patient_matches(ctx.filter_text), icon=":material/filter_alt:")


def no_patient_selected(ctx: PageContext) -> bool:
    """Return True when the filters match no enrolled patient (the header then says so, and nothing else).

    Pages return after their header when this is True, so that no page shows empty figures or a misleading
    reason ("no CTCAE grade") for an empty selection.

    Parameters
    ----------
    ctx : PageContext
        The page context.

    Returns
    -------
    bool
        True when no enrolled patient is selected although the data hold some.
    """
    return ctx.n_selected == 0 and ctx.n_total > 0


def plain_filter_text(ctx: PageContext) -> str:
    """Return the active filters in words without Markdown escapes, for files and figure footers."""
    return describe_filters(ctx.filters, value_labels=ctx.filter_labels)


def figure_footer(ctx: PageContext) -> str:
    """Return the provenance line of a figure: cut-off, as-of date, filters and patients shown.

    Parameters
    ----------
    ctx : PageContext
        The page context.

    Returns
    -------
    str
        ``"MEDCARE · Data cut-off 2025-06-30 · As of 2025-06-30 · No filters · n = 18 of 18 patients"``.
    """
    line = provenance_line(
        cutoff=ctx.cutoff,
        as_of=ctx.as_of,
        filter_text=plain_filter_text(ctx),
        n_selected=ctx.n_selected,
        n_total=ctx.n_total,
    )
    study = ctx.full.study.study_id
    return f"{study} · {line}" if study else line


def show_figure(
    build: Callable[..., go.Figure],
    *args: Any,
    key: str,
    ctx: PageContext,
    derived_from: tuple[Any, ...] | None = None,
    **kwargs: Any,
) -> None:
    """Draw ``build(*args, **kwargs)`` at full width with a download button (PNG or SVG, as the sidebar says).

    The figure gets a small footer line with the study, cut-off, as-of date, filters and n
    (:func:`figure_footer`, :func:`medcare_metrics.figures.style.with_provenance`), and a long title is
    wrapped: a saved image says which data it shows, and the screen shows what the image will hold. It is
    built once per view (:func:`medcare_app.cache.figure`): a rerun draws the figure built before.

    Parameters
    ----------
    build : callable
        A figure builder of ``medcare_metrics.figures``.
    *args
        Its positional arguments (figure inputs of the page's view).
    key : str
        Streamlit element key; also names the downloaded file.
    ctx : PageContext
        The page context (its download format and provenance).
    derived_from : tuple, optional
        What the page derived ``args`` from on this run (see :func:`medcare_app.cache.figure`).
    **kwargs
        Keyword arguments of ``build``.
    """
    fmt = ctx.download_format
    fig = cache.figure(build, args, kwargs, figure_footer(ctx), derived_from)
    st.plotly_chart(fig, config=download_config(fmt, f"medcare_{_slug(key)}"), key=key, theme=None)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "table"


def column_labels(columns: Sequence[object], given: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a ``column_config`` naming ``columns`` for people, with ``given`` entries kept as they are.

    Parameters
    ----------
    columns : sequence
        Column names of the table shown.
    given : dict, optional
        The page's own column configuration; it wins over the shared labels.

    Returns
    -------
    dict
        ``given`` plus :data:`medcare_metrics.text.common.COLUMN_LABELS`'s label for every other ADaM column.
    """
    config: dict[str, Any] = dict(given or {})
    for column in columns:
        name = str(column)
        label = COLUMN_LABELS.get(name)
        if name not in config and label is not None and label != name:
            config[name] = label
    return config


#: Most rows a table draws on screen (a table of 10,000 patients' rows is megabytes for the browser); the
#: download beside it holds every row.
SCREEN_ROWS = 1_000


def on_screen(frame: pd.DataFrame, limit: int = SCREEN_ROWS) -> pd.DataFrame:
    """Return the rows of ``frame`` a table draws; when some are left out, say so above the table.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, in the order it is shown.
    limit : int, default SCREEN_ROWS
        Most rows drawn.

    Returns
    -------
    pandas.DataFrame
        ``frame``, or its first ``limit`` rows.
    """
    if len(frame) <= limit:
        return frame
    st.caption(rows_shown(limit, len(frame)))
    return frame.head(limit)


def table(ctx: PageContext | None, frame: pd.DataFrame, **kwargs: Any) -> None:
    """Draw ``frame`` with ``st.dataframe``, without subject-identifier columns for a viewer.

    Columns are titled for people (``USUBJID`` "Patient", ``SITEID`` "Centre", ...: :func:`column_labels`);
    the data keep their ADaM names, as the downloads do.

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
    shown = without_subjects(on_screen(frame), role)
    if shown is not frame and kwargs.get("column_order") is not None:
        hidden = {c.upper() for c in subject_columns(frame.columns)}
        kwargs["column_order"] = [c for c in kwargs["column_order"] if str(c).upper() not in hidden]
    kwargs["column_config"] = column_labels(list(shown.columns), kwargs.get("column_config"))
    st.dataframe(shown, **kwargs)


#: Said under every table download: what the columns are called and where the file's provenance is.
_ADAM_NAMES = "Columns keep their ADaM names (docs/data-dictionary.md), unlike the labels on screen."
DOWNLOAD_HELP = f"{_ADAM_NAMES} The file name gives the study, the data cut-off and the as-of date."
EXCEL_HELP = (
    f'{_ADAM_NAMES} The "About" sheet names the data cut-off, the as-of date, the filters, the '
    "fingerprint and when the file was made."
)


def download_stem(filename: str, ctx: PageContext | None) -> str:
    """Return a download's file name without extension: ``filename`` with the study, cut-off and as-of date.

    Parameters
    ----------
    filename : str
        What the table is (``"toxicity_by_soc"``; a ``.csv`` ending is dropped).
    ctx : PageContext or None
        The page context; None: ``filename`` alone.

    Returns
    -------
    str
        E.g. ``"toxicity_by_soc_MEDCARE_cutoff2025-06-30_asof2025-06-30"``.
    """
    stem = filename[: -len(".csv")] if filename.lower().endswith(".csv") else filename
    if ctx is None:
        return stem
    return export_stem(stem, ctx.full.study.study_id, ctx.cutoff, ctx.as_of)


def download_table(
    df: pd.DataFrame,
    filename: str,
    label: str = "Download CSV",
    *,
    ctx: PageContext | None = None,
    excel: bool = True,
) -> None:
    """Draw the downloads of ``df``: CSV and Excel side by side, formula-like text cells made inert in both.

    The CSV is the bare table (comment lines would break spreadsheets and ``read_csv``); its file name names
    the study, the data cut-off and the as-of date (:func:`download_stem`). The Excel workbook holds the
    table and an "About" sheet with the cut-off, as-of date, filters in words, fingerprint and when it was
    made. Both keep the ADaM column names. A viewer (aggregates only) is offered no download of a table with
    subject identifiers: a caption says why instead.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as shown.
    filename : str
        What the table is, for the file name (``".csv"`` may end it).
    label : str, default "Download CSV"
        Text of the CSV button.
    ctx : PageContext, optional
        The page context: role, and the provenance of the file names and the "About" sheet; default the
        session's role and no provenance.
    excel : bool, default True
        Also offer the table as an Excel workbook.
    """
    role = session_role() if ctx is None else ctx.role
    if not can_see_subjects(role) and subject_columns(list(df.columns) + list(df.index.names)):
        st.caption(":material/lock: Patient-level table: no download with viewer access.")
        return
    table_name = filename[: -len(".csv")] if filename.lower().endswith(".csv") else filename
    stem = download_stem(table_name, ctx)
    # Keys come from the table's name, not the file name: they stay put when the as-of date changes.
    with st.container(horizontal=True) if excel else contextlib.nullcontext():
        st.download_button(
            label,
            # Written when clicked, as the workbook is: at 10,000 patients the page's CSVs cost a tenth of
            # a second or more on every rerun.
            functools.partial(to_csv_bytes, df),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"download_{_slug(table_name + '.csv')}",
            icon=":material/download:",
            on_click="ignore",
            help=DOWNLOAD_HELP,
        )
        if excel:
            _download_excel(df, table_name, stem, ctx)


def excel_provenance(ctx: PageContext) -> dict[str, str]:
    """Return the "About" sheet of an Excel download from ``ctx`` (see :func:`export_provenance`)."""
    about = {"Study": ctx.full.study.study_id} if ctx.full.study.study_id else {}
    about.update(
        export_provenance(
            cutoff=ctx.cutoff,
            as_of=ctx.as_of,
            filters=plain_filter_text(ctx),
            fingerprint=ctx.fingerprint,
            source=ctx.source_name,
        )
    )
    about["Patients"] = ctx.patients_text
    return about


def _download_excel(df: pd.DataFrame, table_name: str, stem: str, ctx: PageContext | None) -> None:
    """Draw the Excel download of ``df``: the table, and an "About" sheet saying where it comes from.

    The workbook is built when the button is clicked (a deferred download): building every table's workbook
    on every rerun cost most of a large trial's page time, for files rarely asked for.
    """
    provenance = None if ctx is None else excel_provenance(ctx)
    st.download_button(
        "Download Excel",
        functools.partial(to_excel_bytes, df, sheet_name=table_name, provenance=provenance),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"download_{_slug(table_name)}_xlsx",
        icon=":material/download:",
        on_click="ignore",
        help=EXCEL_HELP,
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
