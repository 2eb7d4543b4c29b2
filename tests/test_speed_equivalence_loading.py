"""The faster loading gives the trial and the problems of the code it replaced.

Oracles, kept here as they were: the loading steps that deep-copied every dataset (``_process`` with
``copy``, ``loc`` and ``reset_index``; pandera validating its own copy), text coercion with ``where``, the
per-row AVALU clean-up, ``dt.normalize`` on every date column, and the schema checks that stripped and
upper-cased every row. A whole load with the old steps put back is compared with the new one on the
example trial and on a copy full of bad values, as CSV and as Parquet. No timing is tested here (see
docs/performance.md and bench/).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from medcare_metrics import schema
from medcare_metrics.loading import coercion, derivation, load, load_trial, validation
from medcare_metrics.loading.readers import _Raw
from medcare_metrics.rules import TIME_UNITS, days_per_unit
from medcare_metrics.study import default_study

EXAMPLE = Path(__file__).resolve().parents[1] / "medcare_metrics" / "example_data"
DATASETS = ("adsl", "adtte", "adae", "adtu", "adlb")

# ----------------------------------------------------------------------------------------------------
# The old steps (oracles).


def _old_blank_texts(values: np.ndarray) -> np.ndarray:
    return np.fromiter((isinstance(u, str) and not u.strip() for u in values), dtype=bool, count=len(values))


def _old_to_text(s: pd.Series) -> pd.Series:
    def conv(v: object) -> object:
        if validation._missing(v):
            return np.nan
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, str):
            return v if v.strip() else np.nan
        return str(v)

    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        mask = np.append(_old_blank_texts(uniques), False)[codes]
        unknown = codes == -1
        if unknown.any():
            mask[unknown] = s[unknown].isna().to_numpy()
        return s.where(~mask, np.nan).astype(object)
    return s.map(conv).astype(object)


def _old_known_units_upper(avalu: pd.Series) -> pd.Series:
    units = set(TIME_UNITS)
    return avalu.map(lambda v: v.strip().upper() if isinstance(v, str) and v.strip().upper() in units else v)


def _old_failure_cases(schema_: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            schema_.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return err.failure_cases
    return pd.DataFrame(columns=["column", "check", "index"])


def _old_process(
    dataset: str, raw: _Raw, adsl_subjects: set[str] | None, out: validation._Collector
) -> pd.DataFrame | None:
    frame = raw.frame.copy()
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    if frame.columns.duplicated().any():
        dups = sorted(set(frame.columns[frame.columns.duplicated()]))
        out.add(
            dataset,
            raw.file,
            f"columns {', '.join(dups)} appear more than once (names are case-insensitive); "
            "the first is used",
            check="unique columns",
            severity="warning",
        )
        frame = frame.loc[:, ~frame.columns.duplicated()]
    frame = frame.reset_index(drop=True)
    raw = _Raw(frame, raw.file, raw.rows, raw.sas)
    missing = [c for c in schema.required_columns(dataset) if c not in frame]
    if missing:
        consequence = "no trial can be shown" if dataset == "adsl" else f"{dataset.upper()} is not used"
        out.add(
            dataset,
            raw.file,
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing; {consequence}",
            check="required column",
            column=", ".join(missing),
        )
        return None
    frame, bad_type = coercion._coerce(dataset, raw, out)
    frame = frame.loc[~bad_type]
    frame, bad_value = validation._validate_values(dataset, frame, raw, adsl_subjects, out)
    frame = frame.loc[~bad_value]
    bad_key = validation._validate_keys(dataset, frame, raw, out)
    return derivation._derive(dataset, frame.loc[~bad_key].reset_index(drop=True), out)


# ----------------------------------------------------------------------------------------------------
# Whole loads: old steps against new ones.

#: Values written over random cells of the messy copy: blanks, grades as text, infinities, impossible and
#: partial dates, units in odd case and spaces, flags in lower case, missing values.
_JUNK = [
    "", "  ", "n/a", "Grade 3", " grade 2 ", "inf", "-inf", "1e400", "2024-02-30", "9999-12-31", "03/04/2024",
    "2024-05", " 2023-01-05 ", "2023-01-05T10:00:00+02:00", "days", " Weeks ", "ng/ml", "NG/ML ", "mg", "x",
    "-1", "7", "2.5", "Y", "n", " N", "ONGOING", "ongoing", "f", None, "\u00dcn\u00efcode", "\u3000", "0",
]  # fmt: skip


def _messy_frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(14)
    frames = {
        d: pd.read_csv(EXAMPLE / f"{d}.csv", dtype=str, keep_default_na=False).head(40) for d in DATASETS
    }
    for name, frame in frames.items():
        frame = frame.astype(object)
        # Half the columns: each failing column costs pandera a report of its own, which is slow.
        for col in rng.choice(frame.columns, size=len(frame.columns) // 2, replace=False):
            rows = rng.choice(len(frame), size=max(1, len(frame) // 8), replace=False)
            for row in rows:
                frame.at[row, col] = _JUNK[rng.integers(len(_JUNK))]
        frames[name] = frame
    frames["adsl"] = pd.concat([frames["adsl"], frames["adsl"].iloc[2:4]], ignore_index=True)
    frames["adtte"] = pd.concat([frames["adtte"], frames["adtte"].iloc[:3]], ignore_index=True)
    frames["adae"].loc[:1, "USUBJID"] = "ZZ-unknown"
    units = [" months", "YEARS", "Days ", "week", "hours", None, "months", "Weeks"]
    frames["adtte"].loc[3:10, "AVALU"] = units
    frames["adtte"].loc[11:13, "AVAL"] = ["1e9", "50000", "36600"]
    lb = frames["adlb"]
    lb.loc[lb.index[:6], "AVALU"] = ["ug/L", " ng/mL", "NG/ML", None, "ng/ml ", "mg"]
    return frames


def _write(frames: dict[str, pd.DataFrame], folder: Path, fmt: str) -> Path:
    folder.mkdir(parents=True)
    for name, frame in frames.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet")
    return folder


def _same_load(old: load.LoadResult, new: load.LoadResult) -> None:
    pd.testing.assert_frame_equal(new.problems, old.problems)
    assert (old.trial is None) == (new.trial is None)
    if old.trial is None or new.trial is None:
        return
    assert new.trial.notes == old.trial.notes
    for name in DATASETS:
        before, after = getattr(old.trial, name), getattr(new.trial, name)
        assert (before is None) == (after is None), name
        if before is not None:
            pd.testing.assert_frame_equal(after, before, check_exact=True)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("loading")
    messy = _messy_frames()
    typed = load_trial(EXAMPLE).trial
    assert typed is not None
    # Text as CSV holds it, and typed columns (dates, Int64, floats) as Parquet stores them.
    return {
        "messy csv": _write(messy, root / "messy_csv", "csv"),
        "typed parquet": _write({d: getattr(typed, d) for d in DATASETS}, root / "typed", "parquet"),
    }


@pytest.mark.parametrize("name", ["messy csv", "typed parquet"])
def test_load_matches_the_old_steps(
    name: str, sources: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    new = load_trial(sources[name])
    with monkeypatch.context() as m:
        m.setattr(load, "_process", _old_process)
        m.setattr(validation, "_failure_cases", _old_failure_cases)
        m.setattr(coercion, "_to_text", _old_to_text)
        m.setattr(coercion, "_blank_texts", _old_blank_texts)
        m.setattr(coercion, "_normalize", lambda dates: dates.dt.normalize())
        m.setattr(derivation, "_known_units_upper", _old_known_units_upper)
        m.setattr(coercion, "_to_integer", _old_to_integer)
        old = load_trial(sources[name])
    _same_load(old, new)
    if name.startswith("messy"):
        assert len(new.problems) > 50  # the comparison covered many problems of many kinds
        assert new.problems["check"].nunique() >= 6


def test_raw_frames_are_left_as_read(tmp_path: Path) -> None:
    """Processing works on a shallow copy: the frames as read are never written to."""
    frames = {d: f.head(8) for d, f in _messy_frames().items() if d in ("adsl", "adtte")}
    out = validation._Collector()
    raws = {d: _Raw(f, f"{d}.csv", np.arange(2, len(f) + 2)) for d, f in frames.items()}
    kept = {d: f.copy() for d, f in frames.items()}
    load._finish(raws, out, source="s", label="s", name="s", fingerprint=lambda: "x")
    assert raws == {}  # each dataset as read is let go once processed
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, kept[name])


# ----------------------------------------------------------------------------------------------------
# Single steps on edge cases: odd case and spaces, missing values, empty frames, many distinct values.


def _texts() -> list[pd.Series]:
    many = [f"S-{i:05d}" for i in range(3000)]
    return [
        pd.Series(["a", " ", "", None, np.nan, " b ", "\u3000", "\x1c", "\u00a0x"], dtype=object),
        pd.Series([*many, "  ", "", "\t\n", "\u2003", " x", None, pd.NA], dtype=object),
        pd.Series([*many, "\ud800 ", "  "], dtype=object),  # not encodable as UTF-8
        pd.Series([1.0, "1", " ", None, 2.5], dtype=object),
        pd.Series([], dtype=object),
        pd.Series([None, None], dtype=object),
        pd.Series([np.nan, np.nan]),
        pd.Series(["a", None, " "], dtype="string"),
        pd.Series([1, 2, 3]),
    ]


@pytest.mark.parametrize("index", range(9))
def test_text_coercion_matches(index: int) -> None:
    s = _texts()[index]
    pd.testing.assert_series_equal(coercion._to_text(s), _old_to_text(s))
    values = pd.unique(s.dropna().to_numpy(dtype=object))
    assert list(coercion._blank_texts(values)) == list(_old_blank_texts(values))


def test_missing_text_is_one_nan() -> None:
    read = coercion._to_text(pd.Series(["a", None, " ", None], dtype=object))
    assert read.iloc[1] is read.iloc[2] is read.iloc[3]


def test_normalize_matches() -> None:
    dates = pd.Series(
        pd.to_datetime(["1960-01-01", "1677-09-22", "2262-04-11", None, "1900-03-04 05:00"], format="mixed"),
        dtype="datetime64[ns]",
        name="ADT",
    )
    for part in (dates, dates.iloc[[0, 1, 2, 3]], dates.iloc[[3]], dates.iloc[:0]):
        pd.testing.assert_series_equal(coercion._normalize(part), part.dt.normalize())


def _old_to_integer(s: pd.Series, grades: bool = False) -> pd.Series:
    if grades and not pd.api.types.is_numeric_dtype(s):

        def grade(v: object) -> object:
            if isinstance(v, str):
                m = coercion._GRADE_TEXT.match(v)
                return m.group(1) if m else v
            return v

        s = s.map(grade)
    num = coercion._to_number(s)
    whole = num.isna() | ((num == np.floor(num)) & (num.abs() < 2.0**53))
    return num.where(whole).round().astype("Int64")


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, None, 3], dtype="Int64"),
        pd.Series([-(2**63), 5], dtype="int64"),  # too large for a float: not read
        pd.Series([2**53, 1], dtype="Int64"),
        pd.Series([2**53 - 1, -(2**53 - 1)], dtype="Int64"),
        pd.Series([None, None], dtype="Int64"),
        pd.Series([], dtype="Int64"),
        pd.Series([3, -4], dtype="int8", name="RTFX", index=[5, 2]),
    ],
)
def test_integer_coercion_matches(values: pd.Series) -> None:
    pd.testing.assert_series_equal(coercion._to_integer(values, grades=False), _old_to_integer(values))


@pytest.mark.parametrize(
    "units",
    [
        [" days", "WEEKS", "Months ", "year", "hours", "DAYS", " days"],
        ["DAYS", None, "weeks"],
        [],
        [1.5, "days"],
    ],
)
def test_avalu_clean_up_matches(units: list[object]) -> None:
    avalu = pd.Series(units, dtype=object, name="AVALU")
    pd.testing.assert_series_equal(derivation._known_units_upper(avalu), _old_known_units_upper(avalu))


# ----------------------------------------------------------------------------------------------------
# Schema checks: done per distinct text, as they were per row.

_MEDCARE = default_study()
_UNITS = [" ng/mL", "NG/ML", "ng/ml ", "ug/L", None, "", " ", "mg", "NG/ML"]


def _old_psa_in_ng_ml(df: pd.DataFrame) -> pd.Series:
    unit = df["AVALU"].astype("string").str.strip().str.upper()
    return ~((df["PARAMCD"] == "PSA") & df["AVALU"].notna() & unit.ne("NG/ML").fillna(False))


def _old_plausible_time(df: pd.DataFrame) -> pd.Series:
    aval = pd.to_numeric(df["AVAL"], errors="coerce").astype(float)
    unit = df["AVALU"].astype("string").str.strip().str.upper()
    per_unit = days_per_unit(unit.where(unit.isin(TIME_UNITS))).fillna(1.0)
    return aval.isna() | (aval * per_unit <= 100 * 365.25)


def _lab(units: list[object]) -> pd.DataFrame:
    n = len(units)
    return pd.DataFrame(
        {"PARAMCD": (["PSA", "TESTO", None] * n)[:n], "AVALU": pd.Series(units, dtype=object)}
    )


@pytest.mark.parametrize("units", [_UNITS, [], [None, None], [1.0, "ng/mL"]])
def test_psa_unit_check_matches(units: list[object]) -> None:
    lab = _lab(units)
    assert schema._psa_in_ng_ml(lab).tolist() == _old_psa_in_ng_ml(lab).tolist()


@pytest.mark.parametrize(
    "units",
    [[" days", "YEARS", "weeks ", "WEEK", "hours", None, "months"], [None] * 7, [1, 2, 3, 4, 5, 6, 7]],
)
def test_plausible_time_check_matches(units: list[object]) -> None:
    tte = pd.DataFrame({"AVAL": [40000.0, 200, 5300, 5300, 1e9, np.nan, 1300], "AVALU": units})
    assert schema._plausible_time(tte).tolist() == _old_plausible_time(tte).tolist()


def test_allowed_and_mdt_checks_match() -> None:
    units = pd.Series([" days", "DAYS", "Weeks", "hour", "", "months", "Years "], dtype=object)
    check = schema.allowed(TIME_UNITS, case_insensitive=True)
    got = check._check_fn(units)
    assert got.tolist() == units.astype(str).str.upper().isin(set(TIME_UNITS)).tolist()
    assert got.index.equals(units.index)
    known = set(_MEDCARE.mdt_lesion_types)
    first = _MEDCARE.mdt_lesion_types[0]
    details = pd.Series(
        [first, f"{first}; {first}", f"{first};x", "", " ", f" {first} "], index=[5, 3, 1, 0, 2, 4]
    )
    want = details.astype(str).map(lambda v: all(p.strip() in known for p in v.split(";")))
    pd.testing.assert_series_equal(schema._mdt_detail_ok(details), want)


def test_adsl_membership_check_matches() -> None:
    subjects = {"S-1", "S-2", "S-3"}
    check = next(
        c for c in schema.schema_for("adtte", subjects).columns["USUBJID"].checks if c.error == schema.IN_ADSL
    )
    ids = pd.Series(["S-1", "S-4", "S-3", " S-1"], index=[3, 2, 1, 0])
    pd.testing.assert_series_equal(check._check_fn(ids), ids.isin(frozenset(subjects)))
