"""Figures of the patients page: swimmer plot, PSA waterfall, one patient's timeline and PSA trajectory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.figures.style import (
    FONT_FAMILY,
    FONT_SIZE,
    GRADE_COLORS,
    MDT_COLORS,
    MUTED,
    SWIMMER_MARKERS,
    apply_layout,
    label_margin,
    text_width,
)

#: Marker style per swimmer event (symbol, colour, size); symbols differ so the plot reads without colour.
#: The colours live in style.py with the others checked for contrast.
EVENT_MARKERS: dict[str, tuple[str, str, int]] = SWIMMER_MARKERS
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


#: Width of a legend entry beside its text (symbol and gaps), and of the gap between plot and legend, px.
LEGEND_ENTRY_ROOM = 80


def _legend_room(names: list[str], least: int) -> int:
    """Right margin (px) holding a vertical legend with the entries ``names``."""
    widest = max((text_width(name, FONT_SIZE) for name in names), default=0.0)
    return max(least, round(widest) + LEGEND_ENTRY_ROOM)


#: Swimmer rows beyond which the markers are WebGL traces (``go.Scattergl``).
WEBGL_ROWS = 300


def _swimmer_scale(n_patients: int) -> tuple[int, int, float]:
    """Row height (px), tick font size and marker scale: a bar per patient stays legible from 18 to 300."""
    if n_patients <= 40:
        return 26, 12, 1.0
    if n_patients <= 100:
        return 16, 10, 0.8
    return 11, 8, 0.6


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
        follow-up still ongoing. Rows, labels and markers shrink for long lists; beyond 40 patients the time
        axis is repeated at the top.
    """
    ordered = data.sort_values("ORDER")
    n_rows = len(ordered)
    row_px, tick_size, scale = _swimmer_scale(n_rows)
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
                width=0.6 if n_rows <= 40 else 0.8,
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
    # Beyond a page of patients (the page draws SWIMMER_PAGE_SIZE at a time) markers go to WebGL: one SVG
    # element per event of thousands of patients stalls the browser.
    scatter = go.Scattergl if n_rows > WEBGL_ROWS else go.Scatter
    for event, (symbol, color, size) in EVENT_MARKERS.items():
        rows = events.loc[events["EVENT"].eq(event)]
        if rows.empty:
            continue
        fig.add_trace(
            scatter(
                y=rows["USUBJID"],
                x=rows["MONTHS"],
                mode="markers",
                name=event,
                legendgroup="events",
                legendgrouptitle_text="Events",
                marker={
                    "symbol": symbol,
                    "color": color,
                    "size": max(5, round(size * scale)),
                    "line": {"color": color, "width": 2 if scale == 1.0 else 1.5},
                },
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
    longest = max(
        float(ordered["FOLLOWUP_MONTHS"].max()) if n_rows else 0.0,
        float(events["MONTHS"].max()) if len(events) else 0.0,
        1.0,
    )
    # Room on the right for the end-of-follow-up arrows.
    x_range = [0.0, longest * 1.04]
    axis_margin = 40 if n_rows > 40 else 0
    height = max(260, row_px * n_rows + 140 + axis_margin)
    apply_layout(fig, title=title, height=height)
    fig.update_layout(
        barmode="overlay",
        xaxis={"title": "Months since registration", "range": x_range, "showgrid": True},
        yaxis={
            "title": None,
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(ordered["USUBJID"])[::-1],
            # An explicit range: autorange pads a long category axis with empty rows.
            "range": [-0.5, n_rows - 0.5],
            "tickfont": {"size": tick_size},
        },
        legend={"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02, "groupclick": "toggleitem"},
        # Margins that hold the patient identifiers and the legend from the start: plotly draws a figure
        # twice when it has to widen them.
        margin={
            "l": label_margin(ordered["USUBJID"], tick_size, least=60),
            "r": _legend_room([trace.name for trace in fig.data if trace.name], least=160),
            "t": (50 if title else 20) + axis_margin,
        },
    )
    if n_rows > 40:
        # A long list scrolls: repeat the time axis at the top so the first rows can be read.
        fig.update_layout(
            xaxis2={
                "matches": "x",
                "overlaying": "x",
                "side": "top",
                "showgrid": False,
                "title": None,
                "range": x_range,
            }
        )
        fig.add_trace(
            go.Scatter(
                x=x_range,
                y=[ordered["USUBJID"].iloc[0]] * 2,
                xaxis="x2",
                mode="markers",
                marker={"opacity": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    return fig


#: Best PSA changes above this (%) are drawn cut at it and labelled with their value.
WATERFALL_CAP = 100.0


def _many_waterfall(ordered: pd.DataFrame, title: str | None) -> go.Figure:
    """Return the waterfall of many patients: per MDT type one WebGL trace whose error bars are the bars.

    ``ordered`` is in plot order with a 0-based index (the x position). A bar is a vertical error bar from
    zero to the patient's change (cut at :data:`WATERFALL_CAP`), so the browser draws one canvas, however
    many patients.
    """
    n_bars = len(ordered)
    fig = go.Figure()
    for mdt, rows in _mdt_groups(ordered):
        color = _mdt_color(str(mdt))
        # Single precision: a percentage needs no more, and the arrays go to the browser at half the size.
        change = rows["BEST_PCHG"].clip(upper=WATERFALL_CAP).to_numpy(dtype=np.float32)
        fig.add_trace(
            go.Scattergl(
                x=rows.index.to_numpy(dtype=np.int32),
                y=change,
                mode="markers",
                name=str(mdt),
                marker={"color": color, "size": 2},
                # Bars from zero: down from a rise, up from a decline.
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.clip(-change, 0, None),
                    "arrayminus": np.clip(change, 0, None),
                    "width": 0,
                    "thickness": 1,
                    "color": color,
                },
                # Numbers as a typed array, names as text: a mixed array goes to the browser as JSON text.
                text=rows["USUBJID"].astype(str).to_numpy(),
                customdata=rows["BEST_PCHG"].to_numpy(dtype=np.float32),
                hovertemplate="%{text}: %{customdata:+.0f}%<extra>" + str(mdt) + "</extra>",
            )
        )
    fig.add_hline(y=-50, line={"color": REFERENCE_COLOR, "width": 1.5, "dash": "dash"}, layer="above")
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name="PCWG3: 50% decline",
            line={"color": REFERENCE_COLOR, "width": 1.5, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    clipped = ordered.loc[ordered["BEST_PCHG"] > WATERFALL_CAP, "BEST_PCHG"]
    if len(clipped):
        fig.add_annotation(
            x=0.0,
            xref="paper",
            xanchor="left",
            y=WATERFALL_CAP,
            yanchor="bottom",
            text=f"{len(clipped)} bars cut at +{WATERFALL_CAP:.0f}% (largest +{clipped.max():.0f}%)",
            showarrow=False,
            font={"family": FONT_FAMILY, "size": 11, "color": REFERENCE_COLOR},
        )
    apply_layout(fig, title=title, height=440)
    low = min(-100.0, float(ordered["BEST_PCHG"].min()))
    high = min(max(20.0, float(ordered["BEST_PCHG"].max())), WATERFALL_CAP)
    fig.update_layout(
        legend={"itemsizing": "constant"},  # the markers are tiny: legend symbols at their usual size
        xaxis={
            "title": f"{n_bars} patients, largest rise to largest decline",
            "range": [-0.5, n_bars - 0.5],
            "showticklabels": False,
            "ticks": "",
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "title": "Best PSA change from baseline (%)",
            "zeroline": True,
            "range": [low - 5, high + (20 if len(clipped) else 5)],
        },
    )
    if title:
        fig.update_layout(margin={"t": 80}, title={"y": 0.98, "yanchor": "top"})
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
        Bars coloured by MDT type, with the PCWG3 -50% line in the legend. Rises above +100% are cut at
        +100% and labelled with their value (beyond 40 patients, one note counts them); beyond 40 patients
        the patient labels are left out (hover names each bar). Beyond :data:`WEBGL_ROWS` patients each bar
        is a WebGL line from zero (:func:`_many_waterfall`), not an SVG element per patient.
    """
    ordered = waterfall.sort_values("ORDER")
    n_bars = len(ordered)
    if n_bars > WEBGL_ROWS:
        return _many_waterfall(ordered.reset_index(drop=True), title)
    fig = go.Figure()
    for mdt, rows in _mdt_groups(ordered):
        fig.add_trace(
            go.Bar(
                x=rows["USUBJID"],
                # Bars above the cap end at it; the label and the hover give the value.
                y=rows["BEST_PCHG"].clip(upper=WATERFALL_CAP),
                name=str(mdt),
                marker={"color": _mdt_color(str(mdt))},
                customdata=pd.DataFrame(
                    {
                        "base": rows["BASE"],
                        "best": rows["BEST_AVAL"],
                        "on": rows["BEST_ADT"].dt.strftime("%Y-%m-%d"),
                        "pchg": rows["BEST_PCHG"],
                    }
                ).to_numpy(),
                hovertemplate=(
                    "%{x}: %{customdata[3]:+.0f}%<br>Baseline %{customdata[0]:.2f} ng/mL, "
                    "best %{customdata[1]:.2f} ng/mL on %{customdata[2]}<extra>" + str(mdt) + "</extra>"
                ),
            )
        )
    fig.add_hline(y=-50, line={"color": REFERENCE_COLOR, "width": 1.5, "dash": "dash"}, layer="above")
    # The line's legend entry; a label on the plot would cover bars once there are many patients.
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name="PCWG3: 50% decline",
            line={"color": REFERENCE_COLOR, "width": 1.5, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    clipped = ordered.loc[ordered["BEST_PCHG"] > WATERFALL_CAP]
    many = n_bars > 40
    if len(clipped) and not many:
        fig.add_trace(
            go.Scatter(
                x=clipped["USUBJID"],
                y=[WATERFALL_CAP] * len(clipped),
                mode="text",
                text=[f"+{v:.0f}%" for v in clipped["BEST_PCHG"]],
                textposition="top center",
                textfont={"family": FONT_FAMILY, "size": 11, "color": REFERENCE_COLOR},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    elif len(clipped):
        # Side by side, one label per bar would overlap: one note for all of them.
        fig.add_annotation(
            x=0.0,
            xref="paper",
            xanchor="left",
            y=WATERFALL_CAP,
            yanchor="bottom",
            text=(
                f"{len(clipped)} bars cut at +{WATERFALL_CAP:.0f}% "
                f"(largest +{clipped['BEST_PCHG'].max():.0f}%)"
            ),
            showarrow=False,
            font={"family": FONT_FAMILY, "size": 11, "color": REFERENCE_COLOR},
        )
    apply_layout(fig, title=title, height=440)
    # Always show the full decline scale so -50% sits at the same place in every cut.
    low = min(-100.0, float(ordered["BEST_PCHG"].min())) if n_bars else -100.0
    top = float(ordered["BEST_PCHG"].max()) if n_bars else 20.0
    high = min(max(20.0, top), WATERFALL_CAP)
    fig.update_layout(
        xaxis={
            "title": f"{n_bars} patients, largest rise to largest decline" if many else None,
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(ordered["USUBJID"]),
            # Explicit: text labels would otherwise widen the axis with empty space.
            "range": [-0.5, n_bars - 0.5],
            "tickangle": -45,
            "showticklabels": not many,
            "ticks": "" if many else "outside",
        },
        yaxis={
            "title": "Best PSA change from baseline (%)",
            "zeroline": True,
            "range": [low - 5, high + (20 if len(clipped) else 5)],
        },
        bargap=0.02 if many else 0.15,
    )
    if title:
        # Room for the title above the legend row.
        fig.update_layout(margin={"t": 80}, title={"y": 0.98, "yanchor": "top"})
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
        xaxis={"title": None, "type": "date", "showgrid": True, "tickformat": "%Y-%m-%d"},
        yaxis={
            "title": None,
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rows_y[::-1],
            "range": [-0.5, len(rows_y) - 0.5],
        },
        # One row of legend items: grouped legends stack each group in its own column.
        legend={"traceorder": "normal"},
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
        Line with markers, PSA in ng/mL; the legend names the baseline and the dotted event lines.
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
            dates = list(events.loc[events["EVENT"].eq(event), "DATE"])
            for when in dates:
                fig.add_vline(x=when, line={"color": color, "width": 2, "dash": "dot"})
            if dates:
                # Named in the legend rather than on the plot, where labels would cover the PSA line.
                fig.add_trace(
                    go.Scatter(
                        x=[None],
                        y=[None],
                        mode="lines",
                        name=event,
                        line={"color": color, "width": 2, "dash": "dot"},
                        hoverinfo="skip",
                    )
                )
    apply_layout(fig, title=title, height=380)
    fig.update_layout(
        showlegend=True,
        xaxis={"title": None, "type": "date", "showgrid": True, "tickformat": "%Y-%m-%d"},
        yaxis={"title": "PSA (ng/mL)", "type": "log" if log_y else "linear", "rangemode": "tozero"},
    )
    return fig
