"""The Overview view on the tiny source (tests/conftest.py::tiny_frames), without Streamlit.

Hand-worked answers: enrolled T-01..T-04 of 6 screened, on study T-01 and T-04, NEST-FS events T-01 (day
300) and T-02 (day 100), PFS events T-01, T-02, T-03, grade >= 3 AEs of T-02 (2022-04-01) and T-04
(2023-03-20), latest registration T-04 on 2023-02-15, cut-off 2024-01-31.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
from conftest import tiny_frames, write_source

from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.views.overview import (
    OverviewControls,
    OverviewView,
    overview_choices,
    overview_view,
)
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.toxicity import ToxicityControls, toxicity_view

CUTOFF = dt.date(2024, 1, 31)


def _trial(tmp_path: Path, name: str = "tiny", **frames: pd.DataFrame) -> TrialData:
    loaded = load_trial(write_source(tmp_path / name, **frames))
    assert loaded.trial is not None
    return loaded.trial


def _dated(trial: TrialData) -> ViewScope:
    """The scope the app builds for a view at the cut-off."""
    return dataclasses.replace(ViewScope.of(trial), as_of=CUTOFF, cutoff=CUTOFF)


def _cards(view: OverviewView) -> dict[str, tuple[str, str, str]]:
    return {c.measure: (c.label, c.value, c.caption) for row in view.cards for c in row}


def test_cards_hold_the_numbers_and_what_they_count(tmp_path: Path) -> None:
    view = overview_view(ViewScope.of(_trial(tmp_path, **tiny_frames())), OverviewControls())
    cards = _cards(view)
    values = {label: value for label, value, _ in cards.values()}
    assert values == {
        "Enrolled": "4 of 18",
        "Screened": "6",
        "On study": "2 of 4",
        "Latest enrollment": "2023-02-15",
        "NEST-FS events": "2 of 4",
        "PFS events": "3 of 4",
        # S = 3/4 after day 100, 3/8 after day 300 -> median 300 days = 9.86 months.
        "Median NEST-FS": "9.9 months",
        "Grade ≥ 3 toxicity": "2 of 4",
        # Reverse KM on NEST-FS (no OS): censorings at days 200 and 250 -> median 250 days = 8.2 months.
        "Median follow-up": "8.2 months",
    }
    assert "ENRLFL = Y" in cards["enrolled"][2]
    assert "CNSR = 0" in cards["nestfs_events"][2]
    # Only T-01 is at risk at the median (day 300): fewer than the default threshold of 3.
    assert (
        "Unreliable: the estimate rests on 1 patient at risk at the median (fewer than 3)."
        in (cards["nestfs_median"][2])
    )
    grade3 = cards["grade3_patients"][2]
    # Tiny ADSL has no SAFFL: the safety population is the treated patients (T-01..T-04 have a TRTSDT).
    assert "grade 3 or higher" in grade3 and "2 of 4 patients in the safety population" in grade3
    assert "all adverse events (ADAE has no TRTEMFL)" in grade3
    assert view.progress.to_dict("list") == {
        "CATEGORY": ["On study", "Off study", "Still to enroll"],
        "PATIENTS": [2, 2, 14],
    }
    assert view.target == 18
    assert view.changes is None  # ViewScope.of holds no date


def test_numbers_table_is_the_cards_in_plain_text(tmp_path: Path) -> None:
    view = overview_view(ViewScope.of(_trial(tmp_path, **tiny_frames())), OverviewControls())
    numbers = view.numbers
    assert list(numbers.columns) == ["MEASURE", "LABEL", "VALUE", "DESCRIPTION"]
    assert list(numbers["MEASURE"]) == [c.measure for row in view.cards for c in row]
    row = numbers.set_index("MEASURE").loc["nestfs_events"]
    assert (row["LABEL"], row["VALUE"]) == ("NEST-FS events", "2 of 4")
    assert "CNSR = 0" in row["DESCRIPTION"]
    # The caption's Markdown (bold marks, escapes) does not reach the table.
    assert not numbers["DESCRIPTION"].str.contains(r"\*\*|\\", regex=True).any()


def test_plain_text_undoes_bold_and_escapes() -> None:
    from medcare_metrics.text.common import escape_markdown, plain_text

    assert plain_text("**3 screen failures** left out") == "3 screen failures left out"
    raw = "Centre [A](http://x) *1* #2"
    assert plain_text(escape_markdown(raw)) == raw


def test_one_non_treatment_emergent_grade3_ae_counts_as_on_the_toxicity_page(tmp_path: Path) -> None:
    frames = tiny_frames()
    adae = frames["adae"].assign(TRTEMFL="Y")
    # T-01's grade 3 nausea before treatment: not treatment-emergent, so the Toxicity page leaves it out.
    pre = pd.DataFrame(
        {
            "USUBJID": ["T-01"],
            "AEDECOD": ["Nausea"],
            "AEBODSYS": ["Gastrointestinal disorders"],
            "ATOXGR": [3],
            "ASTDT": ["2022-01-12"],
            "TRTEMFL": ["N"],
        }
    )
    frames["adae"] = pd.concat([adae, pre], ignore_index=True)
    scope = ViewScope.of(_trial(tmp_path, **frames))
    overview = overview_view(scope, OverviewControls())
    toxicity = toxicity_view(scope, ToxicityControls())
    assert toxicity.high is not None
    label, value, caption = _cards(overview)["grade3_patients"]
    # Any grade 3 AE of an enrolled patient would say 3 (T-01, T-02, T-04); both pages say 2.
    assert value == f"{toxicity.high.count.n_patients} of {toxicity.high.count.n_population}" == "2 of 4"
    assert overview.summary.grade3_patients == 2
    assert label == "Grade ≥ 3 toxicity"
    assert "safety population" in caption and "treatment-emergent events" in caption
    assert "counted as on the Toxicity page" in caption


def test_severity_data_count_severe_as_the_toxicity_page(tmp_path: Path) -> None:
    frames = tiny_frames()
    severity = {1: "MILD", 2: "MODERATE", 3: "SEVERE"}
    frames["adae"] = (
        frames["adae"].assign(AESEV=frames["adae"]["ATOXGR"].map(severity)).drop(columns="ATOXGR")
    )
    scope = ViewScope.of(_trial(tmp_path, **frames))
    label, value, caption = _cards(overview_view(scope, OverviewControls()))["grade3_patients"]
    toxicity = toxicity_view(scope, ToxicityControls())
    assert toxicity.high is not None
    count = toxicity.high.count
    assert (label, value) == ("SEVERE toxicity", f"{count.n_patients} of {count.n_population}")
    assert value == "2 of 4"
    assert "SEVERE AE (AESEV" in caption


def test_missing_adae_says_why(tmp_path: Path) -> None:
    scope = ViewScope.of(_trial(tmp_path, adsl=tiny_frames()["adsl"]))
    cards = _cards(overview_view(scope, OverviewControls()))
    assert cards["grade3_patients"][1:] == (
        "n/a",
        "Not available: No ADAE dataset (adverse events) in this source.",
    )
    assert cards["nestfs_events"][1] == "n/a"
    assert "No ADTTE dataset" in cards["nestfs_events"][2]


def test_a_filter_splits_the_progress_and_names_screen_failures_left_out(tmp_path: Path) -> None:
    trial = _trial(tmp_path, **tiny_frames())
    filters = Filters.from_mapping({"MDTTYPE": ["SBRT"]})
    selected = apply_filters(trial, filters)
    scope = ViewScope(selected, trial, trial, selected, pd.DataFrame(), filters=filters)
    view = overview_view(scope, OverviewControls())
    # SBRT: T-01 (on study) and T-03 (completed); T-02 and T-04 are enrolled outside the selection.
    assert view.progress.to_dict("list") == {
        "CATEGORY": ["On study", "Off study", "Not in selection", "Still to enroll"],
        "PATIENTS": [1, 1, 2, 14],
    }
    screened = _cards(view)["screened"]
    assert screened[1] == "2"
    assert "2 screen failures have no MDT type (MDTTYPE) and so are not in the selection" in screened[2]


def test_changes_since_a_date(tmp_path: Path) -> None:
    scope = _dated(_trial(tmp_path, **tiny_frames()))
    window = overview_choices(scope).since
    assert window is not None
    # 91 days before the cut-off; the earliest start is the first screening (T-01, 2022-01-03).
    assert (window.min, window.default, window.max) == (dt.date(2022, 1, 3), dt.date(2023, 11, 1), CUTOFF)
    changes = overview_view(scope, OverviewControls(dt.date(2022, 12, 31))).changes
    assert changes is not None
    assert changes.caption == "What is new between 2022-12-31 (excluded) and 2024-01-31 (included)."
    # T-04 enrolled 2023-02-15 and its grade 3 proctitis 2023-03-20; every endpoint event was in 2022.
    assert dict(changes.counts) == {
        "Patients enrolled": 1,
        "NEST-FS events": 0,
        "PFS events": 0,
        "Deaths": 0,
        "New grade ≥ 3 AEs": 1,
        "Grade upgrades": 0,
    }
    # No date, or one outside the bounds, is the default / the nearest bound.
    assert overview_view(scope, OverviewControls()).changes.since == dt.date(2023, 11, 1)  # type: ignore[union-attr]
    early = overview_view(scope, OverviewControls(dt.date(1900, 1, 1))).changes
    assert early is not None and early.since == dt.date(2022, 1, 3)
    assert dict(early.counts)["Patients enrolled"] == 4


def test_no_date_no_changes(tmp_path: Path) -> None:
    assert overview_choices(ViewScope.of(_trial(tmp_path, **tiny_frames()))).since is None


def test_event_counts_on_an_endpoint_mixing_time_units(tmp_path: Path) -> None:
    # Found by tests/test_properties.py: PFS rows in days and in months made the Overview raise ("mixes time
    # units"); an event count does not depend on the unit, and the NEST-FS median is unaffected.
    frames = tiny_frames()
    adtte = frames["adtte"].astype({"AVAL": float, "AVALU": object})
    adtte.loc[7, ["AVAL", "AVALU"]] = [100 / 30.4375, "MONTHS"]  # T-04's PFS censoring, in months
    view = overview_view(_dated(_trial(tmp_path, **{**frames, "adtte": adtte})), OverviewControls())
    assert (view.summary.nestfs_events, view.summary.pfs_events) == (2, 3)
    assert _cards(view)["pfs_events"][1] == "3 of 4"
    assert view.summary.reason("pfs_events") is None
