"""Tables leaving the app: CSV and Excel that a spreadsheet opens without running anything."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (or a DDE call).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with text cells that a spreadsheet would run as a formula made inert.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe, as OWASP advises for CSV injection: Excel and LibreOffice then show the text as typed.
    Numbers, dates and other text are unchanged.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as shown.

    Returns
    -------
    pandas.DataFrame
        A copy with neutralised text cells (the same object when no cell needed it).
    """
    changed: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        text = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
        if text.any():
            changed[column] = values.mask(text, "'" + values.astype("string"))
    if not changed:
        return frame
    out = frame.copy()
    for column, values in changed.items():
        out[column] = values
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as UTF-8 CSV bytes with formula-like text cells neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as shown.

    Returns
    -------
    bytes
        CSV without the index.
    """
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")


#: Name of the Excel sheet that holds where a table comes from.
ABOUT_SHEET = "About"
#: Characters Excel does not allow in a sheet name; longer names are cut to :data:`MAX_SHEET_NAME`.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31
#: Control characters an .xlsx cell cannot hold (XML 1.0 forbids them); tab, newline and CR are allowed.
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export_provenance(
    *,
    cutoff: date | None,
    as_of: date | None,
    filters: str,
    fingerprint: str,
    source: str = "",
    generated_at: datetime | None = None,
) -> dict[str, str]:
    """Return where an exported table comes from, as ``{item: value}`` in words.

    Parameters
    ----------
    cutoff : datetime.date or None
        The data cut-off (None: not known).
    as_of : datetime.date or None
        The date of the view (the as-of date, else the cut-off).
    filters : str
        The active filters in words (``"No filters"`` when none).
    fingerprint : str
        Short hash of the source's files: identifies the data cut.
    source : str, optional
        Name of the data source; left out when empty.
    generated_at : datetime.datetime, optional
        When the export was made (default now, local time, to the second).

    Returns
    -------
    dict of str to str
        Items "Data source" (when given), "Data cut-off", "As of", "Filters", "Fingerprint", "Generated at".
    """
    made = (generated_at or datetime.now()).replace(microsecond=0)
    items = {"Data source": source} if source else {}
    items.update(
        {
            "Data cut-off": f"{cutoff:%Y-%m-%d}" if cutoff is not None else "not known",
            "As of": f"{as_of:%Y-%m-%d}" if as_of is not None else "not known",
            "Filters": filters or "No filters",
            "Fingerprint": fingerprint or "not known",
            "Generated at": made.isoformat(sep=" "),
        }
    )
    return items


def _sheet_name(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'")[:MAX_SHEET_NAME]
    return cleaned or "Table"


def _xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with control characters an .xlsx cell cannot hold taken out of its text cells."""
    changed: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        bad = values.map(lambda v: isinstance(v, str) and _ILLEGAL_XLSX.search(v) is not None)
        if bad.any():
            changed[column] = values.mask(
                bad, values.astype("string").str.replace(_ILLEGAL_XLSX, "", regex=True)
            )
    if not changed:
        return frame
    out = frame.copy()
    for column, values in changed.items():
        out[column] = values
    return out


def to_excel_bytes(
    df: pd.DataFrame, *, sheet_name: str = "Table", provenance: Mapping[str, str] | None = None
) -> bytes:
    """Return ``df`` as an Excel workbook (.xlsx): the table, and an "About" sheet saying where it comes from.

    Text cells are neutralised as in the CSV (:func:`neutralise_formulas`), so no cell of the workbook is a
    formula; control characters an .xlsx cannot hold are dropped from text cells.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as shown (written without its index).
    sheet_name : str, default "Table"
        Name of the table's sheet (characters Excel forbids replaced, cut to 31 characters).
    provenance : mapping of str to str, optional
        ``{item: value}`` written as the two columns of the :data:`ABOUT_SHEET` sheet (see
        :func:`export_provenance`); no such sheet when None.

    Returns
    -------
    bytes
        The workbook.
    """
    table_sheet = _sheet_name(sheet_name)
    if provenance is not None and table_sheet.casefold() == ABOUT_SHEET.casefold():
        table_sheet = f"{table_sheet} table"
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _xlsx_safe(neutralise_formulas(df)).to_excel(writer, sheet_name=table_sheet, index=False)
        if provenance is not None:
            about = pd.DataFrame({"Item": list(provenance), "Value": [str(v) for v in provenance.values()]})
            _xlsx_safe(neutralise_formulas(about)).to_excel(writer, sheet_name=ABOUT_SHEET, index=False)
    return buffer.getvalue()
