"""What the parts of ``bench/run.py`` share: paths, the synthetic sources, memory readings, result rows.

The parts run as child processes (``apptest_timings.py``, ``memory_load.py``, ``browser_timings.py``) so that
each measures a clean process; they write one JSON object per line to a result file as they go, so that a
child stopped at its time limit still leaves what it measured.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MIB = 1024 * 1024
#: Page URL paths, in the order of the app's navigation.
PAGES = ("overview", "enrollment", "patients", "survival", "lesions", "toxicity", "data_quality")
#: Centres of every generated source: enough centre subsets for every filter change of a run to be new.
SITES = 12


def rss_mib() -> float:
    """Resident set size of this process now, MiB (psutil when installed, else /proc/self/status)."""
    try:
        import psutil  # type: ignore[import-untyped]

        return float(psutil.Process().memory_info().rss) / MIB
    except ImportError:
        return _status_kib("VmRSS") / 1024


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (VmHWM)."""
    return _status_kib("VmHWM") / 1024


def _status_kib(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return float(line.split()[1])
    return float("nan")


def median(values: Iterable[float]) -> float:
    """Median of ``values`` (NaN when empty)."""
    values = list(values)
    return statistics.median(values) if values else float("nan")


def navigation_like_the_server() -> None:
    """Make AppTest run ``dashboard.py`` as the server does (the fix of tests/conftest.py).

    AppTest re-detects the legacy ``pages/`` directory before every run and then skips the entry script on
    reruns; the server drops that legacy mode for good once ``st.navigation`` is called.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager.__init__, "_bench_fixed", False):
        return
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    init._bench_fixed = True  # type: ignore[attr-defined]
    PagesManager.__init__ = init  # type: ignore[method-assign]


def _generator_stamp() -> str:
    """Hash of the generator's source files: a changed generator makes new sources."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "medcare_metrics" / "synthetic").glob("*.py")):
        digest.update(path.read_bytes())
    for path in sorted((REPO / "medcare_metrics" / "study").glob("*.toml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def synthetic_source(patients: int, data_dir: Path) -> tuple[Path, bool]:
    """Return the folder holding ``csv/`` and ``parquet/`` of a generated trial; generate it when absent.

    Sources are kept in ``data_dir`` between runs, named by patients, centres and a hash of the generator,
    so a rerun does not pay for writing 100,000 patients as CSV again.

    Returns
    -------
    (pathlib.Path, bool)
        The folder, and whether it was generated now.
    """
    from medcare_metrics.synthetic import SyntheticOptions, generate_trial, write_trial

    folder = data_dir / f"p{patients}_s{SITES}_{_generator_stamp()}"
    done = folder / "complete"
    if done.exists():
        return folder, False
    datasets = generate_trial(SyntheticOptions(patients=patients, sites=SITES))
    write_trial(datasets, folder / "csv", fmt="csv")
    write_trial(datasets, folder / "parquet", fmt="parquet")
    rows = {name: len(frame) for name, frame in datasets.items()}
    done.write_text(json.dumps(rows))
    return folder, True


def source_rows(folder: Path) -> dict[str, int]:
    """Rows per dataset of a generated source."""
    return dict(json.loads((folder / "complete").read_text()))


class ResultFile:
    """Append-only JSON lines: one measured row per line, flushed at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, **row: Any) -> None:
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(row, default=str) + "\n")

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut by a stop at the time limit
                pass
        return rows


class Deadline:
    """A soft time limit: parts check it between measurements and stop measuring once it has passed."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.end

    def left(self) -> float:
        return self.end - time.monotonic()


def child_env() -> dict[str, str]:
    """Environment of a child: the repository importable, the access log out of the working tree."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault(
        "MEDCARE_ACCESS_LOG", os.path.join(os.environ.get("TMPDIR", "/tmp"), "medcare_bench_access.log")
    )
    env.pop("MEDCARE_DATA", None)
    return env
