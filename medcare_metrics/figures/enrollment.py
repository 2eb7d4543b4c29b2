"""Figures of the enrollment page: cumulative enrollment, enrollment per month, screening funnel, maturity."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.enrollment import ALL_CENTRES, CumulativeEnrollment, EventMaturity
from medcare_metrics.figures.style import (
    CATEGORICAL,
    FONT_FAMILY,
    MUTED,
    color_for,
    hline,
    layout_settings,
    make_figure,
    merge,
    vline,
)

INK = "#1f2933"
#: Colour of each kind of funnel box.
FUNNEL_COLORS: dict[str, str] = {"main": "#0072B2", "excluded": MUTED, "outcome": "#009E73"}
#: Fill of the 95% and 50% predictive bands.
BAND_95 = "rgba(0, 114, 178, 0.12)"
BAND_50 = "rgba(0, 114, 178, 0.28)"


#: Centre colours: the categorical palette without black, which marks "All centres".
CENTRE_COLORS: tuple[str, ...] = tuple(c for c in CATEGORICAL if c.lower() != INK and c != "#000000")


def _centre_color(index: int) -> str:
    return CENTRE_COLORS[index % len(CENTRE_COLORS)]


def _second_round(index: int) -> bool:
    """Return True once the colours repeat: those centres get a dashed line or a hatched bar."""
    return (index // len(CENTRE_COLORS)) % 2 == 1


def _centre_label(site: str, names: Mapping[str, str] | None, total: str = "All centres") -> str:
    if site == ALL_CENTRES:
        return total
    name = (names or {}).get(site)
    return f"{name} ({site})" if name and name != site else f"Centre {site}"


def _band(projection: pd.DataFrame, low: str, high: str, color: str, name: str) -> dict[str, object]:
    return {
        "type": "scatter",
        "x": list(projection[low]) + list(projection[high])[::-1],
        "y": list(projection["N"]) + list(projection["N"])[::-1],
        "fill": "toself",
        "fillcolor": color,
        "line": {"width": 0},
        "mode": "lines",
        "name": name,
        "hoverinfo": "skip",
    }


def cumulative_enrollment_figure(
    cumulative: CumulativeEnrollment,
    projection: pd.DataFrame | None = None,
    centre_names: Mapping[str, str] | None = None,
    completed_on: pd.Timestamp | None = None,
    total_label: str = "All centres",
    plan_label: str = "Planned accrual",
    target_label: str = "Target",
) -> go.Figure:
    """Return cumulative enrollment over time against the target, per centre, with an optional projection.

    Parameters
    ----------
    cumulative : CumulativeEnrollment
        From :func:`medcare_metrics.enrollment.cumulative_enrollment`.
    projection : pandas.DataFrame, optional
        From :func:`medcare_metrics.enrollment.accrual_projection`: the predictive median and the 50% and 95%
        bands of the date each further patient is enrolled.
    centre_names : mapping, optional
        SITEID -> centre name for the legend.
    completed_on : pandas.Timestamp, optional
        Date the target was reached, marked by a vertical line.
    total_label : str
        Legend label of the thick total line (e.g. ``"Selected patients"`` when filters are active).
    plan_label, target_label : str
        Legend label of the planned line and the label of the target line (one centre's share of the plan).

    Returns
    -------
    plotly.graph_objects.Figure
        Step lines (all centres thick), the planned accrual line, the target and the projection band.
    """
    # Trace dicts and one layout handed to plotly at once: plotly validated the layout again on each call.
    data: list[dict[str, object]] = []
    if projection is not None and len(projection) > 1:
        data.append(_band(projection, "LOWER95", "UPPER95", BAND_95, "95% predictive interval"))
        data.append(_band(projection, "LOWER50", "UPPER50", BAND_50, "50% predictive interval"))
        data.append(
            {
                "type": "scatter",
                "x": projection["MEDIAN"].to_numpy(),
                "y": projection["N"].to_numpy(),
                "mode": "lines",
                "line": {"color": "#0072B2", "dash": "dash", "width": 1.5},
                "name": "Predicted (median)",
                "hovertemplate": "%{y} patients by %{x|%Y-%m-%d} (median)<extra></extra>",
            }
        )
    if not cumulative.plan.empty:
        data.append(
            {
                "type": "scatter",
                "x": cumulative.plan["DATE"].to_numpy(),
                "y": cumulative.plan["N"].to_numpy(),
                "mode": "lines",
                "line": {"color": MUTED, "dash": "dot", "width": 2},
                "name": plan_label,
                "hovertemplate": "Plan: %{y:.0f} by %{x|%Y-%m-%d}<extra></extra>",
            }
        )
    curve = cumulative.curve
    site_ids = curve["SITEID"].to_numpy()
    sites = [s for s in curve["SITEID"].unique() if s != ALL_CENTRES]
    for index, site in enumerate([ALL_CENTRES, *sites]):
        rows = curve.loc[site_ids == site]
        total = site == ALL_CENTRES
        label = _centre_label(site, centre_names, total_label)
        data.append(
            {
                "type": "scatter",
                "x": rows["DATE"].to_numpy(),
                "y": rows["N"].to_numpy(),
                "mode": "lines",
                "line": {
                    "shape": "hv",
                    "color": INK if total else _centre_color(index - 1),
                    "width": 3 if total else 1.5,
                    "dash": "dash" if not total and _second_round(index - 1) else "solid",
                },
                "name": label,
                "hovertemplate": f"{label}: %{{y}} enrolled by %{{x|%Y-%m-%d}}<extra></extra>",
            }
        )
    shapes: list[dict[str, object]] = []
    annotations: list[dict[str, object]] = []
    if cumulative.target is not None:  # a study without a target: no target line
        shapes.append(hline(cumulative.target, {"color": INK, "width": 1, "dash": "dot"}))
        annotations.append(
            {
                "x": 1.0,
                "xref": "paper",
                "xanchor": "right",
                "y": cumulative.target,
                "yanchor": "bottom",
                "text": f"{target_label} {cumulative.target}",
                "showarrow": False,
                "font": {"family": FONT_FAMILY, "size": 12, "color": INK},
            }
        )
    if completed_on is not None:
        shapes.append(vline(completed_on, {"color": INK, "width": 1, "dash": "dash"}))
        annotations.append(
            {
                "x": completed_on,
                "y": 0,
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "text": f" Target reached {completed_on:%Y-%m-%d}",
                "showarrow": False,
                "bgcolor": "rgba(255, 255, 255, 0.85)",
                "font": {"family": FONT_FAMILY, "size": 12, "color": INK},
            }
        )
    layout = merge(
        layout_settings(height=440),
        {
            "xaxis": {"title": None},
            "yaxis": {"title": {"text": "Patients enrolled"}, "rangemode": "tozero"},
        },
    )
    if shapes:
        layout["shapes"] = shapes
        layout["annotations"] = annotations
    fig = make_figure(data, layout)
    return fig


def enrollment_by_month_figure(
    by_month: pd.DataFrame, centre_names: Mapping[str, str] | None = None
) -> go.Figure:
    """Return stacked bars of patients enrolled per month, coloured by centre.

    Parameters
    ----------
    by_month : pandas.DataFrame
        Columns MONTH, SITEID, N, from :func:`medcare_metrics.enrollment.enrollment_by_month`.
    centre_names : mapping, optional
        SITEID -> centre name for the legend.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per month, one colour per centre.
    """
    data: list[dict[str, object]] = []
    site_ids = by_month["SITEID"].to_numpy()
    for index, site in enumerate(sorted(by_month["SITEID"].unique())):
        rows = by_month.loc[site_ids == site]
        label = _centre_label(site, centre_names)
        data.append(
            {
                "type": "bar",
                "x": rows["MONTH"].to_numpy(),
                "y": rows["N"].to_numpy(),
                "name": label,
                "marker": {
                    "color": _centre_color(index),
                    "pattern": {"shape": "/" if _second_round(index) else ""},
                },
                "hovertemplate": f"{label}: %{{y}} in %{{x|%b %Y}}<extra></extra>",
            }
        )
    months = by_month["MONTH"].nunique()
    # One tick a month crowds the axis of a long accrual: every 3 or 6 months instead.
    step = "M1" if months <= 18 else "M3" if months <= 48 else "M6"
    tallest = int(by_month.groupby("MONTH")["N"].sum().max()) if len(by_month) else 0
    layout = merge(
        layout_settings(height=340),
        {
            "barmode": "stack",
            "xaxis": {"title": None, "dtick": step, "tickformat": "%b\n%Y"},
            "yaxis": {"title": "Patients enrolled", "dtick": 1 if tallest <= 10 else None, "tickformat": "d"},
            "bargap": 0.15,
        },
    )
    fig = make_figure(data, layout)
    return fig


#: Fill of each kind of funnel box (the border takes the FUNNEL_COLORS colour).
FUNNEL_FILLS: dict[str, str] = {"main": "#e6f0f8", "excluded": "#f3f4f6", "outcome": "#e5f5ef"}
#: Box geometry of the flow diagram, in pixels (y) and fractions of the width (x).
_MAIN_X = (0.06, 0.46)
_SIDE_X = (0.54, 0.98)
_MAIN_HEIGHT = 46
_GAP = 22
_LINE = 17
_OUTCOME_HEIGHT = 62
_WRAP_SIDE = 52
_WRAP_OUTCOME = 22


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines = textwrap.wrap(text, width=width, subsequent_indent=indent) or [""]
    # Plotly reads "<" as the start of a tag: criteria such as "testosterone < 50 ng/dL" need entities.
    return [line.replace("<", "&lt;").replace(">", "&gt;") for line in lines]


def _box(
    layout: _Drawing, x: tuple[float, float], y: tuple[float, float], kind: str, lines: list[str], left: bool
) -> None:
    layout.shapes.append(
        {
            "type": "rect",
            "x0": x[0],
            "x1": x[1],
            "y0": y[0],
            "y1": y[1],
            "line": {"color": FUNNEL_COLORS.get(kind, MUTED), "width": 1.5},
            "fillcolor": FUNNEL_FILLS.get(kind, "#ffffff"),
            "layer": "below",
        }
    )
    layout.annotations.append(
        {
            "x": x[0] + 0.012 if left else (x[0] + x[1]) / 2,
            "y": (y[0] + y[1]) / 2,
            "xanchor": "left" if left else "center",
            "yanchor": "middle",
            "align": "left" if left else "center",
            "text": "<br>".join(lines),
            "showarrow": False,
            "font": {"family": FONT_FAMILY, "size": 12, "color": INK},
        }
    )


def _arrow(layout: _Drawing, start: tuple[float, float], end: tuple[float, float]) -> None:
    layout.annotations.append(
        {
            "x": end[0],
            "y": end[1],
            "ax": start[0],
            "ay": start[1],
            "xref": "x",
            "yref": "y",
            "axref": "x",
            "ayref": "y",
            "text": "",
            "showarrow": True,
            "arrowhead": 2,
            "arrowsize": 1.2,
            "arrowwidth": 1.2,
            "arrowcolor": INK,
        }
    )


@dataclass
class _Drawing:
    # Given to plotly at once: one by one, plotly validated the whole layout again for each shape (a third
    # of a second for the flow diagram at 10,000 patients).

    shapes: list[dict[str, object]] = field(default_factory=list)
    annotations: list[dict[str, object]] = field(default_factory=list)


def screening_funnel_figure(funnel: pd.DataFrame, reasons: pd.DataFrame | None = None) -> go.Figure:
    """Return the CONSORT-style flow diagram from screening to the patients' current status.

    The main path (screened, eligible, enrolled, MDT received) runs down the left; each exit (not eligible,
    eligible but not enrolled, enrolled without MDT) sits to its right between the two steps it separates,
    listing the screen-failure reasons that belong to it; the outcome boxes share the bottom row.

    Parameters
    ----------
    funnel : pandas.DataFrame
        Columns STAGE, LABEL, N, KIND, from :func:`medcare_metrics.enrollment.screening_funnel`.
    reasons : pandas.DataFrame, optional
        Columns LABEL, STAGE, N, from :func:`medcare_metrics.enrollment.screen_failure_reasons`; listed in the
        exit box of their STAGE.

    Returns
    -------
    plotly.graph_objects.Figure
        Boxes and arrows on hidden axes (x: fraction of the width, y: pixels from the top).
    """
    drawing = _Drawing()
    by_stage: dict[str, list[str]] = {}
    if reasons is not None:
        for label, stage, n in zip(reasons["LABEL"], reasons["STAGE"], reasons["N"], strict=True):
            lines = _wrap(f"{label} ({n})", _WRAP_SIDE, indent="   ")
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
            lines = [f"<b>{'<br>'.join(_wrap(label, 40))}</b>", f"n = {n}"]
            _box(drawing, _MAIN_X, (y, y + _MAIN_HEIGHT), kind, lines, left=False)
            if previous_bottom is not None:
                _arrow(drawing, (main_mid, previous_bottom), (main_mid, y))
            previous_bottom = y + _MAIN_HEIGHT
            y += _MAIN_HEIGHT + _GAP
            continue
        lines = [f"<b>{_wrap(label, 60)[0]}</b> (n = {n})", *by_stage.get(stage, [])]
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
            lines = [f"<b>{part}</b>" for part in _wrap(label, _WRAP_OUTCOME)] + [f"n = {n}"]
            _box(drawing, x, (top, top + _OUTCOME_HEIGHT), "outcome", lines, left=False)
            _arrow(drawing, (centre, bus), (centre, top))
        y = top + _OUTCOME_HEIGHT
    elif previous_bottom is not None:
        y = previous_bottom
    height = int(y) + 10
    layout = merge(
        layout_settings(height=height + 20),
        {
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "showlegend": False,
            "xaxis": {"visible": False, "range": [0, 1], "fixedrange": True},
            "yaxis": {"visible": False, "range": [height, -2], "fixedrange": True},
            "plot_bgcolor": "white",
        },
    )
    layout["shapes"] = drawing.shapes
    layout["annotations"] = drawing.annotations
    return make_figure([], layout)


def _line_note(y: object, text: str, above: bool) -> dict[str, object]:
    """Return the label at the left end of a horizontal line, as ``add_hline(annotation_text=...)`` does."""
    return {
        "showarrow": False,
        "text": text,
        "x": 0,
        "xanchor": "left",
        "xref": "x domain",
        "y": y,
        "yanchor": "bottom" if above else "top",
        "yref": "y",
    }


def event_maturity_figure(
    maturity: Sequence[tuple[str, EventMaturity]], events_needed: int | None = None
) -> go.Figure:
    """Return the expected number of events over time for one or more rate assumptions.

    Parameters
    ----------
    maturity : sequence of (str, EventMaturity)
        Label and result of :func:`medcare_metrics.enrollment.event_maturity` (same endpoint and reference).
    events_needed : int, optional
        Events needed for an analysis, drawn as a line.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per assumption, the events so far as a marker at the reference date.
    """
    data: list[dict[str, object]] = []
    for index, (label, result) in enumerate(maturity):
        proj = result.projection
        data.append(
            {
                "type": "scatter",
                "x": proj["DATE"].to_numpy(),
                "y": proj["EXPECTED_TOTAL"].to_numpy(),
                "mode": "lines",
                "line": {"color": color_for(index), "width": 2, "dash": "solid" if index == 0 else "dash"},
                "name": label,
                "hovertemplate": f"{label}: %{{y:.1f}} events expected by %{{x|%Y-%m-%d}}<extra></extra>",
            }
        )
    shapes: list[dict[str, object]] = []
    annotations: list[dict[str, object]] = []
    y_axis: dict[str, object] = {"title": {"text": "Events (expected)"}, "rangemode": "tozero"}
    if maturity:
        first = maturity[0][1]
        data.append(
            {
                "type": "scatter",
                "x": [first.reference],
                "y": [first.events],
                "mode": "markers",
                "marker": {"color": INK, "size": 10},
                "name": f"Events so far ({first.events})",
                "hovertemplate": "%{y} events by %{x|%Y-%m-%d}<extra></extra>",
            }
        )
        ceiling = first.events + first.at_risk + first.future
        shapes.append(hline(ceiling, {"color": MUTED, "width": 1, "dash": "dot"}))
        annotations.append(
            _line_note(ceiling, f"Ceiling: every patient has an event ({ceiling})", above=False)
        )
        y_axis["range"] = [0, ceiling * 1.08 + 0.5]
    if events_needed:
        shapes.append(hline(events_needed, {"color": INK, "width": 1.5, "dash": "dot"}))
        annotations.append(_line_note(events_needed, f"{events_needed} events needed", above=True))
    # Room above the plot for a legend of up to three rows; plotly does not always reserve it by itself.
    layout = merge(
        layout_settings(height=420),
        {"xaxis": {"title": None}, "yaxis": y_axis, "margin": {"t": 80}},
    )
    if shapes:
        layout["shapes"] = shapes
        layout["annotations"] = annotations
    fig = make_figure(data, layout)
    return fig
