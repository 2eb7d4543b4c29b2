"""The Enrollment view on the tiny hand-built trial (tests/conftest.py::tiny_frames), without Streamlit.

Hand-worked facts: enrolled T-01..T-04 on 2022-01-10, 2022-03-05, 2022-06-01, 2023-02-15; screen failures T-05
(centre 02) and T-06 (centre 01); first screening 2022-01-03; cut-off 2024-01-31; NEST-FS events T-01, T-02;
T-03 COMPLETED; target 18 in 24 months (protocol defaults).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.text import enrollment as text
from medcare_metrics.views.enrollment import (
    EnrollmentControls,
    enrollment_choices,
    enrollment_view,
)
from medcare_metrics.views.scope import ViewScope


def _trial(tmp_path: Path, name: str = "tiny", **changes: pd.DataFrame | None) -> TrialData:
    frames = tiny_frames()
    frames.update(changes)
    loaded = load_trial(write_source(tmp_path / name, **{k: v for k, v in frames.items() if v is not None}))
    assert loaded.trial is not None
    return loaded.trial


@pytest.fixture
def trial(tmp_path: Path) -> TrialData:
    return _trial(tmp_path)


def test_status_tables_and_sentences(trial: TrialData) -> None:
    view = enrollment_view(ViewScope.of(trial), EnrollmentControls())
    status = view.status
    assert status.headline == "Enrollment open"
    shown = {label: value for label, value, _ in status.metrics}
    assert shown["Enrolled"] == "4 of 18"
    assert shown["Accrual rate vs plan"] == "21%"  # (4 / 758) / (18 / 730.5)
    assert "P = 0.50" in status.method_text and status.prediction_text.startswith(
        "Target of 18 reached by **"
    )
    assert status.no_prediction == "" and status.filter_note == ""
    assert view.empty_text == "" and view.has_subjects

    assert view.cumulative is not None
    assert view.cumulative.total_label == "All centres"
    assert view.cumulative.projection is not None and list(view.cumulative.projection["N"]) == list(
        range(4, 19)
    )
    assert view.centre_names == {"01": "UZ Leuven", "02": "UZ Gent"}
    assert "Dashed: the predicted (median) date" in view.cumulative_caption

    assert view.by_month["N"].sum() == 4
    funnel = view.funnel.set_index("STAGE")["N"]
    assert (funnel["SCREENED"], funnel["ENROLLED"], funnel["NEST"], funnel["FOLLOW_UP"]) == (6, 4, 2, 1)
    assert view.reasons.set_index("SCRFCRIT")["N"].to_dict() == {"NOT RECORDED": 2}
    assert view.listing["USUBJID"].tolist() == ["T-06", "T-05"]  # by centre, then subject
    centres = view.centres.set_index("SITEID")
    assert centres.loc["01", ["SCREENED", "ENROLLED"]].tolist() == [3, 2]
    assert centres.loc["02", "DAYS_SINCE_LAST"] == 350  # 2023-02-15 to 2024-01-31
    assert centres.loc["ALL", ["SCREENED", "ENROLLED", "SCREEN_FAILURES"]].tolist() == [6, 4, 2]
    assert "counted to unknown" in view.centre_caption  # ViewScope.of has no as-of date

    maturity = view.maturity
    assert not maturity.missing_adtte and maturity.unavailable == ""
    numbers = {label: value for label, value, _ in maturity.metrics}
    assert numbers == {
        "NEST-FS events": "2",
        "At risk": "1",
        "Fitted median": "9.7 months",
        "Follow-up ended": "1",
    }
    assert [label for label, _ in maturity.lines][1] == "Benchmark median 21 months (SBRT or metastasectomy)"
    assert maturity.reached == ()
    # 14 patients still to come (open, no filter) are counted from their predicted dates.
    assert "The 14 patients still to be enrolled" in maturity.caption
    assert set(maturity.projection["SCENARIO"]) == {label for label, _ in maturity.lines}
    assert len(maturity.projection) == 2 * 37  # months 0..36, two scenarios


def test_controls_change_the_projection(trial: TrialData) -> None:
    scope = ViewScope.of(trial)
    view = enrollment_view(scope, EnrollmentControls(certainty=1.0, horizon_months=12, events_needed=3))
    assert "P = 1.00" in view.status.method_text
    assert len(view.maturity.projection) == 2 * 13
    assert view.maturity.events_needed == 3
    assert len(view.maturity.reached) == 2
    assert all(": 3 events expected by " in line for line in view.maturity.reached)


def test_target_comes_from_the_scope_settings(trial: TrialData) -> None:
    settings = TrialSettings(target_enrollment=4, planned_accrual_months=24.0)
    view = enrollment_view(ViewScope.of(trial, settings), EnrollmentControls())
    shown = {label: value for label, value, _ in view.status.metrics}
    assert view.status.headline == "Enrollment complete"
    assert (shown["Enrolled"], shown["Completed on"], shown["Duration"]) == (
        "4 of 4",
        "2023-02-15",
        "13.4 months",
    )
    assert view.cumulative is not None and view.cumulative.projection is None
    assert view.cumulative.completed_on == pd.Timestamp("2023-02-15")
    # Out-of-range settings are refused by protocol.check_settings, not silently used.
    with pytest.raises(ValueError, match="target enrollment"):
        enrollment_view(
            ViewScope.of(trial, replace(DEFAULT_SETTINGS, target_enrollment=0)), EnrollmentControls()
        )


def test_filters_follow_the_tables_not_the_status(trial: TrialData) -> None:
    filters = Filters.from_mapping({"SITEID": ["01"]})
    selected = apply_filters(trial, filters)
    scope = ViewScope(selected, trial, trial, selected, pd.DataFrame(), filters=filters)
    view = enrollment_view(scope, EnrollmentControls())
    assert {label: value for label, value, _ in view.status.metrics}["Enrolled"] == "4 of 18"  # whole trial
    assert "whole trial" in view.status.filter_note
    assert view.cumulative is not None and view.cumulative.projection is None
    assert view.cumulative.total_label == "Selected patients"
    assert view.centres["SITEID"].tolist() == ["01", "ALL"]
    assert view.funnel.set_index("STAGE")["N"]["SCREENED"] == 3
    assert "still to be enrolled" not in view.maturity.caption  # no projection while filtered


def test_empty_adsl_says_so_in_one_sentence(tmp_path: Path) -> None:
    frames = tiny_frames()
    trial = _trial(tmp_path, "empty", adsl=frames["adsl"].iloc[0:0])
    scope = ViewScope.of(trial)
    assert not enrollment_choices(scope).has_subjects
    view = enrollment_view(scope, EnrollmentControls())
    assert view.empty_text == text.NO_SUBJECT
    assert not view.has_subjects and view.cumulative is None
    assert {label: value for label, value, _ in view.status.metrics}["Enrolled"] == "0 of 18"
    assert "needs dates" in view.status.no_prediction


def test_no_enrolled_patient_says_so_and_counts_the_screened(tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"].assign(ENRLFL="N", ENRLDT="", TRTSDT="", MDTTYPE="")
    trial = _trial(tmp_path, "none_enrolled", adsl=adsl, adtte=None, adae=None)
    view = enrollment_view(ViewScope.of(trial), EnrollmentControls())
    assert view.empty_text == text.NO_ENROLLED
    assert view.has_subjects
    assert view.centres.set_index("SITEID").loc["ALL", ["SCREENED", "ENROLLED"]].tolist() == [6, 0]
    assert view.by_month.empty
    assert view.maturity.missing_adtte


def test_maturity_without_the_primary_endpoint(tmp_path: Path) -> None:
    adtte = tiny_frames()["adtte"]
    trial = _trial(tmp_path, "pfs_only", adtte=adtte.loc[adtte["PARAMCD"].eq("PFS")])
    scope = ViewScope.of(trial)
    assert not enrollment_choices(scope).maturity
    view = enrollment_view(scope, EnrollmentControls())
    assert view.maturity.unavailable == "ADTTE has no NEST-free survival (NESTFS) rows."
    assert view.maturity.metrics == ()
