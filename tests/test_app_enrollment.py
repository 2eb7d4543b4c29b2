"""AppTest of pages/enrollment.py on the tiny hand-built source (tests/conftest.py::tiny_frames).

Hand-worked facts of the tiny source: enrolled T-01..T-04 on 2022-01-10, 2022-03-05, 2022-06-01, 2023-02-15;
first screening 2022-01-03; cut-off 2024-01-31 (758 days after the first screening); centre 01 screened T-01,
T-02, T-06 and centre 02 T-03, T-04, T-05; NEST-FS events T-01, T-02; PFS events T-01..T-03; T-03 COMPLETED.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from conftest import CONFORMANCE, header, metrics
from scipy import stats

from medcare_app.sidebar import AS_OF_KEY, filter_key

PAGE = "pages/enrollment.py"


def _table(at, column: str) -> pd.DataFrame:
    """Return the first dataframe on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


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
    assert len(at.get("plotly_chart")) == 5  # cumulative, per month, funnel, screen-failure reasons, maturity

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
    assert shown["NESTFS events"] == "2"
    assert shown["At risk"] == "1"  # T-04; T-03 completed the study
    assert shown["Follow-up ended"] == "1"


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
    at.number_input(key="enrollment_target").set_value(4).run()
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 4"
    assert at.subheader[0].value == "Enrollment complete"
    assert shown["Completed on"] == "2023-02-15"
    assert shown["Duration"] == "13.4 months"  # 408 days / 30.4375
    assert "Predicted completion" not in shown
    # 4 in 408 days against the new plan of 4 in 730.5 days: 730.5 / 408 = 179%.
    assert shown["Accrual rate vs plan"] == "179%"


def test_centre_filter_changes_tables_not_the_target(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    assert header(at).startswith("**2 of 4 patients**")
    shown = metrics(at)
    assert shown["Enrolled"] == "4 of 18"  # whole trial
    assert shown["NESTFS events"] == "2"
    assert shown["At risk"] == "0"
    funnel = _table(at, "DEFINITION").set_index("LABEL")["N"]
    assert funnel["Screened"] == 3
    assert funnel["Enrolled"] == 2
    centres = _table(at, "DAYS_SINCE_LAST")
    assert list(centres["SITEID"]) == ["01", "ALL"]
    assert "whole trial" in " ".join(c.value for c in at.caption)


def test_as_of_date_moves_the_reference(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2022, 12, 31)).run()
    assert not at.exception
    assert metrics(at)["Enrolled"] == "3 of 18"
    centres = _table(at, "DAYS_SINCE_LAST").set_index("SITEID")
    assert centres.loc["02", "DAYS_SINCE_LAST"] == 213  # 2022-06-01 to 2022-12-31


def test_events_needed_gives_a_date(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.number_input(key="enrollment_events_needed").set_value(3).run()
    assert not at.exception
    lines = " ".join(m.value for m in at.markdown)
    assert "3 events expected by" in lines


def test_page_on_conformance_data(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "pharmaverseadam")
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "Enrollment complete"
    # No NESTFS parameter: the page says so instead of failing.
    assert any("NESTFS" in c.value for c in at.caption)
