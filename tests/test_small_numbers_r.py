"""Statistics for small numbers against R (survival 3.5-3, base R binom.test and p.adjust).

The numbers come from tests/fixtures/r/make_small_numbers.R (same folder as the other R fixtures); the tests
never run R. The permutation p-values there are R's own brute force: survdiff on every re-assignment of the
group labels. Inputs: small_cases.csv (hand-made; an empty GROUP is a missing value), tiny_cases.csv and
example_input.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from medcare_metrics import survival as sv
from medcare_metrics.survival.comparison import holm_adjust, permutation_logrank
from medcare_metrics.survival.estimation import no_event_interval

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "r"
ATOL = 1e-9


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, keep_default_na=False, na_values=[""])


def close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=0, atol=ATOL, err_msg=what
    )


SMALL = read("small_cases.csv")
SMALL_CASES = list(dict.fromkeys(SMALL["case"]))


def small_tte(case: str) -> pd.DataFrame:
    """The case through time_to_event, as the page builds it: an empty GROUP becomes group "Missing"."""
    d = SMALL[SMALL["case"] == case]
    adtte = pd.DataFrame(
        {
            "USUBJID": d["USUBJID"].to_numpy(),
            "PARAMCD": "X",
            "AVAL": d["TIME"].to_numpy(float),
            "CNSR": 1 - d["EVENT"].to_numpy(),
            "GRP": d["GROUP"].to_numpy(),
        }
    )
    return sv.time_to_event(adtte, "X", by="GRP")


def plain_tte(d: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": d["USUBJID"].to_numpy(),
            "TIME": d["TIME"].to_numpy(float),
            "EVENT": d["EVENT"].to_numpy() == 1,
            "GROUP": d["GROUP"].to_numpy(),
        }
    )


def test_small_cases_cover_missing_values_and_small_groups():
    assert SMALL["GROUP"].isna().sum() == 3
    assert {"missing_group", "three_groups", "nine_nine", "no_events_b", "early_censor_group"} <= set(
        SMALL_CASES
    )


@pytest.mark.parametrize("case", SMALL_CASES)
def test_logrank_leaves_out_missing_groups_as_survdiff(case):
    expected = read("small_logrank.csv").set_index("case").loc[case]
    got = sv.logrank_test(small_tte(case))
    assert got is not None
    close(got.chisq, expected["chisq"], "chisq")
    close(got.p, expected["p"], "p")
    assert got.df == expected["df"]
    assert got.excluded == expected["excluded"]
    assert int(got.table["N"].sum()) == expected["n"]
    assert " | ".join(got.table["GROUP"]) == expected["groups"]


@pytest.mark.parametrize("case", SMALL_CASES)
def test_exact_permutation_p_matches_survdiff_over_every_relabelling(case):
    expected = read("small_permutation.csv").set_index("case").loc[case]
    got = permutation_logrank(small_tte(case))
    assert got is not None and got.exact and got.seed is None and got.mc_error == 0
    assert got.n_permutations == got.n_possible == expected["n_permutations"]
    close(got.chisq, expected["chisq"], "chisq")
    # The p-value is a count over the same relabellings: R's count exactly.
    assert round(got.p * got.n_permutations) == expected["n_at_least"]
    close(got.p, expected["p"], "p")


def test_monte_carlo_permutation_p_is_within_its_error_of_the_exact_one():
    # nine_nine has 48,620 relabellings (R enumerated them); forced to a Monte Carlo sample of 20,000.
    expected = read("small_permutation.csv").set_index("case").loc["nine_nine"]
    tte = small_tte("nine_nine")
    got = permutation_logrank(tte, max_enumerated=0)
    assert got is not None and not got.exact
    assert got.n_permutations == 20_000 and got.n_possible == 48_620 and got.seed is not None
    assert abs(got.p - expected["p"]) < 4 * got.mc_error
    assert got.mc_error == pytest.approx(np.sqrt(got.p * (1 - got.p) / 20_000))
    # Seeded: the same p-value on every call.
    assert permutation_logrank(tte, max_enumerated=0) == got


COX = read("small_cox.csv")
TINY = read("tiny_cases.csv")
EXAMPLE = pd.read_csv(
    FIXTURES / "example_input.csv", keep_default_na=False, na_values=[""], dtype={"SITEID": str}
)


def cox_input(source: str, case: str) -> pd.DataFrame:
    if source == "small":
        return small_tte(case)
    if source == "tiny":
        return plain_tte(TINY[TINY["case"] == case])
    tte = sv.time_to_event(EXAMPLE, case, by="MDTTYPE")
    return tte[tte["GROUP"].isin(["SBRT", "Surgery"])]


@pytest.mark.parametrize(("source", "case"), list(zip(COX["source"], COX["case"], strict=True)))
def test_cox_score_and_likelihood_ratio_tests_match_summary_coxph(source, case):
    expected = COX[(COX["source"] == source) & (COX["case"] == case)].iloc[0]
    got = sv.cox_hazard_ratio(cox_input(source, case))
    assert got is not None
    assert (got.reference, got.comparator, got.n, got.events) == (
        expected["reference"],
        expected["comparator"],
        expected["n"],
        expected["events"],
    )
    assert got.df == expected["score_df"] == expected["lr_df"] == 1
    for name, r_name in [
        ("score_chisq", "score"),
        ("score_p", "score_p"),
        ("lr_chisq", "lr"),
        ("lr_p", "lr_p"),
        ("loglik0", "loglik0"),
        ("loglik", "loglik"),
    ]:
        close(getattr(got, name), expected[r_name], f"{source} {case} {name}")
    if isinstance(expected["warning"], str) and expected["warning"]:
        # R: infinite coefficient; we give no Wald test (R's is meaningless there: p ~ 1, se ~ 2e4).
        assert np.isnan(got.p) and np.isnan(got.wald_chisq) and got.note
    else:
        close(got.p, expected["wald_p"], "wald p")
        # summary(coxph) rounds the Wald statistic to 2 decimals.
        assert round(got.wald_chisq, 2) == pytest.approx(expected["wald"])
        close(got.wald_chisq, (expected["coef"] / expected["se"]) ** 2, "wald chisq")


def test_cox_leaves_out_missing_groups_as_coxph():
    got = sv.cox_hazard_ratio(small_tte("missing_group"))
    assert got is not None and got.excluded == 3 and got.n == 8


PAIRWISE = read("small_pairwise.csv")
PAIRWISE_KEYS = sorted(set(zip(PAIRWISE["source"], PAIRWISE["case"], strict=True)))


@pytest.mark.parametrize(("source", "case"), PAIRWISE_KEYS)
def test_pairwise_holm_matches_p_adjust(source, case):
    expected = PAIRWISE[(PAIRWISE["source"] == source) & (PAIRWISE["case"] == case)].reset_index(drop=True)
    if source == "small":
        tte = small_tte(case)
    else:
        paramcd, by = case.split()
        tte = sv.time_to_event(EXAMPLE, paramcd, by=by)  # group "Missing" is left out by the tests
    got = sv.pairwise_logrank(tte)
    assert list(zip(got["GROUP_A"], got["GROUP_B"], strict=True)) == list(
        zip(expected["group_a"], expected["group_b"], strict=True)
    )
    close(got["CHISQ"], expected["chisq"], "chisq")
    for column, r_column in [("P", "p"), ("P_HOLM", "holm")]:
        assert list(got[column].isna()) == list(expected[r_column].isna()), column
        known = expected[r_column].notna().to_numpy()
        close(got[column][known], expected[r_column][known], f"{source} {case} {column}")


@pytest.mark.parametrize("vector", sorted(set(read("small_holm.csv")["vector"])))
def test_holm_adjust_matches_p_adjust(vector):
    d = read("small_holm.csv").query("vector == @vector")
    got = holm_adjust(d["p"].to_numpy(float))
    assert list(np.isnan(got)) == list(d["holm"].isna())
    close(got[~np.isnan(got)], d["holm"].dropna(), vector)


def test_no_event_interval_matches_binom_test():
    d = read("small_binom.csv")
    for level, rows in d.groupby("conf_level"):
        lower, upper = no_event_interval(rows["n"].to_numpy(float), float(level))
        close(lower, rows["lower"], f"lower {level}")
        close(upper, rows["upper"], f"upper {level}")


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_landmarks_before_any_event_take_the_binomial_interval(conf_type):
    d = read("small_no_event.csv")
    times = [0, 0.3, 0.5, 1, 1.2, 2, 3, 4, 5, 8, 12]  # as make_small_numbers.R
    checked = 0
    for (case, level), rows in d.groupby(["case", "conf_level"]):
        options = sv.KMOptions(conf_type, float(level))
        got = sv.survival_at(small_tte(case), times, options, no_event_ci=True)
        got = got[got["GROUP"] != sv.MISSING_GROUP]
        got = got[(got["SURV"] == 1.0) & (got["N_RISK"] > 0)].reset_index(drop=True)
        assert list(got["GROUP"]) == list(rows["GROUP"]), case
        close(got["TIME"], rows["time"], f"{case} time")
        assert list(got["N_RISK"]) == list(rows["n_risk"])
        close(got["LOWER"], rows["lower"], f"{case} {level} lower")
        close(got["UPPER"], rows["upper"], f"{case} {level} upper")
        checked += len(rows)
    assert checked > 20
