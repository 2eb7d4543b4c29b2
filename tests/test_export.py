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


def test_planted_formula_reads_back_inert_from_csv_and_excel() -> None:
    from datetime import date, datetime

    import openpyxl

    from medcare_metrics.export import ABOUT_SHEET, export_provenance, to_excel_bytes

    planted = '=HYPERLINK("x")'
    frame = pd.DataFrame(
        {
            "USUBJID": ["T-01", "T-02"],
            "AEDECOD": [planted, "Fatigue\x07"],  # BEL: a control character no .xlsx cell can hold
            "ATOXGR": [3, 1],
            "ASTDT": pd.to_datetime(["2022-02-01", None]),
        }
    )
    about = export_provenance(
        cutoff=date(2024, 1, 31),
        as_of=date(2023, 6, 30),
        filters="Centre: UZ Leuven",
        fingerprint="abc123",
        generated_at=datetime(2024, 2, 1, 9, 30, 5, 123),
    )
    assert about == {
        "Data cut-off": "2024-01-31",
        "As of": "2023-06-30",
        "Filters": "Centre: UZ Leuven",
        "Fingerprint": "abc123",
        "Generated at": "2024-02-01 09:30:05",
    }

    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert back.loc[0, "AEDECOD"] == "'" + planted

    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(frame, sheet_name="ae/list", provenance=about)))
    assert book.sheetnames == ["ae list", ABOUT_SHEET]
    sheet = book["ae list"]
    assert [c.value for c in sheet[1]] == ["USUBJID", "AEDECOD", "ATOXGR", "ASTDT"]
    cell = sheet["B2"]
    assert cell.data_type == "s" and cell.value == "'" + planted  # a string, not a formula
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    assert sheet["B3"].value == "Fatigue"
    assert sheet["C2"].value == 3 and sheet["D2"].value == datetime(2022, 2, 1)
    rows = [tuple(c.value for c in row) for row in book[ABOUT_SHEET].iter_rows()]
    assert rows[0] == ("Item", "Value")
    assert dict(rows[1:]) == about


def test_excel_without_provenance_has_one_sheet() -> None:
    import openpyxl

    from medcare_metrics.export import to_excel_bytes

    book = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(pd.DataFrame({"N": [1]}), sheet_name="About")))
    assert book.sheetnames == ["About"]
