"""Figure download configuration: one image format per plotly config."""

from __future__ import annotations

import math

import pytest

from medcare_metrics.figures.style import (
    DOWNLOAD_CONFIG,
    LEGEND_ROW_PX,
    TICK_ROOM,
    download_config,
    label_margin,
    legend_row_margin,
    text_width,
)


def test_png_is_drawn_at_twice_the_screen_resolution() -> None:
    config = download_config("png", "medcare_survival")
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "medcare_survival", "scale": 2}
    assert config["displaylogo"] is False
    assert "toImage" in config["modeBarButtonsToAdd"]


def test_svg_has_no_scale_and_any_case_is_accepted() -> None:
    options = download_config(" SVG ")["toImageButtonOptions"]
    assert options == {"format": "svg", "filename": "medcare_figure"}


def test_each_call_returns_a_new_dict() -> None:
    first = download_config("svg")
    first["toImageButtonOptions"]["format"] = "jpeg"
    assert download_config("svg")["toImageButtonOptions"]["format"] == "svg"
    assert DOWNLOAD_CONFIG["toImageButtonOptions"]["format"] == "png"


@pytest.mark.parametrize("fmt", ["jpeg", "pdf", ""])
def test_unknown_format_is_rejected(fmt: str) -> None:
    with pytest.raises(ValueError, match="png, svg"):
        download_config(fmt)


def test_text_width_uses_arial_widths() -> None:
    # "1" 556, "0" 556, "%" 889 thousandths of an em.
    assert text_width("100%", 10) == pytest.approx(25.57)
    assert text_width("Ii", 20) == pytest.approx((278 + 222) * 20 / 1000)
    assert text_width("", 13) == 0
    assert text_width("é", 10) == 10  # outside ASCII: a whole em


def test_label_margin_is_the_widest_label_and_room_for_ticks() -> None:
    widest = text_width("MEDCARE-01-001", 12)
    assert label_margin(["MEDCARE-01-001", "X"], 12) == math.ceil(widest) + TICK_ROOM
    assert label_margin([1, 22], 10, least=60) == 60
    assert label_margin([], 10) == TICK_ROOM


def test_legend_row_margin_is_the_row_and_two_percent_of_the_plot() -> None:
    assert legend_row_margin(450, 50) == LEGEND_ROW_PX + 8
    assert legend_row_margin(251, 50) == math.ceil(LEGEND_ROW_PX + 4.02)
