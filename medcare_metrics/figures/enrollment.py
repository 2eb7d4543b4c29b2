"""Figures of the enrollment page: cumulative enrollment, enrollment per month, screening funnel, maturity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.enrollment import ALL_CENTRES, CumulativeEnrollment, EventMaturity
from medcare_metrics.figures.style import FONT_FAMILY, MUTED, apply_layout, color_for

INK = "#1f2933"
#: Colour of each kind of funnel box.
FUNNEL_COLORS: dict[str, str] = {"main": "#0072B2", "excluded": MUTED, "outcome": "#009E73"}
#: Fill of the 95% and 50% predictive bands.
BAND_95 = "rgba(0, 114, 178, 0.12)"
BAND_50 = "rgba(0, 114, 178, 0.28)"


def _centre_label(site: str, names: Mapping[str, str] | None) -> str:
    if site == ALL_CENTRES:
        return "All centres"
    name = (names or {}).get(site)
    return f"{name} ({site})" if name and name != site else f"Centre {site}"


def _band(fig: go.Figure, projection: pd.DataFrame, low: str, high: str, color: str, name: str) -> None:
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


def cumulative_enrollment_figure(
    cumulative: CumulativeEnrollment,
    projection: pd.DataFrame | None = None,
    centre_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Return cumulative enrollment over time against the target, per centre, with an optional projection.

    Parameters
    ----------
    cumulative : CumulativeEnrollment
        From :func:`medcare_metrics.enrollment.cumulative_enrollment`.
    projection : pandas.DataFrame, optional
        From :func:`medcare_metrics.accrual.accrual_projection`: the predictive median and the 50% and 95%
        bands of the date each further patient is enrolled.
    centre_names : mapping, optional
        SITEID -> centre name for the legend.

    Returns
    -------
    plotly.graph_objects.Figure
        Step lines (all centres thick), the planned accrual line, the target and the projection band.
    """
    fig = go.Figure()
    if projection is not None and len(projection) > 1:
        _band(fig, projection, "LOWER95", "UPPER95", BAND_95, "95% predictive interval")
        _band(fig, projection, "LOWER50", "UPPER50", BAND_50, "50% predictive interval")
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
                name="Planned accrual",
                hovertemplate="Plan: %{y:.0f} by %{x|%Y-%m-%d}<extra></extra>",
            )
        )
    sites = [s for s in cumulative.curve["SITEID"].unique() if s != ALL_CENTRES]
    for index, site in enumerate([ALL_CENTRES, *sites]):
        rows = cumulative.curve.loc[cumulative.curve["SITEID"].eq(site)]
        total = site == ALL_CENTRES
        label = _centre_label(site, centre_names)
        fig.add_trace(
            go.Scatter(
                x=rows["DATE"],
                y=rows["N"],
                mode="lines",
                line_shape="hv",
                line={"color": INK if total else color_for(index - 1), "width": 3 if total else 1.5},
                name=label,
                hovertemplate=f"{label}: %{{y}} enrolled by %{{x|%Y-%m-%d}}<extra></extra>",
            )
        )
    fig.add_hline(y=cumulative.target, line={"color": INK, "width": 1, "dash": "dot"})
    fig.add_annotation(
        x=1.0,
        xref="paper",
        xanchor="right",
        y=cumulative.target,
        yanchor="bottom",
        text=f"Target {cumulative.target}",
        showarrow=False,
        font={"family": FONT_FAMILY, "size": 12, "color": INK},
    )
    apply_layout(fig, height=440)
    fig.update_layout(xaxis_title=None, yaxis_title="Patients enrolled", yaxis_rangemode="tozero")
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
    fig = go.Figure()
    for index, site in enumerate(sorted(by_month["SITEID"].unique())):
        rows = by_month.loc[by_month["SITEID"].eq(site)]
        label = _centre_label(site, centre_names)
        fig.add_trace(
            go.Bar(
                x=rows["MONTH"],
                y=rows["N"],
                name=label,
                marker={"color": color_for(index)},
                hovertemplate=f"{label}: %{{y}} in %{{x|%b %Y}}<extra></extra>",
            )
        )
    apply_layout(fig, height=340)
    fig.update_layout(
        barmode="stack",
        xaxis={"title": None, "dtick": "M1", "tickformat": "%b\n%Y"},
        yaxis={"title": "Patients enrolled", "dtick": 1},
        bargap=0.15,
    )
    return fig


def screening_funnel_figure(funnel: pd.DataFrame) -> go.Figure:
    """Return the CONSORT-style funnel as horizontal bars, from screening down to the current status.

    Parameters
    ----------
    funnel : pandas.DataFrame
        Columns STAGE, LABEL, N, KIND, DEFINITION, from :func:`medcare_metrics.enrollment.screening_funnel`.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per stage, main path blue, exits grey, outcome boxes green; exits and outcomes are indented.
    """
    labels = [
        label if kind == "main" else f"{'→' if kind == 'excluded' else '·'} {label}"
        for label, kind in zip(funnel["LABEL"], funnel["KIND"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=funnel["N"],
            y=labels,
            orientation="h",
            marker={"color": [FUNNEL_COLORS.get(k, MUTED) for k in funnel["KIND"]]},
            text=funnel["N"],
            textposition="outside",
            customdata=funnel["DEFINITION"],
            hovertemplate="%{y}: %{x}<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    apply_layout(fig, height=max(260, 34 * len(funnel) + 60))
    fig.update_layout(
        yaxis={"autorange": "reversed", "title": None},
        xaxis={"title": "Subjects", "rangemode": "tozero"},
        margin={"l": 200},
    )
    return fig


def screen_failure_reasons_figure(reasons: pd.DataFrame) -> go.Figure:
    """Return horizontal bars of screen failures per eligibility criterion.

    Parameters
    ----------
    reasons : pandas.DataFrame
        Columns SCRFCRIT, KIND, CRITERION, N, from :func:`medcare_metrics.enrollment.screen_failure_reasons`.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per criterion, coloured by kind (inclusion, exclusion, other).
    """
    kinds = list(dict.fromkeys(reasons["KIND"]))
    fig = go.Figure()
    for index, kind in enumerate(kinds):
        rows = reasons.loc[reasons["KIND"].eq(kind)]
        fig.add_trace(
            go.Bar(
                x=rows["N"],
                y=rows["SCRFCRIT"],
                orientation="h",
                name=kind,
                marker={"color": color_for(index)},
                customdata=rows["CRITERION"],
                hovertemplate="%{y}: %{x}<br>%{customdata}<extra></extra>",
            )
        )
    apply_layout(fig, height=max(220, 30 * len(reasons) + 90))
    fig.update_layout(
        yaxis={
            "autorange": "reversed",
            "title": None,
            "categoryorder": "array",
            "categoryarray": reasons["SCRFCRIT"],
        },
        xaxis={"title": "Screen failures", "dtick": 1, "rangemode": "tozero"},
    )
    return fig


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
            annotation_position="bottom right",
        )
    if events_needed:
        fig.add_hline(
            y=events_needed,
            line={"color": INK, "width": 1.5, "dash": "dot"},
            annotation_text=f"{events_needed} events needed",
            annotation_position="top left",
        )
    apply_layout(fig, height=380)
    fig.update_layout(xaxis_title=None, yaxis_title="Events (expected)", yaxis_rangemode="tozero")
    return fig
