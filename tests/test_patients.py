"""Swimmer data, PSA waterfall and patient profile on a hand-built trial with hand-computed answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from medcare_metrics.cuts import as_of
from medcare_metrics.figures.style import text_width
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
    # Ongoing Pain is drawn to P1's last contact, its OS date: 2022-01-01 -> 2022-12-15 = 348 days.
    assert profile.last_contact == D("2022-12-15")
    assert aes["END_MONTHS"].iloc[1] == pytest.approx(348 / MONTH)
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


# Added in the second pass: NEST cut of the waterfall, display tables, status counts, figures.


def test_nest_start_dates(trial: TrialData) -> None:
    from medcare_metrics.patients import nest_start_dates

    # P1 started a next-line treatment on 2022-07-01; P2's NEST-FS event is its death; P3 censored.
    starts = nest_start_dates(trial.adtte, trial.adsl)
    assert starts.to_dict() == {"P1": D("2022-07-01")}
    assert nest_start_dates(None, trial.adsl).empty


def test_psa_waterfall_stops_at_nest_start(trial: TrialData) -> None:
    # P1 gets a sample of 0.5 on 2022-08-01, after its NEST start (2022-07-01): a decline due to the new
    # treatment. Without ADTTE it is P1's best change, (0.5 - 10) / 10 = -95%; with ADTTE the best stays the
    # 2022-05-01 value, (3 - 10) / 10 = -70%, and the 2022-07-01 sample (on the NEST date) still counts.
    late = pd.DataFrame({"USUBJID": ["P1"], "PARAMCD": ["PSA"], "AVAL": [0.5], "ADT": _dates("2022-08-01")})
    adlb = pd.concat([trial.adlb, late], ignore_index=True)
    everything = psa_waterfall(adlb, trial.adsl).set_index("USUBJID")
    assert everything.loc["P1", "BEST_PCHG"] == pytest.approx(-95.0)
    assert everything.loc["P1", "N_POST"] == 4
    cut = psa_waterfall(adlb, trial.adsl, trial.adtte).set_index("USUBJID")
    assert cut.loc["P1", "BEST_PCHG"] == pytest.approx(-70.0)
    assert cut.loc["P1", "N_POST"] == 3
    assert cut.loc["P1", "NEST_ADT"] == D("2022-07-01")
    # P2's death is not a NEST start: its +25% is unchanged and it has no NEST date.
    assert cut.loc["P2", "BEST_PCHG"] == pytest.approx(25.0) and pd.isna(cut.loc["P2", "NEST_ADT"])


def test_psa_response_count(trial: TrialData) -> None:
    from medcare_metrics.patients import psa_response_count

    # P1 -70% responds, P2 +25% does not.
    assert psa_response_count(psa_waterfall(trial.adlb, trial.adsl)) == (1, 2)


def test_status_counts(trial: TrialData) -> None:
    from medcare_metrics.patients import status_counts

    assert status_counts(swimmer_data(trial)) == {"Ongoing": 1, "Off study": 1, "Died": 1, "Unknown": 0}
    replayed = swimmer_data(as_of(trial, "2022-04-01"))
    assert status_counts(replayed) == {"Ongoing": 2, "Off study": 0, "Died": 0, "Unknown": 0}


def test_swimmer_end_without_follow_up_dates(trial: TrialData) -> None:
    # No LSTALVDT, no OS row: P3 ends at its end of study (2022-08-01); P1, still on study, at the latest
    # date recorded for it (PSA sample and NEST start on 2022-07-01), not at the cut-off (2023-01-01).
    adsl = trial.adsl.drop(columns="LSTALVDT")
    adtte = trial.adtte.loc[trial.adtte["PARAMCD"].ne("OS")]
    data = swimmer_data(TrialData(adsl=adsl, adtte=adtte)).set_index("USUBJID")
    assert (data.loc["P3", "END"], data.loc["P3", "END_SOURCE"]) == (D("2022-08-01"), "End of study")
    assert (data.loc["P1", "END"], data.loc["P1", "END_SOURCE"]) == (D("2022-07-01"), "Latest date recorded")
    # 2022-01-01 -> 2022-07-01 = 181 days.
    assert data.loc["P1", "FOLLOWUP_MONTHS"] == pytest.approx(181 / MONTH)


def test_swimmer_status_unknown_without_eosstt(trial: TrialData) -> None:
    from medcare_metrics.patients import status_counts

    no_status = TrialData(adsl=trial.adsl.drop(columns="EOSSTT"), adtte=trial.adtte)
    data = swimmer_data(no_status)
    assert dict(zip(data["USUBJID"], data["STATUS"], strict=True)) == {
        "P1": "Unknown",
        "P2": "Died",
        "P3": "Unknown",
    }
    assert status_counts(data)["Unknown"] == 2
    # Alive patients of unknown status end with a tick, never the "ongoing" arrow.
    ends = swimmer_events(no_status).groupby("USUBJID")["EVENT"].last()
    assert ends.to_dict() == {"P1": "Censored", "P2": "Death", "P3": "Censored"}


def test_baseline_and_dates_tables(trial: TrialData) -> None:
    from medcare_metrics.patients import DATE_FIELDS, baseline_table

    profile = patient_profile(trial, "P2")
    base = dict(zip(*baseline_table(profile).to_dict("list").values(), strict=True))
    assert base == {"Centre": "02", "MDT type": "Surgery"}
    dates = baseline_table(profile, DATE_FIELDS)
    assert list(dates["ITEM"]) == [
        "Screening",
        "Registration",
        "MDT start",
        "Study status",
        "End of study",
        "Death",
        "Last known alive",
    ]
    assert list(dates["VALUE"]) == [
        "2022-02-01",
        "2022-03-01",
        "2022-03-10",
        "DISCONTINUED",
        "2022-09-01",
        "2022-09-01",
        "2022-09-01",
    ]


def test_lesion_table(trial: TrialData) -> None:
    from medcare_metrics.patients import lesion_table

    table = lesion_table(patient_profile(trial, "P1"))
    assert list(table.columns) == ["Lesion", "Site", "Site category", "MDT", "MDT date"]
    assert list(table["MDT date"]) == ["2022-01-15", "2022-01-15", "2022-02-01"]
    assert list(table["MDT"]) == ["SBRT", "SBRT", "Conventional RT"]
    assert lesion_table(patient_profile(TrialData(adsl=trial.adsl), "P1")) is None
    assert lesion_table(patient_profile(trial, "P2")).empty


def test_adverse_event_table(trial: TrialData) -> None:
    from medcare_metrics.patients import adverse_event_table

    table = adverse_event_table(patient_profile(trial, "P1"))
    # No AESEV, AESER or AEREL in the fixture: those columns are left out.
    assert list(table.columns) == ["No.", "Term", "Grade", "Onset", "End", "Month", "System organ class"]
    assert list(table["Term"]) == ["Fatigue", "Pain"]
    assert list(table["End"]) == ["2022-02-15", "ongoing"]
    # Pain: 2022-01-01 -> 2022-03-01 = 59 days = 1.94 months.
    assert list(table["Month"]) == [1.0, 1.9]


def test_time_to_event_table(trial: TrialData) -> None:
    from medcare_metrics.patients import time_to_event_table

    table = time_to_event_table(patient_profile(trial, "P2")).set_index("Endpoint")
    assert table.loc["OS", "Time"] == "184 days"
    assert table.loc["OS", "Outcome"] == "Event" and table.loc["OS", "Description"] == "Death"
    assert table.loc["OS", "Date"] == "2022-09-01" and table.loc["OS", "Origin"] == "2022-03-01"
    p3 = time_to_event_table(patient_profile(trial, "P3")).set_index("Endpoint")
    assert list(p3["Outcome"]) == ["Censored", "Censored"]


def _many_patients(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"X-{i:03d}" for i in range(n)]
    data = pd.DataFrame(
        {
            "USUBJID": ids,
            "MDT": ["SBRT", "Surgery"] * (n // 2),
            "START": D("2022-01-01"),
            "END": D("2023-01-01"),
            "FOLLOWUP_MONTHS": [12.0 - i / n for i in range(n)],
            "STATUS": "Ongoing",
            "ORDER": range(1, n + 1),
        }
    )
    events = pd.DataFrame(
        {
            "USUBJID": ids,
            "EVENT": "Ongoing",
            "DATE": D("2023-01-01"),
            "MONTHS": data["FOLLOWUP_MONTHS"],
            "DETAIL": "Follow-up ongoing",
        }
    )
    return data, events


def test_swimmer_figure_draws_every_patient_without_padding(trial: TrialData) -> None:
    from medcare_metrics.figures.patients import swimmer_figure

    fig = swimmer_figure(swimmer_data(trial), swimmer_events(trial))
    bars = {y for t in fig.data if t.type == "bar" for y in t.y}
    assert bars == {"P1", "P2", "P3"}
    assert {t.name for t in fig.data if t.type == "scatter"} == {
        "MDT",
        "Progression",
        "NEST start",
        "Death",
        "Censored",
        "Ongoing",
    }
    # Three rows, P1 at the top, no empty rows around them.
    assert list(fig.layout.yaxis.categoryarray) == ["P3", "P2", "P1"]
    assert tuple(fig.layout.yaxis.range) == (-0.5, 2.5)
    assert "xaxis2" not in fig.layout.to_plotly_json()


def test_swimmer_figure_of_300_patients_stays_compact() -> None:
    from medcare_metrics.figures.patients import swimmer_figure

    data, events = _many_patients(300)
    fig = swimmer_figure(data, events)
    assert tuple(fig.layout.yaxis.range) == (-0.5, 299.5)
    # 11 px a row instead of 26; the time axis repeated at the top.
    assert fig.layout.height == 11 * 300 + 140 + 40
    assert fig.layout.xaxis2.side == "top" and fig.layout.xaxis2.matches == "x"


def test_swimmer_margins_hold_the_longest_identifier_and_the_legend() -> None:
    from medcare_metrics.figures.patients import swimmer_figure

    data, events = _many_patients(4)
    fig = swimmer_figure(data, events)
    assert fig.layout.margin.l == 60 and fig.layout.margin.r == 160  # short ids and names: the least margins
    long_id, name = "MW-" + "9" * 20, "Stereotactic body radiotherapy + metastasectomy"
    data["USUBJID"] = data["USUBJID"].replace({"X-000": long_id})
    events["USUBJID"] = events["USUBJID"].replace({"X-000": long_id})
    data.loc[1, "MDT"] = name
    fig = swimmer_figure(data, events)
    # Arial: "M" 833, "W" 944, "-" 333, digits 556 thousandths of an em; 12 px labels for a few patients.
    assert fig.layout.margin.l == math.ceil((833 + 944 + 333 + 20 * 556) * 12 / 1000) + 24
    # The legend entry: its text at 13 px and 80 px for symbol and gaps.
    assert fig.layout.margin.r == round(text_width(name, 13)) + 80 > 300


def test_psa_waterfall_figure(trial: TrialData) -> None:
    from medcare_metrics.figures.patients import WATERFALL_CAP, psa_waterfall_figure

    waterfall = psa_waterfall(trial.adlb, trial.adsl)
    fig = psa_waterfall_figure(waterfall)
    assert [t.name for t in fig.data] == ["SBRT", "Surgery", "PCWG3: 50% decline"]
    assert fig.layout.shapes[0].y0 == -50
    # A rise of +300% is drawn cut at +100% and labelled with its value.
    big = waterfall.assign(BEST_PCHG=[300.0, -70.0])
    fig = psa_waterfall_figure(big)
    surgery = next(t for t in fig.data if t.name == "Surgery")
    assert list(surgery.y) == [WATERFALL_CAP]
    labels = next(t for t in fig.data if t.type == "scatter" and t.mode == "text")
    assert list(labels.text) == ["+300%"]
    assert fig.layout.xaxis.showticklabels is True


def test_psa_waterfall_figure_hides_names_of_many_patients() -> None:
    from medcare_metrics.figures.patients import psa_waterfall_figure

    n = 60
    waterfall = pd.DataFrame(
        {
            "USUBJID": [f"X-{i:03d}" for i in range(n)],
            "MDT": "SBRT",
            "BASE": 10.0,
            "BEST_AVAL": 5.0,
            "BEST_ADT": D("2022-06-01"),
            "BEST_PCHG": [50.0 - i for i in range(n)],
            "ORDER": range(1, n + 1),
        }
    )
    fig = psa_waterfall_figure(waterfall)
    assert fig.layout.xaxis.showticklabels is False
    assert fig.layout.xaxis.title.text == "60 patients, largest rise to largest decline"


def test_psa_waterfall_figure_notes_cut_bars_once_when_many() -> None:
    from medcare_metrics.figures.patients import psa_waterfall_figure

    n = 60
    waterfall = pd.DataFrame(
        {
            "USUBJID": [f"X-{i:03d}" for i in range(n)],
            "MDT": "SBRT",
            "BASE": 10.0,
            "BEST_AVAL": 5.0,
            "BEST_ADT": D("2022-06-01"),
            # Three rises above +100%: 250, 200, 150.
            "BEST_PCHG": [250.0, 200.0, 150.0] + [50.0 - i for i in range(n - 3)],
            "ORDER": range(1, n + 1),
        }
    )
    fig = psa_waterfall_figure(waterfall)
    assert not [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    assert [a.text for a in fig.layout.annotations] == ["3 bars cut at +100% (largest +250%)"]
    assert tuple(fig.layout.xaxis.range) == (-0.5, 59.5)


def test_singular_and_lower_case_units_are_the_rules_units(trial: TrialData) -> None:
    # AVALU follows medcare_metrics.rules.DAYS_PER_UNIT: "month" is a month, not a day.
    adtte = trial.adtte.copy()  # type: ignore[union-attr]
    nestfs = adtte["PARAMCD"].eq("NESTFS")
    adtte.loc[nestfs, "AVAL"] = adtte.loc[nestfs, "AVAL"] / MONTH
    adtte.loc[nestfs, "AVALU"] = ["month", "MONTH ", "Months"]
    data = swimmer_data(TrialData(adsl=trial.adsl, adtte=adtte), order="nestfs")
    assert data["NESTFS_MONTHS"].tolist() == pytest.approx([184 / MONTH, 181 / MONTH, 61 / MONTH])


def test_missing_cnsr_leaves_the_nestfs_outcome_unknown(trial: TrialData) -> None:
    adtte = trial.adtte.copy()  # type: ignore[union-attr]
    adtte.loc[adtte["USUBJID"].eq("P3") & adtte["PARAMCD"].eq("NESTFS"), "CNSR"] = pd.NA
    data = swimmer_data(TrialData(adsl=trial.adsl, adtte=adtte), order="nestfs")
    assert data["NESTFS_EVENT"].tolist()[:2] == [True, True]
    assert pd.isna(data["NESTFS_EVENT"].iloc[2])


def test_the_package_keeps_every_public_name() -> None:
    import medcare_metrics.patients as patients

    for name in patients.__all__:
        assert getattr(patients, name) is not None, name
    assert patients.swimmer_data.__module__ == "medcare_metrics.patients.swimmer"
    assert patients.psa_waterfall.__module__ == "medcare_metrics.patients.psa"
    assert patients.patient_profile.__module__ == "medcare_metrics.patients.profile"
    assert patients.time_to_event_table.__module__ == "medcare_metrics.patients.listing"


def test_psa_waterfall_of_many_patients_is_one_webgl_trace_per_mdt() -> None:
    from medcare_metrics.figures.patients import WATERFALL_CAP, WEBGL_ROWS, psa_waterfall_figure

    n = WEBGL_ROWS + 1
    waterfall = pd.DataFrame(
        {
            "USUBJID": [f"X-{i:03d}" for i in range(n)],
            "MDT": ["SBRT" if i % 3 else "Surgery" for i in range(n)],
            "BASE": 10.0,
            "BEST_AVAL": 5.0,
            "BEST_ADT": D("2022-06-01"),
            "BEST_PCHG": [250.0] + [40.0 - i for i in range(n - 1)],
            "ORDER": range(1, n + 1),
        }
    )
    fig = psa_waterfall_figure(waterfall.sample(frac=1, random_state=1))  # drawn in ORDER, whatever the rows
    bars = [t for t in fig.data if t.type == "scattergl"]
    assert [t.name for t in bars] == ["SBRT", "Surgery"] and not [t for t in fig.data if t.type == "bar"]
    surgery = bars[1]
    # Patient i sits at x = i (ORDER - 1); its bar runs from zero to its change, cut at the cap.
    assert list(surgery.x[:3]) == [0, 3, 6] and list(surgery.text[:2]) == ["X-000", "X-003"]
    assert surgery.y[0] == WATERFALL_CAP and surgery.customdata[0] == 250.0
    assert surgery.error_y.arrayminus[0] == WATERFALL_CAP and surgery.error_y.array[0] == 0
    decline = next(i for i, y in enumerate(surgery.y) if y < 0)
    assert surgery.error_y.array[decline] == -surgery.y[decline] and surgery.error_y.arrayminus[decline] == 0
    assert sum(len(t.x) for t in bars) == n
    assert "1 bars cut at +100%" in fig.layout.annotations[0].text
