"""Formatting shared by every subject: counts with their noun, dates, percentages, "n of N"."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

import pandas as pd

from medcare_metrics.variables import VARIABLE_LABELS


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    """Return ``"1 error"``, ``"2 errors"``: ``n`` and ``word``, plural unless ``n`` is 1.

    Parameters
    ----------
    n : int
        The count.
    word : str
        The singular noun.
    plural_word : str, optional
        The plural when it is not ``word + "s"`` (``"patients"`` is, ``"analyses"`` is not).

    Returns
    -------
    str
        The count and the noun.
    """
    return f"{n} {word if n == 1 else (plural_word or word + 's')}"


def n_of(n: int, total: int | None, word: str = "patients") -> str:
    """Return ``"8 of 18 patients"`` (or ``"8 patients"`` when there is no total).

    Parameters
    ----------
    n : int
        The count.
    total : int or None
        Its denominator; None when there is none.
    word : str, default "patients"
        The plural noun.

    Returns
    -------
    str
        The count with its denominator.
    """
    return f"{n} {word}" if total is None else f"{n} of {total} {word}"


def format_date(value: date | pd.Timestamp | None, missing: str = "unknown") -> str:
    """Return a date as ``YYYY-MM-DD``, or ``missing`` for None / NaT.

    Parameters
    ----------
    value : datetime.date, pandas.Timestamp or None
        The date.
    missing : str, default "unknown"
        Text for a missing date.

    Returns
    -------
    str
        ISO date or ``missing``.
    """
    if value is None or (isinstance(value, pd.Timestamp) and pd.isna(value)):
        return missing
    return f"{value:%Y-%m-%d}"


def format_percent(part: float, whole: float, decimals: int = 0) -> str:
    """Return ``part / whole`` as a percentage (``"33%"``), or ``"-"`` when ``whole`` is 0.

    Parameters
    ----------
    part, whole : float
        Numerator and denominator.
    decimals : int, default 0
        Decimal places.

    Returns
    -------
    str
        The percentage.
    """
    if not whole:
        return "-"
    return f"{100 * part / whole:.{decimals}f}%"


def format_number(value: float | None, decimals: int = 1, missing: str = "n/a") -> str:
    """Return a number with ``decimals`` places, or ``missing`` for None / NaN.

    Parameters
    ----------
    value : float or None
        The number.
    decimals : int, default 1
        Decimal places.
    missing : str, default "n/a"
        Text for a missing value.

    Returns
    -------
    str
        The formatted number.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{value:.{decimals}f}"


#: Characters that make Markdown formatting, links, images, HTML, maths or tables in Streamlit.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>!$~|#:])")


def escape_markdown(value: object) -> str:
    """Return ``value`` as text that Markdown shows literally.

    Every value that comes from the data (a centre name, a file name, a term) goes through this before it
    reaches ``st.markdown`` or a caption, so that ``[x](http://host)`` stays text instead of becoming a link
    and ``**x**`` is not bold.

    Parameters
    ----------
    value : object
        Any value; ``str(value)`` is escaped.

    Returns
    -------
    str
        The text with Markdown's special characters backslash-escaped and line breaks folded to spaces.
    """
    text = " ".join(str(value).split())
    # The colon stops autolinks (http://, mailto:) and Streamlit's directives (:red[...]); the dot after
    # "www" stops the bare-domain autolink.
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("www.", "www\\.")


_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


def plain_text(markdown: str) -> str:
    """Return the Markdown written here (bold, backslash escapes) as plain text, for a table cell.

    Parameters
    ----------
    markdown : str
        Text as the app writes it for ``st.markdown``: ``**bold**`` and :func:`escape_markdown` escapes.

    Returns
    -------
    str
        The same words without the bold marks and escapes.
    """
    return _MARKDOWN_ESCAPE.sub(r"\1", markdown.replace("**", "")).strip()


# --- The selection and where a table or figure comes from --------------------------------------------------


def no_patient_matches(filter_text: str) -> str:
    """Return the one sentence every page says when the filters match no enrolled patient.

    Parameters
    ----------
    filter_text : str
        The active filters in words (``"Centre: UZ Leuven; MDT type: Surgery"``).

    Returns
    -------
    str
        ``"No patient matches the filters (Centre: UZ Leuven; MDT type: Surgery)."``
    """
    return f"No patient matches the filters ({filter_text})."


#: Column labels for people (:data:`medcare_metrics.variables.VARIABLE_LABELS`). Tables on screen show these;
#: downloads keep the ADaM names, which the data dictionary defines.
COLUMN_LABELS: Mapping[str, str] = VARIABLE_LABELS


def rows_shown(shown: int, total: int) -> str:
    """Say that a table on screen shows its first rows only, and where the others are.

    Parameters
    ----------
    shown : int
        Rows drawn.
    total : int
        Rows of the table.

    Returns
    -------
    str
        ``"The first 1,000 of 14,286 rows; the download holds them all."``
    """
    return f"The first {shown:,} of {total:,} rows; the download holds them all."


def column_label(column: str) -> str:
    """Return the label for people of ADaM column ``column`` (the name itself when it has none).

    Parameters
    ----------
    column : str
        Column name.

    Returns
    -------
    str
        :data:`COLUMN_LABELS`'s label, else ``column``.
    """
    return COLUMN_LABELS.get(str(column).upper(), str(column))


def provenance_line(
    *,
    cutoff: date | None,
    as_of: date | None,
    filter_text: str,
    n_selected: int | None = None,
    n_total: int | None = None,
) -> str:
    """Return the footer of a downloaded figure: data cut-off, as-of date, filters and n.

    Parameters
    ----------
    cutoff, as_of : datetime.date or None
        The data cut-off and the date of the view (None: not known).
    filter_text : str
        The active filters in words (``"No filters"`` when none).
    n_selected, n_total : int, optional
        Enrolled patients shown, and before filtering; left out when None.

    Returns
    -------
    str
        ``"Data cut-off 2025-06-30 · As of 2025-06-30 · No filters · n = 18 of 18 patients"``.
    """
    parts = [
        f"Data cut-off {format_date(cutoff)}",
        f"As of {format_date(as_of)}",
        filter_text or "No filters",
    ]
    if n_selected is not None:
        parts.append(f"n = {n_of(n_selected, n_total)}")
    return " · ".join(parts)


def export_stem(stem: str, study_id: str, cutoff: date | None, as_of: date | None) -> str:
    """Return a download's file name without extension, naming the study, the cut-off and the as-of date.

    A CSV carries no room for provenance without breaking spreadsheets, so its name says which data cut it
    holds: ``toxicity_by_soc_MEDCARE_cutoff2025-06-30_asof2025-06-30``.

    Parameters
    ----------
    stem : str
        What the table is (``"toxicity_by_soc"``).
    study_id : str
        The study (empty: left out).
    cutoff, as_of : datetime.date or None
        The data cut-off and the date of the view (left out when None).

    Returns
    -------
    str
        The stem with only letters, digits, ``-`` and ``_``.
    """
    parts = [stem, study_id]
    if cutoff is not None:
        parts.append(f"cutoff{cutoff:%Y-%m-%d}")
    if as_of is not None:
        parts.append(f"asof{as_of:%Y-%m-%d}")
    joined = "_".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9_-]+", "_", joined).strip("_") or "table"
