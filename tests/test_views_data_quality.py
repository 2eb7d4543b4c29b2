"""The Data quality view on a tiny source with known problems, without Streamlit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.filters import Filters
from medcare_metrics.loading import load_trial
from medcare_metrics.views.data_quality import (
    DataQualityControls,
    data_quality_choices,
    data_quality_view,
)
from medcare_metrics.views.scope import ViewScope


@pytest.fixture
def scope(tmp_path: Path) -> ViewScope:
    """One warning (WHOPS 7), one error (ADTTE subject T-99 not in ADSL), one deviation (T-02 testosterone
    80 ng/dL above the castrate level) and one non-CTCAE term (T-01 "Feeling blue")."""
    frames = tiny_frames()
    frames["adsl"]["BTESTO"] = [20.0, 80.0, 30.0, 10.0, 200.0, 15.0]
    frames["adsl"]["WHOPS"] = [0, 1, 7, 0, 1, 0]
    stray = frames["adtte"].iloc[[0]].assign(USUBJID="T-99")
    frames["adtte"] = pd.concat([frames["adtte"], stray], ignore_index=True)
    frames["adae"].loc[0, "AEDECOD"] = "Feeling blue"
    loaded = load_trial(write_source(tmp_path / "flawed", **frames))
    assert loaded.trial is not None
    full = ViewScope.of(loaded.trial)
    return ViewScope(full.trial, full.trial, full.trial, full.trial, loaded.problems)


def test_counts_and_sentences(scope: ViewScope) -> None:
    view = data_quality_view(scope, DataQualityControls())
    assert sorted(view.problems["severity"]) == ["error", "warning"]
    assert view.problems_caption.startswith("1 error (row or dataset left out")
    assert "1 warning (value set missing" in view.problems_caption
    assert view.shown_caption == "2 of 2 problems shown."
    assert view.deviations.findings["USUBJID"].tolist() == ["T-02"]
    assert view.ctcae.applies
    assert view.ctcae.problems["AEDECOD"].tolist() == ["Feeling blue"]
    assert view.replay_note == ""


def test_problem_filters_and_search_select_rows(scope: ViewScope) -> None:
    choices = data_quality_choices(scope)
    assert choices.values("severity") == ("error", "warning")
    only_errors = data_quality_view(scope, DataQualityControls(Filters.from_mapping({"severity": ["error"]})))
    assert only_errors.shown["dataset"].tolist() == ["ADTTE"]
    assert only_errors.shown_caption == "1 of 2 problems shown."
    searched = data_quality_view(scope, DataQualityControls(search="T-99"))
    assert searched.shown["USUBJID"].tolist() == ["T-99"]


def test_no_adae_says_so(tmp_path: Path) -> None:
    frames = tiny_frames()
    del frames["adae"]
    loaded = load_trial(write_source(tmp_path / "no_adae", **frames))
    assert loaded.trial is not None
    view = data_quality_view(ViewScope.of(loaded.trial), DataQualityControls())
    assert view.problems.empty
    assert view.ctcae.missing_adae and not view.ctcae.applies
