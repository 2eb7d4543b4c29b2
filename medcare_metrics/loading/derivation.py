"""Columns the dashboard derives when a source lacks them, each derivation written down as a note.

ADSL.ENRLFL from ENRLDT, RANDDT, ITTFL or SAFFL; ADAE.ATOXGR from AETOXGR; ADTTE.AVALU as days when absent
or empty, and known units in upper case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from medcare_metrics.loading.validation import _Collector
from medcare_metrics.rules import TIME_UNITS, flag_yes


def _derive(dataset: str, frame: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """Add the columns the dashboard derives when a source lacks them; each derivation becomes a note."""
    name = dataset.upper()
    if dataset == "adsl" and "ENRLFL" not in frame:
        for col in ("ENRLDT", "RANDDT"):
            if col in frame:
                frame["ENRLFL"] = np.where(frame[col].notna(), "Y", "N").astype(object)
                out.notes.append(f"ADSL.ENRLFL derived: Y when {col} is present.")
                break
        else:
            for col in ("ITTFL", "SAFFL"):
                if col in frame:
                    frame["ENRLFL"] = np.where(flag_yes(frame, col), "Y", "N").astype(object)
                    out.notes.append(f"ADSL.ENRLFL derived from {col} (no ENRLFL, ENRLDT or RANDDT).")
                    break
            else:
                frame["ENRLFL"] = "Y"
                out.notes.append(
                    "ADSL.ENRLFL derived: no ENRLFL, ENRLDT, RANDDT, ITTFL or SAFFL, "
                    "so every subject counts as enrolled."
                )
    if dataset == "adae" and "ATOXGR" not in frame and "AETOXGR" in frame:
        frame["ATOXGR"] = frame["AETOXGR"].copy()
        out.notes.append("ADAE.ATOXGR taken from AETOXGR (no ATOXGR column).")
    if dataset == "adtte":
        if "AVALU" not in frame:
            frame["AVALU"] = "DAYS"
            out.notes.append(f"{name}.AVALU set to DAYS (no AVALU column).")
        else:
            blank = frame["AVALU"].isna()
            if blank.any():
                frame.loc[blank, "AVALU"] = "DAYS"
                n = int(blank.sum())
                out.notes.append(
                    f"{name}.AVALU set to DAYS on {n} row{'s' if n > 1 else ''} where it was empty."
                )
            frame["AVALU"] = _known_units_upper(frame["AVALU"])
    return frame


def _known_units_upper(avalu: pd.Series) -> pd.Series:
    """Return AVALU with the known time units stripped and upper case; any other value as written.

    Only known units are normalised, so a bad unit is reported as written. Each distinct text is looked at
    once (a column of 300,000 rows holds a few units), and rows of one unit share one string.
    """
    units = set(TIME_UNITS)

    def normalised(v: object) -> object:
        return v.strip().upper() if isinstance(v, str) and v.strip().upper() in units else v

    if avalu.dtype != object or pd.api.types.infer_dtype(avalu, skipna=False) != "string":
        return avalu.map(normalised)
    codes, uniques = pd.factorize(avalu)
    table = np.fromiter((normalised(u) for u in uniques), dtype=object, count=len(uniques))
    return pd.Series(table[codes], index=avalu.index, name=avalu.name)
