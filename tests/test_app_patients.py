"""AppTest of pages/patients.py on the tiny source (tests/conftest.py) plus a hand-built PSA dataset.

Hand-worked answers: enrolled T-01..T-04, centre 01 holds T-01 and T-02. PSA best change: T-01 10 -> 4
(-60%), T-02 5 -> 6 (+20%), T-03 8 -> 2 (-75%, sampled 2022-09-01), T-04 baseline only: 2 of 3 responders.
Events after 2022-06-01 up to the cut-off 2024-01-31: T-04 enrolled (2023-02-15); NEST-FS events T-01
(2022-11-06) and T-02 (2022-06-13); PFS events T-01 (2022-06-09) and T-03 (2022-12-18); grade >= 3 AE of
T-04 (2023-03-20).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE, header, in_each_tab, metrics, tiny_frames, write_source
from streamlit.testing.v1 import AppTest

from medcare_app.sidebar import AS_OF_KEY, filter_key
from pages.patients import TABS

PAGE = "pages/patients.py"
SINCE_KEY = "since"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    adlb = pd.DataFrame(
        {
            "USUBJID": ["T-01", "T-01", "T-02", "T-02", "T-03", "T-03", "T-04"],
            "PARAMCD": "PSA",
            "AVAL": [10.0, 4.0, 5.0, 6.0, 8.0, 2.0, 3.0],
            "AVALU": "ng/mL",
            "ADT": [
                "2022-01-05",
                "2022-04-01",
                "2022-03-01",
                "2022-06-01",
                "2022-05-25",
                "2022-09-01",
                "2023-02-20",
            ],
            "ABLFL": ["Y", "N", "Y", "N", "Y", "N", "Y"],
        }
    )
    return write_source(tmp_path / "tiny_psa", **tiny_frames(), adlb=adlb)


def _charts(at: object) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]  # type: ignore[attr-defined]


def _swimmer_patients(at: object) -> set[str]:
    for spec in _charts(at):
        if spec["layout"]["xaxis"]["title"]["text"] == "Months since registration":
            return {y for trace in spec["data"] if trace["type"] == "bar" for y in trace["y"]}
    raise AssertionError("no swimmer plot")


def _responders(at: object) -> str:
    return next(m.value for m in at.main.markdown if "evaluable" in m.value)  # type: ignore[attr-defined]


def _open(at: AppTest, tab: str) -> AppTest:
    """Open a tab of the page (it draws only the open one) and run; the address follows, as in a browser."""
    at.session_state["patients_tab"] = tab
    at.query_params["patients_tab"] = tab
    at.run()
    assert not at.exception
    return at


def test_patients_page_draws_everything(app, source: Path) -> None:
    at = app(PAGE, data=source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Patients"
    assert [tab.label for tab in at.tabs] == [
        "Swimmer plot",
        "PSA waterfall",
        "Patient profile",
        "Changes since",
        "Follow-up",
    ]
    # Only the open tab is drawn: the swimmer plot first.
    assert len(at.get("plotly_chart")) == 1
    assert _swimmer_patients(at) == {"T-01", "T-02", "T-03", "T-04"}
    # Swimmer, waterfall, patient timeline and PSA trajectory, one tab at a time.
    assert in_each_tab(at, "patients_tab", TABS, lambda a: len(a.get("plotly_chart"))) == [1, 1, 2, 0, 0]
    assert _responders(_open(at, "PSA waterfall")).startswith("**2 of 3 evaluable patients**")
    # Default window: 91 days before the cut-off (2024-01-31 -> 2023-11-01), as on the overview; nothing new.
    _open(at, "Changes since")
    assert at.date_input(key=SINCE_KEY).value == dt.date(2023, 11, 1)
    assert set(metrics(at).values()) == {"0"}


def test_changes_since_counts(app, source: Path) -> None:
    at = app(PAGE, data=source, query={"patients_tab": "Changes since"})
    at.run()
    at.date_input(key=SINCE_KEY).set_value(dt.date(2022, 6, 1)).run()
    assert not at.exception
    assert metrics(at) == {
        "Patients enrolled": "1",
        "NEST-FS events": "2",
        "PFS events": "2",
        "Deaths": "0",
        "New grade ≥ 3 AEs": "1",
        "Grade upgrades": "0",
    }


def test_centre_filter_changes_the_numbers(app, source: Path) -> None:
    at = app(PAGE, data=source, query={"patients_tab": "Changes since"})
    at.run()
    at.date_input(key=SINCE_KEY).set_value(dt.date(2022, 6, 1))
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    assert header(at).startswith("**2 of 4 patients**")
    shown = metrics(at)
    assert (shown["Patients enrolled"], shown["NEST-FS events"], shown["PFS events"]) == ("0", "2", "1")
    assert shown["New grade ≥ 3 AEs"] == "0"
    assert _swimmer_patients(_open(at, "Swimmer plot")) == {"T-01", "T-02"}
    assert _responders(_open(at, "PSA waterfall")).startswith("**1 of 2 evaluable patients**")


def test_as_of_date_replays_the_page(app, source: Path) -> None:
    at = app(PAGE, data=source)
    at.run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2022, 7, 1)).run()
    assert not at.exception
    # T-04 was registered in 2023; T-03's later PSA sample (2022-09-01) did not exist yet.
    assert _swimmer_patients(at) == {"T-01", "T-02", "T-03"}
    assert _responders(_open(at, "PSA waterfall")).startswith("**1 of 2 evaluable patients**")
    # 91 days before the as-of date: 2022-07-01 -> 2022-04-01.
    assert _open(at, "Changes since").date_input(key=SINCE_KEY).value == dt.date(2022, 4, 1)


def test_profile_follows_the_selected_patient(app, source: Path) -> None:
    at = app(PAGE, data=source, query={"patients_tab": "Patient profile"})
    at.run()
    picker = at.selectbox(key="patient")
    assert picker.options == ["T-01", "T-02", "T-03", "T-04"]
    picker.set_value("T-02").run()
    assert not at.exception
    baseline, dates = (table.value for table in at.table[:2])
    values = dict(zip(baseline["ITEM"], baseline["VALUE"], strict=True))
    assert values["MDT type"] == "Surgery"
    values = dict(zip(dates["ITEM"], dates["VALUE"], strict=True))
    assert values["Registration"] == "2022-03-05"


def test_link_opens_the_tab_patient_and_window(app, source: Path) -> None:
    # The tab, the patient and the "changes since" date live in the URL: a copied link opens the same view.
    at = app(
        PAGE, data=source, query={"patients_tab": "Patient profile", "patient": "T-03", "since": "2022-06-01"}
    )
    at.run()
    assert not at.exception
    assert at.selectbox(key="patient").value == "T-03"
    # The page draws only the open tab; opening "Changes since" finds the link's date.
    _open(at, "Changes since")
    assert at.date_input(key=SINCE_KEY).value == dt.date(2022, 6, 1)
    assert metrics(at)["Patients enrolled"] == "1"


def test_page_without_psa_or_lesions_says_so(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception

    def read(at: AppTest) -> tuple[str, str, dict[str, str], list[str]]:
        infos = " ".join(i.value for i in at.info)
        captions = " ".join(c.value for c in at.caption)
        return infos, captions, metrics(at), [m.value for m in at.main.markdown]

    tabs = in_each_tab(at, "patients_tab", TABS, read)
    infos = " ".join(t[0] for t in tabs)
    assert "ADLB" in infos and "ADTU" in infos
    captions = " ".join(t[1] for t in tabs)
    assert "grade" in captions  # no CTCAE grade: AE changes are not counted
    assert not any("New grade ≥ 3 AEs" in t[2] for t in tabs)
    # The CDISC pilot's ADSL has no EOSSTT: 3 deaths (DTHFL = Y), the other 251 of unknown study status.
    status = next(m for t in tabs for m in t[3] if "in follow-up" in m)
    assert status == (
        "**254 patients**: 0 in follow-up, 0 left the study alive, 3 died, "
        "251 alive with no study status (ADSL has no EOSSTT)."
    )


def test_filter_from_the_url(app, source: Path) -> None:
    at = app(PAGE, data=source, query={"SITEID": "02", "asof": "2022-07-01"})
    at.run()
    assert not at.exception
    # Centre 02 holds T-03 and T-04; only T-03 was registered by 2022-07-01.
    assert _swimmer_patients(at) == {"T-03"}
    assert header(at).startswith("**1 of 3 patients**")


def test_no_patient_selected(app, source: Path) -> None:
    # SBRT patients (T-01, T-03) are all on ADT alone: nobody matches both filters.
    at = app(PAGE, data=source, query={"MDTTYPE": "SBRT", "SYSTHER": "ADT + abiraterone"})
    at.run()
    assert not at.exception
    assert header(at).startswith("**0 of 4 patients**")
    assert not at.get("plotly_chart")
    # One sentence, in the header, for the whole page; no tab draws an empty plot or its own reason.
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("No patient matches the filters (MDT type: SBRT;") for w in warnings)
    assert not at.info and not metrics(at)


def test_follow_up_tab_lists_who_is_overdue(app, source: Path) -> None:
    # On study T-01 and T-04 (tests/conftest.py); MEDCARE schedule: PSA and PSMA PET-CT every 3 months,
    # 30 days' tolerance, as of the cut-off 2024-01-31. T-01: last PSA 2022-04-01, next due 2022-07-12 (183
    # days after registration 2022-01-10): overdue. T-04: PSA only at baseline 2023-02-20, first due
    # 2023-05-17: overdue.
    at = app(PAGE, data=source, query={"patients_tab": "Follow-up"})
    at.run()
    assert not at.exception
    assert any(
        m.value.startswith("As of 2024-01-31, **2 of 2 patients** on study are overdue") for m in at.markdown
    )
    centres = next(d.value for d in at.dataframe if "OVERDUE" in d.value.columns)
    assert centres[["SITEID", "ON_STUDY", "DUE", "OVERDUE"]].values.tolist() == [
        ["01", 1, 0, 1],
        ["02", 1, 0, 1],
        ["ALL", 2, 0, 2],
    ]
    listing = next(d.value for d in at.dataframe if "NEXT_DUE" in d.value.columns)
    psa = listing.loc[listing["ASSESSMENT"].eq("PSA")]
    assert psa["USUBJID"].tolist() == ["T-01", "T-04"]
    assert psa["NEXT_DUE"].dt.strftime("%Y-%m-%d").tolist() == ["2022-07-12", "2023-05-17"]
    assert set(psa["STATUS"]) == {"Overdue"}
    assert "Download Excel" in [b.proto.label for b in at.get("download_button")]
