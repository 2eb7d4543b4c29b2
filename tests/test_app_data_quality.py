"""AppTest of pages/data_quality.py on hand-built sources with known problems."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE, header, tiny_frames, write_source

from medcare_app.sidebar import filter_key
from medcare_metrics.loading import example_path

PAGE = "pages/data_quality.py"


@pytest.fixture
def flawed_source(tmp_path: Path) -> Path:
    """Tiny source with one warning (WHOPS 7), one error (ADTTE subject not in ADSL), one deviation (T-02
    testosterone 80 ng/dL) and one non-CTCAE term (T-01 "Feeling blue")."""
    frames = tiny_frames()
    frames["adsl"]["BTESTO"] = [20.0, 80.0, 30.0, 10.0, 200.0, 15.0]
    frames["adsl"]["WHOPS"] = [0, 1, 7, 0, 1, 0]
    stray = frames["adtte"].iloc[[0]].assign(USUBJID="T-99")
    frames["adtte"] = pd.concat([frames["adtte"], stray], ignore_index=True)
    frames["adae"].loc[0, "AEDECOD"] = "Feeling blue"
    return write_source(tmp_path / "flawed", **frames)


def _problems(at: object) -> pd.DataFrame:
    """The table of each problem (the summary table has no ``file`` column)."""
    return _table(at, "file")


def _table(at: object, containing: str) -> pd.DataFrame:
    for frame in at.dataframe:  # type: ignore[attr-defined]
        if containing in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {containing} column")


def test_problems_deviations_and_ctcae(app, flawed_source: Path) -> None:
    at = app(PAGE, data=flawed_source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Data quality"
    assert [s.value for s in at.main.subheader] == [
        "Validation problems",
        "Derived or assumed while loading",
        "Possible protocol deviations",
        "Consistency between datasets",
        "CTCAE v5.0 checks",
        "Data queries for the sites",
    ]
    problems = _problems(at)
    assert sorted(problems["severity"]) == ["error", "warning"]
    assert problems.loc[problems["severity"] == "warning", "column"].tolist() == ["WHOPS"]
    assert problems.loc[problems["severity"] == "error", "dataset"].tolist() == ["ADTTE"]
    deviations = _table(at, "DETAIL")
    assert deviations[["USUBJID", "RULE"]].values.tolist() == [["T-02", "TESTO"]]
    ctcae = _table(at, "AEDECOD")
    assert ctcae[["USUBJID", "AEDECOD"]].values.tolist() == [["T-01", "Feeling blue"]]
    assert len(at.get("download_button")) == 8  # four tables, each as CSV and Excel


def test_problem_table_filters(app, flawed_source: Path) -> None:
    at = app(PAGE, data=flawed_source)
    at.run()
    at.main.multiselect[1].set_value(["warning"]).run()  # Severity
    assert _problems(at)["severity"].tolist() == ["warning"]
    at.main.multiselect[1].set_value([]).run()
    at.main.multiselect[0].set_value(["ADTTE"]).run()  # Dataset
    assert _problems(at)["dataset"].tolist() == ["ADTTE"]
    at.main.multiselect[0].set_value([]).run()
    at.main.multiselect[2].set_value(["WHOPS"]).run()  # Column
    assert _problems(at)["column"].tolist() == ["WHOPS"]
    at.main.multiselect[2].set_value([]).run()
    at.main.multiselect[3].set_value(["in ADSL"]).run()  # Check
    assert _problems(at)["USUBJID"].tolist() == ["T-99"]
    at.main.multiselect[3].set_value([]).run()
    at.text_input(key="dq_search").input("t-03").run()  # T-03 has WHOPS 7
    assert _problems(at)["column"].tolist() == ["WHOPS"]
    assert "1 of 2 problems shown." in [c.value for c in at.caption]


def test_sidebar_filter_applies_to_deviations(app, flawed_source: Path) -> None:
    at = app(PAGE, data=flawed_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["02"]).run()
    assert header(at).startswith("**2 of 4 patients**")
    assert not any("DETAIL" in frame.value.columns for frame in at.dataframe)  # T-02 is in centre 01
    assert any("No enrolled patient breaks" in s.value for s in at.success)
    # Problems of the source stay listed whatever the filter.
    assert len(_problems(at)) == 2


def test_clean_source_and_missing_adae(app, tmp_path: Path) -> None:
    frames = tiny_frames()
    source = write_source(tmp_path / "clean", adsl=frames["adsl"], adtte=frames["adtte"])
    at = app(PAGE, data=source)
    at.run()
    assert not at.exception
    assert any("passed validation" in s.value for s in at.success)
    assert any("no ADAE" in i.value for i in at.info)


def test_conformance_notes(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception
    notes = " ".join(m.value for m in at.main.markdown)
    assert "ENRLFL" in notes


def test_summary_counts_each_kind_of_problem(app, flawed_source: Path) -> None:
    at = app(PAGE, data=flawed_source)
    at.run()
    summary = _table(at, "example")
    assert summary[["dataset", "column", "check", "severity", "count"]].values.tolist() == [
        ["ADTTE", "USUBJID", "in ADSL", "error", 1],
        ["ADSL", "WHOPS", "range", "warning", 1],
    ]


def test_rules_checked_are_counted(app, tmp_path: Path) -> None:
    from medcare_metrics.eligibility import RULES

    frames = tiny_frames()  # no BTESTO, WHOPS, RFICDT, PRIMTRT, SCRFCRIT, ADTU in the tiny source
    source = write_source(tmp_path / "tiny", **frames)
    at = app(PAGE, data=source)
    at.run()
    skipped = _table(at, "MISSING")
    checked = len(RULES) - len(skipped)
    assert {"TESTO", "WHOPS", "LESIONS_ADTU"} <= set(skipped["RULE"])
    assert any(f"({checked} of {len(RULES)} rules could be checked)" in s.value for s in at.success)


def test_severity_only_adae_is_explained_not_listed(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception
    note = " ".join(i.value for i in at.info)
    assert "no CTCAE grade" in note and "AESEV" in note and "MedDRA" in note
    # Terms are compared only on request, one line per term instead of one per event.
    assert [e.label for e in at.main.expander] == ["Compare the ADAE terms with CTCAE v5.0 anyway"]
    by_term = _table(at, "AEDECOD")
    assert not by_term.duplicated(["AEDECOD", "problem"]).any()
    adae = pd.read_csv(CONFORMANCE / "cdiscpilot01" / "adae.csv")
    assert by_term["count"].max() <= len(adae)
    # APPLICATION SITE PRURITUS (MedDRA) is not a CTCAE term; Pruritus is (spelled as CTCAE does).
    itch = adae.loc[adae["AEDECOD"] == "APPLICATION SITE PRURITUS"]
    row = by_term.loc[by_term["AEDECOD"] == "APPLICATION SITE PRURITUS"].iloc[0]
    assert (row["count"], row["subjects"]) == (len(itch), itch["USUBJID"].nunique())
    assert "term not in CTCAE" in row["problem"]


PLANTED = "MEDCARE-03-001"


@pytest.fixture
def contradicting_example(tmp_path: Path) -> Path:
    """Copy of the shipped example with one contradiction planted: MEDCARE-03-001 (centre 03, DTHFL N, OS
    censored) gets a grade 5 (fatal) urinary tract infection, ATOXGR and AETOXGR both 5."""
    folder = tmp_path / "example"
    shutil.copytree(example_path(), folder)
    adsl = pd.read_csv(folder / "adsl.csv", dtype=str)
    assert adsl.loc[adsl["USUBJID"] == PLANTED, ["SITEID", "DTHFL"]].values.tolist() == [["03", "N"]]
    adtte = pd.read_csv(folder / "adtte.csv")
    os_row = (adtte["USUBJID"] == PLANTED) & (adtte["PARAMCD"] == "OS")
    assert adtte.loc[os_row, "CNSR"].tolist() == [1]
    adae = pd.read_csv(folder / "adae.csv")
    uti = (adae["USUBJID"] == PLANTED) & (adae["AEDECOD"] == "Urinary tract infection")
    assert uti.sum() == 1
    adae.loc[uti, ["ATOXGR", "AETOXGR"]] = 5
    adae.to_csv(folder / "adae.csv", index=False)
    return folder


def test_example_is_consistent(app) -> None:
    at = app(PAGE)
    at.run()
    assert not at.exception
    assert any("No contradiction between datasets" in s.value for s in at.success)
    assert not any("RULE" in f.value.columns and "DATASET" in f.value.columns for f in at.dataframe)


def test_planted_contradiction_is_shown(app, contradicting_example: Path) -> None:
    at = app(PAGE, data=contradicting_example)
    at.run()
    assert not at.exception
    found = _table(at, "DATASET")
    assert found[["USUBJID", "DATASET", "COLUMN", "RULE"]].values.tolist() == [
        [PLANTED, "ADAE", "ATOXGR", "GRADE5_NOT_DEAD"]
    ]
    assert "Urinary tract infection" in found.loc[0, "DETAIL"]
    assert "download_consistency_problems_csv" in [b.key for b in at.get("download_button")]
    # The sidebar selection applies: centre 01 holds no contradiction.
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not any("DATASET" in f.value.columns for f in at.dataframe)
    assert any("No contradiction between datasets" in s.value for s in at.success)


def test_consistency_rules_not_checked_are_listed(app, tiny_source: Path) -> None:
    from medcare_metrics.consistency import RULES

    at = app(PAGE, data=tiny_source)
    at.run()
    skipped = _table(at, "DESCRIPTION")
    # The tiny source has no DTHDT, no OS parameter and no ADTU.
    assert {"DTHFL_NO_DTHDT", "OS_EVENT_NOT_DEAD", "DEATH_DATE_OS", "NLES_ADTU"} <= set(skipped["RULE"])
    checked = len(RULES) - len(skipped)
    assert any(f"({checked} of {len(RULES)} rules could be checked)" in s.value for s in at.success)


def test_ctcae_onset_shown_as_date(app, flawed_source: Path) -> None:
    at = app(PAGE, data=flawed_source)
    at.run()
    ctcae = next(f for f in at.dataframe if "AEDECOD" in f.value.columns)
    config = json.loads(ctcae.proto.columns)
    assert config["ASTDT"]["type_config"]["type"] == "date"
    assert config["ASTDT"]["type_config"]["format"] == "YYYY-MM-DD"


def test_checks_run_on_the_delivered_data_whatever_the_as_of_date(app, contradicting_example: Path) -> None:
    # As of 2022-06-30 MEDCARE-03-001 (registered 2022-10-29) is not enrolled yet; the replay would hide the
    # planted grade 5 AE, but the checks concern the data as delivered, so the contradiction stays listed.
    at = app(PAGE, data=contradicting_example, query={"asof": "2022-06-30"})
    at.run()
    assert not at.exception
    assert any("data as delivered" in i.value for i in at.info)
    found = _table(at, "DATASET")
    assert found["USUBJID"].tolist() == [PLANTED]


def test_site_queries_per_centre_and_listed(app, flawed_source: Path) -> None:
    at = app(PAGE, data=flawed_source)
    at.run()
    assert not at.exception
    counts = _table(at, "QUERIES")
    assert counts[["SITEID", "QUERIES", "PATIENTS"]].values.tolist() == [
        ["01", 2, 2],
        ["02", 1, 1],
        ["", 1, 1],
        ["ALL", 4, 4],
    ]
    queries = _table(at, "QUERY_ID")
    assert queries[["SITEID", "USUBJID", "DATASET", "FIELD"]].values.tolist() == [
        ["01", "T-01", "ADAE", "AEDECOD"],
        ["01", "T-02", "ADSL", "BTESTO"],
        ["02", "T-03", "ADSL", "WHOPS"],
        ["", "T-99", "ADTTE", "USUBJID"],
    ]
    assert [b.proto.label for b in at.get("download_button")][-2:] == ["Download CSV", "Download Excel"]


def test_viewer_sees_query_counts_only(app, flawed_source: Path) -> None:
    from medcare_app.access import hash_password

    at = app(PAGE, data=flawed_source)
    password = "correct horse battery"
    viewer = {"name": "vera", "role": "viewer", "password_hash": hash_password(password, rounds=4)}
    at.secrets["medcare_auth"] = {"mode": "password", "users": [viewer]}
    at.run()
    at.text_input[0].input("vera")
    at.text_input[1].input(password)
    at = at.button[0].click().run()
    assert not at.exception
    assert _table(at, "QUERIES")["QUERIES"].tolist() == [2, 1, 1, 4]
    assert not any("QUERY_ID" in d.value.columns for d in at.dataframe)
    assert not at.get("download_button")
    assert any("patient-level access only" in c.value for c in at.caption)
