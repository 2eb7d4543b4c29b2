"""Loading and memory, each in a child process of ``bench/run.py`` so that it measures a clean process.

``python bench/memory_load.py load --source FOLDER --patients N --out FILE [--repeats 3]``
    ``load_trial`` (read and validate) of the generated source from parquet and from CSV: median of up to
    ``--repeats`` calls (one call when a call takes over 5 s).

``python bench/memory_load.py memory --source FOLDER --patients N --out FILE [--changes 50]``
    ``dashboard.py`` under AppTest on the parquet source: the server's resident set size (RSS) after opening
    the app, after the first visit of each page, then over ``--changes`` changes of the centre filter on the
    Overview (each a set of centres not used before, so each is a new view). RSS comes from psutil when it is
    installed, else from /proc/self/status (VmRSS); the peak is VmHWM.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import PAGES, Deadline, ResultFile, median, peak_rss_mib, rss_mib

#: Calls of a load step taking longer than this are not repeated.
SLOW_LOAD_S = 5.0


def measure_load(source: Path, patients: int, out: ResultFile, repeats: int, deadline: Deadline) -> None:
    """Time ``load_trial`` on the parquet and the CSV files of ``source``."""
    from medcare_metrics import loading

    for fmt in ("parquet", "csv"):
        times: list[float] = []
        problems = 0
        for _ in range(repeats):
            if deadline.passed() and times:
                break
            start = time.perf_counter()
            result = loading.load_trial(source / fmt)
            times.append(time.perf_counter() - start)
            problems = len(result.problems)
            del result
            if times[-1] > SLOW_LOAD_S:
                break
        out.write(
            kind="load", patients=patients, format=fmt, times=times, median_s=median(times), problems=problems
        )


def measure_memory(source: Path, patients: int, out: ResultFile, changes: int, deadline: Deadline) -> None:
    """Server RSS after opening the app and visiting every page, then over ``changes`` filter changes."""
    import streamlit as st
    from apptest_timings import RUN_TIMEOUT, _sites, centre_sets, logging_quiet, open_page
    from benchlib import REPO, navigation_like_the_server
    from streamlit.testing.v1 import AppTest

    from medcare_app.sidebar import filter_key

    logging_quiet()
    navigation_like_the_server()
    os.environ["MEDCARE_DATA"] = str(source / "parquet")
    st.cache_data.clear()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=RUN_TIMEOUT)
    start = time.perf_counter()
    at.run()
    out.write(
        kind="memory", patients=patients, step="open", seconds=time.perf_counter() - start,
        rss_mib=rss_mib(), peak_mib=peak_rss_mib(), errors=len(at.exception),
    )  # fmt: skip
    # Page visits get about half the time; the filter changes the rest.
    visits_end = time.monotonic() + deadline.left() / 2
    visited = []
    for page in PAGES:
        if time.monotonic() > visits_end:
            out.write(kind="memory", patients=patients, step=f"visit {page}", skipped="time limit")
            continue
        open_page(at, page)
        start = time.perf_counter()
        at.run()
        visited.append(page)
        out.write(
            kind="memory", patients=patients, step=f"visit {page}", seconds=time.perf_counter() - start,
            rss_mib=rss_mib(), peak_mib=peak_rss_mib(), errors=len(at.exception),
        )  # fmt: skip
    out.write(
        kind="memory", patients=patients, step="after visits", visited=visited, rss_mib=rss_mib(),
        peak_mib=peak_rss_mib(),
    )  # fmt: skip

    open_page(at, "overview")
    at.run()
    sets = centre_sets(_sites(source / "parquet"), seed=patients)
    key = filter_key("SITEID")
    for i in range(1, changes + 1):
        if deadline.passed():
            break
        at.multiselect(key=key).set_value(next(sets))
        start = time.perf_counter()
        at.run()
        out.write(
            kind="change", patients=patients, change=i, seconds=time.perf_counter() - start,
            rss_mib=rss_mib(),
            peak_mib=peak_rss_mib(), errors=len(at.exception),
        )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=("load", "memory"))
    parser.add_argument("--source", type=Path, required=True, help="folder holding csv/ and parquet/")
    parser.add_argument("--patients", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=3600.0, help="soft time limit")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    out, deadline = ResultFile(args.out), Deadline(args.seconds)
    if args.part == "load":
        measure_load(args.source, args.patients, out, args.repeats, deadline)
    else:
        measure_memory(args.source, args.patients, out, args.changes, deadline)


if __name__ == "__main__":
    main()
