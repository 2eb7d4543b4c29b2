"""Data of another study without a study file: neutral labels, no target, no benchmark ("254 enrolled")."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CONFORMANCE, metrics

from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.study import neutral_study
from medcare_metrics.views.enrollment import EnrollmentControls, enrollment_view
from medcare_metrics.views.overview import OverviewControls, overview_view
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import survival_choices

PILOT = CONFORMANCE / "cdiscpilot01"


@pytest.fixture(scope="module")
def pilot() -> TrialData:
    trial = load_trial(PILOT).trial
    assert trial is not None
    return trial


def test_neutral_study_is_taken_from_the_data() -> None:
    adsl = pd.DataFrame(
        {
            "STUDYID": ["X1", "X1", "X1"],
            "USUBJID": ["a", "b", "c"],
            "SITENAME": ["North", "South", None],
            "MDTTYPE": ["B", "A", "B"],
        }
    )
    adtte = pd.DataFrame(
        {
            "USUBJID": ["a", "a", "b"],
            "PARAMCD": ["OS", "PFS", "OS"],
            "PARAM": ["Overall survival (days)", None, "Overall survival (days)"],
        }
    )
    study = neutral_study(adsl, adtte)
    assert study.neutral and study.source == "data"
    assert (study.study_id, study.title) == ("X1", "X1")
    # Data order, the first one primary; a code without PARAM is its own label.
    assert [(e.paramcd, e.label, e.primary) for e in study.endpoints] == [
        ("OS", "Overall survival (days)", True),
        ("PFS", "PFS", False),
    ]
    assert study.target_enrollment is None and study.planned_accrual_months is None
    assert study.benchmarks == () and study.toxicity_rule is None and study.visit_schedule is None
    assert study.centres == ("North", "South") and study.mdt_types == ("A", "B")
    assert study.eligibility.max_lesions is None and study.eligibility.criteria == {}


def test_cdisc_pilot_gets_a_neutral_study(pilot: TrialData) -> None:
    study = pilot.study
    assert study.neutral and study.study_id == "CDISCPILOT01"
    assert study.endpoint_labels == {"TTDE": "Time to First Dermatologic Event"}
    assert study.target_enrollment is None and study.benchmarks == ()


def test_overview_says_254_enrolled_without_a_target(pilot: TrialData) -> None:
    view = overview_view(ViewScope.of(pilot), OverviewControls())
    enrolled = view.cards[0][0]
    assert enrolled.value == "254"
    assert enrolled.caption.startswith("254 enrolled")
    assert " of " not in enrolled.value and " of 18" not in enrolled.caption
    assert view.target is None
    assert "Still to enroll" not in set(view.progress["CATEGORY"])


def test_enrollment_draws_no_target_and_predicts_nothing(pilot: TrialData) -> None:
    view = enrollment_view(ViewScope.of(pilot), EnrollmentControls())
    assert view.status.headline == "254 enrolled"
    assert dict((label, value) for label, value, _ in view.status.metrics) == {"Enrolled": "254"}
    assert view.status.prediction_text == ""
    assert "no target enrollment" in view.status.no_prediction
    assert view.cumulative is not None
    assert view.cumulative.cumulative.target is None and view.cumulative.cumulative.plan.empty
    assert view.cumulative.projection is None
    assert "planned accrual" not in view.cumulative_caption


def test_survival_offers_no_benchmark(pilot: TrialData) -> None:
    choices = survival_choices(ViewScope.of(pilot))
    ttde = choices.endpoint("TTDE")
    assert not ttde.has_benchmark and "the study file names none" in ttde.no_benchmark
    assert ttde.label == "Time to First Dermatologic Event (TTDE)"
    assert choices.benchmark_other_study == ""


def test_overview_page_on_the_pilot(app) -> None:
    at = app("pages/overview.py", data=PILOT)
    at.run()
    assert not at.exception
    assert metrics(at)["Enrolled"] == "254"
    captions = " ".join(c.value for c in at.caption)
    assert "254 enrolled" in captions and "of 18" not in captions
    target_input = at.sidebar.number_input(key="medcare_target_enrollment")
    assert target_input.value is None  # the sidebar's settings start from the (neutral) study
