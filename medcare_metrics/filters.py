"""Subject filters on ADSL columns, applied to every dataset of a trial.

A filter keeps the ADSL subjects whose value in a column is one of the allowed values; the other datasets
keep the rows of the kept subjects. Values are compared through :func:`value_key`, a canonical text form, so a
filter reads the same from a URL (``?SITEID=01&NLES=2``) as from a widget, whatever the column's dtype.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from medcare_metrics.model import DATASETS, TrialData
from medcare_metrics.variables import VARIABLE_LABELS

#: Text standing for a missing value in a filter (``?MDTTYPE=(missing)`` keeps subjects without an MDT type).
MISSING = "(missing)"
#: Columns identifying a subject or a study: never offered as filters.
ID_COLUMNS: frozenset[str] = frozenset({"STUDYID", "USUBJID", "SUBJID"})
#: The filters the sidebar always offers (when the column is present), in display order.
STANDARD_FILTERS: tuple[str, ...] = ("SITEID", "MDTTYPE", "SYSTHER", "NLES")
#: Labels of the filterable ADSL columns (:data:`medcare_metrics.variables.VARIABLE_LABELS`); other
#: columns are shown by name.
FILTER_LABELS: dict[str, str] = {
    column: VARIABLE_LABELS[column]
    for column in (
        *("SITEID", "MDTTYPE", "MDTDETL", "SYSTHER", "NLES", "PRIMTRT", "WHOPS"),
        *("PSMAFL", "PSMACHFL", "EOSSTT", "ENRLFL", "DTHFL", "ARM", "SEX"),
    )
}


def value_key(value: object) -> str:
    """Return the canonical text of one cell value, as filters store and compare it.

    Parameters
    ----------
    value : object
        A cell value of any dtype.

    Returns
    -------
    str
        :data:`MISSING` for a missing value; whole numbers without decimals (``2.0`` -> ``"2"``); dates as
        ``YYYY-MM-DD``; anything else as ``str(value)`` with surrounding spaces removed.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return MISSING
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (bool, np.bool_)):
        return "Y" if value else "N"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return MISSING if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text if text else MISSING


def column_keys(column: pd.Series) -> pd.Series:
    """Return :func:`value_key` of every value of ``column`` (same index).

    Parameters
    ----------
    column : pandas.Series
        One ADSL column.

    Returns
    -------
    pandas.Series
        Text keys, :data:`MISSING` where the value is missing.
    """
    # Each distinct value once (the sidebar keys every ADSL column on every rerun). Distinct by its text, so
    # that True and 1, equal to pandas, keep their own keys.
    values = column.astype(object)
    missing = values.isna().to_numpy()
    keys = np.full(len(values), MISSING, dtype=object)
    present = values[~missing]
    if len(present):
        codes, _ = pd.factorize(present.astype(str))
        _, first = np.unique(codes, return_index=True)
        distinct = np.array([value_key(present.iat[i]) for i in first], dtype=object)
        keys[~missing] = distinct[codes]
    return pd.Series(keys, index=column.index, dtype=object, name=column.name)


def _normalise(values: Iterable[object] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({value_key(v) for v in values}))


@dataclass(frozen=True)
class Filters:
    """Allowed values per ADSL column; a subject is kept when every filtered column holds an allowed value.

    Build with :meth:`from_mapping` or :meth:`from_query_params`. Columns are kept sorted and values are
    canonical (:func:`value_key`), sorted and unique, so two equal selections compare and hash equal. A column
    with no allowed values is dropped: an empty selection means "no restriction", as in the sidebar.

    Attributes
    ----------
    items : tuple of (str, tuple of str)
        ``(column, allowed values)`` pairs.
    """

    items: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        merged: dict[str, set[str]] = {}
        for column, values in self.items:
            if not isinstance(column, str) or not column:
                raise ValueError(f"filter column must be a non-empty string, got {column!r}")
            merged.setdefault(column, set()).update(_normalise(values))
        canonical = tuple((c, tuple(sorted(v))) for c, v in sorted(merged.items()) if v)
        object.__setattr__(self, "items", canonical)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable[object] | str]) -> Filters:
        """Build filters from ``{column: allowed values}``.

        Parameters
        ----------
        mapping : mapping of str to iterable
            Allowed values per column; a single string counts as one value. Values may be of any type; they
            are stored as :func:`value_key` text.

        Returns
        -------
        Filters
            The filters, without the columns that allow nothing.
        """
        return cls(tuple((column, _normalise(values)) for column, values in mapping.items()))

    @classmethod
    def from_query_params(
        cls, params: Mapping[str, str | Sequence[str]], columns: Iterable[str] | None = None
    ) -> Filters:
        """Read filters from URL query parameters (``{"SITEID": ["01", "02"], "NLES": "2"}``).

        Parameters
        ----------
        params : mapping of str to str or sequence of str
            Query parameters; a repeated parameter is a sequence.
        columns : iterable of str, optional
            Filterable columns. Other parameters (a page's own, the as-of date) are ignored. When omitted
            every parameter whose name is upper case counts as a filter.

        Returns
        -------
        Filters
            The filters the parameters describe.
        """
        allowed = set(columns) if columns is not None else None
        selected: dict[str, Iterable[object] | str] = {}
        for key, values in params.items():
            if (allowed is not None and key not in allowed) or (allowed is None and not key.isupper()):
                continue
            selected[key] = values
        return cls.from_mapping(selected)

    def to_query_params(self) -> dict[str, list[str]]:
        """Return the filters as query parameters, the inverse of :meth:`from_query_params`.

        Returns
        -------
        dict of str to list of str
            Allowed values per column.
        """
        return {column: list(values) for column, values in self.items}

    def as_dict(self) -> dict[str, tuple[str, ...]]:
        """Return ``{column: allowed values}``."""
        return dict(self.items)

    @property
    def columns(self) -> tuple[str, ...]:
        """Filtered columns, sorted."""
        return tuple(column for column, _ in self.items)

    def values(self, column: str) -> tuple[str, ...]:
        """Return the allowed values of ``column`` (empty when the column is not filtered)."""
        return self.as_dict().get(column, ())

    def __bool__(self) -> bool:
        """Return True when at least one column is filtered."""
        return bool(self.items)

    def __len__(self) -> int:
        """Return the number of filtered columns."""
        return len(self.items)


def selected_subjects(adsl: pd.DataFrame, filters: Filters) -> pd.Series:
    """Return a boolean mask of the ADSL rows (or rows of any table) that pass ``filters``.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data, or any table holding the filtered columns.
    filters : Filters
        The filters to apply.

    Returns
    -------
    pandas.Series of bool
        True for kept rows, aligned with ``adsl``.

    Raises
    ------
    ValueError
        When a filtered column is not in ``adsl``.
    """
    missing = [column for column in filters.columns if column not in adsl.columns]
    if missing:
        raise ValueError(f"cannot filter on {', '.join(missing)}: not a column of the table")
    mask = pd.Series(True, index=adsl.index)
    for column, values in filters.items:
        mask &= column_keys(adsl[column]).isin(values)
    return mask


def select_rows(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Return the rows of any table whose columns hold allowed values (e.g. problems by dataset and severity).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    filters : Filters
        Allowed values per column of ``frame``.

    Returns
    -------
    pandas.DataFrame
        The kept rows, index reset; ``frame`` itself when there are no filters.

    Raises
    ------
    ValueError
        When a filtered column is not in ``frame``.
    """
    if not filters:
        return frame
    return frame.loc[selected_subjects(frame, filters)].reset_index(drop=True)


def search_rows(frame: pd.DataFrame, text: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the rows of ``frame`` where any of ``columns`` contains ``text`` (case-insensitive, literal).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table.
    text : str
        Text to look for; blank keeps every row.
    columns : sequence of str, optional
        Columns searched (default: every column). Values are compared as text; missing values never match.

    Returns
    -------
    pandas.DataFrame
        The matching rows, index reset; ``frame`` itself when ``text`` is blank.

    Raises
    ------
    ValueError
        When a column in ``columns`` is not in ``frame``.
    """
    needle = text.strip().casefold()
    if not needle:
        return frame
    columns = list(frame.columns) if columns is None else list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"cannot search {', '.join(missing)}: not a column of the table")
    hit = pd.Series(False, index=frame.index)
    for column in columns:
        values = frame[column]
        hit |= values.notna() & values.astype(str).str.casefold().str.contains(needle, regex=False)
    return frame.loc[hit].reset_index(drop=True)


def apply_filters(trial: TrialData, filters: Filters) -> TrialData:
    """Return ``trial`` restricted to the ADSL subjects that pass ``filters``.

    Parameters
    ----------
    trial : TrialData
        Loaded trial.
    filters : Filters
        Allowed values per ADSL column.

    Returns
    -------
    TrialData
        Same source name, fingerprint and notes; ADSL holds the kept subjects and every other dataset the rows
        of those subjects (indexes reset to 0..n-1). With no filters ``trial`` itself is returned.

    Raises
    ------
    ValueError
        When a filtered column is not in ADSL.
    """
    if not filters:
        return trial
    mask = selected_subjects(trial.adsl, filters)
    adsl = _rows(trial.adsl, mask)
    # The kept subjects' values as they are: isin hashes them once per dataset, as it did a set of them
    # (which it first turned back into an array, each time).
    subjects = adsl["USUBJID"].to_numpy()
    restricted: dict[str, pd.DataFrame] = {}
    for name in DATASETS[1:]:
        frame = trial.dataset(name)
        if frame is not None:
            restricted[name] = _rows(frame, frame["USUBJID"].isin(subjects))
    return replace(trial, adsl=adsl, **restricted)


def _rows(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """Return ``frame.loc[mask].reset_index(drop=True)`` without copying the selected rows a second time.

    ``mask`` is aligned with ``frame`` (made from its own columns). ``take`` gives a new frame, not one
    marked as a slice of ``frame`` (as ``loc`` does), so its index is ours to set and its columns too.
    """
    out = frame.take(np.flatnonzero(mask.to_numpy(dtype=bool)))
    out.index = pd.RangeIndex(len(out))
    return out


def filterable_columns(adsl: pd.DataFrame, max_levels: int = 15) -> tuple[str, ...]:
    """Return the ADSL columns a user may filter on: categorical columns with few distinct values.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    max_levels : int, default 15
        Most distinct non-missing values a column may have (the standard filters in
        :data:`STANDARD_FILTERS` are offered whatever their count).

    Returns
    -------
    tuple of str
        The standard filters present first, then the other columns in ADSL order. A column qualifies when it
        is not an identifier, not a date, not a number with decimals, and has at least 2 distinct values.
    """
    if max_levels < 2:
        raise ValueError(f"max_levels must be at least 2, got {max_levels}")
    chosen: list[str] = []
    for column in adsl.columns:
        series = adsl[column]
        if column in ID_COLUMNS or pd.api.types.is_datetime64_any_dtype(series):
            continue
        present = series.dropna()
        if pd.api.types.is_float_dtype(series) and not (present % 1 == 0).all():
            continue
        levels = present.nunique()
        if levels < 2 or (levels > max_levels and column not in STANDARD_FILTERS):
            continue
        chosen.append(column)
    standard = [c for c in STANDARD_FILTERS if c in chosen]
    return tuple(standard + [c for c in chosen if c not in STANDARD_FILTERS])


def filter_options(adsl: pd.DataFrame, column: str) -> tuple[str, ...]:
    """Return the values a filter on ``column`` can take, as :func:`value_key` text.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.
    column : str
        An ADSL column.

    Returns
    -------
    tuple of str
        Distinct values in natural order (numbers numerically, then text), :data:`MISSING` last when present.

    Raises
    ------
    ValueError
        When ``column`` is not in ``adsl``.
    """
    if column not in adsl.columns:
        raise ValueError(f"{column} is not an ADSL column")
    keys = set(column_keys(adsl[column]))
    has_missing = MISSING in keys
    keys.discard(MISSING)

    def order(key: str) -> tuple[int, float, str]:
        try:
            return (0, float(key), key)
        except ValueError:
            return (1, 0.0, key.casefold())

    return tuple(sorted(keys, key=order)) + ((MISSING,) if has_missing else ())


def describe_filters(
    filters: Filters,
    labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, Mapping[str, str]] | None = None,
    value_format: Callable[[str], str] = str,
) -> str:
    """Say in words which subjects ``filters`` keep.

    Parameters
    ----------
    filters : Filters
        The active filters.
    labels : mapping of str to str, optional
        Column label per column (default :data:`FILTER_LABELS`; unlisted columns appear by name).
    value_labels : mapping of str to mapping of str to str, optional
        Per column, a label per value (for example centre names per SITEID).
    value_format : callable, default str
        Applied to every value (or its label), e.g. a Markdown escape when the text goes into Markdown.

    Returns
    -------
    str
        ``"No filters"``, or one clause per column (standard filters first) joined by ``"; "``, values joined
        by ``" or "``:
        ``"Centre: UZ Leuven or AZ Groeninge; MDT type: SBRT"``.
    """
    if not filters:
        return "No filters"
    labels = FILTER_LABELS if labels is None else labels
    value_labels = value_labels or {}
    clauses = []
    # Sidebar order: the standard filters first, then added ones alphabetically.
    rank = {column: i for i, column in enumerate(STANDARD_FILTERS)}
    for column, values in sorted(filters.items, key=lambda item: (rank.get(item[0], len(rank)), item[0])):
        names = value_labels.get(column, {})
        shown = " or ".join(value_format(names.get(v, v)) for v in values)
        clauses.append(f"{labels.get(column, column)}: {shown}")
    return "; ".join(clauses)


def value_labels(adsl: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Return display names for filter values: centre names (SITENAME) per SITEID when ADSL has both.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    dict of str to dict of str to str
        ``{"SITEID": {"01": "UZ Leuven", ...}}`` (first name seen per centre), or ``{}``.
    """
    if not {"SITEID", "SITENAME"} <= set(adsl.columns):
        return {}
    pairs = adsl.loc[adsl["SITENAME"].notna(), ["SITEID", "SITENAME"]].drop_duplicates("SITEID")
    sites = zip(pairs["SITEID"], pairs["SITENAME"], strict=True)
    names = {value_key(site): str(name).strip() for site, name in sites}
    return {"SITEID": {site: name for site, name in names.items() if name}}
