"""Pandera schemas of the MEDCARE ADaM datasets, as documented in ``docs/data-dictionary.md``.

Loading (:mod:`medcare_metrics.loading`) first coerces every documented column to its type (recording
values that cannot be read) and then validates the typed frames with these schemas, lazily, so every
problem is reported.
Columns not in the dictionary are allowed: real exports carry many.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from medcare_metrics.rules import MAX_TIME_TO_EVENT_YEARS, TIME_UNITS, days_per_unit, unit_days
from medcare_metrics.study import default_study

#: Column kinds used by the dictionary and the dtype each becomes after loading.
KIND_DTYPES: dict[str, str] = {
    "text": "object",
    "flag": "object",
    "date": "datetime64[ns]",
    "integer": "Int64",
    "number": "float64",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One documented column.

    Attributes
    ----------
    kind : str
        ``"text"``, ``"flag"``, ``"date"``, ``"integer"`` or ``"number"`` (see :data:`KIND_DTYPES`).
    required : bool
        Required columns must be present and non-missing; optional ones are checked only when present.
    """

    kind: str
    required: bool = False


#: Plain-English text of each check's failure -> short check label shown in the problems table.
CHECK_LABELS: dict[str, str] = {}


def _per_distinct(
    values: pd.Series, transform: Callable[[pd.Series], pd.Series], missing: object
) -> pd.Series:
    """Return ``transform(values)`` computed once per distinct text and spread back to the rows.

    A unit or category column holds a handful of texts over hundreds of thousands of rows, and stripping
    or upper-casing each row cost seconds at 100,000 patients. Only a column of text (and missing values,
    which give ``missing``) is done this way: distinct numbers such as 1 and 1.0 would be merged.
    """
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return transform(values)
    codes, uniques = pd.factorize(values)
    distinct = np.asarray(transform(pd.Series(uniques, dtype=object)), dtype=type(missing))
    return pd.Series(np.append(distinct, [missing])[codes], index=values.index, name=values.name)


def _check(fn: Callable[[pd.Series], pd.Series], label: str, text: str) -> pa.Check:
    """Return a pandera check whose failure reads ``text`` and whose label is ``label``."""
    CHECK_LABELS[text] = label
    return pa.Check(fn, element_wise=False, ignore_na=True, name=label, error=text)


def allowed(values: Iterable[str], case_insensitive: bool = False) -> pa.Check:
    """Return a check that values are among ``values`` (exact case unless ``case_insensitive``)."""
    vals = tuple(values)
    listing = ", ".join(f'"{v}"' for v in vals)
    if case_insensitive:
        upper = {v.upper() for v in vals}
        return _check(
            lambda s: _per_distinct(s, lambda u: u.astype(str).str.upper().isin(upper), False),
            "allowed values",
            f"must be one of {listing} (any case)",
        )
    return _check(lambda s: s.isin(vals), "allowed values", f"must be one of {listing}")


def at_least(low: float) -> pa.Check:
    """Return a check that values are >= ``low``."""
    return _check(lambda s: s >= low, "range", f"must be {low:g} or more")


def above(low: float) -> pa.Check:
    """Return a check that values are > ``low``."""
    return _check(lambda s: s > low, "range", f"must be more than {low:g}")


#: MEDCARE's study definition: the ADaM specification's allowed values are MEDCARE's categories.
_MEDCARE = default_study()


def between(low: float, high: float) -> pa.Check:
    """Return a check that values lie in ``[low, high]``."""
    return _check(lambda s: (s >= low) & (s <= high), "range", f"must be between {low:g} and {high:g}")


def _mdt_detail_ok(s: pd.Series) -> pd.Series:
    """Return whether each ``"; "``-joined MDT detail lists only known lesion MDT types."""
    known = set(_MEDCARE.mdt_lesion_types)
    return _per_distinct(
        s, lambda u: u.astype(str).map(lambda v: all(p.strip() in known for p in v.split(";"))), False
    )


def _single_value(s: pd.Series) -> pd.Series:
    """Return True where ``s`` equals its most frequent value (one value per source)."""
    values = s.dropna()
    if values.empty:
        return pd.Series(True, index=s.index)
    return s == values.mode().iloc[0]


FLAG = ("Y", "N")
#: Text of the data cut-off rule (also used by loading to word the problem).
SINGLE_CUTOFF = "must be the same on every row: a source holds one data cut-off date"
CHECK_LABELS[SINGLE_CUTOFF] = "single value"
IN_ADSL = "must be a subject in ADSL"
CHECK_LABELS[IN_ADSL] = "in ADSL"

#: Every documented column: dataset -> column -> (spec, extra checks).
COLUMNS: dict[str, dict[str, tuple[ColumnSpec, tuple[pa.Check, ...]]]] = {
    "adsl": {
        "STUDYID": (ColumnSpec("text", True), ()),
        "USUBJID": (ColumnSpec("text", True), ()),
        "SUBJID": (ColumnSpec("text"), ()),
        "SITEID": (ColumnSpec("text", True), ()),
        "SITENAME": (ColumnSpec("text"), ()),
        "ARM": (ColumnSpec("text"), ()),
        "RFICDT": (ColumnSpec("date"), ()),
        "SCRNDT": (ColumnSpec("date"), ()),
        "SCRFCRIT": (ColumnSpec("text"), (allowed(_MEDCARE.eligibility.criteria),)),
        "SCRFREAS": (ColumnSpec("text"), ()),
        "ENRLFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "ENRLDT": (ColumnSpec("date"), ()),
        "ITTFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "SAFFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "AGE": (ColumnSpec("number"), (at_least(0),)),
        "AGEU": (ColumnSpec("text"), (allowed(("YEARS",)),)),
        "SEX": (ColumnSpec("text"), (allowed(("M", "F", "U")),)),
        "WHOPS": (ColumnSpec("integer"), (between(0, 4),)),
        "BTESTO": (ColumnSpec("number"), (at_least(0),)),
        "BPSA": (ColumnSpec("number"), (at_least(0),)),
        "SYSTHER": (ColumnSpec("text"), (allowed(_MEDCARE.systemic_therapies),)),
        "PRIMTRT": (ColumnSpec("text"), (allowed(_MEDCARE.primary_treatments),)),
        "NLES": (ColumnSpec("integer"), (at_least(0),)),
        "PSMAFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "PSMACHFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "MDTTYPE": (ColumnSpec("text"), (allowed(_MEDCARE.mdt_types),)),
        "MDTDETL": (
            ColumnSpec("text"),
            (
                _check(
                    _mdt_detail_ok,
                    "allowed values",
                    "must list MDT lesion types ("
                    + ", ".join(_MEDCARE.mdt_lesion_types)
                    + ') joined by "; "',
                ),
            ),
        ),
        "TRTSDT": (ColumnSpec("date"), ()),
        "TRTEDT": (ColumnSpec("date"), ()),
        "EOSSTT": (ColumnSpec("text"), (allowed(("ONGOING", "COMPLETED", "DISCONTINUED")),)),
        "DCSREAS": (ColumnSpec("text"), ()),
        "EOSDT": (ColumnSpec("date"), ()),
        "DTHFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "DTHDT": (ColumnSpec("date"), ()),
        "LSTALVDT": (ColumnSpec("date"), ()),
        "DCUTDT": (
            ColumnSpec("date"),
            (
                pa.Check(
                    _single_value,
                    element_wise=False,
                    ignore_na=True,
                    name="single value",
                    error=SINGLE_CUTOFF,
                ),
            ),
        ),
        # Not in the dictionary, but read as a date because ENRLFL may be derived from it.
        "RANDDT": (ColumnSpec("date"), ()),
    },
    "adtte": {
        "STUDYID": (ColumnSpec("text"), ()),
        "USUBJID": (ColumnSpec("text", True), ()),
        "PARAMCD": (ColumnSpec("text", True), ()),
        "PARAM": (ColumnSpec("text"), ()),
        "AVAL": (ColumnSpec("number", True), (at_least(0),)),
        "AVALU": (
            ColumnSpec("text"),
            (allowed(TIME_UNITS, case_insensitive=True),),
        ),
        "CNSR": (ColumnSpec("integer", True), (at_least(0),)),
        "STARTDT": (ColumnSpec("date"), ()),
        "ADT": (ColumnSpec("date"), ()),
        "EVNTDESC": (ColumnSpec("text"), ()),
        "CNSDTDSC": (ColumnSpec("text"), ()),
    },
    "adae": {
        "STUDYID": (ColumnSpec("text"), ()),
        "USUBJID": (ColumnSpec("text", True), ()),
        "AESEQ": (ColumnSpec("integer"), ()),
        "AETERM": (ColumnSpec("text"), ()),
        "AEDECOD": (ColumnSpec("text", True), ()),
        "AEBODSYS": (ColumnSpec("text", True), ()),
        "ATOXGR": (ColumnSpec("integer"), (between(1, 5),)),
        "AETOXGR": (ColumnSpec("integer"), (between(1, 5),)),
        "AESEV": (ColumnSpec("text"), (allowed(("MILD", "MODERATE", "SEVERE")),)),
        "AESER": (ColumnSpec("flag"), (allowed(FLAG),)),
        "AEREL": (ColumnSpec("text"), ()),
        "ASTDT": (ColumnSpec("date"), ()),
        "AENDT": (ColumnSpec("date"), ()),
        "ASTDY": (ColumnSpec("integer"), ()),
        "TRTEMFL": (ColumnSpec("flag"), (allowed(FLAG),)),
    },
    "adtu": {
        "STUDYID": (ColumnSpec("text"), ()),
        "USUBJID": (ColumnSpec("text", True), ()),
        "TULNKID": (ColumnSpec("text", True), ()),
        "TULOC": (ColumnSpec("text", True), ()),
        "TULOCCAT": (ColumnSpec("text", True), (allowed(_MEDCARE.site_categories),)),
        "TUMETHOD": (ColumnSpec("text"), (allowed(("Conventional", "PSMA PET-CT only")),)),
        "LESSTAT": (ColumnSpec("text"), (allowed(("New", "Progressing")),)),
        "MDTLES": (ColumnSpec("text"), (allowed((*_MEDCARE.mdt_lesion_types, "None")),)),
        "MDTDT": (ColumnSpec("date"), ()),
        "RTDOSE": (ColumnSpec("number"), (above(0),)),
        "RTFX": (ColumnSpec("integer"), (at_least(1),)),
    },
    "adlb": {
        "STUDYID": (ColumnSpec("text"), ()),
        "USUBJID": (ColumnSpec("text", True), ()),
        "PARAMCD": (ColumnSpec("text", True), ()),
        "PARAM": (ColumnSpec("text"), ()),
        "AVAL": (ColumnSpec("number", True), (at_least(0),)),
        "AVALU": (ColumnSpec("text"), ()),
        "ADT": (ColumnSpec("date", True), ()),
        "ADY": (ColumnSpec("integer"), ()),
        "ABLFL": (ColumnSpec("flag"), (allowed(FLAG),)),
        "BASE": (ColumnSpec("number"), ()),
        "CHG": (ColumnSpec("number"), ()),
        "PCHG": (ColumnSpec("number"), ()),
    },
}

#: Optional columns whose bad value makes the whole row unusable: an unknown time unit leaves AVAL unreadable.
EXCLUDE_ROW: frozenset[tuple[str, str]] = frozenset({("adtte", "AVALU")})

#: Key columns that identify a row, per dataset (unique together).
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "adsl": ("USUBJID",),
    "adtte": ("USUBJID", "PARAMCD"),
    "adtu": ("USUBJID", "TULNKID"),
}

ENRLDT_NEEDED = "is missing but MEDCARE data needs a registration date (ENRLDT) for every enrolled subject"
CHECK_LABELS[ENRLDT_NEEDED] = "conditional"


def _enrolled_have_date(df: pd.DataFrame) -> pd.Series:
    """Return False for MEDCARE subjects with ENRLFL = Y and no ENRLDT (True when a column is absent)."""
    if not {"ENRLFL", "ENRLDT", "STUDYID"} <= set(df.columns):
        return pd.Series(True, index=df.index)
    return ~((df["STUDYID"] == _MEDCARE.study_id) & (df["ENRLFL"] == "Y") & df["ENRLDT"].isna())


PSA_UNIT = "is not ng/mL, the unit PSA values are read in"
CHECK_LABELS[PSA_UNIT] = "conditional"


def _psa_in_ng_ml(df: pd.DataFrame) -> pd.Series:
    """Return False for PSA rows whose AVALU is given and is not ng/mL (any case)."""
    if not {"PARAMCD", "AVALU"} <= set(df.columns):
        return pd.Series(True, index=df.index)
    other_unit = _per_distinct(
        df["AVALU"], lambda u: u.astype("string").str.strip().str.upper().ne("NG/ML").fillna(False), False
    )
    return ~((df["PARAMCD"] == "PSA") & df["AVALU"].notna() & other_unit)


IMPLAUSIBLE_TIME = (
    f"is longer than {MAX_TIME_TO_EVENT_YEARS:g} years in its unit (AVALU, else days), "
    "not a plausible time to event"
)
CHECK_LABELS[IMPLAUSIBLE_TIME] = "range"


def _plausible_time(df: pd.DataFrame) -> pd.Series:
    """Return False for time-to-event rows whose AVAL is infinite or beyond the plausible maximum.

    The maximum is :data:`medcare_metrics.rules.MAX_TIME_TO_EVENT_YEARS`, converted to AVALU with
    :func:`medcare_metrics.rules.days_per_unit` (days when AVALU is absent or not one of
    :data:`medcare_metrics.rules.TIME_UNITS`). Missing and negative AVAL are left to the other checks.
    """
    if "AVAL" not in df.columns:
        return pd.Series(True, index=df.index)
    aval = pd.to_numeric(df["AVAL"], errors="coerce").astype(float)
    if "AVALU" in df.columns:

        def days(units: pd.Series) -> pd.Series:
            unit = units.astype("string").str.strip().str.upper()
            # Only the units the AVALU check allows are converted: any other unit (a singular "WEEK" too)
            # is rejected by that check, and its AVAL is read as days here, as on a source without AVALU.
            return days_per_unit(unit.where(unit.isin(TIME_UNITS))).fillna(1.0)

        per_unit = _per_distinct(df["AVALU"], days, 1.0)
    else:
        per_unit = pd.Series(1.0, index=df.index)
    longest = MAX_TIME_TO_EVENT_YEARS * unit_days("YEARS")
    return aval.isna() | (aval * per_unit <= longest)


#: Row-level checks spanning several columns: dataset -> [(check, column the problem is reported on)].
ROW_CHECKS: dict[str, list[tuple[pa.Check, str]]] = {
    "adsl": [
        (
            pa.Check(_enrolled_have_date, element_wise=False, name="conditional", error=ENRLDT_NEEDED),
            "ENRLDT",
        )
    ],
    "adtte": [
        (pa.Check(_plausible_time, element_wise=False, name="range", error=IMPLAUSIBLE_TIME), "AVAL"),
    ],
    "adlb": [
        (pa.Check(_psa_in_ng_ml, element_wise=False, name="conditional", error=PSA_UNIT), "AVALU"),
    ],
}
#: Row checks (by error text) whose failure excludes the row, as a bad required value does; the others
#: are warnings and the row is kept.
EXCLUDING_ROW_CHECKS: frozenset[str] = frozenset({IMPLAUSIBLE_TIME})

DUPLICATE_KEY = "duplicates an earlier row's key"
CHECK_LABELS[DUPLICATE_KEY] = "unique"


def column_specs(dataset: str) -> dict[str, ColumnSpec]:
    """Return the documented columns of ``dataset`` (lower-case name) with their kind and requiredness.

    Parameters
    ----------
    dataset : str
        ``"adsl"``, ``"adtte"``, ``"adae"``, ``"adtu"`` or ``"adlb"``.

    Returns
    -------
    dict of str to ColumnSpec
        Column name -> spec, in dictionary order.
    """
    if dataset not in COLUMNS:
        raise KeyError(f"unknown dataset {dataset!r}; expected one of {', '.join(COLUMNS)}")
    return {name: spec for name, (spec, _) in COLUMNS[dataset].items()}


def required_columns(dataset: str) -> tuple[str, ...]:
    """Return the required columns of ``dataset``."""
    return tuple(name for name, spec in column_specs(dataset).items() if spec.required)


def schema_for(
    dataset: str, adsl_subjects: Iterable[str] | None = None, *, values: bool = True, keys: bool = True
) -> pa.DataFrameSchema:
    """Return the pandera schema of one dataset, for frames already coerced to the documented dtypes.

    Parameters
    ----------
    dataset : str
        Lower-case dataset name.
    adsl_subjects : iterable of str, optional
        USUBJIDs of ADSL. When given (for datasets other than ADSL), USUBJID must be one of them.
    values : bool, default True
        Include the dtype, missing-value, range and allowed-value checks.
    keys : bool, default True
        Include the uniqueness of the key columns (:data:`UNIQUE_KEYS`). Loading checks keys after
        excluding rows with other errors, so that a bad first row does not make a good later row a
        duplicate.

    Returns
    -------
    pandera.pandas.DataFrameSchema
        Schema with ``strict=False`` (extra columns allowed) and optional columns ``required=False``.
    """
    columns: dict[str, pa.Column] = {}
    key = UNIQUE_KEYS.get(dataset, ())
    for name, (spec, checks) in COLUMNS[dataset].items():
        if not values:
            if name in key:
                columns[name] = pa.Column(
                    required=True, unique=keys and key == (name,), report_duplicates="exclude_first"
                )
            continue
        extra = list(checks)
        if name == "USUBJID" and adsl_subjects is not None and dataset != "adsl":
            # An array, not a set: pandas turns a set into an array on every call, slowly.
            ids = np.fromiter(frozenset(adsl_subjects), dtype=object)
            extra.append(
                pa.Check(
                    lambda s, ids=ids: s.isin(ids),
                    element_wise=False,
                    ignore_na=True,
                    name="in ADSL",
                    error=IN_ADSL,
                )
            )
        single_key = key == (name,)
        columns[name] = pa.Column(
            KIND_DTYPES[spec.kind],
            checks=extra,
            nullable=not spec.required,
            required=spec.required,
            unique=keys and single_key,
            report_duplicates="exclude_first",
        )
    return pa.DataFrameSchema(
        columns,
        checks=[check for check, _ in ROW_CHECKS.get(dataset, [])] if values else None,
        name=dataset.upper(),
        strict=False,
        unique=list(key) if keys and len(key) > 1 else None,
        report_duplicates="exclude_first",
    )
