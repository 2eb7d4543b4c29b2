"""Protocol deviation checks on hand-built ADSL and ADTU, one patient per broken rule."""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics.eligibility import (
    DEVIATION_COLUMNS,
    conventional_lesion_count,
    protocol_deviations,
    rules_not_checked,
)

CLEAN = {
    "SITEID": "01",
    "ENRLFL": "Y",
    "SAFFL": "Y",
    "BTESTO": 20.0,
    "NLES": 2,
    "WHOPS": 1,
    "AGE": 70.0,
    "SEX": "M",
    "RFICDT": "2021-01-01",
    "ENRLDT": "2021-01-01",  # same day as consent: allowed
    "TRTSDT": "2021-01-15",
    "PRIMTRT": "Radiotherapy",
    "SYSTHER": "ADT + enzalutamide",
    "SCRFCRIT": None,
    "MDTDETL": "SBRT",
}


def make_adsl() -> pd.DataFrame:
    changes = {
        "P00": {},  # clean
        "P01": {"BTESTO": 50.0},  # at the castrate level: not below it
        "P02": {"NLES": 4},
        "P03": {"WHOPS": 2},
        "P04": {"AGE": 17.0},
        "P05": {"RFICDT": None},
        "P06": {"RFICDT": "2021-01-05", "ENRLDT": "2021-01-02", "TRTSDT": "2021-01-20"},
        "P07": {"TRTSDT": "2020-12-25"},
        "P08": {"PRIMTRT": "Untreated"},  # no local therapy anywhere
        "P09": {"PRIMTRT": "Untreated", "MDTDETL": "SBRT; Conventional RT"},  # local therapy in ADSL only
        "P10": {"SYSTHER": "ADT + olaparib"},
        "P11": {"SCRFCRIT": "exc01"},
        "P12": {"PRIMTRT": "Untreated", "SAFFL": "N", "TRTSDT": None},  # no MDT yet: nothing to check
        "P13": {"ENRLFL": "N", "BTESTO": 80.0, "WHOPS": 3, "SCRFCRIT": "EXC01"},  # screen failure: ignored
        # Case does not matter; a missing value is no deviation.
        "P14": {"SYSTHER": "adt + ABIRATERONE", "WHOPS": pd.NA, "BTESTO": None, "SEX": None},
        "P15": {"NLES": 0},  # no progressing lesion: nothing to treat
        "P16": {"SEX": "f"},
        # Every limit met exactly: testosterone just below 50, 3 lesions, WHO PS 1, age 18.
        "P17": {"BTESTO": 49.9, "NLES": 3, "WHOPS": 1, "AGE": 18.0},
    }
    rows = [{"USUBJID": k, **CLEAN, **v} for k, v in changes.items()]
    adsl = pd.DataFrame(rows)
    for column in ("RFICDT", "ENRLDT", "TRTSDT"):
        adsl[column] = pd.to_datetime(adsl[column])
    adsl["WHOPS"] = adsl["WHOPS"].astype("Int64")
    adsl["NLES"] = adsl["NLES"].astype("Int64")
    return adsl


def make_adtu() -> pd.DataFrame:
    rows = [
        # P00: 3 conventional lesions + 1 PSMA-only: 3 counted; a spinal epidural lesion is extracranial
        ("P00", "L1", "Bone", "Conventional", "SBRT", "Thoracic vertebra"),
        ("P00", "L2", "Bone", "Conventional", "SBRT", "Epidural space (T10)"),
        ("P00", "L3", "Lymph node", "Conventional", "SBRT", "Pelvic lymph node"),
        ("P00", "L4", "Lymph node", "PSMA PET-CT only", "SBRT", "Para-aortic lymph node"),
        # P01: a brain metastasis (intracranial: outside the protocol)
        ("P01", "L1", "Visceral", "Conventional", "SBRT", "Right cerebellum"),
        # P02: 4 conventional lesions (agrees with NLES = 4)
        ("P02", "L1", "Bone", "Conventional", "SBRT", "Rib"),
        ("P02", "L2", "Bone", "Conventional", "SBRT", "Femur"),
        ("P02", "L3", "Bone", "Conventional", "SBRT", "Sacrum"),
        ("P02", "L4", "Visceral", "Conventional", "Metastasectomy", "Lung"),
        # P03: 3 bone + 2 local-recurrence rows = 4 lesions
        ("P03", "L1", "Bone", "Conventional", "SBRT", "Rib"),
        ("P03", "L2", "Bone", "Conventional", "SBRT", "Humerus"),
        ("P03", "L3", "Bone", "Conventional", "SBRT", "Sternum"),
        ("P03", "L4", "Local recurrence", "Conventional", "Conventional RT", "Prostate bed"),
        ("P03", "L5", "Local recurrence", "Conventional", "Conventional RT", "Seminal vesicle"),
        # P08: untreated primary, prostate lesion not treated
        ("P08", "L1", "Local recurrence", "Conventional", "None", "Prostate"),
        ("P08", "L2", "Bone", "Conventional", "SBRT", "Acetabulum"),
        # P09: untreated primary, prostate irradiated -> local therapy given
        ("P09", "L1", "Local recurrence", "Conventional", "Conventional RT", "Prostate"),
    ]
    return pd.DataFrame(rows, columns=["USUBJID", "TULNKID", "TULOCCAT", "TUMETHOD", "MDTLES", "TULOC"])


def pairs(deviations: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(deviations["USUBJID"], deviations["RULE"], strict=True))


def test_each_rule_flags_its_patient_adsl_only():
    found = protocol_deviations(make_adsl())
    assert list(found.columns) == list(DEVIATION_COLUMNS)
    assert pairs(found) == [
        ("P01", "TESTO"),
        ("P02", "LESIONS"),
        ("P03", "WHOPS"),
        ("P04", "AGE"),
        ("P05", "CONSENT_MISSING"),
        ("P06", "CONSENT_AFTER_REG"),
        ("P07", "MDT_BEFORE_REG"),
        ("P08", "PRIMARY_UNTREATED"),  # P09 has Conventional RT in MDTDETL
        ("P10", "SYSTHER"),
        ("P11", "SCREEN_FAILURE_ENROLLED"),
        ("P15", "NO_LESION"),
        ("P16", "SEX"),
    ]
    row = found.set_index("RULE").loc["CONSENT_AFTER_REG"]
    assert row["VALUE"] == "RFICDT 2021-01-05, ENRLDT 2021-01-02"
    assert "3 day(s)" in row["DETAIL"]
    assert row["SITEID"] == "01"
    assert found.set_index("RULE").loc["TESTO", "VALUE"] == "50"
    assert "INC02" in found.set_index("RULE").loc["TESTO", "CRITERION"]
    assert found.set_index("RULE").loc["MDT_BEFORE_REG", "DETAIL"].startswith("MDT started 7 day(s)")
    assert found.set_index("RULE").loc["SCREEN_FAILURE_ENROLLED", "VALUE"] == "EXC01"
    assert found.set_index("RULE").loc["SEX", "VALUE"] == "f"
    assert "INC01" in found.set_index("RULE").loc["SEX", "CRITERION"]
    assert found.set_index("RULE").loc["NO_LESION", "VALUE"] == "0"


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"BTESTO": 50.0}, "TESTO"),
        ({"BTESTO": 312.0}, "TESTO"),
        ({"NLES": 4}, "LESIONS"),
        ({"NLES": 0}, "NO_LESION"),
        ({"WHOPS": 2}, "WHOPS"),
        ({"WHOPS": 4}, "WHOPS"),
        ({"AGE": 17.9}, "AGE"),
        ({"SEX": "F"}, "SEX"),
        ({"RFICDT": None}, "CONSENT_MISSING"),
        ({"RFICDT": "2021-01-02"}, "CONSENT_AFTER_REG"),
        ({"TRTSDT": "2020-12-31"}, "MDT_BEFORE_REG"),
        ({"PRIMTRT": "Untreated"}, "PRIMARY_UNTREATED"),
        ({"SYSTHER": "Enzalutamide"}, "SYSTHER"),
        ({"SCRFCRIT": "INC06"}, "SCREEN_FAILURE_ENROLLED"),
    ],
)
def test_one_broken_rule_is_flagged_alone(change, rule):
    # A clean patient with a single value changed breaks exactly that rule, and nothing else.
    adsl = pd.DataFrame([{"USUBJID": "X", **CLEAN, **change}])
    for column in ("RFICDT", "ENRLDT", "TRTSDT"):
        adsl[column] = pd.to_datetime(adsl[column])
    assert pairs(protocol_deviations(adsl)) == [("X", rule)]


def test_clean_patient_at_every_limit_is_not_flagged():
    adsl = make_adsl()
    found = protocol_deviations(adsl.loc[adsl["USUBJID"].isin(["P00", "P17"])])
    assert found.empty


def test_lesion_data_adds_its_rule_and_local_therapy_evidence():
    found = protocol_deviations(make_adsl(), make_adtu())
    lesions = found.loc[found["RULE"].eq("LESIONS_ADTU")]
    assert list(lesions["USUBJID"]) == ["P02", "P03"]
    assert list(lesions["VALUE"]) == ["4", "4"]
    # Only the cerebellar lesion is intracranial; the spinal epidural one (P00) is not.
    brain = found.loc[found["RULE"].eq("INTRACRANIAL")]
    assert list(brain["USUBJID"]) == ["P01"]
    assert list(brain["VALUE"]) == ["Right cerebellum"]
    # With ADTU, local therapy comes from the prostate lesion: P08 untreated lesion flagged; P09 treated.
    # P12 (untreated primary, no MDT yet) is not flagged.
    untreated = found.loc[found["RULE"].eq("PRIMARY_UNTREATED"), "USUBJID"].tolist()
    assert untreated == ["P08"]


def test_conventional_lesion_count():
    counts = conventional_lesion_count(make_adtu())
    assert counts.to_dict() == {"P00": 3, "P01": 1, "P02": 4, "P03": 4, "P08": 2, "P09": 1}


def test_lesion_count_without_tumethod_counts_every_lesion():
    counts = conventional_lesion_count(make_adtu().drop(columns="TUMETHOD"))
    assert counts["P00"] == 4
    found = protocol_deviations(make_adsl(), make_adtu().drop(columns="TUMETHOD"))
    assert found.loc[found["RULE"].eq("LESIONS_ADTU"), "USUBJID"].tolist() == ["P00", "P02", "P03"]


def test_no_deviation_gives_empty_frame_with_columns():
    adsl = make_adsl().loc[lambda f: f["USUBJID"].isin(["P00", "P13", "P14", "P17"])]
    found = protocol_deviations(adsl, make_adtu())
    assert found.empty
    assert list(found.columns) == list(DEVIATION_COLUMNS)


def test_missing_columns_skip_rules_and_are_listed():
    adsl = make_adsl().drop(columns=["BTESTO", "RFICDT", "MDTDETL"])
    found = protocol_deviations(adsl)
    assert (
        not found["RULE"].isin(["TESTO", "CONSENT_MISSING", "CONSENT_AFTER_REG", "PRIMARY_UNTREATED"]).any()
    )
    skipped = rules_not_checked(adsl).set_index("RULE")
    assert list(skipped.index) == [
        "TESTO",
        "LESIONS_ADTU",
        "INTRACRANIAL",
        "CONSENT_MISSING",
        "CONSENT_AFTER_REG",
        "PRIMARY_UNTREATED",
    ]
    assert skipped.loc["TESTO", "MISSING"] == "ADSL.BTESTO"
    assert skipped.loc["LESIONS_ADTU", "MISSING"] == "ADTU"
    assert "ADSL.MDTDETL" in skipped.loc["PRIMARY_UNTREATED", "MISSING"]
    assert rules_not_checked(make_adsl(), make_adtu()).empty


def test_conformance_like_adsl_only_needs_ids():
    adsl = pd.DataFrame({"USUBJID": ["A", "B"], "SITEID": ["1", "2"], "AGE": [16.0, 70.0]})
    found = protocol_deviations(adsl)
    assert pairs(found) == [("A", "AGE")]
    # 14 rules, AGE the only one with its column: 13 not checked.
    assert len(rules_not_checked(adsl)) == 13


def test_missing_ids_raise():
    with pytest.raises(ValueError, match="SITEID"):
        protocol_deviations(pd.DataFrame({"USUBJID": ["A"]}))


def test_rules_run_on_the_rule_engine():
    from medcare_metrics.checks import Rule, run_rules
    from medcare_metrics.eligibility import RULES
    from medcare_metrics.model import TrialData

    adsl, adtu = make_adsl(), make_adtu()
    assert all(isinstance(rule, Rule) for rule in RULES)
    result = run_rules(RULES, TrialData(adsl=adsl, adtu=adtu))
    deviations = protocol_deviations(adsl, adtu)
    # The engine's findings are the deviations, in the same order; a rule's description is its criterion.
    assert result.findings[["USUBJID", "RULE", "VALUE", "DETAIL"]].values.tolist() == (
        deviations[["USUBJID", "RULE", "VALUE", "DETAIL"]].values.tolist()
    )
    assert set(result.findings["DATASET"]) == {"ADSL"}
    criteria = {rule.code: rule.description for rule in RULES}
    assert deviations["CRITERION"].tolist() == deviations["RULE"].map(criteria).tolist()
    assert result.n_checked == len(RULES) - len(rules_not_checked(adsl, adtu))
