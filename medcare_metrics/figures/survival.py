"""Kaplan-Meier figure: step curves, censor marks, confidence band, number at risk under the time axis."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from medcare_metrics.figures.style import MDT_COLORS, MUTED, apply_layout, color_for
from medcare_metrics.text.survival import NOT_REACHED, format_time

TAIL_MODES: tuple[str, ...] = ("grey", "truncate", "show")
#: Heading of the table under the axis, per column of ``at_risk_table`` it can show.
COUNT_TITLES: dict[str, str] = {
    "N_RISK": "Number at risk",
    "CUM_EVENT": "Cumulative events",
    "CUM_CENSOR": "Cumulative censored",
}
#: Height in pixels of one group's row in the table under the axis.
ROW_PX = 22
#: Marker of each benchmark median, in the order of the study file's ``benchmarks`` for the endpoint.
BENCHMARK_SYMBOLS: tuple[str, ...] = ("diamond", "square", "triangle-up", "circle")
#: Dark text for numbers and benchmark markers (readable whatever the group colour).
INK = "#1f2933"
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
    median = format_time(r["MEDIAN"], unit)
    if median != NOT_REACHED:
        median += f" {unit.lower()}"
    label = "" if group == "ALL" else f"{group}: "
    events = int(r["EVENTS"])
    return f"{label}n = {int(r['N'])}, {events} event{'' if events == 1 else 's'}, median {median}"


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
    counts: str = "N_RISK",
) -> go.Figure:
    """Return Kaplan-Meier curves over a number-at-risk table that shares their time axis.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`medcare_metrics.survival.km_curve` output (a start row per group, TAIL marked).
    medians : pandas.DataFrame or None
        :func:`medcare_metrics.survival.km_medians` output, for the legend (n, events, median).
    at_risk : pandas.DataFrame
        :func:`medcare_metrics.survival.at_risk_table` output at the tick times (or ``survival_at`` with
        ``extend=True`` when ``counts`` is N_RISK); the ``counts`` column is printed under the axis.
    unit : str
        Time unit of ``curve`` (axis title).
    benchmarks : pandas.DataFrame, optional
        :func:`medcare_metrics.survival.benchmark_table` output in ``unit``: drawn as a median marker with its
        confidence interval at S = 0.5; the time axis is stretched to show them.
    tail : {"grey", "truncate", "show"}
        How to draw steps where fewer than ``threshold`` patients remain at risk: dotted and faded, not at
        all, or like the rest.
    threshold : int
        The at-risk threshold used for ``curve.TAIL``.
    show_ci : bool
        Draw the pointwise confidence band of each curve.
    title : str, optional
        Figure title.
    counts : {"N_RISK", "CUM_EVENT", "CUM_CENSOR"}
        What the table under the axis shows: patients at risk, events so far, or censored so far.

    Returns
    -------
    plotly.graph_objects.Figure
        Two stacked panels: survival probability, and the counts per group at the tick times.
    """
    if tail not in TAIL_MODES:
        raise ValueError(f"tail must be one of {', '.join(TAIL_MODES)}, not {tail!r}")
    if counts not in COUNT_TITLES:
        raise ValueError(f"counts must be one of {', '.join(COUNT_TITLES)}, not {counts!r}")
    groups = list(pd.unique(curve["GROUP"]))
    n_bench = 0 if benchmarks is None else len(benchmarks)
    # Fixed pixel heights, so the at-risk rows stay readable from 1 to 8 groups.
    main_px, gap_px = 400, 80
    risk_px = ROW_PX * max(len(groups), 1) + 16
    legend_rows = -(-(len(groups) + n_bench) // 2)
    top_px, bottom_px = (50 if title else 20), 60 + 24 * legend_rows
    plot_px = main_px + gap_px + risk_px
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[main_px / (main_px + risk_px), risk_px / (main_px + risk_px)],
        vertical_spacing=gap_px / plot_px,
    )
    hover = (
        "%{x:.1f} " + unit.lower() + "<br>S = %{y:.3f}<br>at risk after: %{customdata[0]}"
        "<br>events: %{customdata[1]}, censored: %{customdata[2]}<extra>%{fullData.name}</extra>"
    )
    band_alpha = 0.15 if len(groups) <= 2 else 0.08
    colors: dict[str, str] = {}
    for i, group in enumerate(groups):
        rows = curve[curve["GROUP"] == group].reset_index(drop=True)
        color = MDT_COLORS.get(group, color_for(i))
        colors[group] = color
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
                    name="confidence band",
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
                    fillcolor=_rgba(color, band_alpha),
                    name="confidence band",
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
                    "size": 11,
                    "line": {
                        "width": 2,
                        "color": [_rgba(color, TAIL_OPACITY) if t else color for t in in_tail],
                    },
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
                text=risk[counts].astype(int).astype(str),
                textfont={"color": INK, "size": 12},
                name=COUNT_TITLES[counts].lower(),
                showlegend=False,
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )
    longest = float(curve["TIME"].max()) if len(curve) else 0.0
    if benchmarks is not None and not benchmarks.empty:
        for j, b in enumerate(benchmarks.itertuples(index=False)):
            y = 0.5 + 0.03 * (j - (len(benchmarks) - 1) / 2)
            symbol = BENCHMARK_SYMBOLS[j % len(BENCHMARK_SYMBOLS)]
            fig.add_trace(
                go.Scatter(
                    x=[b.LOWER, b.MEDIAN, b.UPPER],
                    y=[y, y, y],
                    mode="lines+markers",
                    line={"color": INK, "width": 1.5},
                    marker={
                        "symbol": ["line-ns", symbol, "line-ns"],
                        "size": 10,
                        "color": INK,
                        "line": {"color": INK, "width": 1.5},
                    },
                    name=(
                        f"Benchmark, {b.POPULATION}: median {b.MEDIAN:.1f} {unit.lower()} "
                        f"(95% CI {b.LOWER:.1f} to {b.UPPER:.1f})"
                    ),
                    hovertemplate=f"{b.SOURCE}<extra>benchmark</extra>",
                ),
                row=1,
                col=1,
            )
            longest = max(longest, float(b.UPPER))
    ticks = sorted(pd.unique(at_risk["TIME"]))
    apply_layout(fig, title, height=top_px + plot_px + bottom_px)
    fig.add_hline(y=0.5, line={"color": MUTED, "width": 1, "dash": "dot"}, row=1, col=1)
    fig.update_yaxes(title_text="Survival probability", range=[0, 1.03], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(
        tickmode="array",
        tickvals=groups,
        ticktext=[_risk_label(g, colors[g]) for g in groups],
        categoryorder="array",
        categoryarray=groups[::-1],
        range=[-0.6, len(groups) - 0.4],
        showgrid=False,
        showline=False,
        ticks="",
        row=2,
        col=1,
    )
    longest = max(longest, float(ticks[-1]) if ticks else 0.0)
    x_range = [-0.02 * longest, longest * 1.03] if longest > 0 else [0, 1]
    fig.update_xaxes(tickvals=ticks, range=x_range, row=1, col=1)
    fig.update_xaxes(tickvals=ticks, range=x_range, title_text=f"Time ({unit.lower()})", row=2, col=1)
    fig.add_annotation(
        text=f"<b>{COUNT_TITLES[counts]}</b>",
        xref="paper",
        yref="y2 domain",
        x=0,
        y=1,
        xanchor="left",
        yanchor="bottom",
        yshift=4,
        showarrow=False,
        font={"size": 13, "color": INK},
    )
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -(60 / plot_px), "x": 0.0},
        margin={"t": top_px, "b": bottom_px},
    )
    return fig


def _risk_label(group: str, color: str) -> str:
    """Tick label of a row of the at-risk table: a square in the curve's colour, then the group."""
    name = "All patients" if group == "ALL" else group
    return f'<span style="color:{color}">■</span> {name}'
