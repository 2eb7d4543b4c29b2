"""Toxicity figures: grade order and colours, panels, hover definitions, truncation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from medcare_metrics import toxicity as tox
from medcare_metrics.figures.style import GRADE_COLORS, LEGEND_ROW_PX, MUTED, TICK_ROOM, text_width
from medcare_metrics.figures.toxicity import toxicity_grade_figure

GI = "Gastrointestinal disorders"


@pytest.fixture
def adsl() -> pd.DataFrame:
    return pd.DataFrame(
        {"USUBJID": ["S1", "S2", "S3", "S4"], "SAFFL": "Y", "MDTTYPE": ["SBRT", "SBRT", "Surgery", "Surgery"]}
    )


@pytest.fixture
def adae() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S4"],
            "AEBODSYS": [GI, GI, GI, GI, "Renal and urinary disorders"],
            "AEDECOD": ["Nausea", "Nausea", "Diarrhea", "Nausea", "Cystitis noninfective"],
            "ATOXGR": pd.array([3, 1, 2, None, 4], dtype="Int64"),
        }
    )


def test_traces_in_grade_order_with_grade_colours(adae: pd.DataFrame, adsl: pd.DataFrame) -> None:
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl))
    names = [t.name for t in fig.data]
    assert names == ["Grade 1", "Grade 2", "Grade 3", "Grade 4", "Missing grade"]
    colours = [t.marker.color for t in fig.data]
    assert colours == [GRADE_COLORS[1], GRADE_COLORS[2], GRADE_COLORS[3], GRADE_COLORS[4], MUTED]
    assert fig.layout.barmode == "stack"
    assert tuple(fig.layout.xaxis.range) == (0, 100)
    # Nausea has 3 patients (S1 3, S2 1, S4 missing): it sits on top (last in the category array).
    assert list(fig.layout.yaxis.categoryarray)[-1] == "Nausea"


def test_hover_has_ctcae_definition(adae: pd.DataFrame, adsl: pd.DataFrame) -> None:
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl))
    grade3 = next(t for t in fig.data if t.name == "Grade 3")
    assert list(grade3.y) == ["Nausea"]
    assert grade3.x[0] == pytest.approx(25.0)
    # CTCAE v5.0 Nausea grade 3 (wrapped for the hover box).
    assert "Inadequate oral caloric or fluid intake" in grade3.customdata[0][4]
    assert grade3.customdata[0][0] == 1 and grade3.customdata[0][1] == 4


def test_panels_per_group_one_legend_entry_per_grade(adae: pd.DataFrame, adsl: pd.DataFrame) -> None:
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl, by="MDTTYPE"), value="N")
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["SBRT (N = 2)", "Surgery (N = 2)"]
    legend = [t.name for t in fig.data if t.showlegend]
    assert sorted(legend) == sorted(set(legend))
    assert {t.xaxis for t in fig.data} == {"x", "x2"}


def test_overall_by_phase_rows_in_phase_order(adsl: pd.DataFrame) -> None:
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2"],
            "AEBODSYS": [GI, GI],
            "AEDECOD": ["Nausea", "Nausea"],
            "ATOXGR": pd.array([1, 2], dtype="Int64"),
            "ASTDY": pd.array([200, 5], dtype="Int64"),
        }
    )
    fig = toxicity_grade_figure(tox.toxicity_by_phase(adae, adsl))
    assert list(fig.layout.yaxis.categoryarray) == ["Late", "Acute"]


def test_max_rows_and_bad_value(adae: pd.DataFrame, adsl: pd.DataFrame) -> None:
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl), max_rows=1)
    assert list(fig.layout.yaxis.categoryarray) == ["Nausea"]
    assert "2 less frequent terms not drawn" in fig.layout.annotations[-1].text
    with pytest.raises(ValueError, match="PCT"):
        toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl), value="pct")


def test_short_bars_get_a_shorter_axis() -> None:
    # 20 treated patients, one with an event: 5% -> the axis ends at 10% (5 x 1.1 rounded up to a step of 5).
    adsl = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(20)], "SAFFL": "Y"})
    adae = pd.DataFrame(
        {"USUBJID": ["S0"], "AEBODSYS": [GI], "AEDECOD": ["Nausea"], "ATOXGR": pd.array([1], dtype="Int64")}
    )
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl))
    assert tuple(fig.layout.xaxis.range) == (0, 10)
    assert fig.data[0].x[0] == pytest.approx(5.0)


def test_long_labels_wrapped_with_full_name_in_hover(adsl: pd.DataFrame) -> None:
    soc = "Musculoskeletal and connective tissue disorders"
    adae = pd.DataFrame(
        {
            "USUBJID": ["S1"],
            "AEBODSYS": [soc],
            "AEDECOD": ["Arthralgia"],
            "ATOXGR": pd.array([2], dtype="Int64"),
        }
    )
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl, level="soc"))
    assert list(fig.layout.yaxis.categoryarray) == ["Musculoskeletal and connective<br>tissue disorders"]
    assert fig.data[0].customdata[0][5] == soc
    # The left margin holds the longer line of the label (13 px text and room for the ticks), so plotly
    # need not widen it (and draw the figure twice).
    assert fig.layout.margin.l == math.ceil(text_width("Musculoskeletal and connective", 13)) + TICK_ROOM
    # The legend's one row above the plot, and half the last tick label on the right.
    height, bottom = fig.layout.height, fig.layout.margin.b
    assert fig.layout.margin.t == math.ceil(LEGEND_ROW_PX + 0.02 * (height - bottom))
    assert fig.layout.margin.r == 28


def test_long_panel_titles_wrapped(adae: pd.DataFrame) -> None:
    adsl = pd.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4"],
            "SAFFL": "Y",
            "TRT01A": ["Xanomeline High Dose", "Xanomeline High Dose", "Placebo", "Xanomeline Low Dose"],
        }
    )
    fig = toxicity_grade_figure(tox.toxicity_by_grade(adae, adsl, level="soc", by="TRT01A"))
    # Three panels hold 80 // 3 = 26 characters a line: the two long titles wrap before the denominator.
    assert [a.text for a in fig.layout.annotations] == [
        "Placebo (N = 1)", "Xanomeline High Dose<br>(N = 2)", "Xanomeline Low Dose<br>(N = 1)",
    ]  # fmt: skip
    assert fig.layout.margin.t == 85
    two = adsl.assign(TRT01A=["Xanomeline High Dose"] * 2 + ["Placebo"] * 2)
    fig2 = toxicity_grade_figure(tox.toxicity_by_grade(adae, two, level="soc", by="TRT01A"))
    # Two panels hold 40 characters: no wrap.
    assert [a.text for a in fig2.layout.annotations] == ["Placebo (N = 2)", "Xanomeline High Dose (N = 2)"]
