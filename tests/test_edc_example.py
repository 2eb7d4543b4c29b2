"""The shipped REDCap example (export + data dictionary + mapping) gives the native example's numbers.

Loads ``medcare_metrics/example_data`` (ADaM CSV) and ``medcare_metrics/example_data/redcap`` (REDCap records
export through ``mapping.yaml``) and compares: every dataset column by column, every view, ``km --json`` and
``toxicity --json``, the ``convert`` output byte for byte, and the Overview page opened on the export.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from medcare_metrics.__main__ import main
from medcare_metrics.loading import load_trial
from medcare_metrics.loading.sources import example_path, fingerprint, with_mapping
from medcare_metrics.model import DATASETS, TrialData
from medcare_metrics.synthetic.redcap import (
    DICTIONARY_COLUMNS,
    read_adam_text,
    redcap_dictionary,
    redcap_records,
)
from medcare_metrics.views.data_quality import DataQualityControls, data_quality_choices, data_quality_view
from medcare_metrics.views.enrollment import EnrollmentControls, enrollment_choices, enrollment_view
from medcare_metrics.views.lesions import LesionsControls, lesions_choices, lesions_view
from medcare_metrics.views.overview import OverviewControls, overview_choices, overview_view
from medcare_metrics.views.patients import (
    SWIMMER_ORDERS,
    ChangesControls,
    ProfileControls,
    SwimmerControls,
    WaterfallControls,
    changes_view,
    patients_choices,
    profile_view,
    swimmer_view,
    waterfall_view,
)
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import SurvivalControls, survival_choices, survival_view
from medcare_metrics.views.toxicity import ToxicityControls, toxicity_choices, toxicity_view

NATIVE = example_path()
REDCAP = example_path() / "redcap"
MAPPING = REDCAP / "mapping.yaml"
RECORDS = next(REDCAP.glob("MEDCARE_DATA_*.csv"))
DICTIONARY = next(REDCAP.glob("MEDCARE_DataDictionary_*.csv"))


@pytest.fixture(scope="module")
def native() -> TrialData:
    result = load_trial(NATIVE)
    assert result.trial is not None and result.problems.empty
    return result.trial


@pytest.fixture(scope="module")
def mapped() -> TrialData:
    result = load_trial(REDCAP, mapping=MAPPING)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial is not None
    return result.trial


def test_every_dataset_is_equal_column_by_column(native: TrialData, mapped: TrialData) -> None:
    assert mapped.available == native.available == DATASETS
    for name in DATASETS:
        ours, theirs = mapped.dataset(name), native.dataset(name)
        assert ours is not None and theirs is not None
        assert list(ours.columns) == list(theirs.columns), name
        for column in theirs.columns:
            pd.testing.assert_series_equal(ours[column], theirs[column], obj=f"{name}.{column}")
    assert mapped.notes == native.notes


def test_the_shipped_export_is_what_the_generator_writes() -> None:
    adam = read_adam_text(NATIVE)
    expected = redcap_records(adam).to_csv(index=False, lineterminator="\n")
    assert RECORDS.read_text(encoding="utf-8") == expected
    assert DICTIONARY.read_text(encoding="utf-8") == redcap_dictionary().to_csv(
        index=False, lineterminator="\n"
    )


def test_the_export_looks_like_redcap() -> None:
    records = pd.read_csv(RECORDS, dtype=str, keep_default_na=False)
    assert list(records.columns[:4]) == [
        "record_id",
        "redcap_event_name",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
    ]
    assert {"mdt_detail___1", "mdt_detail___5"} <= set(records.columns)
    repeating = records.loc[records["redcap_repeat_instrument"] != ""]
    assert set(repeating["redcap_repeat_instrument"]) == {"lesions", "adverse_events", "psa", "outcomes"}
    assert (records.loc[records["redcap_repeat_instrument"] == "", "redcap_repeat_instance"] == "").all()
    # Dates as DD/MM/YYYY, radio fields as codes.
    assert records.loc[records["consent_date"] != "", "consent_date"].str.match(r"^\d{2}/\d{2}/\d{4}$").all()
    assert set(records["sex"]) <= {"", "1", "2"}
    dictionary = pd.read_csv(DICTIONARY, dtype=str, keep_default_na=False)
    assert tuple(dictionary.columns) == DICTIONARY_COLUMNS and len(DICTIONARY_COLUMNS) == 18
    assert {"radio", "dropdown", "checkbox", "yesno", "calc", "text"} <= set(dictionary["Field Type"])


def _same(a: Any, b: Any, where: str) -> None:
    """Assert two view results are equal: dataclasses field by field, frames with pandas.testing."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _views(scope: ViewScope) -> dict[str, Any]:
    """Every view of every page, with the controls each page starts with (and a few more)."""
    results: dict[str, Any] = {}
    overview = overview_choices(scope)
    results["overview_choices"] = overview
    results["overview"] = overview_view(scope, OverviewControls(since=None))
    dq = data_quality_choices(scope)
    results["data_quality"] = data_quality_view(scope, DataQualityControls.chosen({}, ""))
    del dq
    enrollment = enrollment_choices(scope)
    results["enrollment_choices"] = enrollment
    results["enrollment"] = enrollment_view(
        scope, EnrollmentControls(certainty=0.5, horizon_months=enrollment.horizons[0], events_needed=None)
    )
    patients = patients_choices(scope)
    results["patients_choices"] = patients
    for _, order in SWIMMER_ORDERS:
        results[f"swimmer {order}"] = swimmer_view(scope, SwimmerControls(order=order))
    results["waterfall"] = waterfall_view(scope, WaterfallControls(stop_at_nest=True))
    for usubjid in patients.ids[:3]:
        results[f"profile {usubjid}"] = profile_view(scope, ProfileControls(usubjid=usubjid))
    results["changes"] = changes_view(scope, ChangesControls(since=None))
    survival = survival_choices(scope)
    results["survival_choices"] = survival
    for code in survival.codes:
        for by in (None, "SITEID"):
            controls = SurvivalControls(endpoint=code, by=by)
            results[f"survival {code} {by}"] = survival_view(scope, controls)
    results["lesions_choices"] = lesions_choices(scope)
    results["lesions"] = lesions_view(scope, LesionsControls())
    toxicity = toxicity_choices(scope)
    results["toxicity_choices"] = toxicity
    for split in toxicity.splits:
        results[f"toxicity {split}"] = toxicity_view(scope, ToxicityControls(split=split))
    return results


def test_every_view_gives_the_same_results(native: TrialData, mapped: TrialData) -> None:
    # The name and fingerprint say which source is shown; every number and table must be the same.
    ours = _views(ViewScope.of(mapped))
    theirs = _views(ViewScope.of(native))
    assert list(ours) == list(theirs)
    for key in theirs:
        _same(ours[key], theirs[key], key)


@pytest.mark.parametrize(
    "argv",
    [
        ["km", "--endpoint", "NESTFS", "--json"],
        ["km", "--endpoint", "PFS", "--by", "SITEID", "--json"],
        ["toxicity", "--json"],
        ["toxicity", "--by", "AEREL", "--json"],
    ],
)
def test_cli_json_is_identical(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    command, rest = argv[0], argv[1:]
    assert main([command, str(NATIVE), *rest]) == 0
    native_out = capsys.readouterr().out
    assert main([command, str(REDCAP), "--mapping", str(MAPPING), *rest]) == 0
    mapped_out = capsys.readouterr().out
    assert json.loads(mapped_out) == json.loads(native_out)
    assert mapped_out == native_out


def test_validate_reads_the_export(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(REDCAP), "--mapping", str(MAPPING)]) == 0
    out = capsys.readouterr().out
    assert "ADSL        25 rows" in out and "ADLB       158 rows" in out


def test_convert_writes_the_native_files_and_never_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in REDCAP.iterdir()}
    out = tmp_path / "adam"
    assert main(["convert", str(REDCAP), "--mapping", str(MAPPING), "--out", str(out)]) == 0
    for name in DATASETS:
        assert (out / f"{name}.csv").read_bytes() == (NATIVE / f"{name}.csv").read_bytes(), name
    # The source's own folder is refused, and nothing there changes.
    assert main(["convert", str(REDCAP), "--mapping", str(MAPPING), "--out", str(REDCAP)]) == 1
    assert "source's folder" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in REDCAP.iterdir()} == before


def test_the_mapping_bytes_are_part_of_the_fingerprint(tmp_path: Path) -> None:
    edited = tmp_path / "mapping.yaml"
    edited.write_text(MAPPING.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    original = fingerprint(with_mapping(REDCAP, MAPPING))
    assert fingerprint(with_mapping(REDCAP, edited)) != original
    assert fingerprint(with_mapping(REDCAP, MAPPING)) == original
    loaded = load_trial(with_mapping(REDCAP, MAPPING))
    assert loaded.trial is not None and loaded.trial.fingerprint == original


def test_overview_page_on_the_export(app, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import metrics

    monkeypatch.setenv("MEDCARE_MAPPING", str(MAPPING))
    at = app("pages/overview.py", data=REDCAP)
    at.run()
    assert not at.exception
    shown = metrics(at)
    monkeypatch.delenv("MEDCARE_MAPPING")
    native_at = app("pages/overview.py")
    native_at.run()
    assert shown == metrics(native_at)
    assert shown["Enrolled"].startswith("18")
