"""``python -m medcare_metrics validate PATH``: exit codes and what it prints."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

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
