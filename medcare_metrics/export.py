"""Tables leaving the app: CSV that a spreadsheet opens without running anything."""

from __future__ import annotations

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
