"""MEDCARE Monitor entry script.

``streamlit run dashboard.py`` shows the example trial; ``MEDCARE_DATA=PATH streamlit run dashboard.py`` or
``streamlit run dashboard.py -- --data PATH`` shows another source.
"""

from pathlib import Path

import streamlit as st

from medcare_app.context import shared_page_context

#: Navigation: section -> (page file, title, icon, datasets the page draws on); the first page is the default.
PAGES: dict[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    "Trial": (
        ("pages/overview.py", "Overview", ":material/dashboard:", ("adsl", "adtte", "adae")),
        ("pages/enrollment.py", "Enrollment", ":material/group_add:", ("adsl", "adtte")),
        ("pages/patients.py", "Patients", ":material/person:", ("adsl", "adtte", "adae", "adtu", "adlb")),
    ),
    "Efficacy": (("pages/survival.py", "Survival", ":material/monitoring:", ("adsl", "adtte")),),
    "Disease & safety": (
        ("pages/lesions.py", "Lesions", ":material/target:", ("adsl", "adtu")),
        ("pages/toxicity.py", "Toxicity", ":material/healing:", ("adsl", "adae")),
    ),
    # The Data quality page lists every problem itself.
    "Data": (("pages/data_quality.py", "Data quality", ":material/fact_check:", ()),),
}
HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="MEDCARE Monitor", page_icon=":material/monitor_heart:", layout="wide")

navigation: dict[str, list[st.Page]] = {}
datasets: dict[str, tuple[str, ...]] = {}
for section, entries in PAGES.items():
    navigation[section] = []
    for path, title, icon, used in entries:
        entry = st.Page(HERE / path, title=title, icon=icon, default=(path == "pages/overview.py"))
        navigation[section].append(entry)
        datasets[entry.url_path] = used
page = st.navigation(navigation)
with shared_page_context(datasets.get(page.url_path, ())):
    page.run()
