"""Analytics for the MEDCARE Monitor dashboard.

The package never imports streamlit. Loading (:mod:`medcare_metrics.loading`) validates data at the boundary;
every other module takes validated DataFrames and returns tidy DataFrames or small frozen dataclasses.
"""

__version__ = "0.1.0"
