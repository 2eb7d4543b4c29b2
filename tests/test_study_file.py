"""Study files (issue 10): MEDCARE's shipped definition, validation messages, TOML = YAML, resolution, CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import tomllib
import yaml
from conftest import tiny_frames, write_source

from medcare_metrics.__main__ import main
from medcare_metrics.errors import MedcareError
from medcare_metrics.loading import fingerprint, load_trial
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings, check_settings
from medcare_metrics.study import (
    MEDCARE_STUDY_FILE,
    StudyFileError,
    attach_study,
    default_study,
    find_study_file,
    load_study,
    resolve_study,
    split_study,
)

MINIMAL = """
study_id = "OTHER01"
title = "Another trial"
target_enrollment = 30
planned_accrual_months = 12

[[endpoints]]
paramcd = "NESTFS"
label = "Time to next treatment"
primary = true

[[endpoints]]
paramcd = "PFS"
label = "Progression-free survival"

[[benchmarks]]
paramcd = "PFS"
population = "Historical"
median = 8
lower = 5
upper = 11
source = "A made-up series"
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> pd.DataFrame:
    with pytest.raises(StudyFileError) as caught:
        load_study(path)
    error = caught.value
    assert isinstance(error, MedcareError)
    assert str(path) in str(error)  # the message names the file
    assert list(error.problems.columns) == ["file", "key", "value", "problem"]
    return error.problems


def test_shipped_medcare_file_holds_the_protocol_facts() -> None:
    study = default_study()
    assert study.source == "built-in" and not study.neutral
    assert (study.study_id, study.target_enrollment, study.planned_accrual_months) == ("MEDCARE", 18, 24.0)
    assert study.endpoint_codes == ("NESTFS", "PFS", "OS")
    assert study.primary_endpoint is not None and study.primary_endpoint.paramcd == "NESTFS"
    assert study.endpoint_labels["PFS"] == "Progression-free survival (PCWG3)"
    assert [(b.paramcd, b.population, b.median, b.lower, b.upper) for b in study.benchmarks] == [
        ("NESTFS", "All MDT", 16.0, 10.0, 22.0),
        ("PFS", "All MDT", 10.0, 6.0, 15.0),
        ("NESTFS", "SBRT or metastasectomy", 21.0, 12.0, 21.0),
        ("PFS", "SBRT or metastasectomy", 10.0, 6.0, 14.0),
    ]
    assert [b.population for b in study.benchmarks_for("PFS")] == ["All MDT", "SBRT or metastasectomy"]
    assert study.benchmarks_for("OS") == ()
    assert set(
        pd.read_csv(Path(__file__).parents[1] / "medcare_metrics/example_data/adsl.csv")["SITENAME"]
    ) <= set(study.centres)
    e = study.eligibility
    assert (e.castrate_testosterone_ng_dl, e.max_lesions, e.max_who_ps, e.min_age) == (50.0, 3, 1, 18.0)
    assert e.criteria["EXC02"].startswith("Polyprogression") and len(e.criteria) == 16
    assert (study.acute_window_days, study.small_numbers_threshold, study.alpha_beta_gy) == (90, 3, 1.5)
    assert study.landmark_months == (6.0, 12.0, 18.0, 24.0)
    assert study.radiotherapy_types == ("SBRT", "Conventional RT")
    rule = study.toxicity_rule
    assert rule is not None and (rule.unacceptable_rate, rule.method, rule.alpha) == (0.2, "pocock", 0.05)
    assert rule.max_patients is None  # the target enrollment
    assert "names no formal toxicity stopping rule" in rule.description
    schedule = study.visit_schedule
    assert schedule is not None and schedule.tolerance_days == 30
    assert [(a.name, a.every_months) for a in schedule.assessments] == [("PSMA PET-CT", 3.0), ("PSA", 3.0)]
    # The settings start from the file; the defaults are MEDCARE's.
    assert TrialSettings.from_study(study) == DEFAULT_SETTINGS == TrialSettings()


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "study.toml", 'colour = "red"\n' + MINIMAL + "\n[eligibility]\nmax_lesionz = 3\n")
    problems = _problems(path)
    assert set(problems["key"]) == {"colour", "eligibility.max_lesionz"}
    assert set(problems["problem"]) == {"unknown key"}
    assert (problems["file"] == str(path)).all()


def test_wrong_type_names_key_and_value(tmp_path: Path) -> None:
    text = MINIMAL.replace("target_enrollment = 30", 'target_enrollment = "30"')
    problems = _problems(_write(tmp_path, "study.toml", text))
    row = problems.set_index("key").loc["target_enrollment"]
    assert row["value"] == "'30'" and "integer" in row["problem"]


def test_median_outside_its_interval(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "study.toml", MINIMAL.replace("median = 8", "median = 12")))
    row = problems.set_index("key").loc["benchmarks[0].median"]
    assert row["value"] == "12" and "outside its confidence interval 5 to 11" in row["problem"]


def test_two_primary_endpoints(tmp_path: Path) -> None:
    text = MINIMAL.replace('label = "Progression-free survival"', 'label = "PFS"\nprimary = true')
    problems = _problems(_write(tmp_path, "study.toml", text))
    assert problems["key"].tolist() == ["endpoints"]
    assert "exactly one endpoint must have primary = true" in problems["problem"].iloc[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("median = 8", "median = 12")
        .replace('paramcd = "PFS"\npopulation', 'paramcd = "OS"\npopulation')
        .replace("planned_accrual_months = 12", "planned_accrual_months = -1\nextra = 1")
        + '\n[toxicity_rule]\ndescription = "x"\nunacceptable_rate = 1.5\nmethod = "magic"\n'
    )
    path = _write(tmp_path, "study.toml", text)
    with pytest.raises(StudyFileError) as caught:
        load_study(path)
    keys = set(caught.value.problems["key"])
    assert keys == {
        "extra",
        "planned_accrual_months",
        "benchmarks[0].paramcd",
        "benchmarks[0].median",
        "toxicity_rule.unacceptable_rate",
        "toxicity_rule.method",
    }
    assert "6 problems" in str(caught.value)
    assert "benchmarks[0].paramcd: not an endpoint (endpoints: NESTFS, PFS) (got 'OS')" in str(caught.value)


def test_toxicity_rule_needs_a_patient_count(tmp_path: Path) -> None:
    rule = '\n[toxicity_rule]\ndescription = "x"\nunacceptable_rate = 0.2\n'
    text = MINIMAL.replace("target_enrollment = 30\n", "") + rule
    problems = _problems(_write(tmp_path, "study.toml", text))
    assert problems["key"].tolist() == ["toxicity_rule.max_patients"]
    assert load_study(_write(tmp_path, "ok.toml", MINIMAL + rule)).toxicity_rule is not None


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    assert "not valid TOML" in _problems(_write(tmp_path, "a.toml", "study_id = \n"))["problem"].iloc[0]
    assert "not valid YAML" in _problems(_write(tmp_path, "b.yaml", "study_id: [1,\n"))["problem"].iloc[0]
    assert _problems(tmp_path / "missing.toml")["problem"].iloc[0] == "file not found"
    assert "ends in .toml" in _problems(_write(tmp_path, "c.json", "{}"))["problem"].iloc[0]
    assert "keys and values" in _problems(_write(tmp_path, "d.yaml", "- 1\n- 2\n"))["problem"].iloc[0]


def test_yaml_and_toml_give_the_same_study(tmp_path: Path) -> None:
    data = tomllib.loads(MEDCARE_STUDY_FILE.read_text(encoding="utf-8"))
    path = _write(tmp_path, "medcare.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    from_yaml = load_study(path)
    assert from_yaml.source == str(path)
    assert replace(from_yaml, source="built-in") == default_study()


def test_study_file_beside_the_data_is_used(tmp_path: Path) -> None:
    source = write_source(tmp_path / "trial", **tiny_frames())
    assert load_trial(source).trial.study == default_study()  # type: ignore[union-attr]
    _write(source, "study.toml", MINIMAL)
    trial = load_trial(source).trial
    assert trial is not None and trial.study.source == str(source / "study.toml")
    assert (
        trial.study.target_enrollment == 30
        and trial.study.endpoint_label("NESTFS") == "Time to next treatment"
    )
    # Beside a workbook or zip: the same stem first, else study.toml in its folder.
    workbook = tmp_path / "cut.xlsx"
    workbook.write_bytes(b"")
    assert find_study_file(workbook) is None
    named = _write(tmp_path, "study.yaml", "study_id: X\n")
    assert find_study_file(workbook) == named
    same_stem = _write(tmp_path, "cut.toml", MINIMAL)
    assert find_study_file(workbook) == same_stem


def test_explicit_study_wins_and_travels_in_the_source_string(tmp_path: Path) -> None:
    source = write_source(tmp_path / "trial", **tiny_frames())
    _write(source, "study.toml", MINIMAL)
    explicit = _write(
        tmp_path, "other.toml", MINIMAL.replace("target_enrollment = 30", "target_enrollment = 7")
    )
    assert load_trial(source, study=explicit).trial.study.target_enrollment == 7  # type: ignore[union-attr]
    attached = attach_study(source, explicit)
    assert split_study(attached) == (str(source), str(explicit))
    assert load_trial(attached).trial.study.target_enrollment == 7  # type: ignore[union-attr]
    assert split_study(str(source)) == (str(source), None)


def test_changed_study_file_changes_the_fingerprint(tmp_path: Path) -> None:
    source = write_source(tmp_path / "trial", **tiny_frames())
    bare = fingerprint(source)
    study = _write(source, "study.toml", MINIMAL)
    with_file = fingerprint(source)
    study.write_text(MINIMAL.replace("target_enrollment = 30", "target_enrollment = 31"), encoding="utf-8")
    changed = fingerprint(source)
    assert len({bare, with_file, changed}) == 3
    assert load_trial(source).trial.fingerprint == changed  # type: ignore[union-attr]
    # An explicit study file is part of it as well.
    explicit = _write(tmp_path, "x.toml", MINIMAL)
    assert fingerprint(attach_study(source, explicit)) != changed


def test_broken_study_file_is_a_load_problem_not_an_error(tmp_path: Path) -> None:
    source = write_source(tmp_path / "trial", **tiny_frames())
    _write(source, "study.toml", MINIMAL.replace("median = 8", "median = 12"))
    result = load_trial(source)  # no exception
    assert (
        result.trial is not None and result.trial.study == default_study()
    )  # MEDCARE data: the built-in one
    study_rows = result.problems.loc[result.problems["dataset"] == "STUDY"]
    assert study_rows["column"].tolist() == ["benchmarks[0].median"]
    assert (study_rows["severity"] == "error").all()
    assert any("not used" in note for note in result.trial.notes)


def test_resolution_order_without_files() -> None:
    medcare = pd.DataFrame({"STUDYID": ["MEDCARE"], "USUBJID": ["A"]})
    other = pd.DataFrame({"STUDYID": ["CDISCPILOT01"], "USUBJID": ["A"]})
    assert resolve_study(medcare) is default_study()
    neutral = resolve_study(other)
    assert neutral.neutral and neutral.study_id == "CDISCPILOT01" and neutral.target_enrollment is None


def test_settings_without_a_target_are_valid() -> None:
    check_settings(TrialSettings(target_enrollment=None, planned_accrual_months=None))
    with pytest.raises(ValueError, match="target enrollment"):
        check_settings(TrialSettings(target_enrollment=0))


def test_cli_study_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_source(tmp_path / "trial", **tiny_frames())
    broken = _write(tmp_path, "broken.toml", MINIMAL.replace("median = 8", "median = 12"))
    main(["validate", str(source), "--study", str(broken)])
    out = capsys.readouterr().out
    assert "STUDY" in out and "benchmarks[0].median" in out and "outside its confidence interval" in out
    good = _write(tmp_path, "good.toml", MINIMAL)
    assert main(["km", str(source), "--endpoint", "PFS", "--study", str(good), "--json"]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err
    assert main(["km", str(source), "--endpoint", "PFS", "--study", str(broken), "--json"]) == 0
    assert "warning: " in capsys.readouterr().err  # the broken study file is said, the command still runs
