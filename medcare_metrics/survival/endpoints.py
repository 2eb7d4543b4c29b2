"""ADTTE endpoints and their time units, the columns a curve can be split by, the historical benchmark."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.filters import ID_COLUMNS, STANDARD_FILTERS
from medcare_metrics.rules import unit_days
from medcare_metrics.study import StudyDefinition, default_study
from medcare_metrics.survival._frame import check_tte

#: ADaM suffixes of dates, times, study days and durations: never categories.
_NOT_CATEGORY_SUFFIXES: tuple[str, ...] = ("DT", "DTM", "DTC", "TM", "DY", "DUR", "DURD", "DURM", "DURY")
#: Treatment columns, offered right after the sidebar's standard filters (arms of a randomized trial).
TREATMENT_COLUMNS: tuple[str, ...] = ("TRT01A", "TRT01P", "ACTARM", "ARM")

#: ADSL columns that record what happened after baseline (outcomes): death (DTHFL, DTHCAUS, LDDTHGR1,
#: DTH30FL, ...), end of study or of treatment (EOSSTT, EOTSTT), discontinuation and completion (DCSREAS,
#: DCDECOD, DCREASCD, DISCONFL, DSRAEFL, COMP24FL), last contact (LSTALVDT, FRVDT), reference end dates and
#: exposure (RFENDTC, TRTEDT, TRTDURD, CUMDOSE, AVGDD). Splitting a survival curve by the outcome makes the
#: log-rank test and the hazard ratio meaningless, so these never stratify.
OUTCOME_PREFIXES: tuple[str, ...] = (
    "DTH", "LDDTH", "EOS", "EOT", "DCS", "DCT", "DCD", "DCREAS", "DISCON", "DSRAE", "COMP", "LSTALV", "FRV",
    "RFEND", "RFXEND", "RFPEND", "TRTE", "TRTDUR", "CUMDOSE", "AVGDD",
)  # fmt: skip
#: Name (or ADaM numeric code) columns that repeat a code column: left out when that column is offered.
DUPLICATE_COLUMNS: dict[str, str] = {
    "SITENAME": "SITEID",
    "ARMCD": "ARM",
    "ACTARMCD": "ACTARM",
    "TRT01AN": "TRT01A",
    "TRT01PN": "TRT01P",
}


def normalize_unit(unit: str) -> str:
    """Return the canonical name (``DAYS``, ``WEEKS``, ``MONTHS``, ``YEARS``) of a time unit.

    Parameters
    ----------
    unit : str
        Unit as written in AVALU, any case, singular or plural (``"day"``, ``"Months"``).

    Returns
    -------
    str
        One of :data:`medcare_metrics.rules.TIME_UNITS`.

    Raises
    ------
    ValueError
        For an unknown unit.
    """
    key = str(unit).strip().upper()
    unit_days(key)  # raises on an unknown unit
    return key if key.endswith("S") else key + "S"


def convert_time(values: float | np.ndarray | pd.Series, from_unit: str, to_unit: str) -> np.ndarray | float:
    """Convert durations between days, weeks, months and years.

    A month is ``rules.DAYS_PER_MONTH`` days (365.25 / 12), a week ``rules.DAYS_PER_WEEK``, a year 365.25
    days (:func:`medcare_metrics.rules.unit_days`).

    Parameters
    ----------
    values : float, numpy.ndarray or pandas.Series
        Durations in ``from_unit``.
    from_unit, to_unit : str
        Units accepted by :func:`normalize_unit`.

    Returns
    -------
    float or numpy.ndarray
        Durations in ``to_unit``.
    """
    factor = unit_days(from_unit) / unit_days(to_unit)
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=float) * factor
    if np.isscalar(values):
        return float(values) * factor  # type: ignore[arg-type]  # a number: np.isscalar said so
    return np.asarray(values, dtype=float) * factor


def endpoints(adtte: pd.DataFrame, preferred: Sequence[str] = ("NESTFS", "PFS", "OS")) -> list[str]:
    """Return the PARAMCD values of ADTTE, those in ``preferred`` first (in that order), then the rest sorted.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE with a PARAMCD column.
    preferred : sequence of str
        Codes listed first when present.

    Returns
    -------
    list of str
        Parameter codes.
    """
    present = [str(p) for p in pd.unique(adtte["PARAMCD"].dropna())]
    first = [p for p in preferred if p in present]
    return first + sorted(p for p in present if p not in first)


def param_rows(adtte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """Return the ADTTE rows of one parameter.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE.
    paramcd : str
        Parameter code.

    Returns
    -------
    pandas.DataFrame
        The rows with ``PARAMCD == paramcd``.

    Raises
    ------
    DataUnavailable
        When ADTTE lacks USUBJID, PARAMCD, AVAL or CNSR, or has no row for ``paramcd`` (a ValueError).
    """
    for column in ("USUBJID", "PARAMCD", "AVAL", "CNSR"):
        if column not in adtte.columns:
            raise DataUnavailable(f"ADTTE has no {column} column")
    rows = adtte[adtte["PARAMCD"] == paramcd]
    if rows.empty:
        available = ", ".join(endpoints(adtte)) or "none"
        raise DataUnavailable(f"no ADTTE rows for PARAMCD {paramcd!r}; available: {available}")
    return rows


def time_unit(adtte: pd.DataFrame, paramcd: str) -> str:
    """Return the time unit (AVALU) of one parameter, canonical upper case; ``DAYS`` when AVALU is absent.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE.
    paramcd : str
        Parameter code.

    Returns
    -------
    str
        ``DAYS``, ``WEEKS``, ``MONTHS`` or ``YEARS``.

    Raises
    ------
    DataUnavailable
        When the parameter's rows use more than one unit, or it has no row (a ValueError).
    """
    rows = param_rows(adtte, paramcd)
    if "AVALU" not in rows.columns:
        return "DAYS"
    units = {normalize_unit(u) for u in rows["AVALU"].dropna().unique()}
    if not units:
        return "DAYS"
    if len(units) > 1:
        raise DataUnavailable(
            f"PARAMCD {paramcd!r} mixes time units {sorted(units)}; give a unit to convert to"
        )
    return units.pop()


def endpoint_label(
    adtte: pd.DataFrame, paramcd: str, protocol_labels: bool = True, study: StudyDefinition | None = None
) -> str:
    """Return a readable name of an endpoint: the study file's name, else ADTTE.PARAM, else the code.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE.
    paramcd : str
        Parameter code.
    protocol_labels : bool, default True
        Use the study's endpoint labels (``study.endpoints``). Pass False to use ADTTE.PARAM only (the same
        code, PFS, may follow another definition in another study).
    study : StudyDefinition, optional
        The trial's study (``TrialData.study``); MEDCARE's by default. A neutral study's labels are the
        data's PARAM text.

    Returns
    -------
    str
        For example ``"NEST-free survival (NESTFS)"``, or ``"Progression Free Survival (PFS)"`` from PARAM.
    """
    labels = (default_study() if study is None else study).endpoint_labels if protocol_labels else {}
    name = labels.get(paramcd)
    if name is None and "PARAM" in adtte.columns:
        params = adtte.loc[adtte["PARAMCD"] == paramcd, "PARAM"].dropna()
        name = str(params.iloc[0]) if len(params) else None
    return f"{name} ({paramcd})" if name else paramcd


def stratification_columns(
    adsl: pd.DataFrame, subjects: Iterable[str] | None = None, max_levels: int = 8
) -> list[str]:
    """Return the ADSL columns a survival curve can be split by: categorical, 2 to ``max_levels`` values.

    Parameters
    ----------
    adsl : pandas.DataFrame
        ADSL.
    subjects : iterable of str, optional
        Count values among these subjects only (those of the endpoint), e.g. ``tte.USUBJID``.
    max_levels : int
        Most distinct values a column may have among ``subjects``.

    Returns
    -------
    list of str
        Text, flag and whole-number columns with 2 to ``max_levels`` values among ``subjects`` and a value for
        at least half of them. Left out: identifiers; dates, times, study days and durations (names ending in
        DT, DTM, DTC, TM, DY, DUR...); numbers with decimals; whole numbers with more than ``max_levels``
        values in the whole of ADSL (ages, counts of days: a filter leaving few patients does not make them
        categories); outcomes and other post-baseline columns (:data:`OUTCOME_PREFIXES`: DTHFL, EOSSTT,
        DCSREAS, ...); a name or numeric code repeating an offered column (:data:`DUPLICATE_COLUMNS`:
        SITENAME beside SITEID, whose names the page shows, and an ADaM ``xxxN`` code beside ``xxx``). Order:
        ``filters.STANDARD_FILTERS``, then :data:`TREATMENT_COLUMNS`, then ADSL order.
    """
    wanted = None if subjects is None else {str(s) for s in subjects}
    # Only the columns that pass the checks on the whole of ADSL are read among the subjects, one by one
    # (not a copy of every column), and not at all when the subjects are every row.
    keep = None if wanted is None else adsl["USUBJID"].astype(str).isin(wanted).to_numpy()
    if keep is not None and keep.all():
        keep = None
    found = []
    for column in adsl.columns:
        name = column.upper()
        if column in ID_COLUMNS or name.endswith(_NOT_CATEGORY_SUFFIXES) or name.startswith(OUTCOME_PREFIXES):
            continue
        everywhere = adsl[column]
        if pd.api.types.is_datetime64_any_dtype(everywhere):
            continue
        if pd.api.types.is_numeric_dtype(everywhere) and not pd.api.types.is_bool_dtype(everywhere):
            # Whole numbers and few of them: the distinct values tell both (fewer of them first).
            present = everywhere.dropna().astype(float).unique()
            if len(present) > max_levels or not np.all(np.equal(np.mod(present, 1), 0)):
                continue
        values = everywhere if keep is None else everywhere[keep]
        if len(values) == 0 or values.notna().sum() < len(values) / 2:
            continue
        if 2 <= values.nunique(dropna=True) <= max_levels:
            found.append(column)
    duplicates = {c for c in found if DUPLICATE_COLUMNS.get(c) in found}
    duplicates |= {c for c in found if c.endswith("N") and c[:-1] in found}
    found = [c for c in found if c not in duplicates]
    first = [c for c in (*STANDARD_FILTERS, *TREATMENT_COLUMNS) if c in found]
    return first + [c for c in found if c not in first]


def label_groups(tte: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Return ``tte`` with each GROUP code followed by its name, e.g. ``"01"`` -> ``"01 UZ Leuven"``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`medcare_metrics.survival.time_to_event`.
    names : mapping of str to str
        Name per group code (for example ``filters.value_labels(adsl)["SITEID"]``); codes not in it, and
        the "Missing" group, keep their label.

    Returns
    -------
    pandas.DataFrame
        A copy with the new GROUP labels, rows and group order unchanged.
    """
    check_tte(tte)
    out = tte.copy()
    out["GROUP"] = [
        f"{g} {names[g]}" if names.get(g) and names[g] != g else g for g in out["GROUP"].astype(str)
    ]
    return out


def benchmark_endpoints(study: StudyDefinition | None = None) -> list[str]:
    """Return the endpoints that have a historical benchmark in the study file (MEDCARE: NESTFS and PFS).

    Parameters
    ----------
    study : StudyDefinition, optional
        The trial's study (``TrialData.study``); MEDCARE's by default.

    Returns
    -------
    list of str
        Parameter codes in the order of the study's ``benchmarks``; empty for a study without any.
    """
    return list(dict.fromkeys(b.paramcd for b in (default_study() if study is None else study).benchmarks))


def benchmark_table(paramcd: str, unit: str, study: StudyDefinition | None = None) -> pd.DataFrame:
    """Return the historical benchmark medians of one endpoint (the study file's ``benchmarks``) in ``unit``.

    Parameters
    ----------
    paramcd : str
        Endpoint code.
    unit : str
        Time unit to convert the benchmark months to.
    study : StudyDefinition, optional
        The trial's study (``TrialData.study``); MEDCARE's by default.

    Returns
    -------
    pandas.DataFrame
        Columns POPULATION, MEDIAN, LOWER, UPPER, SOURCE; empty when the endpoint has no benchmark.
    """
    rows = [
        {
            "POPULATION": b.population,
            "MEDIAN": convert_time(b.median, "MONTHS", unit),
            "LOWER": convert_time(b.lower, "MONTHS", unit),
            "UPPER": convert_time(b.upper, "MONTHS", unit),
            "SOURCE": b.source,
        }
        for b in (default_study() if study is None else study).benchmarks_for(paramcd)
    ]
    return pd.DataFrame(rows, columns=["POPULATION", "MEDIAN", "LOWER", "UPPER", "SOURCE"])
