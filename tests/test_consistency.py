"""Contradictions between datasets (medcare_metrics.consistency) on hand-built trials with known answers."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from medcare_metrics.consistency import (
    CONSISTENCY_COLUMNS,
    RULES,
    consistency_problems,
    consistency_rules_not_checked,
)
from medcare_metrics.loading import example_path, load_trial
from medcare_metrics.model import TrialData


def _dates(values: list[str]) -> pd.Series:
    return pd.to_datetime(pd.Series(values), errors="coerce")


def _trial() -> TrialData:
    """A consistent trial, dtypes as loading leaves them.

    S1 enrolled, died 2024-03-10 (grade 5 AE that day, OS event that day, AVAL 434 = ADT - STARTDT);
    S2 enrolled, alive, OS censored at the cut-off (AVAL 516 = 515 + 1, the other convention), NEST-FS
    event on day 181 and PFS event later on day 303; S3 screen failure with NLES 4 and no other records.
    Lesions: S1 two conventional plus one PSMA-only (NLES 2); S2 two local-recurrence rows (NLES 1).
    """
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "SITEID": ["01", "01", "02"],
            "ENRLFL": ["Y", "Y", "N"],
            "ENRLDT": _dates(["2023-01-01", "2023-02-01", ""]),
            "TRTSDT": _dates(["2023-01-10", "2023-02-10", ""]),
            "NLES": pd.array([2, 1, 4], dtype="Int64"),
            "DTHFL": ["Y", "N", "N"],
            "DTHDT": _dates(["2024-03-10", "", ""]),
            "DCUTDT": _dates(["2024-06-30"] * 3),
        }
    )
    adtte = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S2", "S2"],
            "PARAMCD": ["OS", "OS", "NESTFS", "PFS"],
            "AVAL": [434.0, 516.0, 181.0, 303.0],
            "AVALU": "DAYS",
            "CNSR": pd.array([0, 1, 0, 0], dtype="Int64"),
            "STARTDT": _dates(["2023-01-01", "2023-02-01", "2023-02-01", "2023-02-01"]),
            "ADT": _dates(["2024-03-10", "2024-06-30", "2023-08-01", "2023-12-01"]),
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2"],
            "AESEQ": pd.array([1, 1], dtype="Int64"),
            "AEDECOD": ["Sepsis", "Fatigue"],
            "ATOXGR": pd.array([5, 2], dtype="Int64"),
            "AETOXGR": pd.array([5, 2], dtype="Int64"),
            "ASTDT": _dates(["2024-03-10", "2023-03-01"]),
        }
    )
    adtu = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S2", "S2"],
            "TULNKID": ["L1", "L2", "L3", "L1", "L2"],
            "TULOCCAT": ["Bone", "Lymph node", "Bone", "Local recurrence", "Local recurrence"],
            "TUMETHOD": ["Conventional", "Conventional", "PSMA PET-CT only", "Conventional", "Conventional"],
        }
    )
    adlb = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2"],
            "PARAMCD": ["PSA", "PSA"],
            "AVAL": [2.0, 1.5],
            "ADT": _dates(["2023-01-05", "2023-02-05"]),
        }
    )
    return TrialData(adsl=adsl, adtte=adtte, adae=adae, adtu=adtu, adlb=adlb, name="hand-built")


def _found(trial: TrialData) -> list[list[str]]:
    return consistency_problems(trial)[["USUBJID", "DATASET", "COLUMN", "RULE"]].values.tolist()


def test_consistent_trial_has_no_findings_and_every_rule_checked() -> None:
    trial = _trial()
    found = consistency_problems(trial)
    assert found.empty
    assert list(found.columns) == list(CONSISTENCY_COLUMNS)
    assert consistency_rules_not_checked(trial).empty


def test_grade5_for_a_subject_recorded_alive_and_censored() -> None:
    trial = _trial()
    adae = trial.adae.copy()
    adae.loc[1, ["ATOXGR", "AETOXGR"]] = 5  # S2: DTHFL N, no DTHDT, OS censored
    found = consistency_problems(replace(trial, adae=adae))
    assert found[["USUBJID", "DATASET", "COLUMN", "RULE"]].values.tolist() == [
        ["S2", "ADAE", "ATOXGR", "GRADE5_NOT_DEAD"]
    ]
    detail = found.loc[0, "DETAIL"]
    assert "Fatigue" in detail and "DTHFL N" in detail and "OS is censored" in detail


def test_grade5_checked_with_either_source_of_death() -> None:
    trial = _trial()
    adae = trial.adae.copy()
    adae.loc[1, ["ATOXGR", "AETOXGR"]] = 5
    no_death_columns = replace(trial, adae=adae, adsl=trial.adsl.drop(columns=["DTHFL", "DTHDT"]))
    assert _found(no_death_columns) == [["S2", "ADAE", "ATOXGR", "GRADE5_NOT_DEAD"]]
    only_adsl = replace(trial, adae=adae, adtte=None)
    found = consistency_problems(only_adsl)
    assert found["RULE"].tolist() == ["GRADE5_NOT_DEAD"]
    assert "OS" not in found.loc[0, "DETAIL"]


def test_grade5_without_os_record() -> None:
    trial = _trial()
    adae = trial.adae.copy()
    adae.loc[1, ["ATOXGR", "AETOXGR"]] = 5
    adsl = trial.adsl.copy()
    adsl.loc[1, ["DTHFL", "DTHDT"]] = ["Y", pd.Timestamp("2023-03-01")]
    adtte = trial.adtte.loc[trial.adtte["PARAMCD"] != "OS"].copy()
    adtte = pd.concat([trial.adtte.iloc[[0]], adtte], ignore_index=True)  # S1's OS kept, S2 has none
    found = consistency_problems(replace(trial, adae=adae, adsl=adsl, adtte=adtte))
    assert found["RULE"].tolist() == ["GRADE5_NOT_DEAD"]
    assert "no OS record" in found.loc[0, "DETAIL"]


def test_analysis_and_collected_grades_differ() -> None:
    trial = _trial()
    adae = trial.adae.copy()
    adae.loc[0, "AETOXGR"] = 2  # S1 ATOXGR 5, died: only the mismatch
    found = consistency_problems(replace(trial, adae=adae))
    assert found[["USUBJID", "COLUMN", "RULE"]].values.tolist() == [["S1", "ATOXGR", "GRADE_MISMATCH"]]
    assert "ATOXGR 5 but AETOXGR 2" in found.loc[0, "DETAIL"]


def test_missing_grade_is_not_a_mismatch() -> None:
    trial = _trial()
    adae = trial.adae.copy()
    adae.loc[1, "AETOXGR"] = pd.NA
    assert consistency_problems(replace(trial, adae=adae)).empty


def test_death_flag_without_date() -> None:
    trial = _trial()
    adsl = trial.adsl.copy()
    adsl.loc[0, "DTHDT"] = pd.NaT
    assert _found(replace(trial, adsl=adsl)) == [["S1", "ADSL", "DTHDT", "DTHFL_NO_DTHDT"]]


def test_death_date_without_flag() -> None:
    trial = _trial()
    adsl = trial.adsl.copy()
    adsl.loc[0, "DTHFL"] = "N"
    found = consistency_problems(replace(trial, adsl=adsl))
    assert found[["USUBJID", "COLUMN", "RULE"]].values.tolist() == [["S1", "DTHFL", "DTHDT_NO_DTHFL"]]
    assert found.loc[0, "DETAIL"] == "Death date DTHDT 2024-03-10 but DTHFL N."


def test_os_event_for_a_subject_alive() -> None:
    trial = _trial()
    adtte = trial.adtte.copy()
    adtte.loc[1, "CNSR"] = 0  # S2 OS event on 2024-06-30, ADSL DTHFL N
    assert _found(replace(trial, adtte=adtte)) == [["S2", "ADTTE", "CNSR", "OS_EVENT_NOT_DEAD"]]


def test_dead_subject_with_censored_os() -> None:
    trial = _trial()
    adtte = trial.adtte.copy()
    adtte.loc[0, "CNSR"] = 1  # S1 died, also has a grade 5 AE
    assert _found(replace(trial, adtte=adtte)) == [
        ["S1", "ADAE", "ATOXGR", "GRADE5_NOT_DEAD"],
        ["S1", "ADTTE", "CNSR", "DEAD_OS_CENSORED"],
    ]


def test_death_date_differs_from_os_event_date() -> None:
    trial = _trial()
    adtte = trial.adtte.copy()
    adtte.loc[0, ["ADT", "AVAL"]] = [pd.Timestamp("2024-03-12"), 436.0]  # two days after DTHDT
    found = consistency_problems(replace(trial, adtte=adtte))
    assert found[["USUBJID", "COLUMN", "RULE"]].values.tolist() == [["S1", "ADT", "DEATH_DATE_OS"]]
    assert "2024-03-12" in found.loc[0, "DETAIL"] and "by 2 days" in found.loc[0, "DETAIL"]


def test_dates_after_the_cutoff() -> None:
    trial = _trial()
    adlb = trial.adlb.copy()
    adlb.loc[1, "ADT"] = pd.Timestamp("2024-07-01")  # cut-off 2024-06-30
    adae = trial.adae.copy()
    adae.loc[1, "ASTDT"] = pd.Timestamp("2024-06-30")  # on the cut-off: allowed
    found = consistency_problems(replace(trial, adlb=adlb, adae=adae))
    assert found[["USUBJID", "DATASET", "COLUMN", "RULE"]].values.tolist() == [
        ["S2", "ADLB", "ADT", "AFTER_CUTOFF"]
    ]
    assert found.loc[0, "DETAIL"] == "PSA ADT 2024-07-01 is after the data cut-off 2024-06-30."


def test_registration_after_the_cutoff() -> None:
    trial = _trial()
    adsl = trial.adsl.copy()
    adsl.loc[1, "ENRLDT"] = pd.Timestamp("2024-08-01")
    assert _found(replace(trial, adsl=adsl)) == [["S2", "ADSL", "ENRLDT", "AFTER_CUTOFF"]]


@pytest.mark.parametrize(("aval", "flagged"), [(515.0, False), (516.0, False), (514.0, True), (520.0, True)])
def test_aval_against_dates(aval: float, flagged: bool) -> None:
    # S2 OS: 2023-02-01 to 2024-06-30 is 365 + 29 + 31 + 30 + 31 + 29 = 515 days.
    trial = _trial()
    adtte = trial.adtte.copy()
    adtte.loc[1, "AVAL"] = aval
    expected = [["S2", "ADTTE", "AVAL", "AVAL_DAYS"]] if flagged else []
    assert _found(replace(trial, adtte=adtte)) == expected


def test_aval_in_other_units_not_compared() -> None:
    trial = _trial()
    adtte = trial.adtte.copy()
    adtte.loc[1, ["AVAL", "AVALU"]] = [16.9, "MONTHS"]
    assert consistency_problems(replace(trial, adtte=adtte)).empty


def test_nles_differs_from_adtu() -> None:
    trial = _trial()
    adsl = trial.adsl.copy()
    adsl.loc[0, "NLES"] = 3  # ADTU: two conventional lesions (the PSMA-only one does not count)
    found = consistency_problems(replace(trial, adsl=adsl))
    assert found[["USUBJID", "COLUMN", "RULE"]].values.tolist() == [["S1", "NLES", "NLES_ADTU"]]
    assert "NLES 3, but ADTU holds 2 lesions" in found.loc[0, "DETAIL"]


def test_enrolled_patient_without_lesions_in_adtu() -> None:
    trial = _trial()
    adtu = trial.adtu.loc[trial.adtu["USUBJID"] == "S1"]
    assert _found(replace(trial, adtu=adtu)) == [["S2", "ADSL", "NLES", "NLES_ADTU"]]


def test_records_of_a_subject_not_enrolled() -> None:
    trial = _trial()
    adae = pd.concat([trial.adae, trial.adae.iloc[[1]].assign(USUBJID="S3")], ignore_index=True)
    adlb = pd.concat([trial.adlb, trial.adlb.iloc[[0, 1]].assign(USUBJID="S3")], ignore_index=True)
    found = consistency_problems(replace(trial, adae=adae, adlb=adlb))
    assert found[["USUBJID", "DATASET", "RULE"]].values.tolist() == [
        ["S3", "ADAE", "NOT_ENROLLED_RECORDS"],
        ["S3", "ADLB", "NOT_ENROLLED_RECORDS"],
    ]
    assert found.loc[1, "DETAIL"] == "2 ADLB records for a subject not enrolled (ENRLFL N)."


def test_rules_skipped_when_columns_absent() -> None:
    trial = _trial()
    bare = replace(
        trial,
        adae=trial.adae.drop(columns=["AETOXGR"]),
        adtu=None,
        adsl=trial.adsl.drop(columns=["DCUTDT"]),
    )
    skipped = consistency_rules_not_checked(bare)
    assert skipped[["RULE", "MISSING"]].values.tolist() == [
        ["GRADE_MISMATCH", "ADAE.AETOXGR"],
        ["AFTER_CUTOFF", "ADSL.DCUTDT"],
        ["NLES_ADTU", "ADTU"],
    ]
    adsl_only = TrialData(adsl=trial.adsl[["USUBJID", "SITEID"]])
    assert len(consistency_rules_not_checked(adsl_only)) == len(RULES)
    assert consistency_problems(adsl_only).empty


def test_os_rules_need_os_records() -> None:
    trial = _trial()
    adtte = trial.adtte.loc[trial.adtte["PARAMCD"] != "OS"]
    skipped = consistency_rules_not_checked(replace(trial, adtte=adtte))
    assert skipped["RULE"].tolist() == ["OS_EVENT_NOT_DEAD", "DEAD_OS_CENSORED", "DEATH_DATE_OS"]
    assert set(skipped["MISSING"]) == {"ADTTE rows with PARAMCD OS"}


def test_shipped_example_is_consistent() -> None:
    trial = load_trial(example_path()).trial
    assert trial is not None
    assert consistency_problems(trial).empty
    assert consistency_rules_not_checked(trial).empty


def test_rules_run_on_the_rule_engine() -> None:
    from medcare_metrics.checks import Rule, run_rules

    trial = _trial()
    adsl = trial.adsl.copy()
    adsl.loc[0, "DTHFL"] = "N"  # S1 died (DTHDT) but DTHFL says otherwise
    trial = replace(trial, adsl=adsl)
    assert all(isinstance(rule, Rule) for rule in RULES)
    result = run_rules(RULES, trial)
    pd.testing.assert_frame_equal(
        result.findings.loc[:, list(CONSISTENCY_COLUMNS)], consistency_problems(trial), check_dtype=False
    )
    assert "DTHDT_NO_DTHFL" in set(result.findings["RULE"])
    pd.testing.assert_frame_equal(result.not_checked, consistency_rules_not_checked(trial))
