"""``python -m medcare_metrics validate PATH``: exit codes and what it prints."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, tiny_frames, write_source

from medcare_metrics.__main__ import COMMANDS, main
from medcare_metrics.cli import validate
from medcare_metrics.loading import fingerprint

SMALL = Path(__file__).parent / "data" / "small"


def run_cli(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    validate.add_arguments(parser)
    code = validate.run(parser.parse_args([str(path)]))
    return code, capsys.readouterr().out


def test_clean_source_prints_a_summary_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(SMALL, capsys)
    assert code == 0
    assert f"Fingerprint: {fingerprint(SMALL)}" in out
    assert "enrolled (ENRLFL = Y): 2" in out  # S1, S2 of the 3 screened
    assert "Subjects screened (ADSL rows): 3" in out
    assert "Data cut-off (DCUTDT): 2024-06-30" in out
    assert "ADTU         3 rows       2 subjects" in out


def test_errors_are_listed_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adtte = pd.read_csv(SMALL / "adtte.csv", dtype=str, keep_default_na=False)
    adtte.loc[1, "AVAL"] = "abc"
    adtte.to_csv(folder / "adtte.csv", index=False)
    code, out = run_cli(folder, capsys)
    assert code == 1
    assert "1 error, 0 warnings" in out
    line = next(x for x in out.splitlines() if "AVAL 'abc'" in x)
    assert line.split()[:6] == ["error", "ADTTE", "adtte.csv", "3", "S1", "AVAL"]


def test_warnings_only_exit_0_and_are_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adsl = pd.read_csv(SMALL / "adsl.csv", dtype=str, keep_default_na=False)
    adsl.loc[2, "SEX"] = "male"
    adsl.to_csv(folder / "adsl.csv", index=False)
    code, out = run_cli(folder, capsys)
    assert code == 0
    assert "1 warning (values set missing, rows kept)" in out
    assert any(x.split()[:6] == ["warning", "ADSL", "adsl.csv", "4", "S3", "SEX"] for x in out.splitlines())


def test_no_adsl_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    code, out = run_cli(folder, capsys)
    assert code == 1
    assert "no ADSL dataset found" in out


def test_missing_path_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(tmp_path / "nowhere", capsys)
    assert code == 1
    assert "data source not found" in out


def test_module_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # main() is what `python -m medcare_metrics` runs; test_module_runs_as_a_program runs the module itself.
    assert main(["validate", str(SMALL)]) == 0, capsys.readouterr().err
    assert "Fingerprint:" in capsys.readouterr().out
    assert main(["validate", str(tmp_path)]) == 1


def test_module_runs_as_a_program() -> None:
    # The one subprocess test of the command line: `python -m medcare_metrics` starts and lists its commands.
    done = subprocess.run(
        [sys.executable, "-m", "medcare_metrics", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name in COMMANDS)


def test_long_problem_text_wraps_and_is_never_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adsl = pd.read_csv(SMALL / "adsl.csv", dtype=str, keep_default_na=False)
    adsl.loc[2, "SEX"] = " ".join(f"word{i}" for i in range(40))  # about 270 characters
    adsl.to_csv(folder / "adsl.csv", index=False)
    code, out = run_cli(folder, capsys)
    assert code == 0
    assert "..." not in out
    lines = out.splitlines()
    first = next(i for i, x in enumerate(lines) if x.startswith("warning "))
    start = lines[first].index("SEX 'word0")  # the problem column
    block = [lines[first]]
    block += [x for x in lines[first + 1 :] if x[:start].isspace() and x[start:] and not x[start].isspace()]
    # About 300 characters at 100 a line: four lines, each continuation indented to the problem column.
    assert len(block) == 4
    assert all(len(x) - start <= validate.MAX_PROBLEM_WIDTH for x in block)
    text = " ".join(x[start:] for x in block)
    assert "'" + " ".join(f"word{i}" for i in range(40)) + "'" in text
    assert text.endswith("value set missing")


# --- grouped output, --strict, --json, and sources that used to print a traceback ------------------------


def test_repeated_problems_are_grouped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frames = tiny_frames()
    adtte = frames["adtte"].astype({"AVAL": object})
    adtte.loc[[0, 2, 3, 5, 7], "AVAL"] = ["abc", "n/a", "x", "?", "--"]
    frames["adtte"] = adtte
    assert main(["validate", str(write_source(tmp_path / "src", **frames))]) == 1
    out = capsys.readouterr().out
    assert "5 errors, 0 warnings" in out
    lines = [x for x in out.splitlines() if "ADTTE" in x]
    assert len(lines) == 1, out
    assert lines[0].split()[:4] == ["error", "ADTTE", "adtte.csv", "4"]  # 4 subjects
    assert "5 x type (rows 2, 4, 5, ...), first: AVAL 'abc' is not a number; row excluded" in out


def test_empty_adsl_is_said_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frames = tiny_frames()
    frames["adsl"] = frames["adsl"].iloc[0:0]
    assert main(["validate", str(write_source(tmp_path / "src", **frames))]) == 1
    out = capsys.readouterr().out
    assert "1 error, 0 warnings" in out
    assert "ADSL has no rows: no subject to check other datasets against" in out
    assert "must be a subject in ADSL" not in out


def test_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adsl = pd.read_csv(SMALL / "adsl.csv", dtype=str, keep_default_na=False)
    adsl.loc[2, "SEX"] = "male"
    adsl.to_csv(folder / "adsl.csv", index=False)
    assert main(["validate", str(folder)]) == 0
    capsys.readouterr()
    assert main(["validate", "--strict", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "0 errors, 1 warning (--strict: warnings fail too)" in out
    assert "SEX 'male'" in out
    assert main(["validate", "--strict", str(SMALL)]) == 0


def test_json_output_for_scripts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adtte = pd.read_csv(SMALL / "adtte.csv", dtype=str, keep_default_na=False)
    adtte.loc[1, "AVAL"] = "abc"
    adtte.to_csv(folder / "adtte.csv", index=False)
    assert main(["validate", "--json", str(folder)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["exit_code"] == 1
    assert document["summary"]["errors"] == 1 and document["summary"]["warnings"] == 0
    assert document["summary"]["trial"] is True and document["summary"]["datasets"]["adsl"] == 3
    (problem,) = document["problems"]
    assert problem["row"] == 3 and problem["USUBJID"] == "S1" and problem["column"] == "AVAL"
    assert set(problem) == {"dataset", "file", "row", "USUBJID", "column", "check", "problem", "severity"}
    assert main(["validate", "--json", str(SMALL)]) == 0
    clean = json.loads(capsys.readouterr().out)
    assert clean["problems"] == [] and clean["summary"]["fingerprint"] == fingerprint(SMALL)
    assert main(["validate", "--json", str(tmp_path / "nowhere")]) == 1
    assert "data source not found" in json.loads(capsys.readouterr().out)["error"]


def _zip_of_small(archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(SMALL.glob("*.csv")):
            zf.write(f, f.name)
    return archive


@pytest.mark.skipif(shutil.which("zip") is None, reason="needs Info-ZIP's zip for a real password")
def test_encrypted_zip_is_one_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "cut.zip"
    names = sorted(f.name for f in SMALL.glob("*.csv"))
    subprocess.run(["zip", "-q", "-P", "secret", str(archive), *names], cwd=SMALL, check=True)
    assert main(["validate", str(archive)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "1 error, 0 warnings" in captured.out
    assert "encrypted zip: not supported, unzip it first" in captured.out


@pytest.mark.parametrize("method", [99, 9])
def test_unsupported_compression_is_one_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: int
) -> None:
    from broken_sources import _patch_zip

    archive = _zip_of_small(tmp_path / "cut.zip")
    _patch_zip(archive, method=method)
    assert main(["validate", str(archive)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "1 error, 0 warnings" in captured.out
    assert f"compression method {method}" in captured.out and "not supported" in captured.out
