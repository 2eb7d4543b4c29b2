"""Smoke test of the benchmark (bench/run.py): the table is built, with a ratio against the floor page.

No timing is asserted (a shared machine makes any duration meaningless here); the benchmark's numbers are in
docs/performance.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_server_table_of_one_page_has_a_ratio_against_the_floor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    # The server part sets these for its AppTest runs; monkeypatch restores them for the other tests.
    monkeypatch.setenv("MEDCARE_DATA", str(tmp_path))
    monkeypatch.setenv("MEDCARE_FLOOR", "floor:1:1")
    import run

    rows = run.main(
        [
            "--patients", "18", "--only", "server", "--pages", "overview", "--repeats", "1",
            "--no-docs", "--in-process", "--data-dir", str(tmp_path / "data"),
        ]
    )  # fmt: skip
    table = run.markdown_table(rows)
    assert table.splitlines()[0] == "| " + " | ".join(run.COLUMNS) + " |"
    cells = {row.action: row for row in rows if row.page.startswith("overview")}
    assert set(cells) == {"first visit", "warm rerun", "centre filter", "as-of"}
    for row in cells.values():
        assert row.runs == "1"
        assert row.time.endswith(" s") and row.floor.endswith(" s")
        assert row.ratio.endswith("x") and float(row.ratio[:-1]) > 0
        assert "exception" not in row.result
    # Targets at 18 patients: the warm rerun against the floor, the changes in seconds.
    assert cells["warm rerun"].target == "<= 3x floor"
    assert cells["centre filter"].target == "< 0.3 s"
    assert cells["warm rerun"].result in ("PASS", "**FAIL**")
    sys.modules.pop("run", None)


def test_browser_rows_put_the_first_paint_first_and_judge_each_switch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    import run

    overview = {"title": "Overview", "figures": 2, "tables": 0}
    survival = {"title": "Survival", "figures": 1, "tables": 6}

    def line(action: str, second: dict[str, object], app: list[float], floor: list[float]) -> dict[str, Any]:
        return {
            "kind": "browser", "patients": 18, "action": action, "times": app, "median_s": sorted(app)[1],
            "floor_times": floor, "floor_s": sorted(floor)[1], "first": overview, "second": second,
        }  # fmt: skip

    results = [
        line("switch to survival", survival, [1.0, 1.0, 1.0], [0.4, 0.4, 0.4]),  # an earlier line: replaced
        line("switch to survival", survival, [0.9, 1.0, 1.1], [0.4, 0.6, 0.8]),
        line("first full paint", overview, [2.0, 2.6, 3.0], [1.9, 2.0, 2.1]),
    ]
    rows = run.browser_rows(results)
    assert [row.action for row in rows] == ["browser: first full paint", "browser: page switch from overview"]
    paint, switch = rows
    assert paint.ratio == "1.30x" and paint.result == "PASS"  # 2.6 / 2.0, at most 1.3
    assert switch.page == "survival (1 fig, 6 tab)" and switch.ratio == "1.67x" and switch.result == "PASS"


def test_memory_growth_compares_the_medians_of_the_first_and_last_ten_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    import run

    def changes(rss: list[float]) -> list[dict[str, Any]]:
        return [
            {"kind": "change", "patients": 100, "change": i, "seconds": 1.0, "rss_mib": r, "peak_mib": r}
            for i, r in enumerate(rss, 1)
        ]

    # Readings swing by 150 MiB with the views alive, without a trend: the last one alone would say +150.
    swinging = [950.0 if i % 2 else 800.0 for i in range(50)]  # 800 first, 950 last
    row = next(r for r in run.memory_rows(changes(swinging)) if "growth" in r.action)
    assert row.time == "+0 MiB" and row.result == "PASS"
    # A steady leak of 3 MiB a change: 120 MiB between the two windows.
    leaking = [800.0 + 3 * i for i in range(50)]
    row = next(r for r in run.memory_rows(changes(leaking)) if "growth" in r.action)
    assert row.time == "+120 MiB" and row.result == "**FAIL**"
