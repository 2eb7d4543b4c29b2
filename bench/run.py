"""The benchmark of issue 14: every page and action against a floor, loading, memory and the browser.

``python bench/run.py --patients 18 10000 100000`` generates synthetic trials of those sizes (kept between
runs in ``--data-dir``), then measures, each part in its own child process:

- **server** (sizes but the largest; ``apptest_timings.py``): each page under AppTest, median of
  ``--repeats`` runs per cell (first visit, warm rerun, centre filter, as-of, page controls), each against
  the floor page (``floor_page.py``) drawing as many plotly figures and tables, timed in the same process
  right after the page;
- **load** (sizes of 10,000 and more; ``memory_load.py load``): ``load_trial`` from parquet and from CSV;
- **memory** (the largest size; ``memory_load.py memory``): server RSS after visiting every page, and its
  growth over ``--changes`` centre filter changes;
- **browser** (sizes but the largest; ``browser_timings.py``): the Overview's first full paint and a switch
  from it to every other page in headless chromium, against the floor page served the same way.

It prints one table (page x action: time, floor, ratio, target, result; load; memory) and writes it, with the
machine and the versions, to the "Benchmark results" section of docs/performance.md (between markers, so a
rerun replaces it) when every part ran. The run keeps to ``--budget`` seconds (default 14 minutes): the time
left is shared between the parts still to run, a part stops starting measurements when its share is spent
(cells not reached say so in the table), and a part still running a minute after its share is stopped.

Timings are wall-clock; the machine may be shared, which is why every app timing is set against a floor
measured in the same run. Run from the repository root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import PAGES, REPO, ResultFile, child_env, median, source_rows, synthetic_source

BENCH = Path(__file__).resolve().parent
DOCS = REPO / "docs" / "performance.md"
START_MARKER = "<!-- benchmark-results:start (written by bench/run.py; a rerun replaces this section) -->"
END_MARKER = "<!-- benchmark-results:end -->"
PARTS = ("server", "load", "memory", "browser")
#: Share of the run's time of each part (per size for server and browser), before rescaling to what is left.
WEIGHTS = {
    "server_small": 0.12,
    "server_large": 0.30,
    "load": 0.09,
    "browser_small": 0.20,
    "browser_large": 0.22,
    "memory": 0.20,
}
#: Seconds a part may overrun its share before it is stopped.
GRACE_S = 20.0
COLUMNS = ("Patients", "Page", "Action", "Runs", "Time", "CPU", "Floor", "Ratio", "Target", "Result")

#: Targets of issue 14, by number of patients.
RERUN_RATIO = {18: 3.0, 10_000: 5.0}
CHANGE_S = {18: 0.3, 10_000: 1.0}
FIRST_VISIT_S = {10_000: 3.0}
LOAD_S = {(10_000, "parquet"): 1.0, (10_000, "csv"): 2.0, (100_000, "parquet"): 10.0}
PAINT_RATIO = {18: 1.3, 10_000: 1.3}
SWITCH_RATIO = {18: 2.0, 10_000: 2.0}
MEMORY_MIB = 1024.0
#: "No growth" over the filter changes, allowing for allocator noise.
GROWTH_MIB = 64.0
#: Growth is the median RSS of the last this many changes less that of the first as many: a single reading
#: swings by 150 MiB with the views alive at that moment, so two readings say little.
GROWTH_WINDOW = 10


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    patients: int
    page: str
    action: str
    runs: str = ""
    time: str = ""
    cpu: str = ""
    floor: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            f"{self.patients:,}", self.page, self.action, self.runs, self.time, self.cpu, self.floor,
            self.ratio, self.target, self.result,
        )  # fmt: skip


def _s(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:  # None or NaN
        return ""
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(ratio: float | None) -> str:
    if not ratio:
        return ""
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "**FAIL**")


# ----------------------------------------------------------------------------------------------------
# From the children's JSON lines to rows of the table.


def server_rows(results: list[dict[str, Any]]) -> list[Row]:
    """Rows of the server part: each cell against the floor page with the same figures and tables."""
    floors = {
        (r["patients"], r["page"], r["figures"], r["tables"]): r for r in results if r.get("kind") == "floor"
    }
    # The server part writes a page's cells after every pass over the pages: the last line of a cell holds
    # all its runs. Dicts keep the order of first appearance.
    latest: dict[tuple[Any, ...], Row] = {}
    for r in results:
        kind = r.get("kind")
        if kind == "open":
            latest[(r["patients"], "app")] = Row(
                r["patients"], "app", "open: read, validate, Overview", "1", _s(r["cold_s"]),
                result=f"{r['errors']} exception(s)" if r["errors"] else "",
            )  # fmt: skip
        elif kind == "skipped":
            latest[(r["patients"], r["page"], "skipped")] = Row(
                r["patients"], r["page"], "every action", "0", result=f"not run: {r['reason']}"
            )
        elif kind == "server":
            floor = floors.get((r["patients"], r["page"], r["figures"], r["tables"]))
            latest[(r["patients"], r["page"], r["action"])] = _server_row(r, floor)
    # Pages a stopped part never reached (its child was stopped in the middle of a run).
    planned = {r["patients"]: r["pages"] for r in results if r.get("kind") == "plan"}
    for n in [r["patients"] for r in results if r.get("kind") == "open"]:
        measured = {key[1] for key in latest if key[0] == n}
        for page in planned.get(n, PAGES):
            if page not in measured:
                latest[(n, page, "stopped")] = Row(
                    n, page, "every action", "0", result="not run: part stopped"
                )
    return sorted(latest.values(), key=lambda row: (row.patients, _page_order(row.page)))


def _page_order(page: str) -> int:
    name = page.split(" ", 1)[0]
    return PAGES.index(name) + 1 if name in PAGES else 0


def _server_row(r: dict[str, Any], floor: dict[str, Any] | None) -> Row:
    n, action, times = r["patients"], r["action"], r["times"]
    page = f"{r['page']} ({r['figures']} fig, {r['tables']} tab)" if times else r["page"]
    if not times:
        return Row(n, r["page"], action, "0", result=r.get("problem") or "not run")
    median_s = float(r["median_s"])
    floor_s = float(floor["median_s"]) if floor else None
    ratio = median_s / floor_s if floor_s else None
    target, ok = "", None
    if action == "warm rerun" and n in RERUN_RATIO:
        target = f"<= {RERUN_RATIO[n]:g}x floor"
        ok = ratio is not None and ratio <= RERUN_RATIO[n]
    elif action == "first visit" and n in FIRST_VISIT_S:
        target = f"< {FIRST_VISIT_S[n]:g} s"
        ok = median_s < FIRST_VISIT_S[n]
    elif action not in ("first visit", "warm rerun") and n in CHANGE_S:
        target = f"< {CHANGE_S[n]:g} s"
        ok = median_s < CHANGE_S[n]
    result = _verdict(ok)
    notes = [f"{r['errors']} exception(s)" if r.get("errors") else "", r.get("problem") or ""]
    result = "; ".join(x for x in (result, *notes) if x)
    return Row(
        n, page, action, str(len(times)), _s(median_s), _s(r.get("cpu_s")), _s(floor_s),
        _ratio(ratio), target, result,
    )  # fmt: skip


def load_rows(results: list[dict[str, Any]]) -> list[Row]:
    """Rows of the load part."""
    rows = []
    for r in results:
        if r.get("kind") != "load":
            continue
        n, fmt = r["patients"], r["format"]
        limit = LOAD_S.get((n, fmt))
        ok = None if limit is None or not r["times"] else r["median_s"] < limit
        problems = f"{r['problems']} validation problem(s)" if r.get("problems") else ""
        result = "; ".join(x for x in (_verdict(ok), problems) if x)
        rows.append(
            Row(n, "load", f"load_trial from {fmt.upper() if fmt == 'csv' else fmt}", str(len(r["times"])),
                _s(r["median_s"]), target=f"< {limit:g} s" if limit else "", result=result)
        )  # fmt: skip
    return rows


def memory_rows(results: list[dict[str, Any]], changes_planned: int = 50) -> list[Row]:
    """Rows of the memory part: each page's first visit, RSS after them all, growth over filter changes."""
    rows = []
    visits = [r for r in results if r.get("kind") == "memory" and str(r.get("step", "")).startswith("visit ")]
    for r in visits:
        page = r["step"].removeprefix("visit ")
        if r.get("skipped"):
            rows.append(
                Row(r["patients"], page, "first visit (memory run)", "0", result=f"not run: {r['skipped']}")
            )
        else:
            rows.append(
                Row(r["patients"], page, "first visit (memory run)", "1", _s(r["seconds"]),
                    result=f"RSS {r['rss_mib']:,.0f} MiB")
            )  # fmt: skip
    after = [r for r in results if r.get("kind") == "memory" and r.get("step") == "after visits"]
    if after:
        r = after[-1]
        visited = len(r["visited"])
        label = "server RSS after visiting every page"
        if visited < len(PAGES):
            label = f"server RSS after visiting {visited} of {len(PAGES)} pages (time limit)"
        ok = r["rss_mib"] < MEMORY_MIB and visited == len(PAGES)
        rows.append(
            Row(r["patients"], "memory", label, time=f"{r['rss_mib']:,.0f} MiB",
                target=f"< {MEMORY_MIB:,.0f} MiB", result=_verdict(ok) + f" (peak {r['peak_mib']:,.0f} MiB)")
        )  # fmt: skip
    elif any(r.get("kind") == "memory" for r in results):
        r = next(r for r in results if r.get("kind") == "memory")
        rows.append(
            Row(r["patients"], "memory", "server RSS after visiting every page", result="not reached")
        )
    changes = [r for r in results if r.get("kind") == "change"]
    if changes:
        first = changes[0]
        window = min(GROWTH_WINDOW, len(changes))
        start = median(c["rss_mib"] for c in changes[:window])
        end = median(c["rss_mib"] for c in changes[-window:])
        growth = end - start
        low, high = min(c["rss_mib"] for c in changes), max(c["rss_mib"] for c in changes)
        rows.append(
            Row(first["patients"], "overview", f"centre filter (memory run, {len(changes)} changes)",
                str(len(changes)), _s(median(c["seconds"] for c in changes)))
        )  # fmt: skip
        # Growth is judged only over the planned number of changes: two changes say nothing of a slow leak.
        complete = len(changes) >= changes_planned
        verdict = (
            _verdict(growth <= GROWTH_MIB) if complete else f"no verdict: {len(changes)} of {changes_planned}"
        )
        rows.append(
            Row(first["patients"], "memory", f"RSS growth over {len(changes)} filter changes (median of the "
                f"first and of the last {window}: {start:,.0f} to {end:,.0f} MiB; readings {low:,.0f} to "
                f"{high:,.0f})", str(len(changes)),
                f"{growth:+,.0f} MiB", target=f"<= {GROWTH_MIB:g} MiB over {changes_planned}", result=verdict)
        )  # fmt: skip
    return rows


def browser_rows(results: list[dict[str, Any]]) -> list[Row]:
    """Rows of the browser part: app against floor, first full paint and page switch."""
    rows = []
    latest = {(r["patients"], r["action"]): r for r in results if r.get("kind") == "browser"}
    # Per size: the first paint, then the switches in the order the pages were measured.
    first_line = {id(r): i for i, r in enumerate(results)}
    results = sorted(
        results,
        key=lambda r: (
            r.get("patients", 0),
            r.get("action") != "first full paint",
            min(
                (first_line[id(x)] for x in results if x.get("action") == r.get("action")),
                default=first_line[id(r)],
            ),
        ),
    )
    for r in results:
        if r.get("kind") == "browser" and latest[(r["patients"], r["action"])] is not r:
            continue  # an earlier line of the same measurement (written after every repeat)
        if r.get("kind") == "browser_error":
            rows.append(Row(r["patients"], "browser", "every action", result=f"failed: {r['error']}"))
            continue
        if r.get("kind") != "browser":
            continue
        n, action = r["patients"], r["action"]
        paint = action == "first full paint"
        counts = r["first"] if paint else r["second"]
        limits = PAINT_RATIO if paint else SWITCH_RATIO
        ratio = r["median_s"] / r["floor_s"] if r["times"] and r["floor_s"] else None
        target = f"<= {limits[n]:g}x floor" if n in limits else ""
        ok = (ratio is not None and ratio <= limits[n]) if n in limits else None
        page = "overview" if paint else action.removeprefix("switch to ")
        rows.append(
            Row(n, f"{page} ({counts['figures']} fig, {counts['tables']} tab)",
                f"browser: {action if paint else 'page switch from overview'}", str(len(r["times"])),
                _s(r["median_s"]), "", _s(r["floor_s"]), _ratio(ratio), target,
                _verdict(ok))
        )  # fmt: skip
    return rows


def server_memory_rows(results: list[dict[str, Any]]) -> list[Row]:
    """The server part's RSS at its end (no target: the memory part measures the targets)."""
    latest = {r["patients"]: r for r in results if r.get("kind") == "server_rss"}
    return [
        Row(n, "memory", f"server RSS at the end of the server part ({r['new_views']} new views)",
            time=f"{r['rss_mib']:,.0f} MiB", result=f"peak {r['peak_mib']:,.0f} MiB")
        for n, r in latest.items()
    ]  # fmt: skip


def build_rows(results: list[dict[str, Any]], changes_planned: int = 50) -> list[Row]:
    """Every row of the table, in the order: server, load, memory, browser (each by size)."""
    return (
        server_rows(results)
        + server_memory_rows(results)
        + load_rows(results)
        + memory_rows(results, changes_planned)
        + browser_rows(results)
    )


def markdown_table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (one header)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in row.cells()) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------
# Machine, versions, docs.


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, load average, and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "unknown"
    versions = {"python": platform.python_version()}
    for name in ("streamlit", "pandas", "plotly", "numpy", "pyarrow"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # not installed
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


def results_section(
    rows: Sequence[Row], info: dict[str, Any], command: str, seconds: float, notes: Sequence[str]
) -> str:
    """The "Benchmark results" section of docs/performance.md, markers included."""
    lines = [
        START_MARKER,
        "## Benchmark results",
        "",
        f"`{command}`, run on {info['date']} in **{seconds / 60:.1f} min** "
        f"on {info['cpu']}, {info['cores']} cores, {info['ram']} RAM "
        f"(load average {info['load_start']} at the "
        f"start, {info['load_end']} at the end); {info['versions']}. Code as of `{info['commit']}`"
        f"{' plus uncommitted changes' if info['dirty'] else ''}.",
        "",
        "Time: median wall-clock of the runs (Runs; fewer than asked when a cell had used its share of the "
        "time). CPU: the process's CPU time for the same runs. Floor: `bench/floor_page.py` drawing as many "
        "plotly figures (fig) and tables (tab) from precomputed data, timed the same way right after the "
        "page; "
        "Ratio = Time / Floor. Server rows are AppTest runs; browser rows are headless chromium against the "
        "floor page served by `streamlit run`. Targets are those of issue 14; sizes without a target have "
        "none.",
        "",
    ]
    lines += [f"- {note}" for note in notes]
    if notes:
        lines.append("")
    # Prose wrapped as the rest of the docs (the table's lines are left whole).
    prose = [
        textwrap.fill(line, 110, subsequent_indent="  " if line.startswith("- ") else "") for line in lines
    ]
    return "\n".join([*prose, markdown_table(rows), "", END_MARKER])


def write_docs(section: str, path: Path = DOCS) -> None:
    """Replace the section between the markers in ``path`` (append it when there is none)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START_MARKER) + r".*?" + re.escape(END_MARKER), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------------------------------
# Running the parts.


def run_child(script: str, args: list[str], soft_s: float, hard_s: float, log: Path) -> str:
    """Run ``bench/script args`` with ``--seconds soft_s``; stop its process group after ``hard_s``."""
    command = [sys.executable, str(BENCH / script), *args, "--seconds", f"{max(soft_s, 1.0):.0f}"]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=child_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=max(hard_s, 5.0))
        except subprocess.TimeoutExpired:
            # The child's own group only (it holds any server and browser the child started).
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return f"{script} stopped after {hard_s:.0f} s (its share of the time)"
    if code != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        return f"{script} {' '.join(args[:1])} exited with {code}: " + " / ".join(tail)[-600:]
    return ""


@dataclass
class Plan:
    """The parts to run, in order, each with its weight."""

    parts: list[tuple[str, int, float]]

    def share(self, index: int, left: float) -> float:
        """Seconds for part ``index`` out of ``left``: its weight among the parts not yet run."""
        weights = [w for _, _, w in self.parts[index:]]
        return left * weights[0] / sum(weights)


def make_plan(sizes: Sequence[int], only: Sequence[str]) -> Plan:
    """Which part runs at which size (see the module's doc)."""
    sizes = sorted(set(sizes))
    small = sizes[:-1] if len(sizes) > 1 else sizes
    loads = [n for n in sizes if n >= 10_000] or sizes
    parts: list[tuple[str, int, float]] = []
    if "server" in only:
        parts += [("server", n, WEIGHTS["server_large" if n >= 1000 else "server_small"]) for n in small]
    if "load" in only:
        parts += [("load", n, WEIGHTS["load"] / len(loads)) for n in loads]
    if "browser" in only:
        parts += [("browser", n, WEIGHTS["browser_large" if n >= 1000 else "browser_small"]) for n in small]
    if "memory" in only:
        parts.append(("memory", sizes[-1], WEIGHTS["memory"]))
    return Plan(parts)


def run(args: argparse.Namespace) -> tuple[list[Row], list[dict[str, Any]], list[str]]:
    """Generate the sources, run the parts, return the rows, the raw results and notes."""
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="medcare_bench_"))
    data_dir = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    plan = make_plan(args.patients, args.only)
    sources: dict[int, Path] = {}
    for n in sorted({n for _, n, _ in plan.parts}):
        start = time.perf_counter()
        sources[n], made = synthetic_source(n, data_dir)
        rows = source_rows(sources[n])
        what = f"generated and written in {time.perf_counter() - start:.1f} s" if made else "reused"
        print(f"Source {n:,} patients ({what}): " + ", ".join(f"{k.upper()} {v:,}" for k, v in rows.items()))
        notes.append(
            f"Source of {n:,} patients, {args.sites_note}: "
            + ", ".join(f"{k.upper()} {v:,}" for k, v in rows.items())
            + " rows" + ("" if made else " (generated by an earlier run, reused)") + "."
        )  # fmt: skip

    results: list[dict[str, Any]] = []
    for index, (part, n, _) in enumerate(plan.parts):
        left = args.budget - (time.monotonic() - started)
        share = plan.share(index, max(left, 0.0))
        out = work / f"{part}_{n}.jsonl"
        log = work / f"{part}_{n}.log"
        source = sources[n]
        if part == "server":
            script, child = "apptest_timings.py", [
                "--source", str(source / "parquet"), "--patients", str(n), "--out", str(out),
                "--repeats", str(args.repeats), "--pages", *args.pages,
            ]  # fmt: skip
        elif part == "load":
            script, child = "memory_load.py", [
                "load", "--source", str(source), "--patients", str(n), "--out", str(out),
                "--repeats", str(min(args.repeats, 3)),
            ]  # fmt: skip
        elif part == "memory":
            script, child = "memory_load.py", [
                "memory", "--source", str(source), "--patients", str(n), "--out", str(out),
                "--changes", str(args.changes),
            ]  # fmt: skip
        else:
            script, child = "browser_timings.py", [
                "--source", str(source / "parquet"), "--patients", str(n), "--out", str(out),
                "--repeats", str(min(args.repeats, 3)),
            ]  # fmt: skip
        print(f"{part} at {n:,} patients: up to {share:.0f} s ...", flush=True)
        start = time.monotonic()
        if args.in_process and part == "server":
            # The smoke test: no child interpreter (the test's process has the imports already).
            import apptest_timings

            apptest_timings.main([*child, "--seconds", f"{share:.0f}"])
            problem = ""
        else:
            problem = run_child(script, child, share, share + GRACE_S, log)
        part_rows = ResultFile.read(out)
        results += part_rows
        print(
            f"  done in {time.monotonic() - start:.0f} s ({len(part_rows)} lines)"
            + (f": {problem}" if problem else "")
        )
        if problem:
            notes.append(f"{part} at {n:,} patients: {problem}.")
    opened = [r for r in results if r.get("kind") == "open"]
    for r in opened:
        notes.append(
            f"Server part at {r['patients']:,}: caches cleared before each first visit: "
            f"{', '.join(x.rsplit('.', 1)[-1] for x in r['cleared'])}; kept (the loaded source): "
            f"{', '.join(x.rsplit('.', 1)[-1] for x in r['kept'])}."
        )
    if not args.keep:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    else:
        print(f"Raw results and logs kept in {work}")
    return build_rows(results, args.changes), results, notes


def main(argv: Sequence[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, nargs="+", default=[18, 10_000, 100_000])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="parts to run")
    parser.add_argument("--repeats", type=int, default=5, help="runs per cell (median); default 5")
    parser.add_argument(
        "--pages", nargs="+", choices=PAGES, default=list(PAGES), help="pages of the server part"
    )
    parser.add_argument("--changes", type=int, default=50, help="filter changes of the memory part")
    parser.add_argument("--budget", type=float, default=840.0, help="seconds for the whole run (default 840)")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "medcare_bench_data")
    parser.add_argument("--json", type=Path, help="also write the raw results here (JSON)")
    parser.add_argument("--keep", action="store_true", help="keep the children's result files and logs")
    parser.add_argument(
        "--from-json", type=Path, help="rebuild the table from a --json file; measure nothing"
    )
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # tests/test_bench.py
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument("--docs", action="store_true", help="write docs/performance.md even for a partial run")
    docs.add_argument("--no-docs", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args(argv)
    args.sites_note = "12 centres"

    if args.from_json:
        # Rebuild the table (and the docs section) from an earlier run's raw results, measuring nothing.
        saved = json.loads(args.from_json.read_text())
        results, notes, kept = saved["results"], saved.get("notes", []), saved.get("info")
        rows = build_rows(results, args.changes)
        print(markdown_table(rows))
        if kept and not args.no_docs:
            write_docs(results_section(rows, kept, kept["command"], kept["seconds"], notes))
            print(f'Written to {DOCS.relative_to(REPO)} (section "Benchmark results")')
        return rows

    started = time.monotonic()
    load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows, results, notes = run(args)
    seconds = time.monotonic() - started
    table = markdown_table(rows)
    print()
    print(table)
    print(f"\nWhole run: {seconds:.0f} s ({seconds / 60:.1f} min)")
    info: dict[str, Any] = machine()
    info["load_start"], info["load_end"] = load_start, info.pop("load")
    info["date"] = dt.date.today().isoformat()
    git = ("git", "-C", str(REPO))
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    info["commit"], info["dirty"] = commit.stdout.strip() or "unknown", bool(dirty.stdout.strip())
    info["command"] = ("python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    info["seconds"] = seconds
    if args.json:
        saved = {"info": info, "notes": notes, "results": results, "rows": [asdict(r) for r in rows]}
        args.json.write_text(json.dumps(saved, indent=1))

    full = set(args.only) == set(PARTS) and list(args.pages) == list(PAGES)
    if (full or args.docs) and not args.no_docs:
        write_docs(results_section(rows, info, info["command"], seconds, notes))
        print(f'Written to {DOCS.relative_to(REPO)} (section "Benchmark results")')
    return rows


if __name__ == "__main__":
    main()
