"""The floor of the benchmark: pages that draw N plotly figures and M tables from precomputed data.

A dashboard page cannot cost less than Streamlit drawing its figures and tables. ``bench/run.py`` times each
app page against this floor drawing the same number of figures and tables, in the same run and the same way
(AppTest, or ``streamlit run`` and chromium), so that the ratio says how much work the page does beyond
drawing, whatever the speed of the machine.

The pages come from the environment variable ``MEDCARE_FLOOR``: ``name:figures:tables`` entries separated by
commas (``overview:1:0,patients:4:11``); each becomes a page with URL path ``name`` and title ``Floor name``
(the first is the default). Unset, one page with one figure and one table.

The data are made once per process (``st.cache_resource``) and never depend on the trial: each figure is a
fixed-size plotly figure (alternately two step curves of 200 points, like a Kaplan-Meier plot, and three bar
series of 20 bars, like a grade chart) and each table 50 rows by 6 columns.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

SPEC_VARIABLE = "MEDCARE_FLOOR"
POINTS = 200
BARS = 20
TABLE_ROWS = 50


@st.cache_resource
def _data() -> dict[str, object]:
    rng = np.random.default_rng(14)
    times = np.sort(rng.uniform(0, 60, size=(2, POINTS)), axis=1)
    survival = np.cumprod(1 - rng.uniform(0, 0.01, size=(2, POINTS)), axis=1)
    bars = rng.integers(0, 40, size=(3, BARS))
    table = pd.DataFrame(
        {
            "Group": [f"Group {i % 4}" for i in range(TABLE_ROWS)],
            "Term": [f"Term {i}" for i in range(TABLE_ROWS)],
            "N": rng.integers(1, 500, TABLE_ROWS),
            "Events": rng.integers(0, 100, TABLE_ROWS),
            "Percent": rng.uniform(0, 100, TABLE_ROWS).round(1),
            "Note": ["grade 1-2"] * TABLE_ROWS,
        }
    )
    return {"times": times, "survival": survival, "bars": bars, "table": table}


def _figure(i: int) -> go.Figure:
    data = _data()
    fig = go.Figure()
    if i % 2 == 0:
        for k in range(2):
            fig.add_trace(
                go.Scatter(
                    x=data["times"][k],  # type: ignore[index]
                    y=data["survival"][k],  # type: ignore[index]
                    mode="lines",
                    line_shape="hv",
                    name=f"Curve {k + 1}",
                )
            )
        fig.update_layout(title=f"Floor figure {i + 1}", xaxis_title="Months", yaxis_title="Probability")
    else:
        for k in range(3):
            fig.add_trace(
                go.Bar(x=[f"Term {j}" for j in range(BARS)], y=data["bars"][k], name=f"Grade {k + 1}")  # type: ignore[index]
            )
        fig.update_layout(title=f"Floor figure {i + 1}", barmode="stack")
    return fig


def draw(name: str, figures: int, tables: int) -> None:
    """Draw a floor page: a title, ``figures`` plotly figures and ``tables`` tables."""
    st.title(f"Floor {name}")
    table = _data()["table"]
    for i in range(max(figures, tables)):
        if i < figures:
            st.plotly_chart(_figure(i), key=f"floor_figure_{i}")
        if i < tables:
            st.dataframe(table, hide_index=True)


def parse_spec(spec: str) -> list[tuple[str, int, int]]:
    """``"overview:1:0,patients:4:11"`` -> ``[("overview", 1, 0), ("patients", 4, 11)]``."""
    pages = []
    for entry in spec.split(","):
        if entry.strip():
            name, figures, tables = entry.strip().split(":")
            pages.append((name, int(figures), int(tables)))
    return pages


def _runner(name: str, figures: int, tables: int) -> Callable[[], None]:
    def run() -> None:
        draw(name, figures, tables)

    run.__name__ = f"floor_{name}"
    return run


st.set_page_config(page_title="Floor", layout="wide")
_pages = parse_spec(os.environ.get(SPEC_VARIABLE, "floor:1:1"))
_navigation = st.navigation(
    [
        st.Page(_runner(name, f, t), title=f"Floor {name}", url_path=name, default=i == 0)
        for i, (name, f, t) in enumerate(_pages)
    ]
)
_navigation.run()
