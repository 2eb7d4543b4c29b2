"""AppTest of pages/survival.py.

Hand-worked numbers on the tiny source (tests/conftest.py::tiny_frames), NEST-FS in days: T-01 event at
300, T-02 event at 100, T-03 censored at 200, T-04 censored at 250. Kaplan-Meier: S = 3/4 from day 100, 0 at
day 300, so the median is day 300 = 9.86 months. The log CI at day 100 is 0.75 exp(-1.96 sqrt(1/12)) = 0.426,
below 0.5, so the lower limit is day 100 (3.29 months); the upper band never falls to 0.5 before S = 0:
not reached.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE, header, tiny_frames, write_source

from medcare_app.sidebar import filter_key

PAGE = "pages/survival.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "r"


def table(at, column: str) -> pd.DataFrame:
    """Return the first dataframe on the page with ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_survival_page_on_the_tiny_source(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Survival"
    assert header(at).startswith("**4 of 4 patients**")
    assert len(at.get("plotly_chart")) == 1
    assert at.selectbox(key="survival_endpoint").value == "NESTFS"  # primary endpoint first
    median = table(at, "Median (months)").iloc[0]
    assert (median["Patients"], median["Events"], median["Censored"]) == (4, 2, 2)
    assert median["Median (months)"] == "9.9"
    assert median["95% CI"] == "3.3 to not reached"
    assert "log transform (R default)" in median["CI method"]
    landmarks = table(at, "Landmark (months)").set_index("Landmark (months)")
    # 6 months = 182.6 days: T-03, T-04, T-01 still at risk; S = 3/4, CI 0.75 exp(+-1.96 sqrt(1/12)).
    assert landmarks.loc["6", "At risk"] == 3
    assert landmarks.loc["6", "Survival"] == "75.0%"
    assert landmarks.loc["6", "95% CI"] == "42.6% to 100.0%"
    assert landmarks.loc["12", "Survival"] == "beyond follow-up"
    assert "fewer than 3 patients remain at risk" in texts(at)
    assert "Diamonds at 50%" in texts(at)  # the NEST-FS benchmark is on by default


def test_time_unit_days(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.radio(key="survival_unit").set_value("DAYS").run()
    assert not at.exception
    median = table(at, "Median (days)").iloc[0]
    assert median["Median (days)"] == "300"
    assert median["95% CI"] == "100 to not reached"
    assert at.text_input(key="survival_landmarks_DAYS").value == "183, 365, 548, 730"
    assert table(at, "Landmark (days)").iloc[0]["Survival"] == "75.0%"


def test_centre_filter_changes_the_median(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    assert not at.exception
    assert header(at).startswith("**2 of 4 patients**")
    # T-01 (event day 300), T-02 (event day 100): S = 0.5 from day 100 to 300 -> midpoint, day 200.
    median = table(at, "Median (months)").iloc[0]
    assert (median["Patients"], median["Events"]) == (2, 2)
    assert median["Median (months)"] == "6.6"


def test_groups_log_rank_and_pairwise(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.selectbox(key="survival_by").set_value("MDTTYPE").run()
    assert not at.exception
    medians = table(at, "Median (months)").set_index("Group")
    assert list(medians.index) == ["SBRT", "SBRT + surgery", "Surgery"]
    assert medians.loc["SBRT + surgery", "Median (months)"] == "not reached"
    # At day 100 all 4 at risk (SBRT 2, the others 1 each), Surgery's event: E = (1/2, 1/4, 1/4); at day 300
    # only SBRT: E_SBRT + 1. O - E = (-1/2, 3/4, -1/4); V(day 100) = diag(p) - p p'. chi2 = 3 on 2 df,
    # p = exp(-3/2).
    assert "Log-rank chi-square 3.00 on 2 df, p = 0.223" in texts(at)
    at.checkbox(key="survival_pairwise").check().run()
    pairs = table(at, "Comparison").set_index("Comparison")
    assert len(pairs) == 3
    # SBRT vs Surgery: at day 100, 3 at risk, E_Surgery = 1/3, V = 2/9; chi2 = (2/3)^2 / (2/9) = 2.
    assert pairs.loc["SBRT vs Surgery", "Chi-square"] == pytest.approx(2.0)
    assert pairs.loc["SBRT vs Surgery", "p (unadjusted)"] == "0.157"


def test_two_groups_show_the_cox_model_or_why_not(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.selectbox(key="survival_by").set_value("SITEID").run()
    assert not at.exception
    # Centre 02 (T-03, T-04) has no event: O - E = 1/2 - 0 ... chi2 = (1/2)^2 / (1/4) = 1.
    assert "Log-rank chi-square 1.00 on 1 df, p = 0.317" in texts(at)
    assert "Hazard ratio 02 vs 01: not estimable (no events in 02" in texts(at)


def test_cox_hazard_ratio_as_r_gives_it(app, tmp_path: Path) -> None:
    # The example trial as make_fixtures.R saw it, SBRT vs Surgery (R's coxph, Efron ties, in cox.csv).
    rows = pd.read_csv(FIXTURES / "example_input.csv", keep_default_na=False, na_values=[""], dtype=str)
    subjects = rows.drop_duplicates("USUBJID")
    adsl = pd.DataFrame(
        {
            "STUDYID": "MEDCARE",
            "USUBJID": subjects["USUBJID"],
            "SITEID": subjects["SITEID"],
            "ENRLFL": "Y",
            "MDTTYPE": subjects["MDTTYPE"],
        }
    )
    source = write_source(
        tmp_path / "example_copy", adsl=adsl, adtte=rows.drop(columns=["MDTTYPE", "SITEID"])
    )
    expected = pd.read_csv(FIXTURES / "cox.csv").query(
        "source == 'example' and case == 'NESTFS' and by == 'MDTTYPE'"
    )
    r = expected.iloc[0]
    at = app(PAGE, data=source)
    at.run()
    at.sidebar.multiselect(key=filter_key("MDTTYPE")).set_value(["SBRT", "Surgery"]).run()
    at.selectbox(key="survival_by").set_value("MDTTYPE").run()
    assert not at.exception
    sentence = (
        f"Hazard ratio Surgery vs SBRT {r['hr']:.2f} (95% CI {r['lower']:.2f} to {r['upper']:.2f}), "
        f"Wald p = {r['p']:.3g}"
    )
    assert sentence in texts(at)


def test_endpoint_ci_type_tail_and_benchmark(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.selectbox(key="survival_endpoint").set_value("PFS").run()
    at.selectbox(key="survival_conf_type").set_value("log-log").run()
    at.toggle(key="survival_benchmark").set_value(False).run()
    at.radio(key="survival_tail").set_value("truncate").run()
    assert not at.exception
    # PFS: events at 80, 150, 200 days, T-04 censored at 100: S = 3/4, 3/8, 0 -> median 150 days = 4.9 months.
    median = table(at, "Median (months)").iloc[0]
    assert median["Median (months)"] == "4.9"
    assert "log-log transform" in median["CI method"]
    assert "Diamonds at 50%" not in texts(at)
    assert "Not drawn: the steps where fewer than 3" in texts(at)


def test_landmarks_are_editable(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.text_input(key="survival_landmarks_MONTHS").set_value("3, 4; six").run()
    assert not at.exception
    assert "Ignored (not a time): six" in at.warning[0].value
    landmarks = table(at, "Landmark (months)")
    assert list(landmarks["Landmark (months)"]) == ["3", "4"]
    # 3 months = 91.3 days: before T-02's event at day 100.
    assert list(landmarks["Survival"]) == ["100.0%", "75.0%"]


def test_source_without_adtte_says_so(app, tmp_path: Path) -> None:
    source = write_source(tmp_path / "adsl_only", adsl=tiny_frames()["adsl"])
    at = app(PAGE, data=source)
    at.run()
    assert not at.exception
    assert "has no ADTTE" in at.info[0].value
    assert not at.get("plotly_chart")


def test_conformance_data(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "cdiscpilot01")
    at.run()
    assert not at.exception
    assert at.selectbox(key="survival_endpoint").value == "TTDE"
    at.radio(key="survival_unit").set_value("DAYS").run()
    at.selectbox(key="survival_by").set_value("TRT01A").run()  # an ADSL column
    assert not at.exception
    medians = table(at, "Median (days)").set_index("Group")
    # R (reference/km_medians.csv): Placebo not reached; High Dose 36 (25, 47); Low Dose 33 (28, 51).
    assert medians.loc["Placebo", "Median (days)"] == "not reached"
    assert medians.loc["Xanomeline High Dose", "95% CI"] == "25 to 47"
    assert medians.loc["Xanomeline Low Dose", "Median (days)"] == "33"
    assert "Log-rank chi-square 60.27 on 2 df, p < 0.001" in texts(at)
