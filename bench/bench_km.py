"""Time the Kaplan-Meier estimate against lifelines' bare fit.

Ours: ``km_table`` (every distinct time with at-risk counts, Greenwood standard error and the log CI) plus
``km_medians`` (median with CI). lifelines: ``KaplanMeierFitter().fit`` on the same arrays (one fit per
stratum).
Run ``python bench/bench_km.py``; it prints the best of several repeats and the ratio (target: at most 2).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from medcare_metrics.survival import KMOptions, km_medians, km_table


def best_of(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def make_data(n: int, n_groups: int, continuous: bool, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    event_time = rng.exponential(500.0, n)
    censor_time = rng.uniform(0, 1500.0, n)
    t = np.minimum(event_time, censor_time)
    if not continuous:
        t = np.ceil(t)  # whole days, as ADaM AVAL usually is: many ties
    groups = np.array([f"G{i:02d}" for i in range(n_groups)])[rng.integers(0, n_groups, n)]
    frame = pd.DataFrame(
        {"USUBJID": np.arange(n).astype(str), "TIME": t, "EVENT": event_time <= censor_time, "GROUP": groups}
    )
    return frame.sort_values("GROUP", kind="stable").reset_index(drop=True)


def bench(label: str, tte: pd.DataFrame, repeats: int) -> None:
    options = KMOptions("log")
    parts = [
        (g.to_numpy(), e.to_numpy())
        for _, (g, e) in ((k, (d["TIME"], d["EVENT"])) for k, d in tte.groupby("GROUP", sort=False))
    ]

    def ours() -> None:
        km_table(tte, options)
        km_medians(tte, options)

    def lifelines_fit() -> None:
        for durations, events in parts:
            KaplanMeierFitter().fit(durations, events)

    t_ours = best_of(ours, repeats)
    t_ll = best_of(lifelines_fit, repeats)
    n_times = len(km_table(tte, options))
    print(
        f"{label:44s} rows={n_times:7d}  ours {1000 * t_ours:8.1f} ms  lifelines {1000 * t_ll:8.1f} ms"
        f"  ratio {t_ours / t_ll:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for continuous in (False, True):
        kind = "continuous times" if continuous else "whole days"
        bench(f"100,000 subjects, 1 group, {kind}", make_data(100_000, 1, continuous), args.repeats)
        bench(f"10 strata of 10,000, {kind}", make_data(100_000, 10, continuous), args.repeats)


if __name__ == "__main__":
    main()
