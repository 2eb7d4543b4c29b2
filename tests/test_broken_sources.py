"""A corpus of broken data sources: loading reports each as a problem, never crashes, never writes.

Each case of tests/broken_sources.py is built in ``tmp_path``, loaded with :func:`load_trial` and checked
with ``python -m medcare_metrics validate`` (in-process): the expected problem is reported (text, file,
row and column where meaningful), nothing raises but the documented ``FileNotFoundError`` for a missing
path, ``validate`` exits 0 or 1 without a traceback, and every byte of the source (zip members included)
is unchanged.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from pathlib import Path

import pytest
from broken_sources import NAMES, BrokenSource, build

from medcare_metrics.__main__ import main
from medcare_metrics.loading import LoadResult, load_trial


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (links as their target path), and of every readable zip member."""
    hashes: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            hashes[name] = f"-> {path.readlink()}"
            continue
        if not path.is_file():
            continue
        hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        if zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as zf:
                    for m in zf.infolist():
                        hashes[f"{name}:{m.filename}"] = hashlib.sha256(zf.read(m)).hexdigest()
            except Exception:  # encrypted or unreadable members: the zip's own bytes are hashed above
                pass
    return hashes


def _problems_text(result: LoadResult) -> str:
    return "\n".join(result.problems["problem"].astype(str))


@pytest.fixture(params=NAMES)
def case(request: pytest.FixtureRequest, tmp_path: Path) -> BrokenSource:
    return build(request.param, tmp_path)


def test_corpus_is_large_enough() -> None:
    assert len(NAMES) >= 40


def test_load_reports_the_problem_and_never_writes(case: BrokenSource) -> None:
    before = snapshot(case.root)
    result = load_trial(case.path, case.limits)
    assert isinstance(result, LoadResult)
    assert snapshot(case.root) == before
    expected = case.expected
    if expected is None:
        assert result.problems.empty, result.problems.to_string()
        assert result.trial is not None
        return
    problems = result.problems
    match = problems[problems["problem"].str.contains(expected.problem, regex=False)]
    assert not match.empty, f"{expected.problem!r} not in:\n{_problems_text(result)}"
    if expected.file is not None:
        match = match[match["file"].astype(str).str.contains(expected.file, regex=False)]
        assert not match.empty, f"{expected.problem!r} not on {expected.file}:\n{problems.to_string()}"
    if expected.dataset is not None:
        match = match[match["dataset"] == expected.dataset]
        assert not match.empty, f"{expected.problem!r} not in {expected.dataset}:\n{problems.to_string()}"
    found = match.iloc[0]
    assert found["severity"] == expected.severity
    if expected.row is not None:
        assert found["row"] == expected.row
    if expected.column is not None:
        assert found["column"] == expected.column
    if expected.trial is not None:
        assert (result.trial is not None) == expected.trial
    assert (result.n_errors > 0) == (expected.severity == "error"), _problems_text(result)


def test_validate_exits_0_or_1_without_a_traceback(
    case: BrokenSource, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(case.root)
    code = main(case.cli_args())
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    expected_code = 0 if case.expected is None else case.expected.exit_code
    assert code == expected_code, captured.out
    if case.expected is not None:
        # Grouped lines wrap long text: compare without the layout.
        assert " ".join(case.expected.problem.split()) in " ".join(captured.out.split())
    assert snapshot(case.root) == before


def test_zip_members_are_never_unpacked_outside_a_temporary_folder(tmp_path: Path) -> None:
    case = build("zip_path_traversal", tmp_path)
    result = load_trial(case.path)
    assert not (Path(tempfile.gettempdir()) / "evil.csv").exists()
    assert not (tmp_path / "evil.csv").exists() and not (tmp_path.parent / "evil.csv").exists()
    warned = result.problems[result.problems["file"] == "cut.zip:../evil.csv"]
    assert warned["severity"].tolist() == ["warning"]
    assert result.trial is not None and result.trial.adtte is None  # ../adtte.csv is not read


def test_missing_path_is_the_one_exception(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_trial(tmp_path / "nowhere")


@pytest.mark.parametrize("name", ["cp1252", "utf16_bom"])
def test_other_encodings_read_the_accents(tmp_path: Path, name: str) -> None:
    trial = load_trial(build(name, tmp_path).path).trial
    assert trial is not None
    assert "UZ Liège" in set(trial.adsl["SITENAME"])


def test_truncated_csv_keeps_the_complete_rows(tmp_path: Path) -> None:
    trial = load_trial(build("truncated_csv", tmp_path).path).trial
    assert trial is not None
    assert trial.adsl["USUBJID"].tolist() == ["T-01", "T-02", "T-03", "T-04", "T-05"]
    adae = load_trial(build("truncated_csv_in_quotes", tmp_path).path).trial.adae
    assert adae["AEDECOD"].tolist()[-1] == "Diarrhea, unspecified"


def test_empty_adsl_is_said_once(tmp_path: Path) -> None:
    result = load_trial(build("header_only_adsl", tmp_path).path)
    assert len(result.problems) == 1
    assert result.problems.loc[0, "problem"].endswith("ADTTE, ADAE not used")
