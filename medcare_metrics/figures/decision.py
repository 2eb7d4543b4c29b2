"""Figures of the decision-support sections: simulated final medians, and the toxicity boundary as steps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.figures.style import (
    AXIS_TITLE_ROOM,
    FONT_SIZE,
    MUTED,
    apply_layout,
    color_for,
    label_margin,
    legend_row_margin,
)


def outlook_figure(bars: pd.DataFrame, benchmarks: pd.DataFrame) -> go.Figure:
    """Draw the simulated final Kaplan-Meier medians as bars, one colour per benchmark, with its median.

    Parameters
    ----------
    bars : pandas.DataFrame
        LABEL, LOW, HIGH (months), SHARE of simulated trials (from the view).
    benchmarks : pandas.DataFrame
        LABEL, MEDIAN (months).

    Returns
    -------
    plotly.graph_objects.Figure
        Overlaid bars and a dashed vertical line at each historical median.
    """
    fig = go.Figure()
    labels = list(dict.fromkeys(benchmarks["LABEL"]))
    for index, label in enumerate(labels):
        rows = bars.loc[bars["LABEL"] == label]
        color = color_for(index)
        fig.add_bar(
            x=((rows["LOW"] + rows["HIGH"]) / 2).to_numpy(),
            y=(100 * rows["SHARE"]).to_numpy(),
            width=(rows["HIGH"] - rows["LOW"]).to_numpy(),
            name=f"Prior centred on {label}",
            marker={"color": color, "opacity": 0.55 if len(labels) > 1 else 0.8},
            hovertemplate="%{x:.1f} months: %{y:.1f}% of simulated trials<extra></extra>",
        )
        median = float(benchmarks.loc[benchmarks["LABEL"] == label, "MEDIAN"].iloc[0])
        fig.add_vline(x=median, line={"color": color, "dash": "dash", "width": 2})
        fig.add_annotation(
            x=median, y=1.0, yref="paper", text=f"{median:g}", showarrow=False, yanchor="bottom",
            font={"color": color},
        )  # fmt: skip
    fig.update_layout(barmode="overlay", bargap=0.0)
    fig.update_xaxes(title_text="Kaplan-Meier median at the final analysis (months)", rangemode="tozero")
    fig.update_yaxes(title_text="% of simulated trials", rangemode="tozero")
    return apply_layout(fig, height=320)


#: Most steps of the monitoring chart drawn with a marker at each.
MARKER_STEPS = 300


#: Height of the monitoring figure, px.
MONITORING_HEIGHT = 340


def monitoring_figure(
    boundary: pd.DataFrame, course: pd.DataFrame, crossed_at: int | None = None
) -> go.Figure:
    """Draw the stopping boundary at each n and the observed cumulative count as step lines.

    Parameters
    ----------
    boundary : pandas.DataFrame
        N, BOUNDARY (Int64; <NA> where not yet reachable).
    course : pandas.DataFrame
        N, CUM_EVENTS per treated patient.
    crossed_at : int, optional
        First n at which the count reached the boundary (marked).

    Returns
    -------
    plotly.graph_objects.Figure
        Boundary (red steps, gaps where not reachable) and observed count (dark steps); a marker at each
        step up to :data:`MARKER_STEPS` patients.
    """
    fig = go.Figure()
    # A marker per patient is one SVG element each: beyond a few hundred patients the steps alone.
    mode = "lines+markers" if max(len(boundary), len(course)) <= MARKER_STEPS else "lines"
    reachable = boundary["BOUNDARY"].notna().to_numpy()
    y = np.where(
        reachable, boundary["BOUNDARY"].astype("Float64").to_numpy(dtype=float, na_value=np.nan), np.nan
    )
    fig.add_scatter(
        x=boundary["N"].to_numpy(),
        y=y,
        mode=mode,
        line={"shape": "hv", "color": "#D55E00", "width": 2},
        marker={"size": 5},
        name="Boundary: stop at this many",
        connectgaps=False,
        hovertemplate="n = %{x}: stop at %{y}<extra></extra>",
    )
    if len(course):
        fig.add_scatter(
            x=course["N"].to_numpy(),
            y=course["CUM_EVENTS"].to_numpy(),
            mode=mode,
            line={"shape": "hv", "color": "#000000", "width": 2},
            marker={"size": 6},
            name="Patients with the event",
            hovertemplate="first %{x} treated: %{y} with the event<extra></extra>",
        )
    if crossed_at is not None and len(course):
        hit = course.loc[course["N"] == crossed_at]
        fig.add_scatter(
            x=hit["N"].to_numpy(),
            y=hit["CUM_EVENTS"].to_numpy(),
            mode="markers",
            marker={"size": 14, "symbol": "x", "color": "#D55E00"},
            name="Boundary crossed",
        )
    n_max = int(max(boundary["N"].max() if len(boundary) else 1, course["N"].max() if len(course) else 1))
    top = np.nanmax(np.append(y, course["CUM_EVENTS"].to_numpy(dtype=float) if len(course) else 0.0))
    fig.update_xaxes(
        title_text="Patients treated (in order of MDT start)",
        range=[0.5, n_max + 0.5],
        dtick=1 if n_max <= 30 else None,
    )
    fig.update_yaxes(title_text="Patients with the event", range=[-0.3, float(top) + 1], gridcolor=MUTED)
    apply_layout(fig, height=MONITORING_HEIGHT)
    # Margins that hold the widest count, the axis title, the last tick label and the legend from the start:
    # plotly draws a figure twice when it has to widen them.
    widest = "9" * len(str(int(top) + 1))
    return fig.update_layout(
        margin={
            "l": max(60, label_margin([widest], FONT_SIZE) + AXIS_TITLE_ROOM),
            "r": 28,
            "t": legend_row_margin(MONITORING_HEIGHT, fig.layout.margin.b),
        }
    )
