"""CSV downloads: text a spreadsheet would run as a formula is made inert; everything else is unchanged."""

from __future__ import annotations

import io

import pandas as pd

from medcare_metrics.export import neutralise_formulas, to_csv_bytes


def test_formula_cells_get_an_apostrophe() -> None:
    frame = pd.DataFrame(
        {
            "USUBJID": ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "ok"],
            "AVAL": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["USUBJID"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "ok",
    ]
    assert safe["AVAL"].tolist() == [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]
    assert frame["USUBJID"].iloc[0].startswith("=")  # the shown table is not modified


def test_clean_table_is_returned_as_is_and_round_trips() -> None:
    frame = pd.DataFrame({"TERM": ["Fatigue", None], "N": [3, 4]})
    assert neutralise_formulas(frame) is frame
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert back["TERM"].iloc[0] == "Fatigue"
    assert back["N"].tolist() == [3, 4]
