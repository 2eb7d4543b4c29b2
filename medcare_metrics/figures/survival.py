"""Kaplan-Meier figure: step curves, censor marks, confidence band, number at risk under the time axis."""

from __future__ import annotations

import functools
import json

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from medcare_metrics.figures.style import (
    MDT_COLORS,
    MUTED,
    color_for,
    layout_settings,
    make_figure,
    merge,
    set_trusted,
)
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


@functools.cache
def _subplots_json(main: float, risk: float, spacing: float) -> str:
    # The two panels' axes (domains, shared time axis) of plotly's subplot grid, made once per shape:
    # make_subplots cost more than the curves.
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[main, risk], vertical_spacing=spacing)
    return json.dumps(fig.layout.to_plotly_json())


def _panels_layout(main: float, risk: float, spacing: float) -> dict[str, object]:
    """Return a new layout dict of the curves over the at-risk table, the template left out."""
    layout: dict[str, object] = json.loads(_subplots_json(main, risk, spacing))
    layout.pop("template", None)
    return layout


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
    layout = _panels_layout(main_px / (main_px + risk_px), risk_px / (main_px + risk_px), gap_px / plot_px)
    hover = (
        "%{x:.1f} " + unit.lower() + "<br>S = %{y:.3f}<br>at risk after: %{customdata[0]}"
        "<br>events: %{customdata[1]}, censored: %{customdata[2]}<extra>%{fullData.name}</extra>"
    )
    band_alpha = 0.15 if len(groups) <= 2 else 0.08
    colors: dict[str, str] = {}
    # Trace dicts handed to plotly at once: adding them one by one to the subplots validated the layout
    # again each time.
    data: list[dict[str, object]] = []
    top_panel = {"xaxis": "x", "yaxis": "y"}
    mark_colors: list[tuple[int, list[str]]] = []
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
            band_time = band["TIME"].to_numpy()
            data.append(
                {
                    "type": "scatter",
                    "x": band_time,
                    "y": band["UPPER"].to_numpy(),
                    "mode": "lines",
                    "line": {"width": 0, "shape": "hv"},
                    "name": "confidence band",
                    "legendgroup": group,
                    "showlegend": False,
                    "hoverinfo": "skip",
                    **top_panel,
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": band_time,
                    "y": band["LOWER"].to_numpy(),
                    "mode": "lines",
                    "line": {"width": 0, "shape": "hv"},
                    "fill": "tonexty",
                    "fillcolor": _rgba(color, band_alpha),
                    "name": "confidence band",
                    "legendgroup": group,
                    "showlegend": False,
                    "hoverinfo": "skip",
                    **top_panel,
                }
            )
        data.append(
            {
                "type": "scatter",
                "x": main["TIME"].to_numpy(),
                "y": main["SURV"].to_numpy(),
                "mode": "lines",
                "line": {"color": color, "width": 2.5, "shape": "hv"},
                "name": _legend_name(group, medians, unit),
                "legendgroup": group,
                "customdata": main[["AT_RISK_AFTER", "N_EVENT", "N_CENSOR"]].to_numpy(),
                "hovertemplate": hover,
                **top_panel,
            }
        )
        if tail == "grey" and len(rest) > 1:
            data.append(
                {
                    "type": "scatter",
                    "x": rest["TIME"].to_numpy(),
                    "y": rest["SURV"].to_numpy(),
                    "mode": "lines",
                    "line": {"color": color, "width": 2, "dash": "dot", "shape": "hv"},
                    "opacity": TAIL_OPACITY,
                    "name": f"fewer than {threshold} at risk",
                    "legendgroup": group,
                    "showlegend": False,
                    "customdata": rest[["AT_RISK_AFTER", "N_EVENT", "N_CENSOR"]].to_numpy(),
                    "hovertemplate": hover,
                    **top_panel,
                }
            )
        drawn = rows if tail != "truncate" else main
        censored = drawn[drawn["N_CENSOR"] > 0]
        in_tail = censored["TAIL"] & (tail == "grey")
        faded = _rgba(color, TAIL_OPACITY)
        # A colour per mark, set once the figure is made (set_trusted): plotly checks such a list one
        # colour at a time.
        mark_colors.append((len(data), [faded if t else color for t in in_tail]))
        data.append(
            {
                "type": "scatter",
                "x": censored["TIME"].to_numpy(),
                "y": censored["SURV"].to_numpy(),
                "mode": "markers",
                "marker": {
                    "symbol": "line-ns-open",
                    "size": 11,
                    "line": {"width": 2},
                },
                "name": "censored",
                "legendgroup": group,
                "showlegend": False,
                "customdata": censored[["N_CENSOR"]].to_numpy(),
                "hovertemplate": "%{x:.1f} " + unit.lower() + ": %{customdata[0]} censored<extra></extra>",
                **top_panel,
            }
        )
        risk = at_risk[at_risk["GROUP"] == group]
        data.append(
            {
                "type": "scatter",
                "x": risk["TIME"].to_numpy(),
                "y": [group] * len(risk),
                "mode": "text",
                "text": risk[counts].astype(int).astype(str).to_numpy(),
                "textfont": {"color": INK, "size": 12},
                "name": COUNT_TITLES[counts].lower(),
                "showlegend": False,
                "hoverinfo": "skip",
                "xaxis": "x2",
                "yaxis": "y2",
            }
        )
    longest = float(curve["TIME"].max()) if len(curve) else 0.0
    if benchmarks is not None and not benchmarks.empty:
        for j, b in enumerate(benchmarks.itertuples(index=False)):
            y = 0.5 + 0.03 * (j - (len(benchmarks) - 1) / 2)
            symbol = BENCHMARK_SYMBOLS[j % len(BENCHMARK_SYMBOLS)]
            data.append(
                {
                    "type": "scatter",
                    "x": [b.LOWER, b.MEDIAN, b.UPPER],
                    "y": [y, y, y],
                    "mode": "lines+markers",
                    "line": {"color": INK, "width": 1.5},
                    "marker": {
                        "symbol": ["line-ns", symbol, "line-ns"],
                        "size": 10,
                        "color": INK,
                        "line": {"color": INK, "width": 1.5},
                    },
                    "name": (
                        f"Benchmark, {b.POPULATION}: median {b.MEDIAN:.1f} {unit.lower()} "
                        f"(95% CI {b.LOWER:.1f} to {b.UPPER:.1f})"
                    ),
                    "hovertemplate": f"{b.SOURCE}<extra>benchmark</extra>",
                    **top_panel,
                }
            )
            longest = max(longest, float(b.UPPER))
    ticks = sorted(pd.unique(at_risk["TIME"]))
    longest = max(longest, float(ticks[-1]) if ticks else 0.0)
    x_range = [-0.02 * longest, longest * 1.03] if longest > 0 else [0, 1]
    merge(
        layout,
        layout_settings(title, height=top_px + plot_px + bottom_px),
        {
            "shapes": [
                {
                    "type": "line",
                    "x0": 0,
                    "x1": 1,
                    "xref": "x domain",
                    "y0": 0.5,
                    "y1": 0.5,
                    "yref": "y",
                    "line": {"color": MUTED, "width": 1, "dash": "dot"},
                }
            ],
            "yaxis": {"title": {"text": "Survival probability"}, "range": [0, 1.03], "tickformat": ".0%"},
            "yaxis2": {
                "tickmode": "array",
                "tickvals": groups,
                "ticktext": [_risk_label(g, colors[g]) for g in groups],
                "categoryorder": "array",
                "categoryarray": groups[::-1],
                "range": [-0.6, len(groups) - 0.4],
                "showgrid": False,
                "showline": False,
                "ticks": "",
            },
            "xaxis": {"tickvals": ticks, "range": x_range},
            "xaxis2": {"tickvals": ticks, "range": x_range, "title": {"text": f"Time ({unit.lower()})"}},
            "annotations": [
                {
                    "text": f"<b>{COUNT_TITLES[counts]}</b>",
                    "xref": "paper",
                    "yref": "y2 domain",
                    "x": 0,
                    "y": 1,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "yshift": 4,
                    "showarrow": False,
                    "font": {"size": 13, "color": INK},
                }
            ],
            "legend": {"orientation": "h", "yanchor": "top", "y": -(60 / plot_px), "x": 0.0},
            "margin": {"t": top_px, "b": bottom_px},
        },
    )
    fig = make_figure(data, layout)
    for index, marks in mark_colors:
        marker = fig.data[index].marker
        set_trusted(marker.line, color=marks)
        set_trusted(marker, color=list(marks))
    return fig


def _risk_label(group: str, color: str) -> str:
    """Tick label of a row of the at-risk table: a square in the curve's colour, then the group."""
    name = "All patients" if group == "ALL" else group
    return f'<span style="color:{color}">■</span> {name}'
