"""AppTest of dashboard.py: the example trial by default, navigation, filters shared across pages."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, header, metrics, open_page

from medcare_app.context import DATA_ENV, resolve_source
from medcare_app.sidebar import (
    ACCRUAL_KEY,
    DOWNLOAD_FORMAT_KEY,
    SETTINGS_EDIT_KEY,
    TARGET_KEY,
    filter_key,
)
from medcare_metrics.loading import example_path

ENTRY = "dashboard.py"
PAGE_FILES = ("overview", "enrollment", "patients", "survival", "lesions", "toxicity", "data_quality")


def _example_adsl() -> pd.DataFrame:
    return pd.read_csv(example_path() / "adsl.csv", dtype=str, keep_default_na=False)


def test_starts_on_the_example_overview(app) -> None:
    at = app(ENTRY)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    adsl = _example_adsl()
    enrolled = int((adsl["ENRLFL"] == "Y").sum())
    shown = metrics(at)
    assert shown["Enrolled"] == f"{enrolled} of 18"
    assert shown["Screened"] == str(len(adsl))
    assert header(at).startswith(f"**{enrolled} of {enrolled} patients** · No filters")
    side = " ".join(m.value for m in at.sidebar.markdown)
    assert "Example trial (synthetic)" in side
    assert adsl["DCUTDT"].iloc[0] in side


@pytest.mark.parametrize("page", [p for p in PAGE_FILES if (REPO / "pages" / f"{p}.py").exists()])
def test_every_page_runs_without_exception(app, page: str) -> None:
    at = app(ENTRY)
    at.run()
    open_page(at, page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{page} has no title"


def test_filter_persists_across_pages(app) -> None:
    adsl = _example_adsl()
    site = sorted(adsl["SITEID"].unique())[0]
    in_site = int(((adsl["SITEID"] == site) & (adsl["ENRLFL"] == "Y")).sum())
    enrolled = int((adsl["ENRLFL"] == "Y").sum())
    at = app(ENTRY)
    at.run()
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value([site]).run()
    assert header(at).startswith(f"**{in_site} of {enrolled} patients**")
    open_page(at, "data_quality").run()
    assert not at.exception
    assert at.title[0].value == "Data quality"
    assert at.sidebar.multiselect(key=filter_key("SITEID")).value == [site]
    assert header(at).startswith(f"**{in_site} of {enrolled} patients**")
    assert at.query_params["SITEID"] == site


def test_query_params_open_the_same_view(app) -> None:
    adsl = _example_adsl()
    enrolled = adsl["ENRLFL"] == "Y"
    sbrt = int((enrolled & (adsl["MDTTYPE"] == "SBRT")).sum())
    at = app(ENTRY, query={"MDTTYPE": "SBRT"})
    at.run()
    assert not at.exception
    assert header(at).startswith(f"**{sbrt} of {int(enrolled.sum())} patients** · Filters: MDT type: SBRT")


def test_data_option_points_elsewhere(app, tiny_source: Path) -> None:
    at = app(ENTRY, data=tiny_source)
    at.run()
    assert metrics(at)["Screened"] == "6"


def test_resolve_source_order() -> None:
    example = str(example_path())
    assert resolve_source([], {}).path == example
    assert resolve_source([], {}).origin == "example"
    assert resolve_source([], {DATA_ENV: " /data/cut1 "}).path == "/data/cut1"
    assert resolve_source(["--data", "/data/cut1"], {}).path == "/data/cut1"
    picked = resolve_source(["--data=/data/cut2"], {DATA_ENV: "/data/cut1"})
    assert (picked.path, picked.origin) == ("/data/cut2", "--data")
    # Unrelated arguments (pytest's own, for instance) are ignored; no abbreviation of --data.
    assert resolve_source(["-q", "-n", "2", "--dat", "x"], {}).path == example


def test_broken_source_shows_an_error_with_navigation(app, tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text("STUDYID,SITEID\nMEDCARE,01\n")  # no USUBJID
    at = app(ENTRY, data=tmp_path)
    at.run()
    assert not at.exception
    assert "could not be loaded" in at.error[0].value
    assert not at.metric


def _plotly_configs(at: object) -> list[dict[str, object]]:
    return [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]  # type: ignore[attr-defined]


def test_figure_download_format_follows_the_sidebar_on_every_page(app) -> None:
    at = app(ENTRY)
    at.run()
    options = [c["toImageButtonOptions"] for c in _plotly_configs(at)]
    names = ("primary", "enrollment")
    assert options == [{"format": "png", "filename": f"medcare_overview_{n}", "scale": 2} for n in names]
    at.sidebar.radio(key=DOWNLOAD_FORMAT_KEY).set_value("SVG").run()
    assert [c["toImageButtonOptions"]["format"] for c in _plotly_configs(at)] == ["svg", "svg"]
    open_page(at, "survival").run()
    assert not at.exception
    assert at.sidebar.radio(key=DOWNLOAD_FORMAT_KEY).value == "SVG"
    formats = {c["toImageButtonOptions"]["format"] for c in _plotly_configs(at)}
    assert formats == {"svg"}


def _copy_example(folder: Path) -> Path:
    shutil.copytree(example_path(), folder)
    return folder


def _digest(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.md5(p.read_bytes()).hexdigest() for p in files}


def test_broken_adtte_only_warns_where_adtte_is_used(app, tmp_path: Path) -> None:
    source = _copy_example(tmp_path / "cut")
    adtte = pd.read_csv(source / "adtte.csv", dtype=str, keep_default_na=False)
    adtte.loc[0, "AVAL"] = "abc"  # file row 2
    adtte.loc[3, "USUBJID"] = "NOBODY"  # file row 5
    adtte.to_csv(source / "adtte.csv", index=False)
    before = _digest(source)
    at = app(ENTRY, data=source)
    at.run()
    assert not at.exception
    assert metrics(at)["Screened"] == str(len(_example_adsl()))
    warning = " ".join(w.value for w in at.warning)
    assert "**ADTTE** (adtte.csv): 2 errors" in warning and "ADSL" not in warning
    assert "2 validation errors, 0 warnings" in " ".join(c.value for c in at.sidebar.caption)
    open_page(at, "toxicity").run()
    assert not at.exception
    assert not any("ADTTE" in w.value for w in at.warning)  # toxicity does not use ADTTE
    open_page(at, "survival").run()
    assert not at.exception
    assert any("**ADTTE** (adtte.csv): 2 errors" in w.value for w in at.warning)
    open_page(at, "data_quality").run()
    problems = next(d.value for d in at.dataframe if "file" in d.value.columns)
    assert problems[["file", "row", "column"]].values.tolist() == [
        ["adtte.csv", 2, "AVAL"],
        ["adtte.csv", 5, "USUBJID"],
    ]
    assert "'abc' is not a number" in problems["problem"].iloc[0]
    assert _digest(source) == before  # the source files are never modified


def test_unusable_adtte_says_why_instead_of_absent(app, tmp_path: Path) -> None:
    source = _copy_example(tmp_path / "cut")
    adtte = pd.read_csv(source / "adtte.csv", dtype=str, keep_default_na=False)
    adtte.drop(columns=["PARAMCD"]).to_csv(source / "adtte.csv", index=False)
    at = app(ENTRY, data=source)
    at.run()
    open_page(at, "survival").run()
    assert not at.exception
    assert "could not be used" in at.error[0].value
    assert "required column PARAMCD missing" in at.error[0].value
    assert "1 validation error, 0 warnings" in " ".join(c.value for c in at.sidebar.caption)
    assert not at.info or not any("has no ADTTE" in i.value for i in at.info)


@pytest.mark.parametrize("fmt", ["xlsx", "zip"])
def test_workbook_and_zip_sources(app, tmp_path: Path, fmt: str) -> None:
    if fmt == "xlsx":
        from medcare_metrics.synthetic import generate_trial, write_trial

        source = next(p for p in write_trial(generate_trial(), tmp_path, fmt="xlsx") if p.suffix == ".xlsx")
    else:
        source = tmp_path / "cut.zip"
        with zipfile.ZipFile(source, "w") as archive:
            for file in example_path().glob("*.csv"):
                archive.write(file, f"cut/{file.name}")
    at = app(ENTRY, data=source)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    adsl = _example_adsl()
    assert metrics(at)["Screened"] == str(len(adsl))
    assert metrics(at)["Enrolled"] == f"{int((adsl['ENRLFL'] == 'Y').sum())} of 18"
    assert source.stem in " ".join(m.value for m in at.sidebar.markdown)


@pytest.mark.parametrize("case", ["missing", "empty", "not data"])
def test_unusable_sources_show_a_message_not_a_traceback(app, tmp_path: Path, case: str) -> None:
    if case == "missing":
        source, expected = tmp_path / "nowhere", "Data source not found"
    elif case == "empty":
        source, expected = tmp_path / "empty", "no ADSL dataset found"
        source.mkdir()
    else:
        source, expected = tmp_path / "notes.txt", "not a folder, Excel workbook (.xlsx) or zip file"
        source.write_text("minutes of the last meeting")
    at = app(ENTRY, data=source)
    at.run()
    assert not at.exception
    assert at.title[0].value == "No trial to show"
    assert expected in at.error[0].value
    assert "MEDCARE_DATA=PATH" in " ".join(m.value for m in at.main.markdown)
    assert not at.metric


def test_deep_link_in_old_pages_mode_reruns_through_the_entry_script(monkeypatch) -> None:
    """A fresh server treats ``pages/`` as an old-style multipage app until dashboard.py has run once."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    from medcare_app import shell

    class Rerun(Exception):
        pass

    def rerun() -> None:
        raise Rerun

    monkeypatch.setattr(st, "rerun", rerun)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    with pytest.raises(Rerun):
        shell._leave_legacy_pages_mode()
    assert PagesManager.uses_pages_directory is False
    shell._leave_legacy_pages_mode()  # no rerun once the mode is off


def test_trial_settings_are_shared_by_every_page(app) -> None:
    enrolled = int((_example_adsl()["ENRLFL"] == "Y").sum())
    at = app(ENTRY)
    at.run()
    assert metrics(at)["Enrolled"] == f"{enrolled} of 18"
    assert "target" not in at.query_params  # the protocol default stays out of the URL
    open_page(at, "enrollment").run()
    at.sidebar.checkbox(key=SETTINGS_EDIT_KEY).check().run()  # the settings are locked until ticked
    at.sidebar.number_input(key=TARGET_KEY).set_value(24).run()
    assert not at.exception
    assert metrics(at)["Enrolled"] == f"{enrolled} of 24"
    assert at.query_params["target"] == "24"
    open_page(at, "overview").run()
    assert not at.exception
    assert at.sidebar.number_input(key=TARGET_KEY).value == 24
    assert metrics(at)["Enrolled"] == f"{enrolled} of 24"
    at.sidebar.number_input(key=TARGET_KEY).set_value(18).run()
    assert "target" not in at.query_params


def test_trial_settings_from_the_url(app) -> None:
    enrolled = int((_example_adsl()["ENRLFL"] == "Y").sum())
    at = app(ENTRY, query={"target": "30", "accrual": "36"})
    at.run()
    assert not at.exception
    assert metrics(at)["Enrolled"] == f"{enrolled} of 30"
    assert at.sidebar.number_input(key=ACCRUAL_KEY).value == 36.0
    bad = app(ENTRY, query={"target": "lots"})
    bad.run()
    assert not bad.exception
    assert metrics(bad)["Enrolled"] == f"{enrolled} of 18"  # unreadable: the protocol default
