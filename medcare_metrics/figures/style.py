"""Shared colours and layout for every figure, and the provenance footer of a downloaded figure."""

from __future__ import annotations

import functools
import html
import math
import textwrap
from collections.abc import Iterable

import plotly.graph_objects as go
import plotly.io as pio
from plotly.basedatatypes import BasePlotlyType

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
#: Font size of the figures' text (tick labels, axis titles, legend), px.
FONT_SIZE = 13
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


#: Advance widths of Arial (1/1000 em) for printable ASCII from the space: Arial is the figures' fallback
#: font and wider than Source Sans Pro, so a width measured with it is enough for either.
_ARIAL_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
#: Room beside the widest tick label (tick, gap and plotly's own padding), px.
TICK_ROOM = 24
#: Room for an axis title beside its tick labels (a line of :data:`FONT_SIZE` and the template's standoff).
AXIS_TITLE_ROOM = 28


def text_width(text: str, size: float) -> float:
    """Return the width in pixels of ``text`` drawn at ``size`` px, at most what the browser draws.

    Measured with Arial's widths (the figures' fallback font, wider than their first choice); any other
    character counts as one em, as wide as the widest Latin letters.

    Parameters
    ----------
    text : str
        One line of plain text.
    size : float
        Font size, px.

    Returns
    -------
    float
        Width, px.
    """
    total = 0
    for char in text:
        code = ord(char) - 32
        total += _ARIAL_WIDTHS[code] if 0 <= code < len(_ARIAL_WIDTHS) else 1000
    return total * size / 1000


def label_margin(labels: Iterable[object], size: float, least: int = 0) -> int:
    """Return a margin (px) that holds the widest of ``labels`` at ``size`` px beside its axis.

    plotly widens a margin that is too narrow for the tick labels (``automargin``) by drawing the figure a
    second time; a margin wide enough from the start is drawn once.

    Parameters
    ----------
    labels : iterable
        The tick labels (any value; drawn as text).
    size : float
        Their font size, px.
    least : int, default 0
        The margin returned is never below this.

    Returns
    -------
    int
        Margin in pixels.
    """
    widest = max((text_width(str(label), size) for label in labels), default=0.0)
    return max(least, math.ceil(widest) + TICK_ROOM)


#: Height (px) a one-row horizontal legend needs above the plot, with plotly's padding (measured in
#: chromium with the dashboard's fonts).
LEGEND_ROW_PX = 44


def legend_row_margin(height: int, bottom: int) -> int:
    """Return a top margin (px) holding a one-row horizontal legend just above the plot (``y=1.02``).

    Parameters
    ----------
    height : int
        The figure's height, px.
    bottom : int
        Its bottom margin, px.

    Returns
    -------
    int
        The legend's row, and the 2 % of the plot's height it sits above the plot (taken of the whole
        height less the bottom margin, a little more than the plot's).
    """
    return math.ceil(LEGEND_ROW_PX + 0.02 * (height - bottom))


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
def _template() -> dict[str, object]:
    # plotly's "simple_white", cut to its layout and the trace types drawn here: the whole template
    # (defaults for 24 trace types) took two thirds of the time to build a figure and is sent with each.
    # Kept as its validated JSON: a Template object is copied and validated again on every assignment.
    base = pio.templates["simple_white"]
    defaults = base.data.to_plotly_json()
    data = {name: defaults[name] for name in _TRACE_TYPES if name in defaults}
    template: dict[str, object] = go.layout.Template(layout=base.layout, data=data).to_plotly_json()
    return template


def layout_settings(title: str | None = None, height: int = 420) -> dict[str, object]:
    """Return the layout properties :func:`apply_layout` sets, but the template, as a new dict.

    Parameters
    ----------
    title : str, optional
        The figure's title, left-aligned.
    height : int
        Height in pixels.

    Returns
    -------
    dict
        Title (None without one), font, height, margins, legend and hover label: a builder merges its own
        settings into it (:func:`merge`) and hands plotly one layout, validated once.
    """
    return {
        "title": {"text": title, "x": 0.0, "xanchor": "left"} if title else None,
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
        "hoverlabel": {"font": {"size": 12}},
    }


def merge(base: dict[str, object], *updates: dict[str, object]) -> dict[str, object]:
    """Return ``base`` with ``updates`` merged into it in order, nested dicts key by key; in place.

    The same result as one ``update_layout`` call per update: a dict value updates a dict, any other value
    replaces what was there.
    """
    for update in updates:
        for key, value in update.items():
            here = base.get(key)
            if isinstance(value, dict):
                # Copied, never shared: one update may be merged into several places (each panel's axis).
                base[key] = merge(here if isinstance(here, dict) else {}, value)
            else:
                base[key] = value
    return base


def set_template(fig: go.Figure) -> go.Figure:
    """Give ``fig`` the dashboard's template in place, without validating it again; return ``fig``.

    The template is plotly's own, validated once (:func:`_template`); plotly sets its default template the
    same way. Validating it on every figure cost more than the rest of a small figure.
    """
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = _template()
    finally:
        layout._validate = True
    return fig


def hline(y: object, line: dict[str, object], yref: str = "y") -> dict[str, object]:
    """Return the shape of a horizontal line across the plot at ``y``, as ``fig.add_hline`` adds it."""
    return {
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": y,
        "y1": y,
        "yref": yref,
        "line": line,
    }


def vline(x: object, line: dict[str, object]) -> dict[str, object]:
    """Return the shape of a vertical line across the plot at ``x``, as ``fig.add_vline`` adds it."""
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line}


def set_trusted(obj: BasePlotlyType, **props: object) -> None:
    """Set ``props`` of the plotly object ``obj`` in place without validating them.

    Only for values the dashboard makes itself and knows to be valid, such as a colour of its palette per
    point: plotly checks a list of colours one colour at a time, which cost more than the rest of a figure.
    """
    obj._validate = False
    try:
        for name, value in props.items():
            obj[name] = value
    finally:
        obj._validate = True


def _split_unset(layout: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """Return ``layout`` without its None values, and those None values in the same nesting."""
    given: dict[str, object] = {}
    unset: dict[str, object] = {}
    for key, value in layout.items():
        if value is None:
            unset[key] = None
        elif isinstance(value, dict):
            inner, inner_unset = _split_unset(value)
            given[key] = inner
            if inner_unset:
                unset[key] = inner_unset
        else:
            given[key] = value
    return given, unset


def make_figure(data: list[dict[str, object]], layout: dict[str, object]) -> go.Figure:
    """Return a figure of ``data`` (trace dicts, each with its ``type``) and ``layout`` with the template.

    Plotly validates each property once, where adding traces and updating the layout one call at a time
    validated the layout again on every call.

    Parameters
    ----------
    data : list of dict
        The traces, in drawing order.
    layout : dict
        The whole layout but the template (:func:`layout_settings` merged with the figure's own).

    Returns
    -------
    plotly.graph_objects.Figure
        The figure, laid out as :func:`apply_layout` lays it out.
    """
    given, unset = _split_unset(layout)
    fig = set_template(go.Figure(data=data, layout=given))
    if unset:
        # Properties set to None as update_layout sets them (an empty title object stays in the figure),
        # so the figure is the same as one laid out call by call.
        fig.update_layout(unset)
    return fig


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
    # The template first: plotly's default one, still in place, made the layout update several times dearer.
    set_template(fig)
    fig.update_layout(layout_settings(title, height))
    return fig
