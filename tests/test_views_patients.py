"""The Patients views (one per tab) on the tiny source plus a hand-built PSA dataset, without Streamlit.

Hand-worked answers (tests/conftest.py::tiny_frames): enrolled T-01..T-04; T-01 and T-04 ongoing, T-02
discontinued, T-03 completed, nobody died. NEST-FS days 300, 100, 200, 250. PSA best change: T-01 10 -> 4
(-60%), T-02 5 -> 6 (+20%), T-03 8 -> 2 (-75%), T-04 baseline only: 2 of 3 responders. Between 2022-06-01 and
the cut-off 2024-01-31: T-04 enrolled; NEST-FS events T-01 and T-02; PFS events T-01 and T-03; T-04's grade 3.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.views.patients import (
    ChangesControls,
    ProfileControls,
    SwimmerControls,
    WaterfallControls,
    changes_view,
    patients_choices,
    profile_view,
    swimmer_view,
    waterfall_view,
)
from medcare_metrics.views.scope import ViewScope

CUTOFF = dt.date(2024, 1, 31)


def _adlb() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["T-01", "T-01", "T-02", "T-02", "T-03", "T-03", "T-04"],
            "PARAMCD": "PSA",
            "AVAL": [10.0, 4.0, 5.0, 6.0, 8.0, 2.0, 3.0],
            "AVALU": "ng/mL",
            "ADT": [
                "2022-01-05",
                "2022-04-01",
                "2022-03-01",
                "2022-06-01",
                "2022-05-25",
                "2022-09-01",
                "2023-02-20",
            ],
            "ABLFL": ["Y", "N", "Y", "N", "Y", "N", "Y"],
        }
    )


def _trial(folder: Path, **frames: pd.DataFrame) -> TrialData:
    loaded = load_trial(write_source(folder, **frames))
    assert loaded.trial is not None
    return loaded.trial


@pytest.fixture
def scope(tmp_path: Path) -> ViewScope:
    """The tiny trial with PSA, viewed at its cut-off."""
    trial = _trial(tmp_path / "tiny_psa", **tiny_frames(), adlb=_adlb())
    return dataclasses.replace(ViewScope.of(trial), as_of=CUTOFF, cutoff=CUTOFF)


def test_choices(scope: ViewScope) -> None:
    choices = patients_choices(scope)
    assert choices.ids == ("T-01", "T-02", "T-03", "T-04")
    assert choices.has_adtte and choices.has_adlb
    assert choices.since is not None and choices.since.default == dt.date(2023, 11, 1)
    assert patients_choices(ViewScope.of(scope.trial)).since is None


def test_swimmer(scope: ViewScope) -> None:
    view = swimmer_view(scope, SwimmerControls())
    assert set(view.patients["USUBJID"]) == {"T-01", "T-02", "T-03", "T-04"}
    assert view.summary == "**4 patients**: 2 in follow-up, 2 left the study alive, 0 died."
    assert "else the cut-off)" in view.caption
    assert not view.missing_adtte
    assert set(view.events["EVENT"]) >= {"MDT", "Progression", "NEST start"}
    by_nestfs = swimmer_view(scope, SwimmerControls("nestfs"))
    assert by_nestfs.patients["USUBJID"].tolist() == ["T-01", "T-04", "T-03", "T-02"]
    with pytest.raises(ValueError, match="order"):
        swimmer_view(scope, SwimmerControls("age"))


def test_swimmer_without_dates_says_latest_date(tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["adsl"] = frames["adsl"].drop(columns=["DCUTDT"])
    scope = ViewScope.of(_trial(tmp_path / "no_cut", adsl=frames["adsl"]))
    view = swimmer_view(scope, SwimmerControls())
    assert "else the latest date in the data)" in view.caption
    assert view.missing_adtte
    # No EOSSTT would say "unknown"; here the four are alive with a status.
    assert view.summary.startswith("**4 patients**")


def test_waterfall(scope: ViewScope) -> None:
    view = waterfall_view(scope, WaterfallControls())
    assert (view.responders, view.evaluable) == (2, 3)
    assert view.sentence.startswith("**2 of 3 evaluable patients** had a PSA decline of at least 50%")
    assert view.title == "Best PSA change: 2 of 3 patients with a decline ≥ 50%"
    assert "up to the start of a next-line systemic treatment" in view.caption
    assert view.waterfall["USUBJID"].tolist() == ["T-02", "T-01", "T-03"]
    every_value = waterfall_view(scope, WaterfallControls(stop_at_nest=False))
    assert "up to the start" not in every_value.caption


def test_waterfall_without_adlb(tmp_path: Path) -> None:
    view = waterfall_view(ViewScope.of(_trial(tmp_path / "tiny", **tiny_frames())), WaterfallControls())
    assert view.missing_adlb and view.waterfall.empty


def test_profile(scope: ViewScope) -> None:
    view = profile_view(scope, ProfileControls("T-02"))
    assert view.profile is not None and view.profile.usubjid == "T-02"
    assert dict(zip(view.baseline["ITEM"], view.baseline["VALUE"], strict=True))["MDT type"] == "Surgery"
    assert dict(zip(view.dates["ITEM"], view.dates["VALUE"], strict=True))["Registration"] == "2022-03-05"
    assert view.adverse_events is not None
    assert view.adverse_events["Term"].tolist() == ["Cystitis noninfective", "Diarrhea"]
    assert view.lesions is None  # the tiny source has no ADTU
    assert view.time_to_event is not None and len(view.time_to_event) == 2
    assert view.profile.psa is not None and len(view.profile.psa) == 2
    unknown = profile_view(scope, ProfileControls("T-99"))
    assert unknown.profile is None and unknown.baseline.empty


def test_changes_since(scope: ViewScope) -> None:
    view = changes_view(scope, ChangesControls(dt.date(2022, 6, 1)))
    assert view.sentence == (
        "New between **2022-06-01** (excluded) and **2024-01-31** (included), among the patients selected in "
        "the sidebar."
    )
    assert dict(view.counts) == {
        "Patients enrolled": 1,
        "NEST-FS events": 2,
        "PFS events": 2,
        "Deaths": 0,
        "New grade ≥ 3 AEs": 1,
        "Grade upgrades": 0,
    }
    listings = {listing.name: listing for listing in view.listings}
    assert list(listings) == ["enrolled", "events", "deaths", "severe_aes", "upgrades"]
    assert listings["enrolled"].table["USUBJID"].tolist() == ["T-04"]
    assert listings["severe_aes"].title == "New grade ≥ 3 adverse events (onset in the window)"
    assert view.notes == ()
    assert not view.unavailable


def test_changes_the_data_cannot_answer_are_left_out(tmp_path: Path) -> None:
    trial = _trial(tmp_path / "adsl_only", adsl=tiny_frames()["adsl"])
    scope = dataclasses.replace(ViewScope.of(trial), as_of=CUTOFF, cutoff=CUTOFF)
    view = changes_view(scope, ChangesControls())
    assert [listing.name for listing in view.listings] == ["enrolled", "deaths"]
    assert "No ADTTE: NEST-FS and PFS events cannot be listed." in view.notes
    assert changes_view(ViewScope.of(trial), ChangesControls()).unavailable.startswith(
        "the data hold no date"
    )
