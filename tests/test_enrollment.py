"""Enrollment counts, funnel and event maturity on a hand-built trial with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from medcare_metrics.enrollment import (
    accrual_start,
    centre_summary,
    cumulative_enrollment,
    enrollment_by_month,
    enrollment_status,
    event_maturity,
    maturity_scenarios,
    reference_date,
    registration_dates,
    screen_failure_listing,
    screen_failure_reasons,
    screening_funnel,
    trial_benchmark,
)
from medcare_metrics.protocol import DAYS_PER_MONTH, TrialSettings
from medcare_metrics.text import enrollment as text
from medcare_metrics.text.enrollment import cumulative_note

T = pd.Timestamp
NaT = pd.NaT


def make_adsl() -> pd.DataFrame:
    # USUBJID, SITEID, ENRLFL, RFICDT, ENRLDT, SAFFL, SCRFCRIT, DTHFL, EOSSTT
    rows = [
        ("S01", "A", "Y", "2021-01-04", "2021-01-10", "Y", None, "Y", "DISCONTINUED"),
        ("S02", "A", "N", "2021-01-15", None, "N", "EXC02", "N", None),
        ("S03", "B", "Y", "2021-02-01", "2021-02-03", "Y", None, "N", "DISCONTINUED"),
        ("S04", "B", "Y", "2021-02-10", "2021-03-15", "N", None, "N", "ONGOING"),
        ("S05", "B", "N", "2021-02-20", None, "N", "OTHER", "N", None),
        ("S06", "A", "N", "2021-03-01", None, "N", "inc02 ", "N", None),
        ("S07", "A", "N", "2021-03-05", None, "N", None, "N", None),
        ("S08", "A", "Y", "2021-03-10", "2021-03-20", "Y", None, "N", "ONGOING"),
        ("S09", "B", "Y", "2021-03-25", "2021-04-02", "Y", None, "N", "DISCONTINUED"),
        ("S10", "C", "Y", "2021-04-10", "2021-04-20", "Y", None, "N", "ONGOING"),
        ("S11", "C", "N", "2021-04-25", None, "N", "XYZ", "N", None),
    ]
    adsl = pd.DataFrame(
        rows,
        columns=["USUBJID", "SITEID", "ENRLFL", "RFICDT", "ENRLDT", "SAFFL", "SCRFCRIT", "DTHFL", "EOSSTT"],
    )
    for column in ("RFICDT", "ENRLDT"):
        adsl[column] = pd.to_datetime(adsl[column])
    adsl["SCRNDT"] = adsl["RFICDT"] + pd.Timedelta(days=1)
    adsl["DCUTDT"] = T("2021-04-30")
    return adsl


def make_adtte() -> pd.DataFrame:
    rows = []
    for usubjid, nest, pfs in [("S01", 0, 0), ("S03", 0, 0), ("S08", 1, 0), ("S09", 1, 1), ("S10", 1, 1)]:
        rows.append((usubjid, "NESTFS", 50.0, nest))
        rows.append((usubjid, "PFS", 40.0, pfs))
    return pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVAL", "CNSR"]).assign(
        CNSR=lambda f: f["CNSR"].astype("Int64")
    )


def test_registration_and_reference_dates():
    adsl = make_adsl()
    assert accrual_start(adsl) == T("2021-01-04")
    assert reference_date(adsl) == T("2021-04-30")
    assert reference_date(adsl, "2021-03-01") == T("2021-03-01")
    no_enrldt = adsl.drop(columns="ENRLDT").assign(TRTSDT=adsl["ENRLDT"] + pd.Timedelta(days=2))
    assert registration_dates(no_enrldt).iloc[0] == T("2021-01-12")


def test_cumulative_enrollment_total_per_centre_and_plan():
    result = cumulative_enrollment(
        make_adsl(), TrialSettings(target_enrollment=10, planned_accrual_months=12)
    )
    curve = result.curve
    total = curve.loc[curve["SITEID"].eq("ALL")]
    assert list(total["DATE"]) == [
        T(d)
        for d in [
            "2021-01-04",
            "2021-01-10",
            "2021-02-03",
            "2021-03-15",
            "2021-03-20",
            "2021-04-02",
            "2021-04-20",
            "2021-04-30",
        ]
    ]
    assert list(total["N"]) == [0, 1, 2, 3, 4, 5, 6, 6]
    site_a = curve.loc[curve["SITEID"].eq("A")]
    assert list(site_a["DATE"]) == [T("2021-01-04"), T("2021-01-10"), T("2021-03-20"), T("2021-04-30")]
    assert list(site_a["N"]) == [0, 1, 2, 2]
    assert list(curve.loc[curve["SITEID"].eq("B"), "N"]) == [0, 1, 2, 3, 3]
    assert list(curve.loc[curve["SITEID"].eq("C"), "N"]) == [0, 1, 1]
    # 2021-01-04 + 365.25 days, normalised to the day.
    assert result.planned_end == T("2022-01-04")
    assert list(result.plan["N"]) == [0.0, 10.0]
    assert list(result.plan["DATE"]) == [T("2021-01-04"), T("2022-01-04")]
    assert result.undated == 0


def test_cumulative_enrollment_counts_undated_patients():
    adsl = make_adsl()
    adsl.loc[adsl["USUBJID"].eq("S10"), "ENRLDT"] = NaT
    result = cumulative_enrollment(adsl)
    assert result.undated == 1
    assert result.curve.loc[result.curve["SITEID"].eq("ALL"), "N"].max() == 5


def test_enrollment_by_month_fills_zero_months():
    months = enrollment_by_month(make_adsl())
    pivot = months.pivot(index="MONTH", columns="SITEID", values="N")
    assert list(pivot.index) == [T("2021-01-01"), T("2021-02-01"), T("2021-03-01"), T("2021-04-01")]
    assert pivot["A"].tolist() == [1, 0, 1, 0]
    assert pivot["B"].tolist() == [0, 1, 1, 1]
    assert pivot["C"].tolist() == [0, 0, 0, 1]
    assert len(months) == 12


def test_enrollment_by_month_empty_without_dates():
    adsl = make_adsl().assign(ENRLDT=NaT)
    assert enrollment_by_month(adsl).empty


def test_centre_summary():
    summary = centre_summary(make_adsl()).set_index("SITEID")
    assert summary.loc["A", ["SCREENED", "ENROLLED", "SCREEN_FAILURES"]].tolist() == [5, 2, 3]
    assert summary.loc["A", "SCREEN_FAILURE_RATE"] == pytest.approx(0.6)
    assert summary.loc["A", "FIRST_ENROLLMENT"] == T("2021-01-10")
    assert summary.loc["A", "LAST_ENROLLMENT"] == T("2021-03-20")
    assert summary.loc["A", "DAYS_SINCE_LAST"] == 41  # 11 days of March + 30 of April
    assert summary.loc["B", ["SCREENED", "ENROLLED"]].tolist() == [4, 3]
    assert summary.loc["B", "DAYS_SINCE_LAST"] == 28
    assert summary.loc["C", "SCREEN_FAILURE_RATE"] == pytest.approx(0.5)
    assert summary.loc["ALL", ["SCREENED", "ENROLLED", "SCREEN_FAILURES"]].tolist() == [11, 6, 5]
    assert summary.loc["ALL", "SCREEN_FAILURE_RATE"] == pytest.approx(5 / 11)
    assert summary.loc["ALL", "DAYS_SINCE_LAST"] == 10
    as_of = centre_summary(make_adsl(), as_of="2021-05-10", total=False).set_index("SITEID")
    assert "ALL" not in as_of.index
    assert as_of.loc["C", "DAYS_SINCE_LAST"] == 20


def test_centre_summary_centre_without_enrollment():
    adsl = make_adsl()
    adsl.loc[adsl["USUBJID"].eq("S10"), "ENRLFL"] = "N"
    row = centre_summary(adsl).set_index("SITEID").loc["C"]
    assert row["ENROLLED"] == 0
    assert pd.isna(row["LAST_ENROLLMENT"])
    assert math.isnan(row["DAYS_SINCE_LAST"])


def test_enrollment_status_open():
    status = enrollment_status(make_adsl(), TrialSettings(target_enrollment=10, planned_accrual_months=12))
    assert not status.complete
    assert status.enrolled == 6
    assert status.completion_date is None
    assert status.duration_days == 116  # 2021-01-04 to 2021-04-30
    assert status.observed_rate_per_month == pytest.approx(6 / (116 / DAYS_PER_MONTH))
    assert status.planned_rate_per_month == pytest.approx(10 / 12)
    assert status.rate_ratio == pytest.approx((6 / (116 / DAYS_PER_MONTH)) / (10 / 12))


def test_enrollment_status_complete():
    status = enrollment_status(make_adsl(), TrialSettings(target_enrollment=5, planned_accrual_months=6))
    assert status.complete
    assert status.completion_date == T("2021-04-02")  # fifth registration
    assert status.duration_days == 88
    assert status.observed_rate_per_month == pytest.approx(5 / (88 / DAYS_PER_MONTH))
    assert status.rate_ratio == pytest.approx((5 / (88 / DAYS_PER_MONTH)) / (5 / 6))


def test_screening_funnel_counts():
    funnel = screening_funnel(make_adsl(), make_adtte()).set_index("STAGE")
    expected = {
        "SCREENED": 11,
        "NOT_ELIGIBLE": 3,  # EXC02, INC02 (lower case, padded), unrecognised code
        "ELIGIBLE": 8,
        "NOT_ENROLLED": 2,  # OTHER and blank
        "ENROLLED": 6,
        "NO_MDT": 1,
        "MDT": 5,
        "DIED": 1,  # S01 (also a NESTFS event: death comes first)
        "NEST": 1,  # S03 (also discontinued: NEST comes first)
        "PROGRESSED": 1,  # S08
        "WITHDRAWN": 1,  # S09
        "FOLLOW_UP": 1,  # S10
    }
    assert funnel["N"].to_dict() == expected
    assert list(funnel.index) == list(expected)
    assert funnel.loc["NEST", "PARENT"] == "MDT"
    assert funnel.loc["NOT_ELIGIBLE", "KIND"] == "excluded"
    assert funnel.loc["DIED", "KIND"] == "outcome"


def test_screening_funnel_without_optional_data():
    adsl = make_adsl().drop(columns=["SAFFL", "DTHFL", "EOSSTT", "SCRFCRIT"])
    funnel = screening_funnel(adsl).set_index("STAGE")
    # No SCRFCRIT: nobody is known to be ineligible. No MDT, death, status or events: all enrolled are
    # in follow-up.
    assert funnel["N"].to_dict() == {
        "SCREENED": 11,
        "NOT_ELIGIBLE": 0,
        "ELIGIBLE": 11,
        "NOT_ENROLLED": 5,
        "ENROLLED": 6,
        "FOLLOW_UP": 6,
    }
    assert funnel.loc["FOLLOW_UP", "PARENT"] == "ENROLLED"


def test_screening_funnel_mdt_from_trtsdt():
    adsl = make_adsl().drop(columns="SAFFL")
    adsl["TRTSDT"] = adsl["ENRLDT"].where(adsl["USUBJID"].isin(["S01", "S03"]))
    funnel = screening_funnel(adsl).set_index("STAGE")
    assert funnel.loc["MDT", "N"] == 2
    assert funnel.loc["NO_MDT", "N"] == 4


def test_screen_failure_reasons_grouped_by_criterion():
    reasons = screen_failure_reasons(make_adsl())
    assert list(reasons["SCRFCRIT"]) == ["INC02", "EXC02", "OTHER", "XYZ", "NOT RECORDED"]
    assert list(reasons["KIND"]) == ["Inclusion", "Exclusion", "Other", "Unrecognised", "Not recorded"]
    assert list(reasons["N"]) == [1, 1, 1, 1, 1]
    assert reasons.loc[0, "CRITERION"].startswith("mCRPC with testosterone")
    assert reasons.loc[0, "LABEL"] == "INC02 not met: mCRPC with testosterone < 50 ng/dL (1.7 nmol/L)"
    assert reasons.loc[1, "LABEL"] == "EXC02: Polyprogression (more than 3 progressive/new lesions)"
    assert reasons.loc[2, "LABEL"] == "Other (not an eligibility criterion, e.g. patient decision)"
    assert reasons.loc[3, "LABEL"] == "XYZ: Unrecognised code"
    assert reasons.loc[4, "LABEL"] == "Not recorded"
    # Each reason sits under the funnel exit that counts it: criteria (and unknown codes) are "not eligible".
    assert list(reasons["STAGE"]) == [
        "NOT_ELIGIBLE",
        "NOT_ELIGIBLE",
        "NOT_ENROLLED",
        "NOT_ELIGIBLE",
        "NOT_ENROLLED",
    ]
    funnel = screening_funnel(make_adsl()).set_index("STAGE")["N"]
    by_stage = reasons.groupby("STAGE")["N"].sum()
    assert by_stage["NOT_ELIGIBLE"] == funnel["NOT_ELIGIBLE"] == 3
    assert by_stage["NOT_ENROLLED"] == funnel["NOT_ENROLLED"] == 2


def test_screen_failure_listing():
    adsl = make_adsl().assign(SCRFREAS=None)
    adsl.loc[adsl["USUBJID"].eq("S02"), "SCRFREAS"] = "Polyprogression: 6 lesions"
    listing = screen_failure_listing(adsl)
    assert list(listing.columns) == ["USUBJID", "SITEID", "SCRNDT", "SCRFCRIT", "CRITERION", "SCRFREAS"]
    # Not enrolled: S02, S06, S07 (centre A), S05 (B), S11 (C); sorted by centre then subject.
    assert list(listing["USUBJID"]) == ["S02", "S06", "S07", "S05", "S11"]
    assert list(listing["SCRFCRIT"]) == ["EXC02", "INC02", "NOT RECORDED", "OTHER", "XYZ"]
    assert listing.loc[0, "SCRFREAS"] == "Polyprogression: 6 lesions"
    assert listing.loc[1, "SCRFREAS"] == ""
    assert listing.loc[0, "SCRNDT"] == T("2021-01-16")  # RFICDT + 1 day
    assert listing.loc[1, "CRITERION"] == "mCRPC with testosterone < 50 ng/dL (1.7 nmol/L)"
    assert listing.loc[4, "CRITERION"] == "Unrecognised code"
    bare = screen_failure_listing(make_adsl().drop(columns=["SCRNDT", "SCRFCRIT"]))
    assert bare["SCRNDT"].isna().all()
    assert set(bare["SCRFCRIT"]) == {"NOT RECORDED"}


def test_screen_failure_reasons_ignore_enrolled():
    adsl = make_adsl()
    adsl.loc[adsl["USUBJID"].eq("S01"), "SCRFCRIT"] = "EXC02"
    reasons = screen_failure_reasons(adsl).set_index("SCRFCRIT")
    assert reasons.loc["EXC02", "N"] == 1


def make_maturity_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    adtte = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4"],
            "PARAMCD": "NESTFS",
            "AVAL": [100.0, 200.0, 300.0, 100.0],
            "CNSR": pd.array([0, 0, 1, 1], dtype="Int64"),
            "ADT": pd.to_datetime(["2021-03-01", "2021-04-01", "2021-06-30", "2021-05-01"]),
        }
    )
    adsl = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4"],
            "EOSSTT": ["ONGOING", "ONGOING", "ONGOING", "ONGOING"],
            "DCUTDT": T("2021-06-30"),
        }
    )
    return adtte, adsl


def test_event_maturity_exponential_projection():
    adtte, adsl = make_maturity_data()
    result = event_maturity(adtte, adsl, months_ahead=(0.0, 6.0))
    assert (result.events, result.at_risk, result.follow_up_ended, result.patients) == (2, 2, 0, 4)
    assert result.exposure_months == pytest.approx(700 / DAYS_PER_MONTH)
    per_day = 2 / 700
    assert result.rate_per_month == pytest.approx(per_day * DAYS_PER_MONTH)
    assert result.median_months == pytest.approx(math.log(2) / (per_day * DAYS_PER_MONTH))
    proj = result.projection
    # Today: P4 was last seen 60 days ago, P3 today.
    assert proj.loc[0, "EXPECTED_NEW"] == pytest.approx(1 - math.exp(-per_day * 60))
    # Six months = 182.625 days -> 2021-12-29; P3 182 days on, P4 242 days.
    assert proj.loc[1, "DATE"] == T("2021-12-29")
    new = (1 - math.exp(-per_day * 182)) + (1 - math.exp(-per_day * 242))
    assert proj.loc[1, "EXPECTED_NEW"] == pytest.approx(new)
    assert proj.loc[1, "EXPECTED_TOTAL"] == pytest.approx(2 + new)


def test_event_maturity_median_confidence_interval():
    adtte, adsl = make_maturity_data()
    result = event_maturity(adtte, adsl, months_ahead=(0.0,))
    # 2 events in 700 days = 22.998 months. Exact Poisson limits of the rate: qchisq(0.025, 4) / (2 E) and
    # qchisq(0.975, 6) / (2 E); the median ln 2 / rate, limits swapped. R 4.2 values:
    assert result.median_lower_months == pytest.approx(2.20645688587051, rel=1e-9)
    assert result.median_upper_months == pytest.approx(65.8148273614538, rel=1e-9)
    assert result.median_lower_months < result.median_months < result.median_upper_months
    exposure = 700 / DAYS_PER_MONTH
    adtte["CNSR"] = pd.array([0, 1, 1, 1], dtype="Int64")
    one = event_maturity(adtte, adsl, months_ahead=(0.0,))
    # One event: qchisq(0.025, 2) = 0.0506356159685798, qchisq(0.975, 4) = 11.1432867818778 (R 4.2).
    assert one.median_lower_months == pytest.approx(math.log(2) / (11.1432867818778 / (2 * exposure)))
    assert one.median_upper_months == pytest.approx(math.log(2) / (0.0506356159685798 / (2 * exposure)))
    adtte["CNSR"] = pd.array([1, 1, 1, 1], dtype="Int64")
    none = event_maturity(adtte, adsl, months_ahead=(0.0,))
    # No event: the rate may be 0 (median unbounded); the upper rate limit is qchisq(0.975, 2) / (2 E).
    assert math.isinf(none.median_upper_months)
    assert none.median_lower_months == pytest.approx(math.log(2) / (7.37775890822787 / (2 * exposure)))
    assumed = event_maturity(make_maturity_data()[0], adsl, assumed_median_months=21.0)
    assert math.isnan(assumed.median_lower_months)


def test_event_maturity_follow_up_ended_and_assumed_median():
    adtte, adsl = make_maturity_data()
    adsl.loc[adsl["USUBJID"].eq("P4"), "EOSSTT"] = "DISCONTINUED"
    result = event_maturity(adtte, adsl, months_ahead=(6.0,), assumed_median_months=21.0)
    assert (result.at_risk, result.follow_up_ended) == (1, 1)
    assert result.rate_source == "assumed median"
    assert result.projection.loc[0, "EXPECTED_NEW"] == pytest.approx(1 - 2 ** (-182 / (21 * DAYS_PER_MONTH)))


def test_event_maturity_units_and_no_adsl():
    adtte, _ = make_maturity_data()
    months = adtte.assign(AVAL=adtte["AVAL"] / DAYS_PER_MONTH, AVALU="MONTHS")
    result = event_maturity(months, None, months_ahead=(0.0,))
    assert result.reference == T("2021-06-30")  # latest ADT
    assert result.exposure_months == pytest.approx(700 / DAYS_PER_MONTH)
    assert result.at_risk == 2


def test_event_maturity_no_events_projects_nothing():
    adtte, adsl = make_maturity_data()
    adtte["CNSR"] = pd.array([1, 1, 1, 1], dtype="Int64")
    result = event_maturity(adtte, adsl, months_ahead=(12.0,))
    assert result.events == 0
    assert result.rate_per_month == 0
    assert math.isinf(result.median_months)
    assert result.projection.loc[0, "EXPECTED_TOTAL"] == 0


def test_event_maturity_arguments_checked():
    adtte, adsl = make_maturity_data()
    with pytest.raises(ValueError, match="PARAMCD 'PFS'"):
        event_maturity(adtte, adsl, paramcd="PFS")
    with pytest.raises(ValueError, match=">= 0"):
        event_maturity(adtte, adsl, months_ahead=(-1.0,))
    with pytest.raises(ValueError, match="positive"):
        event_maturity(adtte, adsl, assumed_median_months=0.0)


def test_missing_siteid_is_a_clear_error():
    with pytest.raises(ValueError, match="SITEID"):
        enrollment_by_month(make_adsl().drop(columns="SITEID"))


def test_no_enrlfl_counts_everyone():
    adsl = make_adsl().drop(columns="ENRLFL")
    assert enrollment_status(adsl).enrolled == 11
    assert np.array_equal(centre_summary(adsl)["SCREEN_FAILURES"].to_numpy(), np.zeros(4))


def test_event_maturity_date_reaching_a_number_of_events():
    adtte, adsl = make_maturity_data()
    result = event_maturity(adtte, adsl)
    per_day = 2 / 700
    assert result.date_reaching(2) == T("2021-06-30")  # already reached
    assert result.date_reaching(4) is None  # needs every patient at risk to have an event
    # One more event: (1 - x) + (1 - x * exp(-60 r)) = 1 with x = exp(-r d) -> d = ln(1 + exp(-60 r)) / r.
    days = math.log(1 + math.exp(-60 * per_day)) / per_day
    assert result.date_reaching(3) == T("2021-06-30") + pd.Timedelta(days=math.ceil(days))
    assert result.expected_events([T("2021-06-30")])[0] == pytest.approx(2 + 1 - math.exp(-per_day * 60))


def test_event_maturity_counts_future_patients_from_entry():
    adtte, adsl = make_maturity_data()
    result = event_maturity(adtte, adsl, months_ahead=(6.0,), future_entries=["2021-09-29", "2022-06-01"])
    per_day = 2 / 700
    # 2021-12-29: P3 182 days, P4 242 days, first newcomer 91 days after entry, second not yet entered.
    new = sum(1 - math.exp(-per_day * d) for d in (182, 242, 91))
    assert result.future == 2
    assert result.projection.loc[0, "EXPECTED_NEW"] == pytest.approx(new)
    assert result.date_reaching(5) is not None  # 2 events + 2 at risk + 2 future
    assert result.date_reaching(6) is None


def test_trial_benchmark():
    nest = trial_benchmark("NESTFS")
    assert (nest.median, nest.population) == (21.0, "SBRT or metastasectomy")
    assert trial_benchmark("NESTFS", "All MDT").median == 16.0
    assert trial_benchmark("OS") is None


def test_maturity_scenarios_lines_metrics_and_dates():
    adtte, adsl = make_maturity_data()
    scenarios = maturity_scenarios(adtte, adsl, horizon_months=6, events_needed=3)
    assert [label for label, _ in text.scenario_lines(scenarios)] == [
        "Fitted rate: 2 events in 23 patient-months",  # 700 days = 23.0 months
        "Benchmark median 21 months (SBRT or metastasectomy)",
    ]
    assert list(scenarios.fitted.projection["MONTHS_AHEAD"]) == [0, 1, 2, 3, 4, 5, 6]
    assert scenarios.assumed.rate_per_month == pytest.approx(math.log(2) / 21)
    shown = {label: value for label, value, _ in text.maturity_metrics(scenarios)}
    per_day = 2 / 700
    assert shown == {
        "NEST-FS events": "2",
        "At risk": "2",
        "Fitted median": f"{math.log(2) / (per_day * DAYS_PER_MONTH):.1f} months",  # 7.97
        "Follow-up ended": "0",
    }
    # Third event with the fitted rate: ln(1 + exp(-60 r)) / r days after 2021-06-30 (see below), rounded up.
    days = math.ceil(math.log(1 + math.exp(-60 * per_day)) / per_day)
    reached = text.reached_lines(scenarios)
    first = reached[0]
    assert first.startswith("Fitted rate: 2 events in 23 patient-months: 3 events expected by **")
    assert f"{T('2021-06-30') + pd.Timedelta(days=days):%Y-%m-%d}" in first
    assert len(reached) == 2
    table = scenarios.projection
    assert list(table.columns) == ["SCENARIO", "MONTHS_AHEAD", "DATE", "EXPECTED_NEW", "EXPECTED_TOTAL"]
    assert len(table) == 14  # 7 months x 2 scenarios
    assert list(table["SCENARIO"].unique()) == ["fitted", "benchmark"]
    assert "95% CI 2.2 months to 65.8 months" in text.median_text(scenarios.fitted)
    assert "still to be enrolled" not in text.maturity_note(scenarios.fitted.future)


def test_maturity_scenarios_without_events_or_benchmark():
    adtte, adsl = make_maturity_data()
    adtte["CNSR"] = pd.array([1, 1, 1, 1], dtype="Int64")
    scenarios = maturity_scenarios(adtte, adsl, horizon_months=3, future_entries=["2021-08-01"])
    # No event: no fitted line, only the benchmark; the future patient is counted and said so.
    assert [label for label, _ in text.scenario_lines(scenarios)] == [
        "Benchmark median 21 months (SBRT or metastasectomy)"
    ]
    assert (
        dict((label, value) for label, value, _ in text.maturity_metrics(scenarios))["Fitted median"] == "n/a"
    )
    assert text.median_text(scenarios.fitted) == ""
    assert text.reached_lines(scenarios) == () and scenarios.reached() == ()
    assert "The 1 patient still to be enrolled" in text.maturity_note(scenarios.fitted.future)
    assert scenarios.fitted.future == 1
    os_rows = make_maturity_data()[0].assign(PARAMCD="OS")
    only_fitted = maturity_scenarios(os_rows, adsl, paramcd="OS", horizon_months=1)
    assert only_fitted.benchmark is None and only_fitted.assumed is None
    assert [label for label, _ in text.scenario_lines(only_fitted)] == [
        "Fitted rate: 2 events in 23 patient-months"
    ]
    with pytest.raises(ValueError, match="NEST-free survival"):
        maturity_scenarios(os_rows, adsl)
    with pytest.raises(ValueError, match="at least 1"):
        maturity_scenarios(adtte, adsl, events_needed=0)


def test_cumulative_note():
    result = cumulative_enrollment(
        make_adsl(), TrialSettings(target_enrollment=10, planned_accrual_months=12)
    )
    note = cumulative_note(result, projected=False)
    assert "(2021-01-04) to the target of 10 at the end of the planned period (2022-01-04)" in note
    assert "predictive" not in note
    assert "50% and 95% predictive intervals" in cumulative_note(result, projected=True)
    adsl = make_adsl()
    adsl.loc[adsl["USUBJID"].eq("S10"), "ENRLDT"] = NaT
    assert "1 enrolled patient without a registration date" in cumulative_note(
        cumulative_enrollment(adsl), False
    )


def test_figures_draw_the_analytics_frames():
    from medcare_metrics.enrollment import accrual_projection, predict_accrual
    from medcare_metrics.figures.enrollment import (
        cumulative_enrollment_figure,
        enrollment_by_month_figure,
        event_maturity_figure,
        screening_funnel_figure,
    )

    adsl = make_adsl()
    cumulative = cumulative_enrollment(adsl, TrialSettings(target_enrollment=10, planned_accrual_months=12))
    band = accrual_projection(predict_accrual(10, 365.25, 0.5, 6, 116.0, "2021-04-30"))
    fig = cumulative_enrollment_figure(cumulative, band, {"A": "Alpha"})
    names = [trace.name for trace in fig.data]
    assert names == [
        "95% predictive interval",
        "50% predictive interval",
        "Predicted (median)",
        "Planned accrual",
        "All centres",
        "Alpha (A)",
        "Centre B",
        "Centre C",
    ]
    assert list(fig.data[4].y) == [0, 1, 2, 3, 4, 5, 6, 6]
    assert len(cumulative_enrollment_figure(cumulative).data) == 5  # no projection: plan + 4 curves

    funnel = screening_funnel(make_adsl(), make_adtte())
    flow = screening_funnel_figure(funnel, screen_failure_reasons(make_adsl()))
    texts = [a.text for a in flow.layout.annotations if a.text]
    # One box per stage with its count: main steps and outcomes as "n = N", exits as "(n = N)".
    for label, n in zip(funnel["LABEL"], funnel["N"], strict=True):
        short = label.split(",")[0]
        assert any(short in t and f"n = {n}" in t for t in texts), label
    exit_box = next(t for t in texts if "Not eligible" in t)
    assert "INC02 not met: mCRPC with testosterone &lt; 50 ng/dL" in exit_box  # "<" escaped for plotly
    assert "EXC02: Polyprogression" in exit_box and "XYZ: Unrecognised code (1)" in exit_box
    assert "Other (not an eligibility criterion" in next(t for t in texts if "Eligible, not enrolled" in t)
    assert sum(1 for a in flow.layout.annotations if a.showarrow) == 3 + 3 + 5  # main, exits, outcomes
    months = enrollment_by_month_figure(enrollment_by_month(adsl))
    assert [t.name for t in months.data] == ["Centre A", "Centre B", "Centre C"]

    adtte, adsl_m = make_maturity_data()
    result = event_maturity(adtte, adsl_m, months_ahead=(0.0, 6.0))
    maturity = event_maturity_figure([("Fitted", result)], events_needed=3)
    assert list(maturity.data[0].y) == list(result.projection["EXPECTED_TOTAL"])
    assert maturity.data[1].y[0] == 2  # events so far
