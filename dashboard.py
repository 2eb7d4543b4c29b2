"""MEDCARE Monitor entry script.

``streamlit run dashboard.py`` shows the example trial; ``MEDCARE_DATA=PATH streamlit run dashboard.py`` or
``streamlit run dashboard.py -- --data PATH`` shows another source.
"""

from pathlib import Path

import streamlit as st

from medcare_app.context import shared_page_context

#: Navigation: section -> (page file, title, icon); the first page is the default.
PAGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Trial": (
        ("pages/overview.py", "Overview", ":material/dashboard:"),
        ("pages/enrollment.py", "Enrollment", ":material/group_add:"),
        ("pages/patients.py", "Patients", ":material/person:"),
    ),
    "Efficacy": (("pages/survival.py", "Survival", ":material/monitoring:"),),
    "Disease & safety": (
        ("pages/lesions.py", "Lesions", ":material/target:"),
        ("pages/toxicity.py", "Toxicity", ":material/healing:"),
    ),
    "Data": (("pages/data_quality.py", "Data quality", ":material/fact_check:"),),
}
HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="MEDCARE Monitor", page_icon=":material/monitor_heart:", layout="wide")

navigation = {
    section: [
        st.Page(HERE / path, title=title, icon=icon, default=(path == "pages/overview.py"))
        for path, title, icon in entries
    ]
    for section, entries in PAGES.items()
}
page = st.navigation({section: pages for section, pages in navigation.items() if pages})
with shared_page_context():
    page.run()
