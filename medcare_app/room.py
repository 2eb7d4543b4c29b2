"""The screen in a meeting room: presentation mode (kept in the address) and the app's one style block.

Presentation mode (``?present=1``) is for a projector: larger type, no editing widgets (the sidebar shows no
filters, dates or settings and pages disable their own controls through :attr:`PageContext.presenting`) and
the active filters as one line at the top of every page. The style block also keeps metric values whole on
a narrow screen (1024 pixels wide with the sidebar open): rows of metric cards wrap to fewer per row instead
of cutting their values.
"""

from __future__ import annotations

import streamlit as st

from medcare_app.context import PageContext
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.text.room import presentation_line, replay_banner, settings_banner

#: Query parameter of presentation mode; ``1`` (or ``true``, ``yes``) turns it on.
PRESENT_PARAM = "present"
#: Session-state key of the presentation-mode toggle.
PRESENT_KEY = "medcare_present"
#: Values of :data:`PRESENT_PARAM` that mean "on".
ON_VALUES: frozenset[str] = frozenset({"1", "true", "yes", "on"})

#: Always applied. Metric rows wrap below about 165 pixels per card; values shrink a little with the
#: window, never below 1.4rem; the Overview's fixed-width cards keep one size whatever the window.
NARROW_CSS = """
[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-wrap: wrap;
    row-gap: 0.75rem;
}
[data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has([data-testid="stMetric"]) {
    min-width: 165px;
    flex: 1 1 165px;
}
[data-testid="stMetricValue"] { font-size: clamp(1.4rem, 2.4vw, 2.25rem); }
[data-testid="stMetricLabel"] p { white-space: normal; }
.st-key-overview_cards [data-testid="stMetricValue"] { font-size: 1.5rem; }
"""
#: Applied in presentation mode only: larger type for the back of the room, and no page control in the main
#: area (a page that reads :attr:`PageContext.presenting` leaves its controls out itself; this catches the
#: rest, whose values stay as the address or their defaults set them).
PRESENT_CSS = """
html { font-size: 19px; }
[data-testid="stMetricValue"] { font-size: clamp(1.8rem, 3vw, 2.8rem); }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
[data-testid="stMain"] :is([data-testid="stSelectbox"], [data-testid="stMultiSelect"],
    [data-testid="stRadio"], [data-testid="stCheckbox"], [data-testid="stSlider"],
    [data-testid="stNumberInput"],
    [data-testid="stDateInput"], [data-testid="stTextInput"], [data-testid="stSegmentedControl"],
    [data-testid="stButtonGroup"]) { display: none; }
"""


def presenting_from_url() -> bool:
    """Return True when the address asks for presentation mode (``?present=1``)."""
    return str(st.query_params.get(PRESENT_PARAM, "")).strip().lower() in ON_VALUES


def render_presentation_toggle() -> bool:
    """Draw the presentation-mode toggle (seeded from the address) and keep the address in step; return it.

    Returns
    -------
    bool
        True in presentation mode.
    """
    if PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = presenting_from_url()
    on = bool(
        st.toggle(
            "Presentation mode",
            key=PRESENT_KEY,
            help="For a projector: larger type, no filters or settings to edit, the active filters in one "
            "line at the top. Kept in the address (?present=1), so a copied link opens it too.",
        )
    )
    if on and st.query_params.get(PRESENT_PARAM) != "1":
        st.query_params[PRESENT_PARAM] = "1"
    elif not on and PRESENT_PARAM in st.query_params:
        del st.query_params[PRESENT_PARAM]
    return on


def apply_style(presenting: bool) -> None:
    """Write the app's one style block (its only CSS): narrow-screen rules; larger type when presenting."""
    css = NARROW_CSS + (PRESENT_CSS if presenting else "")
    # st.html with only a style block adds no element (and no gap) to the page.
    st.html(f"<style>{css}</style>")


def draw_presentation_line(ctx: PageContext) -> None:
    """In presentation mode, draw the patients shown and the active filters as one line (else nothing)."""
    if ctx.presenting:
        st.markdown(presentation_line(ctx.patients_text, ctx.filter_text))


def draw_banners(ctx: PageContext) -> None:
    """Draw the banners every page shows: a replayed date, and trial settings not the study file's.

    The one place these banners are drawn; :func:`medcare_app.ui.page_header` calls it.
    """
    if ctx.replayed and ctx.as_of is not None and ctx.cutoff is not None:
        st.info(replay_banner(ctx.as_of, ctx.cutoff, ctx.cutoff_label), icon=":material/history:")
    changed = settings_banner(ctx.settings, TrialSettings.from_study(ctx.full.study))
    if changed:
        st.warning(changed, icon=":material/tune:")
