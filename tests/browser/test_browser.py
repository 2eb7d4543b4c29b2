"""The dashboard in a real browser: pages render without exception blocks, the sidebar filter works."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from medcare_metrics.loading import example_path

from .conftest import PAGE_TIMEOUT_MS, serve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
#: Page file stem -> URL path (Streamlit derives it from the file name; the overview is the default page).
PAGES = {
    "overview": "",
    "enrollment": "enrollment",
    "patients": "patients",
    "survival": "survival",
    "lesions": "lesions",
    "toxicity": "toxicity",
    "data_quality": "data_quality",
}
HEADER = re.compile(r"(\d+) of (\d+) patients")


def _example() -> pd.DataFrame:
    return pd.read_csv(example_path() / "adsl.csv", dtype=str, keep_default_na=False)


_WAITS = itertools.count()


def _wait_until_idle(page: object) -> None:
    """Wait until the script run has finished, every element has replaced its loading skeleton and the
    plotly figures have drawn (plotly draws after the element mounts; one in a hidden tab may never draw, so
    the wait ends anyway 300 ms after the run finished).
    """
    page.wait_for_function(  # type: ignore[attr-defined]
        """token => {
            if (window.__medcareWait !== token) {  // a new wait: forget the previous one's idle time
                window.__medcareWait = token;
                window.__medcareIdleSince = undefined;
            }
            const app = document.querySelector('[data-testid="stApp"]');
            const idle = app !== null
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && document.querySelector('[data-testid="stSkeleton"]') === null;
            if (!idle) {
                window.__medcareIdleSince = undefined;
                return false;
            }
            const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
            if (charts.every(chart => chart.querySelector('.main-svg') !== null)) return true;
            window.__medcareIdleSince ??= performance.now();
            return performance.now() - window.__medcareIdleSince > 300;
        }""",
        arg=next(_WAITS),
    )


def _header(page: object) -> str:
    main = page.locator('[data-testid="stMain"]')  # type: ignore[attr-defined]
    return main.locator('[data-testid="stMarkdownContainer"]', has_text=HEADER).first.inner_text()


def _screenshot(page: object, path: Path) -> None:
    """Save the whole page: Streamlit scrolls inside its main area, so the window is made as tall as it.

    Only when MEDCARE_SCREENSHOT_DIR asks for the screenshots (README): they check nothing, and resizing
    the window and taking the picture cost a few seconds per page.
    """
    if not os.environ.get("MEDCARE_SCREENSHOT_DIR"):
        return
    height = page.evaluate(  # type: ignore[attr-defined]
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]',
            '[data-testid="stMainBlockContainer"]'].map(s => document.querySelector(s)?.scrollHeight ?? 0))"""
    )
    size = page.viewport_size  # type: ignore[attr-defined]
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height) + 40)})  # type: ignore[attr-defined]
    _wait_until_idle(page)
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size(size)  # type: ignore[attr-defined]


def _open(page: object, url: str) -> None:
    """Open ``url`` and wait until the script run has drawn the page."""
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector("h1")  # type: ignore[attr-defined]
    _wait_until_idle(page)


@pytest.fixture(scope="module")
def visitor(browser: object) -> Iterator[object]:
    """One tab for the tests that only open a URL and read the page: each opening starts a new session, and
    the tab's cache saves loading the app's scripts again.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1300})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield tab
    finally:
        context.close()


def test_overview_shows_the_metrics(visitor, server_url: str, screenshot_dir: Path) -> None:
    page = visitor
    _open(page, server_url)
    assert page.locator("h1").first.inner_text() == "Overview"
    page.wait_for_selector('[data-testid="stMetric"]')
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    for label in ("Enrolled", "Screened", "On study", "NEST-FS events", "Median NEST-FS"):
        assert label in labels
    adsl = _example()
    enrolled = int((adsl["ENRLFL"] == "Y").sum())
    assert HEADER.search(_header(page)).groups() == (str(enrolled), str(enrolled))
    assert page.locator('[data-testid="stException"]').count() == 0
    _screenshot(page, screenshot_dir / "overview.png")


#: Each plotly figure's margins as set and as drawn: plotly widens a margin too narrow for its labels by
#: drawing the figure a second time.
_MARGINS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
  .map(gd => {
    const set = gd._fullLayout.margin, drawn = gd._fullLayout._size;
    return [set.l, set.r, set.t, set.b, Math.round(drawn.l), Math.round(drawn.r), Math.round(drawn.t),
            Math.round(drawn.b)];
})"""


@pytest.mark.parametrize(("url_path", "figures"), [("", 2), ("patients", 1), ("toxicity", 4)])
def test_overview_swimmer_and_toxicity_figures_are_drawn_once(
    visitor, server_url: str, url_path: str, figures: int
) -> None:
    """Their margins hold the tick labels and legends from the start, so plotly need not widen them."""
    page = visitor
    _open(page, f"{server_url}/{url_path}")
    margins = page.evaluate(_MARGINS)
    assert len(margins) == figures
    for values in margins:
        assert values[:4] == values[4:], values


@pytest.mark.parametrize("stem", [s for s in PAGES if (REPO / "pages" / f"{s}.py").exists()])
def test_page_has_no_exception(visitor, server_url: str, screenshot_dir: Path, stem: str) -> None:
    page = visitor
    _open(page, f"{server_url}/{PAGES[stem]}")
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator("main").inner_text()
    assert HEADER.search(_header(page))
    _screenshot(page, screenshot_dir / f"{stem}.png")


def test_sidebar_filter_changes_n_of_n_and_survives_navigation(
    page, server_url: str, screenshot_dir: Path
) -> None:
    adsl = _example()
    enrolled = adsl["ENRLFL"] == "Y"
    site, name = adsl.loc[enrolled, ["SITEID", "SITENAME"]].drop_duplicates().sort_values("SITEID").iloc[0]
    in_site = int((enrolled & (adsl["SITEID"] == site)).sum())
    _open(page, server_url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Centre").click()
    # Each value shows the enrolled patients it holds; the address keeps the raw SITEID.
    page.get_by_role("option", name=f"{name} ({in_site})", exact=True).click()
    page.keyboard.press("Escape")
    # The header line itself: "8 of 18 patients" is also part of "18 of 18 patients", the line before.
    page.wait_for_function(
        """([count, words]) => [...document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stMarkdownContainer"]')]
            .some(block => block.innerText.startsWith(count) && block.innerText.includes(words))""",
        arg=[f"{in_site} of {int(enrolled.sum())} patients", f"Centre: {name}"],
    )
    _wait_until_idle(page)
    assert f"Centre: {name}" in _header(page)
    assert parse_qs(urlparse(page.url).query)["SITEID"] == [site]
    _screenshot(page, screenshot_dir / "overview_filtered.png")

    sidebar.get_by_role("link", name="Data quality").click()
    page.wait_for_selector("h1:has-text('Data quality')")
    _wait_until_idle(page)
    assert HEADER.search(_header(page)).groups() == (str(in_site), str(int(enrolled.sum())))
    assert parse_qs(urlparse(page.url).query)["SITEID"] == [site]


def test_copied_link_opens_the_same_view(visitor, server_url: str) -> None:
    page = visitor
    adsl = _example()
    enrolled = adsl["ENRLFL"] == "Y"
    sbrt = int((enrolled & (adsl["MDTTYPE"] == "SBRT")).sum())
    _open(page, f"{server_url}/data_quality?MDTTYPE=SBRT")
    assert HEADER.search(_header(page)).groups() == (str(sbrt), str(int(enrolled.sum())))
    assert "MDT type: SBRT" in _header(page)


def test_figure_downloads_as_svg_when_chosen(page, server_url: str, tmp_path: Path) -> None:
    _open(page, server_url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("SVG", exact=True).click()
    # Until the rerun has drawn the figure again, it still downloads as PNG.
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot')
            ?._context?.toImageButtonOptions?.format === 'svg'"""
    )
    _wait_until_idle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.hover()
    # Plotly titles its camera button "Download plot as a png" for PNG and "Download plot" otherwise.
    button = chart.locator('.modebar-btn[data-title="Download plot"]')
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "medcare_overview_primary.svg"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    svg = saved.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg")
    # The footer line the app adds to every figure travels with the image.
    assert "Data cut-off 2025-06-30" in svg and "n = 18 of 18 patients" in svg


def test_deep_link_on_a_fresh_server_with_a_broken_adtte(page, tmp_path: Path, screenshot_dir: Path) -> None:
    """The first visitor of a just-started server opens a copied link to the survival page.

    Streamlit would run the page file on its own (old ``pages/`` mode, no app navigation); the app reruns
    through dashboard.py instead. ADTTE has one bad row: the page says so and still draws the curves.
    """
    source = tmp_path / "cut"
    shutil.copytree(example_path(), source)
    adtte = pd.read_csv(source / "adtte.csv", dtype=str, keep_default_na=False)
    adtte.loc[0, "AVAL"] = "abc"
    adtte.to_csv(source / "adtte.csv", index=False)
    adsl = _example()
    enrolled = adsl["ENRLFL"] == "Y"
    site = sorted(adsl.loc[enrolled, "SITEID"].unique())[0]
    in_site = int((enrolled & (adsl["SITEID"] == site)).sum())
    with serve(source) as url:
        _open(page, f"{url}/survival?SITEID={site}")
        assert page.locator("h1").first.inner_text() == "Survival"
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("Disease & safety").count() == 1  # the app's sections, not file names
        assert nav.get_by_role("link", name="Data quality").count() == 1
        assert HEADER.search(_header(page)).groups() == (str(in_site), str(int(enrolled.sum())))
        warning = page.locator('[data-testid="stAlert"]').filter(has_text="ADTTE").first.inner_text()
        assert "adtte.csv" in warning and "1 error" in warning
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
        _screenshot(page, screenshot_dir / "survival_broken_adtte.png")
