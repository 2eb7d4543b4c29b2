"""The rule engine (medcare_metrics.checks.engine) on tiny hand-built trials."""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics.checks import (
    FINDING_COLUMNS,
    NOT_CHECKED_COLUMNS,
    Condition,
    Needs,
    Records,
    Rule,
    not_checked,
    run_rules,
)
from medcare_metrics.model import TrialData

TRIAL = TrialData(
    adsl=pd.DataFrame({"USUBJID": ["S2", "S1", "S3"], "AGE": [17, 70, 15], "SEX": ["M", "F", "M"]}),
    adtte=pd.DataFrame({"USUBJID": ["S1"], "PARAMCD": ["PFS"], "CNSR": [0]}),
)


def _never(trial: TrialData) -> pd.DataFrame:
    raise AssertionError("a rule whose data are absent must not run")


def _minors(trial: TrialData) -> pd.DataFrame:
    adsl = trial.adsl
    young = adsl.loc[adsl["AGE"] < 18]
    return pd.DataFrame(
        {
            "USUBJID": young["USUBJID"],
            "ROW": young.index,
            "VALUE": young["AGE"].astype(str),
            "DETAIL": "Under 18.",
        }
    )


def _women(trial: TrialData) -> pd.DataFrame:
    adsl = trial.adsl
    women = adsl.loc[adsl["SEX"].eq("F")]
    return pd.DataFrame({"USUBJID": women["USUBJID"], "COLUMN": "SEX", "DETAIL": "Female."})


AGE = Rule("AGE", "Adults only.", (Needs("adsl", ("AGE",)),), _minors, dataset="ADSL", column="AGE")
SEX = Rule("SEX", "Men only.", (Needs("adsl", ("SEX",)),), _women, dataset="ADSL")


def test_rule_with_absent_columns_is_not_checked() -> None:
    rules = (
        Rule("TESTO", "Castrate testosterone.", (Needs("adsl", ("BTESTO", "AGE", "WHOPS")),), _never),
        Rule("LESIONS", "At most 3 lesions.", (Needs("adtu", ("USUBJID",)),), _never),
    )
    result = run_rules(rules, TRIAL)
    assert result.findings.empty and list(result.findings.columns) == list(FINDING_COLUMNS)
    assert list(result.not_checked.columns) == list(NOT_CHECKED_COLUMNS)
    assert result.not_checked.to_dict("records") == [
        {"RULE": "TESTO", "DESCRIPTION": "Castrate testosterone.", "MISSING": "ADSL.BTESTO, ADSL.WHOPS"},
        {"RULE": "LESIONS", "DESCRIPTION": "At most 3 lesions.", "MISSING": "ADTU"},
    ]
    assert (result.n_rules, result.n_checked) == (2, 0)
    pd.testing.assert_frame_equal(not_checked(rules, TRIAL), result.not_checked)


def test_rule_that_finds_rows_reports_them_with_the_uniform_columns() -> None:
    result = run_rules((AGE, SEX), TRIAL)
    findings = result.findings
    assert list(findings.columns) == list(FINDING_COLUMNS)
    # Sorted by subject, then rule order: S1 (female), S2 (17), S3 (15).
    assert findings[["RULE", "USUBJID", "DATASET", "COLUMN", "DETAIL"]].values.tolist() == [
        ["SEX", "S1", "ADSL", "SEX", "Female."],
        ["AGE", "S2", "ADSL", "AGE", "Under 18."],
        ["AGE", "S3", "ADSL", "AGE", "Under 18."],
    ]
    # What a rule gives is kept (ROW, VALUE); what it does not is missing.
    assert findings["ROW"].tolist()[1:] == [0, 2] and pd.isna(findings.at[0, "ROW"])
    assert findings["VALUE"].tolist()[1:] == ["17", "15"] and pd.isna(findings.at[0, "VALUE"])
    assert result.not_checked.empty and result.n_checked == 2


def test_order_by_nothing_keeps_the_rule_order() -> None:
    findings = run_rules((AGE, SEX), TRIAL, order_by=()).findings
    assert findings["USUBJID"].tolist() == ["S2", "S3", "S1"]


def test_records_and_conditions_are_needs_too() -> None:
    os_records = Records("ADTTE rows with PARAMCD OS", lambda adtte: adtte["PARAMCD"].eq("OS"))
    death = Condition(
        lambda t: [] if {"DTHFL", "DTHDT"} & set(t.adsl.columns) else ["ADSL.DTHFL or ADSL.DTHDT"]
    )
    rule = Rule("OS", "OS events die.", (Needs("adtte", ("PARAMCD", "CNSR"), os_records), death), _never)
    assert rule.missing(TRIAL) == ["ADTTE rows with PARAMCD OS", "ADSL.DTHFL or ADSL.DTHDT"]
    # Records are looked for only once the columns are there.
    no_cnsr = TrialData(adsl=TRIAL.adsl, adtte=pd.DataFrame({"PARAMCD": ["PFS"]}))
    assert rule.missing(no_cnsr) == ["ADTTE.CNSR", "ADSL.DTHFL or ADSL.DTHDT"]
    with_os = TrialData(
        adsl=TRIAL.adsl.assign(DTHFL="N"), adtte=pd.DataFrame({"PARAMCD": ["OS"], "CNSR": [0]})
    )
    assert rule.missing(with_os) == []


def test_a_rule_returning_other_columns_is_an_error() -> None:
    def odd(trial: TrialData) -> pd.DataFrame:
        return pd.DataFrame({"USUBJID": ["S1"], "DETAIL": ["x"], "SITEID": ["01"]})

    with pytest.raises(ValueError, match="SITEID"):
        run_rules((Rule("ODD", "Odd.", (), odd),), TRIAL)
