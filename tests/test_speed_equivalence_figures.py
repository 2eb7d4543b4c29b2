"""Figure builders against their former selves: the same figure, built with far fewer plotly calls.

The builders of :mod:`medcare_metrics.figures` now hand plotly whole trace dicts and one layout (validated
once) and set the dashboard's template without validating it again. The former builders are kept below as
oracles (``old_*``, as they were, docstrings left out); each new figure's JSON must equal the old one's, with
typed arrays decoded: a typed array (numpy instead of a list) holds the same numbers. The EQD2 figure
deliberately sends its points differently (typed numbers, text for patient, lesion and site, one position
per box): there the hover text of every point and the drawn values must be the same.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from medcare_metrics import enrollment as en
from medcare_metrics import lesions as les
from medcare_metrics import loading
from medcare_metrics import survival as sv
from medcare_metrics import toxicity as tox
from medcare_metrics.enrollment import ALL_CENTRES, CumulativeEnrollment, EventMaturity
from medcare_metrics.figures import enrollment as en_figs
from medcare_metrics.figures import lesions as les_figs
from medcare_metrics.figures import overview as ov_figs
from medcare_metrics.figures import style as fstyle
from medcare_metrics.figures import survival as km_figs
from medcare_metrics.figures import toxicity as tox_figs
from medcare_metrics.figures.enrollment import (
    _GAP,
    _LINE,
    _MAIN_HEIGHT,
    _MAIN_X,
    _OUTCOME_HEIGHT,
    _SIDE_X,
    _WRAP_OUTCOME,
    _WRAP_SIDE,
    BAND_50,
    BAND_95,
    _arrow,
    _box,
    _centre_color,
    _centre_label,
    _Drawing,
    _second_round,
)
from medcare_metrics.figures.lesions import (
    _HEAT_SCALE,
    COMPACT_PATIENTS,
    METHOD_COLORS,
    _in_order,
    _lesion_mdt_color,
    _mdt_color,
)
from medcare_metrics.figures.overview import (
    BENCHMARK_COLOR,
    BENCHMARK_MARKERS,
    CURVE_COLOR,
    PROGRESS_COLORS,
)
from medcare_metrics.figures.style import (
    _TRACE_TYPES,
    FONT_FAMILY,
    GRADE_COLORS,
    MDT_COLORS,
    MUTED,
    color_for,
)
from medcare_metrics.figures.survival import (
    BENCHMARK_SYMBOLS,
    COUNT_TITLES,
    INK,
    ROW_PX,
    TAIL_MODES,
    TAIL_OPACITY,
    _legend_name,
    _rgba,
    _risk_label,
)
from medcare_metrics.figures.toxicity import (
    ANY_AE_LABEL,
    _axis_label,
    _panel_title,
    _pct_axis_max,
    _row_labels,
)
from medcare_metrics.lesions import CONVENTIONAL, PSMA_ONLY, DetectionSummary
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.study import default_study
from medcare_metrics.toxicity import ALL, ToxicityCounts, group_order

EXAMPLE = Path(__file__).resolve().parents[1] / "medcare_metrics" / "example_data"


# --- The former builders (oracles) -------------------------------------------------------------------------


@functools.cache
def _old_template() -> go.layout.Template:
    base = pio.templates["simple_white"]
    defaults = base.data.to_plotly_json()
    data = {name: defaults[name] for name in _TRACE_TYPES if name in defaults}
    return go.layout.Template(layout=base.layout, data=data)


def old_enrollment_progress_figure(progress: pd.DataFrame, target: int | None) -> go.Figure:
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
    old_apply_layout(fig, height=210)
    fig.update_layout(
        barmode="stack",
        # Since the third speed round the left margin holds half a tick label, so plotly draws it once.
        margin={"l": 16, "r": 20, "t": 64, "b": 50},
        # At the top of the figure, above the target's label: the bottom holds the axis and, in a download,
        # the provenance footer.
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "top",
            "y": 1.0,
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


def old__steps(times: list[float], surv: list[float]) -> tuple[list[float], list[float]]:
    xs: list[float] = []
    ys: list[float] = []
    for i, (t, s) in enumerate(zip(times, surv, strict=True)):
        if i:
            xs.append(t)
            ys.append(ys[-1])
        xs.append(t)
        ys.append(s)
    return xs, ys


def old_primary_curve_figure(curve: pd.DataFrame, benchmarks: pd.DataFrame, label: str) -> go.Figure:
    fig = go.Figure()
    ordered = curve.sort_values("TIME", kind="stable")
    times = ordered["TIME"].astype(float).tolist()
    surv = ordered["SURV"].astype(float).tolist()
    tail = ordered["TAIL"].astype(bool).tolist()
    # The solid part runs to the first thinly populated step; the tail continues from there, faded.
    cut = next((i for i, t in enumerate(tail) if t), len(times))
    last = max(times) if times else 0.0
    solid_x, solid_y = old__steps(times[:cut], surv[:cut])
    tail_x: list[float] = []
    tail_y: list[float] = []
    if cut < len(times):
        steps_x, steps_y = old__steps(times[cut:], surv[cut:])
        level = surv[cut - 1] if cut else surv[cut]
        tail_x, tail_y = [times[cut], *steps_x], [level, *steps_y]
        if cut:
            solid_x.append(times[cut])
            solid_y.append(level)
    for part, xs, ys, style, opacity in (
        ("Estimate", solid_x, solid_y, {"color": CURVE_COLOR, "width": 3}, 1.0),
        ("Few at risk", tail_x, tail_y, {"color": CURVE_COLOR, "width": 2, "dash": "dot"}, 0.6),
    ):
        if not xs:
            continue
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=part,
                line=style,
                opacity=opacity,
                hovertemplate="%{x:.1f} months<br>S = %{y:.2f}<extra></extra>",
            )
        )
    for i, row in enumerate(benchmarks.itertuples(index=False)):
        fig.add_trace(
            go.Scatter(
                x=[row.MEDIAN],
                y=[0.5],
                mode="markers",
                name=f"Benchmark: {row.POPULATION}",
                marker={
                    "symbol": BENCHMARK_MARKERS[i % len(BENCHMARK_MARKERS)],
                    "size": 11,
                    "color": BENCHMARK_COLOR,
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [row.UPPER - row.MEDIAN],
                    "arrayminus": [row.MEDIAN - row.LOWER],
                    "color": BENCHMARK_COLOR,
                    "thickness": 1.5,
                    "width": 5,
                },
                hovertemplate=(
                    f"{row.POPULATION}: median %{{x:.1f}} months "
                    f"({row.LOWER:.1f} to {row.UPPER:.1f})<extra></extra>"
                ),
            )
        )
    right = max([last, *benchmarks["UPPER"].astype(float).tolist()]) if not benchmarks.empty else last
    old_apply_layout(fig, height=300)
    fig.update_layout(
        # Since the third speed round the left margin holds the tick labels and the axis title from the
        # start (86 px, where plotly used to widen 60 to 78 by drawing the figure a second time).
        margin={"l": 86, "r": 20, "t": 10, "b": 50},
        # Inside the plot, top right, where a survival curve has not yet come down to: the bottom holds the
        # axis and, in a download, the provenance footer.
        legend={
            "x": 1.0,
            "xanchor": "right",
            "y": 1.0,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "font": {"size": 11},
        },
        xaxis={"title": {"text": "Months"}, "range": [0, max(right, 1.0) * 1.05], "rangemode": "tozero"},
        yaxis={"title": {"text": label}, "range": [0, 1.03], "tickformat": ".0%"},
    )
    fig.add_hline(y=0.5, line={"color": MUTED, "width": 1, "dash": "dash"})
    return fig


def old_toxicity_grade_figure(
    result: ToxicityCounts, value: str = "PCT", title: str | None = None, max_rows: int = 30
) -> go.Figure:
    if value not in ("PCT", "N"):
        raise ValueError(f"value must be 'PCT' or 'N', got {value!r}")
    c = result.counts.copy()
    c["ROW"] = _row_labels(result)
    den = dict(zip(result.denominators["GROUP"], result.denominators["N"], strict=True))
    overall = result.level == "overall"
    panels = [ALL] if overall or result.by is None else group_order(den)
    # Most frequent on top: rows by patients with any grade in the group where there are most (the same
    # order for counts and percentages, and the order of grade_table(order="frequency") within a SOC).
    totals = c.groupby(["ROW", "GROUP"])["N"].sum().groupby(level="ROW").max()
    if overall:
        rows = group_order(den) if result.by is not None else [ANY_AE_LABEL]
    else:
        rows = list(totals.sort_values(ascending=False, kind="stable").index)
    left_out = max(0, len(rows) - max_rows)
    rows = rows[:max_rows]
    c = c.loc[c["ROW"].isin(rows)].copy()
    c["LABEL"] = c["ROW"].map(_axis_label)
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        shared_yaxes=True,
        horizontal_spacing=0.03,
        subplot_titles=None if panels == [ALL] else [_panel_title(g, den[g], len(panels)) for g in panels],
    )
    grades: list[tuple[int | None, str, str]] = [
        (g, lab, GRADE_COLORS.get(g, MUTED)) for g, lab in result.scale.labels
    ]
    missing = c.loc[c["GRADE"].isna()]
    if not missing.empty:
        grades.append((None, str(missing["GRADE_LABEL"].iloc[0]), MUTED))
    has_def = "DEFINITION" in c.columns
    for col, panel in enumerate(panels, start=1):
        in_panel = c if panel == ALL else c.loc[c["GROUP"] == panel]
        for grade, label, color in grades:
            sel = in_panel.loc[
                in_panel["GRADE"].isna() if grade is None else in_panel["GRADE"].eq(grade).fillna(False)
            ]
            if sel.empty:
                continue
            definition = sel["DEFINITION"].map(tox_figs._wrap) if has_def else pd.Series("", index=sel.index)
            fig.add_trace(
                go.Bar(
                    y=sel["LABEL"],
                    x=sel[value],
                    orientation="h",
                    name=label,
                    legendgroup=label,
                    marker={"color": color, "line": {"color": "white", "width": 0.5}},
                    customdata=pd.DataFrame(
                        {
                            "n": sel["N"],
                            "total": sel["N_TOTAL"],
                            "pct": sel["PCT"],
                            "group": sel["GROUP"].astype(str),
                            "definition": definition,
                            "row": sel["ROW"],
                        }
                    ).to_numpy(),
                    hovertemplate=(
                        "<b>%{customdata[5]}</b> · %{customdata[3]}<br>"
                        + label
                        + ": %{customdata[0]} of %{customdata[1]} patients (%{customdata[2]:.1f}%)"
                        + "<br>%{customdata[4]}<extra></extra>"
                    ),
                ),
                row=1,
                col=col,
            )
    # One legend entry per grade, however many panels.
    seen: set[str] = set()
    for trace in fig.data:
        trace.showlegend = trace.name not in seen
        seen.add(trace.name)
    # Room for the longest wrapped label in every row, so wrapped labels never run into each other.
    lines = max((_axis_label(str(r)).count("<br>") + 1 for r in rows), default=1)
    height = max(220, (12 + 13 * lines) * len(rows) + 150)
    old_apply_layout(fig, title=title, height=height)
    axis_title = "% of patients" if value == "PCT" else "Patients"
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    if len(panels) > 1:
        # Panel titles take the legend's usual place above the plot; a wrapped title needs one more line.
        two_lines = any("<br>" in str(a.text) for a in fig.layout.annotations)
        fig.update_layout(
            legend={"yref": "container", "y": 1.0, "yanchor": "top"},
            margin={"t": (90 if title else 70) + (15 if two_lines else 0)},
        )
    fig.update_xaxes(title_text=axis_title, rangemode="tozero", showgrid=True)
    if value == "PCT":
        # One scale for every panel, so groups compare at a glance; shorter than 100% when all bars are short.
        fig.update_xaxes(range=[0, _pct_axis_max(c.groupby(["ROW", "GROUP"])["PCT"].sum())])
    labels = [_axis_label(str(r)) for r in rows[::-1]]
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels, title_text=None)
    if left_out:
        fig.update_layout(margin={"b": 90})
        fig.add_annotation(
            x=0.0,
            y=-0.02,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            yshift=-50,
            text=f"{left_out} less frequent {'terms' if result.level == 'term' else 'SOCs'} not drawn",
            showarrow=False,
            font={"size": 11, "color": MUTED},
        )
    return fig


def old_km_figure(
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
    old_apply_layout(fig, title, height=top_px + plot_px + bottom_px)
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


def old__band(fig: go.Figure, projection: pd.DataFrame, low: str, high: str, color: str, name: str) -> None:
    fig.add_trace(
        go.Scatter(
            x=list(projection[low]) + list(projection[high])[::-1],
            y=list(projection["N"]) + list(projection["N"])[::-1],
            fill="toself",
            fillcolor=color,
            line={"width": 0},
            mode="lines",
            name=name,
            hoverinfo="skip",
        )
    )


def old_cumulative_enrollment_figure(
    cumulative: CumulativeEnrollment,
    projection: pd.DataFrame | None = None,
    centre_names: Mapping[str, str] | None = None,
    completed_on: pd.Timestamp | None = None,
    total_label: str = "All centres",
    plan_label: str = "Planned accrual",
    target_label: str = "Target",
) -> go.Figure:
    fig = go.Figure()
    if projection is not None and len(projection) > 1:
        old__band(fig, projection, "LOWER95", "UPPER95", BAND_95, "95% predictive interval")
        old__band(fig, projection, "LOWER50", "UPPER50", BAND_50, "50% predictive interval")
        fig.add_trace(
            go.Scatter(
                x=projection["MEDIAN"],
                y=projection["N"],
                mode="lines",
                line={"color": "#0072B2", "dash": "dash", "width": 1.5},
                name="Predicted (median)",
                hovertemplate="%{y} patients by %{x|%Y-%m-%d} (median)<extra></extra>",
            )
        )
    if not cumulative.plan.empty:
        fig.add_trace(
            go.Scatter(
                x=cumulative.plan["DATE"],
                y=cumulative.plan["N"],
                mode="lines",
                line={"color": MUTED, "dash": "dot", "width": 2},
                name=plan_label,
                hovertemplate="Plan: %{y:.0f} by %{x|%Y-%m-%d}<extra></extra>",
            )
        )
    sites = [s for s in cumulative.curve["SITEID"].unique() if s != ALL_CENTRES]
    for index, site in enumerate([ALL_CENTRES, *sites]):
        rows = cumulative.curve.loc[cumulative.curve["SITEID"].eq(site)]
        total = site == ALL_CENTRES
        label = _centre_label(site, centre_names, total_label)
        fig.add_trace(
            go.Scatter(
                x=rows["DATE"],
                y=rows["N"],
                mode="lines",
                line_shape="hv",
                line={
                    "color": INK if total else _centre_color(index - 1),
                    "width": 3 if total else 1.5,
                    "dash": "dash" if not total and _second_round(index - 1) else "solid",
                },
                name=label,
                hovertemplate=f"{label}: %{{y}} enrolled by %{{x|%Y-%m-%d}}<extra></extra>",
            )
        )
    if cumulative.target is not None:  # a study without a target: no target line
        fig.add_hline(y=cumulative.target, line={"color": INK, "width": 1, "dash": "dot"})
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="right",
            y=cumulative.target,
            yanchor="bottom",
            text=f"{target_label} {cumulative.target}",
            showarrow=False,
            font={"family": FONT_FAMILY, "size": 12, "color": INK},
        )
    if completed_on is not None:
        fig.add_vline(x=completed_on, line={"color": INK, "width": 1, "dash": "dash"})
        fig.add_annotation(
            x=completed_on,
            y=0,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text=f" Target reached {completed_on:%Y-%m-%d}",
            showarrow=False,
            bgcolor="rgba(255, 255, 255, 0.85)",
            font={"family": FONT_FAMILY, "size": 12, "color": INK},
        )
    old_apply_layout(fig, height=440)
    fig.update_layout(xaxis_title=None, yaxis_title="Patients enrolled", yaxis_rangemode="tozero")
    return fig


def old_enrollment_by_month_figure(
    by_month: pd.DataFrame, centre_names: Mapping[str, str] | None = None
) -> go.Figure:
    fig = go.Figure()
    for index, site in enumerate(sorted(by_month["SITEID"].unique())):
        rows = by_month.loc[by_month["SITEID"].eq(site)]
        label = _centre_label(site, centre_names)
        fig.add_trace(
            go.Bar(
                x=rows["MONTH"],
                y=rows["N"],
                name=label,
                marker={
                    "color": _centre_color(index),
                    "pattern": {"shape": "/" if _second_round(index) else ""},
                },
                hovertemplate=f"{label}: %{{y}} in %{{x|%b %Y}}<extra></extra>",
            )
        )
    months = by_month["MONTH"].nunique()
    # One tick a month crowds the axis of a long accrual: every 3 or 6 months instead.
    step = "M1" if months <= 18 else "M3" if months <= 48 else "M6"
    tallest = int(by_month.groupby("MONTH")["N"].sum().max()) if len(by_month) else 0
    old_apply_layout(fig, height=340)
    fig.update_layout(
        barmode="stack",
        xaxis={"title": None, "dtick": step, "tickformat": "%b\n%Y"},
        yaxis={"title": "Patients enrolled", "dtick": 1 if tallest <= 10 else None, "tickformat": "d"},
        bargap=0.15,
    )
    return fig


def old_screening_funnel_figure(funnel: pd.DataFrame, reasons: pd.DataFrame | None = None) -> go.Figure:
    drawing = _Drawing()
    by_stage: dict[str, list[str]] = {}
    if reasons is not None:
        for label, stage, n in zip(reasons["LABEL"], reasons["STAGE"], reasons["N"], strict=True):
            lines = en_figs._wrap(f"{label} ({n})", _WRAP_SIDE, indent="   ")
            by_stage.setdefault(stage, []).extend(["• " + lines[0], *lines[1:]])
    main_mid = sum(_MAIN_X) / 2
    y = 0.0
    previous_bottom: float | None = None
    outcomes: list[tuple[str, int]] = []
    for stage, label, n, kind in zip(
        funnel["STAGE"], funnel["LABEL"], funnel["N"], funnel["KIND"], strict=True
    ):
        if kind == "outcome":
            outcomes.append((label, int(n)))
            continue
        if kind == "main":
            lines = [f"<b>{'<br>'.join(en_figs._wrap(label, 40))}</b>", f"n = {n}"]
            _box(drawing, _MAIN_X, (y, y + _MAIN_HEIGHT), kind, lines, left=False)
            if previous_bottom is not None:
                _arrow(drawing, (main_mid, previous_bottom), (main_mid, y))
            previous_bottom = y + _MAIN_HEIGHT
            y += _MAIN_HEIGHT + _GAP
            continue
        lines = [f"<b>{en_figs._wrap(label, 60)[0]}</b> (n = {n})", *by_stage.get(stage, [])]
        height = 14 + _LINE * len(lines)
        _box(drawing, _SIDE_X, (y, y + height), kind, lines, left=True)
        _arrow(drawing, (main_mid, y + height / 2), (_SIDE_X[0], y + height / 2))
        y += height + _GAP
    if outcomes and previous_bottom is not None:
        count = len(outcomes)
        width = 0.96 / count
        bus = y - _GAP / 2
        drawing.shapes.append(
            {
                "type": "line",
                "x0": main_mid,
                "x1": main_mid,
                "y0": previous_bottom,
                "y1": bus,
                "line": {"color": INK, "width": 1.2},
            }
        )
        centres = [0.02 + width * (i + 0.5) for i in range(count)]
        drawing.shapes.append(
            {
                "type": "line",
                "x0": min(centres[0], main_mid),
                "x1": max(centres[-1], main_mid),
                "y0": bus,
                "y1": bus,
                "line": {"color": INK, "width": 1.2},
            }
        )
        top = y + _GAP / 2
        for centre, (label, n) in zip(centres, outcomes, strict=True):
            x = (centre - width / 2 + 0.006, centre + width / 2 - 0.006)
            lines = [f"<b>{part}</b>" for part in en_figs._wrap(label, _WRAP_OUTCOME)] + [f"n = {n}"]
            _box(drawing, x, (top, top + _OUTCOME_HEIGHT), "outcome", lines, left=False)
            _arrow(drawing, (centre, bus), (centre, top))
        y = top + _OUTCOME_HEIGHT
    elif previous_bottom is not None:
        y = previous_bottom
    height = int(y) + 10
    fig = old_apply_layout(go.Figure(), height=height + 20)
    fig.update_layout(
        shapes=drawing.shapes,
        annotations=drawing.annotations,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        xaxis={"visible": False, "range": [0, 1], "fixedrange": True},
        yaxis={"visible": False, "range": [height, -2], "fixedrange": True},
        plot_bgcolor="white",
    )
    return fig


def old_event_maturity_figure(
    maturity: Sequence[tuple[str, EventMaturity]], events_needed: int | None = None
) -> go.Figure:
    fig = go.Figure()
    for index, (label, result) in enumerate(maturity):
        proj = result.projection
        fig.add_trace(
            go.Scatter(
                x=proj["DATE"],
                y=proj["EXPECTED_TOTAL"],
                mode="lines",
                line={"color": color_for(index), "width": 2, "dash": "solid" if index == 0 else "dash"},
                name=label,
                hovertemplate=f"{label}: %{{y:.1f}} events expected by %{{x|%Y-%m-%d}}<extra></extra>",
            )
        )
    if maturity:
        first = maturity[0][1]
        fig.add_trace(
            go.Scatter(
                x=[first.reference],
                y=[first.events],
                mode="markers",
                marker={"color": INK, "size": 10},
                name=f"Events so far ({first.events})",
                hovertemplate="%{y} events by %{x|%Y-%m-%d}<extra></extra>",
            )
        )
        ceiling = first.events + first.at_risk + first.future
        fig.add_hline(
            y=ceiling,
            line={"color": MUTED, "width": 1, "dash": "dot"},
            annotation_text=f"Ceiling: every patient has an event ({ceiling})",
            annotation_position="bottom left",
        )
        fig.update_yaxes(range=[0, ceiling * 1.08 + 0.5])
    if events_needed:
        fig.add_hline(
            y=events_needed,
            line={"color": INK, "width": 1.5, "dash": "dot"},
            annotation_text=f"{events_needed} events needed",
            annotation_position="top left",
        )
    old_apply_layout(fig, height=420)
    # Room above the plot for a legend of up to three rows; plotly does not always reserve it by itself.
    fig.update_layout(
        xaxis_title=None,
        yaxis_title="Events (expected)",
        yaxis_rangemode="tozero",
        margin={"t": 80},
    )
    return fig


def old_lesion_count_figure(
    distribution: pd.DataFrame,
    title: str | None = None,
    max_lesions: int = 3,
    limit_label: str | None = None,
) -> go.Figure:
    cats = [str(c) for c in distribution["N_LESIONS_CAT"].cat.categories] if len(distribution) else []
    fig = go.Figure()
    for mdt in _in_order(distribution["MDTTYPE"], default_study().mdt_types):
        rows = distribution.loc[distribution["MDTTYPE"] == mdt]
        fig.add_trace(
            go.Bar(
                x=rows["N_LESIONS_CAT"].astype(str),
                y=rows["N_PATIENTS"],
                name=str(mdt),
                marker={"color": _mdt_color(str(mdt))},
                hovertemplate="%{x} lesions: %{y} patients<extra>" + str(mdt) + "</extra>",
            )
        )
    over = f">{max_lesions}"
    if over in cats:
        at = cats.index(over)
        fig.add_vrect(
            x0=at - 0.5,
            x1=at + 0.5,
            fillcolor=MUTED,
            opacity=0.15,
            line_width=0,
            layer="below",
            annotation_text=limit_label or f"more than {max_lesions}",
            annotation_position="top left",
        )
    totals = distribution.groupby("N_LESIONS_CAT", observed=True)["N_PATIENTS"].sum()
    tallest = int(totals.max()) if len(totals) and pd.notna(totals.max()) else 0  # no patient: no bar
    old_apply_layout(fig, title=title, height=340)
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={
            "title": "Lesions per patient",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": cats,
        },
        # Whole patients: a tick per patient while that stays readable, plotly's own ticks beyond.
        yaxis={"title": "Patients", "rangemode": "tozero", "tickformat": "d"}
        | ({"dtick": 1} if tallest <= 10 else {}),
    )
    return fig


def old_lesion_site_figure(by_site: pd.DataFrame, title: str | None = None) -> go.Figure:
    site_level = "TULOC" in by_site.columns
    label = (by_site["TULOCCAT"] + ": " + by_site["TULOC"]) if site_level else by_site["TULOCCAT"]
    order = list(dict.fromkeys(label))
    patient_mdt = "MDTTYPE" in by_site.columns
    mdt_col = "MDTTYPE" if patient_mdt else "MDTLES"
    known = default_study().mdt_types if patient_mdt else (*default_study().mdt_lesion_types, "None")
    color = _mdt_color if patient_mdt else _lesion_mdt_color
    fig = go.Figure()
    for mdt in _in_order(by_site[mdt_col], known):
        sel = by_site[mdt_col] == mdt
        fig.add_trace(
            go.Bar(
                y=label[sel],
                x=by_site.loc[sel, "N_LESIONS"],
                orientation="h",
                name=str(mdt),
                marker={"color": color(str(mdt))},
                customdata=by_site.loc[sel, ["N_PATIENTS"]].to_numpy(),
                hovertemplate="%{y}: %{x} lesions in %{customdata[0]} patients<extra>"
                + str(mdt)
                + "</extra>",
            )
        )
    old_apply_layout(fig, title=title, height=max(260, 26 * len(order) + 140))
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": "Lesions", "rangemode": "tozero"},
        yaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
    )
    return fig


def old_detection_figure(summary: DetectionSummary, title: str | None = None) -> go.Figure:
    table = summary.by_site
    order = list(dict.fromkeys(table["TULOCCAT"]))
    fig = go.Figure()
    methods = _in_order(table["TUMETHOD"], (CONVENTIONAL, PSMA_ONLY))
    for method in methods:
        rows = table.loc[table["TUMETHOD"] == method]
        fig.add_trace(
            go.Bar(
                x=rows["TULOCCAT"],
                y=rows["N_LESIONS"],
                name=str(method),
                marker={"color": METHOD_COLORS.get(str(method), MUTED)},
                customdata=rows[["N_PATIENTS"]].to_numpy(),
                hovertemplate="%{x}: %{y} lesions in %{customdata[0]} patients<extra>"
                + str(method)
                + "</extra>",
            )
        )
    old_apply_layout(fig, title=title, height=340)
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order},
        yaxis={"title": "Lesions", "rangemode": "tozero"},
    )
    return fig


def old_patient_site_figure(
    matrix: pd.DataFrame, title: str | None = None, compact_above: int = COMPACT_PATIENTS
) -> go.Figure:
    z = matrix.to_numpy()
    top = max(int(z.max()) if z.size else 1, 1)
    patients, sites = [str(i) for i in matrix.index], [str(c) for c in matrix.columns]
    common = {
        "colorscale": _HEAT_SCALE,
        "zmin": 0,
        "zmax": top,
        "colorbar": {"title": "Lesions", "dtick": 1 if top <= 10 else None},
    }
    if len(matrix) > compact_above:
        fig = go.Figure(
            go.Heatmap(
                z=z.T,
                x=patients,
                y=sites,
                ygap=2,
                hovertemplate="%{x} · %{y}: %{z} lesions<extra></extra>",
                **common,
            )
        )
        old_apply_layout(fig, title=title, height=80 + 60 * len(sites))
        fig.update_layout(
            xaxis={
                "title": f"{len(patients)} patients (hover for the patient)",
                "type": "category",
                "showticklabels": False,
                "showgrid": False,
                "ticks": "",
            },
            yaxis={"title": None, "autorange": "reversed", "type": "category", "showgrid": False},
        )
        return fig
    text = [[str(v) if v else "" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=sites,
            y=patients,
            text=text,
            texttemplate="%{text}",
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}: %{z} lesions<extra></extra>",
            **common,
        )
    )
    old_apply_layout(fig, title=title, height=max(260, 22 * len(matrix) + 120))
    fig.update_layout(
        xaxis={"title": None, "side": "top", "showgrid": False},
        yaxis={"title": None, "autorange": "reversed", "type": "category", "showgrid": False},
    )
    return fig


def old_site_pattern_figure(patterns: pd.DataFrame, title: str | None = None) -> go.Figure:
    order = list(dict.fromkeys(patterns["PATTERN"].astype(str)))
    fig = go.Figure()
    for mdt in _in_order(patterns["MDTTYPE"], default_study().mdt_types):
        rows = patterns.loc[patterns["MDTTYPE"] == mdt]
        fig.add_trace(
            go.Bar(
                y=rows["PATTERN"],
                x=rows["N_PATIENTS"],
                orientation="h",
                name=str(mdt),
                marker={"color": _mdt_color(str(mdt))},
                customdata=rows[["PATTERN_TOTAL"]].to_numpy(),
                hovertemplate="%{y}: %{x} of %{customdata[0]} patients<extra>" + str(mdt) + "</extra>",
            )
        )
    old_apply_layout(fig, title=title, height=max(220, 28 * len(order) + 130))
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": "Patients", "rangemode": "tozero", "tickformat": "d", "showgrid": True},
        yaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
    )
    return fig


def old_eqd2_figure(doses: pd.DataFrame, alpha_beta_gy: float, title: str | None = None) -> go.Figure:
    shown = doses.loc[doses["EQD2"].notna()]
    fig = go.Figure()
    order = _in_order(shown["MDTLES"], default_study().mdt_lesion_types)
    for mdt in order:
        rows = shown.loc[shown["MDTLES"] == mdt]
        fig.add_trace(
            go.Box(
                x=rows["EQD2"],
                y=[mdt] * len(rows),
                name=str(mdt),
                orientation="h",
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                fillcolor="rgba(0,0,0,0)",
                line={"color": "rgba(0,0,0,0)"},
                marker={"color": _lesion_mdt_color(str(mdt)), "size": 9, "opacity": 0.8},
                customdata=pd.DataFrame(
                    {
                        "id": rows["USUBJID"].astype(str) + " " + rows["TULNKID"].astype(str),
                        "site": rows["TULOC"].astype(str),
                        "dose": rows["RTDOSE"],
                        "fx": rows["RTFX"].astype("Float64").astype(float),
                        "bed": rows["BED"],
                    }
                ).to_numpy(),
                hovertemplate=(
                    "%{customdata[0]} (%{customdata[1]})<br>%{customdata[2]:.1f} Gy in %{customdata[3]:.0f} "
                    "fractions<br>BED %{customdata[4]:.1f} Gy · EQD2 %{x:.1f} Gy<extra></extra>"
                ),
                showlegend=False,
            )
        )
    old_apply_layout(fig, title=title, height=max(220, 70 * len(order) + 120))
    fig.update_layout(
        xaxis={
            "title": f"EQD2 (Gy), alpha/beta = {alpha_beta_gy:g} Gy",
            "rangemode": "tozero",
            "showgrid": True,
        },
        yaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
    )
    return fig


def old_apply_layout(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        template=_old_template(),
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        hoverlabel={"font_size": 12},
    )
    return fig


# --- Comparison --------------------------------------------------------------------------------------------


def _decoded(value: Any) -> Any:
    """JSON of a figure with typed arrays ({"dtype", "bdata"}) turned back into lists of numbers."""
    if isinstance(value, dict):
        if "bdata" in value and set(value) <= {"dtype", "bdata", "shape"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                array = array.reshape([int(v) for v in str(value["shape"]).split(",")])
            return array.tolist()
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def _json(fig: go.Figure) -> Any:
    return _decoded(json.loads(fig.to_json()))


def _same(old: go.Figure, new: go.Figure) -> None:
    """The two figures (with the app's provenance footer, as the app shows them) have the same JSON."""
    footer = "MEDCARE · cut-off 2025-06-30 · filters: none · n = 18 <all>"
    assert _json(fstyle.with_provenance(new, footer)) == _json(fstyle.with_provenance(old, footer))


def _same_but_margins(old: go.Figure, new: go.Figure) -> None:
    """As :func:`_same`, the left, right and top margins aside: since the third speed round the grade
    figures size them from their labels and legend, so that plotly draws them once
    (tests/test_toxicity_figures.py checks them)."""
    old.update_layout(margin={side: new.layout.margin[side] for side in ("l", "r", "t")})
    _same(old, new)


@pytest.fixture(scope="module")
def trial() -> Any:
    return loading.load_trial(EXAMPLE).trial


# --- Style -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", [None, "A title that is long enough to be wrapped onto a second line by the footer code"]
)
def test_apply_layout_is_the_former_layout(title: str | None) -> None:
    old = old_apply_layout(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), title, 333)
    new = fstyle.apply_layout(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), title, 333)
    _same(old, new)
    assert new.layout.template.layout.plot_bgcolor == old.layout.template.layout.plot_bgcolor


def test_merge_and_unset_values_as_update_layout() -> None:
    layout = fstyle.merge(
        fstyle.layout_settings(None, 300),
        {"xaxis": {"title": None, "range": [0, 1]}, "legend": {"x": 0.5}, "margin": {"t": 5}},
    )
    fig = fstyle.make_figure([], layout)
    old = old_apply_layout(go.Figure(), None, 300)
    old.update_layout(xaxis={"title": None, "range": [0, 1]}, legend={"x": 0.5}, margin={"t": 5})
    _same(old, fig)


# --- Overview ----------------------------------------------------------------------------------------------


def _curve(tail_from: int | None, n: int = 6) -> pd.DataFrame:
    times = np.arange(n, dtype=float) * 1.5
    return pd.DataFrame(
        {
            "TIME": times[::-1],  # unsorted: the builder sorts
            "SURV": np.linspace(1.0, 0.2, n)[::-1],
            "TAIL": [tail_from is not None and i >= tail_from for i in range(n)][::-1],
        }
    )


@pytest.mark.parametrize("tail_from", [None, 0, 4])
def test_primary_curve(trial: Any, tail_from: int | None) -> None:
    benchmarks = sv.benchmark_table("NESTFS", "MONTHS")
    curve = _curve(tail_from)
    _same(
        old_primary_curve_figure(curve, benchmarks, "NEST-free (S)"),
        ov_figs.primary_curve_figure(curve, benchmarks, "NEST-free (S)"),
    )
    empty = benchmarks.iloc[0:0]
    _same(old_primary_curve_figure(curve, empty, "S"), ov_figs.primary_curve_figure(curve, empty, "S"))
    none = _curve(None).iloc[0:0]
    _same(old_primary_curve_figure(none, empty, "S"), ov_figs.primary_curve_figure(none, empty, "S"))


def test_primary_curve_example(trial: Any) -> None:
    tte = sv.time_to_event(trial.adtte, "NESTFS", trial.adsl, unit="MONTHS")
    curve = sv.km_curve(tte, sv.KMOptions(), at_risk_threshold=3)
    benchmarks = sv.benchmark_table("NESTFS", "MONTHS")
    _same(
        old_primary_curve_figure(curve, benchmarks, "S"), ov_figs.primary_curve_figure(curve, benchmarks, "S")
    )


@pytest.mark.parametrize("target", [18, None, 40])
def test_enrollment_progress(target: int | None) -> None:
    progress = pd.DataFrame(
        [("On study", 7), ("Off study", 3), ("Not in selection", 2), ("Still to enroll", 0)],
        columns=["CATEGORY", "PATIENTS"],
    )
    _same(
        old_enrollment_progress_figure(progress, target), ov_figs.enrollment_progress_figure(progress, target)
    )


# --- Toxicity ----------------------------------------------------------------------------------------------


def _tox_results(trial: Any) -> list[ToxicityCounts]:
    adae, adsl = trial.adae, trial.adsl
    return [
        tox.toxicity_by_grade(adae, adsl, level="overall"),
        tox.toxicity_by_grade(adae, adsl, level="soc"),
        tox.toxicity_by_grade(adae, adsl, level="term"),
        tox.toxicity_by_grade(adae, adsl, level="soc", by="MDTTYPE"),
        tox.toxicity_by_grade(adae, adsl, level="overall", by="MDTTYPE"),
        tox.toxicity_by_phase(adae, adsl),
        tox.toxicity_by_phase(adae, adsl, level="soc"),
        tox.toxicity_by_relationship(adae, adsl),
        tox.toxicity_by_relationship(adae, adsl, level="term"),
    ]


def test_toxicity_grade_figures(trial: Any) -> None:
    # Each level and split once, percentages and counts, a title and rows left out.
    cases = [({}, "PCT"), ({"max_rows": 3, "title": "Adverse events"}, "N")]
    for i, result in enumerate(_tox_results(trial)):
        kwargs, value = cases[i % 2]
        _same_but_margins(
            old_toxicity_grade_figure(result, value=value, **kwargs),
            tox_figs.toxicity_grade_figure(result, value=value, **kwargs),
        )


def test_toxicity_missing_grade(trial: Any) -> None:
    adae = trial.adae.copy()
    grade = next(c for c in ("AETOXGR", "ATOXGR") if c in adae.columns)
    adae.loc[adae.index[:3], grade] = None
    result = tox.toxicity_by_grade(adae, trial.adsl, level="term", by="MDTTYPE")
    _same_but_margins(old_toxicity_grade_figure(result), tox_figs.toxicity_grade_figure(result))


# --- Survival ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "tail", "show_ci", "counts", "title"),
    [
        (None, "grey", True, "N_RISK", "NEST-free survival"),
        ("MDTTYPE", "grey", True, "CUM_EVENT", None),
        ("MDTTYPE", "truncate", False, "N_RISK", "t"),
        (None, "show", True, "CUM_CENSOR", None),
    ],
)
def test_km_figure(
    trial: Any, by: str | None, tail: str, show_ci: bool, counts: str, title: str | None
) -> None:
    options = sv.KMOptions()
    tte = sv.time_to_event(trial.adtte, "NESTFS", trial.adsl, by=by, unit="MONTHS")
    curve = sv.km_curve(tte, options, at_risk_threshold=3)
    at_risk = sv.at_risk_table(tte, [0, 6, 12, 18, 24], options)
    medians = sv.km_medians(tte, options)
    for benchmarks in (sv.benchmark_table("NESTFS", "MONTHS"), None):
        args = (curve, medians, at_risk)
        kwargs = {
            "unit": "MONTHS",
            "benchmarks": benchmarks,
            "tail": tail,
            "threshold": 3,
            "show_ci": show_ci,
            "title": title,
            "counts": counts,
        }
        _same(old_km_figure(*args, **kwargs), km_figs.km_figure(*args, **kwargs))


# --- Enrollment --------------------------------------------------------------------------------------------


def test_enrollment_figures(trial: Any) -> None:
    adsl = trial.adsl
    cumulative = en.cumulative_enrollment(adsl, TrialSettings())
    band = en.accrual_projection(en.predict_accrual(30, 730.5, 0.5, 18, 400.0, "2023-01-31"))
    names = {"01": "UZ Leuven"}
    for args in (
        (cumulative,),
        (cumulative, band, names, pd.Timestamp("2022-03-10")),
        (cumulative, None, None, None, "Selected"),
    ):
        _same(old_cumulative_enrollment_figure(*args), en_figs.cumulative_enrollment_figure(*args))
    no_target = dataclasses.replace(cumulative, target=None)  # a study without a target
    _same(old_cumulative_enrollment_figure(no_target), en_figs.cumulative_enrollment_figure(no_target))
    by_month = en.enrollment_by_month(adsl)
    _same(
        old_enrollment_by_month_figure(by_month, names), en_figs.enrollment_by_month_figure(by_month, names)
    )
    funnel = en.screening_funnel(adsl, trial.adtte)
    reasons = en.screen_failure_reasons(adsl)
    _same(old_screening_funnel_figure(funnel, reasons), en_figs.screening_funnel_figure(funnel, reasons))
    _same(old_screening_funnel_figure(funnel), en_figs.screening_funnel_figure(funnel))
    result = en.event_maturity(trial.adtte, adsl)
    other = en.event_maturity(trial.adtte, adsl, assumed_median_months=21.0)
    for maturity, needed in (
        ([("Fitted", result)], None),
        ([("Fitted", result), ("Benchmark", other)], 12),
        ([], 5),
    ):
        _same(old_event_maturity_figure(maturity, needed), en_figs.event_maturity_figure(maturity, needed))


# --- Lesions -----------------------------------------------------------------------------------------------


def test_lesion_figures(trial: Any) -> None:
    adtu, adsl = trial.adtu, trial.adsl
    for basis in ("all", "conventional"):
        distribution = les.lesion_count_distribution(adtu, adsl, basis=basis)
        for kwargs in (
            {},
            {"max_lesions": 2, "limit_label": "polyprogression", "title": "Lesions"},
            {"max_lesions": 9},
        ):
            _same(
                old_lesion_count_figure(distribution, **kwargs),
                les_figs.lesion_count_figure(distribution, **kwargs),
            )
    for level in ("category", "site"):
        for stack in ("lesion", "patient"):
            by_site = les.lesions_by_site(adtu, adsl, level=level, stack=stack)
            _same(old_lesion_site_figure(by_site, "Sites"), les_figs.lesion_site_figure(by_site, "Sites"))
    summary = les.detection_summary(adtu, adsl)
    _same(old_detection_figure(summary), les_figs.detection_figure(summary))
    patterns = les.site_patterns(adtu, adsl)
    _same(old_site_pattern_figure(patterns), les_figs.site_pattern_figure(patterns))
    matrix = les.patient_site_matrix(adtu, adsl)
    for compact_above in (40, 3):
        _same(
            old_patient_site_figure(matrix, compact_above=compact_above),
            les_figs.patient_site_figure(matrix, compact_above=compact_above),
        )
    many = matrix * 4  # more than 10 lesions in a cell: plotly's own colour bar ticks
    _same(old_patient_site_figure(many, "Map"), les_figs.patient_site_figure(many, "Map"))


_FIELD = re.compile(r"%\{(customdata\[(\d)\]|x|text)(?::\.(\d)f)?\}")


def _hovers(trace: dict[str, Any]) -> list[str]:
    """The hover text of each point of a box trace, as plotly formats its hovertemplate."""

    def point(i: int) -> str:
        def field(match: re.Match[str]) -> str:
            name, column, digits = match.groups()
            value = (
                trace["x"][i]
                if name == "x"
                else trace["text"][i]
                if name == "text"
                else trace["customdata"][i][int(column)]
            )
            return f"{value:.{digits}f}" if digits is not None else str(value)

        return _FIELD.sub(field, trace["hovertemplate"])

    return [point(i) for i in range(len(trace["x"]))]


def _drawn(trace: dict[str, Any]) -> dict[str, Any]:
    """What a box trace draws, but its data: where (its category), and how."""
    skip = {"x", "y", "y0", "customdata", "text", "hovertemplate"}
    return {key: value for key, value in trace.items() if key not in skip}


def test_eqd2_figure_shows_the_same_points(trial: Any) -> None:
    doses = les.radiotherapy_doses(trial.adtu, trial.adsl)
    extra = doses.iloc[:2].assign(EQD2=np.nan)  # no dose: not drawn
    for frame, alpha_beta, title in (
        (doses, 1.5, None),
        (pd.concat([doses, extra]), 3.0, "EQD2"),
        (doses.iloc[0:0], 1.5, None),
    ):
        old = _json(fstyle.with_provenance(old_eqd2_figure(frame, alpha_beta, title), "footer"))
        new = _json(fstyle.with_provenance(les_figs.eqd2_figure(frame, alpha_beta, title), "footer"))
        assert new["layout"] == old["layout"]
        assert len(new["data"]) == len(old["data"])
        for before, after in zip(old["data"], new["data"], strict=True):
            assert _drawn(after) == _drawn(before)
            assert after["x"] == before["x"]
            # One box per row, at the row's category, as the row's name repeated per point put it.
            assert set(before["y"]) <= {after["y0"]} and after["y0"] == after["name"]
            assert _hovers(after) == _hovers(before)
