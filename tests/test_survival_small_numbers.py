"""Statistics for small numbers on tiny hand-built frames, answers worked out by hand.

Score and likelihood-ratio tests of a Cox fit, the "Missing" group left out of the tests, the permutation
log-rank p-value, Holm's adjustment, the exact interval before any event and the small-numbers marks; then the
Survival view on the tiny source (tests/conftest.py::tiny_frames).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics import survival as sv
from medcare_metrics.loading import load_trial
from medcare_metrics.survival.comparison import holm_adjust, permutation_logrank
from medcare_metrics.survival.estimation import no_event_interval
from medcare_metrics.text import survival as text
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import SurvivalControls, survival_view


def tte(times, events, groups=None) -> pd.DataFrame:
    n = len(times)
    return pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(n)],
            "TIME": np.asarray(times, dtype=float),
            "EVENT": np.asarray(events, dtype=bool),
            "GROUP": groups if groups is not None else ["ALL"] * n,
        }
    )


# --------------------------------------------------------------------------------------------------
# Cox: score and likelihood-ratio tests
# --------------------------------------------------------------------------------------------------


def test_cox_score_and_likelihood_ratio_in_closed_form():
    # A dies at 1 and 3, B at 2 and 4 (x = 1 for B). At beta = 0 the risk sets {4}, {3}, {2}, {1} give
    # U = (0 - 1/2) + (1 - 2/3) + (0 - 1/2) + (1 - 1) = -2/3 and I = 1/4 + 2/9 + 1/4 + 0 = 13/18: score 8/13.
    got = sv.cox_hazard_ratio(tte([1, 3, 2, 4], [1, 1, 1, 1], ["A", "A", "B", "B"]))
    assert got is not None and not got.note
    assert got.score_chisq == pytest.approx(8 / 13, abs=1e-12)
    # log L(r) = log r - log 2 - 2 log(1 + r) - log(1 + 2r) with r = HR = (sqrt(17) - 1) / 8;
    # log L(0) = -log 24.
    r = (math.sqrt(17) - 1) / 8
    loglik = math.log(r) - math.log(2) - 2 * math.log(1 + r) - math.log(1 + 2 * r)
    assert got.loglik0 == pytest.approx(-math.log(24), abs=1e-12)
    assert got.lr_chisq == pytest.approx(2 * (loglik + math.log(24)), abs=1e-9)
    assert got.lr_p == pytest.approx(math.erfc(math.sqrt(got.lr_chisq / 2)), abs=1e-12)  # chi2 on 1 df
    assert got.wald_chisq == pytest.approx((got.coef / got.se) ** 2)
    assert got.df == 1


def test_cox_without_events_in_a_group_still_has_the_score_test():
    # B (censored at 2) is at risk with A at A's event at 1: U = 0 - 1/2, I = 1/4, score = 1 (the log-rank).
    got = sv.cox_hazard_ratio(tte([1, 2], [1, 0], ["A", "B"]))
    assert got is not None and np.isnan(got.hr) and np.isnan(got.wald_chisq)
    assert got.score_chisq == pytest.approx(1.0)
    assert got.lr_chisq > 0  # the likelihood rises towards HR = 0; R's last iterate
    table = text.cox_tests(got)
    assert list(table["Test"]) == ["Wald", "Score (log-rank)", "Likelihood ratio"]
    assert list(table["Chi-square"])[:2] == ["—", "1.000"] and table["p"].iloc[1] == "0.317"


def test_cox_when_the_groups_are_never_at_risk_together():
    # B leaves (censored at 0.5) before A's only event: no information, no test.
    got = sv.cox_hazard_ratio(tte([1, 0.5], [1, 0], ["A", "B"]))
    assert got is not None and np.isnan(got.hr) and np.isnan(got.score_chisq) and "no events in B" in got.note


# --------------------------------------------------------------------------------------------------
# The "Missing" group is left out of the tests
# --------------------------------------------------------------------------------------------------

WITH_MISSING = tte([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 1, 0], ["A", "A", "B", "B", "Missing", "Missing"])


def test_tests_leave_out_the_missing_group():
    complete = WITH_MISSING[WITH_MISSING["GROUP"] != sv.MISSING_GROUP]
    got, reference = sv.logrank_test(WITH_MISSING), sv.logrank_test(complete)
    assert got is not None and reference is not None
    assert list(got.table["GROUP"]) == ["A", "B"] and got.excluded == 2 and reference.excluded == 0
    assert (got.chisq, got.df, got.p) == (reference.chisq, reference.df, reference.p)
    cox = sv.cox_hazard_ratio(WITH_MISSING)  # two groups once "Missing" is out
    assert cox is not None and cox.excluded == 2 and cox.n == 4
    pairs = sv.pairwise_logrank(tte([1, 2, 3, 4, 5], [1, 1, 1, 1, 1], ["A", "B", "C", "Missing", "Missing"]))
    assert len(pairs) == 3 and sv.MISSING_GROUP not in set(pairs["GROUP_A"]) | set(pairs["GROUP_B"])
    only_one = sv.logrank_test(tte([1, 2], [1, 1], ["A", "Missing"]))
    assert only_one is None


def test_excluded_text():
    assert text.excluded_text(0, "MDTTYPE") == ""
    assert text.excluded_text(1, "MDTTYPE").startswith("1 patient without a value in MDTTYPE left out")
    assert "group Missing" in text.excluded_text(2, "SITEID")


# --------------------------------------------------------------------------------------------------
# Permutation log-rank p-value
# --------------------------------------------------------------------------------------------------


def test_exact_permutation_p_by_hand():
    # A dies at 1 and 2, B is censored at 3 and 4: of the C(4, 2) = 6 labellings, the observed one and its
    # mirror ({3, 4} as A) are the most extreme; the other four give |O - E| = 1/6 or less. p = 2/6.
    got = permutation_logrank(tte([1, 2, 3, 4], [1, 1, 0, 0], ["A", "A", "B", "B"]))
    assert got is not None and got.exact
    assert (got.n_permutations, got.n_possible) == (6, 6)
    assert got.p == pytest.approx(1 / 3)
    # Two subjects, one each: both labellings give chi-square 1, so p = 1.
    pair = permutation_logrank(tte([1, 2], [1, 1], ["A", "B"]))
    assert pair is not None and pair.p == 1.0 and pair.n_permutations == 2
    assert permutation_logrank(tte([1, 2], [1, 1], ["A", "A"])) is None


def test_permutation_p_counts_three_groups_and_leaves_out_missing():
    # Sizes 2, 1, 1 of 4 subjects: 4! / (2! 1! 1!) = 12 labellings.
    data = tte([1, 2, 3, 4, 5], [1, 1, 1, 0, 1], ["A", "A", "B", "C", "Missing"])
    got = permutation_logrank(data)
    assert got is not None and got.n_possible == 12 and got.excluded == 1
    assert got.chisq == pytest.approx(sv.logrank_test(data).chisq)
    assert 0 < got.p <= 1 and got.p * 12 == pytest.approx(round(got.p * 12))


def test_monte_carlo_permutation_is_seeded_and_never_zero():
    data = tte(range(1, 13), [1] * 12, ["A"] * 6 + ["B"] * 6)  # A dies first: the most extreme labelling
    got = permutation_logrank(data, max_enumerated=100, n_draws=500, seed=7)
    assert got is not None and not got.exact and got.n_permutations == 500 and got.n_possible == 924
    assert got == permutation_logrank(data, max_enumerated=100, n_draws=500, seed=7)
    assert got.p >= 1 / 501  # (1 + hits) / (1 + draws)
    assert got.mc_error == pytest.approx(math.sqrt(got.p * (1 - got.p) / 500))
    exact = permutation_logrank(data)
    assert exact is not None and exact.p == pytest.approx(2 / 924)
    words = text.permutation_text(got)
    assert "Monte Carlo" in words and "500 random re-assignments" in words and "seed 7" in words
    assert "fewer than 10 patients" in words
    assert text.permutation_text(exact).startswith(
        "Exact permutation log-rank test: p = 0.00216, over all 924"
    )


# --------------------------------------------------------------------------------------------------
# Holm
# --------------------------------------------------------------------------------------------------


def test_holm_by_hand():
    # Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> running maximum 0.06.
    np.testing.assert_allclose(holm_adjust([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    # NaN is no test: two tests, not three.
    got = holm_adjust([0.02, np.nan, 0.6])
    assert np.isnan(got[1]) and got[0] == pytest.approx(0.04) and got[2] == pytest.approx(0.6)
    assert holm_adjust([0.7, 0.8]).tolist() == [1.0, 1.0]
    assert holm_adjust([]).size == 0


def test_pairwise_summary_names_holm():
    pairs = sv.pairwise_logrank(tte([1, 2, 0.5], [1, 1, 0], ["A", "B", "C"]))
    assert pairs["P_HOLM"].iloc[0] == pytest.approx(pairs["P"].iloc[0])  # one testable pair
    words = text.pairwise_summary(pairs)
    assert list(words["p (Holm)"]) == ["0.317", "not testable", "not testable"]
    assert "Holm" in text.PAIRWISE_CAPTION and 'p.adjust(method = "holm")' in text.PAIRWISE_CAPTION


# --------------------------------------------------------------------------------------------------
# Exact interval before any event; small-numbers marks
# --------------------------------------------------------------------------------------------------


def test_no_event_interval_is_the_clopper_pearson_one():
    lower, upper = no_event_interval(np.array([1.0, 4.0, 0.0]), 0.95)
    assert lower[0] == pytest.approx(0.025) and lower[1] == pytest.approx(0.025**0.25)
    assert upper[:2].tolist() == [1.0, 1.0] and np.isnan(lower[2]) and np.isnan(upper[2])


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_survival_before_the_first_event_gets_the_exact_interval(conf_type):
    # Censored at 1, events at 2 and 3, censored at 4. At 0.5: 4 followed, none died; at 1: 4 (one censored
    # there); at 1.5: 3; from 2 on the curve has dropped and keeps its own interval.
    data = tte([1, 2, 3, 4], [0, 1, 1, 0])
    options = sv.KMOptions(conf_type)
    usual = sv.survival_at(data, [0.5, 1, 1.5, 2.5], options)
    got = sv.survival_at(data, [0.5, 1, 1.5, 2.5], options, no_event_ci=True)
    np.testing.assert_allclose(got["LOWER"][:3], [0.025**0.25, 0.025**0.25, 0.025 ** (1 / 3)])
    assert got["UPPER"][:3].tolist() == [1.0, 1.0, 1.0]
    pd.testing.assert_frame_equal(got.iloc[3:], usual.iloc[3:])
    pd.testing.assert_frame_equal(
        got.drop(columns=["LOWER", "UPPER"]), usual.drop(columns=["LOWER", "UPPER"])
    )


def test_curve_band_before_the_first_event():
    # Start row: 4 at risk; the censoring at 1 leaves 3 during the step to 2; the event at 2 keeps R's band.
    curve = sv.km_fit(tte([1, 2, 3, 4], [0, 1, 1, 0])).curve(3, no_event_ci=True)
    np.testing.assert_allclose(curve["LOWER"][:2], [0.025**0.25, 0.025 ** (1 / 3)])
    plain = sv.km_fit(tte([1, 2, 3, 4], [0, 1, 1, 0])).curve(3)
    assert plain["LOWER"][:2].tolist() == [1.0, 1.0]
    pd.testing.assert_series_equal(curve["LOWER"][2:], plain["LOWER"][2:])


def test_median_at_risk():
    # A: events at 1, 2, 3 -> S = 2/3, 1/3, 0: median 2 with 2 at risk. B: no event: not reached, 2 patients.
    fit = sv.km_fit(tte([1, 2, 3, 5, 6], [1, 1, 1, 0, 0], ["A", "A", "A", "B", "B"]))
    assert fit.median_at_risk().to_dict("list") == {"GROUP": ["A", "B"], "N_RISK": [2, 2]}
    table = text.median_summary(fit.medians(), fit.options, "DAYS", fit.median_at_risk()["N_RISK"], 3)
    assert list(table["Small numbers"]) == ["2 at risk (fewer than 3)", "2 at risk (fewer than 3)"]
    assert list(text.median_summary(fit.medians(), fit.options, "DAYS")["Small numbers"]) == ["", ""]


def test_landmark_summary_marks_exact_intervals_and_small_numbers():
    data = tte([1, 2, 3, 4], [0, 1, 1, 0])
    landmarks = sv.survival_at(data, [0.5, 2.5, 9], sv.KMOptions(), no_event_ci=True)
    table = text.landmark_summary(landmarks, sv.KMOptions(), "Landmark (days)", 3, True)
    assert table["95% CI"].iloc[0] == f"{100 * 0.025**0.25:.1f}% to 100.0% (exact)"
    assert list(table["Small numbers"]) == ["", "2 at risk (fewer than 3)", ""]  # beyond follow-up: no mark
    assert text.small_numbers_flag(2, 3) == "2 at risk (fewer than 3)" and text.small_numbers_flag(3, 3) == ""


# --------------------------------------------------------------------------------------------------
# The Survival view on the tiny source
# --------------------------------------------------------------------------------------------------


def _scope(folder: Path, **changes: pd.DataFrame) -> ViewScope:
    loaded = load_trial(write_source(folder, **{**tiny_frames(), **changes}))
    assert loaded.trial is not None
    return ViewScope.of(loaded.trial)


def test_view_tables_mark_small_numbers_and_exact_intervals(tmp_path: Path) -> None:
    # NEST-FS days: T-02 event 100, T-03 censored 200, T-04 censored 250, T-01 event 300 (median 300,
    # 1 at risk).
    view = survival_view(
        _scope(tmp_path / "tiny"), SurvivalControls("NESTFS", unit="DAYS", landmarks="50, 150, 260")
    )
    assert view.medians["Small numbers"].iloc[0] == "1 at risk (fewer than 3)"
    assert "fewer than 3 patients at risk" in view.median_caption
    landmarks = view.landmarks.set_index("Landmark (days)")
    assert landmarks.loc["50", "95% CI"] == f"{100 * 0.025**0.25:.1f}% to 100.0% (exact)"
    assert landmarks.loc["150", "Small numbers"] == "" and landmarks.loc["260", "Small numbers"] == (
        "1 at risk (fewer than 3)"
    )
    assert "Clopper-Pearson" in view.landmark_caption and "binom.test" in view.landmark_caption
    assert view.figure is not None and view.figure.curve["LOWER"].iloc[0] == pytest.approx(0.025**0.25)
    assert "Clopper-Pearson" in view.figure_caption


def test_view_leaves_out_missing_and_gives_exact_and_cox_tests(tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"]
    adsl.loc[adsl["USUBJID"] == "T-04", "MDTTYPE"] = ""
    scope = _scope(tmp_path / "missing", adsl=adsl)
    comparison = survival_view(scope, SurvivalControls("NESTFS", by="MDTTYPE")).comparison
    assert comparison is not None
    assert list(comparison.logrank_table["Group"]) == ["SBRT", "Surgery"]  # T-04 (Missing) left out
    assert comparison.excluded_text.startswith("1 patient without a value in MDTTYPE left out of the tests")
    # SBRT (T-01 event 300, T-03 censored 200) vs Surgery (T-02 event 100): 3 labellings of 3 subjects.
    assert comparison.permutation_text.startswith("Exact permutation log-rank test: p = ")
    assert "over all 3 re-assignments" in comparison.permutation_text
    assert list(comparison.cox_tests["Test"]) == ["Wald", "Score (log-rank)", "Likelihood ratio"]
    assert "summary(coxph)" in comparison.cox_tests_caption
    centres = survival_view(scope, SurvivalControls("NESTFS", by="SITEID")).comparison
    assert centres is not None and centres.excluded_text == ""
