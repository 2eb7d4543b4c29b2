"""MEDCARE Monitor entry script.

``streamlit run dashboard.py`` shows the example trial; ``MEDCARE_DATA=PATH streamlit run dashboard.py`` or
``streamlit run dashboard.py -- --data PATH`` shows another source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import streamlit as st

from medcare_app import cache
from medcare_app.access import page_allowed
from medcare_app.access_log import log_page_view
from medcare_app.auth import require_sign_in
from medcare_app.context import PageContext, resolve_source
from medcare_app.sidebar import render_sidebar
from pages import data_quality, enrollment, lesions, overview, patients, survival, toxicity

#: Navigation: section -> (page module, title, icon); the first page is the default. Each page module
#: declares the datasets it draws on (``DATASETS``) and draws itself with ``render(ctx)``.
PAGES: dict[str, tuple[tuple[ModuleType, str, str], ...]] = {
    "Trial": (
        (overview, "Overview", ":material/dashboard:"),
        (enrollment, "Enrollment", ":material/group_add:"),
        (patients, "Patients", ":material/person:"),
    ),
    "Efficacy": ((survival, "Survival", ":material/monitoring:"),),
    "Disease & safety": (
        (lesions, "Lesions", ":material/target:"),
        (toxicity, "Toxicity", ":material/healing:"),
    ),
    "Data": ((data_quality, "Data quality", ":material/fact_check:"),),
}

#: The browser tab's icon, a file of the repository: a material icon would be fetched from a font server.
cache.freeze_imports()

PAGE_ICON = Path(__file__).resolve().parent / "static" / "medcare.png"

st.set_page_config(page_title="MEDCARE Monitor", page_icon=PAGE_ICON, layout="wide")
# Before navigation: until the visitor is signed in (when sign-in is configured) only the sign-in is drawn.
user = require_sign_in([m.__name__.rsplit(".", 1)[-1] for entries in PAGES.values() for m, _, _ in entries])

# The sidebar is drawn after st.navigation has chosen the page (its header names the page's datasets) and
# before the page runs; each page's runner receives the context built in this run.
contexts: list[PageContext] = []


def _runner(module: ModuleType) -> Callable[[], None]:
    def run() -> None:
        module.render(contexts[-1])

    run.__name__ = module.__name__.rsplit(".", 1)[-1]
    return run


navigation: dict[str, list[st.Page]] = {}
datasets: dict[str, tuple[str, ...]] = {}
for section, entries in PAGES.items():
    navigation[section] = []
    for module, title, icon in entries:
        name = module.__name__.rsplit(".", 1)[-1]
        if not page_allowed(user.role, name):
            # Left out rather than refused: a viewer's navigation has no Patients page, and its URL opens
            # the default page.
            continue
        entry = st.Page(_runner(module), title=title, icon=icon, url_path=name, default=module is overview)
        navigation[section].append(entry)
        datasets[entry.url_path] = tuple(module.DATASETS)
page = st.navigation({section: pages for section, pages in navigation.items() if pages})
contexts.append(render_sidebar(resolve_source(), page_datasets=datasets.get(page.url_path, ()), user=user))
log_page_view(user.name, user.role, page.url_path or "overview", contexts[-1])
try:
    page.run()
finally:
    cache.end_run()  # the session keeps the views this run drew, for its next run
