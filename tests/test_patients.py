"""Swimmer data, PSA waterfall and patient profile on a hand-built trial with hand-computed answers."""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics.cuts import as_of
from medcare_metrics.model import TrialData
from medcare_metrics.patients import (
    NO_MDT_TYPE,
    patient_profile,
    psa_waterfall,
    swimmer_data,
    swimmer_events,
)

D = pd.to_datetime
MONTH = 365.25 / 12


def _dates(*values: str | None) -> pd.Series:
    return pd.Series(D(list(values)), dtype="datetime64[ns]")


@pytest.fixture
def trial() -> TrialData:
    # P1 followed and ongoing; P2 died (its NEST-FS event is the death); P3 withdrew; SF a screen failure.
    adsl = pd.DataFrame(
        {
            "STUDYID": "MEDCARE",
            "USUBJID": ["P1", "P2", "P3", "SF"],
            "SITEID": ["01", "02", "01", "02"],
            "SCRNDT": _dates("2021-12-01", "2022-02-01", "2022-05-01", "2022-02-01"),
            "ENRLFL": ["Y", "Y", "Y", "N"],
            "ENRLDT": _dates("2022-01-01", "2022-03-01", "2022-06-01", None),
            "MDTTYPE": ["SBRT", "Surgery", None, None],
            "TRTSDT": _dates("2022-01-15", "2022-03-10", None, None),
            "EOSSTT": ["ONGOING", "DISCONTINUED", "DISCONTINUED", None],
            "EOSDT": _dates(None, "2022-09-01", "2022-08-01", None),
            "DTHFL": ["N", "Y", "N", "N"],
            "DTHDT": _dates(None, "2022-09-01", None, None),
            "LSTALVDT": _dates("2022-12-01", "2022-09-01", "2022-08-01", None),
            "DCUTDT": _dates(*["2023-01-01"] * 4),
        }
    )
    adtte = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P1", "P2", "P2", "P2", "P3", "P3"],
            "PARAMCD": ["OS", "NESTFS", "PFS", "OS", "NESTFS", "PFS", "OS", "NESTFS"],
            # Jan 1 -> Jul 1 = 181 d, Mar 1 -> Sep 1 = 184 d, Jun 1 -> Aug 1 = 61 d.
            "AVAL": [348.0, 181.0, 120.0, 184.0, 184.0, 92.0, 61.0, 61.0],
            "AVALU": "DAYS",
            "CNSR": pd.array([1, 0, 0, 0, 0, 0, 1, 1], dtype="Int64"),
            "STARTDT": _dates(*["2022-01-01"] * 3, *["2022-03-01"] * 3, *["2022-06-01"] * 2),
            "ADT": _dates(
                "2022-12-15",
                "2022-07-01",
                "2022-05-01",
                "2022-09-01",
                "2022-09-01",
                "2022-06-01",
                "2022-08-01",
                "2022-08-01",
            ),
            "EVNTDESC": [
                None,
                "Start of next systemic treatment",
                "Radiographic progression",
                "Death",
                "Death",
                "PSA progression",
                None,
                None,
            ],
        }
    )
    adtu = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P1"],
            "TULNKID": ["L1", "L2", "L3"],
            "TULOC": ["Rib", "Pelvic lymph node", "Sacrum"],
            "TULOCCAT": ["Bone", "Lymph node", "Bone"],
            "MDTLES": ["SBRT", "SBRT", "Conventional RT"],
            "MDTDT": _dates("2022-01-15", "2022-01-15", "2022-02-01"),
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1", "P2"],
            "AEDECOD": ["Pain", "Fatigue", "Nausea"],
            "AEBODSYS": ["General", "General", "Gastrointestinal"],
            "ATOXGR": pd.array([1, 3, 2], dtype="Int64"),
            "ASTDT": _dates("2022-03-01", "2022-02-01", "2022-04-01"),
            "AENDT": _dates(None, "2022-02-15", "2022-04-10"),
        }
    )
    adlb = pd.DataFrame(
        {
            "USUBJID": ["P1"] * 5 + ["P2"] * 4 + ["P3", "SF"],
            "PARAMCD": "PSA",
            "AVAL": [12.0, 10.0, 6.0, 3.0, 8.0, 5.0, 4.0, 5.0, 6.0, 7.0, 9.0],
            "ADT": _dates(
                "2021-12-01",
                "2022-01-10",
                "2022-03-01",
                "2022-05-01",
                "2022-07-01",
                "2022-02-01",
                "2022-03-05",
                "2022-05-01",
                "2022-07-01",
                "2022-05-20",
                "2022-02-01",
            ),
            # P1's baseline is flagged; P2 has no flag: its baseline is the last sample before MDT (03-05).
            "ABLFL": ["N", "Y", "N", "N", "N", "N", "N", "N", "N", "Y", "Y"],
        }
    )
    return TrialData(adsl=adsl, adtte=adtte, adae=adae, adtu=adtu, adlb=adlb, name="hand")


def test_swimmer_one_row_per_enrolled_patient_ordered_by_follow_up(trial: TrialData) -> None:
    data = swimmer_data(trial)
    assert list(data["USUBJID"]) == ["P1", "P2", "P3"]
    assert list(data["ORDER"]) == [1, 2, 3]
    # P1: OS date 2022-12-15 beats LSTALVDT 2022-12-01: 348 days.
    p1 = data.iloc[0]
    assert p1["END"] == D("2022-12-15") and p1["END_SOURCE"] == "OS date"
    assert p1["FOLLOWUP_MONTHS"] == pytest.approx(348 / MONTH)
    assert list(data["STATUS"]) == ["Ongoing", "Died", "Off study"]
    assert list(data["MDT"]) == ["SBRT", "Surgery", NO_MDT_TYPE]


def test_swimmer_ordered_by_nestfs(trial: TrialData) -> None:
    data = swimmer_data(trial, order="nestfs")
    # NEST-FS 184 (P2) > 181 (P1) > 61 (P3) days.
    assert list(data["USUBJID"]) == ["P2", "P1", "P3"]
    assert data["NESTFS_MONTHS"].tolist() == pytest.approx([184 / MONTH, 181 / MONTH, 61 / MONTH])
    assert data["NESTFS_EVENT"].tolist() == [True, True, False]


def test_swimmer_bad_order_raises(trial: TrialData) -> None:
    with pytest.raises(ValueError, match="order"):
        swimmer_data(trial, order="alphabetical")  # type: ignore[arg-type]


def test_swimmer_events(trial: TrialData) -> None:
    events = swimmer_events(trial)
    got = list(zip(events["USUBJID"], events["EVENT"], events["DATE"].dt.strftime("%Y-%m-%d"), strict=True))
    assert got == [
        ("P1", "MDT", "2022-01-15"),
        ("P1", "MDT", "2022-02-01"),
        ("P1", "Progression", "2022-05-01"),
        ("P1", "NEST start", "2022-07-01"),
        ("P1", "Ongoing", "2022-12-15"),
        # P2's NEST-FS event is its death: no NEST start marker.
        ("P2", "MDT", "2022-03-10"),
        ("P2", "Progression", "2022-06-01"),
        ("P2", "Death", "2022-09-01"),
        ("P3", "Censored", "2022-08-01"),
    ]
    first = events.iloc[0]
    assert first["DETAIL"] == "SBRT (Rib); SBRT (Pelvic lymph node)"
    # 2022-01-01 -> 2022-01-15: 14 days.
    assert first["MONTHS"] == pytest.approx(14 / MONTH)


def test_swimmer_follows_as_of(trial: TrialData) -> None:
    data = swimmer_data(as_of(trial, "2022-04-01"))
    assert list(data["USUBJID"]) == ["P1", "P2"]
    # P1's OS censoring moves to 2022-04-01: 90 days; P2 alive then: 31 days.
    assert data["FOLLOWUP_MONTHS"].tolist() == pytest.approx([90 / MONTH, 31 / MONTH])
    assert list(data["STATUS"]) == ["Ongoing", "Ongoing"]


def test_psa_waterfall_best_change(trial: TrialData) -> None:
    wf = psa_waterfall(trial.adlb, trial.adsl)
    # P2: baseline 4 (2022-03-05), later 5 and 6: minimal rise +25%. P1: baseline 10, nadir 3: -70%.
    # P3 has no sample after baseline; SF is not enrolled.
    assert list(wf["USUBJID"]) == ["P2", "P1"]
    assert wf["BEST_PCHG"].tolist() == pytest.approx([25.0, -70.0])
    assert wf["DECLINE50"].tolist() == [False, True]
    assert wf["N_POST"].tolist() == [2, 3]
    assert wf["BASE"].tolist() == [4.0, 10.0]
    assert list(wf["ORDER"]) == [1, 2]


def test_psa_waterfall_exactly_minus_fifty_is_a_response(trial: TrialData) -> None:
    adlb = pd.DataFrame(
        {
            "USUBJID": ["P1", "P1"],
            "PARAMCD": ["PSA", "PSA"],
            "AVAL": [8.0, 4.0],
            "ADT": _dates("2022-01-10", "2022-04-01"),
        }
    )
    wf = psa_waterfall(adlb, trial.adsl)
    assert wf["BEST_PCHG"].tolist() == [-50.0]
    assert wf["DECLINE50"].tolist() == [True]


def test_psa_waterfall_ignores_other_params(trial: TrialData) -> None:
    other = trial.adlb.assign(PARAMCD="TESTO")
    assert psa_waterfall(other, trial.adsl).empty


def test_patient_profile(trial: TrialData) -> None:
    profile = patient_profile(trial, "P1")
    assert profile.start == D("2022-01-01")
    assert profile.baseline["MDTTYPE"] == "SBRT"
    assert list(profile.lesions["TULNKID"]) == ["L1", "L2", "L3"]
    aes = profile.adverse_events
    assert list(aes["AEDECOD"]) == ["Fatigue", "Pain"]
    assert aes["ONGOING"].tolist() == [False, True]
    # Ongoing Pain is drawn to the cut-off: 2022-01-01 -> 2023-01-01 = 365 days.
    assert aes["END_MONTHS"].iloc[1] == pytest.approx(365 / MONTH)
    psa = profile.psa
    assert psa["BASELINE"].tolist() == [False, True, False, False, False]
    assert psa["PCHG"].tolist() == pytest.approx([20.0, 0.0, -40.0, -70.0, -20.0])
    assert set(profile.time_to_event["PARAMCD"]) == {"OS", "NESTFS", "PFS"}
    assert list(profile.events["EVENT"]) == ["MDT", "MDT", "Progression", "NEST start", "Ongoing"]


def test_patient_profile_without_optional_datasets(trial: TrialData) -> None:
    profile = patient_profile(TrialData(adsl=trial.adsl), "P2")
    assert profile.lesions is None and profile.adverse_events is None and profile.psa is None
    assert profile.time_to_event is None
    # Without ADTTE the death still comes from ADSL.
    assert "Death" in set(profile.events["EVENT"])


def test_patient_profile_unknown_subject(trial: TrialData) -> None:
    with pytest.raises(ValueError, match="NOPE"):
        patient_profile(trial, "NOPE")
