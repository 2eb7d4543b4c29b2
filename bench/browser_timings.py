"""Browser timings: the app and the floor page served by ``streamlit run``, drawn by headless chromium.

Run by ``bench/run.py`` as a child process::

    python bench/browser_timings.py --source FOLDER --patients N --out RESULTS.jsonl [--repeats 3]

Starts ``streamlit run dashboard.py`` on ``FOLDER`` (MEDCARE_DATA) and opens it once in chromium (not timed:
the server reads the source and computes the views of the Overview and of every page switched to, as for
the first visitor of a meeting), counting the plotly figures and tables each page shows. Then starts
``streamlit run bench/floor_page.py`` with the same counts per page, and times, alternately on the app and
the floor, in a new browser context each time (median of ``--repeats`` per page):

- **first full paint**: from opening the URL until the script has finished, no loading skeleton is left,
  the page's title is shown and every plotly figure has drawn its SVG (or WebGL) layer, the same for 0.25 s
  (one per page switched to and repeat);
- **page switch**: from clicking the page in the sidebar navigation, on the freshly drawn Overview, until
  the same holds on that page; every page but the Overview (``--switch-to``).

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright, with the flags of tests/browser.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import REPO, Deadline, ResultFile, child_env, median

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 120
#: Milliseconds a page may take to draw before the measurement gives up.
DRAW_TIMEOUT_MS = 240_000
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor_page.py"

#: True when the page has drawn: script finished, no skeleton, the title shown, every figure drawn.
DRAWN = """(want) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app === null || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stSkeleton"]') !== null) return false;
    const title = document.querySelector('[data-testid="stMain"] h1');
    if (title === null || !title.textContent.includes(want.title)) return false;
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    if (charts.length < want.figures) return false;
    for (const chart of charts) {
        if (chart.querySelector('.main-svg, .gl-container canvas') === null) return false;
    }
    return true;
}"""
COUNTS = """() => ({
    title: document.querySelector('[data-testid="stMain"] h1')?.textContent ?? '',
    figures: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
    tables: document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]').length,
})"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(script: Path, env_extra: dict[str, str]) -> Iterator[str]:
    """Run ``streamlit run script`` on a free port; yield its URL once it answers its health check."""
    port = _free_port()
    env = child_env()
    env.update(env_extra)
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit run {script.name} exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit run {script.name} did not answer within {STARTUP_TIMEOUT_S} s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_drawn(page: Any, title: str, figures: int) -> float:
    """Wait until the page has drawn (and stays so for 0.25 s); return when it first was, perf_counter."""
    want = {"title": title, "figures": figures}
    while True:
        page.wait_for_function(DRAWN, arg=want, polling=50, timeout=DRAW_TIMEOUT_MS)
        drawn_at = time.perf_counter()
        page.wait_for_timeout(250)
        if page.evaluate(DRAWN, want):
            return drawn_at


def _switch(page: Any, url_path: str) -> None:
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first.click()


class Site:
    """A served app: its URL, the pages switched to, and what each page shows."""

    def __init__(self, name: str, url: str, switch_to: Sequence[str]) -> None:
        self.name = name
        self.url = url
        self.switch_to = tuple(switch_to)
        self.first: dict[str, Any] = {}
        #: URL path -> what the page shows (title, figures, tables).
        self.pages: dict[str, dict[str, Any]] = {}

    def learn(self, browser: Any) -> None:
        """Open the site once (not timed): computes the server's views and counts what the pages show."""
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            page.goto(self.url, timeout=DRAW_TIMEOUT_MS)
            page.wait_for_selector('[data-testid="stMain"] h1', timeout=DRAW_TIMEOUT_MS)
            _wait_drawn(page, "", 0)
            page.wait_for_timeout(1500)  # figures that draw late
            self.first = page.evaluate(COUNTS)
            title = self.first["title"]
            for url_path in self.switch_to:
                _switch(page, url_path)
                page.wait_for_function(
                    "(t) => (document.querySelector('[data-testid=\"stMain\"] h1')?.textContent ?? t) !== t",
                    arg=title,
                    timeout=DRAW_TIMEOUT_MS,
                )
                _wait_drawn(page, "", 0)
                page.wait_for_timeout(1500)
                self.pages[url_path] = page.evaluate(COUNTS)
                title = self.pages[url_path]["title"]
        finally:
            context.close()

    def time_once(self, browser: Any, url_path: str) -> tuple[float, float]:
        """One first full paint and one switch to ``url_path``, in a new browser context, seconds."""
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            start = time.perf_counter()
            page.goto(self.url, timeout=DRAW_TIMEOUT_MS)
            paint = _wait_drawn(page, self.first["title"], self.first["figures"]) - start
            second = self.pages[url_path]
            start = time.perf_counter()
            _switch(page, url_path)
            switch = _wait_drawn(page, second["title"], second["figures"]) - start
            return paint, switch
        finally:
            context.close()


def measure_browser(
    source: Path,
    patients: int,
    out: ResultFile,
    *,
    repeats: int,
    switch_to: Sequence[str],
    deadline: Deadline,
) -> None:
    """Time the first full paint and the page switches of the app and of the floor (see the module's doc)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        out.write(kind="browser_error", patients=patients, error=f"{CHROMIUM} not found")
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with serve(REPO / "dashboard.py", {"MEDCARE_DATA": str(source)}) as app_url:
                app = Site("app", app_url, switch_to)
                start = time.perf_counter()
                app.learn(browser)
                out.write(
                    kind="browser_warm", patients=patients, seconds=time.perf_counter() - start,
                    first=app.first, pages=app.pages,
                )  # fmt: skip
                spec = ",".join(
                    f"{name}:{counts['figures']}:{counts['tables']}"
                    for name, counts in {"overview": app.first, **app.pages}.items()
                )
                with serve(FLOOR_SCRIPT, {"MEDCARE_FLOOR": spec}) as floor_url:
                    floor = Site("floor", floor_url, switch_to)
                    floor.learn(browser)
                    paints: dict[str, list[float]] = {"app": [], "floor": []}
                    switches: dict[tuple[str, str], list[float]] = {
                        (site, url_path): [] for site in ("app", "floor") for url_path in switch_to
                    }
                    for _ in range(repeats):
                        for url_path in switch_to:
                            if deadline.passed() and switches[("app", url_path)]:
                                continue  # out of time: every page keeps at least one measurement
                            for site in (app, floor):
                                paint, switch = site.time_once(browser, url_path)
                                paints[site.name].append(paint)
                                switches[(site.name, url_path)].append(switch)
                            # Written after every measurement (the last line counts): a stop keeps what was
                            # measured.
                            out.write(
                                kind="browser", patients=patients, action="first full paint",
                                times=paints["app"], median_s=median(paints["app"]),
                                floor_times=paints["floor"], floor_s=median(paints["floor"]),
                                first=app.first, second=app.first,
                                floor_counts=[floor.first],
                            )  # fmt: skip
                            app_times = switches[("app", url_path)]
                            floor_times = switches[("floor", url_path)]
                            out.write(
                                kind="browser", patients=patients, action=f"switch to {url_path}",
                                times=app_times, median_s=median(app_times), floor_times=floor_times,
                                floor_s=median(floor_times), first=app.first, second=app.pages[url_path],
                                floor_counts=[floor.first, floor.pages[url_path]],
                            )  # fmt: skip
        finally:
            browser.close()


#: Every page but the Overview, by URL path: the pages a switch from the Overview is timed to.
PAGES = ("enrollment", "patients", "survival", "lesions", "toxicity", "data_quality")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, required=True, help="folder of parquet files")
    parser.add_argument("--patients", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--switch-to", nargs="+", default=list(PAGES), help="URL paths of the pages switched to (default all)"
    )
    parser.add_argument("--seconds", type=float, default=3600.0, help="soft time limit")
    args = parser.parse_args(argv)
    os.environ.pop("MEDCARE_DATA", None)
    try:
        measure_browser(
            args.source, args.patients, ResultFile(args.out), repeats=args.repeats, switch_to=args.switch_to,
            deadline=Deadline(args.seconds),
        )  # fmt: skip
    except Exception as exc:  # a browser or server failure is reported in the table, not as a traceback
        ResultFile(args.out).write(
            kind="browser_error", patients=args.patients, error=f"{type(exc).__name__}: {exc}"
        )
        raise


if __name__ == "__main__":
    main()
