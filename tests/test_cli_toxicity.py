"""``python -m medcare_metrics toxicity``: JSON shape, hand-computed counts, and R's conformance tables."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE

from medcare_metrics.__main__ import main
from medcare_metrics.cli import toxicity as cli

SEVERITY_RANK = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    code = cli.run(parser.parse_args(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def source(tmp_path: Path) -> Path:
    pd.DataFrame(
        {
            "STUDYID": "MEDCARE",
            "USUBJID": ["S1", "S2", "S3", "S4"],
            "SITEID": ["01", "01", "02", "02"],
            "SAFFL": ["Y", "Y", "Y", "N"],
        }
    ).to_csv(tmp_path / "adsl.csv", index=False)
    pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S2", "S3", "S4"],
            "AEBODSYS": ["Gastrointestinal disorders"] * 6,
            "AEDECOD": ["Nausea"] * 6,
            "ATOXGR": ["1", "3", "Grade 2", "2", "", "3"],
            "TRTEMFL": ["Y", "N", "Y", "Y", "Y", "Y"],
        }
    ).to_csv(tmp_path / "adae.csv", index=False)
    return tmp_path


def test_json_hand_computed(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli([str(source), "--json"], capsys)
    assert code == 0
    assert err == ""
    data = json.loads(out)
    assert set(data) == {"denominators", "rows"}
    # Safety population S1-S3. S1: 1, 3, 2 -> 3. S2: 2. S3: no grade -> null. S4 (SAFFL N) not counted.
    assert data["denominators"] == {"ALL": 3}
    nausea = {"AEBODSYS": "Gastrointestinal disorders", "AEDECOD": "Nausea", "group": "ALL"}
    assert data["rows"] == [
        {**nausea, "worst_grade": 2, "n_subjects": 1},
        {**nausea, "worst_grade": 3, "n_subjects": 1},
        {**nausea, "worst_grade": None, "n_subjects": 1},
    ]


def test_json_teae_and_by(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli([str(source), "--teae", "--by", "SITEID", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    # Site 01: S1, S2; site 02: S3 (S4 is not in the safety population). TEAE drops S1's grade 3.
    assert data["denominators"] == {"01": 2, "02": 1}
    got = {(r["group"], r["worst_grade"]): r["n_subjects"] for r in data["rows"]}
    assert got == {("01", 2): 2, ("02", None): 1}


def test_table_output(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli([str(source), "--level", "overall"], capsys)
    assert code == 0
    assert 'SAFFL = "Y"' in out
    assert "1 (33.3%)" in out


def test_bad_column_exit_code(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli([str(source), "--by", "NOPE", "--json"], capsys)
    assert code == 2
    assert out == ""
    assert "NOPE" in err


def test_missing_adae_exit_code(source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (source / "adae.csv").unlink()
    code, _, err = run_cli([str(source), "--json"], capsys)
    assert code == 2
    assert "ADAE" in err


@pytest.mark.parametrize(("folder", "arm"), [("cdiscpilot01", "TRT01A"), ("pharmaverseadam", "ARM")])
@pytest.mark.parametrize(("teae", "suffix"), [(False, "all"), (True, "teae")])
def test_module_matches_r(
    folder: str, arm: str, teae: bool, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Through main(), the entry point of `python -m medcare_metrics`.
    argv = ["toxicity", str(CONFORMANCE / folder), "--by", arm, "--json"]
    code = main(argv + (["--teae"] if teae else []))
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "AESEV rank" in out.err
    data = json.loads(out.out)
    reference = CONFORMANCE / folder / "reference"
    den = pd.read_csv(reference / "ae_denominators.csv")
    assert data["denominators"] == dict(zip(den["GROUP"], den["N_safety"].astype(int), strict=True))
    ref = pd.read_csv(reference / f"ae_worst_severity_by_term_arm_{suffix}.csv")
    expected = sorted(
        (r.AEBODSYS, r.AEDECOD, r.GROUP, SEVERITY_RANK[r.worst_severity], int(r.n_subjects))
        for r in ref.itertuples()
    )
    got = sorted(
        (r["AEBODSYS"], r["AEDECOD"], r["group"], r["worst_grade"], r["n_subjects"]) for r in data["rows"]
    )
    assert got == expected


def test_adae_arm_column_uses_adsl_denominators(capsys: pytest.CaptureFixture[str]) -> None:
    # TRTA (ADAE) equals TRT01A (ADSL) for every subject with an AE: R's per-arm safety N, not 254 each.
    folder = CONFORMANCE / "cdiscpilot01"
    code, out, err = run_cli([str(folder), "--by", "TRTA", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"denominators", "rows"}
    den = pd.read_csv(folder / "reference" / "ae_denominators.csv")
    assert data["denominators"] == dict(zip(den["GROUP"], den["N_safety"].astype(int), strict=True))
    assert "ADSL.TRT01A" in err
    by_adsl = json.loads(run_cli([str(folder), "--by", "TRT01A", "--json"], capsys)[1])
    assert data["rows"] == by_adsl["rows"]


def test_adae_event_column_keeps_whole_population(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CONFORMANCE / "cdiscpilot01"
    code, out, err = run_cli([str(folder), "--by", "AESER", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"denominators", "rows"}
    # The safety population of the reference: 86 + 84 + 84 = 254 patients, in every AESER group.
    total = int(pd.read_csv(folder / "reference" / "ae_denominators.csv")["N_safety"].sum())
    assert total == 254
    assert set(data["denominators"].values()) == {total}
    assert "whole safety population" in err
