"""Figures of the lesions page: lesions per patient, sites, detection, the patient x site map and doses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from medcare_metrics.figures.style import (
    MDT_COLORS,
    MUTED,
    color_for,
    layout_settings,
    make_figure,
    merge,
)
from medcare_metrics.lesions import CONVENTIONAL, PSMA_ONLY, DetectionSummary
from medcare_metrics.study import default_study

#: Colour per lesion MDT (ADTU.MDTLES), in MEDCARE's order from the shared palette (tables come in the
#: study's order; a value MEDCARE lacks is drawn in the muted colour).
MDT_LESION_COLORS: dict[str, str] = {m: color_for(i) for i, m in enumerate(default_study().mdt_lesion_types)}
#: Colour per detection method.
METHOD_COLORS: dict[str, str] = {CONVENTIONAL: color_for(0), PSMA_ONLY: color_for(1)}


def _in_order(values: pd.Series, known: tuple[str, ...]) -> list[str]:
    """Return the distinct values: known ones in protocol order, then the others as they come."""
    present = list(dict.fromkeys(values.astype(str)))
    return [v for v in known if v in present] + [v for v in present if v not in known]


def _mdt_color(mdt: str) -> str:
    return MDT_COLORS.get(mdt, MUTED)


def _lesion_mdt_color(mdt: str) -> str:
    return MDT_LESION_COLORS.get(mdt, MUTED)


def lesion_count_figure(
    distribution: pd.DataFrame,
    title: str | None = None,
    max_lesions: int = 3,
    limit_label: str | None = None,
) -> go.Figure:
    """Return patients per number of lesions, stacked by patient MDT type.

    Parameters
    ----------
    distribution : pandas.DataFrame
        N_LESIONS_CAT (ordered categorical), MDTTYPE, N_PATIENTS, as
        :func:`medcare_metrics.lesions.lesion_count_distribution` returns.
    title : str, optional
        Figure title.
    max_lesions : int
        The protocol limit; the bar above it is shaded.
    limit_label : str, optional
        Text on the shaded bar (default ``"more than <max_lesions>"``), e.g. ``"polyprogression"`` when the
        counts are those of conventional imaging.

    Returns
    -------
    plotly.graph_objects.Figure
        Vertical stacked bars, one per lesion count.
    """
    cats = [str(c) for c in distribution["N_LESIONS_CAT"].cat.categories] if len(distribution) else []
    data: list[dict[str, object]] = []
    for mdt in _in_order(distribution["MDTTYPE"], default_study().mdt_types):
        rows = distribution.loc[distribution["MDTTYPE"] == mdt]
        data.append(
            {
                "type": "bar",
                "x": rows["N_LESIONS_CAT"].astype(str).to_numpy(dtype=object),
                "y": rows["N_PATIENTS"].to_numpy(),
                "name": str(mdt),
                "marker": {"color": _mdt_color(str(mdt))},
                "hovertemplate": "%{x} lesions: %{y} patients<extra>" + str(mdt) + "</extra>",
            }
        )
    totals = distribution.groupby("N_LESIONS_CAT", observed=True)["N_PATIENTS"].sum()
    tallest = int(totals.max()) if len(totals) and pd.notna(totals.max()) else 0  # no patient: no bar
    layout = merge(
        layout_settings(title, height=340),
        {
            "barmode": "stack",
            "legend": {"traceorder": "normal"},
            "xaxis": {
                "title": {"text": "Lesions per patient"},
                "type": "category",
                "categoryorder": "array",
                "categoryarray": cats,
            },
            # Whole patients: a tick per patient while that stays readable, plotly's own ticks beyond.
            "yaxis": {"title": {"text": "Patients"}, "rangemode": "tozero", "tickformat": "d"}
            | ({"dtick": 1} if tallest <= 10 else {}),
        },
    )
    over = f">{max_lesions}"
    if over in cats:
        at = cats.index(over)
        # The shaded bar and its label, as add_vrect(annotation_position="top left") draws them.
        layout["shapes"] = [
            {
                "type": "rect",
                "x0": at - 0.5,
                "x1": at + 0.5,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "fillcolor": MUTED,
                "opacity": 0.15,
                "line": {"width": 0},
                "layer": "below",
            }
        ]
        layout["annotations"] = [
            {
                "showarrow": False,
                "text": limit_label or f"more than {max_lesions}",
                "x": at - 0.5,
                "xanchor": "left",
                "xref": "x",
                "y": 1,
                "yanchor": "top",
                "yref": "y domain",
            }
        ]
    fig = make_figure(data, layout)
    return fig


def lesion_site_figure(by_site: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Return lesions per site category (or site), stacked by the lesion's MDT or the patient's MDT type.

    Parameters
    ----------
    by_site : pandas.DataFrame
        As :func:`medcare_metrics.lesions.lesions_by_site` returns: TULOCCAT (and TULOC at the site level),
        MDTLES or MDTTYPE, N_LESIONS, N_PATIENTS.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal stacked bars in the order of ``by_site``; lesion MDT in the lesion MDT colours, patient MDT
        type in the shared MDT colours.
    """
    site_level = "TULOC" in by_site.columns
    label = (by_site["TULOCCAT"] + ": " + by_site["TULOC"]) if site_level else by_site["TULOCCAT"]
    order = list(dict.fromkeys(label))
    patient_mdt = "MDTTYPE" in by_site.columns
    mdt_col = "MDTTYPE" if patient_mdt else "MDTLES"
    known = default_study().mdt_types if patient_mdt else (*default_study().mdt_lesion_types, "None")
    color = _mdt_color if patient_mdt else _lesion_mdt_color
    data: list[dict[str, object]] = []
    mdts = by_site[mdt_col].to_numpy()
    for mdt in _in_order(by_site[mdt_col], known):
        sel = mdts == mdt
        data.append(
            {
                "type": "bar",
                "y": label.to_numpy()[sel],
                "x": by_site["N_LESIONS"].to_numpy()[sel],
                "orientation": "h",
                "name": str(mdt),
                "marker": {"color": color(str(mdt))},
                "customdata": by_site[["N_PATIENTS"]].to_numpy()[sel],
                "hovertemplate": "%{y}: %{x} lesions in %{customdata[0]} patients<extra>"
                + str(mdt)
                + "</extra>",
            }
        )
    layout = merge(
        layout_settings(title, height=max(260, 26 * len(order) + 140)),
        {
            "barmode": "stack",
            "legend": {"traceorder": "normal"},
            "xaxis": {"title": {"text": "Lesions"}, "rangemode": "tozero"},
            "yaxis": {
                "title": None,
                "type": "category",
                "categoryorder": "array",
                "categoryarray": order[::-1],
            },
        },
    )
    fig = make_figure(data, layout)
    return fig


def detection_figure(summary: DetectionSummary, title: str | None = None) -> go.Figure:
    """Return lesions per site category by detection: conventional imaging or PSMA PET-CT only.

    Parameters
    ----------
    summary : DetectionSummary
        From :func:`medcare_metrics.lesions.detection_summary`.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Vertical stacked bars per site category.
    """
    table = summary.by_site
    order = list(dict.fromkeys(table["TULOCCAT"]))
    data: list[dict[str, object]] = []
    methods = _in_order(table["TUMETHOD"], (CONVENTIONAL, PSMA_ONLY))
    for method in methods:
        rows = table.loc[table["TUMETHOD"] == method]
        data.append(
            {
                "type": "bar",
                "x": rows["TULOCCAT"].to_numpy(),
                "y": rows["N_LESIONS"].to_numpy(),
                "name": str(method),
                "marker": {"color": METHOD_COLORS.get(str(method), MUTED)},
                "customdata": rows[["N_PATIENTS"]].to_numpy(),
                "hovertemplate": "%{x}: %{y} lesions in %{customdata[0]} patients<extra>"
                + str(method)
                + "</extra>",
            }
        )
    layout = merge(
        layout_settings(title, height=340),
        {
            "barmode": "stack",
            "legend": {"traceorder": "normal"},
            "xaxis": {"title": None, "type": "category", "categoryorder": "array", "categoryarray": order},
            "yaxis": {"title": {"text": "Lesions"}, "rangemode": "tozero"},
        },
    )
    fig = make_figure(data, layout)
    return fig


#: Above this many patients the patient x site map turns on its side: patients along the x axis, unlabelled.
COMPACT_PATIENTS = 40
_HEAT_SCALE = [[0.0, "#ffffff"], [1e-9, "#deebf7"], [1.0, "#08519c"]]


def patient_site_figure(
    matrix: pd.DataFrame, title: str | None = None, compact_above: int = COMPACT_PATIENTS
) -> go.Figure:
    """Return a patient x site-category heat map of lesion counts.

    Parameters
    ----------
    matrix : pandas.DataFrame
        As :func:`medcare_metrics.lesions.patient_site_matrix` returns (index USUBJID, one column per
        category), in the row order to draw.
    title : str, optional
        Figure title.
    compact_above : int
        With more patients than this, patients run along the x axis (one thin column each, no labels, the
        patient in the hover) and the site categories are the rows, so the map stays one screen high.

    Returns
    -------
    plotly.graph_objects.Figure
        Up to ``compact_above`` patients: one row per patient (first on top) with the counts written in the
        cells. Empty cells are white in both layouts.
    """
    z = matrix.to_numpy()
    top = max(int(z.max()) if z.size else 1, 1)
    patients, sites = [str(i) for i in matrix.index], [str(c) for c in matrix.columns]
    common = {
        "type": "heatmap",
        "colorscale": _HEAT_SCALE,
        "zmin": 0,
        "zmax": top,
        "colorbar": {"title": {"text": "Lesions"}, "dtick": 1 if top <= 10 else None},
    }
    if len(matrix) > compact_above:
        trace = {
            "z": z.T,
            "x": patients,
            "y": sites,
            "ygap": 2,
            "hovertemplate": "%{x} · %{y}: %{z} lesions<extra></extra>",
            **common,
        }
        layout = merge(
            layout_settings(title, height=80 + 60 * len(sites)),
            {
                "xaxis": {
                    "title": {"text": f"{len(patients)} patients (hover for the patient)"},
                    "type": "category",
                    "showticklabels": False,
                    "showgrid": False,
                    "ticks": "",
                },
                "yaxis": {"title": None, "autorange": "reversed", "type": "category", "showgrid": False},
            },
        )
        return make_figure([trace], layout)
    text = [[str(v) if v else "" for v in row] for row in z]
    trace = {
        "z": z,
        "x": sites,
        "y": patients,
        "text": text,
        "texttemplate": "%{text}",
        "xgap": 2,
        "ygap": 2,
        "hovertemplate": "%{y} · %{x}: %{z} lesions<extra></extra>",
        **common,
    }
    layout = merge(
        layout_settings(title, height=max(260, 22 * len(matrix) + 120)),
        {
            "xaxis": {"title": None, "side": "top", "showgrid": False},
            "yaxis": {"title": None, "autorange": "reversed", "type": "category", "showgrid": False},
        },
    )
    fig = make_figure([trace], layout)
    return fig


def site_pattern_figure(patterns: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Return patients per combination of lesion site categories, stacked by MDT type.

    Parameters
    ----------
    patterns : pandas.DataFrame
        As :func:`medcare_metrics.lesions.site_patterns` returns: PATTERN, MDTTYPE, N_PATIENTS, PATTERN_TOTAL,
        most frequent pattern first.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal stacked bars, the most frequent pattern on top.
    """
    order = list(dict.fromkeys(patterns["PATTERN"].astype(str)))
    data: list[dict[str, object]] = []
    for mdt in _in_order(patterns["MDTTYPE"], default_study().mdt_types):
        rows = patterns.loc[patterns["MDTTYPE"] == mdt]
        data.append(
            {
                "type": "bar",
                "y": rows["PATTERN"].to_numpy(),
                "x": rows["N_PATIENTS"].to_numpy(),
                "orientation": "h",
                "name": str(mdt),
                "marker": {"color": _mdt_color(str(mdt))},
                "customdata": rows[["PATTERN_TOTAL"]].to_numpy(),
                "hovertemplate": "%{y}: %{x} of %{customdata[0]} patients<extra>" + str(mdt) + "</extra>",
            }
        )
    layout = merge(
        layout_settings(title, height=max(220, 28 * len(order) + 130)),
        {
            "barmode": "stack",
            "legend": {"traceorder": "normal"},
            "xaxis": {
                "title": {"text": "Patients"},
                "rangemode": "tozero",
                "tickformat": "d",
                "showgrid": True,
            },
            "yaxis": {
                "title": None,
                "type": "category",
                "categoryorder": "array",
                "categoryarray": order[::-1],
            },
        },
    )
    fig = make_figure(data, layout)
    return fig


#: Irradiated lesions beyond which the EQD2 plot draws a box per modality instead of a point per lesion (a box
#: plot's points are one SVG element each; plotly has no WebGL box).
EQD2_POINTS = 300


def _eqd2_boxes(
    eqd2: np.ndarray, mdt: np.ndarray, order: list[str], alpha_beta_gy: float, title: str | None
) -> go.Figure:
    """Return the EQD2 of many lesions as one box per modality (quartiles, whiskers at 1.5 IQR)."""
    data: list[dict[str, object]] = []
    for row in order:
        color = _lesion_mdt_color(row)
        data.append(
            {
                "type": "box",
                "x": eqd2[mdt == row],
                "y0": row,
                "name": row,
                "orientation": "h",
                "boxpoints": False,
                "line": {"color": color},
                "fillcolor": "rgba(0,0,0,0.04)",
                "showlegend": False,
            }
        )
    axis = f"EQD2 (Gy), alpha/beta = {alpha_beta_gy:g} Gy; {len(eqd2)} lesions: quartiles, whiskers 1.5 IQR"
    rows = order[::-1]
    layout = merge(
        layout_settings(title, max(220, 70 * len(order) + 120)),
        {
            "xaxis": {"title": {"text": axis}, "rangemode": "tozero", "showgrid": True},
            "yaxis": {"title": None, "type": "category", "categoryorder": "array", "categoryarray": rows},
        },
    )
    return make_figure(data, layout)


def eqd2_figure(doses: pd.DataFrame, alpha_beta_gy: float, title: str | None = None) -> go.Figure:
    """Return the EQD2 of each irradiated lesion, one row per radiotherapy modality.

    Parameters
    ----------
    doses : pandas.DataFrame
        As :func:`medcare_metrics.lesions.radiotherapy_doses` returns (one row per lesion with RTDOSE, RTFX,
        DOSE_PER_FX, BED, EQD2).
    alpha_beta_gy : float
        The alpha/beta ratio used, shown on the axis.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Markers at each lesion's EQD2; the hover gives patient, lesion, schedule and BED. Lesions without a
        dose are not drawn. Beyond :data:`EQD2_POINTS` lesions, one box per modality instead of the points.
    """
    shown = doses.loc[doses["EQD2"].notna()]
    order = _in_order(shown["MDTLES"], default_study().mdt_lesion_types)
    mdt = shown["MDTLES"].astype(str).to_numpy()
    # One point per lesion: sent to the browser as typed arrays (numbers, schedule) and fixed-width text
    # (patient, lesion and site), which plotly serialises whole; as Python objects, point by point, they
    # took most of the time to draw the Lesions page. Each box sits at its row's category (y0), as a
    # column repeating the row's name put it.
    label = (
        shown["USUBJID"].astype(str)
        + " "
        + shown["TULNKID"].astype(str)
        + " ("
        + shown["TULOC"].astype(str)
        + ")"
    ).to_numpy(dtype=str)
    schedule = np.column_stack(
        [
            shown["RTDOSE"].to_numpy(dtype=float),
            shown["RTFX"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
            shown["BED"].to_numpy(dtype=float),
        ]
    )
    eqd2 = shown["EQD2"].to_numpy(dtype=float)
    if len(shown) > EQD2_POINTS:
        return _eqd2_boxes(eqd2, mdt, order, alpha_beta_gy, title)
    data: list[dict[str, object]] = []
    for row in order:
        sel = mdt == row
        data.append(
            {
                "type": "box",
                "x": eqd2[sel],
                "y0": row,
                "name": row,
                "orientation": "h",
                "boxpoints": "all",
                "jitter": 0.4,
                "pointpos": 0,
                "fillcolor": "rgba(0,0,0,0)",
                "line": {"color": "rgba(0,0,0,0)"},
                "marker": {"color": _lesion_mdt_color(row), "size": 9, "opacity": 0.8},
                "text": label[sel],
                "customdata": schedule[sel],
                "hovertemplate": (
                    "%{text}<br>%{customdata[0]:.1f} Gy in %{customdata[1]:.0f} "
                    "fractions<br>BED %{customdata[2]:.1f} Gy · EQD2 %{x:.1f} Gy<extra></extra>"
                ),
                "showlegend": False,
            }
        )
    layout = merge(
        layout_settings(title, max(220, 70 * len(order) + 120)),
        {
            "xaxis": {
                "title": {"text": f"EQD2 (Gy), alpha/beta = {alpha_beta_gy:g} Gy"},
                "rangemode": "tozero",
                "showgrid": True,
            },
            "yaxis": {
                "title": None,
                "type": "category",
                "categoryorder": "array",
                "categoryarray": order[::-1],
            },
        },
    )
    fig = make_figure(data, layout)
    return fig
