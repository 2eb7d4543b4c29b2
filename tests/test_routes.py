"""Every route to the example trial gives the native example's trial and the same CLI numbers.

Views are pure functions of the loaded trial (datasets and study definition), so equal trials give equal
pages; tests/test_edc_example.py runs every view on one route to show it. DuckDB and PostgreSQL are covered in
tests/test_database_sources.py, uploads in tests/test_upload.py.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from test_database_sources import assert_same_trial, cli_json, example_frames

from medcare_metrics.loading import LoadResult, load_trial
from medcare_metrics.loading.sources import example_path
from medcare_metrics.model import DATASETS


@pytest.fixture(scope="module")
def native() -> LoadResult:
    return load_trial(example_path())


def _workbook(path: Path) -> Path:
    with pd.ExcelWriter(path) as writer:
        for name, frame in example_frames().items():
            frame.to_excel(writer, sheet_name=name.upper(), index=False)
    return path


def _archive(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in DATASETS:
            archive.write(example_path() / f"{name}.csv", f"cut/{name}.csv")
    return path


@pytest.mark.parametrize("route", ["xlsx", "zip"])
def test_file_routes_give_the_native_trial(
    route: str, native: LoadResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _workbook(tmp_path / "cut.xlsx") if route == "xlsx" else _archive(tmp_path / "cut.zip")
    result = load_trial(source)
    assert_same_trial(result, native)
    assert result.trial is not None and native.trial is not None
    assert result.trial.study == native.trial.study
    if route == "zip":  # the commands read every route through load_trial, so one file route is enough
        for command in (["km", "--endpoint", "PFS", "--by", "MDTTYPE"], ["toxicity"]):
            assert cli_json(capsys, *command, str(source)) == cli_json(capsys, *command, str(example_path()))


def test_redcap_export_and_mapping_give_the_same_cli_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    redcap = example_path() / "redcap"
    export = str(next(redcap.glob("MEDCARE_DATA_*.csv")))
    mapping = str(redcap / "mapping.yaml")
    commands = (["km", "--endpoint", "NESTFS"], ["km", "--endpoint", "PFS", "--by", "MDTTYPE"], ["toxicity"])
    for command in commands:
        got = cli_json(capsys, *command, export, "--mapping", mapping)
        assert got == cli_json(capsys, *command, str(example_path())), command
