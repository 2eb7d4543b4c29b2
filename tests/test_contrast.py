"""Marks read on a projector: grade colours and swimmer markers reach WCAG contrast 3:1 on the background."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from medcare_metrics.figures.style import (
    BACKGROUND,
    FOOTER_COLOR,
    GRADE_COLORS,
    MIN_CONTRAST,
    SWIMMER_MARKERS,
    apply_layout,
    contrast_ratio,
)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    # WCAG 2: black on white is 21:1, white on white 1:1; #777777 on white is about 4.48:1.
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#000000") == contrast_ratio("#000000", "#ffffff")
    # The former grade 1 yellow fails: the check can fail.
    assert contrast_ratio("#fee391") < MIN_CONTRAST


def test_background_is_the_figures_background() -> None:
    fig = apply_layout(go.Figure())
    template = (
        pio.templates[fig.layout.template] if isinstance(fig.layout.template, str) else fig.layout.template
    )
    for colour in (template.layout.paper_bgcolor, template.layout.plot_bgcolor):
        assert str(colour).lower() in (BACKGROUND, "white")


@pytest.mark.parametrize("grade", sorted(GRADE_COLORS))
def test_grade_colours_reach_three_to_one(grade: int) -> None:
    assert contrast_ratio(GRADE_COLORS[grade]) >= MIN_CONTRAST


@pytest.mark.parametrize("event", sorted(SWIMMER_MARKERS))
def test_swimmer_markers_reach_three_to_one(event: str) -> None:
    _, colour, _ = SWIMMER_MARKERS[event]
    assert contrast_ratio(colour) >= MIN_CONTRAST


def test_grades_stay_ordered_light_to_dark() -> None:
    ratios = [contrast_ratio(GRADE_COLORS[g]) for g in sorted(GRADE_COLORS)]
    assert ratios == sorted(ratios)


def test_footer_reads_like_body_text() -> None:
    assert contrast_ratio(FOOTER_COLOR) >= 4.5
