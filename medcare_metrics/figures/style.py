"""Shared colours and layout for every figure."""

from __future__ import annotations

import plotly.graph_objects as go

#: CTCAE grade 1-5: ordered, colour-blind-safe (light to dark, yellow -> red-brown -> black).
GRADE_COLORS: dict[int, str] = {
    1: "#fee391",
    2: "#fe9929",
    3: "#cc4c02",
    4: "#7f2704",
    5: "#252525",
}
#: Okabe-Ito palette: colour-blind safe categorical colours.
CATEGORICAL: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
MDT_COLORS: dict[str, str] = {"SBRT": "#0072B2", "Surgery": "#E69F00", "SBRT + surgery": "#009E73"}
MUTED = "#9aa5b1"
FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"
#: Image formats the figure toolbar can download (plotly's toImage formats offered in the app).
DOWNLOAD_FORMATS: tuple[str, ...] = ("png", "svg")


def download_config(fmt: str = "png", filename: str = "medcare_figure") -> dict[str, object]:
    """Return the plotly config whose toolbar camera button downloads the figure as ``fmt``.

    Plotly offers one image format per figure config, so the app builds the config from the user's choice.

    Parameters
    ----------
    fmt : {"png", "svg"}, default "png"
        Image format, case-insensitive. PNG is drawn at twice the screen resolution for slides; SVG is
        vector and suits publications.
    filename : str, default "medcare_figure"
        Name of the downloaded file, without extension.

    Returns
    -------
    dict
        A new config dict for ``st.plotly_chart(config=...)``.

    Raises
    ------
    ValueError
        When ``fmt`` is not one of :data:`DOWNLOAD_FORMATS`.
    """
    chosen = str(fmt).strip().lower()
    if chosen not in DOWNLOAD_FORMATS:
        raise ValueError(f"figure download format must be one of {', '.join(DOWNLOAD_FORMATS)}, got {fmt!r}")
    options: dict[str, object] = {"format": chosen, "filename": filename}
    if chosen == "png":
        options["scale"] = 2
    return {"displaylogo": False, "toImageButtonOptions": options, "modeBarButtonsToAdd": ["toImage"]}


#: Default plotly config (PNG download); kept for callers that do not offer a choice.
DOWNLOAD_CONFIG: dict[str, object] = download_config("png")


def color_for(index: int) -> str:
    """Return the categorical colour for the ``index``-th group (cycling)."""
    return CATEGORICAL[index % len(CATEGORICAL)]


def apply_layout(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """Apply the dashboard's sober layout to ``fig`` in place and return it."""
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        template="simple_white",
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        hoverlabel={"font_size": 12},
    )
    return fig
