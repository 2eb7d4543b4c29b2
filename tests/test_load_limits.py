"""Load limits: the largest zip and dataset a load reads (LoadLimits), from the environment or the caller.

Small limits keep these tests fast: no test writes a big file.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from broken_sources import build
from conftest import tiny_frames, write_source

from medcare_metrics.__main__ import main
from medcare_metrics.loading import LoadLimits, load_trial, readers
from medcare_metrics.loading.limits import DEFAULT_MAX_ROWS, DEFAULT_MAX_ZIP_BYTES


def _many_adae(n: int) -> pd.DataFrame:
    adae = tiny_frames()["adae"]
    return adae.iloc[[i % len(adae) for i in range(n)]].reset_index(drop=True)


def _problem(result: object, text: str) -> pd.Series:
    problems = result.problems  # type: ignore[attr-defined]
    found = problems[problems["problem"].str.contains(text, regex=False)]
    assert len(found) == 1, problems.to_string()
    return found.iloc[0]


def test_defaults_and_environment() -> None:
    assert LoadLimits() == LoadLimits(500_000_000, 1_000_000) == LoadLimits.from_environ({})
    assert (DEFAULT_MAX_ZIP_BYTES, DEFAULT_MAX_ROWS) == (500_000_000, 1_000_000)
    env = {"MEDCARE_MAX_ZIP_BYTES": "2_000_000_000", "MEDCARE_MAX_ROWS": " 5000000 "}
    assert LoadLimits.from_environ(env) == LoadLimits(2_000_000_000, 5_000_000)
    assert LoadLimits.from_environ({"MEDCARE_MAX_ROWS": ""}) == LoadLimits()
    with pytest.raises(dataclasses.FrozenInstanceError):
        LoadLimits().max_rows = 5  # type: ignore[misc]


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5"])
def test_a_bad_environment_value_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="MEDCARE_MAX_ROWS must be a positive whole number"):
        LoadLimits.from_environ({"MEDCARE_MAX_ROWS": value})
    with pytest.raises(ValueError, match="max_rows"):
        LoadLimits(max_rows=0)


def test_row_limit_refuses_the_dataset_and_names_the_way_out(tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", **{**tiny_frames(), "adae": _many_adae(50)})
    result = load_trial(source, LoadLimits(max_rows=10))
    row = _problem(result, "more than 10 rows")
    assert (row["dataset"], row["file"], row["check"], row["severity"]) == (
        "ADAE",
        "adae.csv",
        "size limit",
        "error",
    )
    assert "MEDCARE_MAX_ROWS" in row["problem"] and "--max-rows" in row["problem"]
    assert result.trial is not None and result.trial.adae is None
    assert result.trial.adtte is not None  # the other datasets are read as usual
    # Exactly at the limit is fine.
    assert load_trial(source, LoadLimits(max_rows=50)).problems.empty


def test_csv_reader_stops_one_row_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_source(tmp_path / "src", **{**tiny_frames(), "adae": _many_adae(50)})
    seen: list[object] = []
    original = pd.read_csv

    def spy(*args: object, **kwargs: object) -> pd.DataFrame:
        seen.append(kwargs.get("nrows"))
        return original(*args, **kwargs)

    monkeypatch.setattr(readers.pd, "read_csv", spy)
    load_trial(source, LoadLimits(max_rows=10))
    assert set(seen) == {0, 11}  # header reads, then at most limit + 1 rows of each file


def test_row_limit_from_the_environment_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_source(tmp_path / "src", **{**tiny_frames(), "adae": _many_adae(50)})
    monkeypatch.setenv("MEDCARE_MAX_ROWS", "10")
    _problem(load_trial(source), "ADAE has more than 10 rows")
    monkeypatch.setenv("MEDCARE_MAX_ROWS", "100")
    assert load_trial(source).problems.empty


def test_zip_directory_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = build("zip_bomb", tmp_path)  # the directory claims 10 MB a member
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("a member was unpacked"))
    result = load_trial(case.path, LoadLimits(max_zip_bytes=1_000_000))
    row = _problem(result, "unpacks to 30 MB, more than the 1 MB limit")
    assert row["check"] == "size limit" and "MEDCARE_MAX_ZIP_BYTES" in row["problem"]
    assert result.trial is None


def test_zip_size_is_counted_again_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "cut.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, frame in tiny_frames().items():
            zf.writestr(f"{name}.csv", frame.to_csv(index=False))
    # A member whose data unpack to far more than its header says (as a decompressor that ignores it would).
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: io.BytesIO(b"x" * 2_000_000))
    result = load_trial(archive, LoadLimits(max_zip_bytes=1_000_000))
    row = _problem(result, "although its directory says less, more than the 1 MB limit")
    assert row["check"] == "size limit" and result.trial is None


def test_unpack_stops_past_its_budget(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("adsl.csv", b"x" * 5000)
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("adsl.csv")
        assert readers._unpack(zf, info, tmp_path / "ok.csv", 5000) == 5000
        with pytest.raises(readers._ZipTooBig):
            readers._unpack(zf, info, tmp_path / "big.csv", 4999)


def test_validate_options_override_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_source(tmp_path / "src", **{**tiny_frames(), "adae": _many_adae(50)})
    monkeypatch.setenv("MEDCARE_MAX_ROWS", "10")
    assert main(["validate", str(source)]) == 1
    assert "ADAE has more than 10 rows" in capsys.readouterr().out
    assert main(["validate", str(source), "--max-rows", "1_000"]) == 0
    monkeypatch.setenv("MEDCARE_MAX_ROWS", "lots")
    assert main(["validate", str(source)]) == 1
    out = capsys.readouterr().out
    assert "error: MEDCARE_MAX_ROWS must be a positive whole number" in out and "Traceback" not in out


def test_validate_rejects_a_bad_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(tmp_path), "--max-zip-bytes", "0"])
    assert exit_info.value.code == 2
    assert "must be positive" in capsys.readouterr().err
