"""Figure download configuration: one image format per plotly config."""

from __future__ import annotations

import pytest

from medcare_metrics.figures.style import DOWNLOAD_CONFIG, download_config


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
