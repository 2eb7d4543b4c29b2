"""Server-side timings: ``dashboard.py`` under AppTest, each page and action against the floor page.

Run by ``bench/run.py`` as a child process (one per trial size)::

    python bench/apptest_timings.py --source FOLDER --patients N --out RESULTS.jsonl [--repeats 5]

One AppTest session opens the app on ``FOLDER`` (MEDCARE_DATA), then makes up to ``--repeats`` passes over
the pages, each pass one run of every cell of every page (a cell with ``--cell-budget`` seconds of runs gets
no more; past the ``--seconds`` limit no run is started), so that a short time still measures every page.
A cell's time is the median of its runs. The cells of a page:

- ``first visit``: the page run with every cached view cleared but the loaded source kept (the
  ``st.cache_data`` functions of the app whose names mention loading or the fingerprint are kept);
- ``warm rerun``: a run with nothing changed (what any click costs at least);
- ``centre filter``: a new set of centres in the sidebar's Centre filter, never one used before in the run
  (half the centres each time), so nothing of it is cached;
- ``as-of``: a new "As of" date, never used before in the run;
- page controls (``PAGE_ACTIONS``): first a new centre filter (not timed, so the change is never cached),
  then the control's next value (timed).

After each page, the floor page (``bench/floor_page.py``) with the number of plotly figures and tables the
page drew is timed the same way (warm reruns). Each measured cell is one JSON line of ``--out``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    PAGES,
    REPO,
    Deadline,
    ResultFile,
    median,
    navigation_like_the_server,
    peak_rss_mib,
    rss_mib,
)

FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor_page.py"
#: Controls changed on a page beyond the sidebar: (action, widget type, widget key).
PAGE_ACTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "survival": (
        ("endpoint change", "selectbox", "survival_endpoint"),
        ("grouping change", "selectbox", "survival_by"),
    ),
    "toxicity": (
        ("grade bars change", "radio", "tox_value"),
        ("acute window change", "number_input", "tox_window"),
    ),
}
#: Actions of every page, in the order they are measured.
COMMON_ACTIONS = ("first visit", "warm rerun", "centre filter", "as-of")
#: Seconds an AppTest run may take before AppTest gives up.
RUN_TIMEOUT = 1800


def _cached_functions() -> list[tuple[str, Any]]:
    """Every st.cache_data / st.cache_resource function of the app's modules, with its name."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    found: dict[int, tuple[str, Any]] = {}
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(("medcare_app", "medcare_metrics", "pages")):
            continue
        for name, value in list(vars(module).items()):
            if isinstance(value, CachedFunc):
                found[id(value)] = (f"{module_name}.{name}", value)
    return sorted(found.values(), key=lambda item: item[0])


def _is_loading(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1].lower()
    return any(word in leaf for word in ("load", "fingerprint", "stamp"))


def clear_views() -> list[str]:
    """Clear the app's cached views, keeping the loaded source; return the names of the cleared functions."""
    cleared = []
    for name, function in _cached_functions():
        if not _is_loading(name):
            function.clear()
            cleared.append(name)
    return cleared


def open_page(at: Any, name: str) -> None:
    """Switch the AppTest to the page whose URL path (or title, for the default page) is ``name``."""
    for page_hash, info in at._registered_pages.items():
        title = str(info.get("page_name", "")).lower().replace(" ", "_")
        if name in (info.get("url_pathname"), title):
            at._page_hash = page_hash
            return
    raise KeyError(f"no page {name!r}")


def _sites(source: Path) -> list[str]:
    import pandas as pd

    adsl = pd.read_parquet(source / "adsl.parquet", columns=["SITEID"])
    return sorted(adsl["SITEID"].astype(str).unique())


def _window(source: Path) -> tuple[date, date]:
    import pandas as pd

    adsl = pd.read_parquet(source / "adsl.parquet", columns=["SCRNDT", "DCUTDT"])
    first = pd.to_datetime(adsl["SCRNDT"]).min()
    cutoff = pd.to_datetime(adsl["DCUTDT"]).max()
    return first.date(), cutoff.date()


def centre_sets(sites: Sequence[str], seed: int) -> Iterator[list[str]]:
    """Sets of half the centres, each once, in a fixed shuffled order (then smaller and larger sets)."""
    half = max(1, len(sites) // 2)
    sizes = [half, *sorted({k for k in range(1, len(sites)) if k != half}, key=lambda k: abs(k - half))]
    for k in sizes:
        combos = list(itertools.combinations(sites, k))
        random.Random(seed + k).shuffle(combos)
        for combo in combos:
            yield list(combo)


def as_of_dates(first: date, cutoff: date) -> Iterator[date]:
    """New dates from 55 % of the way from the first screening to the cut-off, three days apart."""
    day = first + (cutoff - first) * 55 // 100
    while day < cutoff:
        yield day
        day += timedelta(days=3)


def _counts(at: Any) -> tuple[int, int, int]:
    figures = len(at.get("plotly_chart"))
    tables = len(at.dataframe) + len(at.table)
    return figures, tables, len(at.exception)


def _next_value(at: Any, kind: str, key: str) -> None:
    """Set the widget ``key`` to its next option (number inputs: one more)."""
    if kind == "selectbox":
        widget = at.selectbox(key=key)
        widget.select_index(((widget.index if widget.index is not None else -1) + 1) % len(widget.options))
    elif kind == "radio":
        widget = at.radio(key=key)
        index = widget.index if widget.index is not None else -1
        widget.set_value(widget.options[(index + 1) % len(widget.options)])
    elif kind == "number_input":
        widget = at.number_input(key=key)
        widget.set_value(widget.value + 1)
    else:
        raise ValueError(f"unknown widget type {kind!r}")


@dataclass
class Cell:
    """The runs of one page and action so far."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    figures: int = 0
    tables: int = 0
    errors: int = 0
    problem: str = ""


class ServerBench:
    """One AppTest session of ``dashboard.py`` on a source, and the floor page, timed cell by cell."""

    def __init__(
        self,
        source: Path,
        patients: int,
        out: ResultFile,
        *,
        repeats: int,
        cell_budget: float,
        deadline: Deadline,
    ) -> None:
        from streamlit.testing.v1 import AppTest

        from medcare_app.sidebar import AS_OF_KEY, filter_key

        self.patients = patients
        self.out = out
        self.repeats = repeats
        self.cell_budget = cell_budget
        self.deadline = deadline
        self.site_key = filter_key("SITEID")
        self.as_of_key = AS_OF_KEY
        self.centres = centre_sets(_sites(source), seed=patients)
        self.dates = as_of_dates(*_window(source))
        os.environ["MEDCARE_DATA"] = str(source)
        self.at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=RUN_TIMEOUT)
        self.cutoff_value: Any = None
        self.last_cpu = 0.0
        self.cells: dict[tuple[str, str], Cell] = {}
        #: Centre filters and as-of dates set so far (each a view never seen before).
        self.new_views = 0
        #: (page, figures, tables) whose floor has been timed.
        self.floored: set[tuple[str, int, int]] = set()

    def run(self) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        self.at.run()
        self.last_cpu = time.process_time() - cpu
        return time.perf_counter() - start

    def open(self) -> None:
        """Open the app (reads and validates the source): one cold run, then one more."""
        import streamlit as st

        st.cache_data.clear()
        cold = self.run()
        second = self.run()
        errors = _counts(self.at)[2]
        self.cutoff_value = self.at.date_input(key=self.as_of_key).value
        self.out.write(
            kind="open", patients=self.patients, cold_s=cold, second_s=second, errors=errors,
            cleared=[n for n, _ in _cached_functions() if not _is_loading(n)],
            kept=[n for n, _ in _cached_functions() if _is_loading(n)],
        )  # fmt: skip

    def reset(self) -> None:
        """No centre filter, as of the cut-off (not timed)."""
        self.at.multiselect(key=self.site_key).set_value([])
        self.at.date_input(key=self.as_of_key).set_value(self.cutoff_value)
        self.run()

    def wants(self, page: str, action: str) -> bool:
        """Whether the cell needs another run: fewer than ``repeats`` and under ``cell_budget`` seconds."""
        cell = self.cells.get((page, action))
        if cell is None:
            return True
        return not cell.problem and len(cell.times) < self.repeats and sum(cell.times) < self.cell_budget

    def timed(self, page: str, action: str, prepare: Callable[[], None] | None = None) -> None:
        """One run of a cell: ``prepare()`` (not timed) sets it up, then the timed run."""
        cell = self.cells.setdefault((page, action), Cell())
        try:
            if prepare is not None:
                prepare()
        except Exception as exc:  # a widget the page no longer has: say so, go on with the next cell
            cell.problem = f"{type(exc).__name__}: {exc}"
            return
        cell.times.append(self.run())
        cell.cpu.append(self.last_cpu)
        cell.figures, cell.tables, errors = _counts(self.at)
        cell.errors += errors

    def page_pass(self, page: str) -> None:
        """One run of each cell of ``page`` that wants one (see :meth:`wants`), then write its cells."""
        at = self.at

        def first_visit() -> None:
            clear_views()
            open_page(at, page)

        def centre() -> None:
            at.multiselect(key=self.site_key).set_value(next(self.centres))
            self.new_views += 1

        def as_of() -> None:
            at.date_input(key=self.as_of_key).set_value(next(self.dates))
            self.new_views += 1

        if self.wants(page, "first visit"):
            self.timed(page, "first visit", first_visit)
        else:
            open_page(at, page)
            self.run()
        actions: list[tuple[str, Callable[[], None] | None]] = [
            ("warm rerun", None),
            ("centre filter", centre),
            ("as-of", as_of),
        ]
        for action, kind, key in PAGE_ACTIONS.get(page, ()):

            def control(kind: str = kind, key: str = key) -> None:
                centre()
                self.run()  # a new view, so that the control's change is never cached
                _next_value(at, kind, key)

            actions.append((action, control))
        for action, prepare in actions:
            if self.deadline.passed():
                break
            if self.wants(page, action):
                self.timed(page, action, prepare)
                if prepare is not None:
                    self.reset()
        for (cell_page, action), cell in self.cells.items():
            if cell_page == page:
                self.out.write(
                    kind="server", patients=self.patients, page=page, action=action, times=cell.times,
                    median_s=median(cell.times), cpu_s=median(cell.cpu), figures=cell.figures,
                    tables=cell.tables, errors=cell.errors, problem=cell.problem,
                )  # fmt: skip
                if cell.times and (page, cell.figures, cell.tables) not in self.floored:
                    self.floored.add((page, cell.figures, cell.tables))
                    self.floor(page, cell.figures, cell.tables)
        self.out.write(
            kind="server_rss", patients=self.patients, new_views=self.new_views, rss_mib=rss_mib(),
            peak_mib=peak_rss_mib(),
        )  # fmt: skip

    def floor(self, page: str, figures: int, tables: int) -> None:
        """Time the floor page drawing ``figures`` figures and ``tables`` tables (warm reruns)."""
        from streamlit.testing.v1 import AppTest

        os.environ["MEDCARE_FLOOR"] = f"floor:{figures}:{tables}"
        floor = AppTest.from_file(str(FLOOR_SCRIPT), default_timeout=RUN_TIMEOUT)
        floor.run()
        times: list[float] = []
        cpu: list[float] = []
        for _ in range(max(self.repeats, 3)):
            start, cpu_start = time.perf_counter(), time.process_time()
            floor.run()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
            if sum(times) >= self.cell_budget:
                break
        drawn, n_tables, errors = _counts(floor)
        self.out.write(
            kind="floor", patients=self.patients, page=page, figures=figures, tables=tables, times=times,
            median_s=median(times), cpu_s=median(cpu), drawn=[drawn, n_tables], errors=errors,
        )  # fmt: skip


def measure_server(
    source: Path,
    patients: int,
    out: Path,
    *,
    pages: Sequence[str] = PAGES,
    repeats: int = 5,
    cell_budget: float = 12.0,
    seconds: float = 3600.0,
) -> None:
    """Time every page of ``pages`` on ``source`` (a folder of parquet files); write JSON lines to ``out``."""
    warnings.simplefilter("ignore")
    logging_quiet()
    navigation_like_the_server()
    bench = ServerBench(
        source,
        patients,
        ResultFile(out),
        repeats=repeats,
        cell_budget=cell_budget,
        deadline=Deadline(seconds),
    )
    bench.out.write(kind="plan", patients=patients, pages=list(pages))
    bench.open()
    # Passes over every page, one run of each cell per pass: when time runs short, every page has been
    # measured (fewer runs) rather than the first pages five times and the last ones never.
    for repeat in range(repeats):
        for page in pages:
            if bench.deadline.passed():
                if repeat == 0:
                    bench.out.write(kind="skipped", patients=patients, page=page, reason="time limit")
                continue
            bench.page_pass(page)


def logging_quiet() -> None:
    """Silence Streamlit's "missing ScriptRunContext" warnings of bare mode."""
    import logging

    for name in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", type=Path, required=True, help="folder of parquet files")
    parser.add_argument("--patients", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cell-budget", type=float, default=12.0)
    parser.add_argument("--seconds", type=float, default=3600.0, help="soft time limit of the whole part")
    args = parser.parse_args(argv)
    measure_server(
        args.source, args.patients, args.out, pages=args.pages, repeats=args.repeats,
        cell_budget=args.cell_budget, seconds=args.seconds,
    )  # fmt: skip


if __name__ == "__main__":
    main()
