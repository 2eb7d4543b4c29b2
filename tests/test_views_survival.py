"""The Survival view on the tiny source, without Streamlit: answers worked out by hand.

NEST-FS in days (tests/conftest.py::tiny_frames): T-01 event at 300, T-02 event at 100, T-03 censored at 200,
T-04 censored at 250. S = 3/4 from day 100 and 0 from day 300: median day 300; the log band's lower limit
0.75 exp(-1.96 sqrt(1/12)) = 0.426 < 0.5 from day 100, the upper never falls to 0.5 before S = 0.
MDTTYPE: SBRT (T-01, T-03), Surgery (T-02), SBRT + surgery (T-04). Centres: 01 (T-01, T-02), 02 (T-03, T-04).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.loading import load_trial
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.survival import estimation, time_to_event
from medcare_metrics.text import survival as text
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import SurvivalControls, survival_choices, survival_view


def _scope(folder: Path, **changes: pd.DataFrame) -> ViewScope:
    frames = {**tiny_frames(), **changes}
    loaded = load_trial(write_source(folder, **frames))
    assert loaded.trial is not None
    return ViewScope.of(loaded.trial)


@pytest.fixture
def scope(tmp_path: Path) -> ViewScope:
    return _scope(tmp_path / "tiny")


def test_choices_offer_endpoints_groupings_and_the_settings(scope: ViewScope) -> None:
    choices = survival_choices(scope)
    assert not choices.missing_adtte and choices.medcare
    assert choices.codes == ("NESTFS", "PFS")  # the primary endpoint first
    assert choices.benchmark_other_study == ""
    nest = choices.endpoint("NESTFS")
    assert nest.error == "" and nest.has_benchmark and "medcare.toml" in nest.benchmark_help
    assert {"SITEID", "MDTTYPE"} <= set(nest.columns)
    assert nest.groups("MDTTYPE") == 3 and nest.groups("SITEID") == 2 and nest.groups(None) == 1
    assert nest.column_label("SITEID") == "Centre (SITEID)"
    assert nest.column_label(None) == text.NO_GROUPING
    assert choices.at_risk_threshold == DEFAULT_SETTINGS.at_risk_threshold == 3
    assert choices.landmarks("DAYS") == "183, 365, 548, 730"
    assert choices.landmarks("MONTHS") == "6, 12, 18, 24"
    unknown = choices.endpoint("XX")
    assert unknown.error == "no ADTTE rows for PARAMCD 'XX'; available: NESTFS, PFS"


def test_choices_take_their_defaults_from_the_trial_settings(scope: ViewScope) -> None:
    settings = replace(DEFAULT_SETTINGS, at_risk_threshold=5, landmark_months=(3.0,))
    choices = survival_choices(replace(scope, settings=settings))
    assert choices.at_risk_threshold == 5
    assert choices.landmarks("MONTHS") == "3"


def test_one_curve_in_days(scope: ViewScope) -> None:
    view = survival_view(scope, SurvivalControls("NESTFS", unit="DAYS"))
    assert view.unavailable == ""
    median = view.medians.iloc[0]
    assert (median["Patients"], median["Events"], median["Censored"]) == (4, 2, 2)
    assert median["Median (days)"] == "300"
    assert view.median_ci_column == "95% CI" and view.median_ci_heading == "95% CI, log"
    assert median["95% CI"] == "100 to not reached"
    assert list(view.km_table["TIME"]) == [100, 200, 250, 300]
    assert list(view.km_table["N_RISK"]) == [4, 3, 2, 1]
    # No benchmark asked for: ticks every 60 days up to day 300.
    assert list(view.at_risk["TIME"]) == [0, 60, 120, 180, 240, 300]
    assert list(view.at_risk["N_RISK"]) == [4, 4, 3, 3, 2, 1]
    assert view.figure is not None and view.figure.benchmarks is None
    assert view.figure.title == "NEST-free survival (NESTFS)"
    # The curve: a start row at S = 1; after day 200 fewer than 3 remain at risk (2, 1, 0): the tail.
    curve = view.figure.curve
    assert curve["SURV"].iloc[0] == 1.0 and list(curve["AT_RISK_AFTER"]) == [4, 3, 2, 1, 0]
    assert list(curve["TAIL"]) == [False, False, True, True, True]
    assert "fewer than 3 patients remain at risk" in view.figure_caption
    assert view.figure_caption.startswith("Shaded: pointwise 95% CI, log transform (R default).")
    assert view.comparison is None
    assert "Every distinct time (days)" in view.km_table_caption


def test_landmarks_default_to_the_settings_and_read_what_is_typed(scope: ViewScope) -> None:
    view = survival_view(scope, SurvivalControls("NESTFS"))
    landmarks = view.landmarks.set_index("Landmark (months)")
    assert view.landmark_times == (6.0, 12.0, 18.0, 24.0)
    # 6 months = 182.6 days: T-03, T-04, T-01 at risk; S = 3/4.
    assert landmarks.loc["6", "At risk"] == 3 and landmarks.loc["6", "Survival"] == "75.0%"
    assert landmarks.loc["12", "Survival"] == "beyond follow-up"
    typed = survival_view(scope, SurvivalControls("NESTFS", landmarks="3, 4; six"))
    assert typed.landmarks_ignored == ("six",)
    assert typed.ignored_text == "Ignored (not a time): six"
    assert list(typed.landmarks["Survival"]) == ["100.0%", "75.0%"]  # 3 months = 91.3 days, before day 100
    none = survival_view(scope, SurvivalControls("NESTFS", landmarks="x"))
    assert none.landmark_times == () and none.landmarks.empty and none.landmark_caption == ""


def test_three_groups_log_rank_and_pairwise_on_request(scope: ViewScope) -> None:
    view = survival_view(scope, SurvivalControls("NESTFS", by="MDTTYPE"))
    comparison = view.comparison
    assert comparison is not None
    assert comparison.n_groups == 3 and comparison.pairwise_offered and comparison.cox_text == ""
    # E = (1/2, 1/4, 1/4) at day 100, E_SBRT + 1 at day 300: chi2 = 3 on 2 df.
    assert comparison.logrank_text == "Log-rank chi-square 3.00 on 2 df, p = 0.223"
    assert list(comparison.logrank_table["Events observed"]) == [1, 0, 1]
    assert comparison.pairwise.empty and comparison.pairwise_caption == ""
    assert list(view.medians["Group"]) == ["SBRT", "SBRT + surgery", "Surgery"]
    pairs = survival_view(scope, SurvivalControls("NESTFS", by="MDTTYPE", pairwise=True)).comparison
    assert pairs is not None and len(pairs.pairwise) == 3
    row = pairs.pairwise.set_index("Comparison").loc["SBRT vs Surgery"]
    assert row["Chi-square"] == pytest.approx(2.0) and row["p (unadjusted)"] == "0.157"
    assert "not adjusted" in pairs.pairwise_caption


def test_two_centres_give_the_cox_sentence_with_centre_names(scope: ViewScope) -> None:
    comparison = survival_view(scope, SurvivalControls("NESTFS", by="SITEID")).comparison
    assert comparison is not None and not comparison.pairwise_offered
    assert comparison.logrank_text == "Log-rank chi-square 1.00 on 1 df, p = 0.317"
    assert comparison.cox_text.startswith(
        "Hazard ratio 02 UZ Gent vs 01 UZ Leuven: not estimable (no events in 02 UZ Gent"
    )


def test_benchmark_stretches_the_axis_and_is_named(scope: ViewScope) -> None:
    view = survival_view(scope, SurvivalControls("NESTFS", unit="DAYS", show_benchmark=True))
    assert view.figure is not None and view.figure.benchmarks is not None
    assert "Black markers at 50%" in view.figure_caption
    # The benchmark's upper limit, 22 months = 669.6 days: ticks every 90 days.
    assert len(view.at_risk) == 8


def test_missing_group_and_tail_notes(tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"]
    adsl.loc[0, "MDTTYPE"] = ""
    scope = _scope(tmp_path / "missing", adsl=adsl)
    view = survival_view(scope, SurvivalControls("NESTFS", by="MDTTYPE", tail="show", show_ci=False))
    assert "Group Missing: patients without a value in MDTTYPE." in view.figure_caption
    assert not view.figure_caption.startswith("Shaded") and "remain at risk" not in view.figure_caption
    assert list(view.medians["Group"])[-1] == "Missing"


def test_endpoint_without_benchmark(tmp_path: Path) -> None:
    adtte = tiny_frames()["adtte"]
    os_rows = adtte[adtte["PARAMCD"] == "NESTFS"].assign(PARAMCD="OS", CNSR=1)
    scope = _scope(tmp_path / "os", adtte=pd.concat([adtte, os_rows], ignore_index=True))
    choices = survival_choices(scope)
    assert choices.codes == ("NESTFS", "PFS", "OS")
    os = choices.endpoint("OS")
    assert not os.has_benchmark and os.no_benchmark.startswith("no historical benchmark for OS")
    view = survival_view(scope, SurvivalControls("OS", show_benchmark=True))
    assert view.figure is not None and view.figure.benchmarks is None
    assert "Black markers" not in view.figure_caption
    assert view.medians.iloc[0]["Median (months)"] == "not reached"


def test_unknown_endpoint_and_missing_adtte(scope: ViewScope, tmp_path: Path) -> None:
    view = survival_view(scope, SurvivalControls("XX"))
    assert view.unavailable == (
        "no ADTTE rows for PARAMCD 'XX'; available: NESTFS, PFS (with the filters in the sidebar)."
    )
    assert view.figure is None and view.medians.empty
    loaded = load_trial(write_source(tmp_path / "adsl_only", adsl=tiny_frames()["adsl"]))
    assert loaded.trial is not None
    bare = ViewScope.of(loaded.trial)
    assert survival_choices(bare).missing_adtte
    assert survival_view(bare, SurvivalControls("NESTFS")).unavailable == text.NO_ADTTE


def test_each_curve_is_fitted_once(scope: ViewScope, monkeypatch: pytest.MonkeyPatch) -> None:
    fitted: list[str] = []
    curve = estimation._curve

    def counting(group: str, *args: object) -> estimation.KMCurve:
        fitted.append(group)
        return curve(group, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(estimation, "_curve", counting)
    survival_view(scope, SurvivalControls("NESTFS", by="MDTTYPE", show_benchmark=True))
    assert sorted(fitted) == ["SBRT", "SBRT + surgery", "Surgery"]


def test_controls_are_hashable() -> None:
    assert hash(SurvivalControls("NESTFS", by="SITEID", landmarks="6, 12")) == hash(
        SurvivalControls("NESTFS", by="SITEID", landmarks="6, 12")
    )


def test_an_adtte_without_rows_says_so_whatever_the_filters(tmp_path: Path) -> None:
    scope = _scope(tmp_path / "empty", adtte=tiny_frames()["adtte"].iloc[0:0])
    choices = survival_choices(scope)
    assert not choices.missing_adtte and choices.codes == ()
    endpoint = choices.endpoint(None)  # the page's empty endpoint box
    assert endpoint.error == text.NO_ENDPOINT
    assert text.unavailable_endpoint(endpoint.error) == text.NO_ENDPOINT  # no "(with the filters ...)"
    assert text.unavailable_endpoint("no ADTTE rows for PARAMCD 'OS'").endswith(
        "(with the filters in the sidebar)."
    )


def test_a_missing_endpoint_is_the_projects_own_error(scope: ViewScope) -> None:
    assert scope.trial.adtte is not None
    with pytest.raises(DataUnavailable, match="no ADTTE rows for PARAMCD 'OS'") as raised:
        time_to_event(scope.trial.adtte, "OS")
    assert isinstance(raised.value, ValueError)  # callers catching ValueError keep working
    view = survival_view(scope, SurvivalControls("OS"))
    assert view.unavailable.startswith("no ADTTE rows for PARAMCD 'OS'") and view.figure is None


def test_an_endpoint_mixing_time_units_is_converted(tmp_path: Path) -> None:
    adtte = tiny_frames()["adtte"].astype({"AVAL": float, "AVALU": object})
    adtte.loc[3, ["AVAL", "AVALU"]] = [250 / 30.4375, "MONTHS"]  # T-04's NEST-FS censoring, in months
    mixed = survival_view(_scope(tmp_path / "mixed", adtte=adtte), SurvivalControls("NESTFS", unit="DAYS"))
    days = survival_view(_scope(tmp_path / "days"), SurvivalControls("NESTFS", unit="DAYS"))
    pd.testing.assert_frame_equal(mixed.km_table, days.km_table)


def test_a_missing_group_does_not_count_towards_the_groups_a_test_compares(tmp_path: Path) -> None:
    adsl = tiny_frames()["adsl"].copy()
    adsl["MDTTYPE"] = adsl["MDTTYPE"].astype(object)
    adsl.loc[adsl.index[0], "MDTTYPE"] = ""  # one patient without an MDT type: the curves show "Missing"
    scope = _scope(tmp_path / "tiny", adsl=adsl)
    before = tiny_frames()["adsl"]["MDTTYPE"].nunique()
    nest = survival_choices(scope).endpoint("NESTFS")
    remaining = adsl.loc[adsl["MDTTYPE"] != "", "MDTTYPE"].nunique()
    assert nest.groups("MDTTYPE") == remaining <= before
