"""``python -m medcare_metrics km``: JSON shape and numbers against R's reference on the conformance data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import CONFORMANCE

from medcare_metrics.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "medcare_metrics" / "example_data"


def run_json(capsys, *argv: str) -> dict:
    assert main(["km", *argv, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object on one line
    return json.loads(out)


def reference(name: str, file: str) -> pd.DataFrame:
    return pd.read_csv(CONFORMANCE / name / "reference" / file, keep_default_na=False, na_values=[""])


def same(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return abs(a - b) <= 1e-9


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
@pytest.mark.parametrize(
    ("name", "paramcd", "by"),
    [("cdiscpilot01", "TTDE", "TRTA"), ("pharmaverseadam", "PFS", "ARM"), ("pharmaverseadam", "RSD", None)],
)
def test_json_matches_r_reference(capsys, name, paramcd, by, conf_type):
    argv = [str(CONFORMANCE / name), "--endpoint", paramcd, "--conf-type", conf_type]
    if by:
        argv += ["--by", by]
    got = run_json(capsys, *argv)
    assert set(got) == {"endpoint", "conf_type", "time_unit", "strata", "logrank"}
    assert (got["endpoint"], got["conf_type"], got["time_unit"]) == (paramcd, conf_type, "DAYS")

    med = reference(name, "km_medians.csv")
    med = med[(med["PARAMCD"] == paramcd) & (med["conf_type"] == conf_type)]
    med = med[med["GROUP"] != "ALL"] if by else med[med["GROUP"] == "ALL"]
    assert [s["group"] for s in got["strata"]] == list(med["GROUP"])
    est = reference(name, "km_estimates.csv")
    suffix = "log" if conf_type == "log" else "loglog"
    for stratum, (_, row) in zip(got["strata"], med.iterrows(), strict=True):
        assert (stratum["n"], stratum["events"]) == (row["n"], row["events"])
        assert same(stratum["median"], row["median"])
        assert same(stratum["median_ci"][0], row["lcl_95"]) and same(stratum["median_ci"][1], row["ucl_95"])
        e = est[(est["PARAMCD"] == paramcd) & (est["GROUP"] == row["GROUP"])]
        assert len(stratum["timeline"]) == len(e)
        for point, (_, r) in zip(stratum["timeline"], e.iterrows(), strict=True):
            assert set(point) == {"time", "n_risk", "n_event", "n_censor", "surv", "lower", "upper"}
            assert (point["n_risk"], point["n_event"], point["n_censor"]) == (
                r["n_risk"],
                r["n_event"],
                r["n_censor"],
            )
            assert same(point["time"], r["time"]) and same(point["surv"], r["surv"])
            assert same(point["lower"], r[f"lower_{suffix}"]) and same(point["upper"], r[f"upper_{suffix}"])

    if by is None:
        assert got["logrank"] is None
    else:
        lr = reference(name, "logrank.csv")
        lr = lr[(lr["PARAMCD"] == paramcd) & (lr["comparison"] == "all arms")].iloc[0]
        assert same(got["logrank"]["chisq"], lr["chisq"])
        assert got["logrank"]["df"] == lr["df"]
        assert same(got["logrank"]["p"], lr["p_value"])


def test_not_reached_is_null(capsys):
    got = run_json(capsys, str(CONFORMANCE / "pharmaverseadam"), "--endpoint", "OS")
    assert got["strata"][0]["median"] is None and got["strata"][0]["median_ci"] == [None, None]


def test_text_output_names_the_method_and_the_test(capsys):
    assert main(["km", str(CONFORMANCE / "cdiscpilot01"), "--endpoint", "TTDE", "--by", "TRTA"]) == 0
    out = capsys.readouterr().out
    assert "95% CI, log transform (R default)" in out
    assert "Placebo" in out and "NA" in out
    assert "chi-square = 60.2696 on 2 df" in out


def test_by_takes_an_adsl_column(capsys):
    got = run_json(capsys, str(EXAMPLE), "--endpoint", "NESTFS", "--by", "MDTTYPE")
    assert {s["group"] for s in got["strata"]} <= {"SBRT", "Surgery", "SBRT + surgery", "Missing"}
    assert got["logrank"] is not None and got["logrank"]["df"] >= 1


def test_errors_exit_2_with_a_message(capsys):
    assert main(["km", str(EXAMPLE), "--endpoint", "NOPE"]) == 2
    assert "available: NESTFS" in capsys.readouterr().err
    assert main(["km", str(EXAMPLE), "--endpoint", "OS", "--by", "NOCOLUMN"]) == 2
    assert "NOCOLUMN" in capsys.readouterr().err
    assert main(["km", str(ROOT / "does-not-exist"), "--endpoint", "OS"]) == 2


def test_runs_through_the_module_entry_point(capsys):
    # main() is what `python -m medcare_metrics` runs (test_cli_validate.py runs the module itself once).
    assert main(["km", str(EXAMPLE), "--endpoint", "PFS", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["endpoint"] == "PFS"


def test_error_line_never_shows_a_database_password(capsys: pytest.CaptureFixture[str]) -> None:
    from medcare_metrics.cli.common import load_for_command

    url = "postgresql://medcare:s3cret-pw@127.0.0.1:1/nowhere?schema=medcare&connect_timeout=1"
    assert load_for_command(url, "adtte") is None
    err = capsys.readouterr().err
    assert err.startswith("error: no usable ADSL in postgresql://medcare:***@127.0.0.1:1/nowhere")
    assert "s3cret-pw" not in err


def test_logrank_leaves_out_subjects_without_a_group_and_says_so(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "cut"
    folder.mkdir()
    for file in EXAMPLE.glob("*.csv"):
        (folder / file.name).write_bytes(file.read_bytes())
    adsl = pd.read_csv(folder / "adsl.csv", dtype=str, keep_default_na=False)
    enrolled = adsl.index[adsl["ENRLFL"] == "Y"]
    adsl.loc[enrolled[:2], "MDTTYPE"] = ""
    adsl.to_csv(folder / "adsl.csv", index=False)
    got = run_json(capsys, str(folder), "--endpoint", "NESTFS", "--by", "MDTTYPE")
    assert got["logrank"]["excluded"] == 2
    assert main(["km", str(folder), "--endpoint", "NESTFS", "--by", "MDTTYPE"]) == 0
    assert "2 subject(s) without a value of MDTTYPE left out of the test." in capsys.readouterr().out
