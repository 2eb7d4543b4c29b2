"""The ADaM rules of medcare_metrics.rules on tiny hand-built values."""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics import rules


def test_units_in_days() -> None:
    assert rules.unit_days("days") == 1.0
    assert rules.unit_days(" Week ") == 7.0
    assert rules.unit_days("MONTHS") == pytest.approx(30.4375)
    assert rules.unit_days("YEARS") == 365.25
    with pytest.raises(ValueError, match="unknown time unit 'fortnights'"):
        rules.unit_days("fortnights")
    days = rules.days_per_unit(pd.Series(["DAYS", "months", None, "hours"]))
    assert days.iloc[0] == 1.0
    assert days.iloc[1] == pytest.approx(30.4375)
    assert days.iloc[2:].isna().all()


def test_event_is_cnsr_zero_only() -> None:
    events = rules.is_event(pd.Series([0, 1, 2, None, "0", 0.0]))
    assert events.tolist() == [True, False, False, False, True, True]


def test_high_grade_from_three() -> None:
    assert rules.is_high_grade(pd.Series([1, 2, 3, 4, 5, None])).tolist() == [
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert rules.is_high_grade(pd.Series([1, 2]), high_grade=2).tolist() == [False, True]


def test_flags_and_enrolled() -> None:
    adsl = pd.DataFrame({"ENRLFL": ["Y", " y", "N", None]})
    assert rules.flag_yes(adsl, "ENRLFL").tolist() == [True, True, False, False]
    assert rules.enrolled_mask(adsl).tolist() == [True, True, False, False]
    assert rules.enrolled_population(adsl).rule == 'ENRLFL = "Y"'
    no_flag = pd.DataFrame({"USUBJID": ["A", "B"]})
    assert rules.enrolled_mask(no_flag).tolist() == [True, True]
    assert "no ENRLFL" in rules.enrolled_population(no_flag).rule


@pytest.mark.parametrize(
    ("columns", "expected", "rule"),
    [
        (
            {"SAFFL": ["Y", "N", "Y"], "TRTSDT": [None, "2024-01-01", None]},
            [True, False, True],
            'SAFFL = "Y"',
        ),
        ({"TRTSDT": ["2024-01-01", None, "2024-02-01"]}, [True, False, True], "treated"),
        ({"ENRLFL": ["N", "Y", "Y"]}, [False, True, True], "enrolled"),
        ({"AGE": [1, 2, 3]}, [True, True, True], "all ADSL subjects"),
    ],
)
def test_safety_population_falls_back_in_order(columns: dict, expected: list[bool], rule: str) -> None:
    mask, population = rules.safety_mask(pd.DataFrame(columns))
    assert mask.tolist() == expected
    assert population.name == "safety population"
    assert population.rule.startswith(rule)


def test_treatment_emergent() -> None:
    adae = pd.DataFrame({"TRTEMFL": ["Y", "N", None]})
    assert rules.treatment_emergent_mask(adae).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="no TRTEMFL"):
        rules.treatment_emergent_mask(pd.DataFrame({"AEDECOD": ["x"]}))


def test_off_study_from_end_of_study_status() -> None:
    adsl = pd.DataFrame({"EOSSTT": ["ONGOING", "completed ", "DISCONTINUED", None]})
    assert rules.off_study_mask(adsl).tolist() == [False, True, True, False]
    assert rules.off_study_mask(pd.DataFrame({"AGE": [70]})).tolist() == [False]


def test_related_means_possibly_related_or_stronger() -> None:
    aerel = pd.Series([" possibly related", "RELATED", "Y", "UNLIKELY RELATED", "NOT RELATED", None, "N"])
    assert rules.is_related(aerel).tolist() == [True, True, True, False, False, False, False]
