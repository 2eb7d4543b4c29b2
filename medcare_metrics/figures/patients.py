"""Figures of the patients page: swimmer plot, PSA waterfall, one patient's timeline and PSA trajectory."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.figures.style import FONT_FAMILY, GRADE_COLORS, MDT_COLORS, MUTED, apply_layout

#: Marker style per swimmer event (symbol, colour, size); symbols differ so the plot reads without colour.
EVENT_MARKERS: dict[str, tuple[str, str, int]] = {
    "MDT": ("diamond", "#000000", 9),
    "Progression": ("triangle-up", "#D55E00", 11),
    "NEST start": ("square", "#CC79A7", 10),
    "Death": ("x-thin-open", "#000000", 12),
    "Censored": ("line-ns-open", "#000000", 14),
    "Ongoing": ("arrow-right", "#000000", 12),
}
#: Colour of the PCWG3 line and of patients without an MDT type.
REFERENCE_COLOR = "#1f2933"


def _mdt_color(mdt: str) -> str:
    return MDT_COLORS.get(mdt, MUTED)


def _mdt_groups(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Split ``frame`` by MDT in MDT_COLORS order (others after): legends read the same everywhere."""
    present = [str(m) for m in frame["MDT"].drop_duplicates()]
    order = [m for m in MDT_COLORS if m in present] + sorted(m for m in present if m not in MDT_COLORS)
    return [(m, frame.loc[frame["MDT"].astype(str).eq(m)]) for m in order]


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def swimmer_figure(data: pd.DataFrame, events: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Return a swimmer plot: a bar per patient from registration to last contact, with event markers.

    Parameters
    ----------
    data : pandas.DataFrame
        As :func:`medcare_metrics.patients.swimmer_data` returns (USUBJID, MDT, FOLLOWUP_MONTHS, STATUS,
        ORDER, ...); ORDER 1 is drawn at the top.
    events : pandas.DataFrame
        As :func:`medcare_metrics.patients.swimmer_events` returns (USUBJID, EVENT, DATE, MONTHS, DETAIL).
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars coloured by MDT type; markers for MDT, progression, NEST start, death, censoring and an arrow for
        follow-up still ongoing.
    """
    ordered = data.sort_values("ORDER")
    fig = go.Figure()
    for mdt, rows in _mdt_groups(ordered):
        fig.add_trace(
            go.Bar(
                y=rows["USUBJID"],
                x=rows["FOLLOWUP_MONTHS"],
                orientation="h",
                name=str(mdt),
                legendgroup="mdt",
                legendgrouptitle_text="MDT type",
                marker={"color": _mdt_color(str(mdt)), "line": {"width": 0}},
                width=0.6,
                customdata=pd.DataFrame(
                    {
                        "status": rows["STATUS"],
                        "start": rows["START"].dt.strftime("%Y-%m-%d"),
                        "end": rows["END"].dt.strftime("%Y-%m-%d"),
                    }
                ).to_numpy(),
                hovertemplate=(
                    "%{y}<br>Follow-up %{x:.1f} months<br>%{customdata[1]} to %{customdata[2]}"
                    "<br>%{customdata[0]}<extra>" + str(mdt) + "</extra>"
                ),
            )
        )
    for event, (symbol, color, size) in EVENT_MARKERS.items():
        rows = events.loc[events["EVENT"].eq(event)]
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                y=rows["USUBJID"],
                x=rows["MONTHS"],
                mode="markers",
                name=event,
                legendgroup="events",
                legendgrouptitle_text="Events",
                marker={"symbol": symbol, "color": color, "size": size, "line": {"color": color, "width": 2}},
                customdata=pd.DataFrame(
                    {"date": rows["DATE"].dt.strftime("%Y-%m-%d"), "detail": _text(rows["DETAIL"])}
                ).to_numpy(),
                hovertemplate=(
                    "%{y}: "
                    + event
                    + "<br>%{customdata[0]} (month %{x:.1f})<br>%{customdata[1]}<extra></extra>"
                ),
            )
        )
    height = max(260, 26 * len(ordered) + 140)
    apply_layout(fig, title=title, height=height)
    fig.update_layout(
        barmode="overlay",
        xaxis={"title": "Months since registration", "rangemode": "tozero", "showgrid": True},
        yaxis={
            "title": None,
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(ordered["USUBJID"])[::-1],
        },
        legend={"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02, "groupclick": "toggleitem"},
        margin={"r": 160},
    )
    return fig


def psa_waterfall_figure(waterfall: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Return a PSA waterfall: each patient's best change from baseline, largest rise left.

    Parameters
    ----------
    waterfall : pandas.DataFrame
        As :func:`medcare_metrics.patients.psa_waterfall` returns (USUBJID, MDT, BEST_PCHG, DECLINE50, ORDER,
        ...).
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars coloured by MDT type, with the PCWG3 -50% line.
    """
    ordered = waterfall.sort_values("ORDER")
    fig = go.Figure()
    for mdt, rows in _mdt_groups(ordered):
        fig.add_trace(
            go.Bar(
                x=rows["USUBJID"],
                y=rows["BEST_PCHG"],
                name=str(mdt),
                marker={"color": _mdt_color(str(mdt))},
                customdata=pd.DataFrame(
                    {
                        "base": rows["BASE"],
                        "best": rows["BEST_AVAL"],
                        "on": rows["BEST_ADT"].dt.strftime("%Y-%m-%d"),
                    }
                ).to_numpy(),
                hovertemplate=(
                    "%{x}: %{y:+.0f}%<br>Baseline %{customdata[0]:.2f} ng/mL, "
                    "best %{customdata[1]:.2f} ng/mL on %{customdata[2]}<extra>" + str(mdt) + "</extra>"
                ),
            )
        )
    fig.add_hline(y=-50, line={"color": REFERENCE_COLOR, "width": 1.5, "dash": "dash"}, layer="above")
    # Rises sit on the left, so the label above the line there rarely covers a bar.
    fig.add_annotation(
        x=0.0,
        xref="paper",
        xanchor="left",
        y=-50,
        yanchor="bottom",
        text="PCWG3: 50% decline",
        showarrow=False,
        font={"family": FONT_FAMILY, "size": 12, "color": REFERENCE_COLOR},
    )
    apply_layout(fig, title=title, height=420)
    # Always show the full decline scale so -50% sits at the same place in every cut.
    low = min(-100.0, float(ordered["BEST_PCHG"].min())) if len(ordered) else -100.0
    high = max(20.0, float(ordered["BEST_PCHG"].max())) if len(ordered) else 20.0
    fig.update_layout(
        xaxis={
            "title": None,
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(ordered["USUBJID"]),
            "tickangle": -45,
        },
        yaxis={"title": "Best PSA change from baseline (%)", "zeroline": True, "range": [low - 5, high + 5]},
        bargap=0.15,
    )
    return fig


def patient_timeline_figure(
    events: pd.DataFrame, adverse_events: pd.DataFrame | None, title: str | None = None
) -> go.Figure:
    """Return one patient's timeline: event markers on top, each AE as a bar from onset to end, by grade.

    Parameters
    ----------
    events : pandas.DataFrame
        The patient's swimmer markers (``PatientProfile.events``: EVENT, DATE, DETAIL).
    adverse_events : pandas.DataFrame or None
        ``PatientProfile.adverse_events`` (AEDECOD, GRADE, START, END_DRAWN, ONGOING); None draws no AEs.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Dates on the x axis; ongoing AEs end with an arrow.
    """
    fig = go.Figure()
    rows_y: list[str] = ["Events"]
    for event, (symbol, color, size) in EVENT_MARKERS.items():
        rows = events.loc[events["EVENT"].eq(event)]
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=rows["DATE"],
                y=["Events"] * len(rows),
                mode="markers",
                name=event,
                legendgroup="events",
                marker={"symbol": symbol, "color": color, "size": size, "line": {"color": color, "width": 2}},
                customdata=_text(rows["DETAIL"]).to_numpy()[:, None],
                hovertemplate=event + " %{x|%Y-%m-%d}<br>%{customdata[0]}<extra></extra>",
            )
        )
    if adverse_events is not None:
        dated = adverse_events.loc[adverse_events["START"].notna()].reset_index(drop=True)
        shown_grades: set[object] = set()
        for i, ae in dated.iterrows():
            label = f"{i + 1}. {ae['AEDECOD']}"
            rows_y.append(label)
            grade = ae["GRADE"]
            known = pd.notna(grade)
            color = GRADE_COLORS.get(int(grade), MUTED) if known else MUTED
            legend = f"Grade {int(grade)}" if known else "Grade unknown"
            end_text = "ongoing" if ae["ONGOING"] else f"{ae['END_DRAWN']:%Y-%m-%d}"
            fig.add_trace(
                go.Scatter(
                    x=[ae["START"], ae["END_DRAWN"]],
                    y=[label, label],
                    mode="lines+markers",
                    name=legend,
                    legendgroup=legend,
                    showlegend=legend not in shown_grades,
                    legendrank=1000 + (int(grade) if known else 9),
                    line={"color": color, "width": 8},
                    marker={
                        "symbol": ["line-ns", "arrow-right" if ae["ONGOING"] else "line-ns"],
                        "size": 12,
                        "color": color,
                        "line": {"color": color, "width": 2},
                    },
                    hovertemplate=(
                        f"{ae['AEDECOD']} ({legend.lower()})<br>"
                        f"{ae['START']:%Y-%m-%d} to {end_text}<extra></extra>"
                    ),
                )
            )
            shown_grades.add(legend)
    apply_layout(fig, title=title, height=max(240, 30 * len(rows_y) + 130))
    fig.update_layout(
        xaxis={"title": None, "type": "date", "showgrid": True},
        yaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": rows_y[::-1]},
    )
    return fig


def psa_trajectory_figure(
    psa: pd.DataFrame, events: pd.DataFrame | None = None, log_y: bool = False, title: str | None = None
) -> go.Figure:
    """Return one patient's PSA over time, baseline highlighted, with progression / NEST / MDT dates marked.

    Parameters
    ----------
    psa : pandas.DataFrame
        ``PatientProfile.psa`` (ADT, AVAL, PCHG, BASELINE).
    events : pandas.DataFrame, optional
        ``PatientProfile.events``; MDT, progression and NEST start dates are drawn as vertical lines.
    log_y : bool, default False
        Logarithmic PSA axis.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Line with markers, PSA in ng/mL.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=psa["ADT"],
            y=psa["AVAL"],
            mode="lines+markers",
            name="PSA",
            line={"color": "#0072B2", "width": 2},
            marker={"size": 7},
            customdata=psa[["PCHG"]].to_numpy(),
            hovertemplate="%{x|%Y-%m-%d}: %{y} ng/mL (%{customdata[0]:+.0f}% vs baseline)<extra></extra>",
        )
    )
    base = psa.loc[psa["BASELINE"].astype(bool)]
    if len(base):
        fig.add_trace(
            go.Scatter(
                x=base["ADT"],
                y=base["AVAL"],
                mode="markers",
                name="Baseline",
                marker={"size": 13, "symbol": "circle-open", "color": REFERENCE_COLOR, "line": {"width": 2}},
                hovertemplate="Baseline %{x|%Y-%m-%d}: %{y} ng/mL<extra></extra>",
            )
        )
    if events is not None:
        for event in ("MDT", "Progression", "NEST start"):
            _, color, _ = EVENT_MARKERS[event]
            for when in events.loc[events["EVENT"].eq(event), "DATE"]:
                fig.add_vline(x=when, line={"color": color, "width": 1, "dash": "dot"})
                # Rotated along its line, so labels of nearby dates do not overlap.
                fig.add_annotation(
                    x=when,
                    y=1.0,
                    yref="paper",
                    yanchor="top",
                    xanchor="left",
                    textangle=-90,
                    text=event,
                    showarrow=False,
                    font={"family": FONT_FAMILY, "size": 11, "color": color},
                )
    apply_layout(fig, title=title, height=360)
    fig.update_layout(
        showlegend=False,
        xaxis={"title": None, "type": "date", "showgrid": True},
        yaxis={"title": "PSA (ng/mL)", "type": "log" if log_y else "linear", "rangemode": "tozero"},
    )
    return fig
