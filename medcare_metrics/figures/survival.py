"""Kaplan-Meier figure: step curves, censor marks, confidence band, number at risk under the time axis."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from medcare_metrics.figures.style import MDT_COLORS, MUTED, apply_layout, color_for

TAIL_MODES: tuple[str, ...] = ("grey", "truncate", "show")
#: Opacity of the thinly populated tail (dotted, in the group's colour so each tail stays identifiable).
TAIL_OPACITY = 0.45


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _legend_name(group: str, medians: pd.DataFrame | None, unit: str) -> str:
    if medians is None or medians.empty:
        return group
    row = medians[medians["GROUP"] == group]
    if row.empty:
        return group
    r = row.iloc[0]
    median = "not reached" if pd.isna(r["MEDIAN"]) else f"{r['MEDIAN']:.1f}"
    label = "" if group == "ALL" else f"{group}: "
    return f"{label}n = {int(r['N'])}, {int(r['EVENTS'])} events, median {median} {unit.lower()}"


def km_figure(
    curve: pd.DataFrame,
    medians: pd.DataFrame | None,
    at_risk: pd.DataFrame,
    unit: str = "MONTHS",
    benchmarks: pd.DataFrame | None = None,
    tail: str = "grey",
    threshold: int = 3,
    show_ci: bool = True,
    title: str | None = None,
) -> go.Figure:
    """Return Kaplan-Meier curves over a number-at-risk table that shares their time axis.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`medcare_metrics.survival.km_curve` output (a start row per group, TAIL marked).
    medians : pandas.DataFrame or None
        :func:`medcare_metrics.survival.km_medians` output, for the legend (n, events, median).
    at_risk : pandas.DataFrame
        :func:`medcare_metrics.survival.survival_at` output at the tick times (``extend=True``); its N_RISK is
        printed under the axis.
    unit : str
        Time unit of ``curve`` (axis title).
    benchmarks : pandas.DataFrame, optional
        :func:`medcare_metrics.survival.benchmark_table` output in ``unit``: drawn as a median marker with its
        confidence interval at S = 0.5.
    tail : {"grey", "truncate", "show"}
        How to draw steps where fewer than ``threshold`` patients remain at risk: dashed grey, not at all, or
        like the rest.
    threshold : int
        The at-risk threshold used for ``curve.TAIL`` (named in the legend).
    show_ci : bool
        Draw the pointwise confidence band.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two stacked panels: survival probability, and numbers at risk per group at the tick times.
    """
    if tail not in TAIL_MODES:
        raise ValueError(f"tail must be one of {', '.join(TAIL_MODES)}, not {tail!r}")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.8, 0.2], vertical_spacing=0.1)
    groups = list(pd.unique(curve["GROUP"]))
    hover = (
        "%{x:.1f} " + unit.lower() + "<br>S = %{y:.3f}<br>at risk after: %{customdata[0]}"
        "<br>events: %{customdata[1]}, censored: %{customdata[2]}<extra>%{fullData.name}</extra>"
    )
    for i, group in enumerate(groups):
        rows = curve[curve["GROUP"] == group].reset_index(drop=True)
        color = MDT_COLORS.get(group, color_for(i))
        tail_at = rows.index[rows["TAIL"]]
        cut = int(tail_at[0]) if tail != "show" and len(tail_at) else len(rows) - 1
        main = rows.iloc[: cut + 1]
        rest = rows.iloc[cut:]
        if show_ci:
            band = main[main["LOWER"].notna() & main["UPPER"].notna()]
            fig.add_trace(
                go.Scatter(
                    x=band["TIME"],
                    y=band["UPPER"],
                    mode="lines",
                    line={"width": 0, "shape": "hv"},
                    legendgroup=group,
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=1,
                col=1,
            )
            fig.add_trace(
                go.Scatter(
                    x=band["TIME"],
                    y=band["LOWER"],
                    mode="lines",
                    line={"width": 0, "shape": "hv"},
                    fill="tonexty",
                    fillcolor=_rgba(color, 0.15),
                    legendgroup=group,
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=1,
                col=1,
            )
        custom = main[["AT_RISK_AFTER", "N_EVENT", "N_CENSOR"]].to_numpy()
        fig.add_trace(
            go.Scatter(
                x=main["TIME"],
                y=main["SURV"],
                mode="lines",
                line={"color": color, "width": 2.5, "shape": "hv"},
                name=_legend_name(group, medians, unit),
                legendgroup=group,
                customdata=custom,
                hovertemplate=hover,
            ),
            row=1,
            col=1,
        )
        if tail == "grey" and len(rest) > 1:
            fig.add_trace(
                go.Scatter(
                    x=rest["TIME"],
                    y=rest["SURV"],
                    mode="lines",
                    line={"color": color, "width": 2, "dash": "dot", "shape": "hv"},
                    opacity=TAIL_OPACITY,
                    name=f"fewer than {threshold} at risk",
                    legendgroup=group,
                    showlegend=False,
                    customdata=rest[["AT_RISK_AFTER", "N_EVENT", "N_CENSOR"]].to_numpy(),
                    hovertemplate=hover,
                ),
                row=1,
                col=1,
            )
        drawn = rows if tail != "truncate" else main
        censored = drawn[drawn["N_CENSOR"] > 0]
        in_tail = censored["TAIL"] & (tail == "grey")
        fig.add_trace(
            go.Scatter(
                x=censored["TIME"],
                y=censored["SURV"],
                mode="markers",
                marker={
                    "symbol": "line-ns-open",
                    "size": 10,
                    "line": {"width": 2},
                    "color": [_rgba(color, TAIL_OPACITY) if t else color for t in in_tail],
                },
                name="censored",
                legendgroup=group,
                showlegend=False,
                customdata=censored[["N_CENSOR"]].to_numpy(),
                hovertemplate="%{x:.1f} " + unit.lower() + ": %{customdata[0]} censored<extra></extra>",
            ),
            row=1,
            col=1,
        )
        risk = at_risk[at_risk["GROUP"] == group]
        fig.add_trace(
            go.Scatter(
                x=risk["TIME"],
                y=[group] * len(risk),
                mode="text",
                text=risk["N_RISK"].astype(str),
                textfont={"color": color, "size": 12},
                showlegend=False,
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )
    if benchmarks is not None and not benchmarks.empty:
        for j, b in enumerate(benchmarks.itertuples(index=False)):
            y = 0.5 + 0.03 * (j - (len(benchmarks) - 1) / 2)
            fig.add_trace(
                go.Scatter(
                    x=[b.LOWER, b.MEDIAN, b.UPPER],
                    y=[y, y, y],
                    mode="lines+markers",
                    line={"color": "#1f2933", "width": 1.5},
                    marker={
                        "symbol": ["line-ns", "diamond", "line-ns"],
                        "size": [10, 10, 10],
                        "color": "#1f2933",
                    },
                    name=(
                        f"Benchmark ({b.POPULATION}): median {b.MEDIAN:.1f} ({b.LOWER:.1f} to {b.UPPER:.1f})"
                    ),
                    hovertemplate=f"{b.SOURCE}<extra>benchmark</extra>",
                ),
                row=1,
                col=1,
            )
    ticks = sorted(pd.unique(at_risk["TIME"]))
    apply_layout(fig, title, height=560 + 22 * len(groups))
    fig.add_hline(y=0.5, line={"color": MUTED, "width": 1, "dash": "dot"}, row=1, col=1)
    fig.update_yaxes(title_text="Survival probability", range=[0, 1.03], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(
        title_text="At risk",
        categoryorder="array",
        categoryarray=groups[::-1],
        range=[-0.7, len(groups) - 0.3],
        showgrid=False,
        showline=False,
        ticks="",
        row=2,
        col=1,
    )
    longest = max(float(curve["TIME"].max()) if len(curve) else 0.0, float(ticks[-1]) if ticks else 0.0)
    x_range = [-0.02 * longest, longest * 1.03] if longest > 0 else [0, 1]
    fig.update_xaxes(tickvals=ticks, range=x_range, row=1, col=1)
    fig.update_xaxes(tickvals=ticks, range=x_range, title_text=f"Time ({unit.lower()})", row=2, col=1)
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0.0},
        margin={"b": 110},
    )
    return fig
