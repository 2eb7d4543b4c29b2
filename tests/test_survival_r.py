"""Survival statistics against numbers computed by R's survival package (3.5-3).

Two sources of R output, both committed, so the tests never run R:
- tests/fixtures/r/*.csv, written by make_fixtures.R (same folder) from tiny hand-made cases and the example
  trial (its input copied to example_input.csv);
- tests/data/conformance/*/reference/*.csv, written by make_reference.R from public ADaM data (not ours).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import CONFORMANCE

from medcare_metrics import survival as sv

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "r"
ATOL = 1e-9


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=0, atol=ATOL, err_msg=what
    )


# --------------------------------------------------------------------------------------------------
# Tiny hand-made cases (tests/fixtures/r/tiny_cases.csv)
# --------------------------------------------------------------------------------------------------

TINY = read(FIXTURES / "tiny_cases.csv")
TINY_CASES = list(dict.fromkeys(TINY["case"]))
CONF_TYPES = ["log", "log-log", "plain"]


def tiny_tte(case: str) -> pd.DataFrame:
    d = TINY[TINY["case"] == case]
    return pd.DataFrame(
        {
            "USUBJID": d["USUBJID"].to_numpy(),
            "TIME": d["TIME"].to_numpy(float),
            "EVENT": d["EVENT"].to_numpy() == 1,
            "GROUP": d["GROUP"].to_numpy(),
        }
    )


def r_rows(name: str, source: str, case: str, **where) -> pd.DataFrame:
    d = read(FIXTURES / name)
    d = d[(d["source"] == source) & (d["case"] == case)]
    for key, value in where.items():
        d = d[d[key] == value]
    return d.reset_index(drop=True)


def test_tiny_fixture_covers_the_required_cases():
    required = {
        "all_censored",
        "one_event",
        "ties",
        "event_at_zero",
        "half_plateau",
        "one_member_group",
        "no_events_group",
    }
    assert required <= set(TINY_CASES)


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", TINY_CASES)
def test_km_table_matches_survfit(case, conf_type):
    expected = r_rows("km.csv", "tiny", case, conf_type=conf_type)
    got = sv.km_table(tiny_tte(case), sv.KMOptions(conf_type))
    assert list(got["GROUP"]) == list(expected["GROUP"])
    for r_col, col in [
        ("time", "TIME"),
        ("n_risk", "N_RISK"),
        ("n_event", "N_EVENT"),
        ("n_censor", "N_CENSOR"),
        ("surv", "SURV"),
        ("std_err", "STD_ERR"),
        ("lower", "LOWER"),
        ("upper", "UPPER"),
    ]:
        close(got[col], expected[r_col], f"{case} {conf_type} {col}")


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", TINY_CASES)
def test_km_medians_match_print_survfit(case, conf_type):
    expected = r_rows("medians.csv", "tiny", case, conf_type=conf_type)
    got = sv.km_medians(tiny_tte(case), sv.KMOptions(conf_type))
    assert list(got["GROUP"]) == list(expected["GROUP"])
    for r_col, col in [
        ("n", "N"),
        ("events", "EVENTS"),
        ("median", "MEDIAN"),
        ("lcl", "LOWER"),
        ("ucl", "UPPER"),
    ]:
        close(got[col], expected[r_col], f"{case} {conf_type} {col}")


@pytest.mark.parametrize("extend", [True, False])
@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize("case", TINY_CASES)
def test_survival_at_matches_summary_times(case, conf_type, extend):
    times = [-1, 0, 0.5, 1, 2, 2.5, 3, 4, 5, 7, 9, 12, 100]  # as make_fixtures.R
    expected = r_rows("at_risk.csv", "tiny", case, conf_type=conf_type, extend=extend)
    got = sv.survival_at(tiny_tte(case), times, sv.KMOptions(conf_type), extend=extend)
    if not extend:
        # R omits times after a group's last follow-up; we keep them with an unknown estimate.
        last = tiny_tte(case).groupby("GROUP")["TIME"].max()
        beyond = got["TIME"].to_numpy() > got["GROUP"].map(last).to_numpy()
        assert got.loc[beyond, ["SURV", "LOWER", "UPPER"]].isna().all().all()
        assert (got.loc[beyond, "N_RISK"] == 0).all()
        got = got[~beyond].reset_index(drop=True)
    assert list(got["GROUP"]) == list(expected["GROUP"])
    for r_col, col in [
        ("time", "TIME"),
        ("n_risk", "N_RISK"),
        ("n_event", "N_EVENT"),
        ("n_censor", "N_CENSOR"),
        ("surv", "SURV"),
        ("lower", "LOWER"),
        ("upper", "UPPER"),
    ]:
        close(got[col], expected[r_col], f"{case} {conf_type} extend={extend} {col}")


LOGRANK_CASES = list(read(FIXTURES / "logrank.csv").query("source == 'tiny'")["case"])


@pytest.mark.parametrize("case", LOGRANK_CASES)
def test_logrank_matches_survdiff(case):
    expected = r_rows("logrank.csv", "tiny", case).iloc[0]
    got = sv.logrank_test(tiny_tte(case))
    assert got is not None
    close(got.chisq, expected["chisq"], "chisq")
    assert got.df == expected["df"]
    close(got.p, expected["p"], "p")


@pytest.mark.parametrize("case", LOGRANK_CASES)
def test_pairwise_logrank_matches_survdiff_on_each_pair(case):
    expected = r_rows("pairwise.csv", "tiny", case)
    got = sv.pairwise_logrank(tiny_tte(case))
    assert list(zip(got["GROUP_A"], got["GROUP_B"], strict=True)) == list(
        zip(expected["group_a"], expected["group_b"], strict=True)
    )
    assert_pairwise(got, expected)


def assert_pairwise(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    close(got["CHISQ"], expected["chisq"], "chisq")
    # R's df is -1 when neither group has expected events; we report 0, and no p-value below df 1.
    assert list(got["DF"]) == [max(d, 0) for d in expected["df"]]
    testable = expected["df"].to_numpy() >= 1
    close(got["P"][testable], expected["p"][testable], "p")
    assert got["P"][~testable].isna().all()
    assert list(got["EVENTS"]) == list(expected["events"])


COX_CASES = list(
    read(FIXTURES / "cox.csv").query("source == 'tiny' and warning.isna()", engine="python")["case"]
)


@pytest.mark.parametrize("case", COX_CASES)
def test_cox_matches_coxph_efron(case):
    expected = r_rows("cox.csv", "tiny", case).iloc[0]
    got = sv.cox_hazard_ratio(tiny_tte(case))
    assert got is not None and not got.note
    assert (got.reference, got.comparator) == (expected["reference"], expected["comparator"])
    assert (got.n, got.events) == (expected["n"], expected["events"])
    for name in ["coef", "se", "hr", "lower", "upper", "p"]:
        close(getattr(got, name), expected[name], name)


def test_cox_monotone_likelihood_is_not_estimable():
    # B's only event happens when B is alone at risk: the likelihood rises towards HR = 0 and R warns
    # that it did not converge (the coefficient runs off to -infinity).
    expected = r_rows("cox.csv", "tiny", "cox_monotone").iloc[0]
    assert expected["warning"]  # R: "Ran out of iterations and did not converge"
    got = sv.cox_hazard_ratio(tiny_tte("cox_monotone"))
    assert np.isnan(got.hr) and "infinit" in got.note


def test_cox_with_a_group_without_events_is_not_estimable():
    # R warns and reports a huge |coef| with an enormous standard error (see cox.csv); we say it instead.
    expected = r_rows("cox.csv", "tiny", "no_events_group").iloc[0]
    assert expected["warning"] and abs(expected["coef"]) > 10
    got = sv.cox_hazard_ratio(tiny_tte("no_events_group"))
    assert got is not None
    assert np.isnan(got.hr) and np.isnan(got.p)
    assert "no events in B" in got.note


# --------------------------------------------------------------------------------------------------
# The example trial, as copied to tests/fixtures/r/example_input.csv
# --------------------------------------------------------------------------------------------------

EXAMPLE_INPUT = FIXTURES / "example_input.csv"  # the example trial's ADTTE as make_fixtures.R used it
EXAMPLE_KM = read(FIXTURES / "km.csv").query("source == 'example'")
EXAMPLE_KEYS = sorted(set(zip(EXAMPLE_KM["case"], EXAMPLE_KM["by"], strict=True)))


def example_tte(paramcd: str, by: str) -> pd.DataFrame:
    adtte = pd.read_csv(EXAMPLE_INPUT, keep_default_na=False, na_values=[""], dtype={"SITEID": str})
    tte = sv.time_to_event(adtte, paramcd, by=None if by == "ALL" else by)
    return tte[tte["GROUP"] != sv.MISSING_GROUP].reset_index(drop=True)


def test_example_trial_fixtures_are_present():
    assert EXAMPLE_INPUT.exists()
    assert {("NESTFS", "ALL"), ("NESTFS", "MDTTYPE"), ("PFS", "ALL"), ("OS", "ALL")} <= set(EXAMPLE_KEYS)


@pytest.mark.parametrize("conf_type", CONF_TYPES)
@pytest.mark.parametrize(("paramcd", "by"), EXAMPLE_KEYS)
def test_example_trial_matches_r(paramcd, by, conf_type):
    tte = example_tte(paramcd, by)
    options = sv.KMOptions(conf_type)
    expected = r_rows("km.csv", "example", paramcd, by=by, conf_type=conf_type)
    got = sv.km_table(tte, options)
    assert list(got["GROUP"]) == list(expected["GROUP"])
    for r_col, col in [
        ("time", "TIME"),
        ("n_risk", "N_RISK"),
        ("n_event", "N_EVENT"),
        ("n_censor", "N_CENSOR"),
        ("surv", "SURV"),
        ("std_err", "STD_ERR"),
        ("lower", "LOWER"),
        ("upper", "UPPER"),
    ]:
        close(got[col], expected[r_col], f"{paramcd} {by} {conf_type} {col}")
    med = r_rows("medians.csv", "example", paramcd, by=by, conf_type=conf_type)
    got_med = sv.km_medians(tte, options)
    assert list(got_med["GROUP"]) == list(med["GROUP"])
    for r_col, col in [
        ("n", "N"),
        ("events", "EVENTS"),
        ("median", "MEDIAN"),
        ("lcl", "LOWER"),
        ("ucl", "UPPER"),
    ]:
        close(got_med[col], med[r_col], f"{paramcd} {by} {conf_type} median {col}")
    for extend in (True, False):
        risk = r_rows("at_risk.csv", "example", paramcd, by=by, conf_type=conf_type, extend=extend)
        got_risk = sv.survival_at(tte, [0, 91, 182, 365, 548, 730], options, extend=extend)
        got_risk = got_risk[got_risk["SURV"].notna() | extend].reset_index(drop=True)
        assert list(got_risk["GROUP"]) == list(risk["GROUP"])
        for r_col, col in [
            ("time", "TIME"),
            ("n_risk", "N_RISK"),
            ("n_event", "N_EVENT"),
            ("n_censor", "N_CENSOR"),
            ("surv", "SURV"),
            ("lower", "LOWER"),
            ("upper", "UPPER"),
        ]:
            close(got_risk[col], risk[r_col], f"{paramcd} {by} {conf_type} extend={extend} at risk {col}")


@pytest.mark.parametrize(("paramcd", "by"), [k for k in EXAMPLE_KEYS if k[1] != "ALL"])
def test_example_trial_logrank_matches_survdiff(paramcd, by):
    tte = example_tte(paramcd, by)
    lr = r_rows("logrank.csv", "example", paramcd, by=by).iloc[0]
    got = sv.logrank_test(tte)
    close(got.chisq, lr["chisq"], "chisq")
    assert got.df == lr["df"]
    close(got.p, lr["p"], "p")
    assert " | ".join(got.table["GROUP"]) == lr["groups"]
    assert_pairwise(sv.pairwise_logrank(tte), r_rows("pairwise.csv", "example", paramcd, by=by))


def test_example_trial_cox_matches_coxph():
    expected = read(FIXTURES / "cox.csv").query("source == 'example'")
    assert len(expected)
    for _, row in expected.iterrows():
        tte = example_tte(row["case"], row["by"])
        got = sv.cox_hazard_ratio(tte[tte["GROUP"].isin([row["reference"], row["comparator"]])])
        assert (got.reference, got.comparator, got.n, got.events) == (
            row["reference"],
            row["comparator"],
            row["n"],
            row["events"],
        )
        if isinstance(row["warning"], str) and row["warning"]:
            # R: infinite coefficient (a group without events); we report it as not estimable.
            assert np.isnan(got.hr) and got.note
            continue
        for name in ["coef", "se", "hr", "lower", "upper", "p"]:
            close(getattr(got, name), row[name], f"{row['case']} {row['by']} {name}")


# --------------------------------------------------------------------------------------------------
# Conformance data: public ADaM and make_reference.R's numbers
# --------------------------------------------------------------------------------------------------

SOURCES = {"cdiscpilot01": "TRTA", "pharmaverseadam": "ARM"}


def conformance(name: str, file: str) -> pd.DataFrame:
    return read(CONFORMANCE / name / file)


def split_all(d: pd.DataFrame, grouped: bool) -> pd.DataFrame:
    return (d[d["GROUP"] != "ALL"] if grouped else d[d["GROUP"] == "ALL"]).reset_index(drop=True)


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("name", list(SOURCES))
def test_conformance_km_estimates_medians_and_at_risk(name, grouped):
    adtte = conformance(name, "adtte.csv")
    est = conformance(name, "reference/km_estimates.csv")
    med = conformance(name, "reference/km_medians.csv")
    risk = conformance(name, "reference/km_at_risk.csv")
    for paramcd in sorted(adtte["PARAMCD"].unique()):
        tte = sv.time_to_event(adtte, paramcd, by=SOURCES[name] if grouped else None)
        e = split_all(est[est["PARAMCD"] == paramcd], grouped)
        r = split_all(risk[risk["PARAMCD"] == paramcd], grouped)
        for conf_type, suffix in [("log", "log"), ("log-log", "loglog")]:
            options = sv.KMOptions(conf_type)
            what = f"{name} {paramcd} grouped={grouped} {conf_type}"
            got = sv.km_table(tte, options)
            assert list(got["GROUP"]) == list(e["GROUP"]), what
            for r_col, col in [
                ("time", "TIME"),
                ("n_risk", "N_RISK"),
                ("n_event", "N_EVENT"),
                ("n_censor", "N_CENSOR"),
                ("surv", "SURV"),
                ("std_err_log", "STD_ERR"),
                (f"lower_{suffix}", "LOWER"),
                (f"upper_{suffix}", "UPPER"),
            ]:
                close(got[col], e[r_col], f"{what} {col}")
            m = split_all(med[(med["PARAMCD"] == paramcd) & (med["conf_type"] == conf_type)], grouped)
            got_m = sv.km_medians(tte, options)
            assert list(got_m["GROUP"]) == list(m["GROUP"]), what
            for r_col, col in [
                ("n", "N"),
                ("events", "EVENTS"),
                ("median", "MEDIAN"),
                ("lcl_95", "LOWER"),
                ("ucl_95", "UPPER"),
            ]:
                close(got_m[col], m[r_col], f"{what} median {col}")
            got_r = sv.survival_at(tte, sorted(r["time"].unique()), options, extend=True)
            assert list(got_r["GROUP"]) == list(r["GROUP"]), what
            for r_col, col in [
                ("time", "TIME"),
                ("n_risk", "N_RISK"),
                ("n_event_since_prev_time", "N_EVENT"),
                ("surv", "SURV"),
                (f"lower_{suffix}", "LOWER"),
                (f"upper_{suffix}", "UPPER"),
            ]:
                close(got_r[col], r[r_col], f"{what} at risk {col}")


def test_conformance_exact_half_plateau_uses_the_midpoint():
    # pharmaverseadam PFS, Xanomeline Low Dose: S sits at exactly 0.5 and R reports median 61
    # (make_reference.R flags it surv_exactly_half); lifelines reports the first time instead.
    med = conformance("pharmaverseadam", "reference/km_medians.csv")
    flagged = med[med["surv_exactly_half"].astype(str).str.upper() == "TRUE"]
    assert len(flagged)
    adtte = conformance("pharmaverseadam", "adtte.csv")
    for _, row in flagged.iterrows():
        tte = sv.time_to_event(adtte, row["PARAMCD"], by=None if row["GROUP"] == "ALL" else "ARM")
        got = sv.km_medians(tte, sv.KMOptions(row["conf_type"])).set_index("GROUP").loc[row["GROUP"]]
        close(got["MEDIAN"], row["median"], f"{row['PARAMCD']} {row['GROUP']}")


@pytest.mark.parametrize("name", list(SOURCES))
def test_conformance_logrank(name):
    adtte = conformance(name, "adtte.csv")
    lr = conformance(name, "reference/logrank.csv")
    oe = conformance(name, "reference/logrank_obs_exp.csv")
    for paramcd in sorted(adtte["PARAMCD"].unique()):
        tte = sv.time_to_event(adtte, paramcd, by=SOURCES[name])
        got = sv.logrank_test(tte)
        expected = lr[(lr["PARAMCD"] == paramcd) & (lr["comparison"] == "all arms")].iloc[0]
        close(got.chisq, expected["chisq"], f"{name} {paramcd} chisq")
        obs = oe[oe["PARAMCD"] == paramcd]
        close(got.table["OBSERVED"], obs["observed"], "observed")
        close(got.table["EXPECTED"], obs["expected"], "expected")
        # df as survdiff counts it (arms with expected events), so RSD has 1: exactly as the file says.
        assert got.df == expected["df"], f"{name} {paramcd} df"
        close(got.p, expected["p_value"], f"{name} {paramcd} p")
        pw = lr[(lr["PARAMCD"] == paramcd) & (lr["comparison"] == "pairwise")]
        got_pw = sv.pairwise_logrank(tte)
        got_pw = got_pw.assign(groups=got_pw["GROUP_A"] + " | " + got_pw["GROUP_B"]).set_index("groups")
        for _, row in pw.iterrows():
            close(got_pw.loc[row["groups"], "CHISQ"], row["chisq"], f"{name} {paramcd} {row['groups']}")


def test_conformance_rsd_logrank_df_as_survdiff_prints_it():
    # survfit_print.txt: "Chisq= 1  on 1 degrees of freedom, p= 0.3" for RSD (one arm had no one at risk).
    printed = (CONFORMANCE / "pharmaverseadam" / "reference" / "survfit_print.txt").read_text()
    assert "Chisq= 1  on 1 degrees of freedom, p= 0.3" in printed
    got = sv.logrank_test(sv.time_to_event(conformance("pharmaverseadam", "adtte.csv"), "RSD", by="ARM"))
    assert (got.df, round(got.chisq, 9), round(got.p, 1)) == (1, 1.0, 0.3)
