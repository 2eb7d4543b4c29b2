"""Follow-up due or overdue, on a hand-built trial with answers worked out by hand.

Schedule: every 3 months from registration, a month 365.25 / 12 days rounded to whole days, so due dates
for a registration on 2024-01-01 are 2024-04-01 (91 days), 2024-07-02 (183), 2024-10-01 (274); tolerance
30 days either side.

- P1 (centre 01): PSA 2024-03-20, inside the first window (2024-03-02 .. 2024-05-01): next due 2024-07-02,
  whose window opened 2024-06-02: due on 2024-06-15.
- P2 (centre 01): PSA 2024-02-15, before the first window opened: next due 2024-04-01, window closed
  2024-05-01: overdue on 2024-06-15 by 75 days.
- P3 (centre 02): registered 2024-05-01, no PSA: first due 2024-07-31, window opens 2024-07-01: not yet due.
- P4 (centre 02): on study without a registration date.
- P5 off study, P6 dead, P7 not enrolled: not on study.
"""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics.model import TrialData
from medcare_metrics.patients.followup import (
    DUE,
    LAST_CONTACT_BASIS,
    NO_ANCHOR,
    NOT_YET_DUE,
    OVERDUE,
    assessment_dates,
    follow_up_by_centre,
    follow_up_due,
    last_contact_dates,
    on_study_mask,
)
from medcare_metrics.study import Assessment, VisitSchedule

AS_OF = pd.Timestamp("2024-06-15")
PSA_ONLY = VisitSchedule(assessments=(Assessment("PSA", 3),), tolerance_days=30)


def _dates(values: list[str | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(values))


def _trial(adtu: pd.DataFrame | None = None) -> TrialData:
    adsl = pd.DataFrame(
        {
            "USUBJID": [f"P{i}" for i in range(1, 8)],
            "SITEID": ["01", "01", "02", "02", "01", "01", "02"],
            "SITENAME": ["Leuven", "Leuven", "Gent", "Gent", "Leuven", "Leuven", "Gent"],
            "ENRLFL": ["Y", "Y", "Y", "Y", "Y", "Y", "N"],
            "ENRLDT": _dates(
                ["2024-01-01", "2024-01-01", "2024-05-01", None, "2024-01-01", "2024-01-01", None]
            ),
            "EOSSTT": ["ONGOING", "ONGOING", "ONGOING", "ONGOING", "DISCONTINUED", "ONGOING", "ONGOING"],
            "DTHFL": ["N", "N", "N", "N", "N", "Y", "N"],
            "LSTALVDT": _dates(["2024-06-30"] * 7),
            "DCUTDT": _dates(["2024-06-30"] * 7),
        }
    )
    adlb = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P5"],
            "PARAMCD": ["PSA", "PSA", "PSA"],
            "AVAL": [1.0, 2.0, 3.0],
            "ADT": _dates(["2024-03-20", "2024-02-15", "2024-06-01"]),
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["P1"],
            "AEDECOD": ["Fatigue"],
            "ASTDT": _dates(["2024-05-05"]),
            "AENDT": _dates(["2024-07-01"]),  # after the view date: not yet known
        }
    )
    return TrialData(adsl=adsl, adlb=adlb, adae=adae, adtu=adtu)


def _row(due: pd.DataFrame, usubjid: str, assessment: str = "PSA") -> pd.Series:
    hit = due.loc[due["USUBJID"].eq(usubjid) & due["ASSESSMENT"].eq(assessment)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_on_study_leaves_out_off_study_dead_and_not_enrolled() -> None:
    adsl = _trial().adsl
    assert adsl.loc[on_study_mask(adsl), "USUBJID"].tolist() == ["P1", "P2", "P3", "P4"]


def test_last_contact_ignores_later_dates_the_cutoff_day_and_dcutdt() -> None:
    trial = _trial()
    contact = last_contact_dates(trial, AS_OF)
    # P1: AE onset 2024-05-05; AE end 2024-07-01 is after the view date.
    assert contact["P1"] == pd.Timestamp("2024-05-05")
    assert contact["P2"] == pd.Timestamp("2024-02-15")  # PSA
    # At the cut-off: LSTALVDT and DCUTDT on the cut-off day are not visits.
    assert last_contact_dates(trial, "2024-06-30")["P1"] == pd.Timestamp("2024-05-05")


def test_due_overdue_and_not_yet_due() -> None:
    due = follow_up_due(_trial(), PSA_ONLY, AS_OF)
    assert due["USUBJID"].tolist() == ["P1", "P2", "P3", "P4"]
    p1, p2, p3, p4 = (_row(due, u) for u in ("P1", "P2", "P3", "P4"))
    assert (p1["NEXT_DUE"], p1["STATUS"], p1["DAYS_PAST_DUE"]) == (pd.Timestamp("2024-07-02"), DUE, 0)
    assert p1["LAST_ASSESSMENT"] == pd.Timestamp("2024-03-20") and p1["BASIS"] == "ADLB PSA"
    assert (p2["NEXT_DUE"], p2["STATUS"], p2["DAYS_PAST_DUE"]) == (pd.Timestamp("2024-04-01"), OVERDUE, 75)
    assert (p3["NEXT_DUE"], p3["STATUS"], p3["DAYS_PAST_DUE"]) == (pd.Timestamp("2024-07-31"), NOT_YET_DUE, 0)
    assert pd.isna(p3["LAST_ASSESSMENT"])
    assert p4["STATUS"] == NO_ANCHOR and pd.isna(p4["NEXT_DUE"]) and pd.isna(p4["DAYS_PAST_DUE"])


def test_tolerance_is_inclusive_on_both_sides() -> None:
    # P2's visit was due 2024-04-01: on time until 2024-05-01, overdue from 2024-05-02.
    assert _row(follow_up_due(_trial(), PSA_ONLY, "2024-05-01"), "P2")["STATUS"] == DUE
    assert _row(follow_up_due(_trial(), PSA_ONLY, "2024-05-02"), "P2")["STATUS"] == OVERDUE
    # P1's second visit (2024-07-02) opens its window on 2024-06-02, not a day earlier.
    assert _row(follow_up_due(_trial(), PSA_ONLY, "2024-06-01"), "P1")["STATUS"] == NOT_YET_DUE
    assert _row(follow_up_due(_trial(), PSA_ONLY, "2024-06-02"), "P1")["STATUS"] == DUE


def test_imaging_from_adtu_dates_else_the_last_contact() -> None:
    schedule = VisitSchedule(
        assessments=(Assessment("PSMA PET-CT", 3), Assessment("PSA", 3)), tolerance_days=30
    )
    without = follow_up_due(_trial(), schedule, AS_OF)
    p1 = _row(without, "P1", "PSMA PET-CT")
    assert p1["BASIS"] == LAST_CONTACT_BASIS and p1["LAST_ASSESSMENT"] == pd.Timestamp("2024-05-05")
    assert without.loc[without["USUBJID"].eq("P1"), "ASSESSMENT"].tolist() == ["PSMA PET-CT", "PSA"]
    adtu = pd.DataFrame({"USUBJID": ["P2"], "TULNKID": ["L1"], "ADT": _dates(["2024-06-10"])})
    with_imaging = follow_up_due(_trial(adtu), schedule, AS_OF)
    p2 = _row(with_imaging, "P2", "PSMA PET-CT")
    # 2024-06-10 is inside the second window (opens 2024-06-02): next due 2024-10-01.
    assert p2["BASIS"] == "ADTU ADT" and p2["NEXT_DUE"] == pd.Timestamp("2024-10-01")
    assert p2["STATUS"] == NOT_YET_DUE
    assert pd.isna(_row(with_imaging, "P1", "PSMA PET-CT")["LAST_ASSESSMENT"])  # imaging read, none for P1
    assert assessment_dates(_trial(), "Bone density")[1] == LAST_CONTACT_BASIS


def test_counts_by_centre() -> None:
    schedule = VisitSchedule(
        assessments=(Assessment("PSMA PET-CT", 3), Assessment("PSA", 3)), tolerance_days=30
    )
    by_centre = follow_up_by_centre(follow_up_due(_trial(), schedule, AS_OF))
    assert by_centre.to_dict("records") == [
        {"SITEID": "01", "SITENAME": "Leuven", "ON_STUDY": 2, "DUE": 1, "OVERDUE": 1},
        {"SITEID": "02", "SITENAME": "Gent", "ON_STUDY": 2, "DUE": 0, "OVERDUE": 0},
        {"SITEID": "ALL", "SITENAME": "All centres", "ON_STUDY": 4, "DUE": 1, "OVERDUE": 1},
    ]


def test_nobody_on_study_and_bad_schedules() -> None:
    trial = _trial()
    nobody = TrialData(adsl=trial.adsl.assign(EOSSTT="COMPLETED"))
    assert follow_up_due(nobody, PSA_ONLY, AS_OF).empty
    assert follow_up_by_centre(follow_up_due(nobody, PSA_ONLY, AS_OF)).empty
    with pytest.raises(ValueError, match="every_months"):
        follow_up_due(trial, VisitSchedule((Assessment("PSA", 0),), 30), AS_OF)
    with pytest.raises(ValueError, match="tolerance_days"):
        follow_up_due(trial, VisitSchedule((Assessment("PSA", 3),), -1), AS_OF)
