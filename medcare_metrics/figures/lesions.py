"""Figures of the lesions page: lesions per patient, sites, detection, the patient x site map and doses."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from medcare_metrics import protocol
from medcare_metrics.figures.style import MDT_COLORS, MUTED, apply_layout, color_for
from medcare_metrics.lesions import CONVENTIONAL, PSMA_ONLY, DetectionSummary

#: Colour per lesion MDT (ADTU.MDTLES), in protocol order from the shared palette.
MDT_LESION_COLORS: dict[str, str] = {m: color_for(i) for i, m in enumerate(protocol.MDT_LESION_TYPES)}
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
    distribution: pd.DataFrame, title: str | None = None, max_lesions: int = 3
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
        The protocol limit; the bars above it are marked.

    Returns
    -------
    plotly.graph_objects.Figure
        Vertical stacked bars, one per lesion count.
    """
    cats = list(distribution["N_LESIONS_CAT"].cat.categories) if len(distribution) else []
    fig = go.Figure()
    for mdt in _in_order(distribution["MDTTYPE"], protocol.MDT_TYPES):
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
    if cats:
        fig.add_vrect(
            x0=len(cats) - 1.5,
            x1=len(cats) - 0.5,
            fillcolor=MUTED,
            opacity=0.15,
            line_width=0,
            layer="below",
            annotation_text=f"more than {max_lesions}",
            annotation_position="top left",
        )
    apply_layout(fig, title=title, height=340)
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={
            "title": "Lesions per patient",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": cats,
        },
        yaxis={"title": "Patients", "dtick": 1, "rangemode": "tozero"},
    )
    return fig


def lesion_site_figure(by_site: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Return lesions per site category (or site), stacked by the MDT applied to each lesion.

    Parameters
    ----------
    by_site : pandas.DataFrame
        As :func:`medcare_metrics.lesions.lesions_by_site` returns: TULOCCAT (and TULOC at the site level),
        MDTLES, N_LESIONS, N_PATIENTS.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal stacked bars in the order of ``by_site``.
    """
    site_level = "TULOC" in by_site.columns
    label = (by_site["TULOCCAT"] + ": " + by_site["TULOC"]) if site_level else by_site["TULOCCAT"]
    order = list(dict.fromkeys(label))
    fig = go.Figure()
    for mdt in _in_order(by_site["MDTLES"], (*protocol.MDT_LESION_TYPES, "None")):
        sel = by_site["MDTLES"] == mdt
        fig.add_trace(
            go.Bar(
                y=label[sel],
                x=by_site.loc[sel, "N_LESIONS"],
                orientation="h",
                name=str(mdt),
                marker={"color": _lesion_mdt_color(str(mdt))},
                customdata=by_site.loc[sel, ["N_PATIENTS"]].to_numpy(),
                hovertemplate="%{y}: %{x} lesions in %{customdata[0]} patients<extra>"
                + str(mdt)
                + "</extra>",
            )
        )
    apply_layout(fig, title=title, height=max(260, 26 * len(order) + 140))
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": "Lesions", "rangemode": "tozero"},
        yaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
    )
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
    apply_layout(fig, title=title, height=340)
    fig.update_layout(
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order},
        yaxis={"title": "Lesions", "rangemode": "tozero"},
    )
    return fig


def patient_site_figure(matrix: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Return a patient x site-category heat map of lesion counts.

    Parameters
    ----------
    matrix : pandas.DataFrame
        As :func:`medcare_metrics.lesions.patient_site_matrix` returns (index USUBJID, one column per
        category).
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        One row per patient (first patient on top), counts written in the cells; empty cells are white.
    """
    z = matrix.to_numpy()
    text = [[str(v) if v else "" for v in row] for row in z]
    top = int(z.max()) if z.size else 1
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text,
            texttemplate="%{text}",
            colorscale=[[0.0, "#ffffff"], [1e-9, "#deebf7"], [1.0, "#08519c"]],
            zmin=0,
            zmax=max(top, 1),
            xgap=2,
            ygap=2,
            colorbar={"title": "Lesions", "dtick": 1},
            hovertemplate="%{y} · %{x}: %{z} lesions<extra></extra>",
        )
    )
    apply_layout(fig, title=title, height=max(260, 22 * len(matrix) + 120))
    fig.update_layout(
        xaxis={"title": None, "side": "top", "showgrid": False},
        yaxis={"title": None, "autorange": "reversed", "type": "category", "showgrid": False},
    )
    return fig


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
        dose are not drawn.
    """
    shown = doses.loc[doses["EQD2"].notna()]
    fig = go.Figure()
    order = _in_order(shown["MDTLES"], protocol.MDT_LESION_TYPES)
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
    apply_layout(fig, title=title, height=max(220, 70 * len(order) + 120))
    fig.update_layout(
        xaxis={
            "title": f"EQD2 (Gy), alpha/beta = {alpha_beta_gy:g} Gy",
            "rangemode": "tozero",
            "showgrid": True,
        },
        yaxis={"title": None, "type": "category", "categoryorder": "array", "categoryarray": order[::-1]},
    )
    return fig
