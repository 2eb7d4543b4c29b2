"""Synthetic example trial: structure, protocol consistency, determinism, formats and the shipped example."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from medcare_metrics.rules import DAYS_PER_MONTH
from medcare_metrics.study import default_study
from medcare_metrics.synthetic import (
    AE_CATALOGUE,
    SITE_NAMES,
    SyntheticOptions,
    generate_trial,
    write_trial,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "medcare_metrics" / "example_data"
CTCAE_CSV = ROOT / "medcare_metrics" / "reference" / "ctcae_v5.csv"
DATASET_NAMES = ("adsl", "adtte", "adae", "adtu", "adlb")

_STUDY = default_study()
#: MEDCARE's study facts, as the generator reads them (medcare_metrics/study/medcare.toml).
protocol = SimpleNamespace(
    ELIGIBILITY_CRITERIA=_STUDY.eligibility.criteria,
    CASTRATE_TESTOSTERONE_NG_DL=_STUDY.eligibility.castrate_testosterone_ng_dl,
    MAX_LESIONS=_STUDY.eligibility.max_lesions,
    MAX_WHO_PS=_STUDY.eligibility.max_who_ps,
    MIN_AGE=_STUDY.eligibility.min_age,
    SYSTEMIC_THERAPIES=_STUDY.systemic_therapies,
    PRIMARY_TREATMENTS=_STUDY.primary_treatments,
    RADIOTHERAPY_TYPES=frozenset(_STUDY.radiotherapy_types),
    SITE_CATEGORIES=_STUDY.site_categories,
    MDT_LESION_TYPES=_STUDY.mdt_lesion_types,
    DAYS_PER_MONTH=DAYS_PER_MONTH,
)


@pytest.fixture(scope="module")
def trial() -> dict[str, pd.DataFrame]:
    return generate_trial(SyntheticOptions())


@pytest.fixture(scope="module")
def big() -> dict[str, pd.DataFrame]:
    return generate_trial(SyntheticOptions(patients=2000, sites=6, seed=7))


def _enrolled(adsl: pd.DataFrame) -> pd.DataFrame:
    return adsl[adsl["ENRLFL"] == "Y"]


def _dictionary_columns() -> dict[str, list[str]]:
    """Column names per dataset, in order, from docs/data-dictionary.md."""
    text = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        name = section.split()[0].lower()
        if name in DATASET_NAMES:
            out[name] = re.findall(r"^\| ([A-Z][A-Z0-9]*) \|", section, flags=re.M)
    return out


# --- structure ------------------------------------------------------------------------------------


def test_columns_follow_the_data_dictionary(trial):
    expected = _dictionary_columns()
    assert set(expected) == set(DATASET_NAMES)
    for name in DATASET_NAMES:
        assert list(trial[name].columns) == expected[name], name


def test_every_column_is_filled_somewhere(trial):
    for name, frame in trial.items():
        empty = [c for c in frame.columns if frame[c].isna().all()]
        assert empty == [], f"{name}: {empty}"


def test_same_seed_same_trial_and_other_seed_differs():
    a = generate_trial(SyntheticOptions(seed=11))
    b = generate_trial(SyntheticOptions(seed=11))
    c = generate_trial(SyntheticOptions(seed=12))
    for name in DATASET_NAMES:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["adsl"].equals(c["adsl"])
    assert not a["adtte"].equals(c["adtte"])


@pytest.mark.parametrize("patients", [1, 18, 75])
def test_enrolled_count_is_exact_and_screen_failures_come_on_top(patients):
    adsl = generate_trial(SyntheticOptions(patients=patients, seed=3))["adsl"]
    assert (adsl["ENRLFL"] == "Y").sum() == patients
    assert adsl["USUBJID"].is_unique
    assert set(adsl["ENRLFL"]) <= {"Y", "N"}


def test_screen_failure_share_is_about_a_third(trial, big):
    for adsl in (trial["adsl"], big["adsl"]):
        share = (adsl["ENRLFL"] == "N").mean()
        assert 0.2 <= share <= 0.4


def test_screen_failures_have_a_criterion_and_nothing_after_screening(trial, big):
    for data in (trial, big):
        adsl = data["adsl"]
        sf = adsl[adsl["ENRLFL"] == "N"]
        assert len(sf) > 0
        assert sf["SCRFCRIT"].isin(list(protocol.ELIGIBILITY_CRITERIA)).all()
        assert sf["SCRFREAS"].str.len().gt(0).all()
        assert sf["ENRLDT"].isna().all() and sf["TRTSDT"].isna().all() and sf["MDTTYPE"].isna().all()
        assert (sf["ARM"] == "Screen Failure").all()
        enrolled = _enrolled(adsl)
        assert enrolled["SCRFCRIT"].isna().all() and enrolled["SCRFREAS"].isna().all()
        sf_ids = set(sf["USUBJID"])
        for name in ("adtte", "adae", "adtu", "adlb"):
            assert not sf_ids & set(data[name]["USUBJID"]), name


def test_screen_failure_values_show_the_failed_criterion(big):
    sf = big["adsl"][big["adsl"]["ENRLFL"] == "N"]
    assert set(sf["SCRFCRIT"]) >= {"EXC01", "EXC02", "INC06", "OTHER"}
    assert (sf.loc[sf["SCRFCRIT"] == "EXC01", "BTESTO"] >= protocol.CASTRATE_TESTOSTERONE_NG_DL).all()
    assert (sf.loc[sf["SCRFCRIT"] == "EXC02", "NLES"] > protocol.MAX_LESIONS).all()
    assert (sf.loc[sf["SCRFCRIT"] == "INC06", "WHOPS"] > protocol.MAX_WHO_PS).all()
    # The most common reason is polyprogression.
    assert sf["SCRFCRIT"].value_counts().index[0] == "EXC02"


def test_belgian_centres_and_numbered_names_beyond_the_list():
    adsl = generate_trial(SyntheticOptions(patients=400, sites=10, seed=5))["adsl"]
    names = dict(zip(adsl["SITEID"], adsl["SITENAME"], strict=False))
    assert set(names) == {f"{i:02d}" for i in range(1, 11)}
    assert names["01"] == "UZ Leuven" and names["02"] == "UZ Gent"
    assert names[f"{len(SITE_NAMES) + 1:02d}"] == "UZ Leuven 2"
    assert names[f"{len(SITE_NAMES) + 2:02d}"] == "UZ Gent 2"
    assert (adsl["USUBJID"] == "MEDCARE-" + adsl["SITEID"] + "-" + adsl["SUBJID"].str[3:]).all()


# --- eligibility and dates ------------------------------------------------------------------------


def test_every_enrolled_patient_is_eligible(trial, big):
    for data in (trial, big):
        e = _enrolled(data["adsl"])
        assert (e["BTESTO"] < protocol.CASTRATE_TESTOSTERONE_NG_DL).all()
        assert e["NLES"].between(1, protocol.MAX_LESIONS).all()
        assert (e["WHOPS"] <= protocol.MAX_WHO_PS).all()
        assert (e["AGE"] >= protocol.MIN_AGE).all() and e["AGE"].between(55, 85).all()
        assert (e["RFICDT"] <= e["ENRLDT"]).all()
        assert e["SYSTHER"].isin(protocol.SYSTEMIC_THERAPIES).all()
        assert e["PRIMTRT"].isin(protocol.PRIMARY_TREATMENTS).all()


def test_subject_dates_are_ordered(trial, big):
    for data in (trial, big):
        adsl = data["adsl"]
        cut = adsl["DCUTDT"]
        assert cut.nunique() == 1
        assert (adsl["RFICDT"] <= adsl["SCRNDT"]).all()
        e = _enrolled(adsl)
        assert (e["SCRNDT"] <= e["ENRLDT"]).all()
        lag = (e["TRTSDT"] - e["ENRLDT"]).dt.days
        assert lag.between(7, 30).all()
        assert (e["TRTSDT"] <= e["TRTEDT"]).all()
        assert (e["TRTEDT"] <= e["DCUTDT"]).all()
        assert (adsl["LSTALVDT"] <= cut).all()
        # Patients are alive and on study until their MDT is over.
        assert (e["LSTALVDT"] > e["TRTEDT"]).all()


def test_accrual_spans_about_two_years_and_leaves_follow_up(trial):
    e = _enrolled(trial["adsl"])
    first, last = e["ENRLDT"].min(), e["ENRLDT"].max()
    assert first.strftime("%Y-%m") in {"2022-03", "2022-04"}
    assert 18 <= (last - first).days / protocol.DAYS_PER_MONTH <= 26
    assert (e["DCUTDT"].iloc[0] - last).days > 365
    assert (e["EOSSTT"] == "ONGOING").sum() >= 5


def test_large_n_keeps_the_accrual_window(big):
    e = _enrolled(big["adsl"])
    span = (e["ENRLDT"].max() - e["ENRLDT"].min()).days / protocol.DAYS_PER_MONTH
    assert 22 <= span <= 26
    # Roughly uniform accrual: each half of the window gets 40-60 % of patients.
    mid = e["ENRLDT"].min() + (e["ENRLDT"].max() - e["ENRLDT"].min()) / 2
    assert 0.4 <= (e["ENRLDT"] < mid).mean() <= 0.6


# --- time to event --------------------------------------------------------------------------------


def test_adtte_has_three_endpoints_per_enrolled_subject(trial, big):
    for data in (trial, big):
        adtte, e = data["adtte"], _enrolled(data["adsl"])
        assert len(adtte) == 3 * len(e)
        per = adtte.groupby("USUBJID")["PARAMCD"].apply(lambda s: tuple(sorted(s)))
        assert set(per.index) == set(e["USUBJID"])
        assert set(per) == {("NESTFS", "OS", "PFS")}
        assert not adtte.duplicated(["USUBJID", "PARAMCD"]).any()


def test_adtte_aval_is_days_from_start_to_adt(trial, big):
    for data in (trial, big):
        adtte = data["adtte"]
        assert ((adtte["ADT"] - adtte["STARTDT"]).dt.days == adtte["AVAL"]).all()
        assert (adtte["AVALU"] == "DAYS").all()
        assert set(adtte["CNSR"].astype(int)) <= {0, 1}
        assert (adtte["AVAL"] >= 0).all()
        start = adtte["USUBJID"].map(data["adsl"].set_index("USUBJID")["ENRLDT"])
        assert (adtte["STARTDT"] == start).all()
        assert (adtte["ADT"] <= data["adsl"]["DCUTDT"].iloc[0]).all()
        event = adtte["CNSR"] == 0
        assert adtte.loc[event, "EVNTDESC"].notna().all() and adtte.loc[event, "CNSDTDSC"].isna().all()
        assert adtte.loc[~event, "CNSDTDSC"].notna().all() and adtte.loc[~event, "EVNTDESC"].isna().all()


def test_endpoints_nest_within_each_other(big):
    wide = big["adtte"].pivot(index="USUBJID", columns="PARAMCD", values="AVAL")
    assert (wide["PFS"] <= wide["NESTFS"]).all()
    assert (wide["NESTFS"] <= wide["OS"]).all()


def test_adsl_death_and_status_match_os(trial, big):
    for data in (trial, big):
        os_ = data["adtte"][data["adtte"]["PARAMCD"] == "OS"].set_index("USUBJID")
        e = _enrolled(data["adsl"]).set_index("USUBJID").loc[os_.index]
        dead = os_["CNSR"] == 0
        assert ((e["DTHFL"] == "Y") == dead).all()
        assert (e.loc[dead, "DTHDT"] == os_.loc[dead, "ADT"]).all()
        assert e.loc[~dead, "DTHDT"].isna().all()
        assert (e.loc[dead, "EOSSTT"] == "DISCONTINUED").all() and (e.loc[dead, "DCSREAS"] == "Death").all()
        # Alive patients are censored for OS on the last day known alive.
        assert (os_.loc[~dead, "ADT"] == e.loc[~dead, "LSTALVDT"]).all()
        ongoing = e["EOSSTT"] == "ONGOING"
        assert (e.loc[ongoing, "LSTALVDT"] == e.loc[ongoing, "DCUTDT"]).all()
        assert e.loc[ongoing, "EOSDT"].isna().all() and e.loc[~ongoing, "EOSDT"].notna().all()
        stopped = e["EOSSTT"] == "DISCONTINUED"
        assert (e.loc[stopped, "EOSDT"] == e.loc[stopped, "LSTALVDT"]).all()


def _km_median_months(tte: pd.DataFrame) -> float:
    from lifelines import KaplanMeierFitter

    fit = KaplanMeierFitter().fit(tte["AVAL"] / protocol.DAYS_PER_MONTH, tte["CNSR"] == 0)
    return float(fit.median_survival_time_)


def test_medians_are_near_the_benchmark(big):
    adtte = big["adtte"]
    assert 14 <= _km_median_months(adtte[adtte["PARAMCD"] == "NESTFS"]) <= 24
    assert 7 <= _km_median_months(adtte[adtte["PARAMCD"] == "PFS"]) <= 13
    os_events = (adtte.loc[adtte["PARAMCD"] == "OS", "CNSR"] == 0).mean()
    assert 0.05 <= os_events <= 0.4


# --- adverse events -------------------------------------------------------------------------------


def _ctcae() -> pd.DataFrame:
    """The CTCAE v5.0 table the package ships (medcare_metrics/reference/ctcae_v5.SOURCE.md)."""
    return pd.read_csv(CTCAE_CSV, dtype=str, keep_default_na=False)


def _grade_exists(ref: pd.DataFrame) -> dict[tuple[str, str, int], bool]:
    out = {}
    for _, r in ref.iterrows():
        for g in range(1, 6):
            out[(r["CTCAE Term"], r["MedDRA SOC"], g)] = r[f"Grade {g}"].strip() not in ("", "-")
    return out


def test_ae_catalogue_matches_ctcae():
    exists = _grade_exists(_ctcae())
    for t in AE_CATALOGUE:
        for g in range(t.min_grade, t.max_grade + 1):
            assert exists.get((t.term, t.soc, g)), (t.term, t.soc, g)
        assert not exists.get((t.term, t.soc, t.min_grade - 1), False), t.term


def test_every_ae_is_a_ctcae_term_with_its_soc_and_an_existing_grade(trial, big):
    exists = _grade_exists(_ctcae())
    for data in (trial, big):
        adae = data["adae"]
        keys = zip(adae["AEDECOD"], adae["AEBODSYS"], adae["ATOXGR"].astype(int), strict=True)
        bad = [k for k in set(keys) if not exists.get(k)]
        assert bad == []


def test_ae_fields_are_consistent(trial, big):
    sev = {1: "MILD", 2: "MODERATE", 3: "SEVERE", 4: "SEVERE", 5: "SEVERE"}
    for data in (trial, big):
        adae = data["adae"]
        adsl = data["adsl"].set_index("USUBJID")
        assert (adae["ATOXGR"] == adae["AETOXGR"]).all()
        assert (adae["AESEV"] == adae["ATOXGR"].astype(int).map(sev)).all()
        assert adae["AESER"].isin(["Y", "N"]).all() and adae["TRTEMFL"].isin(["Y", "N"]).all()
        assert adae["AEREL"].isin(["RELATED", "POSSIBLY RELATED", "NOT RELATED"]).all()
        trts = adae["USUBJID"].map(adsl["TRTSDT"])
        diff = (adae["ASTDT"] - trts).dt.days
        assert (adae["ASTDY"] == np.where(diff >= 0, diff + 1, diff)).all()
        assert ((adae["TRTEMFL"] == "Y") == (adae["ASTDT"] >= trts)).all()
        assert (adae["ASTDT"] >= adae["USUBJID"].map(adsl["ENRLDT"])).all()
        ended = adae["AENDT"].notna()
        assert (adae.loc[ended, "AENDT"] >= adae.loc[ended, "ASTDT"]).all()
        assert (adae.loc[ended, "AENDT"] <= adsl["DCUTDT"].iloc[0]).all()
        seq = adae.groupby("USUBJID")["AESEQ"].apply(list)
        assert all(s == list(range(1, len(s) + 1)) for s in seq)


def test_toxicity_is_mostly_mild_with_acute_and_late(big):
    adae = big["adae"]
    n = (big["adsl"]["ENRLFL"] == "Y").sum()
    grade3_patients = adae.loc[adae["ATOXGR"] >= 3, "USUBJID"].nunique()
    assert 0 < grade3_patients < 0.10 * n
    assert (adae["ATOXGR"] <= 2).mean() > 0.9
    late = adae["ASTDY"] > 90
    assert 0.1 < late.mean() < 0.6


def test_example_has_one_late_grade3_gu_gi_event(trial):
    g3 = trial["adae"][trial["adae"]["ATOXGR"] >= 3]
    assert len(g3) == 1
    assert g3["AEBODSYS"].iloc[0] in {"Renal and urinary disorders", "Gastrointestinal disorders"}
    assert g3["ASTDY"].iloc[0] > 90


# --- lesions --------------------------------------------------------------------------------------


def test_lesions_match_adsl(trial, big):
    rt_types = protocol.RADIOTHERAPY_TYPES
    for data in (trial, big):
        adtu, e = data["adtu"], _enrolled(data["adsl"]).set_index("USUBJID")
        assert not adtu.duplicated(["USUBJID", "TULNKID"]).any()
        conventional = adtu[adtu["TUMETHOD"] == "Conventional"].groupby("USUBJID").size()
        assert (conventional.reindex(e.index, fill_value=0) == e["NLES"]).all()
        assert adtu["TULOCCAT"].isin(protocol.SITE_CATEGORIES).all()
        assert adtu["MDTLES"].isin((*protocol.MDT_LESION_TYPES, "None")).all()
        local = adtu[adtu["TULOCCAT"] == "Local recurrence"].groupby("USUBJID").size()
        assert (local <= 1).all()
        psma_only = adtu["TUMETHOD"] == "PSMA PET-CT only"
        assert (adtu.loc[psma_only, "USUBJID"].map(e["PSMAFL"]) == "Y").all()
        # PSMA changed the plan exactly when a PSMA-only lesion was treated.
        changed = adtu[psma_only & (adtu["MDTLES"] != "None")]["USUBJID"].unique()
        assert set(e.index[e["PSMACHFL"] == "Y"]) == set(changed)
        # Dose and fractions for radiotherapy only; treated lesions have a date on or after registration.
        rt = adtu["MDTLES"].isin(rt_types)
        assert adtu.loc[rt, "RTDOSE"].gt(0).all() and adtu.loc[rt, "RTFX"].ge(1).all()
        assert adtu.loc[~rt, "RTDOSE"].isna().all() and adtu.loc[~rt, "RTFX"].isna().all()
        treated = adtu["MDTLES"] != "None"
        assert adtu.loc[~treated, "MDTDT"].isna().all()
        t = adtu[treated]
        assert (t["MDTDT"] >= t["USUBJID"].map(e["ENRLDT"])).all()
        first = t.groupby("USUBJID")["MDTDT"].min()
        assert (first == e.loc[first.index, "TRTSDT"]).all() and len(first) == len(e)


def test_mdt_type_summarises_the_lesion_treatments(trial, big):
    surgery = {"Metastasectomy", "Salvage lymphadenectomy", "Salvage prostatectomy"}
    for data in (trial, big):
        adtu, e = data["adtu"], _enrolled(data["adsl"]).set_index("USUBJID")
        treated = adtu[adtu["MDTLES"] != "None"]
        kinds = treated.groupby("USUBJID")["MDTLES"].apply(set)
        for usubjid, types in kinds.items():
            has_rt, has_surgery = bool(types & protocol.RADIOTHERAPY_TYPES), bool(types & surgery)
            expected = "SBRT + surgery" if has_rt and has_surgery else ("Surgery" if has_surgery else "SBRT")
            assert e.loc[usubjid, "MDTTYPE"] == expected
            detail = [t for t in protocol.MDT_LESION_TYPES if t in types]
            assert e.loc[usubjid, "MDTDETL"] == "; ".join(detail)


def test_lesion_mix_is_plausible(big):
    adtu = big["adtu"]
    share = adtu["TULOCCAT"].value_counts(normalize=True)
    assert share.index[0] == "Bone" and share.index[1] == "Lymph node"
    assert set(share.index) == set(protocol.SITE_CATEGORIES)
    assert 0.05 < (adtu["TUMETHOD"] == "PSMA PET-CT only").mean() < 0.3
    sbrt = adtu[adtu["MDTLES"] == "SBRT"]
    assert sbrt["RTFX"].between(1, 5).all() and sbrt["RTDOSE"].between(20, 45).all()


# --- PSA ------------------------------------------------------------------------------------------


def test_psa_baseline_and_changes(trial, big):
    for data in (trial, big):
        adlb, e = data["adlb"], _enrolled(data["adsl"]).set_index("USUBJID")
        assert (adlb["PARAMCD"] == "PSA").all() and (adlb["AVALU"] == "ng/mL").all()
        base = adlb[adlb["ABLFL"] == "Y"].set_index("USUBJID")
        assert base.index.is_unique and set(base.index) == set(e.index)
        assert (base["AVAL"] == e.loc[base.index, "BPSA"]).all()
        assert (base["ADT"] <= e.loc[base.index, "ENRLDT"]).all()
        assert (adlb["BASE"] == adlb["USUBJID"].map(base["AVAL"])).all()
        assert np.allclose(adlb["CHG"], adlb["AVAL"] - adlb["BASE"], atol=0.006)
        assert np.allclose(adlb["PCHG"], 100 * (adlb["AVAL"] - adlb["BASE"]) / adlb["BASE"], atol=0.06)
        trts = adlb["USUBJID"].map(e["TRTSDT"])
        diff = (adlb["ADT"] - trts).dt.days
        assert (adlb["ADY"] == np.where(diff >= 0, diff + 1, diff)).all()
        end = adlb["USUBJID"].map(e["LSTALVDT"])
        assert (adlb["ADT"] <= end).all()
        assert (adlb["AVAL"] > 0).all()


def test_psa_is_sampled_about_every_three_months(big):
    post = big["adlb"][big["adlb"]["ABLFL"] == "N"].sort_values(["USUBJID", "ADT"])
    gaps = post.groupby("USUBJID")["ADT"].diff().dt.days.dropna()
    assert gaps.between(70, 110).all()


def test_psa_rises_after_progression(big):
    adlb = big["adlb"]
    pfs = big["adtte"][(big["adtte"]["PARAMCD"] == "PFS")].set_index("USUBJID")
    nest = big["adtte"][(big["adtte"]["PARAMCD"] == "NESTFS")].set_index("USUBJID")
    prog = pfs.loc[(pfs["CNSR"] == 0) & (pfs["EVNTDESC"] != "Death"), "ADT"]
    lb = adlb[adlb["USUBJID"].isin(prog.index)].copy()
    lb["PROG"] = lb["USUBJID"].map(prog)
    lb["NEST"] = lb["USUBJID"].map(nest["ADT"])
    lb["DAYS"] = (lb["ADT"] - lb["PROG"]).dt.days
    before = lb[lb["DAYS"].between(-120, -60)].groupby("USUBJID")["AVAL"].median()
    after = lb[lb["DAYS"].between(0, 100) & (lb["ADT"] < lb["NEST"])].groupby("USUBJID")["AVAL"].median()
    both = before.index.intersection(after.index)
    assert len(both) > 100
    assert (after[both] > before[both]).mean() > 0.8


# --- writing --------------------------------------------------------------------------------------


def _assert_same(orig: pd.DataFrame, back: pd.DataFrame, where: str) -> None:
    assert list(back.columns) == list(orig.columns), where
    assert len(back) == len(orig), where
    for col in orig.columns:
        o, b = orig[col], back[col]
        if pd.api.types.is_datetime64_any_dtype(o):
            b = pd.to_datetime(b)
            assert (o.isna() == b.isna()).all(), (where, col)
            assert (o[o.notna()] == b[o.notna()]).all(), (where, col)
        elif pd.api.types.is_numeric_dtype(o):
            np.testing.assert_allclose(
                o.astype(float), pd.to_numeric(b).astype(float), equal_nan=True, err_msg=f"{where} {col}"
            )
        else:
            assert o.fillna("").tolist() == b.fillna("").astype(str).tolist(), (where, col)


def test_csv_round_trip_with_iso_dates(tmp_path, trial):
    paths = write_trial(trial, tmp_path, fmt="csv")
    assert sorted(p.name for p in paths) == sorted(f"{n}.csv" for n in DATASET_NAMES)
    for name, frame in trial.items():
        back = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        _assert_same(frame, back, name)
    header, first = (tmp_path / "adsl.csv").read_text(encoding="utf-8").splitlines()[:2]
    cells = dict(zip(header.split(","), first.split(","), strict=False))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells["SCRNDT"])


def test_parquet_round_trip(tmp_path, trial):
    write_trial(trial, tmp_path, fmt="parquet")
    for name, frame in trial.items():
        _assert_same(frame, pd.read_parquet(tmp_path / f"{name}.parquet"), name)


def test_xlsx_one_workbook_with_a_sheet_per_dataset(tmp_path, trial):
    paths = write_trial(trial, tmp_path, fmt="xlsx")
    assert [p.name for p in paths] == ["medcare.xlsx"]
    # MDTLES "None" is a value (no MDT): pandas' default NA strings must be off, as for conformance data.
    sheets = pd.read_excel(paths[0], sheet_name=None, dtype=object, keep_default_na=False, na_values=[""])
    assert list(sheets) == [n.upper() for n in DATASET_NAMES]
    for name, frame in trial.items():
        _assert_same(frame, sheets[name.upper()], name)


def test_bad_options_are_refused(tmp_path, trial):
    with pytest.raises(ValueError, match="patients"):
        SyntheticOptions(patients=0)
    with pytest.raises(ValueError, match="sites"):
        SyntheticOptions(sites=0)
    with pytest.raises(ValueError, match="cutoff"):
        SyntheticOptions(cutoff=dt.date(2023, 1, 1))
    with pytest.raises(ValueError, match="format"):
        write_trial(trial, tmp_path, fmt="json")  # type: ignore[arg-type]


# --- command line and the shipped example ---------------------------------------------------------


def test_shipped_example_is_what_the_documented_command_writes(tmp_path):
    from medcare_metrics.__main__ import main

    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "python -m medcare_metrics generate --out medcare_metrics/example_data" in readme
    assert main(["generate", "--out", str(tmp_path)]) == 0
    for name in DATASET_NAMES:
        assert (tmp_path / f"{name}.csv").read_bytes() == (EXAMPLE / f"{name}.csv").read_bytes(), name


def test_cli_options_reach_the_generator(tmp_path, capsys):
    from medcare_metrics.__main__ import main

    out = tmp_path / "x"
    assert main(["generate", "--out", str(out), "--patients", "30", "--sites", "3", "--seed", "9",
                 "--format", "parquet"]) == 0  # fmt: skip
    adsl = pd.read_parquet(out / "adsl.parquet")
    assert (adsl["ENRLFL"] == "Y").sum() == 30
    assert adsl["SITEID"].nunique() <= 3
    expected = generate_trial(SyntheticOptions(patients=30, sites=3, seed=9))["adsl"]
    _assert_same(expected, adsl, "adsl")
    assert "30 enrolled" in capsys.readouterr().out
    assert main(["generate", "--out", str(out), "--patients", "0"]) == 2


def test_example_loads_without_errors():
    from medcare_metrics.loading import example_path, load_trial

    assert Path(example_path()).resolve() == EXAMPLE.resolve()
    result = load_trial(example_path())
    assert result.trial is not None
    errors = result.problems[result.problems["severity"].astype(str).str.lower() == "error"]
    assert errors.empty, errors.to_string()
    assert (result.trial.adsl["ENRLFL"] == "Y").sum() == 18
    assert set(result.trial.available) == set(DATASET_NAMES)
