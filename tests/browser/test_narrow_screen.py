"""The dashboard on a 1024x768 projector with the sidebar open: no metric value or table key column cut off.

One browser session visits the seven pages (and every tab of each), and checks that

- no metric value (``stMetricValue`` and its children) is wider than its box (``scrollWidth > clientWidth``);
- every visible table's first (key) column starts inside the main area, with a header;
- no request leaves the machine (the page icon is the repository's, not a font server's).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from .test_browser import PAGES, _open

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1024, "height": 768}
#: Returns what is cut off on the page as it is drawn now (hidden tabs have no size and are skipped).
CUT_OFF_JS = """async () => {
  const values = [];
  for (const el of document.querySelectorAll(
      '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *')) {
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) values.push(el.innerText);
  }
  const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
  const tables = [];
  const headerOf = grid => {
    // The first named column (a shown row index has an empty header) is the table's key column.
    const names = Array.from(grid.querySelectorAll('th, [role="columnheader"]'))
        .map(th => (th.textContent || '').trim()).filter(name => name !== '');
    return names.length ? names[0] : '';
  };
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    // A table in a closed expander or a hidden tab is checked when it is shown.
    const shown = grid.checkVisibility({visibilityProperty: true});
    if (grid.getBoundingClientRect().width === 0 || !shown) continue;
    let header = headerOf(grid);
    // The grid draws its header row once it has been on screen: scroll to it and wait up to 3 s.
    for (let i = 0; header === '' && i < 20; i++) {
      grid.scrollIntoView({block: 'center'});
      await new Promise(resolve => setTimeout(resolve, 150));
      header = headerOf(grid);
    }
    const box = grid.getBoundingClientRect();
    if (box.left < main.left - 1 || box.left + 80 > window.innerWidth || header === '') {
      tables.push({left: box.left, width: box.width, header: header});
    }
  }
  return {values: values, tables: tables};
}"""


def test_nothing_cut_off_at_1024x768(browser, server_url: str, screenshot_dir: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    host = urlparse(server_url).netloc
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if request.url.startswith("http") and urlparse(request.url).netloc != host
            else None
        ),
    )
    problems: dict[str, object] = {}
    try:
        for stem, path in PAGES.items():
            _open(page, f"{server_url}/{path}")
            assert page.locator('[data-testid="stSidebar"]').is_visible()  # the sidebar is open
            found = [page.evaluate(CUT_OFF_JS)]
            tabs = page.locator('[data-testid="stTabs"] button[role="tab"]')
            for i in range(tabs.count()):
                tabs.nth(i).click()
                page.wait_for_timeout(150)
                found.append(page.evaluate(CUT_OFF_JS))
            values = sorted({v for f in found for v in f["values"]})
            tables = [t for f in found for t in f["tables"]]
            if values or tables:
                problems[stem] = {"values": values, "tables": tables}
            page.screenshot(path=str(screenshot_dir / f"narrow_{stem}.png"))
    finally:
        context.close()
    assert not problems, problems
    assert not outside, outside
