"""AppTest of pages/enrollment.py on the tiny hand-built source (tests/conftest.py::tiny_frames).

Hand-worked facts of the tiny source: enrolled T-01..T-04 on 2022-01-10, 2022-03-05, 2022-06-01, 2023-02-15;
first screening 2022-01-03; cut-off 2024-01-31 (758 days after the first screening); centre 01 screened T-01,
T-02, T-06 and centre 02 T-03, T-04, T-05; NEST-FS events T-01, T-02; PFS events T-01..T-03; T-03 COMPLETED.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE, header, metrics, tiny_frames, write_source
from scipy import stats

from medcare_app.sidebar import ACCRUAL_KEY, AS_OF_KEY, SETTINGS_EDIT_KEY, TARGET_KEY, filter_key
from medcare_metrics.text import enrollment as text

PAGE = "pages/enrollment.py"


def _table(at, column: str) -> pd.DataFrame:
    """Return the first dataframe on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _figure(at, key: str) -> dict:
    """Return the plotly figure (as JSON) drawn with element key ``key``."""
    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)


def _trace_names(at, key: str) -> list[str]:
    return [trace.get("name") for trace in _figure(at, key)["data"]]


def test_enrollment_page_open_trial(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Enrollment"
    assert header(at).startswith("**4 of 4 patients**")
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 18"
    assert at.subheader[0].value == "Enrollment open"
    # Prior Gamma(18 * 0.5, 730.5 * 0.5), 4 enrolled in 758 days: 14 more take (365.25 + 758) * B / (1 - B),
    # B ~ Beta(14, 9 + 4) (the authors' R formula), median from the beta quantile.
    q = stats.beta.ppf(0.5, 14, 13)
    median = pd.Timestamp("2024-01-31") + pd.Timedelta(days=(365.25 + 758) * q / (1 - q))
    assert shown["Predicted completion"] == f"{median.round('D'):%Y-%m-%d}"
    assert shown["Accrual rate vs plan"] == "21%"  # (4 / 758) / (18 / 730.5) = 0.214
    captions = " ".join(c.value for c in at.caption)
    assert "Gajewski, Simon & Carlson" in captions
    assert "P = 0.50" in captions
    assert len(at.get("plotly_chart")) == 4  # cumulative, per month, screening flow diagram, maturity
    # Open enrollment: the predictive bands and median are drawn on the cumulative figure.
    names = _trace_names(at, "enrollment_cumulative")
    assert {"95% predictive interval", "50% predictive interval", "Predicted (median)"} <= set(names)

    funnel = _table(at, "DEFINITION").set_index("LABEL")["N"]
    assert funnel["Screened"] == 6
    assert funnel["Enrolled"] == 4
    assert funnel["MDT received"] == 4  # TRTSDT present for T-01..T-04 (no SAFFL)
    assert funnel["NEST started"] == 2
    assert funnel["Progressed, no NEST"] == 1
    assert funnel["In follow-up, no event"] == 1

    centres = _table(at, "DAYS_SINCE_LAST").set_index("SITEID")
    assert centres.loc["01", "SCREENED"] == 3
    assert centres.loc["01", "DAYS_SINCE_LAST"] == 697  # 2022-03-05 to 2024-01-31
    assert centres.loc["02", "DAYS_SINCE_LAST"] == 350  # 2023-02-15 to 2024-01-31
    assert shown["NEST-FS events"] == "2"
    assert shown["At risk"] == "1"  # T-04; T-03 completed the study
    assert shown["Follow-up ended"] == "1"
    # NEST-FS follow-up 300 + 100 + 200 + 250 = 850 days = 27.93 months, 2 events: median ln 2 / (2 / 27.93).
    assert shown["Fitted median"] == "9.7 months"
    # The screening flow diagram: tiny source has no SCRFCRIT, so T-05 and T-06 are eligible, not enrolled.
    flow = " ".join(a.get("text", "") for a in _figure(at, "enrollment_funnel")["layout"]["annotations"])
    assert "Screened</b><br>n = 6" in flow
    assert "Eligible, not enrolled</b> (n = 2)" in flow
    assert "Not recorded (2)" in flow


def test_certainty_and_target_widgets(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    before = metrics(at)["Predicted completion"]
    at.slider(key="enrollment_certainty").set_value(1.0).run()
    assert not at.exception
    assert "P = 1.00" in " ".join(c.value for c in at.caption)
    # Observed accrual (4 in 758 days) is slower than planned (18 in 730.5 days): more trust in the plan
    # brings the predicted completion forward.
    assert metrics(at)["Predicted completion"] < before
    at.sidebar.checkbox(key=SETTINGS_EDIT_KEY).check().run()  # the settings are locked until ticked
    at.sidebar.number_input(key=TARGET_KEY).set_value(4).run()  # a shared trial setting in the sidebar
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 4"
    assert at.subheader[0].value == "Enrollment complete"
    assert shown["Completed on"] == "2023-02-15"
    assert shown["Duration"] == "13.4 months"  # 408 days / 30.4375
    assert "Predicted completion" not in shown
    # 4 in 408 days against the new plan of 4 in 730.5 days: 730.5 / 408 = 179%.
    assert shown["Accrual rate vs plan"] == "179%"
    # Complete: no projection on the figure, the completion date marked instead.
    names = _trace_names(at, "enrollment_cumulative")
    assert "95% predictive interval" not in names
    assert "Target reached 2023-02-15" in json.dumps(_figure(at, "enrollment_cumulative")["layout"])


def test_centre_filter_changes_tables_not_the_target(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    assert header(at).startswith("**2 of 4 patients**")
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 18"  # whole trial
    assert shown["NEST-FS events"] == "2"
    assert shown["At risk"] == "0"
    funnel = _table(at, "DEFINITION").set_index("LABEL")["N"]
    assert funnel["Screened"] == 3
    assert funnel["Enrolled"] == 2
    centres = _table(at, "DAYS_SINCE_LAST")
    assert list(centres["SITEID"]) == ["01", "ALL"]
    assert "whole trial" in " ".join(c.value for c in at.caption)
    # A centre's share of the whole-trial projection is not defined: no band while filtered.
    names = _trace_names(at, "enrollment_cumulative")
    assert "95% predictive interval" not in names
    assert "Selected patients" in names and "All centres" not in names


def test_as_of_date_moves_the_reference(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2022, 12, 31)).run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Enrolled"] == "3 of 18"
    centres = _table(at, "DAYS_SINCE_LAST").set_index("SITEID")
    assert centres.loc["02", "DAYS_SINCE_LAST"] == 213  # 2022-06-01 to 2022-12-31
    # 3 enrolled in the 362 days from 2022-01-03 to 2022-12-31: posterior Gamma(9 + 3, 365.25 + 362); 15 more.
    q = stats.beta.ppf(0.5, 15, 12)
    median = pd.Timestamp("2022-12-31") + pd.Timedelta(days=(365.25 + 362) * q / (1 - q))
    assert shown["Predicted completion"] == f"{median.round('D'):%Y-%m-%d}"
    assert "3 enrollments in the 362 days" in " ".join(c.value for c in at.caption)


def test_events_needed_gives_a_date(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.number_input(key="enrollment_events_needed").set_value(3).run()
    assert not at.exception
    lines = " ".join(m.value for m in at.markdown)
    assert "3 events expected by" in lines


@pytest.mark.parametrize("name", ["pharmaverseadam", "cdiscpilot01"])
def test_page_on_conformance_data(app, name: str) -> None:
    at = app(PAGE, data=CONFORMANCE / name)
    at.run()
    assert not at.exception
    # Another study without a study file: a count, never "of 18" and no completion against a target.
    assert re.fullmatch(r"\d+ enrolled", at.subheader[0].value)
    assert not any("of 18" in m.value for m in at.metric)


def test_planned_accrual_is_a_shared_setting(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    # Target and accrual period are widgets of the shared sidebar, not of this page.
    assert not any(w.key in ("enrollment_target", "enrollment_planned_months") for w in at.number_input)
    assert {TARGET_KEY, ACCRUAL_KEY} <= {w.key for w in at.sidebar.number_input}
    at.sidebar.checkbox(key=SETTINGS_EDIT_KEY).check().run()
    at.sidebar.number_input(key=TARGET_KEY).set_value(4).run()
    # 4 in 408 days against the plan of 4 in 730.5 days (24 months): 179%; plan of 12 months (365.25 days):
    # 365.25 / 408 = 90%.
    assert metrics(at)["Accrual rate vs plan"] == "179%"
    at.sidebar.number_input(key=ACCRUAL_KEY).set_value(12.0).run()
    assert not at.exception
    assert metrics(at)["Accrual rate vs plan"] == "90%"
    assert at.query_params["target"] == "4" and at.query_params["accrual"] == "12"


def test_page_on_adsl_with_a_header_and_no_rows(app, tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["adsl"] = frames["adsl"].iloc[0:0]
    at = app(PAGE, data=write_source(tmp_path / "empty", **frames))
    at.run()
    assert not at.exception
    assert text.NO_SUBJECT in [i.value for i in at.info]
    assert metrics(at)["Enrolled"] == "0 of 18"
    assert not at.tabs and not at.get("plotly_chart")


def test_page_without_enrolled_patient_in_the_selection(app) -> None:
    at = app(PAGE, data=None, query={"ENRLFL": "N"})
    at.run()
    assert not at.exception
    assert header(at).startswith("**0 of ")
    assert text.NO_ENROLLED in [i.value for i in at.info]
    funnel = _table(at, "DEFINITION").set_index("LABEL")["N"]
    assert funnel["Enrolled"] == 0 and funnel["Screened"] > 0
