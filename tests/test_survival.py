"""Survival statistics on tiny frames whose answers are worked out by hand (formulas written out below)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from medcare_metrics import survival as sv
from medcare_metrics.rules import DAYS_PER_MONTH
from medcare_metrics.text import survival as text

Z95 = 1.959963984540054


def tte(times, events, groups=None) -> pd.DataFrame:
    n = len(times)
    return pd.DataFrame(
        {
            "USUBJID": [f"S{i:02d}" for i in range(n)],
            "TIME": np.asarray(times, dtype=float),
            "EVENT": np.asarray(events, dtype=bool),
            "GROUP": groups if groups is not None else ["ALL"] * n,
        }
    )


# --------------------------------------------------------------------------------------------------
# Kaplan-Meier, worked on paper: subjects with times 1 (event), 2 (censored), 3 (event)
# --------------------------------------------------------------------------------------------------

THREE = tte([1, 2, 3], [1, 0, 1])


def test_three_subjects_km_table():
    t = sv.km_table(THREE)
    assert list(t["TIME"]) == [1, 2, 3]
    assert list(t["N_RISK"]) == [3, 2, 1]
    assert list(t["N_EVENT"]) == [1, 0, 1]
    assert list(t["N_CENSOR"]) == [0, 1, 0]
    # S(1) = 1 - 1/3; the censoring at 2 keeps it; at 3 the only subject at risk has the event.
    assert t["SURV"].tolist() == pytest.approx([2 / 3, 2 / 3, 0.0], abs=1e-15)
    # Greenwood: var(log S) = sum d / (n (n - d)) = 1/(3*2) until the step to zero, where it is infinite.
    assert t["STD_ERR"].iloc[0] == pytest.approx(math.sqrt(1 / 6), abs=1e-15)
    assert t["STD_ERR"].iloc[1] == pytest.approx(math.sqrt(1 / 6), abs=1e-15)
    assert math.isinf(t["STD_ERR"].iloc[2])
    # log CI: S exp(+-z se), upper limit capped at 1; no limits where S = 0 (R gives NA).
    assert t["LOWER"].iloc[0] == pytest.approx(2 / 3 * math.exp(-Z95 * math.sqrt(1 / 6)), abs=1e-12)
    assert t["UPPER"].iloc[0] == 1.0
    assert np.isnan(t["LOWER"].iloc[2]) and np.isnan(t["UPPER"].iloc[2])


def test_three_subjects_log_log_and_plain_limits():
    s, se = 2 / 3, math.sqrt(1 / 6)
    ll = sv.km_table(THREE, sv.KMOptions("log-log")).iloc[0]
    # log-log: S ** exp(-+ z se / log S)
    assert ll["LOWER"] == pytest.approx(s ** math.exp(-Z95 * se / math.log(s)), abs=1e-12)
    assert ll["UPPER"] == pytest.approx(s ** math.exp(Z95 * se / math.log(s)), abs=1e-12)
    plain = sv.km_table(THREE, sv.KMOptions("plain")).iloc[0]
    assert plain["LOWER"] == pytest.approx(s - Z95 * se * s, abs=1e-12)
    assert plain["UPPER"] == 1.0  # s + z se s = 1.19, clipped


def test_three_subjects_median():
    m = sv.km_medians(THREE).iloc[0]
    assert (m["N"], m["EVENTS"]) == (3, 2)
    assert m["MEDIAN"] == 3.0  # S first falls to <= 0.5 at time 3
    assert m["LOWER"] == 1.0  # the lower band is 0.30 at time 1
    assert np.isnan(m["UPPER"])  # the upper band stays 1, then has no value where S = 0: not reached


def test_conf_level_changes_the_width():
    narrow = sv.km_table(THREE, sv.KMOptions("log", 0.80)).iloc[0]
    z80 = 1.2815515655446004
    assert narrow["LOWER"] == pytest.approx(2 / 3 * math.exp(-z80 * math.sqrt(1 / 6)), abs=1e-12)


# --------------------------------------------------------------------------------------------------
# Medians: the S = 0.5 plateau rule
# --------------------------------------------------------------------------------------------------


def test_exact_half_plateau_gives_the_midpoint():
    # 1 E, 2 E, 3 C, 4 E: S = 0.75, 0.5, 0.5, 0 -> flat at 0.5 from 2 to 4, median (2 + 4) / 2.
    m = sv.km_medians(tte([1, 2, 3, 4], [1, 1, 0, 1])).iloc[0]
    assert m["MEDIAN"] == 3.0


def test_half_plateau_to_the_end_gives_its_start():
    # 1 E, 2 E, 3 C, 4 C: S stays at 0.5 after time 2; no later drop, so R reports 2.
    m = sv.km_medians(tte([1, 2, 3, 4], [1, 1, 0, 0])).iloc[0]
    assert m["MEDIAN"] == 2.0


def test_all_censored_has_no_median_and_flat_curve():
    t = sv.km_table(tte([3, 5, 5, 9], [0, 0, 0, 0]))
    assert (t["SURV"] == 1).all() and (t["STD_ERR"] == 0).all()
    assert (t["LOWER"] == 1).all() and (t["UPPER"] == 1).all()
    m = sv.km_medians(tte([3, 5, 5, 9], [0, 0, 0, 0])).iloc[0]
    assert m["EVENTS"] == 0 and np.isnan(m["MEDIAN"]) and np.isnan(m["LOWER"]) and np.isnan(m["UPPER"])


def test_log_log_has_no_limits_where_s_is_one():
    t = sv.km_table(tte([3, 5], [0, 0]), sv.KMOptions("log-log"))
    assert t["LOWER"].isna().all() and t["UPPER"].isna().all()


def test_one_subject_with_an_event():
    t = sv.km_table(tte([4], [1]))
    assert t["SURV"].tolist() == [0.0]
    m = sv.km_medians(tte([4], [1])).iloc[0]
    assert m["MEDIAN"] == 4.0 and np.isnan(m["LOWER"]) and np.isnan(m["UPPER"])


def test_event_at_time_zero():
    # 0 E, 0 C, 3 E, ...: at time 0 one of 6 has the event, S(0) = 5/6.
    t = sv.km_table(tte([0, 0, 3, 5, 7, 7], [1, 0, 1, 0, 1, 1]))
    assert t["TIME"].iloc[0] == 0
    assert (t["N_RISK"].iloc[0], t["N_EVENT"].iloc[0], t["N_CENSOR"].iloc[0]) == (6, 1, 1)
    assert t["SURV"].iloc[0] == pytest.approx(5 / 6, abs=1e-15)


def test_ties_of_events_and_censorings_at_one_time():
    # At time 2: 5 at risk, 2 events, 1 censored; censored subjects count as at risk at their own time.
    t = sv.km_table(tte([2, 2, 2, 4, 5], [1, 1, 0, 1, 0]))
    first = t.iloc[0]
    assert (first["N_RISK"], first["N_EVENT"], first["N_CENSOR"]) == (5, 2, 1)
    assert first["SURV"] == pytest.approx(3 / 5, abs=1e-15)
    # At 4: 2 at risk, 1 event -> S = 3/5 * 1/2.
    assert t["SURV"].iloc[1] == pytest.approx(0.3, abs=1e-15)


def test_nearly_equal_times_are_merged_as_r_does():
    # R's timefix: times closer than sqrt(machine epsilon) are one time.
    t = sv.km_table(tte([1.0, 1.0 + 1e-10, 2.0], [1, 1, 0]))
    assert len(t) == 2 and t["N_EVENT"].iloc[0] == 2


# --------------------------------------------------------------------------------------------------
# Landmarks
# --------------------------------------------------------------------------------------------------


def test_survival_at_landmarks():
    s = sv.survival_at(THREE, [2.5, 0, 1, 10])
    assert list(s["TIME"]) == [0, 1, 2.5, 10]  # sorted, as R
    # at risk = subjects with time >= landmark
    assert list(s["N_RISK"]) == [3, 3, 1, 0]
    assert list(s["N_EVENT"]) == [0, 1, 0, 1]
    assert s["SURV"].iloc[:3].tolist() == pytest.approx([1.0, 2 / 3, 2 / 3], abs=1e-15)
    assert s["LOWER"].iloc[0] == 1.0
    assert np.isnan(s["SURV"].iloc[3])  # after the last follow-up: unknown


def test_survival_at_extend_carries_the_last_value():
    s = sv.survival_at(tte([1, 2, 3, 4], [1, 1, 0, 0]), [10], extend=True).iloc[0]
    assert (s["N_RISK"], s["SURV"]) == (0, 0.5)


# --------------------------------------------------------------------------------------------------
# Log-rank and Cox, by hand
# --------------------------------------------------------------------------------------------------


def test_logrank_two_subjects():
    # A dies at 1, B at 2. At 1: 2 at risk (1 per group), 1 death: E_A = 1/2, V = 1 * 1/2 * 1/2.
    # At 2 only B is at risk: E_A = 0, V = 0. chi2 = (O_A - E_A)^2 / V = 0.25 / 0.25 = 1.
    r = sv.logrank_test(tte([1, 2], [1, 1], ["A", "B"]))
    assert r.chisq == pytest.approx(1.0, abs=1e-12)
    assert r.df == 1
    assert r.p == pytest.approx(math.erfc(1 / math.sqrt(2)), abs=1e-12)  # P(chi2_1 > 1) = P(|Z| > 1)
    assert r.table["OBSERVED"].tolist() == [1, 1]
    assert r.table["EXPECTED"].tolist() == pytest.approx([0.5, 1.5])


def test_logrank_needs_two_groups():
    assert sv.logrank_test(THREE) is None
    assert sv.pairwise_logrank(THREE).empty


def test_logrank_without_expected_events_in_one_group_is_not_testable():
    # B's only subject is censored before any death: no expected events in B, nothing to compare.
    r = sv.logrank_test(tte([2, 3, 1], [1, 1, 0], ["A", "A", "B"]))
    assert r.chisq == 0 and r.df == 0 and np.isnan(r.p) and not r.testable


def test_cox_closed_form_without_ties():
    # A: 1, 3; B: 2, 4 (all events); r = HR of B. Partial likelihood r / ((2 + 2r)(1 + 2r)(1 + r)), whose
    # score vanishes at 1 - r - 4 r^2 = 0, r = (sqrt(17) - 1) / 8. Information: sum of the risk-set variances
    # of x, 2 r / (1 + r)^2 + 2 r / (1 + 2 r)^2.
    got = sv.cox_hazard_ratio(tte([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"]))
    r = (math.sqrt(17) - 1) / 8
    se = 1 / math.sqrt(2 * r / (1 + r) ** 2 + 2 * r / (1 + 2 * r) ** 2)
    assert (got.reference, got.comparator, got.n, got.events) == ("A", "B", 4, 4)
    assert got.hr == pytest.approx(r, abs=1e-9)
    assert got.se == pytest.approx(se, abs=1e-9)
    assert got.lower == pytest.approx(r * math.exp(-Z95 * se), abs=1e-9)
    assert got.p == pytest.approx(math.erfc(abs(math.log(r) / se) / math.sqrt(2)), abs=1e-9)


def test_cox_reference_can_be_chosen():
    data = tte([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"])
    flipped = sv.cox_hazard_ratio(data, reference="B")
    assert flipped.comparator == "A"
    assert flipped.hr == pytest.approx(8 / (math.sqrt(17) - 1), abs=1e-9)
    with pytest.raises(ValueError, match="reference group"):
        sv.cox_hazard_ratio(data, reference="C")


def test_cox_needs_exactly_two_groups():
    assert sv.cox_hazard_ratio(THREE) is None
    assert sv.cox_hazard_ratio(tte([1, 2, 3], [1, 1, 1], ["A", "B", "C"])) is None


def test_cox_without_events_is_not_estimable():
    got = sv.cox_hazard_ratio(tte([1, 2], [0, 0], ["A", "B"]))
    assert np.isnan(got.hr) and got.note == "no events"


# --------------------------------------------------------------------------------------------------
# time_to_event and units
# --------------------------------------------------------------------------------------------------

ADSL = pd.DataFrame(
    {
        "USUBJID": ["P1", "P2", "P3", "P4"],
        "SITEID": ["B", "A", "A", None],
        "NLES": pd.array([10, 2, 2, 1], dtype="Int64"),
    }
)
ADTTE = pd.DataFrame(
    {
        "USUBJID": ["P1", "P2", "P3", "P4", "P1"],
        "PARAMCD": ["PFS", "PFS", "PFS", "PFS", "OS"],
        "AVAL": [30.0, 61.0, 15.0, 7.0, 400.0],
        "AVALU": ["DAYS"] * 5,
        "CNSR": pd.array([0, 1, 2, 0, 1], dtype="Int64"),
        "TRTA": ["X", "Y", "X", "Y", "X"],
    }
)


def test_time_to_event_turns_cnsr_into_events():
    t = sv.time_to_event(ADTTE, "PFS").set_index("USUBJID")
    assert list(t.columns) == ["TIME", "EVENT", "GROUP"]
    assert t["EVENT"].to_dict() == {"P1": True, "P2": False, "P3": False, "P4": True}
    assert t["TIME"].to_dict() == {"P1": 30.0, "P2": 61.0, "P3": 15.0, "P4": 7.0}
    assert set(t["GROUP"]) == {"ALL"}


def test_time_to_event_by_adsl_column_and_missing_group_last():
    t = sv.time_to_event(ADTTE, "PFS", adsl=ADSL, by="SITEID")
    assert list(t["GROUP"]) == ["A", "A", "B", "Missing"]
    assert list(t["USUBJID"]) == ["P2", "P3", "P1", "P4"]


def test_time_to_event_numeric_groups_in_numeric_order():
    t = sv.time_to_event(ADTTE, "PFS", adsl=ADSL, by="NLES")
    assert list(pd.unique(t["GROUP"])) == ["1", "2", "10"]


def test_time_to_event_by_adtte_column():
    t = sv.time_to_event(ADTTE, "PFS", by="TRTA")
    assert dict(zip(t["USUBJID"], t["GROUP"], strict=True)) == {"P1": "X", "P3": "X", "P2": "Y", "P4": "Y"}


def test_time_to_event_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"NESTFS.*available: PFS, OS"):
        sv.time_to_event(ADTTE, "NESTFS")
    with pytest.raises(ValueError, match="'MDTTYPE' not found"):
        sv.time_to_event(ADTTE, "PFS", adsl=ADSL, by="MDTTYPE")


def test_time_to_event_converts_units():
    t = sv.time_to_event(ADTTE, "OS", unit="months")
    assert t["TIME"].iloc[0] == pytest.approx(400 / DAYS_PER_MONTH)
    weeks = ADTTE.assign(AVALU="WEEKS")
    assert sv.time_to_event(weeks, "OS", unit="DAYS")["TIME"].iloc[0] == pytest.approx(2800.0)


def test_mixed_units_need_a_target_unit():
    mixed = ADTTE.assign(AVALU=["DAYS", "MONTHS", "DAYS", "DAYS", "DAYS"])
    with pytest.raises(ValueError, match="mixes time units"):
        sv.time_to_event(mixed, "PFS")
    t = sv.time_to_event(mixed, "PFS", unit="DAYS").set_index("USUBJID")
    assert t.loc["P2", "TIME"] == pytest.approx(61 * DAYS_PER_MONTH)


def test_time_unit_and_convert_time():
    assert sv.time_unit(ADTTE, "PFS") == "DAYS"
    assert sv.time_unit(ADTTE.drop(columns="AVALU"), "PFS") == "DAYS"
    assert sv.convert_time(365.25, "days", "years") == pytest.approx(1.0)
    assert sv.convert_time(14.0, "DAYS", "WEEKS") == pytest.approx(2.0)
    assert sv.convert_time(np.array([1.0, 2.0]), "month", "days").tolist() == pytest.approx(
        [DAYS_PER_MONTH, 2 * DAYS_PER_MONTH]
    )
    with pytest.raises(ValueError, match="unknown time unit"):
        sv.normalize_unit("fortnights")


def test_endpoints_primary_first():
    assert sv.endpoints(ADTTE) == ["PFS", "OS"]
    assert sv.endpoints(pd.DataFrame({"PARAMCD": ["TTDE", "OS", "NESTFS", "ABC"]})) == [
        "NESTFS",
        "OS",
        "ABC",
        "TTDE",
    ]


def test_options_are_checked():
    with pytest.raises(ValueError, match="conf_type"):
        sv.KMOptions("logit")
    with pytest.raises(ValueError, match="conf_level"):
        sv.KMOptions("log", 95)
    assert sv.KMOptions().label == "95% CI, log transform (R default)"


def test_estimators_reject_a_frame_without_the_columns():
    with pytest.raises(ValueError, match="time_to_event"):
        sv.km_table(pd.DataFrame({"TIME": [1.0]}))


def test_counting_and_sorting_paths_agree():
    # Whole-number times are counted (bincount); others sorted. Shifting every time keeps the estimate.
    rng = np.random.default_rng(7)
    days = rng.integers(0, 400, 300).astype(float)
    events = rng.random(300) < 0.6
    counted = sv.km_table(tte(days, events))
    for shifted in (days + 0.25, days + 2_000_000.0):
        sorted_path = sv.km_table(tte(shifted, events))
        assert sorted_path["TIME"].to_numpy() == pytest.approx(
            counted["TIME"].to_numpy() + (shifted[0] - days[0])
        )
        for col in ["N_RISK", "N_EVENT", "N_CENSOR", "SURV", "STD_ERR", "LOWER", "UPPER"]:
            np.testing.assert_array_equal(sorted_path[col].to_numpy(), counted[col].to_numpy())


def test_one_fit_gives_what_each_function_gives():
    # km_fit fits each curve once; the table, medians, landmarks, numbers at risk and the curve read off
    # it are exactly those of the functions that fit on their own.
    frame = tte([1, 2, 3, 4, 5, 6, 8], [1, 0, 1, 1, 0, 1, 0], ["A"] * 4 + ["B"] * 3)
    options = sv.KMOptions("log-log")
    fit = sv.km_fit(frame, options)
    assert [c.group for c in fit.curves] == ["A", "B"] and fit.options == options
    pd.testing.assert_frame_equal(fit.table(), sv.km_table(frame, options), check_exact=True)
    pd.testing.assert_frame_equal(fit.medians(), sv.km_medians(frame, options), check_exact=True)
    times = [0, 2.5, 7, 100]
    pd.testing.assert_frame_equal(
        fit.survival_at(times), sv.survival_at(frame, times, options), check_exact=True
    )
    pd.testing.assert_frame_equal(
        fit.at_risk(times), sv.at_risk_table(frame, times, options), check_exact=True
    )
    pd.testing.assert_frame_equal(fit.curve(2), sv.km_curve(frame, options, 2), check_exact=True)


def test_time_to_event_counts_only_cnsr_zero_as_an_event():
    adtte = pd.DataFrame(
        {"USUBJID": ["A", "B", "C", "D"], "PARAMCD": "OS", "AVAL": [1, 2, 3, 4], "CNSR": [0, 1, 2, None]}
    )
    assert list(sv.time_to_event(adtte, "OS")["EVENT"]) == [True, False, False, False]


# --------------------------------------------------------------------------------------------------
# Presentation helpers
# --------------------------------------------------------------------------------------------------


def test_km_curve_starts_at_one_and_marks_the_tail():
    # THREE: 1 E (3 at risk, 2 left), 2 C (2 at risk, 1 left), 3 E (1 at risk, 0 left).
    c = sv.km_curve(THREE, at_risk_threshold=2)
    assert list(c["TIME"]) == [0, 1, 2, 3]
    assert c["SURV"].iloc[0] == 1 and c["LOWER"].iloc[0] == 1 and c["UPPER"].iloc[0] == 1
    assert list(c["AT_RISK_AFTER"]) == [3, 2, 1, 0]
    assert list(c["TAIL"]) == [False, False, True, True]
    assert not sv.km_curve(THREE)["TAIL"].any()  # threshold 0: no tail


def test_at_risk_times_are_round_steps():
    assert sv.at_risk_times(40.0, "MONTHS") == [0, 6, 12, 18, 24, 30, 36]
    assert sv.at_risk_times(200.0, "DAYS") == [0, 30, 60, 90, 120, 150, 180]
    assert sv.at_risk_times(5.0, "MONTHS") == [0, 1, 2, 3, 4, 5]
    assert sv.at_risk_times(0.0, "DAYS") == [0.0]


def test_median_summary_in_words():
    medians = pd.DataFrame(
        {"GROUP": ["A"], "N": [5], "EVENTS": [2], "MEDIAN": [np.nan], "LOWER": [3.25], "UPPER": [np.nan]}
    )
    row = text.median_summary(medians, sv.KMOptions("log-log", 0.9), "MONTHS").iloc[0]
    assert row["Median (months)"] == "not reached"
    assert row["90% CI"] == "3.2 to not reached"  # 3.25 rounds half to even in the one-decimal format
    assert row["Censored"] == 3
    assert row["CI method"].startswith("log-log transform")


def test_landmark_summary_in_words():
    lm = text.landmark_summary(sv.survival_at(THREE, [1, 10]), sv.KMOptions(), "Landmark (days)")
    assert list(lm["Survival"]) == ["66.7%", "beyond follow-up"]
    assert lm["95% CI"].iloc[0] == f"{100 * 2 / 3 * math.exp(-Z95 * math.sqrt(1 / 6)):.1f}% to 100.0%"


def test_parse_and_default_landmarks():
    assert text.parse_landmarks("12, 6;6 24  x -1") == ([6.0, 12.0, 24.0], ["x", "-1"])
    assert text.default_landmarks((6, 12), "MONTHS") == "6, 12"
    assert text.default_landmarks((6, 12), "DAYS") == "183, 365"  # 6 * 30.4375 = 182.6
    assert text.default_landmarks((6, 12), "WEEKS") == "26, 52"


def test_texts_of_the_tests():
    r = sv.logrank_test(tte([1, 2], [1, 1], ["A", "B"]))
    assert text.logrank_text(r) == "Log-rank chi-square 1.00 on 1 df, p = 0.317"
    assert text.format_p(0.0004) == "< 0.001" and text.format_p(float("nan")) == "—"
    cox = sv.cox_hazard_ratio(tte([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"]))
    assert text.cox_text(cox).startswith("Hazard ratio B vs A 0.39 (95% CI ")
    none = sv.cox_hazard_ratio(tte([1, 2], [1, 0], ["A", "B"]))
    assert (
        text.cox_text(none)
        == "Hazard ratio B vs A: not estimable (no events in B: the hazard ratio is 0 or infinite)."
    )
    # C is censored at 0.5, before any event: no expected events in C, so no pair with C can be tested.
    pairs = text.pairwise_summary(sv.pairwise_logrank(tte([1, 2, 0.5], [1, 1, 0], ["A", "B", "C"])))
    assert list(pairs["Comparison"]) == ["A vs B", "A vs C", "B vs C"]
    assert list(pairs["p (unadjusted)"]) == ["0.317", "not testable", "not testable"]


def test_tail_note():
    assert text.tail_note(0, "grey") == "" and text.tail_note(3, "show") == ""
    assert "removes at least 1/2" in text.tail_note(3, "grey")
    assert text.tail_note(1, "truncate").startswith("Not drawn")


def test_stratification_columns():
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D"],
            "SITEID": ["01", "01", "02", "02"],
            "AGE": [61.5, 70.2, 55.0, 80.1],  # a measurement, not a category
            "NLES": [1.0, 2.0, 2.0, 3.0],
            "ENRLDT": pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01"]),
            "ONE": ["x", "x", "x", "x"],
            "SEX": ["M", "M", "M", "F"],
        }
    )
    assert sv.stratification_columns(adsl) == ["SITEID", "NLES", "SEX"]
    assert sv.stratification_columns(adsl, subjects=["A", "B"]) == ["NLES"]


def test_benchmark_table_in_the_chosen_unit():
    b = sv.benchmark_table("NESTFS", "DAYS")
    assert list(b["POPULATION"]) == ["All MDT", "SBRT or metastasectomy"]
    assert b["MEDIAN"].iloc[0] == pytest.approx(16 * DAYS_PER_MONTH)
    assert sv.benchmark_table("OS", "MONTHS").empty


def test_endpoint_label():
    adtte = pd.DataFrame({"PARAMCD": ["TTDE", "PFS"], "PARAM": ["Time to First Dermatologic Event", "x"]})
    assert sv.endpoint_label(adtte, "TTDE") == "Time to First Dermatologic Event (TTDE)"
    assert sv.endpoint_label(adtte, "PFS") == "Progression-free survival (PCWG3) (PFS)"


def test_format_time_keeps_decimals_except_for_days():
    assert text.format_time(2.0, "MONTHS") == "2.0"  # lines up with "16.4" in a column of medians
    assert text.format_time(16.44, "MONTHS") == "16.4"
    assert text.format_time(300.0, "DAYS") == "300"
    assert text.format_time(36.5, "DAYS") == "36.5"
    assert text.format_time(float("nan"), "WEEKS") == "not reached"


def test_at_risk_table_counts_events_and_censorings_so_far():
    # A: 1 E, 2 C, 3 E, 4 E; B: 5 C, 6 E, 8 C. Ticks 0, 2, 4, 6.
    frame = tte([1, 2, 3, 4, 5, 6, 8], [1, 0, 1, 1, 0, 1, 0], ["A"] * 4 + ["B"] * 3)
    table = sv.at_risk_table(frame, [4, 0, 2, 6])
    a = table[table["GROUP"] == "A"]
    assert list(a["TIME"]) == [0, 2, 4, 6]
    assert list(a["N_RISK"]) == [4, 3, 1, 0]  # time >= t
    assert list(a["CUM_EVENT"]) == [0, 1, 3, 3]  # events at or before t: 1 | 1, 3, 4
    assert list(a["CUM_CENSOR"]) == [0, 1, 1, 1]
    b = table[table["GROUP"] == "B"]
    assert list(b["N_RISK"]) == [3, 3, 3, 2]
    assert list(b["CUM_EVENT"]) == [0, 0, 0, 1]
    assert list(b["CUM_CENSOR"]) == [0, 0, 0, 1]
    assert b["SURV"].iloc[-1] == pytest.approx(0.5)  # after the last time the estimate is carried forward


def test_logrank_summary_observed_and_expected():
    # Day 1: A and B at risk, A's event: E = (1/2, 1/2). Day 2: only B, B's event: E_B + 1.
    summary = text.logrank_summary(sv.logrank_test(tte([1, 2], [1, 1], ["A", "B"])))
    assert list(summary["Group"]) == ["A", "B"]
    assert list(summary["Patients"]) == [1, 1]
    assert list(summary["Events observed"]) == [1, 1]
    assert list(summary["Events expected"]) == [0.5, 1.5]
    assert list(summary["Observed / expected"]) == ["2.00", "0.67"]
    # C censored at 0.5, before any event: nothing expected, no ratio.
    none_expected = text.logrank_summary(sv.logrank_test(tte([1, 2, 0.5], [1, 1, 0], ["A", "B", "C"])))
    assert none_expected["Observed / expected"].iloc[2] == "—"


def test_label_groups_adds_names_and_keeps_the_order():
    frame = tte([1, 2, 3], [1, 0, 1], ["02", "01", "Missing"])
    named = sv.label_groups(frame, {"01": "UZ Leuven", "02": "UZ Gent", "03": "AZ Delta"})
    assert list(named["GROUP"]) == ["02 UZ Gent", "01 UZ Leuven", "Missing"]
    assert list(named["TIME"]) == [1, 2, 3] and list(frame["GROUP"]) == ["02", "01", "Missing"]
    assert list(sv.label_groups(frame, {})["GROUP"]) == ["02", "01", "Missing"]


def test_column_label_and_benchmark_endpoints():
    assert text.column_label("SITEID") == "Centre (SITEID)"
    assert text.column_label("TRT01A") == "Actual treatment (TRT01A)"
    assert text.column_label("BMIBLGR1") == "BMIBLGR1"
    assert sv.benchmark_endpoints() == ["NESTFS", "PFS"]  # MEDCARE.md: no OS benchmark


def test_stratification_columns_leave_out_dates_days_and_measurements():
    adsl = pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(12)],
            "ARM": ["Placebo", "Active"] * 6,
            "TRT01A": ["Placebo", "Active"] * 6,
            "DTHDTC": ["2014-01-02", "2014-03-04"] + [None] * 10,  # ISO dates as text
            "DTHADY": [10, 20] + [None] * 10,  # a study day
            "AGE": list(range(60, 72)),  # 12 ages: a measurement even among 3 patients
            "DTHCAUS": ["AE", "PD"] + [None] * 10,  # missing for most patients
            "COUNTRY": ["BE"] * 12,  # one value
        }
    )
    assert sv.stratification_columns(adsl) == ["TRT01A", "ARM"]  # treatment columns first
    # Among 5 patients AGE has 5 values, but it is still a measurement; DTHCAUS is known for 2 of 5.
    assert sv.stratification_columns(adsl, subjects=["S0", "S1", "S2", "S3", "S4"]) == ["TRT01A", "ARM"]
    # Among S0 and S1 DTHCAUS has a value for everyone, but it is an outcome: never offered, nor the dates.
    assert sv.stratification_columns(adsl, subjects=["S0", "S1"]) == ["TRT01A", "ARM"]


def test_stratification_columns_leave_out_outcomes_and_duplicate_names():
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D"],
            "SITEID": ["01", "01", "02", "02"],
            "SITENAME": ["UZ Leuven", "UZ Leuven", "UZ Gent", "UZ Gent"],  # the name of SITEID
            "SEX": ["M", "M", "F", "F"],  # baseline: offered
            "DTHFL": ["Y", "N", "N", "Y"],
            "EOSSTT": ["COMPLETED", "DISCONTINUED", "ONGOING", "COMPLETED"],
            "DCSREAS": ["Death", "Withdrawal", "Death", "Withdrawal"],
            "DCDECOD": ["DEATH", "WITHDRAWAL", "DEATH", "WITHDRAWAL"],
            "DISCONFL": ["Y", "Y", "N", "N"],
            "COMP24FL": ["N", "N", "Y", "Y"],
            "LDDTHGR1": ["<= 30", "> 30", "<= 30", "> 30"],
            "EOSDT": ["2022-01-01", "2022-02-01", "2022-01-01", "2022-02-01"],  # dates as text
            "LSTALVDT": ["2022-01-01", "2022-02-01", "2022-01-01", "2022-02-01"],
            "AGEGR1": ["<65", ">=65", "<65", ">=65"],
            "AGEGR1N": [1, 2, 1, 2],  # the numeric code of AGEGR1
        }
    )
    assert sv.stratification_columns(adsl) == ["SITEID", "SEX", "AGEGR1"]
    # Without SITEID the centre name is the only centre column, so it is offered.
    assert sv.stratification_columns(adsl.drop(columns="SITEID")) == ["SITENAME", "SEX", "AGEGR1"]
    assert sv.stratification_columns(adsl.drop(columns="AGEGR1"))[-1] == "AGEGR1N"


def test_endpoint_label_of_another_study_uses_param():
    adtte = pd.DataFrame({"PARAMCD": ["PFS"], "PARAM": ["Progression Free Survival"]})
    assert sv.endpoint_label(adtte, "PFS", protocol_labels=False) == "Progression Free Survival (PFS)"
    assert sv.endpoint_label(adtte.drop(columns="PARAM"), "PFS", protocol_labels=False) == "PFS"


def test_is_protocol_study_on_conformance_data():
    from conftest import CONFORMANCE

    from medcare_metrics.study import is_study

    def is_protocol_study(adsl: pd.DataFrame) -> bool:
        return is_study(adsl, "MEDCARE")

    for name in ("cdiscpilot01", "pharmaverseadam"):
        adsl = pd.read_csv(CONFORMANCE / name / "adsl.csv", usecols=["STUDYID"])
        assert not is_protocol_study(adsl)
    assert is_protocol_study(pd.DataFrame({"STUDYID": ["MEDCARE", "MEDCARE"]}))
    assert not is_protocol_study(pd.DataFrame({"STUDYID": ["MEDCARE", "OTHER"]}))
    assert not is_protocol_study(pd.DataFrame({"USUBJID": ["A"]}))
