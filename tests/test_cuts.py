"""As-of replay and changes between two dates, on a hand-built trial with hand-computed answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medcare_metrics.cuts import as_of, change_counts, changes_since, data_cutoff
from medcare_metrics.model import TrialData

D = pd.to_datetime
AS_OF = "2022-07-01"


def _dates(*values: str | None) -> pd.Series:
    return pd.Series(D(list(values)), dtype="datetime64[ns]")


@pytest.fixture
def trial() -> TrialData:
    # S1, S2, S3 enrolled before 2022-07-01; S4 screened before, registered after; S5 screened after;
    # SF1 a screen failure. Data cut-off 2023-01-01.
    adsl = pd.DataFrame(
        {
            "STUDYID": "MEDCARE",
            "USUBJID": ["S1", "S2", "S3", "S4", "S5", "SF1"],
            "SITEID": ["01", "01", "02", "02", "01", "02"],
            "SCRNDT": _dates(
                "2022-01-01", "2022-02-01", "2022-05-01", "2022-06-15", "2022-08-01", "2022-03-01"
            ),
            "ENRLFL": ["Y", "Y", "Y", "Y", "Y", "N"],
            "ENRLDT": _dates("2022-01-11", "2022-02-11", "2022-06-01", "2022-07-15", "2022-08-15", None),
            "SAFFL": ["Y", "Y", "Y", "Y", "Y", "N"],
            "MDTTYPE": ["SBRT", "Surgery", "SBRT", "SBRT", "SBRT", None],
            "TRTSDT": _dates("2022-01-21", "2022-02-21", "2022-07-10", "2022-07-20", "2022-08-20", None),
            "EOSSTT": ["ONGOING", "DISCONTINUED", "ONGOING", "ONGOING", "ONGOING", None],
            "DCSREAS": [None, "Death", None, None, None, None],
            "EOSDT": _dates(None, "2022-09-01", None, None, None, None),
            "DTHFL": ["N", "Y", "N", "N", "N", "N"],
            "DTHDT": _dates(None, "2022-09-01", None, None, None, None),
            "LSTALVDT": _dates("2022-12-20", "2022-09-01", "2022-12-15", "2022-12-15", "2022-12-15", None),
            "DCUTDT": _dates(*["2023-01-01"] * 6),
        }
    )
    adtte = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S2", "S3", "S3", "S4", "S5"],
            "PARAMCD": ["NESTFS", "PFS", "NESTFS", "OS", "NESTFS", "PFS", "NESTFS", "NESTFS"],
            "AVAL": [263.0, 6.6, 79.0, 202.0, 197.0, 30.0, 153.0, 122.0],
            "AVALU": ["DAYS", "MONTHS", "DAYS", "DAYS", "DAYS", "DAYS", "DAYS", "DAYS"],
            "CNSR": pd.array([0, 0, 0, 0, 1, 0, 1, 1], dtype="Int64"),
            "STARTDT": _dates(
                "2022-01-11",
                "2022-01-11",
                "2022-02-11",
                "2022-02-11",
                "2022-06-01",
                "2022-06-01",
                "2022-07-15",
                "2022-08-15",
            ),
            "ADT": _dates(
                "2022-10-01",
                "2022-08-01",
                "2022-05-01",
                "2022-09-01",
                "2022-12-15",
                "2022-07-01",
                "2022-12-15",
                "2022-12-15",
            ),
            "EVNTDESC": ["NEST", "Progression", "NEST", "Death", None, "Progression", None, None],
            "CNSDTDSC": [None, None, None, None, "Last contact", None, "Last contact", "Last contact"],
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S5"],
            "AEDECOD": ["Fatigue", "Fatigue", "Nausea", "Fatigue"],
            "AEBODSYS": ["General", "General", "Gastrointestinal", "General"],
            "ATOXGR": pd.array([2, 3, 1, 3], dtype="Int64"),
            # S2's onset is known only by its study day: TRTSDT 2022-02-21 + 199 days = 2022-09-08.
            "ASTDT": _dates("2022-03-01", "2022-09-01", None, "2022-09-01"),
            "ASTDY": pd.array([40, 224, 200, 13], dtype="Int64"),
            "AENDT": _dates("2022-08-01", None, None, None),
        }
    )
    adtu = pd.DataFrame(
        {
            "USUBJID": ["S1", "S3", "S4"],
            "TULNKID": ["L1", "L1", "L1"],
            "TULOC": ["Rib", "Pelvic lymph node", "Rib"],
            "TULOCCAT": ["Bone", "Lymph node", "Bone"],
            "MDTLES": ["SBRT", "SBRT", "SBRT"],
            "MDTDT": _dates("2022-01-21", "2022-07-10", "2022-07-20"),
            "RTDOSE": [30.0, 30.0, 30.0],
            "RTFX": pd.array([3, 3, 3], dtype="Int64"),
        }
    )
    adlb = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S5"],
            "PARAMCD": "PSA",
            "AVAL": [4.0, 2.0, 8.0],
            "ADT": _dates("2022-01-05", "2022-09-01", "2022-08-01"),
        }
    )
    return TrialData(adsl=adsl, adtte=adtte, adae=adae, adtu=adtu, adlb=adlb, name="hand")


def _row(frame: pd.DataFrame, usubjid: str, paramcd: str | None = None) -> pd.Series:
    mask = frame["USUBJID"].eq(usubjid)
    if paramcd is not None:
        mask &= frame["PARAMCD"].eq(paramcd)
    assert mask.sum() == 1
    return frame.loc[mask].iloc[0]


def test_screened_after_dropped_and_enrolled_after_not_enrolled(trial: TrialData) -> None:
    adsl = as_of(trial, AS_OF).adsl
    assert list(adsl["USUBJID"]) == ["S1", "S2", "S3", "S4", "SF1"]
    enrolled = adsl.loc[adsl["ENRLFL"].eq("Y"), "USUBJID"]
    assert list(enrolled) == ["S1", "S2", "S3"]
    s4 = _row(adsl, "S4")
    assert pd.isna(s4["ENRLDT"]) and s4["SAFFL"] == "N"
    assert (adsl["DCUTDT"] == D(AS_OF)).all()


def test_adsl_dates_after_the_date_reverted(trial: TrialData) -> None:
    adsl = as_of(trial, AS_OF).adsl
    s2 = _row(adsl, "S2")
    assert s2["DTHFL"] == "N" and pd.isna(s2["DTHDT"])
    assert s2["EOSSTT"] == "ONGOING" and pd.isna(s2["EOSDT"]) and pd.isna(s2["DCSREAS"])
    s3 = _row(adsl, "S3")
    # Registered on 2022-06-01 but MDT started 2022-07-10: enrolled, not yet treated.
    assert s3["ENRLFL"] == "Y" and pd.isna(s3["TRTSDT"]) and s3["SAFFL"] == "N"
    assert _row(adsl, "S1")["LSTALVDT"] == D(AS_OF)
    assert _row(adsl, "S1")["TRTSDT"] == D("2022-01-21")


def test_event_after_date_censored_at_date(trial: TrialData) -> None:
    adtte = as_of(trial, AS_OF).adtte
    s1 = _row(adtte, "S1", "NESTFS")
    # 2022-01-11 -> 2022-07-01: 20 + 28 + 31 + 30 + 31 + 30 + 1 = 171 days.
    assert s1["CNSR"] == 1
    assert s1["AVAL"] == pytest.approx(171.0)
    assert s1["ADT"] == D(AS_OF)
    assert s1["CNSDTDSC"] == "As-of date"
    assert pd.isna(s1["EVNTDESC"])
    # Same origin, AVALU in months: 171 / (365.25 / 12).
    assert _row(adtte, "S1", "PFS")["AVAL"] == pytest.approx(171 / 30.4375)
    # Death on 2022-09-01 had not happened: censored at 2022-02-11 -> 2022-07-01 = 140 days.
    s2_os = _row(adtte, "S2", "OS")
    assert (s2_os["CNSR"], s2_os["AVAL"]) == (1, pytest.approx(140.0))
    # A censoring after the date moves to the date: 2022-06-01 -> 2022-07-01 = 30 days.
    assert _row(adtte, "S3", "NESTFS")["AVAL"] == pytest.approx(30.0)


def test_events_on_or_before_date_unchanged(trial: TrialData) -> None:
    adtte = as_of(trial, AS_OF).adtte
    s2 = _row(adtte, "S2", "NESTFS")
    assert (s2["CNSR"], s2["AVAL"], s2["ADT"]) == (0, 79.0, D("2022-05-01"))
    s3 = _row(adtte, "S3", "PFS")
    assert (s3["CNSR"], s3["AVAL"], s3["EVNTDESC"]) == (0, 30.0, "Progression")


def test_adtte_keeps_only_subjects_enrolled_by_then(trial: TrialData) -> None:
    adtte = as_of(trial, AS_OF).adtte
    assert set(adtte["USUBJID"]) == {"S1", "S2", "S3"}
    assert len(adtte) == 6


def test_aval_shifted_when_no_startdt(trial: TrialData) -> None:
    adtte = trial.adtte.drop(columns="STARTDT").iloc[[0]].reset_index(drop=True)
    adtte.loc[0, "AVAL"] = 100.0
    replayed = as_of(TrialData(adsl=trial.adsl, adtte=adtte), AS_OF).adtte
    # ADT 2022-10-01 -> 2022-07-01 removes 31 + 31 + 30 = 92 days: 100 - 92 = 8.
    assert replayed.loc[0, "AVAL"] == pytest.approx(8.0)
    assert replayed.loc[0, "CNSR"] == 1


def test_adae_onset_after_date_hidden(trial: TrialData) -> None:
    adae = as_of(trial, AS_OF).adae
    assert len(adae) == 1
    kept = adae.iloc[0]
    assert (kept["USUBJID"], kept["ATOXGR"], kept["ASTDT"]) == ("S1", 2, D("2022-03-01"))
    # It ended on 2022-08-01, after the date: still ongoing then.
    assert pd.isna(kept["AENDT"])


def test_adtu_mdt_after_date_blank_and_adlb_samples_dropped(trial: TrialData) -> None:
    replayed = as_of(trial, AS_OF)
    adtu = replayed.adtu
    assert list(adtu["USUBJID"]) == ["S1", "S3"]
    s3 = _row(adtu, "S3")
    assert pd.isna(s3["MDTDT"]) and pd.isna(s3["MDTLES"]) and pd.isna(s3["RTFX"])
    assert _row(adtu, "S1")["MDTLES"] == "SBRT"
    assert list(replayed.adlb["AVAL"]) == [4.0]


def test_replay_adds_a_note(trial: TrialData) -> None:
    replayed = as_of(trial, AS_OF)
    assert len(replayed.notes) == len(trial.notes) + 1
    assert "2022-07-01" in replayed.notes[-1]


@pytest.mark.parametrize("date", ["2023-01-01", "2024-06-30"])
def test_at_or_after_cutoff_unchanged(trial: TrialData, date: str) -> None:
    replayed = as_of(trial, date)
    for name in trial.available:
        pd.testing.assert_frame_equal(replayed.dataset(name), trial.dataset(name))
    assert replayed.notes == trial.notes


def test_replay_does_not_modify_input(trial: TrialData) -> None:
    before = trial.adtte.copy()
    as_of(trial, AS_OF)
    pd.testing.assert_frame_equal(trial.adtte, before)


def test_bad_date_raises(trial: TrialData) -> None:
    with pytest.raises(ValueError, match="date"):
        as_of(trial, "not a date")


def test_changes_since_counts(trial: TrialData) -> None:
    changes = changes_since(trial, AS_OF)
    assert changes.until == D("2023-01-01")
    assert change_counts(changes) == {
        "Patients enrolled": 2,
        "NEST-FS events": 1,
        "PFS events": 1,
        "Deaths": 1,
        "New grade ≥ 3 AEs": 2,
        "Grade upgrades": 1,
    }
    assert sorted(changes.enrolled["USUBJID"]) == ["S4", "S5"]
    assert list(changes.deaths["USUBJID"]) == ["S2"]
    # Grade 3 onsets on 2022-09-01: S1 Fatigue and S5 Fatigue (S5 enrolled in the window).
    assert sorted(changes.severe_aes["USUBJID"]) == ["S1", "S5"]
    # S1 Fatigue went from grade 2 (as of 2022-07-01) to 3; S2 Nausea is a new term, not an upgrade.
    up = changes.upgrades.iloc[0]
    assert (up["USUBJID"], up["AEDECOD"], up["GRADE_BEFORE"], up["GRADE_NOW"]) == ("S1", "Fatigue", 2, 3)
    assert changes.counts() == change_counts(changes)


def test_changes_window_end(trial: TrialData) -> None:
    # Up to 2022-08-15: S4, S5 enrolled; S1's PFS (08-01) in, its NEST (10-01) and S2's death (09-01) out.
    counts = change_counts(changes_since(trial, AS_OF, "2022-08-15"))
    assert counts["Patients enrolled"] == 2
    assert (counts["NEST-FS events"], counts["PFS events"], counts["Deaths"]) == (0, 1, 0)
    assert (counts["New grade ≥ 3 AEs"], counts["Grade upgrades"]) == (0, 0)


def test_changes_without_adae_leave_ae_counts_out(trial: TrialData) -> None:
    no_ae = TrialData(adsl=trial.adsl, adtte=trial.adtte)
    counts = change_counts(changes_since(no_ae, AS_OF))
    assert "New grade ≥ 3 AEs" not in counts and "Grade upgrades" not in counts
    assert counts["Deaths"] == 1


def test_changes_since_after_until_raises(trial: TrialData) -> None:
    with pytest.raises(ValueError, match="after"):
        changes_since(trial, "2022-09-01", "2022-08-01")


def test_replay_without_enrlfl_treats_everyone_as_enrolled(trial: TrialData) -> None:
    adsl = trial.adsl.drop(columns="ENRLFL")
    replayed = as_of(TrialData(adsl=adsl, adtte=trial.adtte), AS_OF)
    # SF1 counts as enrolled without a registration date; S4 was registered after the date.
    flags = dict(zip(replayed.adsl["USUBJID"], replayed.adsl["ENRLFL"], strict=True))
    assert flags == {"S1": "Y", "S2": "Y", "S3": "Y", "S4": "N", "SF1": "Y"}
    assert np.isclose(_row(replayed.adtte, "S1", "NESTFS")["AVAL"], 171.0)


# Edge cases a statistician checks; answers worked out by hand from the fixture above.


def test_event_exactly_on_the_date_stays_an_event(trial: TrialData) -> None:
    # S3's progression is on 2022-07-01 itself: the window ends at the date included.
    s3 = _row(as_of(trial, AS_OF).adtte, "S3", "PFS")
    assert (s3["CNSR"], s3["AVAL"], s3["ADT"]) == (0, 30.0, D(AS_OF))
    # The day before, it had not happened: censored at 2022-06-30, 2022-06-01 -> 06-30 = 29 days.
    s3 = _row(as_of(trial, "2022-06-30").adtte, "S3", "PFS")
    assert (s3["CNSR"], s3["AVAL"], s3["ADT"]) == (1, 29.0, D("2022-06-30"))


def test_subject_registered_after_the_date_has_no_time_to_event(trial: TrialData) -> None:
    replayed = as_of(trial, "2022-07-14")
    s4 = _row(replayed.adsl, "S4")
    # Screened 2022-06-15, registered 2022-07-15: a screened subject, not yet enrolled.
    assert s4["ENRLFL"] == "N" and pd.isna(s4["ENRLDT"])
    assert "S4" not in set(replayed.adtte["USUBJID"]) and "S4" not in set(replayed.adtu["USUBJID"])
    # On the registration day itself S4 counts as enrolled; its NEST-FS starts that day: AVAL 0, censored.
    replayed = as_of(trial, "2022-07-15")
    assert _row(replayed.adsl, "S4")["ENRLFL"] == "Y"
    s4 = _row(replayed.adtte, "S4", "NESTFS")
    assert (s4["CNSR"], s4["AVAL"]) == (1, 0.0)


def test_adtte_rows_starting_after_the_date_dropped_for_an_enrolled_subject(trial: TrialData) -> None:
    # S3 registered 2022-06-01 but a PFS counted from its MDT start (2022-07-10): not at risk on 2022-07-01.
    adtte = trial.adtte.copy()
    adtte.loc[adtte["USUBJID"].eq("S3") & adtte["PARAMCD"].eq("PFS"), ["STARTDT", "ADT", "AVAL", "CNSR"]] = [
        D("2022-07-10"),
        D("2022-08-09"),
        30.0,
        0,
    ]
    replayed = as_of(TrialData(adsl=trial.adsl, adtte=adtte), AS_OF).adtte
    s3 = replayed.loc[replayed["USUBJID"].eq("S3"), "PARAMCD"]
    assert list(s3) == ["NESTFS"]


def test_ae_worsening_after_the_date(trial: TrialData) -> None:
    # Recorded as two records (grade 2 from 2022-03-01, grade 3 from 2022-09-01): only grade 2 as of the date.
    adae = as_of(trial, AS_OF).adae
    s1 = adae.loc[adae["USUBJID"].eq("S1")]
    assert list(s1["ATOXGR"]) == [2]
    # Recorded as one record whose grade was raised later: the record starts before the date and keeps the
    # grade of the cut-off (the replay cannot know when the grade changed; documented in as_of).
    single = trial.adae.iloc[[0]].assign(ATOXGR=pd.array([3], dtype="Int64"))
    kept = as_of(TrialData(adsl=trial.adsl, adae=single), AS_OF).adae
    assert list(kept["ATOXGR"]) == [3] and pd.isna(kept.loc[0, "AENDT"])


def test_ae_onset_from_study_day_uses_the_real_mdt_start(trial: TrialData) -> None:
    # S2 Nausea has no ASTDT; TRTSDT 2022-02-21 + (200 - 1) days = 2022-09-08: hidden on 09-07, not 09-08.
    assert "Nausea" not in set(as_of(trial, "2022-09-07").adae["AEDECOD"])
    assert "Nausea" in set(as_of(trial, "2022-09-08").adae["AEDECOD"])


def test_censoring_at_the_date_follows_the_day_one_convention(trial: TrialData) -> None:
    # The CDISC pilot and admiral set AVAL = ADT - STARTDT + 1; a row censored by the replay must too.
    plus_one = trial.adtte.assign(AVALU="DAYS")
    plus_one["AVAL"] = (plus_one["ADT"] - plus_one["STARTDT"]).dt.days + 1.0
    replayed = as_of(TrialData(adsl=trial.adsl, adtte=plus_one), AS_OF).adtte
    # 2022-01-11 -> 2022-07-01 = 171 days, + 1.
    assert _row(replayed, "S1", "NESTFS")["AVAL"] == pytest.approx(172.0)
    # S3's PFS event on the date is untouched: 30 + 1.
    assert _row(replayed, "S3", "PFS")["AVAL"] == pytest.approx(31.0)


def test_tie_between_event_and_censoring_on_the_date() -> None:
    from medcare_metrics.survival import km_table, time_to_event

    # A and B start 2022-01-01; A's event is on 2022-07-01, B's on 2022-09-01. As of 2022-07-01, B is
    # censored that day: at risk at A's event (R: censorings at a tied time come after the events), so
    # S = 1/2 there, in either day-count convention.
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "ENRLFL": ["Y", "Y"],
            "ENRLDT": _dates("2022-01-01", "2022-01-01"),
            "DCUTDT": _dates("2023-01-01", "2023-01-01"),
        }
    )
    for offset in (0, 1):
        adtte = pd.DataFrame(
            {
                "USUBJID": ["A", "B"],
                "PARAMCD": ["PFS", "PFS"],
                # 2022-01-01 -> 07-01 = 181 days, -> 09-01 = 243 days.
                "AVAL": [181.0 + offset, 243.0 + offset],
                "AVALU": ["DAYS", "DAYS"],
                "CNSR": pd.array([0, 0], dtype="Int64"),
                "STARTDT": _dates("2022-01-01", "2022-01-01"),
                "ADT": _dates("2022-07-01", "2022-09-01"),
            }
        )
        replayed = as_of(TrialData(adsl=adsl, adtte=adtte), "2022-07-01").adtte
        table = km_table(time_to_event(replayed, "PFS"))
        assert list(table["TIME"]) == [181.0 + offset]
        assert (table["N_RISK"].iloc[0], table["N_EVENT"].iloc[0], table["N_CENSOR"].iloc[0]) == (2, 1, 1)
        assert table["SURV"].iloc[0] == pytest.approx(0.5)


def test_event_date_implied_when_adt_missing(trial: TrialData) -> None:
    # Without ADT, S1's NEST-FS event is STARTDT + AVAL = 2022-01-11 + 263 days = 2022-10-01: after the date.
    adtte = trial.adtte.drop(columns="ADT")
    s1 = _row(as_of(TrialData(adsl=trial.adsl, adtte=adtte), AS_OF).adtte, "S1", "NESTFS")
    assert (s1["CNSR"], s1["AVAL"]) == (1, pytest.approx(171.0))
    # S2's NEST-FS event on 2022-02-11 + 79 days = 2022-05-01 is before it: kept.
    s2 = _row(as_of(TrialData(adsl=trial.adsl, adtte=adtte), AS_OF).adtte, "S2", "NESTFS")
    assert (s2["CNSR"], s2["AVAL"]) == (0, 79.0)


def test_replaying_a_replay_equals_one_replay(trial: TrialData) -> None:
    # The pages replay as of the sidebar date and "changes since" replays that again at an earlier date.
    twice = as_of(as_of(trial, "2022-09-15"), AS_OF)
    once = as_of(trial, AS_OF)
    for name in trial.available:
        pd.testing.assert_frame_equal(twice.dataset(name), once.dataset(name), check_dtype=False)


def test_changes_window_excludes_since_and_includes_until(trial: TrialData) -> None:
    # S3's progression on 2022-07-01 is in (06-30, 07-01] and not in (07-01, 07-02].
    assert list(changes_since(trial, "2022-06-30", AS_OF).events["USUBJID"]) == ["S3"]
    assert changes_since(trial, AS_OF, "2022-07-02").events.empty


def test_changes_follow_a_replayed_and_filtered_trial(trial: TrialData) -> None:
    from medcare_metrics.filters import Filters, apply_filters

    # Centre 01 (S1, S2, S5), as of 2022-12-31, since 2022-07-01: S5 enrolled; S1's NEST (10-01) and PFS
    # (08-01); S2's death (09-01); S1 and S5 grade 3 fatigue; S1's upgrade 2 -> 3.
    view = apply_filters(as_of(trial, "2022-12-31"), Filters.from_mapping({"SITEID": ["01"]}))
    counts = change_counts(changes_since(view, AS_OF, "2022-12-31"))
    assert counts == {
        "Patients enrolled": 1,
        "NEST-FS events": 1,
        "PFS events": 1,
        "Deaths": 1,
        "New grade ≥ 3 AEs": 2,
        "Grade upgrades": 1,
    }


def test_default_since_is_13_weeks_before() -> None:
    from medcare_metrics.cuts import default_since

    # 2025-06-30 - 91 days: June 30 -> May 31 (30) -> April 30 (31) -> March 31 (30).
    assert default_since("2025-06-30").isoformat() == "2025-03-31"
    assert default_since("2025-06-30", days=0).isoformat() == "2025-06-30"
    with pytest.raises(ValueError, match="days"):
        default_since("2025-06-30", days=-1)


def test_data_cutoff_is_the_most_frequent_date_not_a_stray_later_one() -> None:
    cuts = _dates("2025-06-30", "2025-07-31", "2025-06-30")
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C"], "DCUTDT": cuts})
    assert data_cutoff(TrialData(adsl=adsl)) == pd.Timestamp("2025-06-30")
    tie = pd.DataFrame({"USUBJID": ["A", "B"], "DCUTDT": _dates("2025-06-30", "2025-07-31")})
    assert data_cutoff(TrialData(adsl=tie)) == pd.Timestamp("2025-07-31")
    none = pd.DataFrame({"USUBJID": ["A"], "DCUTDT": _dates(None)})
    assert data_cutoff(TrialData(adsl=none)) is None


def test_rules_are_the_rules_module() -> None:
    from medcare_metrics import cuts, rules

    assert cuts.DAYS_PER_UNIT is rules.DAYS_PER_UNIT


def test_events_and_deaths_follow_the_shared_rules(trial: TrialData) -> None:
    # CNSR read as text and a lower-case death flag count as an event and a death (rules.is_event, flag_yes).
    adtte = trial.adtte.assign(CNSR=trial.adtte["CNSR"].astype(str))  # type: ignore[union-attr]
    adsl = trial.adsl.assign(DTHFL=trial.adsl["DTHFL"].str.lower())
    counts = change_counts(changes_since(TrialData(adsl=adsl, adtte=adtte, adae=trial.adae), AS_OF))
    assert (counts["NEST-FS events"], counts["PFS events"], counts["Deaths"]) == (1, 1, 1)
    assert counts["New grade ≥ 3 AEs"] == 2
