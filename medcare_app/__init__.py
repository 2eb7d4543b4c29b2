"""Streamlit app layer of MEDCARE Monitor: data-source choice, caching, the shared sidebar and page helpers.

``dashboard.py`` draws the sidebar (:mod:`medcare_app.sidebar`) and passes the page context to each page's
``render(ctx)``. Only this package uses ``st.cache_data`` (:mod:`medcare_app.cache`); :mod:`medcare_metrics`
never imports streamlit.
"""
