"""Tables on screen draw at most SCREEN_ROWS rows; the download keeps every row."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from medcare_app.ui import SCREEN_ROWS, on_screen
from medcare_metrics.text.common import rows_shown


def test_a_short_table_is_drawn_whole() -> None:
    frame = pd.DataFrame({"A": range(SCREEN_ROWS)})
    assert on_screen(frame) is frame


def _long_table() -> None:
    import pandas as pd

    from medcare_app.ui import on_screen

    on_screen(pd.DataFrame({"A": range(2_500)}), limit=1_000)


def test_a_long_table_draws_its_first_rows_and_says_so() -> None:
    at = AppTest.from_function(_long_table)
    at.run()
    assert [c.value for c in at.caption] == [rows_shown(1_000, 2_500)]
    assert rows_shown(1_000, 2_500) == "The first 1,000 of 2,500 rows; the download holds them all."
    head = on_screen(pd.DataFrame({"A": range(2_500)}), limit=1_000)
    assert head["A"].tolist() == list(range(1_000))
