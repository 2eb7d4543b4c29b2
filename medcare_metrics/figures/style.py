"""Shared colours and layout for every figure, and the provenance footer of a downloaded figure."""

from __future__ import annotations

import functools
import html
import textwrap

import plotly.graph_objects as go
import plotly.io as pio

#: Background of every figure (paper and plot of the ``simple_white`` template): colours are checked on it.
BACKGROUND = "#ffffff"
#: Least contrast ratio (WCAG 2) of a mark against :data:`BACKGROUND`: readable on a projector.
MIN_CONTRAST = 3.0
#: CTCAE grade 1-5: ordered light to dark (dark gold -> orange-brown -> brown -> black), each at least
#: :data:`MIN_CONTRAST` against the background; the lightness steps keep them apart without colour vision.
GRADE_COLORS: dict[int, str] = {
    1: "#b8860b",
    2: "#b35a00",
    3: "#8c2d04",
    4: "#5a1e02",
    5: "#252525",
}
#: Swimmer plot markers: event -> (symbol, colour, size); colours at least :data:`MIN_CONTRAST`.
SWIMMER_MARKERS: dict[str, tuple[str, str, int]] = {
    "MDT": ("diamond", "#000000", 9),
    "Progression": ("triangle-up", "#D55E00", 11),
    "NEST start": ("square", "#CC79A7", 10),
    "Death": ("x-thin-open", "#000000", 12),
    "Censored": ("line-ns-open", "#000000", 14),
    "Ongoing": ("arrow-right", "#000000", 12),
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
#: Footer text: grey, yet 4.5:1 against the background like body text.
FOOTER_COLOR = "#52606d"
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


def contrast_ratio(color: str, background: str = BACKGROUND) -> float:
    """Return the WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21).

    Parameters
    ----------
    color, background : str
        Hex colours.

    Returns
    -------
    float
        ``(L1 + 0.05) / (L2 + 0.05)`` of their relative luminances, lighter over darker.
    """

    def luminance(hex_color: str) -> float:
        value = hex_color.lstrip("#")
        if len(value) != 6:
            raise ValueError(f"colour must be #rrggbb, got {hex_color!r}")
        channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(color), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: Characters of a title line and of a footer line: what fits the narrowest figure the app draws (about
#: 640 px, a 1024 px screen with the sidebar open) at the title's and the footer's font size.
TITLE_WIDTH = 70
FOOTER_WIDTH = 110
FOOTER_SIZE = 11
#: Vertical room per wrapped line, px.
_TITLE_LINE_PX = 20
_FOOTER_LINE_PX = 15


def wrap_text(text: str, width: int) -> str:
    """Return ``text`` wrapped to ``width`` characters with plotly line breaks (``<br>``); existing kept."""
    lines = []
    for part in text.split("<br>"):
        lines.extend(textwrap.wrap(part, width, break_long_words=True) or [""])
    return "<br>".join(lines)


def with_provenance(fig: go.Figure, line: str) -> go.Figure:
    """Add a footer line (cut-off, as-of date, filters, n) under ``fig`` and wrap a long title; in place.

    The footer is a small grey annotation below the x axis, so a PNG or SVG saved from the figure's toolbar
    carries it; the bottom margin and the height grow by its lines, so the plot area keeps its size. A title
    longer than a line of the narrowest figure is wrapped rather than cut off.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure laid out by :func:`apply_layout`.
    line : str
        The footer text (plain text; characters plotly reads as markup are escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``.
    """
    layout = fig.layout
    height = layout.height or 450
    top = layout.margin.t if layout.margin.t is not None else 100
    bottom = layout.margin.b if layout.margin.b is not None else 80
    title = layout.title.text
    extra_top = 0
    if title:
        wrapped = wrap_text(str(title), TITLE_WIDTH)
        extra_top = _TITLE_LINE_PX * wrapped.count("<br>") - _TITLE_LINE_PX * str(title).count("<br>")
        fig.update_layout(
            title={"text": wrapped, "y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 10}}
        )
    footer = wrap_text(html.escape(line, quote=False), FOOTER_WIDTH)
    lines = footer.count("<br>") + 1
    extra_bottom = _FOOTER_LINE_PX * lines + 8
    fig.add_annotation(
        text=footer,
        xref="paper",
        yref="paper",
        x=0.0,
        y=0.0,
        xanchor="left",
        yanchor="top",
        align="left",
        # Below the axis title and tick labels, which the bottom margin holds.
        yshift=-bottom,
        showarrow=False,
        font={"family": FONT_FAMILY, "size": FOOTER_SIZE, "color": FOOTER_COLOR},
        name="provenance",
    )
    fig.update_layout(
        height=height + extra_top + extra_bottom,
        margin={"t": top + extra_top, "b": bottom + extra_bottom},
    )
    return fig


def color_for(index: int) -> str:
    """Return the categorical colour for the ``index``-th group (cycling)."""
    return CATEGORICAL[index % len(CATEGORICAL)]


#: Trace types the dashboard draws: the only ones whose defaults the template carries.
_TRACE_TYPES = ("bar", "box", "heatmap", "scatter", "scattergl")


@functools.cache
def _template() -> go.layout.Template:
    # plotly's "simple_white", cut to its layout and the trace types drawn here: the whole template
    # (defaults for 24 trace types) took two thirds of the time to build a figure and is sent with each.
    base = pio.templates["simple_white"]
    defaults = base.data.to_plotly_json()
    data = {name: defaults[name] for name in _TRACE_TYPES if name in defaults}
    return go.layout.Template(layout=base.layout, data=data)


def apply_layout(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """Apply the dashboard's sober layout to ``fig`` in place and return it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    title : str, optional
        Its title, left-aligned.
    height : int
        Height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``: plotly's "simple_white" look (for the trace types drawn here), the dashboard's font,
        margins and a horizontal legend above the plot.
    """
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        template=_template(),
        font={"family": FONT_FAMILY, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        hoverlabel={"font_size": 12},
    )
    return fig
