"""Regression tests: crashes on valid data (or valid addresses) that users hit, from the reliability issue.

Each test failed (page exception, or unbounded memory) before its fix. Facts of the shipped example used here:
first entry date (earliest consent / screening) 2022-02-27, first registration 2022-03-30, cut-off
2025-06-30, 18 of 25 subjects enrolled; the sidebar clamps an as-of date before the first entry to it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import header, tiny_frames, write_source

from medcare_app.sidebar import ACCRUAL_KEY, AS_OF_KEY, TARGET_KEY
from medcare_metrics import protocol
from medcare_metrics import survival as sv
from medcare_metrics.cuts import SinceWindow, since_window
from medcare_metrics.figures.lesions import lesion_count_figure
from medcare_metrics.lesions import lesion_count_distribution
from medcare_metrics.loading import load_trial
from medcare_metrics.patients import patient_profile, time_to_event_table

FIRST_ENTRY = dt.date(2022, 2, 27)
NO_LESION = "No enrolled patient in the selection, so no lesion to show."


def _all_text(at) -> str:
    """Every markdown, caption, info and warning text of the page's main area, joined."""
    parts = [e.value for kind in ("markdown", "caption", "info", "warning") for e in getattr(at.main, kind)]
    return "\n".join(str(p) for p in parts)


# --- "Changes since": one rule for its bounds and default (medcare_metrics.cuts.since_window) -------------


def test_since_window_is_91_days_back_when_the_trial_is_older() -> None:
    window = since_window(pd.Timestamp("2021-01-01"), "2022-06-30")
    assert window == SinceWindow(
        min=dt.date(2021, 1, 1), default=dt.date(2022, 3, 31), max=dt.date(2022, 6, 30)
    )


def test_since_window_default_not_before_the_first_entry() -> None:
    # 2022-03-20 - 91 days = 2021-12-19, before the first entry (2022-02-27): the default is the first entry.
    window = since_window(pd.Timestamp("2022-02-27"), dt.date(2022, 3, 20))
    assert window == SinceWindow(min=FIRST_ENTRY, default=FIRST_ENTRY, max=dt.date(2022, 3, 20))


def test_since_window_as_of_before_the_first_entry_collapses_to_the_date() -> None:
    window = since_window("2022-02-27", "1900-01-01")
    day = dt.date(1900, 1, 1)
    assert window == SinceWindow(min=day, default=day, max=day)


def test_since_window_without_first_entry_has_no_lower_bound() -> None:
    window = since_window(None, "2022-06-30")
    assert window == SinceWindow(min=None, default=dt.date(2022, 3, 31), max=dt.date(2022, 6, 30))
    assert window.clamp("1900-01-01") == dt.date(1900, 1, 1)


def test_since_window_clamp_keeps_a_url_value_within_bounds() -> None:
    window = since_window("2022-02-27", "2022-05-20")
    assert window.default == dt.date(2022, 2, 27)  # 2022-05-20 - 91 days = 2022-02-18
    assert window.clamp("1900-01-01") == FIRST_ENTRY
    assert window.clamp("2099-01-01") == dt.date(2022, 5, 20)
    assert window.clamp(dt.date(2022, 4, 1)) == dt.date(2022, 4, 1)
    assert window.clamp(None) == window.default
    assert window.clamp("not a date") == window.default


@pytest.mark.parametrize(
    ("query", "since", "as_of"),
    [
        ({"asof": "2022-03-20"}, FIRST_ENTRY, dt.date(2022, 3, 20)),
        # The sidebar clamps the as-of date to the first entry date.
        ({"asof": "1900-01-01"}, FIRST_ENTRY, FIRST_ENTRY),
        # A since= outside the bounds falls back to the default.
        ({"asof": "2022-03-20", "since": "1900-01-01"}, FIRST_ENTRY, dt.date(2022, 3, 20)),
        ({"asof": "2022-03-20", "since": "2023-01-01"}, FIRST_ENTRY, dt.date(2022, 3, 20)),
    ],
)
def test_overview_changes_since_early_as_of(app, query, since, as_of) -> None:
    at = app("pages/overview.py", data=None, query=query)
    at.run()
    assert not at.exception
    assert at.sidebar.date_input(key=AS_OF_KEY).value == as_of
    assert at.date_input(key="since").value == since
    window = f"What is new between {since:%Y-%m-%d} (excluded) and {as_of:%Y-%m-%d} (included)."
    assert window in _all_text(at)
    assert {m.label: m.value for m in at.metric}["Patients enrolled"] == "0"  # first registration 2022-03-30


@pytest.mark.parametrize(
    "query",
    [{"asof": "2022-03-20"}, {"asof": "1900-01-01"}, {"asof": "2022-03-20", "since": "2099-01-01"}],
)
def test_patients_changes_since_early_as_of(app, query) -> None:
    at = app("pages/patients.py", data=None, query=query)
    at.run()
    assert not at.exception
    assert "No enrolled patient with a registration date to draw." in _all_text(at)  # the swimmer tab
    at.query_params["patients_tab"] = at.session_state["patients_tab"] = "Changes since"
    at.run()
    assert not at.exception
    assert at.date_input(key="since").value == FIRST_ENTRY
    as_of = at.sidebar.date_input(key=AS_OF_KEY).value
    assert f"New between **{FIRST_ENTRY:%Y-%m-%d}** (excluded) and **{as_of:%Y-%m-%d}**" in _all_text(at)


def test_patients_changes_since_window_91_days_back(app) -> None:
    """Unchanged where the old default was valid: 91 days before the view date."""
    at = app("pages/patients.py", data=None, query={"asof": "2022-09-30", "patients_tab": "Changes since"})
    at.run()
    assert not at.exception
    assert at.date_input(key="since").value == dt.date(2022, 7, 1)


# --- Lesions with no enrolled patient ----------------------------------------------------------------------


@pytest.mark.parametrize("query", [{"asof": "1900-01-01"}, {"asof": "2022-03-20"}, {"ENRLFL": "N"}])
def test_lesions_page_without_enrolled_patient_example(app, query) -> None:
    at = app("pages/lesions.py", data=None, query=query)
    at.run()
    assert not at.exception
    assert header(at).startswith("**0 of ")
    if "ENRLFL" in query:  # filters that match no enrolled patient: the header's one sentence, nothing else
        assert [w.value for w in at.warning] == ["No patient matches the filters (Enrolled: N)."]
        assert not at.info
    else:  # the replay banner, then the page's own sentence
        info = [i.value for i in at.info]
        assert info[0].startswith("Replayed as of ") and info[1:] == [NO_LESION]


def _screen_failure_centre_frames() -> dict[str, pd.DataFrame]:
    """tiny_frames plus an ADTU and centre 03, whose only subject (T-07) is a screen failure with a lesion."""
    frames = tiny_frames()
    adsl = frames["adsl"]
    extra = adsl.iloc[[4]].assign(USUBJID="T-07", SITEID="03", SITENAME="AZ Delta")
    frames["adsl"] = pd.concat([adsl, extra], ignore_index=True)
    frames["adtu"] = pd.DataFrame(
        {
            "USUBJID": ["T-01", "T-02", "T-07"],
            "TULNKID": ["L1", "L1", "L1"],
            "TULOC": ["Rib", "Pelvic lymph node", "Rib"],
            "TULOCCAT": ["Bone", "Lymph node", "Bone"],
            "TUMETHOD": "Conventional",
        }
    )
    return frames


def test_lesions_page_centre_with_screen_failures_only(app, tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", **_screen_failure_centre_frames())
    at = app("pages/lesions.py", data=source, query={"SITEID": "03"})
    at.run()
    assert not at.exception
    assert header(at).startswith("**0 of 4 patients** · Filters: Centre: AZ Delta")
    assert [w.value for w in at.warning] == ["No patient matches the filters (Centre: AZ Delta)."]
    assert not at.info


def test_lesion_count_figure_of_no_patient() -> None:
    frames = _screen_failure_centre_frames()
    adsl = frames["adsl"].loc[frames["adsl"]["SITEID"].eq("03")]
    distribution = lesion_count_distribution(frames["adtu"], adsl)
    assert distribution["N_PATIENTS"].sum() == 0
    fig = lesion_count_figure(distribution)
    assert sum(len(trace.y) for trace in fig.data) == 0
    assert fig.layout.yaxis.dtick == 1  # no patient: the small-count axis


# --- Patients: a newly registered patient without time-to-event rows ----------------------------------------


def _new_patient_frames() -> dict[str, pd.DataFrame]:
    """tiny_frames plus T-07, registered 2024-01-20 (cut-off 2024-01-31), in ADSL only."""
    frames = tiny_frames()
    adsl = frames["adsl"]
    new = adsl.iloc[[0]].assign(USUBJID="T-07", SCRNDT="2024-01-10", ENRLDT="2024-01-20", TRTSDT="")
    frames["adsl"] = pd.concat([adsl, new], ignore_index=True)
    return frames


def test_time_to_event_table_of_patient_without_rows(tmp_path: Path) -> None:
    result = load_trial(write_source(tmp_path / "src", **_new_patient_frames()))
    assert result.n_errors == 0
    table = time_to_event_table(patient_profile(result.trial, "T-07"))
    assert table is not None and table.empty
    assert list(table.columns) == ["Endpoint", "Time", "Outcome", "Origin", "Date", "Description"]
    # A patient with rows is unchanged: NEST-FS event at day 300, PFS event at day 150.
    other = time_to_event_table(patient_profile(result.trial, "T-01"))
    assert other[["Endpoint", "Time", "Outcome"]].values.tolist() == [
        ["NESTFS", "300 days", "Event"],
        ["PFS", "150 days", "Event"],
    ]


def test_patients_page_profile_of_patient_without_time_to_event(app, tmp_path: Path) -> None:
    source = write_source(tmp_path / "src", **_new_patient_frames())
    at = app("pages/patients.py", data=source, query={"patient": "T-07", "patients_tab": "Patient profile"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="patient").value == "T-07"
    assert "No time-to-event record for this patient." in _all_text(at)
    assert header(at).startswith("**5 of 5 patients**")


# --- Implausible time to event: validation and bounded axis ticks -------------------------------------------


def _adtte_with(tmp_path: Path, aval: str, unit: str = "DAYS") -> Path:
    """tiny_frames with T-01's NEST-FS AVAL (file row 2) replaced by ``aval`` in ``unit``."""
    frames = tiny_frames()
    adtte = frames["adtte"].astype({"AVAL": object})
    adtte.loc[0, ["AVAL", "AVALU"]] = [aval, unit]
    frames["adtte"] = adtte
    return write_source(tmp_path / f"src_{aval}_{unit}", **frames)


@pytest.mark.parametrize(
    ("aval", "unit", "shown"),
    [
        ("1e308", "DAYS", "1e+308"),
        ("100000", "DAYS", "100000"),
        ("36526", "DAYS", "36526"),
        ("1201", "MONTHS", "1201"),
        ("101", "YEARS", "101"),
        ("inf", "DAYS", "inf"),
    ],
)
def test_implausible_aval_is_a_validation_error(tmp_path: Path, aval: str, unit: str, shown: str) -> None:
    result = load_trial(_adtte_with(tmp_path, aval, unit))
    problems = result.problems
    assert result.n_errors == 1
    row = problems.iloc[0]
    assert (row["dataset"], row["column"], row["severity"], int(row["row"])) == ("ADTTE", "AVAL", "error", 2)
    assert row["problem"].startswith(f"AVAL {shown} is longer than 100 years")
    assert row["problem"].endswith("row excluded")
    adtte = result.trial.adtte
    assert len(adtte) == 7
    assert not ((adtte["USUBJID"] == "T-01") & (adtte["PARAMCD"] == "NESTFS")).any()


@pytest.mark.parametrize(("aval", "unit"), [("36525", "DAYS"), ("1200", "MONTHS"), ("100", "YEARS")])
def test_aval_of_100_years_is_accepted(tmp_path: Path, aval: str, unit: str) -> None:
    result = load_trial(_adtte_with(tmp_path, aval, unit))
    assert result.n_errors == 0
    assert len(result.trial.adtte) == 8


def test_nan_aval_is_a_validation_error(tmp_path: Path) -> None:
    result = load_trial(_adtte_with(tmp_path, "nan"))
    assert result.n_errors == 1
    assert result.problems.iloc[0]["problem"] == "AVAL 'nan' is not a number; row excluded"


def test_validate_command_fails_on_implausible_aval(tmp_path: Path, capsys) -> None:
    from medcare_metrics.cli.validate import run

    class Args:
        path = _adtte_with(tmp_path, "1e308")

    assert run(Args()) == 1
    assert "AVAL 1e+308 is longer than 100 years" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("max_time", "unit"),
    [(1e308, "DAYS"), (1e308 / 30, "MONTHS"), (1.7e308, "WEEKS"), (100_000.0, "DAYS"), (1e6, "YEARS")],
)
def test_at_risk_times_are_bounded_whatever_the_range(max_time: float, unit: str) -> None:
    times = sv.at_risk_times(max_time, unit)
    assert 1 <= len(times) <= sv.MAX_AT_RISK_TICKS + 1
    assert all(np.isfinite(times)) and times[0] == 0.0 and times[-1] <= max_time
    assert len(sv.at_risk_times(1000.0, "DAYS", max_ticks=10**9)) <= sv.MAX_AT_RISK_TICKS + 1


def test_at_risk_times_of_100000_days_use_a_scaled_step() -> None:
    # 100,000 days used to give 69 ticks of 1461 days; now 10 x 1461 days.
    assert sv.at_risk_times(100_000.0, "DAYS") == [0.0, 14610.0, 29220.0, 43830.0, 58440.0, 73050.0, 87660.0]


def test_at_risk_times_unchanged_on_plausible_ranges() -> None:
    assert sv.at_risk_times(40.0, "MONTHS") == [0, 6, 12, 18, 24, 30, 36]
    # Beyond 8 steps of the longest round step the old steps are kept while they number at most 30.
    assert sv.at_risk_times(500.0, "MONTHS") == [48.0 * i for i in range(11)]


@pytest.mark.parametrize("aval", ["1e308", "inf"])
def test_survival_page_with_implausible_aval(app, tmp_path: Path, aval: str) -> None:
    at = app("pages/survival.py", data=_adtte_with(tmp_path, aval))
    at.run()
    assert not at.exception
    # T-01's NEST-FS row is left out: 3 patients, 1 event (T-02, day 100), 2 censored.
    medians = next(d.value for d in at.dataframe if "Patients" in d.value.columns)
    assert medians[["Patients", "Events", "Censored"]].values.tolist() == [[3, 1, 2]]
    chart = next(c for c in at.get("plotly_chart"))
    layout = json.loads(chart.proto.spec)["layout"]
    ticks = [axis["tickvals"] for name, axis in layout.items() if name.startswith("xaxis")]
    assert ticks and all(len(t) <= sv.MAX_AT_RISK_TICKS + 1 for t in ticks)


# --- Enrollment: target= and accrual= in the address -------------------------------------------------------


def test_check_settings_bounds() -> None:
    protocol.check_settings(protocol.DEFAULT_SETTINGS)
    protocol.check_settings(protocol.TrialSettings(target_enrollment=10_000, planned_accrual_months=600.0))
    protocol.check_settings(protocol.TrialSettings(target_enrollment=1, planned_accrual_months=1.0))
    for target, months in (
        (0, 24.0),
        (10_001, 24.0),
        (10**12, 24.0),
        (18, 0.0001),
        (18, 1e308),
        (18, np.nan),
    ):
        with pytest.raises(ValueError, match=r"target enrollment|planned accrual period"):
            protocol.check_settings(
                protocol.TrialSettings(target_enrollment=target, planned_accrual_months=months)
            )


@pytest.mark.parametrize(
    "query",
    [
        {"target": "1e12"},
        {"target": "99999999999999999999"},
        {"target": "-5"},
        {"target": "abc"},
        {"target": "10001"},
        {"accrual": "1e308"},
        {"accrual": "0.0001"},
        {"accrual": "1e6"},
        {"target": "nan", "accrual": "inf"},
    ],
)
def test_enrollment_out_of_range_settings_fall_back_to_default(app, query) -> None:
    at = app("pages/enrollment.py", data=None, query=query)
    at.run()
    assert not at.exception
    assert at.sidebar.number_input(key=TARGET_KEY).value == protocol.DEFAULT_SETTINGS.target_enrollment
    assert at.sidebar.number_input(key=ACCRUAL_KEY).value == protocol.DEFAULT_SETTINGS.planned_accrual_months
    assert {m.label: m.value for m in at.metric}["Enrolled"] == "18 of 18"


def test_enrollment_settings_at_the_bounds_are_kept(app) -> None:
    at = app("pages/enrollment.py", data=None, query={"target": "10000", "accrual": "600"})
    at.run()
    assert not at.exception
    assert at.sidebar.number_input(key=TARGET_KEY).value == 10_000
    assert at.sidebar.number_input(key=ACCRUAL_KEY).value == 600.0
    assert {m.label: m.value for m in at.metric}["Enrolled"] == "18 of 10000"
