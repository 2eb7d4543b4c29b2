"""Coercion of a dataset as read to the documented column types (``docs/data-dictionary.md``).

Text stays text (blank strings become missing), numbers and whole numbers are parsed (grades may be written
``"Grade 3"``), dates are read from ISO 8601 text, date objects or SAS day numbers. A value that cannot be
read becomes a problem: the row is excluded when the column is required, else the value is set missing.
"""

from __future__ import annotations

import datetime
import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from medcare_metrics import schema
from medcare_metrics.loading.readers import _Raw
from medcare_metrics.loading.validation import _Collector, _describe_value, _missing

#: Day 0 of SAS dates (XPT and SAS7BDAT store dates as days since then).
SAS_EPOCH = pd.Timestamp("1960-01-01")
_GRADE_TEXT = re.compile(r"^\s*(?:grade\s*)?(\d+)\s*$", re.IGNORECASE)
_LARGEST_WHOLE = 2.0**53
#: SAS day numbers read as dates: within the nanosecond dates pandas holds (1677 to 2262) and within the
#: 292 years a nanosecond time difference can span from the SAS epoch.
_SAS_DAYS = (
    max((pd.Timestamp.min.date() - SAS_EPOCH.date()).days + 1, -pd.Timedelta.max.days),
    min((pd.Timestamp.max.date() - SAS_EPOCH.date()).days - 1, pd.Timedelta.max.days),
)
_NS_PER_DAY = 86_400 * 10**9
_DATE_RANGE = f"{pd.Timestamp.min.ceil('D'):%Y-%m-%d} to {pd.Timestamp.max.floor('D'):%Y-%m-%d}"
_SAS_RANGE = " to ".join(f"{SAS_EPOCH + pd.Timedelta(days=d):%Y-%m-%d}" for d in _SAS_DAYS)
#: Columns whose infinite values a schema check already reports (an infinite AVAL is an implausible time).
_INFINITE_CHECKED = frozenset({("adtte", "AVAL")})


def _missing_or_blank(s: pd.Series) -> np.ndarray:
    """Return a mask of the values that are missing, or strings empty or all whitespace (``str.strip()``).

    Each distinct value is looked at once (``pd.factorize`` hashes in C and marks missing values -1): a
    column of 84,000 values holds a few thousand distinct ones, so stripping every cell in Python cost about
    ten times more. A string never equals a non-string, so distinct values keep strings apart from numbers.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mask = np.append(_blank_texts(uniques), False)[codes]
    # Code -1: what factorize calls missing; ``isna`` decides (it does not count Decimal("NaN") as missing).
    unknown = codes == -1
    if unknown.any():
        mask[unknown] = s[unknown].isna().to_numpy()
    return mask


#: Distinct values from which the first characters are found by pyarrow rather than one by one in Python.
_MANY_DISTINCT = 2000


def _blank_texts(values: np.ndarray) -> np.ndarray:
    """Return a mask of the values that are strings empty or all whitespace (``not v.strip()``).

    Only a string whose first character is whitespace (``str.isspace``) or that is empty can be blank, so
    with many distinct values (subject ids) pyarrow finds the first characters and Python strips only the
    few strings that start with one.
    """
    if len(values) >= _MANY_DISTINCT:
        try:
            first = pc.utf8_slice_codeunits(pa.array(values, type=pa.string()), 0, 1)
        except (pa.ArrowException, TypeError, ValueError):
            pass  # not all strings (numbers, bytes) or not encodable: the general way below
        else:
            starts = [c for c in pc.unique(first).to_pylist() if c is not None and (not c or c.isspace())]
            maybe = pc.is_in(first, value_set=pa.array(starts, type=pa.string()))
            blank = np.zeros(len(values), dtype=bool)
            candidates = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))
            blank[candidates] = [not values[i].strip() for i in candidates]
            return blank
    return np.fromiter((isinstance(u, str) and not u.strip() for u in values), dtype=bool, count=len(values))


def _is_blank(s: pd.Series) -> pd.Series:
    """Missing values and empty or blank strings."""
    if not pd.api.types.is_object_dtype(s) and not pd.api.types.is_string_dtype(s):
        return s.isna()
    return pd.Series(_missing_or_blank(s), index=s.index)


def _to_text(s: pd.Series) -> pd.Series:
    def conv(v: object) -> object:
        if _missing(v):
            return np.nan
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, str):
            return v if v.strip() else np.nan
        return str(v)

    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        # Fast path for the usual all-text column: blank strings become missing.
        if s.dtype == object:
            # One NaN object for every missing value, not a new float per row as ``where`` makes.
            values = s.to_numpy(dtype=object, copy=True)
            values[_missing_or_blank(s)] = np.nan
            return pd.Series(values, index=s.index, name=s.name)
        keep = ~_missing_or_blank(s)
        return s.where(keep, np.nan).astype(object)
    return s.map(conv).astype(object)


def _to_number(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    cleaned = s.map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_numeric(cleaned, errors="coerce").astype("float64")


def _to_integer(s: pd.Series, grades: bool) -> pd.Series:
    if pd.api.types.is_signed_integer_dtype(s):
        # Whole numbers already (Parquet's Int64): the float round trip below would give them back as they
        # are, unless one is too large for a float to hold exactly.
        magnitude = np.abs(s.to_numpy(dtype="float64", na_value=0.0))
        if not (magnitude >= _LARGEST_WHOLE).any():
            return s.astype("Int64")
    if grades and not pd.api.types.is_numeric_dtype(s):

        def grade(v: object) -> object:
            if isinstance(v, str):
                m = _GRADE_TEXT.match(v)
                return m.group(1) if m else v
            return v

        s = s.map(grade)
    num = _to_number(s)
    # Past 2**53 a float no longer holds every whole number, and inf none: such values are not read.
    whole = num.isna() | ((num == np.floor(num)) & (num.abs() < _LARGEST_WHOLE))
    num = num.where(whole)
    return num.round().astype("Int64")


def _one_date(v: object) -> pd.Timestamp:
    """Read one date-like value (date, datetime, ISO text); NaT when it is not one."""
    if isinstance(v, (bool, int, float, np.number)):
        # A bare number has no unit outside SAS files (days? Excel serial? nanoseconds?): report it.
        return pd.NaT
    try:
        ts = pd.Timestamp(v)
    except (TypeError, ValueError, OverflowError):
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    ts = ts.tz_localize(None) if ts.tzinfo is not None else ts
    # pandas holds a year-9999 date at a coarser unit; the loaded columns are nanosecond dates.
    return ts if pd.Timestamp.min <= ts <= pd.Timestamp.max else pd.NaT


def _normalize(dates: pd.Series) -> pd.Series:
    """Return nanosecond ``dates`` at midnight (``dt.normalize``); a plain copy when they already are."""
    ns = dates.to_numpy().view("i8")
    at_midnight = ns[~np.isnat(dates.to_numpy())] % _NS_PER_DAY == 0
    return dates.copy() if at_midnight.all() else dates.dt.normalize()


def _to_date(s: pd.Series, sas: bool) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        # Parquet may store second- or millisecond-dates such as 9999-12-31, beyond nanosecond dates.
        out = out.where((out >= pd.Timestamp.min) & (out <= pd.Timestamp.max))
        return _normalize(out.astype("datetime64[ns]"))
    if sas and pd.api.types.is_numeric_dtype(s):
        days = s.astype("float64").round()
        days = days.where(days.between(*_SAS_DAYS))  # also drops inf: beyond the dates pandas holds
        return (SAS_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        is_text = s.notna()  # the usual text column: no per-value type test
    else:
        is_text = s.map(lambda v: isinstance(v, str)).astype(bool)
    # Each distinct text is parsed once (a date column repeats a few thousand dates over many rows); the
    # parsed values are spread back to the rows by their codes.
    codes, uniques = pd.factorize(s[is_text].to_numpy(dtype=object))
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    parsed_unique = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    # Full ISO 8601 dates only: "03/04/2024" is ambiguous and "2024-05" a partial date; both are reported
    # instead of guessed.
    text = text[text.str.match(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")]
    if not text.empty:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except (ValueError, TypeError):
            parsed = text.map(_one_date)
        if not pd.api.types.is_datetime64_any_dtype(parsed):  # mixed time-zone offsets: one at a time
            parsed = text.map(_one_date)
        elif getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)  # keep the local wall-clock date
        parsed_unique[parsed.index.to_numpy()] = pd.to_datetime(parsed).astype("datetime64[ns]").to_numpy()
    if len(codes):
        out.loc[is_text.to_numpy()] = parsed_unique[codes]
    others = s[~is_text & s.notna()]
    if not others.empty:  # date and datetime objects (XPT, SAS7BDAT, Excel, Parquet)
        out.loc[others.index] = pd.to_datetime(others.map(_one_date)).astype("datetime64[ns]")
    return out.dt.normalize()


_KIND_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "date": "an ISO 8601 date (YYYY-MM-DD)",
}


def _failure(kind: str, value: object, sas: bool) -> str:
    """Return why ``value`` could not be read as ``kind`` (the problem text after the column and value)."""
    if kind in ("number", "integer"):
        try:
            number = float(pd.to_numeric(value.strip() if isinstance(value, str) else value, errors="coerce"))
        except (TypeError, ValueError):
            number = np.nan
        if kind == "number" and np.isinf(number):
            return "is not a finite number"
        if kind == "integer" and (np.isinf(number) or abs(number) >= _LARGEST_WHOLE):
            return "is not a whole number of a usable size"
        return f"is not {_KIND_WORDS[kind]}"
    if sas and isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return f"is a SAS date outside the dates that can be held ({_SAS_RANGE})"
    if isinstance(value, str) and re.match(r"^\s*\d{4}-\d{2}-\d{2}", value):
        try:
            datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return "is not a date that exists (YYYY-MM-DD)"
        return f"is outside the dates that can be held ({_DATE_RANGE})"
    if isinstance(value, (datetime.date, np.datetime64)):
        return f"is outside the dates that can be held ({_DATE_RANGE})"
    return f"is not {_KIND_WORDS[kind]}"


def _coerce(dataset: str, raw: _Raw, out: _Collector) -> tuple[pd.DataFrame, pd.Series]:
    """Return the frame with documented columns coerced, and a mask of rows to exclude."""
    frame = raw.frame
    exclude = pd.Series(False, index=frame.index)
    subjects = frame["USUBJID"] if "USUBJID" in frame else pd.Series(None, index=frame.index, dtype=object)
    for col, spec in schema.column_specs(dataset).items():
        if col not in frame:
            continue
        original = frame[col]
        if spec.kind in ("text", "flag"):
            frame[col] = _to_text(original)
            if spec.kind == "flag":
                # Dictionary convention: an empty flag counts as "N".
                frame[col] = frame[col].fillna("N")
            continue
        if spec.kind == "number":
            coerced = _to_number(original)
        elif spec.kind == "integer":
            coerced = _to_integer(original, grades=col in ("ATOXGR", "AETOXGR"))
        else:
            coerced = _to_date(original, raw.sas)
        failed = coerced.isna() & ~_is_blank(original)
        if spec.kind == "number" and (dataset, col) not in _INFINITE_CHECKED:
            # "inf" reads as a number, yet no age, dose or lab value is infinite.
            infinite = np.isinf(coerced.to_numpy(dtype="float64", na_value=np.nan))
            failed |= pd.Series(infinite, index=coerced.index)
            coerced = coerced.where(~infinite)
        for idx in frame.index[failed.to_numpy()]:
            value = original.at[idx]
            reason = _failure(spec.kind, value, raw.sas)
            if spec.required:
                exclude.at[idx] = True
                text = f"{col} {_describe_value(value)} {reason}; row excluded"
                severity = "error"
            else:
                text = f"{col} {_describe_value(value)} {reason}; value set missing"
                severity = "warning"
            out.add(
                dataset,
                raw.file,
                text,
                check="type",
                severity=severity,
                row=int(raw.rows[idx]),
                usubjid=subjects.at[idx],
                column=col,
            )
        frame[col] = coerced
    return frame, exclude
