"""Figures of the toxicity page: patients by worst grade, stacked in grade order."""

from __future__ import annotations

import functools
import json
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from medcare_metrics.figures.style import (
    FONT_SIZE,
    GRADE_COLORS,
    MUTED,
    label_margin,
    layout_settings,
    legend_row_margin,
    make_figure,
    merge,
)
from medcare_metrics.toxicity import ALL, ToxicityCounts, group_order

#: Row label of the overall level when not split.
ANY_AE_LABEL = "Any adverse event"
#: Row labels longer than this many characters are wrapped onto two or more lines.
LABEL_WIDTH = 36
#: Right margin (px): room for half of the last tick label ("100"), which sits on the plot's edge.
RIGHT_MARGIN = 28


def _wrap(text: object, width: int = 60) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return "<br>".join(textwrap.wrap(text, width))


def _row_labels(result: ToxicityCounts) -> pd.Series:
    c = result.counts
    if result.level == "term":
        return c["AEDECOD"].astype(str)
    if result.level == "soc":
        return c["AEBODSYS"].astype(str)
    return c["GROUP"].astype(str) if result.by is not None else pd.Series(ANY_AE_LABEL, index=c.index)


def _axis_label(text: str) -> str:
    """Return ``text`` wrapped for the category axis, so long SOC names do not squeeze the bars."""
    return "<br>".join(textwrap.wrap(text, LABEL_WIDTH)) or text


def _panel_title(group: str, n: int, n_panels: int) -> str:
    """Return a panel title, wrapped when the panels are too narrow for it on one line."""
    text = f"{group} (N = {n})"
    width = max(12, 80 // n_panels)  # about the characters a panel of a full-width chart holds
    return text if len(text) <= width else f"{_wrap(group, width)}<br>(N = {n})"


def _pct_axis_max(totals: pd.Series) -> float:
    """Return the upper end of a percentage axis: 100, or less when every bar is short (rare events)."""
    top = float(totals.max()) if len(totals) else 0.0
    if top >= 50.0 or top <= 0.0:
        return 100.0
    step = 5.0 if top <= 20.0 else 10.0
    return min(100.0, step * np.ceil(top * 1.1 / step))


@functools.cache
def _subplots_json(n_panels: int, titled: bool) -> str:
    # The axes (domains, shared y axis) and title annotations of plotly's subplot grid, made once per
    # shape: make_subplots cost more than the bars.
    fig = make_subplots(
        rows=1,
        cols=n_panels,
        shared_yaxes=True,
        horizontal_spacing=0.03,
        subplot_titles=[f"{i}" for i in range(n_panels)] if titled else None,
    )
    return json.dumps(fig.layout.to_plotly_json())


def _panels_layout(n_panels: int, titled: bool) -> dict[str, Any]:
    """Return a new layout dict of ``n_panels`` side by side sharing the y axis (titles to fill in)."""
    layout: dict[str, Any] = json.loads(_subplots_json(n_panels, titled))
    layout.pop("template", None)
    return layout


def toxicity_grade_figure(
    result: ToxicityCounts, value: str = "PCT", title: str | None = None, max_rows: int = 30
) -> go.Figure:
    """Return horizontal bars of patients by worst grade, stacked from grade 1 to 5 (missing grade last).

    Parameters
    ----------
    result : ToxicityCounts
        From :func:`medcare_metrics.toxicity.toxicity_by_grade` (or ``toxicity_by_phase`` /
        ``toxicity_by_relationship``).
    value : str
        ``"PCT"`` (% of the group's denominator) or ``"N"`` (patients).
    title : str, optional
        Figure title.
    max_rows : int
        At most this many terms or SOCs are drawn, those with the most patients first; a note says how many
        were left out.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per group for terms and SOCs split by a column; one bar per group at the overall level. The
        hover gives n / N (%) and, on CTCAE data, the CTCAE definition of that grade for that term. The
        percentage axis runs to 100%, or to a round number above the longest bar when every bar is below 50%
        (the same in every panel). Labels longer than :data:`LABEL_WIDTH` characters are wrapped.

    Raises
    ------
    ValueError
        When ``value`` is neither ``"PCT"`` nor ``"N"``.
    """
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
    titles = None if panels == [ALL] else [_panel_title(g, den[g], len(panels)) for g in panels]
    layout = _panels_layout(len(panels), titles is not None)
    if titles is not None:
        for note, text in zip(layout["annotations"], titles, strict=True):
            note["text"] = text
    grades: list[tuple[int | None, str, str]] = [
        (g, lab, GRADE_COLORS.get(g, MUTED)) for g, lab in result.scale.labels
    ]
    missing = c.loc[c["GRADE"].isna()]
    if not missing.empty:
        grades.append((None, str(missing["GRADE_LABEL"].iloc[0]), MUTED))
    has_def = "DEFINITION" in c.columns
    # Trace dicts handed to plotly at once: adding them one by one to subplots validated the layout each time.
    data: list[dict[str, object]] = []
    seen: set[str] = set()  # one legend entry per grade, however many panels
    for col, panel in enumerate(panels, start=1):
        in_panel = c if panel == ALL else c.loc[c["GROUP"] == panel]
        for grade, label, color in grades:
            sel = in_panel.loc[
                in_panel["GRADE"].isna() if grade is None else in_panel["GRADE"].eq(grade).fillna(False)
            ]
            if sel.empty:
                continue
            definition = sel["DEFINITION"].map(_wrap) if has_def else pd.Series("", index=sel.index)
            data.append(
                {
                    "type": "bar",
                    "y": sel["LABEL"].to_numpy(),
                    "x": sel[value].to_numpy(),
                    "orientation": "h",
                    "name": label,
                    "legendgroup": label,
                    "marker": {"color": color, "line": {"color": "white", "width": 0.5}},
                    "customdata": pd.DataFrame(
                        {
                            "n": sel["N"],
                            "total": sel["N_TOTAL"],
                            "pct": sel["PCT"],
                            "group": sel["GROUP"].astype(str),
                            "definition": definition,
                            "row": sel["ROW"],
                        }
                    ).to_numpy(),
                    "hovertemplate": (
                        "<b>%{customdata[5]}</b> · %{customdata[3]}<br>"
                        + label
                        + ": %{customdata[0]} of %{customdata[1]} patients (%{customdata[2]:.1f}%)"
                        + "<br>%{customdata[4]}<extra></extra>"
                    ),
                    "xaxis": "x" if col == 1 else f"x{col}",
                    "yaxis": "y" if col == 1 else f"y{col}",
                    "showlegend": label not in seen,
                }
            )
            seen.add(label)
    # Room for the longest wrapped label in every row, so wrapped labels never run into each other.
    lines = max((_axis_label(str(r)).count("<br>") + 1 for r in rows), default=1)
    height = max(220, (12 + 13 * lines) * len(rows) + 150)
    merge(layout, layout_settings(title, height), {"barmode": "stack", "legend": {"traceorder": "normal"}})
    if len(panels) > 1:
        # Panel titles take the legend's usual place above the plot; a wrapped title needs one more line.
        two_lines = any("<br>" in str(t) for t in titles or ())
        merge(
            layout,
            {
                "legend": {"yref": "container", "y": 1.0, "yanchor": "top"},
                "margin": {"t": (90 if title else 70) + (15 if two_lines else 0)},
            },
        )
    x_axis: dict[str, object] = {
        "title": {"text": "% of patients" if value == "PCT" else "Patients"},
        "rangemode": "tozero",
        "showgrid": True,
    }
    if value == "PCT":
        # One scale for every panel, so groups compare at a glance; shorter than 100% when all bars are short.
        x_axis["range"] = [0, _pct_axis_max(c.groupby(["ROW", "GROUP"])["PCT"].sum())]
    labels = [_axis_label(str(r)) for r in rows[::-1]]
    y_axis = {"type": "category", "categoryorder": "array", "categoryarray": labels, "title": {"text": None}}
    for col in range(1, len(panels) + 1):
        suffix = "" if col == 1 else str(col)
        merge(layout, {f"xaxis{suffix}": x_axis, f"yaxis{suffix}": y_axis})
    # Margins that hold the row labels, the last tick label and the legend from the start: plotly draws a
    # figure twice when it has to widen them.
    layout["margin"]["l"] = label_margin(
        (line for label in labels for line in label.split("<br>")), FONT_SIZE, least=60
    )
    layout["margin"]["r"] = RIGHT_MARGIN
    if left_out:
        layout["margin"]["b"] = 90
        layout.setdefault("annotations", []).append(
            {
                "x": 0.0,
                "y": -0.02,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -50,
                "text": f"{left_out} less frequent {'terms' if result.level == 'term' else 'SOCs'} not drawn",
                "showarrow": False,
                "font": {"size": 11, "color": MUTED},
            }
        )
    if len(panels) == 1 and not title:
        layout["margin"]["t"] = max(layout["margin"]["t"], legend_row_margin(height, layout["margin"]["b"]))
    return make_figure(data, layout)
