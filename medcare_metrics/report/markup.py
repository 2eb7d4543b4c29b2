"""HTML for the report: escaped text, the Markdown the view texts use, tables and definition lists.

Every value that reaches the report goes through :func:`html.escape` here; nothing else writes data into the
page. The view layer's sentences are Markdown written for Streamlit (bold, italics, code, bullets, line
breaks, ``:material/...:`` icons, backslash escapes of data values): :func:`markdown_html` reads that subset
and nothing more, so a data value can never become a tag, a link or an image.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import pandas as pd

#: Columns that hold subject identifiers (as :data:`medcare_app.access.SUBJECT_COLUMNS`).
SUBJECT_COLUMNS: frozenset[str] = frozenset({"USUBJID", "SUBJID"})
#: Rows of a listing printed at most; a note says how many more there are.
MAX_ROWS = 200

# A backslash escape of Markdown (escape_markdown writes them before every special character of a value).
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>!$~|#:{}().+\-])")
# Streamlit's icons, as the texts write them (data values cannot: their colons are escaped).
_ICON = re.compile(r":material/[a-z0-9_]+:\s?")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])")
# Placeholders for escaped characters: a private-use character no text of the views holds.
_MARK = "\ue000"
_PLACEHOLDER = re.compile(_MARK + r"(\d+)" + _MARK)


def escape(value: object) -> str:
    """Return ``str(value)`` escaped for HTML text and attribute values (quotes included)."""
    return html.escape(str(value), quote=True)


def inline_html(text: str) -> str:
    """Return one line of the views' Markdown as HTML: bold, italics, code; everything else literal.

    Parameters
    ----------
    text : str
        Markdown as the view texts write it (data values backslash-escaped).

    Returns
    -------
    str
        Escaped HTML; ``<strong>``, ``<em>`` and ``<code>`` are the only tags it can hold.
    """
    text = str(text).replace(_MARK, "")
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group(1))
        return f"{_MARK}{len(kept) - 1}{_MARK}"

    text = _ICON.sub("", _ESCAPED.sub(hold, text))
    out = html.escape(text, quote=True)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", out)
    return _PLACEHOLDER.sub(lambda m: html.escape(kept[int(m.group(1))], quote=True), out)


def markdown_html(text: str, css_class: str = "") -> str:
    """Return the views' Markdown (paragraphs, ``- `` bullets, hard line breaks) as escaped HTML.

    Parameters
    ----------
    text : str
        Markdown of a view (a sentence, a caption, bullets).
    css_class : str, optional
        Class of the paragraphs and lists (``"caption"`` for small grey text).

    Returns
    -------
    str
        ``<p>`` and ``<ul>`` elements; empty for empty text.
    """
    if not text or not str(text).strip():
        return ""
    cls = f' class="{escape(css_class)}"' if css_class else ""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", str(text).strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        if lines and all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{inline_html(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f"<ul{cls}>{items}</ul>")
        else:
            # Two trailing spaces (or a lone newline inside a paragraph) break the line, as on the page.
            blocks.append(f"<p{cls}>{'<br>'.join(inline_html(line.strip()) for line in lines)}</p>")
    return "".join(blocks)


def caption_html(text: str) -> str:
    """Return a caption (small grey text) in the views' Markdown as HTML; empty for empty text."""
    return markdown_html(text, "caption")


def cell_text(value: object) -> str:
    """Return one table cell as text: ISO dates, whole numbers without decimals, blanks for missing values.

    Parameters
    ----------
    value : object
        A cell of a view's table.

    Returns
    -------
    str
        The cell as the report prints it (not yet escaped).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return ""
        return f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else f"{stamp:%Y-%m-%d %H:%M}"
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isinf(number):
            return "∞" if number > 0 else "-∞"
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.4g}" if abs(number) < 1e4 else f"{number:.0f}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def subject_columns(columns: Iterable[object]) -> list[str]:
    """Return the columns (any case) that hold subject identifiers."""
    return [str(c) for c in columns if str(c).upper() in SUBJECT_COLUMNS]


def table_html(
    frame: pd.DataFrame | None,
    *,
    patient_level: bool = True,
    labels: dict[str, str] | None = None,
    columns: Iterable[str] | None = None,
    max_rows: int = MAX_ROWS,
    empty: str = "None.",
) -> str:
    """Return a view's table as an HTML table, every header and cell escaped.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        The table as the view returns it (the index is not shown, as on the pages).
    patient_level : bool, default True
        False drops the subject-identifier columns (a report for the viewer role).
    labels : dict of str to str, optional
        Headings for columns (ADaM names otherwise).
    columns : iterable of str, optional
        The columns to show, in order (those absent are skipped); default every column.
    max_rows : int, default :data:`MAX_ROWS`
        Rows printed at most; a note says how many are left out.
    empty : str, default "None."
        Said instead of an empty table.

    Returns
    -------
    str
        A ``<table>`` (with a note when cut), or a caption saying ``empty``.
    """
    if frame is None or frame.empty:
        return caption_html(empty) if empty else ""
    shown = frame
    if columns is not None:
        shown = shown[[c for c in columns if c in shown.columns]]
    if not patient_level:
        hidden = subject_columns(shown.columns)
        shown = shown.drop(columns=hidden)
    labels = labels or {}
    head = "".join(f"<th>{escape(labels.get(str(c), c))}</th>" for c in shown.columns)
    rows = []
    for values in shown.head(max_rows).itertuples(index=False, name=None):
        cells = []
        for value in values:
            text = cell_text(value)
            numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            cells.append(f'<td class="num">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = ""
    if len(shown) > max_rows:
        note = caption_html(
            f"First {max_rows} of {len(shown)} rows; the app and its downloads have them all."
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def metrics_html(items: Iterable[tuple[str, str, str]]) -> str:
    """Return headline numbers as cards: ``(label, value, caption)`` each, caption in Markdown.

    Parameters
    ----------
    items : iterable of (str, str, str)
        Label, value as shown and what it counts (may be empty).

    Returns
    -------
    str
        A grid of cards; empty when there is none.
    """
    cards = [
        f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
        f"{caption_html(caption)}</div>"
        for label, value, caption in items
    ]
    return f'<div class="cards">{"".join(cards)}</div>' if cards else ""


def definitions_html(items: Iterable[tuple[str, str]]) -> str:
    """Return ``(term, value)`` pairs as a definition list, both escaped."""
    rows = "".join(f"<dt>{escape(term)}</dt><dd>{escape(value)}</dd>" for term, value in items)
    return f'<dl class="provenance">{rows}</dl>'
