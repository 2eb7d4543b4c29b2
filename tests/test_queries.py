"""Data queries for the sites, on hand-built findings whose list and counts are known."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.checks.eligibility import RULES as ELIGIBILITY_RULES
from medcare_metrics.checks.queries import (
    NO_CENTRE,
    QUERY_COLUMNS,
    queries_by_centre,
    rule_fields,
    site_queries,
)
from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading import load_trial
from medcare_metrics.views.data_quality import DataQualityControls, data_quality_view
from medcare_metrics.views.scope import ViewScope

ADSL = pd.DataFrame(
    {
        "USUBJID": ["A-1", "A-2", "B-3"],
        "SITEID": ["01", "02", "01"],
        "SITENAME": ["UZ Leuven", "UZ Gent", "UZ Leuven"],
    }
)
PROBLEMS = pd.DataFrame(
    {
        "dataset": ["ADSL", "ADTTE", "ADAE"],
        "file": ["adsl.csv", "adtte.csv", "adae.csv"],
        "row": pd.array([3, 10, pd.NA], dtype="Int64"),
        "USUBJID": ["A-2", "X-9", None],
        "column": ["WHOPS", "USUBJID", "AETOXGR"],
        "check": ["range", "in ADSL", "column"],
        "problem": [
            "WHOPS 7 must be between 0 and 4; value set missing",
            "USUBJID 'X-9' must be a subject in ADSL; row excluded",
            "column AETOXGR is missing",
        ],
        "severity": ["warning", "error", "warning"],
    }
)
DEVIATIONS = pd.DataFrame(
    {
        "USUBJID": ["A-1"],
        "SITEID": ["01"],
        "RULE": ["TESTO"],
        "CRITERION": ["INC02"],
        "VALUE": ["80"],
        "DETAIL": ["Baseline testosterone 80 ng/dL, not below 50 ng/dL."],
    }
)
CONSISTENCY = pd.DataFrame(
    {
        "USUBJID": ["B-3"],
        "DATASET": ["ADSL"],
        "COLUMN": ["DTHDT"],
        "RULE": ["DTHFL_NO_DTHDT"],
        "DETAIL": ["DTHFL Y (died) but no death date DTHDT."],
    }
)
CTCAE = pd.DataFrame(
    {
        "row": [0, 0],
        "USUBJID": ["A-1", "A-1"],
        "AESEQ": [2, 2],
        "ASTDT": pd.to_datetime(["2022-02-01", "2022-02-01"]),
        "AEDECOD": ["Feeling blue", "Feeling blue"],
        "ATOXGR": pd.array([1, 1], dtype="Int64"),
        "problem": ["term not in CTCAE v5.0", "note: SOC 'X' differs from CTCAE SOC 'Y'"],
    }
)


def _queries(problems: pd.DataFrame = PROBLEMS) -> pd.DataFrame:
    return site_queries(ADSL, problems=problems, deviations=DEVIATIONS, consistency=CONSISTENCY, ctcae=CTCAE)


def test_one_row_per_question_sorted_by_centre_then_patient() -> None:
    queries = _queries()
    assert tuple(queries.columns) == QUERY_COLUMNS
    assert queries[["SITEID", "USUBJID", "KIND", "DATASET", "FIELD", "VALUE"]].values.tolist() == [
        ["01", "A-1", "Eligibility", "ADSL", "BTESTO", "80"],
        ["01", "A-1", "CTCAE", "ADAE", "AEDECOD", "Feeling blue"],
        ["01", "A-1", "CTCAE", "ADAE", "AEBODSYS", ""],
        ["01", "B-3", "Consistency", "ADSL", "DTHDT", ""],
        ["02", "A-2", "Validation", "ADSL", "WHOPS", ""],
        ["", "X-9", "Validation", "ADTTE", "USUBJID", ""],  # a patient ADSL does not hold
        ["", "", "Validation", "ADAE", "AETOXGR", ""],  # the whole dataset
    ]
    assert queries["SITENAME"].tolist()[-3:] == ["UZ Gent", NO_CENTRE, NO_CENTRE]
    assert queries.loc[4, "RECORD"] == "adsl.csv row 3"
    assert queries.loc[4, "CHECK"] == "range (warning)"
    assert queries.loc[6, "RECORD"] == "adae.csv"
    assert queries.loc[1, "RECORD"] == "AESEQ 2, 2022-02-01, Feeling blue"
    assert queries.loc[0, "PROBLEM"] == DEVIATIONS.loc[0, "DETAIL"]


def test_query_ids_are_stable_unique_and_follow_the_question() -> None:
    first, again = _queries(), _queries()
    assert first["QUERY_ID"].tolist() == again["QUERY_ID"].tolist()
    assert first["QUERY_ID"].is_unique
    assert first["QUERY_ID"].str.fullmatch(r"Q-[0-9A-F]{8}").all()
    # A later cut moves the record to another row: the same question keeps its id.
    moved = _queries(PROBLEMS.assign(row=pd.array([30, 11, pd.NA], dtype="Int64")))
    assert moved["QUERY_ID"].tolist() == first["QUERY_ID"].tolist()
    # Another problem is another question.
    other = _queries(PROBLEMS.assign(problem=PROBLEMS["problem"].str.replace("7", "9")))
    assert other.loc[4, "QUERY_ID"] != first.loc[4, "QUERY_ID"]
    assert other.loc[0, "QUERY_ID"] == first.loc[0, "QUERY_ID"]


def test_the_same_question_twice_gets_a_suffix() -> None:
    twice = site_queries(ADSL, consistency=pd.concat([CONSISTENCY, CONSISTENCY], ignore_index=True))
    first, second = twice["QUERY_ID"]
    assert second == f"{first}-2"


def test_counts_per_centre() -> None:
    counts = queries_by_centre(_queries())
    assert counts.to_dict("records") == [
        {
            "SITEID": "01",
            "SITENAME": "UZ Leuven",
            "PATIENTS": 2,
            "QUERIES": 4,
            "Validation": 0,
            "Eligibility": 1,
            "Consistency": 1,
            "CTCAE": 2,
        },
        {
            "SITEID": "02",
            "SITENAME": "UZ Gent",
            "PATIENTS": 1,
            "QUERIES": 1,
            "Validation": 1,
            "Eligibility": 0,
            "Consistency": 0,
            "CTCAE": 0,
        },
        {
            "SITEID": "",
            "SITENAME": NO_CENTRE,
            "PATIENTS": 1,
            "QUERIES": 2,
            "Validation": 2,
            "Eligibility": 0,
            "Consistency": 0,
            "CTCAE": 0,
        },
        {
            "SITEID": "ALL",
            "SITENAME": "All centres",
            "PATIENTS": 4,
            "QUERIES": 7,
            "Validation": 3,
            "Eligibility": 1,
            "Consistency": 1,
            "CTCAE": 2,
        },
    ]


def test_nothing_found_gives_empty_tables() -> None:
    empty = site_queries(ADSL, problems=PROBLEMS.iloc[:0])
    assert empty.empty and tuple(empty.columns) == QUERY_COLUMNS
    assert queries_by_centre(empty).empty


def test_eligibility_rules_name_their_fields() -> None:
    fields = rule_fields(ELIGIBILITY_RULES)
    assert fields["TESTO"] == ("ADSL", "BTESTO")
    assert fields["CONSENT_AFTER_REG"] == ("ADSL", "RFICDT, ENRLDT")
    assert fields["LESIONS_ADTU"] == ("ADTU", "TULOCCAT")


@pytest.fixture
def flawed(tmp_path: Path) -> tuple[ViewScope, pd.DataFrame]:
    """The Data quality view's flawed tiny source: WHOPS 7 (T-03, centre 02), ADTTE subject T-99 not in ADSL,
    T-02's testosterone 80 ng/dL (centre 01) and T-01's term "Feeling blue" (centre 01)."""
    frames = tiny_frames()
    frames["adsl"]["BTESTO"] = [20.0, 80.0, 30.0, 10.0, 200.0, 15.0]
    frames["adsl"]["WHOPS"] = [0, 1, 7, 0, 1, 0]
    stray = frames["adtte"].iloc[[0]].assign(USUBJID="T-99")
    frames["adtte"] = pd.concat([frames["adtte"], stray], ignore_index=True)
    frames["adae"].loc[0, "AEDECOD"] = "Feeling blue"
    loaded = load_trial(write_source(tmp_path / "flawed", **frames))
    assert loaded.trial is not None
    full = ViewScope.of(loaded.trial)
    return ViewScope(full.trial, full.trial, full.trial, full.trial, loaded.problems), loaded.problems


def test_data_quality_view_lists_the_queries(flawed: tuple[ViewScope, pd.DataFrame]) -> None:
    scope, problems = flawed
    view = data_quality_view(scope, DataQualityControls())
    assert view.queries[["SITEID", "USUBJID", "KIND"]].values.tolist() == [
        ["01", "T-01", "CTCAE"],
        ["01", "T-02", "Eligibility"],
        ["02", "T-03", "Validation"],
        ["", "T-99", "Validation"],
    ]
    assert view.queries_by_centre["QUERIES"].tolist() == [2, 1, 1, 4]
    assert view.queries_caption.startswith("4 questions about 4 patients in 2 centres.")
    # With a centre filter, the validation problems of other centres' and unknown patients leave the list.
    only_01 = Filters.from_mapping({"SITEID": ["01"]})
    trial = apply_filters(scope.full, only_01)
    filtered = ViewScope(trial, trial, scope.full, trial, problems, filters=only_01)
    view = data_quality_view(filtered, DataQualityControls())
    assert view.queries["USUBJID"].tolist() == ["T-01", "T-02"]
    assert "left out" in view.queries_caption
