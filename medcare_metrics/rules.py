"""ADaM rules the whole package shares, each defined once.

Time units (AVALU), what an event is (``CNSR = 0``), the grade scale's "high grade", Y/N flags and the
populations (enrolled, safety, treatment-emergent events). Every module that needs one of these asks here,
so that two pages can never count by different rules without saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

#: Days in a week, a month and a year. A month is a twelfth of a Julian year, as R's and SAS's usual
#: ``/ 30.4375`` conversion.
DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

#: Days per AVALU unit, upper case, plural and singular.
DAYS_PER_UNIT: Mapping[str, float] = MappingProxyType(
    {
        "DAYS": 1.0,
        "DAY": 1.0,
        "WEEKS": DAYS_PER_WEEK,
        "WEEK": DAYS_PER_WEEK,
        "MONTHS": DAYS_PER_MONTH,
        "MONTH": DAYS_PER_MONTH,
        "YEARS": DAYS_PER_YEAR,
        "YEAR": DAYS_PER_YEAR,
    }
)
#: The units a time can be shown in, plural, shortest first.
TIME_UNITS: tuple[str, ...] = ("DAYS", "WEEKS", "MONTHS", "YEARS")

#: Longest plausible time to event (ADTTE.AVAL), in years: a longer (or infinite) time is a data error.
MAX_TIME_TO_EVENT_YEARS = 100.0

#: ADTTE.CNSR value of an event; any other value (1, 2, ...) is a censoring.
EVENT_CNSR = 0

#: Grades from this one up are "high grade" (CTCAE grade >= 3; on severity data, SEVERE).
HIGH_GRADE = 3


def per_distinct(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Return ``transform(values)``, worked out once per distinct value of ``values``.

    Flags, units, codes and terms hold a handful of distinct values over thousands of rows, so an
    elementwise transform (text clean-up, a lookup) is applied to the distinct values only and spread back
    by code: the same Series at a fraction of the cost.

    Parameters
    ----------
    values : pandas.Series
        Any column.
    transform : callable
        ``transform(series) -> series`` that works value by value (each output value depends on its own
        input value only) and keeps the length.

    Returns
    -------
    pandas.Series
        ``transform(values)``: same values and dtype, with the index and name of ``values``.
    """
    codes, uniques = pd.factorize(values)
    if len(uniques) == len(values) or (
        # In an object column 1, 1.0 and True are one value to factorize but print differently.
        values.dtype == object and not all(isinstance(v, str) for v in uniques)
    ):
        return transform(values)
    table = transform(pd.Series(uniques)).reset_index(drop=True)
    missing = codes < 0
    if missing.any():
        # Missing values (None, NaN, NA) are one code to factorize; the first stands for them all.
        na = transform(values.iloc[np.flatnonzero(missing)[:1]]).reset_index(drop=True)
        table = pd.concat([table, na], ignore_index=True)
        codes = np.where(missing, len(uniques), codes)
    return pd.Series(table.array.take(codes), index=values.index, name=values.name)


def _clean_text(values: pd.Series) -> pd.Series:
    """Text upper case without surrounding spaces (missing stays missing)."""
    return values.astype("string").str.strip().str.upper()


def unit_days(unit: str) -> float:
    """Return the length of one AVALU ``unit`` in days.

    Parameters
    ----------
    unit : str
        ``"DAYS"``, ``"WEEKS"``, ``"MONTHS"`` or ``"YEARS"`` (any case, singular or plural).

    Returns
    -------
    float
        Days per unit.

    Raises
    ------
    ValueError
        For an unknown unit.
    """
    key = str(unit).strip().upper()
    if key not in DAYS_PER_UNIT:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(TIME_UNITS)}")
    return DAYS_PER_UNIT[key]


def days_per_unit(units: pd.Series) -> pd.Series:
    """Return the days per unit of each AVALU value (NaN for a missing or unknown unit).

    Parameters
    ----------
    units : pandas.Series
        AVALU values (any case, singular or plural).

    Returns
    -------
    pandas.Series of float
        Aligned with ``units``.
    """
    return per_distinct(units, lambda u: _clean_text(u).map(DAYS_PER_UNIT).astype(float))


def is_event(cnsr: pd.Series) -> pd.Series:
    """Return True where ADTTE.CNSR marks an event (``CNSR = 0``).

    Parameters
    ----------
    cnsr : pandas.Series
        CNSR values (numbers, or text holding numbers).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``cnsr``; False for a censoring and for a missing value.
    """
    return pd.to_numeric(cnsr, errors="coerce").eq(EVENT_CNSR).fillna(False).astype(bool)


def is_high_grade(grades: pd.Series, high_grade: int = HIGH_GRADE) -> pd.Series:
    """Return True where a grade (CTCAE 1-5, or the rank of a severity) is high grade.

    Parameters
    ----------
    grades : pandas.Series
        Numeric grades; missing allowed.
    high_grade : int, default :data:`HIGH_GRADE`
        The lowest high grade.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``grades``; False for a missing grade.
    """
    return pd.to_numeric(grades, errors="coerce").ge(high_grade).fillna(False).astype(bool)


def flag_yes(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return True where a Y/N flag column is ``"Y"`` (case and surrounding spaces ignored).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any dataset holding ``column``.
    column : str
        Flag column, for example ENRLFL or SAFFL.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``frame``; False for missing values.
    """
    return per_distinct(frame[column], lambda v: _clean_text(v).eq("Y").fillna(False).astype(bool))


@dataclass(frozen=True)
class PopulationRule:
    """Which subjects a count is over, and how they were chosen.

    Attributes
    ----------
    name : str
        Short name for people (``"enrolled patients"``, ``"safety population"``).
    rule : str
        The rule applied, in words (``'SAFFL = "Y"'``).
    """

    name: str
    rule: str


#: ADSL.EOSSTT values of a subject who has left the study (ONGOING is the other value).
OFF_STUDY_STATUSES: frozenset[str] = frozenset({"COMPLETED", "DISCONTINUED"})


def off_study_mask(adsl: pd.DataFrame) -> pd.Series:
    """Return True for subjects whose end-of-study status says they left (COMPLETED or DISCONTINUED).

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with EOSSTT (any case, surrounding spaces ignored).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``adsl``; False for a missing status and when ADSL has no EOSSTT.
    """
    if "EOSSTT" not in adsl.columns:
        return pd.Series(False, index=adsl.index)
    return per_distinct(
        adsl["EOSSTT"], lambda v: _clean_text(v).isin(OFF_STUDY_STATUSES).fillna(False).astype(bool)
    )


def enrolled_mask(adsl: pd.DataFrame) -> pd.Series:
    """Return True for enrolled subjects: ``ENRLFL == "Y"``, or every subject when ENRLFL is absent.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``adsl``.
    """
    if "ENRLFL" not in adsl.columns:
        return pd.Series(True, index=adsl.index)
    return flag_yes(adsl, "ENRLFL")


def enrolled_population(adsl: pd.DataFrame) -> PopulationRule:
    """Return how :func:`enrolled_mask` chooses the enrolled patients of ``adsl``.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    PopulationRule
        ``'ENRLFL = "Y"'``, or every subject when ADSL has no ENRLFL.
    """
    rule = 'ENRLFL = "Y"' if "ENRLFL" in adsl.columns else "every ADSL subject (no ENRLFL)"
    return PopulationRule("enrolled patients", rule)


def safety_mask(adsl: pd.DataFrame) -> tuple[pd.Series, PopulationRule]:
    """Return the safety population: the denominator of every toxicity count.

    SAFFL = "Y" when ADSL has SAFFL; else subjects with a TRTSDT (treated); else ENRLFL = "Y"; else every
    subject.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    mask : pandas.Series of bool
        Aligned with ``adsl``.
    rule : PopulationRule
        The rule that was applied.
    """
    if "SAFFL" in adsl.columns:
        return flag_yes(adsl, "SAFFL"), PopulationRule("safety population", 'SAFFL = "Y"')
    if "TRTSDT" in adsl.columns:
        return adsl["TRTSDT"].notna(), PopulationRule(
            "safety population", "treated (TRTSDT present; ADSL has no SAFFL)"
        )
    if "ENRLFL" in adsl.columns:
        return flag_yes(adsl, "ENRLFL"), PopulationRule(
            "safety population", 'enrolled (ENRLFL = "Y"; ADSL has no SAFFL or TRTSDT)'
        )
    return pd.Series(True, index=adsl.index), PopulationRule(
        "safety population", "all ADSL subjects (no SAFFL, TRTSDT or ENRLFL)"
    )


def treatment_emergent_mask(adae: pd.DataFrame) -> pd.Series:
    """Return True for treatment-emergent adverse events (``ADAE.TRTEMFL = "Y"``).

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with a TRTEMFL column.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``adae``.

    Raises
    ------
    ValueError
        When ADAE has no TRTEMFL column.
    """
    if "TRTEMFL" not in adae.columns:
        raise ValueError("ADAE has no TRTEMFL column: cannot keep treatment-emergent events only")
    return flag_yes(adae, "TRTEMFL")


#: AEREL values (upper case) that count as related to the study treatment (MDT): from "RELATED" to "POSSIBLY
#: RELATED", and the yes/no form Y / YES. "UNLIKELY" and weaker count as not related.
RELATED_AEREL_VALUES: frozenset[str] = frozenset(
    {
        "RELATED",
        "DEFINITELY RELATED",
        "PROBABLE",
        "PROBABLY RELATED",
        "POSSIBLE",
        "POSSIBLY RELATED",
        "Y",
        "YES",
    }
)


def is_related(aerel: pd.Series) -> pd.Series:
    """Return True where AEREL calls an event related to the treatment (:data:`RELATED_AEREL_VALUES`).

    Parameters
    ----------
    aerel : pandas.Series
        ADAE.AEREL, in any case, with or without surrounding spaces.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``aerel``; False for a missing value.
    """
    return per_distinct(aerel, lambda v: _clean_text(v).isin(RELATED_AEREL_VALUES).fillna(False).astype(bool))
