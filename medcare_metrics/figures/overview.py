"""Figures of the overview page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.figures.style import FONT_FAMILY, MUTED, apply_layout

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
    fig = go.Figure()
    for row in progress.itertuples(index=False):
        fig.add_trace(
            go.Bar(
                y=["Patients"],
                x=[row.PATIENTS],
                name=f"{row.CATEGORY} ({row.PATIENTS})",
                orientation="h",
                marker={
                    "color": PROGRESS_COLORS.get(row.CATEGORY, MUTED),
                    "line": {"color": "white", "width": 1},
                },
                text=[row.PATIENTS] if row.PATIENTS else None,
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate=f"{row.CATEGORY}: %{{x}}<extra></extra>",
            )
        )
    total = int(progress["PATIENTS"].sum())
    if target is not None:
        fig.add_vline(x=target, line={"color": "#1f2933", "width": 2, "dash": "dot"})
        fig.add_annotation(
            x=target,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=f"Target {target}",
            showarrow=False,
            font={"family": FONT_FAMILY, "size": 12, "color": "#1f2933"},
        )
    largest = max(total, target or 0)
    apply_layout(fig, height=210)
    fig.update_layout(
        barmode="stack",
        margin={"l": 10, "r": 20, "t": 30, "b": 90},
        # Anchored to the bottom of the figure, below the axis title, whatever the bar's height.
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0.0,
            "x": 0.0,
            "traceorder": "normal",
        },
        # A tick every 2 patients reads well up to about 30; larger trials get plotly's own ticks.
        xaxis={
            "range": [0, largest * 1.05],
            "title": {"text": "Patients"},
            "dtick": 2 if largest <= 30 else None,
        },
        yaxis={"visible": False},
    )
    return fig
