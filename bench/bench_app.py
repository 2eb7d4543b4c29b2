"""Time the analytics and the app on a large synthetic trial, and measure their memory.

Generates a trial of ``--patients`` enrolled patients (plus screen failures) with
:mod:`medcare_metrics.synthetic`, writes it as CSV and parquet to a temporary folder, then:

1. times each analytics step the pages run (best of ``--repeats``, after one warm-up call) and measures it
   once more under ``tracemalloc`` (peak of the Python and numpy allocations of that step) and reports the
   process's peak resident set size so far (``ru_maxrss``);
2. runs ``dashboard.py`` under ``streamlit.testing.v1.AppTest`` with MEDCARE_DATA pointing at the CSV folder,
   in a child process (so its peak memory is the app's alone): opening the app with an empty cache, then for
   each page a visit with an empty cache, a second run, and a change of the centre filter.

Run from the repository root: ``python bench/bench_app.py [--patients 10000] [--repeats 3]``. The targets
(see docs/performance.md) are checked at the end: PASS / FAIL per target. Timings are wall-clock on a shared
machine: compare runs made on the same machine only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from medcare_metrics import accrual, cuts, enrollment, lesions, loading, overview, patients, toxicity  # noqa: E402
from medcare_metrics import survival as sv  # noqa: E402
from medcare_metrics.filters import Filters, apply_filters  # noqa: E402
from medcare_metrics.model import TrialData  # noqa: E402
from medcare_metrics.protocol import DEFAULT_SETTINGS, TARGET_ENROLLMENT_BOUNDS  # noqa: E402
from medcare_metrics.synthetic import SyntheticOptions, generate_trial, write_trial  # noqa: E402

MIB = 1024 * 1024
#: Page files, in the order of the app's navigation.
PAGES = ("overview", "enrollment", "patients", "survival", "lesions", "toxicity", "data_quality")

#: Targets (seconds, or MiB for memory); docs/performance.md explains each.
TARGET_GENERATE_S = 10.0
TARGET_LOAD_S = 3.0
TARGET_STEP_S = 1.0
TARGET_OPEN_COLD_S = 10.0
TARGET_PAGE_COLD_S = 10.0
TARGET_SECOND_RUN_S = 2.0
TARGET_FILTER_S = 1.0
TARGET_MEMORY_MIB = 1024.0


@dataclass(frozen=True)
class Measure:
    """One benchmarked step: best wall time, tracemalloc peak, process peak RSS after the step."""

    name: str
    best_s: float
    traced_peak_mib: float
    maxrss_mib: float


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(who).ru_maxrss / 1024


def measure(name: str, fn: Callable[[], object], repeats: int) -> Measure:
    fn()  # warm-up: first-call costs (imports, caches) are not what a user waits for on every rerun
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    # A separate run under tracemalloc: tracing slows allocation-heavy code several times.
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measure(name, min(times), peak / MIB, maxrss_mib())


def mid_date(trial: TrialData) -> dt.date:
    """Halfway between the first screening and the data cut-off."""
    first = trial.adsl["SCRNDT"].min()
    cutoff = trial.adsl["DCUTDT"].max()
    return (first + (cutoff - first) / 2).normalize().date()


def analytics_steps(
    trial: TrialData, csv_dir: Path, parquet_dir: Path, patients_n: int
) -> list[tuple[str, Callable[[], object]]]:
    adsl, adtte, adae, adtu = trial.adsl, trial.adtte, trial.adae, trial.adtu
    centre = Filters.from_mapping({"SITEID": [adsl["SITEID"].iloc[0]]})
    mid = mid_date(trial)
    options = sv.KMOptions()
    params = sv.endpoints(adtte)
    by_mdt = {p: sv.time_to_event(adtte, p, adsl=adsl, by="MDTTYPE") for p in params}
    # Twice the enrolled patients as target keeps enrollment open at the mid date, so a prediction is made
    # (within the largest target the settings accept).
    target = min(2 * patients_n, TARGET_ENROLLMENT_BOUNDS[1])
    open_settings = replace(DEFAULT_SETTINGS, target_enrollment=target)

    def km() -> None:
        for p in params:
            for tte in (sv.time_to_event(adtte, p), sv.time_to_event(adtte, p, adsl=adsl, by="MDTTYPE")):
                sv.km_table(tte, options)
                sv.km_medians(tte, options)

    def logrank() -> None:
        for p in params:
            sv.logrank_test(by_mdt[p])

    def lesion_summaries() -> None:
        lesions.lesions_per_patient(adtu, adsl)
        lesions.lesion_count_distribution(adtu, adsl)
        lesions.lesions_by_site(adtu, adsl)
        lesions.site_patterns(adtu, adsl)
        lesions.detection_summary(adtu, adsl)
        lesions.mdt_per_lesion(adtu, adsl)
        lesions.dose_summary(adtu, adsl)
        lesions.dose_by_modality(adtu, adsl)
        lesions.patient_site_matrix(adtu, adsl)

    def enrollment_step() -> None:
        enrollment.screening_funnel(adsl, adtte)
        enrollment.cumulative_enrollment(adsl, DEFAULT_SETTINGS)

    def toxicity_step() -> None:
        toxicity.toxicity_by_grade(adae, adsl, level="term", by="MDTTYPE")

    def accrual_step() -> None:
        if accrual.accrual_prediction(adsl, open_settings, as_of=mid) is None:
            raise RuntimeError("no accrual prediction: enrollment closed at the mid date")
        accrual.accrual_outlook(adsl, open_settings, as_of=mid)

    return [
        ("load_trial csv", lambda: loading.load_trial(csv_dir)),
        ("load_trial parquet", lambda: loading.load_trial(parquet_dir)),
        ("fingerprint csv", lambda: loading.fingerprint(csv_dir)),
        ("apply_filters (one centre)", lambda: apply_filters(trial, centre)),
        (f"cuts.as_of ({mid})", lambda: cuts.as_of(trial, mid)),
        ("overview.trial_summary", lambda: overview.trial_summary(trial)),
        (f"km_table + km_medians ({'/'.join(params)}; all, by MDTTYPE)", km),
        ("logrank_test by MDTTYPE (each endpoint)", logrank),
        ("toxicity_by_grade (term, by MDTTYPE)", toxicity_step),
        ("lesions: 9 summaries of the page", lesion_summaries),
        ("screening_funnel + cumulative_enrollment", enrollment_step),
        ("accrual_prediction + accrual_outlook", accrual_step),
        ("patients.swimmer_data", lambda: patients.swimmer_data(trial)),
        ("patients.swimmer_events", lambda: patients.swimmer_events(trial)),
    ]


# ----------------------------------------------------------------------------------------------------
# The app, in a child process.


def _navigation_like_the_server() -> None:
    """Make AppTest run ``dashboard.py`` as the server does (copied from tests/conftest.py).

    AppTest re-detects the legacy ``pages/`` directory before every run and then skips the entry script on
    reruns; the server drops that legacy mode for good once ``st.navigation`` is called.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init  # type: ignore[method-assign]


def _open_page(at: object, name: str) -> None:
    """Switch to the page whose URL path (or title, for the default page) is ``name``.

    dashboard.py registers its pages as functions, which ``AppTest.switch_page`` cannot find by file.
    """
    for page_hash, info in at._registered_pages.items():  # type: ignore[attr-defined]
        title = str(info.get("page_name", "")).lower().replace(" ", "_")
        if name in (info.get("url_pathname"), title):
            at._page_hash = page_hash  # type: ignore[attr-defined]
            return
    raise ValueError(f"no page {name!r}")


def run_app(source: Path, out: Path) -> None:
    """Time dashboard.py under AppTest on ``source``; write the results as JSON to ``out``."""
    os.environ["MEDCARE_DATA"] = str(source)
    _navigation_like_the_server()
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from medcare_app.sidebar import AS_OF_KEY, CLEAR_KEY, filter_key

    sites = sorted(pd.read_csv(source / "adsl.csv", usecols=["SITEID"], dtype=str)["SITEID"].unique())
    rows: list[dict[str, object]] = []

    def timed(at: AppTest) -> tuple[float, list[str]]:
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        return elapsed, [e.message for e in at.exception]

    st.cache_data.clear()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=900)
    open_cold, errors = timed(at)
    open_second, more = timed(at)
    title = at.title[0].value if at.title else ""
    opened = {"open_cold_s": open_cold, "open_second_s": open_second, "title": title, "errors": errors + more}
    after_open = maxrss_mib()

    for i, page in enumerate(p for p in PAGES if (REPO / "pages" / f"{p}.py").exists()):
        st.cache_data.clear()
        _open_page(at, page)
        cold, e1 = timed(at)
        second, e2 = timed(at)
        at.sidebar.multiselect(key=filter_key("SITEID")).set_value([sites[i % len(sites)]])
        filtered, e3 = timed(at)
        header = at.main.markdown[0].value if at.main.markdown else ""
        at.sidebar.button(key=CLEAR_KEY).click()
        timed(at)
        rows.append(
            {
                "page": page,
                "title": at.title[0].value if at.title else "",
                "cold_s": cold,
                "second_s": second,
                "filter_s": filtered,
                "filtered_header": header.split("·")[0].strip(),
                "errors": e1 + e2 + e3,
            }
        )

    # An as-of change replays the whole trial (cuts.as_of) before filtering: the slowest sidebar change.
    _open_page(at, "overview")
    timed(at)
    first = pd.read_csv(source / "adsl.csv", usecols=["SCRNDT", "DCUTDT"], parse_dates=["SCRNDT", "DCUTDT"])
    mid = (first["SCRNDT"].min() + (first["DCUTDT"].max() - first["SCRNDT"].min()) / 2).date()
    at.sidebar.date_input(key=AS_OF_KEY).set_value(mid)
    as_of_s, e4 = timed(at)
    opened["as_of_s"] = as_of_s
    opened["as_of_date"] = str(mid)
    opened["errors"] += e4
    out.write_text(
        json.dumps(
            {"open": opened, "pages": rows, "maxrss_after_open_mib": after_open, "maxrss_mib": maxrss_mib()}
        )
    )


# ----------------------------------------------------------------------------------------------------


def app_verdicts(app: dict) -> list[tuple[str, str, bool]]:
    opened, pages = app["open"], app["pages"]
    cold = max(pages, key=lambda r: r["cold_s"])
    rerun = max(pages, key=lambda r: r["second_s"])
    change = max(pages, key=lambda r: r["filter_s"])
    errors = opened["errors"] + [e for r in pages for e in r["errors"]]
    open_s, as_of_s, rss = opened["open_cold_s"], opened["as_of_s"], app["maxrss_mib"]
    return [
        (f"app opens cold < {TARGET_OPEN_COLD_S:g} s", f"{open_s:.2f} s", open_s < TARGET_OPEN_COLD_S),
        (
            f"every page cold < {TARGET_PAGE_COLD_S:g} s",
            f"{cold['cold_s']:.2f} s ({cold['page']})",
            cold["cold_s"] < TARGET_PAGE_COLD_S,
        ),
        (
            f"every page rerun < {TARGET_SECOND_RUN_S:g} s",
            f"{rerun['second_s']:.2f} s ({rerun['page']})",
            rerun["second_s"] < TARGET_SECOND_RUN_S,
        ),
        (
            f"centre filter change < {TARGET_FILTER_S:g} s on every page",
            f"{change['filter_s']:.2f} s ({change['page']})",
            change["filter_s"] < TARGET_FILTER_S,
        ),
        (f"as-of change < {TARGET_FILTER_S:g} s", f"{as_of_s:.2f} s", as_of_s < TARGET_FILTER_S),
        (f"app peak RSS < {TARGET_MEMORY_MIB:g} MiB", f"{rss:.0f} MiB", rss < TARGET_MEMORY_MIB),
        ("no exception on any page", f"{len(errors)} errors", not errors),
    ]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=10_000, help="enrolled patients (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per step; the best is shown")
    parser.add_argument("--sites", type=int, default=12, help="centres (default 12)")
    parser.add_argument("--no-app", action="store_true", help="skip the AppTest runs of the pages")
    parser.add_argument("--app-only", type=Path, help=argparse.SUPPRESS)  # child process: source folder
    parser.add_argument("--app-json", type=Path, help=argparse.SUPPRESS)  # child process: result file
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.app_only is not None:
        run_app(args.app_only, args.app_json)
        return

    options = SyntheticOptions(patients=args.patients, sites=args.sites)
    start = time.perf_counter()
    datasets = generate_trial(options)
    generate_s = time.perf_counter() - start
    rows = ", ".join(f"{name} {len(frame):,}" for name, frame in datasets.items())
    print(f"Synthetic trial: {args.patients:,} enrolled patients, {args.sites} centres ({rows} rows)")
    print(f"generate_trial: {generate_s:.2f} s (one cold run; bench_generate.py: best of 3)")

    verdicts: list[tuple[str, str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="medcare_bench_") as tmp:
        csv_dir, parquet_dir = Path(tmp) / "csv", Path(tmp) / "parquet"
        write_trial(datasets, csv_dir, fmt="csv")
        write_trial(datasets, parquet_dir, fmt="parquet")
        del datasets
        for folder in (csv_dir, parquet_dir):
            size = sum(p.stat().st_size for p in folder.iterdir()) / MIB
            print(f"{folder.name}: {size:.1f} MiB on disk")
        result = loading.load_trial(csv_dir)
        if result.trial is None or not result.problems.empty:
            raise SystemExit(f"the synthetic source does not load cleanly:\n{result.problems}")
        trial = result.trial

        print(f"\nAnalytics on the full trial (best of {args.repeats} after a warm-up)")
        header = f"{'step':62s} {'best s':>8s} {'traced MiB':>11s} {'RSS MiB':>8s}"
        print(header)
        print("-" * len(header))
        measures = []
        for name, fn in analytics_steps(trial, csv_dir, parquet_dir, args.patients):
            m = measure(name, fn, args.repeats)
            measures.append(m)
            print(f"{m.name:62s} {m.best_s:8.3f} {m.traced_peak_mib:11.1f} {m.maxrss_mib:8.0f}")
        bench_rss = maxrss_mib()
        print(f"Process peak RSS (ru_maxrss): {bench_rss:.0f} MiB")

        for m in measures:
            limit = TARGET_LOAD_S if m.name.startswith("load_trial") else TARGET_STEP_S
            verdicts.append((f"{m.name} < {limit:g} s", f"{m.best_s:.2f} s", m.best_s < limit))
        verdicts.append(
            (
                f"generate_trial < {TARGET_GENERATE_S:g} s",
                f"{generate_s:.2f} s",
                generate_s < TARGET_GENERATE_S,
            )
        )

        if not args.no_app:
            out = Path(tmp) / "app.json"
            script = str(Path(__file__).resolve())
            cmd = [sys.executable, script, "--app-only", str(csv_dir), "--app-json", str(out)]
            child = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False)
            if child.returncode != 0 or not out.exists():
                raise SystemExit(f"AppTest child failed ({child.returncode}):\n{child.stderr[-4000:]}")
            app = json.loads(out.read_text())
            opened = app["open"]
            print("\ndashboard.py under AppTest, MEDCARE_DATA = the CSV folder (one run each, seconds)")
            print(
                f"Open the app, empty cache: {opened['open_cold_s']:.2f} s ({opened['title']!r}); "
                f"second run {opened['open_second_s']:.2f} s"
            )
            header = f"{'page':14s} {'cold':>7s} {'2nd run':>8s} {'filter':>7s}  filtered view / errors"
            print(header)
            print("-" * len(header))
            for r in app["pages"]:
                note = f"{len(r['errors'])} exception(s)" if r["errors"] else r["filtered_header"]
                print(f"{r['page']:14s} {r['cold_s']:7.2f} {r['second_s']:8.2f} {r['filter_s']:7.2f}  {note}")
            print(f"As-of change to {opened['as_of_date']} on Overview: {opened['as_of_s']:.2f} s")
            if opened["errors"] or any(r["errors"] for r in app["pages"]):
                # The app hides tracebacks from the browser (.streamlit/config.toml); Streamlit logs them.
                logged = [line for line in child.stderr.splitlines() if "ScriptRunContext" not in line]
                print("Errors; the app's log ends with:", *logged[-40:], sep="\n")
            print(
                f"App process peak RSS (ru_maxrss): {app['maxrss_mib']:.0f} MiB "
                f"(after opening: {app['maxrss_after_open_mib']:.0f} MiB)"
            )

            verdicts += app_verdicts(app)
        verdicts.append(
            (
                f"benchmark process peak RSS < {TARGET_MEMORY_MIB:g} MiB",
                f"{bench_rss:.0f} MiB",
                bench_rss < TARGET_MEMORY_MIB,
            )
        )

    print("\nTargets")
    for target, value, ok in verdicts:
        print(f"{verdict(ok)}  {target:62s} {value}")


if __name__ == "__main__":
    main()
