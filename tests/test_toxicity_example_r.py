"""Toxicity tables of the shipped example trial against counts computed independently in base R.

The R numbers are committed in tests/fixtures/r/example_ae/, written by make_example_ae.R in that folder
(``Rscript tests/fixtures/r/example_ae/make_example_ae.R`` from the repository root), so R is not needed here.
Safety population SAFFL = "Y"; worst ATOXGR per subject; onset days = ASTDT - TRTSDT, acute 0-90, late > 90,
negative = "Before MDT" (the data-dictionary rule: acute means up to 90 days after MDT start).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from medcare_metrics import toxicity as tox
from medcare_metrics.__main__ import main
from medcare_metrics.loading import example_path, load_trial

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "r" / "example_ae"
REGENERATE = "Rscript tests/fixtures/r/example_ae/make_example_ae.R"
SETS = {"all": False, "teae": True}
#: R's BY column -> the package's ``by`` argument.
BYS = {"ALL": None, "MDTTYPE": "MDTTYPE"}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, keep_default_na=False, na_values=[""], dtype={"GROUP": str})


def r_rows(name: str, **where: str) -> pd.DataFrame:
    d = read(name)
    for key, value in where.items():
        d = d[d[key] == value]
    return d.drop(columns=list(where)).reset_index(drop=True)


def same(got: pd.DataFrame, ref: pd.DataFrame, keys: list[str]) -> None:
    """Assert equal rows (as integers where numeric), order-free."""
    got = got[list(ref.columns)].sort_values(keys).reset_index(drop=True)
    ref = ref.sort_values(keys).reset_index(drop=True)
    for col in ref.columns:
        if pd.api.types.is_numeric_dtype(ref[col]):
            got[col] = got[col].astype("Int64")
            ref[col] = ref[col].astype("Int64")
        else:
            got[col] = got[col].astype(object)
            ref[col] = ref[col].astype(object)
    pd.testing.assert_frame_equal(got, ref)


@pytest.fixture(scope="module")
def trial():
    loaded = load_trial(example_path())
    assert loaded.trial is not None and loaded.trial.adae is not None
    return loaded.trial


def test_fixtures_match_the_shipped_example() -> None:
    ref = read("inputs_md5.csv")
    for file, md5 in zip(ref["file"], ref["md5"], strict=True):
        now = hashlib.md5((example_path() / file).read_bytes()).hexdigest()
        assert now == md5, f"example {file} changed since the R fixtures were written: run {REGENERATE}"


@pytest.mark.parametrize("r_by", sorted(BYS))
def test_denominators(trial, r_by: str) -> None:
    result = tox.toxicity_by_grade(trial.adae, trial.adsl, by=BYS[r_by])
    assert result.population == 'SAFFL = "Y"'
    same(result.denominators, r_rows("denominators.csv", BY=r_by), ["GROUP"])


@pytest.mark.parametrize("r_by", sorted(BYS))
@pytest.mark.parametrize("r_set", sorted(SETS))
def test_worst_grade_by_term(trial, r_set: str, r_by: str) -> None:
    options = tox.ToxicityOptions(teae_only=SETS[r_set])
    result = tox.toxicity_by_grade(trial.adae, trial.adsl, level="term", by=BYS[r_by], options=options)
    assert not result.uses_severity and result.scale.column == "ATOXGR"
    ref = r_rows("term_worst_grade.csv", SET=r_set, BY=r_by)
    same(result.counts, ref, ["GROUP", "AEBODSYS", "AEDECOD", "GRADE"])


@pytest.mark.parametrize("r_by", sorted(BYS))
@pytest.mark.parametrize("r_set", sorted(SETS))
def test_cli_json(trial, r_set: str, r_by: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["toxicity", str(example_path()), "--json"]
    if SETS[r_set]:
        argv.append("--teae")
    if BYS[r_by] is not None:
        argv += ["--by", BYS[r_by]]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    den = r_rows("denominators.csv", BY=r_by)
    assert out["denominators"] == dict(zip(den["GROUP"], den["N"].astype(int).tolist(), strict=True))
    rows = pd.DataFrame(out["rows"]).rename(
        columns={"group": "GROUP", "worst_grade": "GRADE", "n_subjects": "N"}
    )
    ref = r_rows("term_worst_grade.csv", SET=r_set, BY=r_by)
    same(rows, ref, ["GROUP", "AEBODSYS", "AEDECOD", "GRADE"])


@pytest.mark.parametrize("r_by", sorted(BYS))
@pytest.mark.parametrize("r_set", sorted(SETS))
def test_worst_grade_per_subject_overall(trial, r_set: str, r_by: str) -> None:
    options = tox.ToxicityOptions(teae_only=SETS[r_set])
    got = tox.worst_grade_per_subject(trial.adae, trial.adsl, level="overall", by=BYS[r_by], options=options)
    assert set(got["AEBODSYS"]) == {tox.ANY} and set(got["AEDECOD"]) == {tox.ANY}
    same(got, r_rows("subject_worst_grade.csv", SET=r_set, BY=r_by), ["GROUP", "USUBJID"])


@pytest.mark.parametrize("r_by", sorted(BYS))
@pytest.mark.parametrize("r_set", sorted(SETS))
def test_subjects_with_grade_3_or_more(trial, r_set: str, r_by: str) -> None:
    options = tox.ToxicityOptions(teae_only=SETS[r_set], high_grade=3)
    ref = r_rows("grade_ge3_subjects.csv", SET=r_set, BY=r_by)
    expected = dict(zip(ref["GROUP"], ref["N_SUBJECTS_GE3"].astype(int), strict=True))
    by = BYS[r_by]

    patients = tox.high_grade_patients(trial.adae, trial.adsl, by=by, options=options)
    groups = patients["GROUP"] if by is not None else pd.Series(tox.ALL, index=patients.index)
    from_patients = {g: int((groups == g).sum()) for g in expected}
    assert from_patients == expected
    assert patients["USUBJID"].is_unique

    overall = tox.toxicity_by_grade(trial.adae, trial.adsl, level="overall", by=by, options=options)
    high = overall.counts[(overall.counts["GRADE"] >= 3).fillna(False)]
    from_counts = {g: int(high.loc[high["GROUP"] == g, "N"].sum()) for g in expected}
    assert from_counts == expected
    den = dict(zip(overall.denominators["GROUP"], overall.denominators["N"].astype(int), strict=True))
    assert den == dict(zip(ref["GROUP"], ref["N_SAFETY"].astype(int), strict=True))


@pytest.mark.parametrize("r_set", sorted(SETS))
def test_acute_and_late_by_worst_grade(trial, r_set: str) -> None:
    options = tox.ToxicityOptions(teae_only=SETS[r_set], acute_window_days=90)
    result = tox.toxicity_by_phase(trial.adae, trial.adsl, level="overall", options=options)
    got = result.counts.rename(columns={"GROUP": "PHASE"})
    same(got, r_rows("phase_worst_grade.csv", SET=r_set), ["PHASE", "GRADE"])
    n_safety = int(r_rows("denominators.csv", BY="ALL")["N"].iloc[0])
    assert set(result.denominators["N"].astype(int)) == {n_safety}
