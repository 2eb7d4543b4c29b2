"""Figures of the overview page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.figures.style import (
    AXIS_TITLE_ROOM,
    FONT_FAMILY,
    FONT_SIZE,
    MUTED,
    label_margin,
    layout_settings,
    make_figure,
    merge,
    vline,
)

#: Colour per enrollment-progress category (on study dark blue, off study light blue, others greys).
PROGRESS_COLORS: dict[str, str] = {
    "On study": "#0072B2",
    "Enrolled": "#0072B2",
    "Off study": "#56B4E9",
    "Not in selection": "#aab4bf",
    "Still to enroll": "#e3e8ee",
}


def enrollment_progress_figure(progress: pd.DataFrame, target: int | None) -> go.Figure:
    """Return one horizontal stacked bar of enrollment against the target.

    Parameters
    ----------
    progress : pandas.DataFrame
        Columns CATEGORY, PATIENTS, as :func:`medcare_metrics.overview.enrollment_progress` returns.
    target : int or None
        Target enrollment, marked with a line; None (a study without a target): no line.

    Returns
    -------
    plotly.graph_objects.Figure
        The bar, sized for a dashboard row.
    """
    data: list[dict[str, object]] = [
        {
            "type": "bar",
            "y": ["Patients"],
            "x": [row.PATIENTS],
            "name": f"{row.CATEGORY} ({row.PATIENTS})",
            "orientation": "h",
            "marker": {
                "color": PROGRESS_COLORS.get(row.CATEGORY, MUTED),
                "line": {"color": "white", "width": 1},
            },
            "text": [row.PATIENTS] if row.PATIENTS else None,
            "textposition": "inside",
            "insidetextanchor": "middle",
            "hovertemplate": f"{row.CATEGORY}: %{{x}}<extra></extra>",
        }
        for row in progress.itertuples(index=False)
    ]
    total = int(progress["PATIENTS"].sum())
    largest = max(total, target or 0)
    layout = merge(
        layout_settings(height=210),
        {
            "barmode": "stack",
            # Room for half of the first tick label ("0") under the left end of the bar: plotly would
            # otherwise widen the margin by drawing the figure twice.
            "margin": {"l": 16, "r": 20, "t": 64, "b": 50},
            # At the top of the figure, above the target's label: the bottom holds the axis and, in a
            # download, the provenance footer.
            "legend": {
                "orientation": "h",
                "yref": "container",
                "yanchor": "top",
                "y": 1.0,
                "x": 0.0,
                "traceorder": "normal",
            },
            # A tick every 2 patients reads well up to about 30; larger trials get plotly's own ticks.
            "xaxis": {
                "range": [0, largest * 1.05],
                "title": {"text": "Patients"},
                "dtick": 2 if largest <= 30 else None,
            },
            "yaxis": {"visible": False},
        },
    )
    if target is not None:
        layout["shapes"] = [vline(target, {"color": "#1f2933", "width": 2, "dash": "dot"})]
        layout["annotations"] = [
            {
                "x": target,
                "y": 1.0,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"Target {target}",
                "showarrow": False,
                "font": {"family": FONT_FAMILY, "size": 12, "color": "#1f2933"},
            }
        ]
    fig = make_figure(data, layout)
    return fig


#: Colour of the Overview's primary-endpoint curve, and of its benchmark markers.
CURVE_COLOR = "#0072B2"
BENCHMARK_COLOR = "#1f2933"
#: Marker per benchmark population, in the study file's order.
BENCHMARK_MARKERS: tuple[str, ...] = ("diamond", "square", "triangle-up", "circle")


def _steps(times: np.ndarray, surv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the corners of a right-continuous step function through ``(times, surv)``."""
    # t0 t1 t1 t2 t2 ... against s0 s0 s1 s1 s2 ...: each level held until the next time.
    return np.repeat(times, 2)[1:], np.repeat(surv, 2)[:-1]


def primary_curve_figure(curve: pd.DataFrame, benchmarks: pd.DataFrame, label: str) -> go.Figure:
    """Return a small Kaplan-Meier curve of the primary endpoint with the historical benchmark medians.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`medcare_metrics.survival.km_curve` output of one group, in months (TAIL marks the steps after
        which fewer patients than the threshold remain at risk; those are drawn faded and dotted).
    benchmarks : pandas.DataFrame
        :func:`medcare_metrics.survival.benchmark_table` in months: each median drawn at S = 0.5 with its
        confidence interval; empty: no marker.
    label : str
        The endpoint's name, on the y axis.

    Returns
    -------
    plotly.graph_objects.Figure
        A compact figure (about 300 pixels high) for the Overview.
    """
    ordered = curve.sort_values("TIME", kind="stable")
    times = ordered["TIME"].to_numpy(dtype=float)
    surv = ordered["SURV"].to_numpy(dtype=float)
    tail = ordered["TAIL"].astype(bool).to_numpy()
    # The solid part runs to the first thinly populated step; the tail continues from there, faded.
    cut = int(np.argmax(tail)) if tail.any() else len(times)
    last = float(times.max()) if len(times) else 0.0
    solid_x, solid_y = _steps(times[:cut], surv[:cut])
    tail_x, tail_y = np.empty(0), np.empty(0)
    if cut < len(times):
        steps_x, steps_y = _steps(times[cut:], surv[cut:])
        level = surv[cut - 1] if cut else surv[cut]
        tail_x, tail_y = np.r_[times[cut], steps_x], np.r_[level, steps_y]
        if cut:
            solid_x, solid_y = np.r_[solid_x, times[cut]], np.r_[solid_y, level]
    data: list[dict[str, object]] = []
    for part, xs, ys, style, opacity in (
        ("Estimate", solid_x, solid_y, {"color": CURVE_COLOR, "width": 3}, 1.0),
        ("Few at risk", tail_x, tail_y, {"color": CURVE_COLOR, "width": 2, "dash": "dot"}, 0.6),
    ):
        if not len(xs):
            continue
        # Typed arrays: the browser gets the same numbers in a fraction of the text of a list.
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "name": part,
                "line": style,
                "opacity": opacity,
                "hovertemplate": "%{x:.1f} months<br>S = %{y:.2f}<extra></extra>",
            }
        )
    for i, row in enumerate(benchmarks.itertuples(index=False)):
        data.append(
            {
                "type": "scatter",
                "x": [row.MEDIAN],
                "y": [0.5],
                "mode": "markers",
                "name": f"Benchmark: {row.POPULATION}",
                "marker": {
                    "symbol": BENCHMARK_MARKERS[i % len(BENCHMARK_MARKERS)],
                    "size": 11,
                    "color": BENCHMARK_COLOR,
                },
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [row.UPPER - row.MEDIAN],
                    "arrayminus": [row.MEDIAN - row.LOWER],
                    "color": BENCHMARK_COLOR,
                    "thickness": 1.5,
                    "width": 5,
                },
                "hovertemplate": (
                    f"{row.POPULATION}: median %{{x:.1f}} months "
                    f"({row.LOWER:.1f} to {row.UPPER:.1f})<extra></extra>"
                ),
            }
        )
    right = max([last, *benchmarks["UPPER"].astype(float).tolist()]) if not benchmarks.empty else last
    layout = merge(
        layout_settings(height=300),
        {
            # Wide enough for the tick labels and the axis title: a margin plotly has to widen is drawn twice.
            "margin": {"l": label_margin(["100%"], FONT_SIZE) + AXIS_TITLE_ROOM, "r": 20, "t": 10, "b": 50},
            # Inside the plot, top right, where a survival curve has not yet come down to: the bottom holds
            # the axis and, in a download, the provenance footer.
            "legend": {
                "x": 1.0,
                "xanchor": "right",
                "y": 1.0,
                "yanchor": "top",
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"size": 11},
            },
            "xaxis": {
                "title": {"text": "Months"},
                "range": [0, max(right, 1.0) * 1.05],
                "rangemode": "tozero",
            },
            "yaxis": {"title": {"text": label}, "range": [0, 1.03], "tickformat": ".0%"},
            "shapes": [
                {
                    "type": "line",
                    "x0": 0,
                    "x1": 1,
                    "xref": "x domain",
                    "y0": 0.5,
                    "y1": 0.5,
                    "yref": "y",
                    "line": {"color": MUTED, "width": 1, "dash": "dash"},
                }
            ],
        },
    )
    fig = make_figure(data, layout)
    return fig
