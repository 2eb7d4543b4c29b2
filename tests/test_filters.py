"""Filters: canonical values, query-parameter round trip, subject selection across datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medcare_metrics.filters import (
    MISSING,
    Filters,
    apply_filters,
    describe_filters,
    filter_options,
    filterable_columns,
    search_rows,
    select_rows,
    value_key,
)
from medcare_metrics.model import TrialData


@pytest.fixture
def trial() -> TrialData:
    adsl = pd.DataFrame(
        {
            "STUDYID": ["MEDCARE"] * 5,
            "USUBJID": ["S1", "S2", "S3", "S4", "S5"],
            "SITEID": ["01", "01", "02", "03", "02"],
            "SITENAME": ["UZ Leuven", "UZ Leuven", "UZ Gent", "AZ Delta", "UZ Gent"],
            "ENRLFL": ["Y", "Y", "Y", "Y", "N"],
            "MDTTYPE": ["SBRT", "Surgery", "SBRT", "SBRT + surgery", None],
            "NLES": pd.array([1, 2, 3, 1, pd.NA], dtype="Int64"),
            "AGE": [70.5, 66.0, 81.2, 59.9, 64.0],
            "ENRLDT": pd.to_datetime(["2022-01-03", "2022-02-01", "2022-05-09", "2023-01-10", None]),
        }
    )
    adtte = pd.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S3", "S4"],
            "PARAMCD": ["NESTFS", "PFS", "NESTFS", "NESTFS", "NESTFS"],
            "AVAL": [100.0, 80.0, 200.0, 300.0, 50.0],
            "CNSR": pd.array([0, 0, 1, 0, 1], dtype="Int64"),
        }
    )
    adae = pd.DataFrame({"USUBJID": ["S3", "S3", "S4"], "AEDECOD": ["Fatigue", "Cystitis", "Nausea"]})
    return TrialData(adsl=adsl, adtte=adtte, adae=adae, name="hand", fingerprint="abc", notes=("n1",))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, "2"),
        (2.0, "2"),
        (np.int64(3), "3"),
        (2.5, "2.5"),
        (None, MISSING),
        (float("nan"), MISSING),
        (pd.NA, MISSING),
        (pd.NaT, MISSING),
        ("  SBRT ", "SBRT"),
        ("", MISSING),
        (pd.Timestamp("2023-04-05"), "2023-04-05"),
        (True, "Y"),
    ],
)
def test_value_key(value: object, expected: str) -> None:
    assert value_key(value) == expected


def test_filters_are_canonical_and_hashable() -> None:
    a = Filters.from_mapping({"SITEID": ["02", "01", "01"], "NLES": [2], "MDTTYPE": []})
    b = Filters.from_mapping({"NLES": ["2"], "SITEID": ("01", "02")})
    assert a == b
    assert hash(a) == hash(b)
    assert a.items == (("NLES", ("2",)), ("SITEID", ("01", "02")))
    assert a.columns == ("NLES", "SITEID")
    assert a.values("SITEID") == ("01", "02")
    assert a.values("SEX") == ()
    assert len(a) == 2
    assert not Filters()
    assert not Filters.from_mapping({"SITEID": []})


def test_query_params_round_trip() -> None:
    filters = Filters.from_mapping({"SITEID": ["01", "03"], "NLES": [1]})
    params = filters.to_query_params()
    assert params == {"NLES": ["1"], "SITEID": ["01", "03"]}
    assert Filters.from_query_params(params) == filters


def test_from_query_params_ignores_other_parameters() -> None:
    params = {"SITEID": "02", "asof": "2023-01-01", "USUBJID": "S1"}
    assert Filters.from_query_params(params, columns=["SITEID", "NLES"]).items == (("SITEID", ("02",)),)
    # Without a column list only upper-case names count: "asof" is a page parameter.
    assert Filters.from_query_params({"SITEID": "02", "asof": "x"}).columns == ("SITEID",)


def test_bad_column_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        Filters((("", ("x",)),))


def test_apply_filters_restricts_every_dataset(trial: TrialData) -> None:
    kept = apply_filters(trial, Filters.from_mapping({"SITEID": ["01", "03"]}))
    assert list(kept.adsl["USUBJID"]) == ["S1", "S2", "S4"]
    assert list(kept.adtte["USUBJID"]) == ["S1", "S1", "S2", "S4"]
    assert list(kept.adae["USUBJID"]) == ["S4"]
    assert list(kept.adae.index) == [0]
    assert kept.adtu is None
    assert (kept.name, kept.fingerprint, kept.notes) == ("hand", "abc", ("n1",))


def test_apply_filters_combines_columns_with_and(trial: TrialData) -> None:
    kept = apply_filters(trial, Filters.from_mapping({"MDTTYPE": ["SBRT"], "NLES": [3]}))
    assert list(kept.adsl["USUBJID"]) == ["S3"]
    assert list(kept.adae["AEDECOD"]) == ["Fatigue", "Cystitis"]


def test_apply_filters_missing_value_and_numbers(trial: TrialData) -> None:
    assert list(apply_filters(trial, Filters.from_mapping({"MDTTYPE": [MISSING]})).adsl["USUBJID"]) == ["S5"]
    # Int64 column filtered by its text form.
    assert list(apply_filters(trial, Filters.from_mapping({"NLES": ["1"]})).adsl["USUBJID"]) == ["S1", "S4"]


def test_apply_filters_no_filters_is_identity(trial: TrialData) -> None:
    assert apply_filters(trial, Filters()) is trial


def test_apply_filters_unknown_column(trial: TrialData) -> None:
    with pytest.raises(ValueError, match="WHOPS"):
        apply_filters(trial, Filters.from_mapping({"WHOPS": [0]}))


def test_apply_filters_value_absent_keeps_nobody(trial: TrialData) -> None:
    kept = apply_filters(trial, Filters.from_mapping({"SITEID": ["99"]}))
    assert kept.adsl.empty
    assert kept.adtte.empty
    assert list(kept.adsl.columns) == list(trial.adsl.columns)


def test_filterable_columns(trial: TrialData) -> None:
    # STUDYID/USUBJID identifiers, ENRLDT a date, AGE has decimals; standard filters come first.
    assert filterable_columns(trial.adsl) == ("SITEID", "MDTTYPE", "NLES", "SITENAME", "ENRLFL")
    # SITENAME has 3 levels: above max_levels=2 it drops out; standard filters stay whatever their count.
    assert filterable_columns(trial.adsl, max_levels=2) == ("SITEID", "MDTTYPE", "NLES", "ENRLFL")
    with pytest.raises(ValueError, match="max_levels"):
        filterable_columns(trial.adsl, max_levels=1)


def test_filter_options_order(trial: TrialData) -> None:
    assert filter_options(trial.adsl, "NLES") == ("1", "2", "3", MISSING)
    assert filter_options(trial.adsl, "MDTTYPE") == ("SBRT", "SBRT + surgery", "Surgery", MISSING)
    with pytest.raises(ValueError, match="not an ADSL column"):
        filter_options(trial.adsl, "NOPE")


def test_describe_filters() -> None:
    filters = Filters.from_mapping({"SITEID": ["01", "02"], "MDTTYPE": ["SBRT"], "SEX": ["M"]})
    names = {"SITEID": {"01": "UZ Leuven", "02": "UZ Gent"}}
    assert describe_filters(filters, value_labels=names) == (
        "Centre: UZ Leuven or UZ Gent; MDT type: SBRT; Sex: M"
    )
    assert describe_filters(filters, labels={}) == "SITEID: 01 or 02; MDTTYPE: SBRT; SEX: M"
    assert describe_filters(Filters()) == "No filters"


def test_select_rows_on_any_table() -> None:
    problems = pd.DataFrame(
        {"dataset": ["ADSL", "ADAE", "ADAE", "ADTTE"], "severity": ["error", "warning", "error", "warning"]}
    )
    kept = select_rows(
        problems, Filters.from_mapping({"dataset": ["ADAE", "ADTTE"], "severity": ["warning"]})
    )
    assert kept.to_dict("list") == {"dataset": ["ADAE", "ADTTE"], "severity": ["warning", "warning"]}
    assert select_rows(problems, Filters()) is problems
    with pytest.raises(ValueError, match="row"):
        select_rows(problems, Filters.from_mapping({"row": [1]}))


def test_search_rows_is_case_insensitive_and_literal() -> None:
    table = pd.DataFrame(
        {
            "USUBJID": ["MEDCARE-01-001", "MEDCARE-02-001", None, "X.1"],
            "problem": ["AVAL 'abc' is not a number", "CNSR -1 must be 0 or more", "WHOPS missing", "ok"],
            "row": [2, 3, 4, 5],
        }
    )
    assert search_rows(table, "medcare-02")["row"].tolist() == [3]
    assert search_rows(table, "  NOT A NUMBER ")["row"].tolist() == [2]
    # "." is a literal dot, not a regular-expression wildcard; missing values never match.
    assert search_rows(table, "x.1", ["USUBJID"])["row"].tolist() == [5]
    assert search_rows(table, "e", ["USUBJID"])["row"].tolist() == [2, 3]
    # Numbers are searched as text.
    assert search_rows(table, "4")["row"].tolist() == [4]
    assert search_rows(table, "   ") is table
    assert search_rows(table, "nothing like this").empty
    with pytest.raises(ValueError, match="SITEID"):
        search_rows(table, "a", ["SITEID"])


def test_every_label_comes_from_one_mapping() -> None:
    from medcare_metrics import filters
    from medcare_metrics.text import common, labels, survival
    from medcare_metrics.variables import VARIABLE_LABELS, variable_label

    assert common.COLUMN_LABELS is VARIABLE_LABELS and labels.VARIABLE_LABELS is VARIABLE_LABELS
    assert all(VARIABLE_LABELS[c] == label for c, label in filters.FILTER_LABELS.items())
    assert survival.column_label("SYSTHER") == f"{variable_label('SYSTHER')} (SYSTHER)"
    assert variable_label("usubjid") == "Patient" and variable_label("XYZ") == "XYZ"


def test_column_keys_key_each_value_as_value_key_does() -> None:
    import datetime as dt

    from medcare_metrics.filters import column_keys, value_key

    column = pd.Series(
        [
            1,
            2.0,
            None,
            np.nan,
            " a",
            "a",
            True,
            "nan",
            False,
            0,
            pd.Timestamp("2024-01-02"),
            dt.date(2024, 1, 2),
        ],
        index=range(10, 22),
    )
    keys = column_keys(column)
    assert keys.tolist() == [value_key(v) for v in column]
    assert keys.index.equals(column.index)
    assert keys.tolist()[6:10] == ["Y", "nan", "N", "0"]  # True is not 1, False is not 0, text "nan" is text
