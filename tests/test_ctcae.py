"""CTCAE v5.0 table, grade definitions and ADAE checks."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CONFORMANCE

from medcare_metrics import ctcae
from medcare_metrics.loading import load_trial


def test_table_size() -> None:
    # ctcae_v5.SOURCE.md: 837 terms, 26 SOCs.
    table = ctcae.ctcae_table()
    assert len(table) == 837
    assert table["SOC"].nunique() == 26
    assert table["TERM"].str.casefold().is_unique


def test_table_is_a_copy() -> None:
    table = ctcae.ctcae_table()
    table.loc[0, "TERM"] = "changed"
    assert ctcae.ctcae_table().loc[0, "TERM"] != "changed"


def test_terms_case_insensitive() -> None:
    assert ctcae.is_ctcae_term("NAUSEA")
    assert ctcae.is_ctcae_term("  nausea ")
    assert not ctcae.is_ctcae_term("Nausea and vomiting")
    assert not ctcae.is_ctcae_term(None)
    assert ctcae.term_soc("FATIGUE") == "General disorders and administration site conditions"
    assert ctcae.term_soc("unknown") is None


def test_term_grades() -> None:
    # CTCAE v5.0: Nausea has grades 1-3 only; Diarrhea 1-5; Disseminated intravascular coagulation 2-5.
    assert ctcae.term_grades("Nausea") == (1, 2, 3)
    assert ctcae.term_grades("diarrhea") == (1, 2, 3, 4, 5)
    assert ctcae.term_grades("Disseminated intravascular coagulation") == (2, 3, 4, 5)
    assert ctcae.term_grades("not a term") is None


def test_grade_definition() -> None:
    assert ctcae.grade_definition("NAUSEA", 1) == "Loss of appetite without alteration in eating habits"
    assert ctcae.grade_definition("Fatigue", "3") == "Fatigue not relieved by rest, limiting self care ADL"
    assert ctcae.grade_definition("Diarrhea", 5) == "Death"
    assert ctcae.grade_definition("Nausea", 4) is None  # " -" in CTCAE
    assert ctcae.grade_definition("Nausea", 0) is None
    assert ctcae.grade_definition("Nausea", 6) is None
    assert ctcae.grade_definition("Nausea", pd.NA) is None
    assert ctcae.grade_definition("not a term", 1) is None


@pytest.fixture
def adae() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S6", "S7"],
            "AEDECOD": ["Nausea", "Headache", "NAUSEA", "Fatigue", "Made-up term", "Nausea", "Diarrhea"],
            "AEBODSYS": [
                "Gastrointestinal disorders",
                "Nervous system disorders",
                "GASTROINTESTINAL DISORDERS",
                "General disorders and administration site conditions",
                "Gastrointestinal disorders",
                "Gastrointestinal disorders",
                "Nervous system disorders",
            ],
            "ATOXGR": pd.array([2, 0, 4, pd.NA, 1, 6, 3], dtype="Int64"),
        }
    )


def test_problems(adae: pd.DataFrame) -> None:
    problems = ctcae.ctcae_problems(adae)
    assert list(problems.columns) == ["row", "USUBJID", "AEDECOD", "ATOXGR", "problem"]
    by_row: dict[int, list[str]] = {}
    for r in problems.itertuples():
        by_row.setdefault(int(r.row), []).append(r.problem)
    # Row 0 (Nausea 2) is clean; upper-case SOC in row 2 matches.
    assert set(by_row) == {1, 2, 3, 4, 5, 6}
    assert by_row[1] == ["grade 0 (CTCAE grades are 1-5)"]
    assert len(by_row[2]) == 1 and by_row[2][0].startswith("grade 4 not defined for Nausea")
    assert by_row[3][0].startswith("grade missing")
    assert by_row[4] == ["term not in CTCAE v5.0"]
    assert by_row[5] == ["grade 6 above 5"]
    assert len(by_row[6]) == 1 and by_row[6][0].startswith("note: SOC")
    assert problems.loc[problems["row"] == 2, "ATOXGR"].iloc[0] == 4
    assert problems.loc[problems["row"] == 4, "USUBJID"].iloc[0] == "S5"


def test_problems_carry_the_event_keys_when_adae_has_them(adae: pd.DataFrame) -> None:
    keyed = adae.assign(
        AESEQ=pd.array([11, 12, 13, 14, 15, 16, 17], dtype="Int64"),
        ASTDT=pd.to_datetime(["2024-01-0" + str(d) for d in range(1, 8)]),
    )
    problems = ctcae.ctcae_problems(keyed)
    assert list(problems.columns) == ["row", "USUBJID", "AESEQ", "ASTDT", "AEDECOD", "ATOXGR", "problem"]
    made_up = problems[problems["problem"] == "term not in CTCAE v5.0"]
    assert made_up["AESEQ"].tolist() == [15]
    assert made_up["ASTDT"].tolist() == [pd.Timestamp("2024-01-05")]


def test_problems_clean_is_empty(adae: pd.DataFrame) -> None:
    problems = ctcae.ctcae_problems(adae.iloc[[0]])
    assert problems.empty
    assert list(problems.columns) == list(ctcae.PROBLEM_COLUMNS)


def test_problems_aetoxgr(adae: pd.DataFrame) -> None:
    problems = ctcae.ctcae_problems(adae.rename(columns={"ATOXGR": "AETOXGR"}))
    assert "grade 0 (CTCAE grades are 1-5)" in set(problems["problem"])


def test_severity_only_data_skip_terms_unless_asked(adae: pd.DataFrame) -> None:
    severity = adae.drop(columns="ATOXGR").assign(AESEV="MILD")
    assert ctcae.ctcae_problems(severity).empty
    forced = ctcae.ctcae_problems(severity, check_terms=True)
    soc_note = "note: SOC 'Nervous system disorders' differs from CTCAE SOC 'Gastrointestinal disorders'"
    assert list(forced["problem"]) == ["term not in CTCAE v5.0", soc_note]
    assert forced["ATOXGR"].isna().all()


def test_problems_need_aedecod() -> None:
    with pytest.raises(ValueError, match="AEDECOD"):
        ctcae.ctcae_problems(pd.DataFrame({"USUBJID": ["S1"]}))


def test_conformance_terms() -> None:
    # ctcae_v5.SOURCE.md: of the 242 distinct AEDECOD values in the CDISC-pilot AE data, 62 are CTCAE terms.
    trial = load_trial(CONFORMANCE / "pharmaverseadam").trial
    assert trial is not None and trial.adae is not None
    problems = ctcae.ctcae_problems(trial.adae, check_terms=True)
    unknown = problems.loc[problems["problem"] == "term not in CTCAE v5.0", "AEDECOD"].nunique()
    assert trial.adae["AEDECOD"].nunique() == 242
    assert unknown == 242 - 62
