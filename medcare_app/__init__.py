"""Streamlit app layer of MEDCARE Monitor: data-source choice, caching, the shared sidebar and page helpers.

Pages start with ``ctx = medcare_app.context.page_context()``. Only this package uses ``st.cache_data``
(:mod:`medcare_app.cache`); :mod:`medcare_metrics` never imports streamlit.
"""
