"""Worst-grade counting on a hand-built trial; every expected number is worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics import rules
from medcare_metrics import toxicity as tox
from medcare_metrics.text import toxicity as text
from medcare_metrics.toxicity import ToxicityOptions

GI = "Gastrointestinal disorders"
GEN = "General disorders and administration site conditions"
RENAL = "Renal and urinary disorders"
CYST = "Cystitis noninfective"


@pytest.fixture
def adsl() -> pd.DataFrame:
    # Safety population: S1, S2, S3, S4, S6 (S5 has SAFFL = N). S6 has no AE.
    return pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S6"],
            "SAFFL": ["Y", "Y", "Y", "Y", "N", "Y"],
            "MDTTYPE": ["SBRT", "SBRT", "Surgery", "Surgery", "SBRT", "SBRT"],
            "TRTSDT": pd.to_datetime(["2021-01-01"] * 6),
        }
    )


@pytest.fixture
def adae() -> pd.DataFrame:
    rows = [
        # USUBJID, AEBODSYS, AEDECOD, ATOXGR, ASTDT, ASTDY, TRTEMFL, AEREL
        ("S1", GI, "Nausea", 1, "2021-01-10", 10, "Y", "RELATED"),  # day 9 after MDT: acute
        ("S1", GI, "Nausea", 3, "2021-04-01", 91, "Y", "RELATED"),  # day 90: acute (window edge)
        ("S1", GI, "Nausea", 2, "2021-04-02", 92, "Y", "NOT RELATED"),  # day 91: late
        ("S1", GEN, "Fatigue", 1, "2021-02-01", 32, "Y", "NOT RELATED"),
        ("S2", GI, "Nausea", 2, "2021-06-01", 152, "Y", "RELATED"),  # late
        ("S2", GI, "Nausea", None, None, 10, "Y", "RELATED"),  # no date: ASTDY 10 = day 9, acute
        ("S3", GI, "Nausea", None, "2020-12-25", -7, "N", "NOT RELATED"),  # before MDT, not TEAE
        ("S3", RENAL, CYST, 4, None, None, "Y", None),  # onset unknown
        ("S4", GI, "Diarrhea", 2, "2021-03-01", 60, "Y", "RELATED"),
        ("S5", GI, "Nausea", 5, "2021-01-05", 5, "Y", "RELATED"),  # not in the safety population
    ]
    frame = pd.DataFrame(
        rows, columns=["USUBJID", "AEBODSYS", "AEDECOD", "ATOXGR", "ASTDT", "ASTDY", "TRTEMFL", "AEREL"]
    )
    frame["ATOXGR"] = pd.array(frame["ATOXGR"].tolist(), dtype="Int64")
    frame["ASTDY"] = pd.array(frame["ASTDY"].tolist(), dtype="Int64")
    frame["ASTDT"] = pd.to_datetime(frame["ASTDT"])
    frame["AESEQ"] = pd.array(range(1, len(frame) + 1), dtype="Int64")
    return frame


def counts_of(result: tox.ToxicityCounts, **where: str) -> dict[object, int]:
    """Return {grade (None = missing): n} for the rows matching ``where``."""
    c = result.counts
    for col, val in where.items():
        c = c.loc[c[col] == val]
    return {(None if pd.isna(g) else int(g)): int(n) for g, n in zip(c["GRADE"], c["N"], strict=True)}


def test_worst_grade_per_subject_term(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    worst = tox.worst_grade_per_subject(adae, adsl)
    got = {
        (r.USUBJID, r.AEDECOD): (None if pd.isna(r.WORST_GRADE) else int(r.WORST_GRADE))
        for r in worst.itertuples()
    }
    # S1 Nausea 1, 3, 2 -> 3; S2 Nausea 2 and missing -> 2; S3 Nausea only missing -> missing; S5 not counted.
    assert got == {
        ("S1", "Nausea"): 3,
        ("S1", "Fatigue"): 1,
        ("S2", "Nausea"): 2,
        ("S3", "Nausea"): None,
        ("S3", CYST): 4,
        ("S4", "Diarrhea"): 2,
    }


def test_worst_grade_per_subject_overall(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    worst = tox.worst_grade_per_subject(adae, adsl, level="overall")
    assert dict(zip(worst["USUBJID"], worst["WORST_GRADE"].astype(int), strict=True)) == {
        "S1": 3,
        "S2": 2,
        "S3": 4,
        "S4": 2,
    }
    assert set(worst["AEDECOD"]) == {tox.ANY}


def test_by_term_counts_and_denominator(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    result = tox.toxicity_by_grade(adae, adsl)
    assert result.population == 'SAFFL = "Y"'
    assert result.denominators.to_dict("records") == [{"GROUP": "ALL", "N": 5}]
    assert counts_of(result, AEDECOD="Nausea") == {2: 1, 3: 1, None: 1}
    assert counts_of(result, AEDECOD="Fatigue") == {1: 1}
    assert counts_of(result, AEDECOD=CYST) == {4: 1}
    assert counts_of(result, AEDECOD="Diarrhea") == {2: 1}
    nausea3 = result.counts.loc[(result.counts["AEDECOD"] == "Nausea") & (result.counts["GRADE"] == 3)].iloc[
        0
    ]
    assert nausea3["N_TOTAL"] == 5
    assert nausea3["PCT"] == pytest.approx(20.0)
    # CTCAE v5.0 Nausea grade 3, as NCI writes it.
    assert (
        nausea3["DEFINITION"]
        == "Inadequate oral caloric or fluid intake; tube feeding, TPN, or hospitalization indicated"
    )
    missing = result.counts.loc[result.counts["GRADE"].isna()]
    assert list(missing["GRADE_LABEL"]) == [tox.MISSING_GRADE_LABEL]
    assert not result.uses_severity


def test_by_soc_and_overall(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    soc = tox.toxicity_by_grade(adae, adsl, level="soc")
    # GI: S1 3, S2 2, S3 missing (Nausea without grade), S4 2.
    assert counts_of(soc, AEBODSYS=GI) == {2: 2, 3: 1, None: 1}
    assert counts_of(soc, AEBODSYS=GEN) == {1: 1}
    assert counts_of(soc, AEBODSYS=RENAL) == {4: 1}
    assert set(soc.counts["AEDECOD"]) == {tox.ANY}
    overall = tox.toxicity_by_grade(adae, adsl, level="overall")
    assert counts_of(overall) == {2: 2, 3: 1, 4: 1}
    pct = dict(zip(overall.counts["GRADE"].astype(int), overall.counts["PCT"], strict=True))
    assert pct == pytest.approx({2: 40.0, 3: 20.0, 4: 20.0})


def test_teae_only_drops_pre_treatment_event(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    result = tox.toxicity_by_grade(adae, adsl, options=ToxicityOptions(teae_only=True))
    assert counts_of(result, AEDECOD="Nausea") == {2: 1, 3: 1}
    soc = tox.toxicity_by_grade(adae, adsl, level="soc", options=ToxicityOptions(teae_only=True))
    assert counts_of(soc, AEBODSYS=GI) == {2: 2, 3: 1}
    assert result.teae_only


def test_teae_without_trtemfl_raises(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="TRTEMFL"):
        tox.toxicity_by_grade(adae.drop(columns="TRTEMFL"), adsl, options=ToxicityOptions(teae_only=True))


def test_split_by_adsl_column(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    result = tox.toxicity_by_grade(adae, adsl, level="overall", by="MDTTYPE")
    # SBRT: S1, S2, S6 (S5 is not in the safety population); Surgery: S3, S4.
    assert dict(zip(result.denominators["GROUP"], result.denominators["N"], strict=True)) == {
        "SBRT": 3,
        "Surgery": 2,
    }
    assert counts_of(result, GROUP="SBRT") == {2: 1, 3: 1}
    assert counts_of(result, GROUP="Surgery") == {2: 1, 4: 1}
    sbrt3 = result.counts.loc[(result.counts["GROUP"] == "SBRT") & (result.counts["GRADE"] == 3), "PCT"].iloc[
        0
    ]
    assert sbrt3 == pytest.approx(100.0 / 3)


def test_split_by_adae_column_uses_whole_population(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    result = tox.toxicity_by_relationship(adae, adsl)
    assert set(result.denominators["N"]) == {5}
    # RELATED events: S1 1, 3; S2 2, missing; S4 2. NOT RELATED: S1 2, 1; S3 missing. No AEREL: S3 grade 4.
    assert counts_of(result, GROUP="RELATED") == {3: 1, 2: 2}
    assert counts_of(result, GROUP="NOT RELATED") == {2: 1, None: 1}
    assert counts_of(result, GROUP=tox.MISSING_GROUP) == {4: 1}


def test_unknown_by_and_level_raise(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="NOPE"):
        tox.toxicity_by_grade(adae, adsl, by="NOPE")
    with pytest.raises(ValueError, match="level"):
        tox.toxicity_by_grade(adae, adsl, level="pt")
    with pytest.raises(ValueError, match="AEREL"):
        tox.toxicity_by_relationship(adae.drop(columns="AEREL"), adsl)


def test_onset_phase(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    phased = tox.add_onset_phase(adae, adsl, window_days=90)
    assert list(phased["ONSET_DAYS"].astype("float").fillna(-999)) == [9, 90, 91, 31, 151, 9, -7, -999, 59, 4]
    assert list(phased["PHASE"]) == [
        "Acute", "Acute", "Late", "Acute", "Late", "Acute", "Before MDT", "Unknown onset", "Acute", "Acute",
    ]  # fmt: skip


def test_toxicity_by_phase_window(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    r90 = tox.toxicity_by_phase(adae, adsl, options=ToxicityOptions(acute_window_days=90))
    # Acute: S1 max(1, 3, 1) = 3; S2 only the ungraded event; S4 2. Late: S1 2, S2 2.
    assert counts_of(r90, GROUP="Acute") == {3: 1, 2: 1, None: 1}
    assert counts_of(r90, GROUP="Late") == {2: 2}
    assert counts_of(r90, GROUP="Before MDT") == {None: 1}
    assert counts_of(r90, GROUP="Unknown onset") == {4: 1}
    # A window of 89 days moves S1's grade 3 (day 90) to late.
    r89 = tox.toxicity_by_phase(adae, adsl, options=ToxicityOptions(acute_window_days=89))
    assert counts_of(r89, GROUP="Acute") == {1: 1, 2: 1, None: 1}
    assert counts_of(r89, GROUP="Late") == {3: 1, 2: 1}


def test_astdy_fallback_without_trtsdt(adae: pd.DataFrame) -> None:
    phased = tox.add_onset_phase(adae, None, window_days=90)
    # ASTDY 91 is 90 days after day 1 (acute); ASTDY 92 is late; ASTDY -7 is before MDT.
    assert list(phased["PHASE"][:3]) == ["Acute", "Acute", "Late"]
    assert phased["PHASE"].iloc[6] == "Before MDT"
    with pytest.raises(ValueError, match="window"):
        tox.add_onset_phase(adae, None, window_days=-1)


def test_high_grade_listing_and_patients(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    events = tox.high_grade_events(adae, adsl)
    assert list(zip(events["USUBJID"], events["AEDECOD"], events["GRADE"].astype(int), strict=True)) == [
        ("S1", "Nausea", 3),
        ("S3", CYST, 4),
    ]
    assert list(events["PHASE"]) == ["Acute", "Unknown onset"]
    patients = tox.high_grade_patients(adae, adsl)
    assert list(patients["USUBJID"]) == ["S3", "S1"]
    assert list(patients["WORST_GRADE"].astype(int)) == [4, 3]
    assert list(patients["N_EVENTS"]) == [1, 1]
    assert patients["FIRST_ONSET"].iloc[1] == pd.Timestamp("2021-04-01")
    grade4 = tox.high_grade_patients(adae, adsl, options=ToxicityOptions(high_grade=4))
    assert list(grade4["USUBJID"]) == ["S3"]


def test_grade_table_cells(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    table = tox.grade_table(tox.toxicity_by_grade(adae, adsl, level="overall"))
    row = table.iloc[0]
    assert row["N"] == 5
    assert row["Any grade"] == "4 (80.0%)"
    assert row["Grade 1"] == "0 (0.0%)"
    assert row["Grade 2"] == "2 (40.0%)"
    assert row["Grade >= 3"] == "2 (40.0%)"
    assert "Missing grade" not in table.columns
    term = tox.grade_table(tox.toxicity_by_grade(adae, adsl))
    nausea = term.loc[term["AEDECOD"] == "Nausea"].iloc[0]
    assert nausea["Any grade"] == "3 (60.0%)"
    assert nausea["Missing grade"] == "1 (20.0%)"


def test_invalid_grades_count_as_missing(adsl: pd.DataFrame) -> None:
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S2"],
            "AEBODSYS": [GI] * 3,
            "AEDECOD": ["Nausea"] * 3,
            "ATOXGR": pd.array([0, 6, 2], dtype="Int64"),
        }
    )
    result = tox.toxicity_by_grade(adae, adsl)
    # S1 has only grade 0 (invalid): missing. S2 has 6 (invalid) and 2: worst valid 2.
    assert counts_of(result) == {None: 1, 2: 1}


def test_aetoxgr_used_without_atoxgr(adsl: pd.DataFrame) -> None:
    adae = pd.DataFrame(
        {"USUBJID": ["S1"], "AEBODSYS": [GI], "AEDECOD": ["Nausea"], "AETOXGR": pd.array([2], dtype="Int64")}
    )
    result = tox.toxicity_by_grade(adae, adsl)
    assert result.scale.column == "AETOXGR"
    assert counts_of(result) == {2: 1}


def test_severity_fallback(adsl: pd.DataFrame) -> None:
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S3"],
            "AEBODSYS": [GI] * 4,
            "AEDECOD": ["NAUSEA"] * 4,
            "AESEV": ["MILD", "SEVERE", "moderate ", None],
        }
    )
    result = tox.toxicity_by_grade(adae, adsl)
    assert result.uses_severity
    assert result.scale.column == "AESEV"
    assert "AESEV" in text.grade_scale_text(result.scale)
    # S1 MILD + SEVERE -> SEVERE (3); S2 moderate -> 2; S3 no severity -> missing.
    assert counts_of(result) == {3: 1, 2: 1, None: 1}
    labels = dict(
        zip(result.counts["GRADE"].astype("float").fillna(0), result.counts["GRADE_LABEL"], strict=True)
    )
    assert labels == {3.0: "SEVERE", 2.0: "MODERATE", 0.0: tox.MISSING_GRADE_LABEL}
    assert "DEFINITION" not in result.counts.columns
    table = tox.grade_table(result)
    assert {"MILD", "MODERATE", "SEVERE"} <= set(table.columns)
    assert not any(c.startswith("Grade >=") for c in table.columns)


def test_no_grade_column_raises(adsl: pd.DataFrame) -> None:
    adae = pd.DataFrame({"USUBJID": ["S1"], "AEBODSYS": [GI], "AEDECOD": ["Nausea"]})
    with pytest.raises(ValueError, match="ATOXGR, AETOXGR"):
        tox.toxicity_by_grade(adae, adsl)


@pytest.mark.parametrize(
    ("columns", "expected_ids", "rule_word"),
    [
        (
            {"SAFFL": ["N", "Y", "Y"], "TRTSDT": [None, None, "2021-01-01"], "ENRLFL": ["Y", "Y", "N"]},
            ["B", "C"],
            "SAFFL",
        ),
        ({"TRTSDT": [None, "2021-01-01", "2021-01-01"], "ENRLFL": ["Y", "Y", "N"]}, ["B", "C"], "TRTSDT"),
        ({"ENRLFL": ["Y", "Y", "N"]}, ["A", "B"], "ENRLFL"),
        ({}, ["A", "B", "C"], "all"),
    ],
)
def test_safety_population_rules(
    columns: dict[str, list[object]], expected_ids: list[str], rule_word: str
) -> None:
    adsl = pd.DataFrame({"USUBJID": ["A", "B", "C"], **columns})
    if "TRTSDT" in adsl:
        adsl["TRTSDT"] = pd.to_datetime(adsl["TRTSDT"])
    pop = tox.safety_population(adsl)
    assert list(pop.subjects["USUBJID"]) == expected_ids
    assert rule_word in pop.rule


def test_no_adsl_counts_subjects_with_events(adae: pd.DataFrame) -> None:
    result = tox.toxicity_by_grade(adae, None, level="overall")
    # Without ADSL every ADAE subject counts, S5 included: S1..S5.
    assert result.denominators["N"].tolist() == [5]
    assert counts_of(result) == {2: 2, 3: 1, 4: 1, 5: 1}


def test_group_order() -> None:
    assert tox.group_order(["Unknown onset", "Late", "Before MDT", "Acute"]) == [
        "Acute", "Late", "Before MDT", "Unknown onset",
    ]  # fmt: skip
    # Relationship strongest first (case-insensitive), unknown values alphabetically, "Missing" last.
    assert tox.group_order(["NOT RELATED", "Missing", "possibly related", "RELATED", "Other"]) == [
        "RELATED", "possibly related", "NOT RELATED", "Other", "Missing",
    ]  # fmt: skip
    assert tox.group_order(["Surgery", "SBRT + surgery", "SBRT"]) == ["SBRT", "Surgery", "SBRT + surgery"]
    assert tox.group_order(["02", "Missing", "01", "02"]) == ["01", "02", "Missing"]


def test_grade_table_frequency_order(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    terms = tox.toxicity_by_grade(adae, adsl)
    # Alphabetical: GI (Diarrhea, Nausea), General (Fatigue), Renal (Cystitis).
    assert list(tox.grade_table(terms)["AEDECOD"]) == ["Diarrhea", "Nausea", "Fatigue", CYST]
    # Frequency: GI holds 3 (Nausea) + 1 (Diarrhea) patient-terms, General 1 and Renal 1 (tie: alphabetical);
    # within GI, Nausea (3 patients) before Diarrhea (1).
    assert list(tox.grade_table(terms, order="frequency")["AEDECOD"]) == [
        "Nausea",
        "Diarrhea",
        "Fatigue",
        CYST,
    ]
    soc = tox.toxicity_by_grade(adae, adsl, level="soc", by="MDTTYPE")
    table = tox.grade_table(soc, order="frequency")
    # GI: 2 SBRT (S1, S2) and 2 Surgery (S3, S4); General: S1 (SBRT); Renal: S3 (Surgery).
    assert list(zip(table["GROUP"], table["AEBODSYS"], strict=True)) == [
        ("SBRT", GI), ("Surgery", GI), ("SBRT", GEN), ("Surgery", RENAL),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="order"):
        tox.grade_table(terms, order="count")


def test_phase_table_rows_in_phase_order(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    table = tox.grade_table(tox.toxicity_by_phase(adae, adsl))
    assert list(table["GROUP"]) == ["Acute", "Late", "Before MDT", "Unknown onset"]


def test_n_population(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    # Safety population S1, S2, S3, S4, S6: 3 SBRT + 2 Surgery when split by MDT type.
    assert tox.toxicity_by_grade(adae, adsl, level="overall").n_population == 5
    assert tox.toxicity_by_grade(adae, adsl, level="overall", by="MDTTYPE").n_population == 5
    assert tox.toxicity_by_relationship(adae, adsl).n_population == 5


def test_high_grade_patients_say_mdt_type(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    patients = tox.high_grade_patients(adae, adsl)
    assert list(zip(patients["USUBJID"], patients["MDTTYPE"], strict=True)) == [
        ("S3", "Surgery"),
        ("S1", "SBRT"),
    ]
    split = tox.high_grade_patients(adae, adsl, by="MDTTYPE")
    assert "MDTTYPE" not in split.columns
    assert list(split["GROUP"]) == ["Surgery", "SBRT"]


def test_split_choices_prefer_centre_names() -> None:
    both = pd.DataFrame({"USUBJID": ["A"], "SITEID": ["01"], "SITENAME": ["UZ Leuven"], "MDTTYPE": ["SBRT"]})
    assert tox.split_choices(both) == {"None": None, "MDT type": "MDTTYPE", "Centre": "SITENAME"}
    ids = pd.DataFrame({"USUBJID": ["A"], "SITEID": ["01"], "TRT01A": ["X"], "ARM": ["X"]})
    assert tox.split_choices(ids) == {"None": None, "Centre": "SITEID", "Arm": "TRT01A"}


def arm_of(result: tox.ToxicityCounts) -> dict[str, int]:
    return dict(zip(result.denominators["GROUP"], result.denominators["N"], strict=True))


def test_subject_attribute_on_adae_takes_adsl_denominators(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    # TRTA carried on ADAE as ADaM does (TRT01A of ADSL). TRT01P differs for S3, so only TRT01A matches.
    adsl = adsl.assign(TRT01P=["A", "A", "A", "B", "A", "B"], TRT01A=["A", "A", "B", "B", "A", "B"])
    trta = {"S1": "A", "S2": "A", "S3": "B", "S4": "B", "S5": "A"}
    adae = adae.assign(TRTA=adae["USUBJID"].map(trta))
    result = tox.toxicity_by_grade(adae, adsl, level="overall", by="TRTA")
    # Safety population S1, S2, S3, S4, S6: A = S1, S2; B = S3, S4 and S6, who has no AE.
    assert arm_of(result) == {"A": 2, "B": 3}
    assert not result.event_split
    assert "ADSL.TRT01A" in result.note
    # A: S1 worst 3, S2 worst 2. B: S3 worst 4 (grade 4 beats the ungraded Nausea), S4 2.
    assert counts_of(result, GROUP="A") == {2: 1, 3: 1}
    assert counts_of(result, GROUP="B") == {2: 1, 4: 1}
    assert result.n_population == 5
    pct = result.counts.set_index(["GROUP", "GRADE"])["PCT"]
    assert pct[("B", 4)] == pytest.approx(100.0 / 3)


def test_subject_attribute_matches_any_adsl_column(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    adsl = adsl.assign(COHORT=["1", "1", "2", "2", "9", "2"])  # S5 (not in the safety population) differs
    adae = adae.assign(COH=adae["USUBJID"].map({"S1": "1", "S2": "1", "S3": "2", "S4": "2", "S5": "1"}))
    split = tox.split_source(adae, adsl, "COH")
    assert split.adsl_column == "COHORT"
    assert arm_of(tox.toxicity_by_grade(adae, adsl, by="COH")) == {"1": 2, "2": 3}


def test_subject_attribute_without_adsl_match_keeps_whole_population(
    adsl: pd.DataFrame, adae: pd.DataFrame
) -> None:
    adae = adae.assign(TRTA=adae["USUBJID"].map({"S1": "A", "S2": "A", "S3": "B", "S4": "B", "S5": "A"}))
    result = tox.toxicity_by_grade(adae, adsl, level="overall", by="TRTA")
    assert arm_of(result) == {"A": 5, "B": 5}
    assert result.event_split
    assert "no ADSL column matches" in result.note


def test_event_columns_keep_whole_population(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    # AESER is "N" on every event, as ADSL's DTHFL is for everyone: still an event attribute, by its name.
    adsl = adsl.assign(DTHFL="N")
    result = tox.toxicity_by_grade(adae.assign(AESER="N"), adsl, level="overall", by="AESER")
    assert arm_of(result) == {"N": 5}
    assert "event-level" in result.note
    # A column that differs between the events of S1 (1, 1, 2, 1) is an event attribute too.
    visit = adae.assign(APERIOD=["1", "1", "2", "1", "1", "1", "1", "1", "1", "1"])
    split = tox.split_source(visit, adsl.assign(APERIOD="1"), "APERIOD")
    assert split.adsl_column == "APERIOD"  # an ADSL column is always a subject attribute
    split = tox.split_source(visit, adsl, "APERIOD")
    assert split.adsl_column is None and "differs between events" in split.note
    assert tox.split_source(adae, adsl, "MDTTYPE") == tox.SplitSource("MDTTYPE", "MDTTYPE", "")
    assert tox.is_event_level("AEREL") and tox.is_event_level("PHASE") and not tox.is_event_level("TRTA")


def test_counted_events_text(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    # S3's Nausea (TRTEMFL N) began 2020-12-25, before S3's MDT start 2021-01-01; S5 is not in the population.
    def counted_events_text(
        adae: pd.DataFrame, adsl: pd.DataFrame, options: ToxicityOptions | None = None
    ) -> str:
        return text.counted_events_text(tox.counted_events(adae, adsl, options))

    teae = counted_events_text(adae, adsl, ToxicityOptions(teae_only=True))
    assert teae == (
        'Counted: treatment-emergent adverse events only (TRTEMFL = "Y"); left out: 1 event with TRTEMFL '
        'not "Y", which began before the MDT start.'
    )
    assert counted_events_text(adae, adsl) == (
        'Counted: all adverse events, including 1 event with TRTEMFL not "Y", which began before the MDT '
        "start."
    )
    # S4's Diarrhea (2021-03-01, after MDT) flagged N as well: 2 events, 1 of them before MDT.
    two = adae.assign(TRTEMFL=["Y"] * 6 + ["N", "Y", "N", "N"])
    assert counted_events_text(two, adsl) == (
        'Counted: all adverse events, including 2 events with TRTEMFL not "Y", 1 of which began before the '
        "MDT start."
    )
    assert counted_events_text(adae.assign(TRTEMFL="Y"), adsl).endswith('treatment-emergent (TRTEMFL = "Y").')
    assert "has no TRTEMFL" in counted_events_text(adae.drop(columns="TRTEMFL"), adsl)


@pytest.mark.parametrize(
    "drop",
    [[], ["SAFFL"], ["SAFFL", "TRTSDT"], ["SAFFL", "TRTSDT", "ENRLFL"]],
    ids=["saffl", "trtsdt", "enrlfl", "all"],
)
def test_safety_population_is_the_rule_of_rules(adsl: pd.DataFrame, drop: list[str]) -> None:
    frame = adsl.assign(ENRLFL=["Y", "Y", "N", "Y", "Y", "Y"]).drop(columns=drop)
    frame.loc[1, "TRTSDT"] = pd.NaT
    mask, rule = rules.safety_mask(frame)
    population = tox.safety_population(frame)
    assert list(population.subjects["USUBJID"]) == list(frame.loc[mask, "USUBJID"])
    assert population.rule == rule.rule and population.population_rule == rule


def test_high_grade_patient_count(adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    # Grade >= 3 in the safety population (S1, S2, S3, S4, S6): S1 Nausea 3, S3 Cystitis 4 (S5's grade 5 is
    # outside it). S4's Diarrhea raised to 3 but not treatment-emergent: counted only over all events.
    events = adae.copy()
    events.loc[8, ["ATOXGR", "TRTEMFL"]] = [3, "N"]
    teae = tox.high_grade_patient_count(events, adsl)
    assert (teae.n_patients, teae.n_population, teae.teae_only, teae.high_grade) == (2, 5, True, 3)
    assert teae.population == rules.PopulationRule("safety population", 'SAFFL = "Y"')
    assert text.high_grade_count_text(teae) == (
        '2 of 5 patients in the safety population (SAFFL = "Y"), treatment-emergent events'
    )
    every = tox.high_grade_patient_count(events, adsl, teae_only=False)
    assert (every.n_patients, every.n_population, every.teae_only) == (3, 5, False)
    assert text.high_grade_count_text(every).endswith(", all adverse events")
    untagged = tox.high_grade_patient_count(events.drop(columns="TRTEMFL"), adsl)
    assert (untagged.n_patients, untagged.teae_only, untagged.has_trtemfl) == (3, False, False)
    assert text.high_grade_count_text(untagged).endswith("all adverse events (ADAE has no TRTEMFL)")
    with pytest.raises(ValueError, match="TRTEMFL"):
        tox.high_grade_patient_count(events.drop(columns="TRTEMFL"), adsl, teae_only=True)
    # The same patients as the page's listing.
    listed = tox.high_grade_patients(events, adsl, options=ToxicityOptions(teae_only=True))
    assert sorted(listed["USUBJID"]) == ["S1", "S3"]
    assert tox.high_grade_patient_count(events, adsl, high_grade=4).n_patients == 1  # S3's grade 4


def test_high_grade_patient_count_on_severity(adsl: pd.DataFrame) -> None:
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "AEBODSYS": [GI] * 3,
            "AEDECOD": ["NAUSEA"] * 3,
            "AESEV": ["SEVERE", "MODERATE", "severe"],
        }
    )
    count = tox.high_grade_patient_count(adae, adsl)
    assert (count.n_patients, count.n_population, count.uses_severity, count.teae_only) == (2, 5, True, False)
    assert "SEVERE event" in text.high_grade_sentence(count)
