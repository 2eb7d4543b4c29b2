"""Running a page on its own, without ``dashboard.py``.

Under ``dashboard.py`` the entry script draws the sidebar and passes the context to the page's
``render(ctx)``. A page file run on its own (``streamlit run pages/overview.py``, ``AppTest.from_file``)
ends with::

    if __name__ == "__main__":
        run_standalone(render, DATASETS)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from medcare_app import cache
from medcare_app.access import page_allowed
from medcare_app.access_log import log_page_view
from medcare_app.auth import require_sign_in
from medcare_app.context import PageContext, resolve_source
from medcare_app.sidebar import render_sidebar


def run_standalone(render: Callable[[PageContext], None], datasets: Sequence[str] = ()) -> None:
    """Require sign-in when configured, draw the shared sidebar and then the page ``render``.

    A page only a patient-level role may see (the Patients page) says so to a viewer instead of drawing.

    Parameters
    ----------
    render : callable
        The page's ``render(ctx)`` function.
    datasets : sequence of str, optional
        Datasets the page draws on (lower case); its header warns about their validation problems.
    """
    _leave_legacy_pages_mode()
    cache.freeze_imports()
    # The page's URL path is its file stem, as under dashboard.py.
    page = Path(render.__code__.co_filename).stem
    user = require_sign_in([page])
    if not page_allowed(user.role, page):
        st.error("This page shows patient-level data, which your role does not see.", icon=":material/lock:")
        st.stop()
    ctx = render_sidebar(resolve_source(), page_datasets=tuple(d.lower() for d in datasets), user=user)
    log_page_view(user.name, user.role, page, ctx)
    try:
        render(ctx)
    finally:
        cache.end_run()  # the session keeps the views this run drew, for its next run


def _leave_legacy_pages_mode() -> None:
    """Rerun through ``dashboard.py`` when Streamlit ran a page file directly in its old ``pages/`` mode.

    A server that has never run ``dashboard.py`` treats the ``pages/`` folder as an old-style multipage app:
    a first visitor opening a deep link (``/survival?SITEID=01``) gets the page without the app's
    navigation, and the mode sticks for later visitors until someone opens ``/``. Switching the mode off
    and rerunning runs ``dashboard.py``, whose ``st.navigation`` opens the same page (same URL path and
    query) with the app's navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
