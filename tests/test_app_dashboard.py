"""AppTest of dashboard.py: the example trial by default, navigation, filters shared across pages."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, header, metrics

from medcare_app.context import DATA_ENV, resolve_source
from medcare_app.sidebar import filter_key
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
    at.switch_page(f"pages/{page}.py").run()
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
    at.switch_page("pages/data_quality.py").run()
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
