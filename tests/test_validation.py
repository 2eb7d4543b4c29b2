"""Each validation rule of docs/data-dictionary.md has a failing case.

The base source ``tests/data/small/`` is valid (checked first); every case copies it to tmp_path, breaks one
cell and checks the problem names the dataset, the row in the file, the USUBJID and the column, and that
the row is excluded (error in a required column) or kept with the value set missing (optional column).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from medcare_metrics.loading import PROBLEM_COLUMNS, load_trial
from medcare_metrics.rules import TIME_UNITS

SMALL = Path(__file__).parent / "data" / "small"


def read_small(name: str) -> pd.DataFrame:
    return pd.read_csv(SMALL / f"{name}.csv", dtype=str, keep_default_na=False)


def broken_source(tmp_path: Path, dataset: str, row: int, column: str, value: str) -> Path:
    """Copy the small source and set ``column`` of 0-based data row ``row`` of ``dataset`` to ``value``."""
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    frame = read_small(dataset)
    frame.loc[row, column] = value
    frame.to_csv(folder / f"{dataset}.csv", index=False)
    return folder


def test_small_source_is_valid() -> None:
    result = load_trial(SMALL)
    assert list(result.problems.columns) == list(PROBLEM_COLUMNS)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial is not None
    assert {n: len(result.trial.dataset(n)) for n in result.trial.available} == {
        "adsl": 3,
        "adtte": 3,
        "adae": 3,
        "adtu": 3,
        "adlb": 3,
    }


# (dataset, 0-based data row, column, bad value, check label); required columns -> error, row excluded.
REQUIRED_CASES = [
    ("adsl", 1, "STUDYID", "", "not missing"),
    ("adsl", 1, "SITEID", "", "not missing"),
    ("adtte", 2, "USUBJID", "S9", "in ADSL"),
    ("adtte", 1, "PARAMCD", "", "not missing"),
    ("adtte", 1, "AVAL", "abc", "type"),
    ("adtte", 1, "AVAL", "-1", "range"),
    ("adtte", 1, "AVAL", "", "not missing"),
    ("adtte", 1, "CNSR", "x", "type"),
    ("adtte", 1, "CNSR", "0.5", "type"),
    ("adtte", 1, "CNSR", "-1", "range"),
    ("adtte", 1, "AVALU", "fortnights", "allowed values"),  # optional, but AVAL means nothing without it
    ("adae", 2, "USUBJID", "NOBODY", "in ADSL"),
    ("adae", 1, "AEDECOD", "", "not missing"),
    ("adae", 1, "AEBODSYS", "", "not missing"),
    ("adtu", 1, "TULNKID", "", "not missing"),
    ("adtu", 1, "TULOC", "", "not missing"),
    ("adtu", 1, "TULOCCAT", "bone", "allowed values"),
    ("adtu", 1, "USUBJID", "S7", "in ADSL"),
    ("adlb", 1, "PARAMCD", "", "not missing"),
    ("adlb", 1, "AVAL", "<0.1", "type"),
    ("adlb", 1, "AVAL", "-0.2", "range"),
    ("adlb", 1, "ADT", "", "not missing"),
    ("adlb", 1, "ADT", "20/04/2023", "type"),
]


@pytest.mark.parametrize(("dataset", "row", "column", "value", "check"), REQUIRED_CASES)
def test_error_in_required_column_excludes_row(
    tmp_path: Path, dataset: str, row: int, column: str, value: str, check: str
) -> None:
    usubjid = value if column == "USUBJID" else read_small(dataset).loc[row, "USUBJID"]
    result = load_trial(broken_source(tmp_path, dataset, row, column, value))
    # An excluded ADSL row takes the subject's other records with it (tested separately).
    problems = result.problems[result.problems["dataset"] == dataset.upper()].reset_index(drop=True)
    assert len(problems) == 1, problems.to_string()
    p = problems.iloc[0]
    assert (p["dataset"], p["file"], p["row"], p["USUBJID"], p["column"], p["check"], p["severity"]) == (
        dataset.upper(),
        f"{dataset}.csv",
        row + 2,  # the header is line 1 of the file
        usubjid,
        column,
        check,
        "error",
    )
    assert column in p["problem"] and "row excluded" in p["problem"]
    assert result.trial is not None
    assert len(result.trial.dataset(dataset)) == 2


# (dataset, 0-based data row, column, bad value, check label); optional columns -> warning, value missing.
OPTIONAL_CASES = [
    ("adsl", 2, "SCRFCRIT", "EXC99", "allowed values"),
    ("adsl", 1, "ENRLFL", "y", "allowed values"),
    ("adsl", 1, "ITTFL", "YES", "allowed values"),
    ("adsl", 1, "SAFFL", "1", "allowed values"),
    ("adsl", 1, "PSMAFL", "U", "allowed values"),
    ("adsl", 1, "PSMACHFL", "n", "allowed values"),
    ("adsl", 1, "DTHFL", "Yes", "allowed values"),
    ("adsl", 1, "AGE", "-1", "range"),
    ("adsl", 1, "AGE", "sixty", "type"),
    ("adsl", 1, "AGEU", "MONTHS", "allowed values"),
    ("adsl", 1, "SEX", "Male", "allowed values"),
    ("adsl", 1, "WHOPS", "5", "range"),
    ("adsl", 1, "WHOPS", "1.5", "type"),
    ("adsl", 1, "BTESTO", "-3", "range"),
    ("adsl", 1, "BPSA", "-0.1", "range"),
    ("adsl", 1, "SYSTHER", "Enzalutamide", "allowed values"),
    ("adsl", 1, "PRIMTRT", "Brachytherapy", "allowed values"),
    ("adsl", 1, "NLES", "-1", "range"),
    ("adsl", 1, "MDTTYPE", "sbrt", "allowed values"),
    ("adsl", 1, "MDTDETL", "SBRT; Laser ablation", "allowed values"),
    ("adsl", 1, "EOSSTT", "Ongoing", "allowed values"),
    ("adsl", 1, "TRTSDT", "2023-02-30", "type"),
    ("adsl", 1, "RFICDT", "01/02/2023", "type"),
    ("adsl", 1, "DCUTDT", "2024-07-31", "single value"),
    ("adsl", 1, "ENRLDT", "", "conditional"),
    ("adtte", 1, "STARTDT", "yesterday", "type"),
    ("adae", 1, "ATOXGR", "6", "range"),
    ("adae", 1, "ATOXGR", "0", "range"),
    ("adae", 1, "AETOXGR", "Grade 9", "range"),
    ("adae", 1, "ATOXGR", "severe", "type"),
    ("adae", 1, "AESEV", "Mild", "allowed values"),
    ("adae", 1, "AESER", "X", "allowed values"),
    ("adae", 1, "ASTDY", "3.5", "type"),
    ("adae", 1, "TRTEMFL", "y", "allowed values"),
    ("adtu", 1, "TUMETHOD", "PET", "allowed values"),
    ("adtu", 1, "LESSTAT", "Stable", "allowed values"),
    ("adtu", 1, "MDTLES", "Cryotherapy", "allowed values"),
    ("adtu", 0, "RTDOSE", "0", "range"),
    ("adtu", 0, "RTFX", "0", "range"),
    ("adlb", 1, "ABLFL", "B", "allowed values"),
    ("adlb", 1, "ADY", "day 91", "type"),
    ("adlb", 1, "AVALU", "nmol/L", "conditional"),
    ("adae", 1, "ASTDT", "2023-06", "type"),  # partial dates are not imputed
    ("adae", 1, "AENDT", "2023-06-31", "type"),
]


@pytest.mark.parametrize(("dataset", "row", "column", "value", "check"), OPTIONAL_CASES)
def test_problem_in_optional_column_is_a_warning(
    tmp_path: Path, dataset: str, row: int, column: str, value: str, check: str
) -> None:
    usubjid = read_small(dataset).loc[row, "USUBJID"]
    result = load_trial(broken_source(tmp_path, dataset, row, column, value))
    problems = result.problems
    assert len(problems) == 1, problems.to_string()
    p = problems.iloc[0]
    expected_severity = "error" if column == "DCUTDT" else "warning"
    assert (p["dataset"], p["row"], p["USUBJID"], p["column"], p["check"], p["severity"]) == (
        dataset.upper(),
        row + 2,
        usubjid,
        column,
        check,
        expected_severity,
    )
    assert column in p["problem"]
    assert result.trial is not None
    frame = result.trial.dataset(dataset)
    assert len(frame) == 3  # row kept
    if check not in ("single value", "conditional"):
        assert pd.isna(frame.loc[row, column])
        assert "value set missing" in p["problem"]


def test_records_of_an_excluded_adsl_subject_are_excluded(tmp_path: Path) -> None:
    result = load_trial(broken_source(tmp_path, "adsl", 1, "SITEID", ""))
    others = result.problems[result.problems["dataset"] != "ADSL"]
    # S2 has 1 ADTTE, 1 ADAE, 2 ADTU and 1 ADLB rows in the small source.
    assert others[["dataset", "row"]].values.tolist() == [
        ["ADTTE", 4],
        ["ADAE", 4],
        ["ADTU", 3],
        ["ADTU", 4],
        ["ADLB", 4],
    ]
    assert set(others["USUBJID"]) == {"S2"}
    assert all("ADSL row was excluded" in t for t in others["problem"])
    assert set(result.trial.adtu["USUBJID"]) == {"S1"}


def test_duplicate_subject_in_adsl_keeps_first(tmp_path: Path) -> None:
    folder = broken_source(tmp_path, "adsl", 2, "USUBJID", "S1")
    result = load_trial(folder)
    p = result.problems
    assert len(p) == 1, p.to_string()
    assert (
        p.loc[0, "dataset"],
        p.loc[0, "row"],
        p.loc[0, "USUBJID"],
        p.loc[0, "column"],
        p.loc[0, "check"],
    ) == (
        "ADSL",
        4,
        "S1",
        "USUBJID",
        "unique",
    )
    assert "duplicates row 2" in p.loc[0, "problem"]
    assert result.trial is not None
    assert result.trial.adsl["USUBJID"].tolist() == ["S1", "S2"]
    assert result.trial.adsl.loc[0, "SITEID"] == "01"  # the first S1 row is the one kept


@pytest.mark.parametrize(
    ("dataset", "row", "column", "value", "key_column"),
    [
        ("adtte", 1, "PARAMCD", "NESTFS", "USUBJID + PARAMCD"),
        ("adtu", 2, "TULNKID", "L1", "USUBJID + TULNKID"),
    ],
)
def test_duplicate_key_is_an_error(
    tmp_path: Path, dataset: str, row: int, column: str, value: str, key_column: str
) -> None:
    result = load_trial(broken_source(tmp_path, dataset, row, column, value))
    p = result.problems
    assert len(p) == 1, p.to_string()
    usubjid = read_small(dataset).loc[row, "USUBJID"]
    assert (p.loc[0, "dataset"], p.loc[0, "row"], p.loc[0, "USUBJID"], p.loc[0, "column"]) == (
        dataset.upper(),
        row + 2,
        usubjid,
        key_column,
    )
    assert (p.loc[0, "check"], p.loc[0, "severity"]) == ("unique", "error")
    assert len(result.trial.dataset(dataset)) == 2


def test_bad_first_row_does_not_make_a_good_row_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adtte = read_small("adtte")
    adtte.loc[1, "PARAMCD"] = "NESTFS"
    adtte.loc[0, "AVAL"] = "abc"  # the first S1 NESTFS row is excluded for its AVAL
    adtte.to_csv(folder / "adtte.csv", index=False)
    result = load_trial(folder)
    assert result.problems["check"].tolist() == ["type"]
    assert result.trial.adtte["AVAL"].tolist() == [300.5, 329.0]


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adsl = read_small("adsl")
    adsl.loc[0, "SEX"] = "male"
    adsl.loc[1, "WHOPS"] = "9"
    adsl.loc[2, "SITEID"] = ""
    adsl.to_csv(folder / "adsl.csv", index=False)
    problems = load_trial(folder).problems
    got = set(zip(problems["row"], problems["column"], problems["severity"], strict=True))
    assert got == {(2, "SEX", "warning"), (3, "WHOPS", "warning"), (4, "SITEID", "error")}


@pytest.mark.parametrize(
    ("dataset", "column"),
    [("adtte", "CNSR"), ("adae", "AEBODSYS"), ("adtu", "TULOCCAT"), ("adlb", "ADT")],
)
def test_missing_required_column_drops_dataset(tmp_path: Path, dataset: str, column: str) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    read_small(dataset).drop(columns=column).to_csv(folder / f"{dataset}.csv", index=False)
    result = load_trial(folder)
    assert result.trial is not None
    assert result.trial.dataset(dataset) is None
    p = result.problems
    assert len(p) == 1
    assert (p.loc[0, "dataset"], p.loc[0, "column"], p.loc[0, "check"], p.loc[0, "severity"]) == (
        dataset.upper(),
        column,
        "required column",
        "error",
    )
    assert pd.isna(p.loc[0, "row"])


def test_missing_required_column_in_adsl_means_no_trial(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    read_small("adsl").drop(columns=["USUBJID", "SITEID"]).to_csv(folder / "adsl.csv", index=False)
    result = load_trial(folder)
    assert result.trial is None
    assert result.problems.loc[0, "column"] == "USUBJID, SITEID"
    assert "no trial" in result.problems.loc[0, "problem"]


def test_no_adsl_means_no_trial(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    (folder / "adsl.csv").unlink()
    result = load_trial(folder)
    assert result.trial is None
    assert result.problems[["dataset", "check", "severity"]].values.tolist() == [
        ["ADSL", "required dataset", "error"]
    ]


def test_values_accepted_as_documented(tmp_path: Path) -> None:
    """AVALU is case-insensitive, grades may be written "Grade 3", empty flags count as "N"."""
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adtte = read_small("adtte")
    adtte["AVALU"] = ["days", "Months", ""]
    adtte.to_csv(folder / "adtte.csv", index=False)
    adae = read_small("adae")
    adae["ATOXGR"] = ["Grade 3", " 2 ", "grade1"]
    adae.to_csv(folder / "adae.csv", index=False)
    adsl = read_small("adsl")
    adsl.loc[2, "DTHFL"] = ""
    adsl.to_csv(folder / "adsl.csv", index=False)
    result = load_trial(folder)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial.adtte["AVALU"].tolist() == ["DAYS", "MONTHS", "DAYS"]
    assert result.trial.adae["ATOXGR"].tolist() == [3, 2, 1]
    assert result.trial.adsl["DTHFL"].tolist() == ["N", "Y", "N"]
    assert any("AVALU" in note and "1 row" in note for note in result.trial.notes)


def _adtte_time(folder: Path, aval: str, unit: str) -> Path:
    """Copy the small source to ``folder`` with AVAL and AVALU of ADTTE data row 1 (file row 3) replaced."""
    shutil.copytree(SMALL, folder)
    adtte = read_small("adtte")
    adtte.loc[1, ["AVAL", "AVALU"]] = [aval, unit]
    adtte.to_csv(folder / "adtte.csv", index=False)
    return folder


# 100 years (rules.MAX_TIME_TO_EVENT_YEARS) in each unit of rules.TIME_UNITS, by rules.DAYS_PER_UNIT.
@pytest.mark.parametrize(
    ("unit", "longest"), [("DAYS", 36525), ("WEEKS", 5217), ("MONTHS", 1200), ("YEARS", 100)]
)
def test_longest_plausible_time_in_every_allowed_unit(tmp_path: Path, unit: str, longest: int) -> None:
    assert load_trial(_adtte_time(tmp_path / "ok", str(longest), unit.lower())).problems.empty
    result = load_trial(_adtte_time(tmp_path / "bad", str(longest + 1), unit))
    problems = result.problems
    assert problems[["dataset", "row", "column", "check", "severity"]].values.tolist() == [
        ["ADTTE", 3, "AVAL", "range", "error"]
    ]
    assert problems.iloc[0]["problem"].startswith(f"AVAL {longest + 1} is longer than 100 years")
    assert len(result.trial.adtte) == 2


def test_unit_outside_the_allowed_ones_is_one_problem(tmp_path: Path) -> None:
    """A singular "WEEK" is not an allowed AVALU: the row is excluded for it; its AVAL is not converted."""
    result = load_trial(_adtte_time(tmp_path / "src", "6000", "WEEK"))
    problems = result.problems
    allowed = ", ".join(f'"{u}"' for u in TIME_UNITS)
    assert problems["problem"].tolist() == [f"AVALU 'WEEK' must be one of {allowed} (any case); row excluded"]
    assert TIME_UNITS == ("DAYS", "WEEKS", "MONTHS", "YEARS")
    assert len(result.trial.adtte) == 2
