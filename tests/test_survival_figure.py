"""km_figure: what it draws (traces, panels, tail modes, benchmark), on a hand-made curve."""

from __future__ import annotations

import pandas as pd
import pytest

from medcare_metrics import survival as sv
from medcare_metrics.figures.survival import km_figure

TTE = pd.DataFrame(
    {
        "USUBJID": [f"S{i}" for i in range(7)],
        "TIME": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0],
        "EVENT": [True, False, True, True, False, True, False],
        "GROUP": ["A", "A", "A", "A", "B", "B", "B"],
    }
)


def build(
    tail: str = "grey",
    benchmarks: pd.DataFrame | None = None,
    threshold: int = 2,
    counts: str = "N_RISK",
    show_ci: bool = True,
    frame: pd.DataFrame = TTE,
):
    options = sv.KMOptions()
    curve = sv.km_curve(frame, options, at_risk_threshold=threshold)
    at_risk = sv.at_risk_table(frame, [0, 2, 4, 6, 8], options)
    return km_figure(
        curve,
        sv.km_medians(frame, options),
        at_risk,
        unit="MONTHS",
        benchmarks=benchmarks,
        tail=tail,
        threshold=threshold,
        show_ci=show_ci,
        title="PFS",
        counts=counts,
    )


def named(fig, name_start: str):
    return [t for t in fig.data if (t.name or "").startswith(name_start)]


def test_curves_legend_and_at_risk_panel():
    fig = build()
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    # A: 1 E, 2 C, 3 E, 4 E -> S = 3/4, 3/4, 3/8, 0: median 3. B: 5 C, 6 E, 8 C -> S = 1/2 from 6: median 6.
    assert legend == ["A: n = 4, 3 events, median 3.0 months", "B: n = 3, 1 event, median 6.0 months"]
    text = [t for t in fig.data if t.mode == "text"]
    assert [list(t.text) for t in text] == [["4", "3", "1", "0", "0"], ["3", "3", "3", "2", "1"]]
    assert all(t.yaxis == "y2" for t in text) and all(t.xaxis == "x2" for t in text)
    assert fig.layout.xaxis2.title.text == "Time (months)"
    assert list(fig.layout.xaxis.tickvals) == [0, 2, 4, 6, 8]


def test_tail_is_dotted_or_left_out():
    # Threshold 2: A's tail starts at 3 (1 left after it), B's at 6 (1 left after it).
    grey = build("grey")
    dotted = [t for t in grey.data if t.line is not None and t.line.dash == "dot" and t.mode == "lines"]
    assert [list(t.x) for t in dotted] == [[3.0, 4.0], [6.0, 8.0]]
    main_a = named(grey, "A:")[0]
    assert list(main_a.x) == [0.0, 1.0, 2.0, 3.0]  # up to and including the first tail step
    truncated = build("truncate")
    assert not [
        t for t in truncated.data if t.line is not None and t.line.dash == "dot" and t.mode == "lines"
    ]
    shown = build("show")
    assert list(named(shown, "A:")[0].x) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_censor_marks():
    fig = build()
    marks = [t for t in fig.data if t.name == "censored"]
    assert [list(t.x) for t in marks] == [[2.0], [5.0, 8.0]]


def test_benchmark_marker():
    fig = build(benchmarks=sv.benchmark_table("PFS", "MONTHS"))
    bench = named(fig, "Benchmark")
    assert len(bench) == 2
    assert list(bench[0].x) == [6.0, 10.0, 15.0]  # All MDT: median 10 (6 to 15) months
    assert not named(build(), "Benchmark")


def test_unknown_tail_mode():
    with pytest.raises(ValueError, match="tail"):
        build("hide")


def test_cumulative_events_or_censored_under_the_axis():
    # A: events at 1, 3, 4, censored at 2. B: censored at 5 and 8, event at 6. Ticks 0, 2, 4, 6, 8.
    events = [t for t in build(counts="CUM_EVENT").data if t.mode == "text"]
    assert [list(t.text) for t in events] == [["0", "1", "3", "3", "3"], ["0", "0", "0", "1", "1"]]
    censored = build(counts="CUM_CENSOR")
    assert [list(t.text) for t in censored.data if t.mode == "text"] == [
        ["0", "1", "1", "1", "1"],
        ["0", "0", "0", "1", "2"],
    ]
    headings = [a.text for a in censored.layout.annotations]
    assert "<b>Cumulative censored</b>" in headings
    assert "<b>Number at risk</b>" in [a.text for a in build().layout.annotations]
    with pytest.raises(ValueError, match="counts"):
        build(counts="N_EVENT")


def test_every_group_has_a_labelled_row_and_the_figure_grows_with_groups():
    eight = pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(16)],
            "TIME": [float(1 + i % 5) for i in range(16)],
            "EVENT": [i % 3 != 0 for i in range(16)],
            "GROUP": [f"G{i // 2}" for i in range(16)],
        }
    )
    fig = build(frame=eight)
    assert list(fig.layout.yaxis2.tickvals) == [f"G{i}" for i in range(8)]
    assert all(label.endswith(f" G{i}") for i, label in enumerate(fig.layout.yaxis2.ticktext))
    assert len([t for t in fig.data if t.mode == "text"]) == 8
    assert fig.layout.height > build().layout.height  # rows keep their height instead of being squeezed


def test_confidence_bands_can_be_left_out():
    bands = [t for t in build().data if t.fill == "tonexty"]
    assert len(bands) == 2  # one per group
    assert not [t for t in build(show_ci=False).data if t.fill == "tonexty"]


def test_benchmarks_stretch_the_axis_and_have_their_own_markers():
    # NEST-FS benchmarks reach 22 months, beyond the last time (8).
    fig = build(benchmarks=sv.benchmark_table("NESTFS", "MONTHS"))
    assert fig.layout.xaxis.range[1] == pytest.approx(22 * 1.03)
    symbols = [t.marker.symbol[1] for t in named(fig, "Benchmark")]
    assert symbols == ["diamond", "square"]
    assert named(fig, "Benchmark")[0].name == "Benchmark, All MDT: median 16.0 months (95% CI 10.0 to 22.0)"
    assert build().layout.xaxis.range[1] == pytest.approx(8 * 1.03)
