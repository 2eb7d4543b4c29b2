"""AppTest of pages/survival.py.

Hand-worked numbers on the tiny source (tests/conftest.py::tiny_frames), NEST-FS in days: T-01 event at
300, T-02 event at 100, T-03 censored at 200, T-04 censored at 250. Kaplan-Meier: S = 3/4 from day 100, 0 at
day 300, so the median is day 300 = 9.86 months. The log CI at day 100 is 0.75 exp(-1.96 sqrt(1/12)) = 0.426,
below 0.5, so the lower limit is day 100 (3.29 months); the upper band never falls to 0.5 before S = 0:
not reached.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE, header, tiny_frames, write_source

from medcare_app.sidebar import AS_OF_KEY, filter_key

PAGE = "pages/survival.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "r"


def table(at, column: str) -> pd.DataFrame:
    """Return the first dataframe on the page with ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def figure(at) -> dict:
    """Return the plotly figure of the page as JSON."""
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def under_axis(at) -> list[list[str]]:
    """Return the numbers printed under the time axis, one list per group."""
    return [trace["text"] for trace in figure(at)["data"] if trace.get("mode") == "text"]


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
    assert "Black markers at 50%" in texts(at)  # the NEST-FS benchmark is on by default


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
    assert "Hazard ratio 02 UZ Gent vs 01 UZ Leuven: not estimable (no events in 02 UZ Gent" in texts(at)


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
    assert "Black markers at 50%" not in texts(at)
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


def test_as_of_date_replays_the_curve(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.radio(key="survival_unit").set_value("DAYS").run()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date(2022, 9, 30)).run()
    assert not at.exception
    # As of 2022-09-30: T-04 (enrolled 2023-02-15) is not in the trial yet; T-01's event on day 300
    # (2022-11-06) has not happened, so T-01 is censored on day 263 (2022-01-10 to 2022-09-30); T-03's
    # censoring on day 200 (2022-12-18) becomes day 121. Left: T-02's event on day 100. S = 2/3 from day 100,
    # so no median; the lower band 2/3 exp(-1.96 sqrt(1/6)) = 0.30 is below 0.5 from day 100.
    assert header(at).startswith("**3 of 3 patients**")
    median = table(at, "Median (days)").iloc[0]
    assert (median["Patients"], median["Events"], median["Censored"]) == (3, 1, 2)
    assert median["Median (days)"] == "not reached"
    assert median["95% CI"] == "100 to not reached"
    km = table(at, "STD_ERR")
    assert list(km["TIME"]) == [100, 121, 263]
    assert under_axis(at)[0][0] == "3"  # 3 at risk at day 0


def test_numbers_under_the_axis_can_be_events_or_censored(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.radio(key="survival_unit").set_value("DAYS").run()
    # With the benchmark on, the axis reaches its upper limit, 22 months = 669.6 days: ticks every 90 days.
    assert len(under_axis(at)[0]) == 8
    at.toggle(key="survival_benchmark").set_value(False).run()
    # Without it, ticks every 60 days up to day 300. Events on days 100 and 300; censored on days 200, 250.
    assert under_axis(at) == [["4", "4", "3", "3", "2", "1"]]
    at.selectbox(key="survival_counts").set_value("CUM_EVENT").run()
    assert under_axis(at) == [["0", "0", "1", "1", "1", "2"]]
    at.selectbox(key="survival_counts").set_value("CUM_CENSOR").run()
    assert not at.exception
    assert under_axis(at) == [["0", "0", "0", "0", "1", "2"]]


def test_observed_and_expected_events_per_group(app, tiny_source: Path) -> None:
    at = app(PAGE, data=tiny_source)
    at.run()
    at.selectbox(key="survival_by").set_value("MDTTYPE").run()
    assert not at.exception
    # Day 100: 4 at risk (SBRT 2, the others 1 each), Surgery's event: E = (1/2, 1/4, 1/4). Day 300: only
    # SBRT's T-01 at risk, its event: E_SBRT + 1.
    observed = table(at, "Events observed").set_index("Group")
    assert list(observed["Events observed"]) == [1, 0, 1]
    assert list(observed["Events expected"]) == [1.5, 0.25, 0.25]
    assert list(observed["Observed / expected"]) == ["0.67", "0.00", "4.00"]


def test_endpoint_without_benchmark_says_so(app) -> None:
    at = app(PAGE)  # the example trial: NESTFS, PFS and OS
    at.run()
    assert not at.exception
    assert at.toggle(key="survival_benchmark").value is True
    at.selectbox(key="survival_endpoint").set_value("OS").run()
    assert not at.exception
    assert "no historical benchmark for OS" in texts(at)
    assert "Black markers at 50%" not in texts(at)
    assert not [t for t in figure(at)["data"] if t.get("name", "").startswith("Benchmark")]


def test_every_endpoint_of_pharmaverseadam(app) -> None:
    at = app(PAGE, data=CONFORMANCE / "pharmaverseadam")
    at.run()
    assert not at.exception
    endpoint = at.selectbox(key="survival_endpoint")
    # The protocol's endpoints first (PFS, OS), then the others; names from the protocol or ADTTE.PARAM.
    assert [o.rsplit("(", 1)[-1] for o in endpoint.options] == ["PFS)", "OS)", "RSD)"]
    at.selectbox(key="survival_by").set_value("TRT01A").run()
    for code in ("OS", "RSD"):
        at.selectbox(key="survival_endpoint").set_value(code).run()
        assert not at.exception
    at.radio(key="survival_unit").set_value("DAYS").run()
    # RSD by arm (reference/km_medians.csv): Placebo 2 patients, no event; High Dose 1 patient, event on day
    # 43, median 43 with neither limit (S falls from 1 to 0: R gives NA, NA); Low Dose 1 patient, no event.
    medians = table(at, "Median (days)").set_index("Group")
    assert list(medians["Patients"]) == [2, 1, 1]
    assert list(medians["Median (days)"]) == ["not reached", "43", "not reached"]
    assert medians.loc["Xanomeline High Dose", "95% CI"] == "not reached to not reached"


def test_other_study_gets_its_own_labels_and_no_benchmark_by_default(app) -> None:
    # pharmaverseadam: ADSL.STUDYID is CDISCPILOT01 and no study file comes with it, so PFS is its own
    # "Progression Free Survival" (PARAM), not MEDCARE's PCWG3 definition, and there is no benchmark at all
    # (the neutral study has none; issue 10).
    at = app(PAGE, data=CONFORMANCE / "pharmaverseadam")
    at.run()
    assert not at.exception
    endpoint = at.selectbox(key="survival_endpoint")
    assert endpoint.options[0] == "Progression Free Survival (PFS)"
    assert not any("PCWG3" in o for o in endpoint.options)
    assert not [t for t in at.toggle if t.key == "survival_benchmark"]
    assert "the study file names none" in texts(at)
    assert "Black markers at 50%" not in texts(at)
    assert not [t for t in figure(at)["data"] if t.get("name", "").startswith("Benchmark")]
    assert "PCWG3" not in json.dumps(figure(at)["layout"])
