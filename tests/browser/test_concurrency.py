"""Five people on one server at once: each browser session keeps its own filters and as-of date."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from medcare_metrics.loading import example_path

from .conftest import PAGE_TIMEOUT_MS
from .test_browser import HEADER, _header, _wait_until_idle

pytestmark = pytest.mark.browser


def _views() -> list[tuple[str, str, str]]:
    """``(query, expected n of N, expected words)`` for five different views of the example trial."""
    adsl = pd.read_csv(example_path() / "adsl.csv", dtype=str, keep_default_na=False)
    enrolled = adsl["ENRLFL"] == "Y"
    total = int(enrolled.sum())
    sites = adsl.loc[enrolled, ["SITEID", "SITENAME"]].drop_duplicates().sort_values("SITEID")
    views = []
    for site, name in sites.itertuples(index=False, name=None):
        n = int((enrolled & (adsl["SITEID"] == site)).sum())
        views.append((f"SITEID={site}", f"{n} of {total} patients", f"Centre: {name}"))
    sbrt = int((enrolled & (adsl["MDTTYPE"] == "SBRT")).sum())
    views.append(("MDTTYPE=SBRT", f"{sbrt} of {total} patients", "MDT type: SBRT"))
    # Replayed at the end of 2022: only patients enrolled by then count, in both numbers.
    by_2022 = int((enrolled & (adsl["ENRLDT"] <= "2022-12-31")).sum())
    views.append(("asof=2022-12-31", f"{by_2022} of {by_2022} patients", "Replayed as of 2022-12-31"))
    views.append(("", f"{total} of {total} patients", "No filters"))
    return views[-5:] if len(views) >= 5 else views


@pytest.fixture
def tabs(browser: object) -> Iterator[list[object]]:
    """Five browser contexts: five separate sessions, as five people would have."""
    contexts = [
        browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
        for _ in range(5)
    ]
    pages = [context.new_page() for context in contexts]
    for tab in pages:
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield pages
    finally:
        for context in contexts:
            context.close()


def test_five_sessions_each_see_their_own_view(tabs: list[object], server_url: str) -> None:
    views = _views()
    assert len(views) == 5
    assert len({expected for _, expected, _ in views} | {words for _, _, words in views}) > 5
    # The five open at once (as five people would), then each is waited for.
    for tab, (query, _, _) in zip(tabs, views, strict=True):
        tab.goto(f"{server_url}/data_quality?{query}", wait_until="commit")
    for tab in tabs:
        tab.wait_for_selector("h1")
        _wait_until_idle(tab)
    for tab, (_, expected, words) in zip(tabs, views, strict=True):
        line = _header(tab)
        assert HEADER.search(line).group(0) == expected, line
        assert words in line, line

    # One person changes the view; the others rerun (keyboard shortcut "r") and still see their own.
    first = tabs[0]
    first.locator('[data-testid="stSidebar"]').get_by_role("button", name="Clear filters").click()
    _wait_until_idle(first)
    for tab in tabs[1:]:
        tab.locator("h1").first.click()
        tab.keyboard.press("r")
    for tab in tabs[1:]:
        _wait_until_idle(tab)
    for tab, (_, expected, words) in zip(tabs[1:], views[1:], strict=True):
        line = _header(tab)
        assert HEADER.search(line).group(0) == expected, line
        assert words in line, line
    assert "No filters" in _header(first)
