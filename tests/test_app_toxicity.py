"""AppTest of pages/toxicity.py on a tiny source whose numbers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE, REPO, tiny_frames, write_source
from streamlit.testing.v1 import AppTest

from medcare_app.sidebar import AS_OF_KEY, filter_key
from pages.toxicity import TAB_KEY

PAGE = "pages/toxicity.py"


def tox_frames() -> dict[str, pd.DataFrame]:
    """tiny_frames plus SAFFL, AEREL, TRTEMFL and one ungraded event.

    Safety population T-01..T-04 (N = 4); centre 01: T-01, T-02. Worst grade overall: T-01 1 (Fatigue),
    T-02 3 (Cystitis 3, Diarrhea 2), T-03 missing (Nausea without grade), T-04 3 (Proctitis).
    Onset after MDT start: T-01 12 days, T-02 17 and 26, T-03 21, T-04 157 (late with a 90-day window).
    """
    frames = tiny_frames()
    frames["adsl"]["SAFFL"] = ["Y", "Y", "Y", "Y", "N", "N"]
    adae = frames["adae"].copy()
    adae.loc[3, "ASTDT"] = "2023-08-01"
    extra = pd.DataFrame(
        {
            "USUBJID": ["T-03"],
            "AEDECOD": ["Nausea"],
            "AEBODSYS": ["Gastrointestinal disorders"],
            "ATOXGR": [None],
            "ASTDT": ["2022-07-01"],
        }
    )
    adae = pd.concat([adae, extra], ignore_index=True)
    adae["ATOXGR"] = adae["ATOXGR"].astype("Int64")
    adae["AEREL"] = ["RELATED", "RELATED", "NOT RELATED", "RELATED", "NOT RELATED"]
    adae["TRTEMFL"] = "Y"
    frames["adae"] = adae
    return frames


@pytest.fixture
def tox_source(tmp_path: Path) -> Path:
    return write_source(tmp_path / "tox", **tox_frames())


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The page on :func:`tox_frames` as it first opens, run once for the tests that only read it."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    folder = tmp_path_factory.mktemp("tox_opened")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEDCARE_DATA", str(write_source(folder / "tox", **tox_frames())))
        if "MEDCARE_ACCESS_LOG" not in os.environ:
            patch.setenv("MEDCARE_ACCESS_LOG", str(folder / "access.log"))
        st.cache_data.clear()
        at = AppTest.from_file(str(REPO / PAGE), default_timeout=90)
        at.run()
    return at


def _table(at: object, index: int = 0) -> pd.DataFrame:
    return at.dataframe[index].value  # type: ignore[attr-defined]


def test_grade_counts_and_denominator(opened) -> None:
    at = opened
    assert not at.exception
    assert at.title[0].value == "Toxicity"
    overall = _table(at).iloc[0]
    assert overall["N"] == 4
    assert overall["Any grade"] == "4 (100.0%)"
    assert overall["Grade 1"] == "1 (25.0%)"
    assert overall["Grade 3"] == "2 (50.0%)"
    assert overall["Grade >= 3"] == "2 (50.0%)"
    assert overall["Missing grade"] == "1 (25.0%)"
    captions = " ".join(c.value for c in at.caption)
    assert 'safety population (SAFFL = "Y"): N = 4.' in captions
    # Every event of tox_frames is treatment-emergent; the TEAE filter is on by default as ADAE has TRTEMFL.
    assert at.checkbox(key="tox_teae").value is True
    assert 'treatment-emergent adverse events only (TRTEMFL = "Y"); no event is left out.' in captions
    assert "Data quality" in captions  # the ungraded Nausea event is listed there
    assert len(at.get("plotly_chart")) >= 4
    assert not at.info  # CTCAE grades present: no severity note


def _open(at: AppTest, tab: str) -> AppTest:
    """Open a tab of the page (it draws only the open one) and run; the address follows, as in a browser."""
    at.session_state[TAB_KEY] = tab
    at.query_params[TAB_KEY] = tab
    at.run()
    assert not at.exception
    return at


def test_high_grade_tab(app, tox_source: Path) -> None:
    at = _open(app(PAGE, data=tox_source), "Grade ≥ 3 patients")
    # T-02 and T-04 of the 4 patients in the safety population.
    expected = (
        '**2 of 4 patients** (50.0%) in the safety population (SAFFL = "Y") had at least one Grade ≥ 3 '
        "event; counted: treatment-emergent events."
    )
    assert expected in [m.value for m in at.markdown]
    patients = next(d.value for d in at.dataframe if "WORST_GRADE" in d.value.columns)
    assert sorted(patients["USUBJID"]) == ["T-02", "T-04"]
    events = next(d.value for d in at.dataframe if "PHASE" in d.value.columns)
    assert sorted(events["AEDECOD"]) == ["Cystitis noninfective", "Proctitis"]


def _phase_table(at: object) -> pd.DataFrame:
    for frame in at.dataframe:  # type: ignore[attr-defined]
        value = frame.value
        if "GROUP" in value.columns and "AEDECOD" not in value.columns and "Acute" in set(value["GROUP"]):
            return value.set_index("GROUP")
    raise AssertionError("no acute/late table")


def test_acute_window_setting(app, tox_source: Path) -> None:
    at = _open(app(PAGE, data=tox_source), "Acute vs late")
    phases = _phase_table(at)
    # 90 days: acute T-01 1, T-02 3, T-03 missing; late T-04 3 (day 157).
    assert phases.loc["Acute", "Any grade"] == "3 (75.0%)"
    assert phases.loc["Late", "Grade 3"] == "1 (25.0%)"
    at.number_input(key="tox_window").set_value(200).run()
    assert not at.exception
    phases = _phase_table(at)
    assert "Late" not in phases.index
    assert phases.loc["Acute", "Any grade"] == "4 (100.0%)"


def test_split_by_mdt_type(app, tox_source: Path) -> None:
    at = app(PAGE, data=tox_source)
    at.run()
    at.selectbox(key="tox_split").set_value("MDT type").run()
    assert not at.exception
    table = _table(at).set_index("GROUP")
    # SBRT: T-01 (1), T-03 (missing); Surgery: T-02 (3); SBRT + surgery: T-04 (3).
    assert table.loc["SBRT", "N"] == 2
    assert table.loc["SBRT", "Grade 1"] == "1 (50.0%)"
    assert table.loc["Surgery", "Grade >= 3"] == "1 (100.0%)"


def test_soc_drill_down(app, tox_source: Path) -> None:
    at = app(PAGE, data=tox_source)
    at.run()
    pick = at.selectbox(key="tox_soc_pick")
    # Gastrointestinal disorders has 3 patients (T-02 Diarrhea, T-03 Nausea, T-04 Proctitis): listed first.
    assert pick.options[:2] == ["All", "Gastrointestinal disorders"]
    pick.set_value("Gastrointestinal disorders").run()
    terms = next(
        d.value for d in at.dataframe if "AEDECOD" in d.value.columns and "PHASE" not in d.value.columns
    )
    assert sorted(terms["AEDECOD"]) == ["Diarrhea", "Nausea", "Proctitis"]


def test_relationship_tab(app, tox_source: Path) -> None:
    at = _open(app(PAGE, data=tox_source), "Relationship to MDT")
    related = next(
        d.value.set_index("GROUP")
        for d in at.dataframe
        if "GROUP" in d.value.columns and "RELATED" in set(d.value["GROUP"])
    )
    # RELATED: T-01 Fatigue 1, T-02 Cystitis 3, T-04 Proctitis 3. NOT RELATED: T-02 Diarrhea 2, T-03 missing.
    assert related.loc["RELATED", "Grade 3"] == "2 (50.0%)"
    assert related.loc["NOT RELATED", "Grade 2"] == "1 (25.0%)"


def test_centre_filter_changes_the_numbers(app, tox_source: Path) -> None:
    at = app(PAGE, data=tox_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    overall = _table(at).iloc[0]
    # Centre 01: T-01 (grade 1), T-02 (grade 3); T-06 is a screen failure.
    assert overall["N"] == 2
    assert overall["Grade 1"] == "1 (50.0%)"
    assert overall["Grade >= 3"] == "1 (50.0%)"
    assert "N = 2." in " ".join(c.value for c in at.caption)


def test_severity_only_source(app, tmp_path: Path) -> None:
    frames = tox_frames()
    frames["adae"] = (
        frames["adae"].drop(columns="ATOXGR").assign(AESEV=["MILD", "SEVERE", "MODERATE", "SEVERE", None])
    )
    at = app(PAGE, data=write_source(tmp_path / "sev", **frames))
    at.run()
    assert not at.exception
    assert "AESEV" in at.info[0].value
    overall = _table(at).iloc[0]
    assert overall["SEVERE"] == "2 (50.0%)"
    _open(at, at.tabs[1].label)
    expected = (
        '**2 of 4 patients** (50.0%) in the safety population (SAFFL = "Y") had at least one SEVERE event; '
        "counted: treatment-emergent events."
    )
    assert expected in [m.value for m in at.markdown]


def test_source_without_adae(app, tmp_path: Path) -> None:
    at = app(PAGE, data=write_source(tmp_path / "adsl_only", adsl=tiny_frames()["adsl"]))
    at.run()
    assert not at.exception
    assert "no ADAE" in at.info[0].value
    assert not at.dataframe


def test_conformance_data(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception
    assert "AESEV" in at.info[0].value
    assert _table(at).iloc[0]["N"] == 254


def test_as_of_drops_later_events(app, tox_source: Path) -> None:
    at = app(PAGE, data=tox_source)
    at.run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2023, 6, 1)).run()
    assert not at.exception
    overall = _table(at).iloc[0]
    # On 2023-06-01 all 4 patients are treated, but T-04's grade 3 Proctitis (2023-08-01) has not happened:
    # T-01 1, T-02 3, T-03 missing, T-04 no event.
    assert overall["N"] == 4
    assert overall["Any grade"] == "3 (75.0%)"
    assert overall["Grade >= 3"] == "1 (25.0%)"


def test_phase_and_relationship_by_term(app, tox_source: Path) -> None:
    at = _open(app(PAGE, data=tox_source), "Acute vs late")
    at.radio(key="tox_phase_level").set_value("Term").run()

    def tables() -> list[pd.DataFrame]:
        return [d.value for d in at.dataframe if "AEDECOD" in d.value.columns and "GROUP" in d.value.columns]

    phase = next(t for t in tables() if "Late" in set(t["GROUP"])).set_index(["GROUP", "AEDECOD"])
    # Late (day 157): T-04 Proctitis grade 3; acute: T-01 Fatigue 1, T-02 Cystitis 3 and Diarrhea 2.
    assert phase.loc[("Late", "Proctitis"), "Grade 3"] == "1 (25.0%)"
    assert phase.loc[("Acute", "Cystitis noninfective"), "Grade 3"] == "1 (25.0%)"
    _open(at, "Relationship to MDT").radio(key="tox_rel_level").set_value("Term").run()
    assert not at.exception
    related = next(t for t in tables() if "RELATED" in set(t["GROUP"])).set_index(["GROUP", "AEDECOD"])
    assert related.loc[("NOT RELATED", "Diarrhea"), "Grade 2"] == "1 (25.0%)"
    assert related.loc[("RELATED", "Proctitis"), "Grade 3"] == "1 (25.0%)"


def test_many_terms_are_drawn_top_n(app, tmp_path: Path) -> None:
    frames = tox_frames()
    # 12 extra grade-1 terms of T-01: with the 5 of tox_frames 17 terms, more than 10, so a control appears.
    extra_terms = [
        "Anemia", "Back pain", "Cough", "Dizziness", "Dry mouth", "Edema limbs", "Fever", "Headache",
        "Insomnia", "Myalgia", "Pruritus", "Rash maculo-papular",
    ]  # fmt: skip
    extra = pd.DataFrame(
        {
            "USUBJID": "T-01",
            "AEDECOD": extra_terms,
            "AEBODSYS": "General disorders and administration site conditions",
            "ATOXGR": 1,
            "ASTDT": "2022-03-01",
            "AEREL": "NOT RELATED",
            "TRTEMFL": "Y",
        }
    )
    frames["adae"] = pd.concat([frames["adae"], extra], ignore_index=True)
    at = app(PAGE, data=write_source(tmp_path / "many", **frames))
    at.run()
    assert not at.exception
    top = at.number_input(key="tox_top_n")
    assert top.label == "Terms drawn (of 17)"
    assert top.value == 17
    top.set_value(5).run()
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert "12 less frequent terms not drawn" in {a.get("text") for a in spec["layout"]["annotations"]}


def test_treatment_emergent_by_default(app, tmp_path: Path) -> None:
    frames = tox_frames()
    # T-01's grade 1 Fatigue began 2022-01-15, before T-01's MDT start (2022-01-20): not treatment-emergent.
    frames["adae"].loc[0, ["ASTDT", "TRTEMFL"]] = ["2022-01-15", "N"]
    at = app(PAGE, data=write_source(tmp_path / "pre_mdt", **frames))
    at.run()
    assert not at.exception
    assert at.checkbox(key="tox_teae").value is True
    header = at.caption[0].value
    assert header.endswith(
        'Counted: treatment-emergent adverse events only (TRTEMFL = "Y"); left out: 1 event with TRTEMFL not '
        '"Y", which began before the MDT start.'
    )
    overall = _table(at).iloc[0]
    # T-02 3, T-03 missing, T-04 3; T-01 has no treatment-emergent event. N stays 4.
    assert overall["N"] == 4
    assert overall["Any grade"] == "3 (75.0%)"
    assert overall["Grade 1"] == "0 (0.0%)"
    assert overall["Grade >= 3"] == "2 (50.0%)"
    at.checkbox(key="tox_teae").uncheck().run()
    assert not at.exception
    assert at.caption[0].value.endswith(
        'Counted: all adverse events, including 1 event with TRTEMFL not "Y", which began before the MDT '
        "start."
    )
    overall = _table(at).iloc[0]
    assert overall["Any grade"] == "4 (100.0%)"
    assert overall["Grade 1"] == "1 (25.0%)"


def test_without_trtemfl_all_events_count(app, tmp_path: Path) -> None:
    frames = tox_frames()
    frames["adae"] = frames["adae"].drop(columns="TRTEMFL")
    at = app(PAGE, data=write_source(tmp_path / "no_teae", **frames))
    at.run()
    assert not at.exception
    box = at.checkbox(key="tox_teae")
    assert box.value is False and box.disabled
    assert "ADAE has no TRTEMFL" in at.caption[0].value
    assert _table(at).iloc[0]["Any grade"] == "4 (100.0%)"
