"""Time the synthetic trial generator: 10,000 enrolled patients, then writing each format.

Run from the repository root: ``python bench/bench_generate.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from medcare_metrics.synthetic import FORMATS, SyntheticOptions, generate_trial, write_trial


def main() -> None:
    options = SyntheticOptions(patients=10_000, sites=12)
    generate_trial(SyntheticOptions())  # warm-up: imports and first-call overheads
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        datasets = generate_trial(options)
        runs.append(time.perf_counter() - start)
    rows = ", ".join(f"{name} {len(frame):,}" for name, frame in datasets.items())
    n = f"{options.patients:,}"
    print(f"generate_trial, {n} enrolled patients: best {min(runs):.2f} s of 3 ({rows} rows)")
    # openpyxl writes about 3,000 rows a second, so the workbook is timed on a tenth of the patients.
    small = generate_trial(SyntheticOptions(patients=1_000, sites=12))
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            data = small if fmt == "xlsx" else datasets
            start = time.perf_counter()
            write_trial(data, Path(tmp) / fmt, fmt=fmt)
            patients = (data["adsl"]["ENRLFL"] == "Y").sum()
            print(f"write_trial {fmt}, {patients:,} enrolled patients: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
