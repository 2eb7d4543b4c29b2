"""The faster code gives the results of the code it replaced, and the shared cached trial is never written to.

Oracles: the row-by-row ``psa_baseline`` and the per-group join of the MDT details, kept here as they were;
the whole trial's swimmer rows of one patient for ``patient_profile``. No timing is tested here (see
docs/performance.md and bench/).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from medcare_metrics import cuts, loading
from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.loading.coercion import _is_blank, _to_date, _to_text
from medcare_metrics.model import TrialData
from medcare_metrics.patients import patient_profile, psa_baseline, swimmer_data, swimmer_events, swimmer_plot
from medcare_metrics.patients.psa import _psa
from medcare_metrics.patients.swimmer import _mdt_events, _registered
from medcare_metrics.subjects import date_values, registration_dates
from medcare_metrics.views import DataUnavailable
from medcare_metrics.views.patients import (
    SWIMMER_PAGE_SIZE,
    SwimmerControls,
    SwimmerView,
    swimmer_page,
    swimmer_page_count,
    swimmer_view,
)
from medcare_metrics.views.scope import ViewScope

EXAMPLE = Path(__file__).resolve().parents[1] / "medcare_metrics" / "example_data"


@pytest.fixture(scope="module")
def example() -> TrialData:
    trial = loading.load_trial(EXAMPLE).trial
    assert trial is not None
    return trial


# ----------------------------------------------------------------------------------------------------
# PSA baseline: the vectorised version against the loop it replaced.


def _old_psa_baseline(adlb: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    """``psa_baseline`` as it was before it was vectorised: one loop step per patient (the oracle)."""
    psa = _psa(adlb)
    chosen: dict[str, tuple[float, pd.Timestamp, str]] = {}
    if "ABLFL" in psa.columns:
        for usubjid, rows in psa.loc[psa["ABLFL"].eq("Y")].groupby("USUBJID", sort=False):
            chosen[usubjid] = (rows["AVAL"].iloc[-1], rows["ADT"].iloc[-1], "ABLFL")
    reference = date_values(adsl, "TRTSDT").fillna(registration_dates(adsl))
    reference = pd.Series(reference.to_numpy(), index=adsl["USUBJID"]).groupby(level=0).first()
    for usubjid, rows in psa.groupby("USUBJID", sort=False):
        if usubjid in chosen:
            continue
        ref = reference.get(usubjid, pd.NaT)
        before = rows.loc[rows["ADT"] <= ref] if pd.notna(ref) else rows.iloc[0:0]
        if len(before):
            chosen[usubjid] = (before["AVAL"].iloc[-1], before["ADT"].iloc[-1], "Before MDT")
        elif pd.isna(ref):
            chosen[usubjid] = (rows["AVAL"].iloc[0], rows["ADT"].iloc[0], "First sample")
    return pd.DataFrame(
        [(k, *v) for k, v in chosen.items()], columns=["USUBJID", "BASE", "BASE_ADT", "BASE_RULE"]
    ).astype({"BASE": float, "BASE_ADT": "datetime64[ns]"})


def _psa_variants(trial: TrialData) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """The example's ADLB and ADSL, and versions that reach every rule of the baseline."""
    adlb, adsl = trial.adlb, trial.adsl
    assert adlb is not None
    no_flag = adlb.drop(columns="ABLFL")
    ids = list(adsl["USUBJID"])
    undated = adsl.copy()
    # A third without any reference date (first sample), a third with one before every sample (none).
    for column in ("TRTSDT", "ENRLDT", "RANDDT"):
        if column in undated.columns:
            undated.loc[undated["USUBJID"].isin(ids[::3]), column] = pd.NaT
    undated.loc[undated["USUBJID"].isin(ids[1::3]), "TRTSDT"] = pd.Timestamp("2000-01-01")
    some_flags = adlb.copy()
    some_flags.loc[some_flags["USUBJID"].isin(ids[::2]), "ABLFL"] = "N"
    return {
        "as loaded": (adlb, adsl),
        "no ABLFL": (no_flag, adsl),
        "no ABLFL, dates missing or early": (no_flag, undated),
        "ABLFL on half the patients": (some_flags, undated),
        "patients missing from ADSL": (no_flag, undated.iloc[::2]),
        "no PSA": (adlb.iloc[0:0], adsl),
    }


def test_psa_baseline_equals_the_row_loop_it_replaced(example: TrialData) -> None:
    rules: set[str] = set()
    for name, (adlb, adsl) in _psa_variants(example).items():
        expected = _old_psa_baseline(adlb, adsl)
        pd.testing.assert_frame_equal(psa_baseline(adlb, adsl), expected, obj=name)
        rules |= set(expected["BASE_RULE"])
    assert rules == {"ABLFL", "Before MDT", "First sample"}  # every rule was compared


# ----------------------------------------------------------------------------------------------------
# Swimmer: MDT details joined per day only where a day has several lesions; one patient's rows alone.


def _old_mdt_details(adtu: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The MDT markers' details as they were joined before: one join per patient and day (the oracle)."""
    rows = adtu.loc[adtu["MDTDT"].notna() & adtu["USUBJID"].isin(ids)].copy()
    rows["DETAIL"] = (
        rows["MDTLES"].astype("string").fillna("MDT")
        + " ("
        + rows["TULOC"].astype("string").fillna("?")
        + ")"
    ).astype(object)
    return (
        rows.groupby(["USUBJID", "MDTDT"], sort=True)["DETAIL"]
        .agg("; ".join)
        .reset_index()
        .rename(columns={"MDTDT": "DATE"})
    )


def test_mdt_details_equal_the_join_per_group(example: TrialData) -> None:
    adtu = example.adtu
    assert adtu is not None
    # Two more lesions of the first patient treated on its first MDT day: a day with three details.
    first = adtu.loc[adtu["MDTDT"].notna()].iloc[0]
    extra = pd.DataFrame([first, first]).assign(TULNKID=["X1", "X2"], TULOC=["Rib", None])
    trial = dataclasses.replace(example, adtu=pd.concat([adtu, extra], ignore_index=True))
    enrolled = _registered(trial.adsl)
    assert trial.adtu is not None
    expected = _old_mdt_details(trial.adtu, set(enrolled["USUBJID"]))
    got = _mdt_events(trial, enrolled)
    got = got.loc[got["USUBJID"].isin(set(expected["USUBJID"]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.iloc[: len(expected)], expected)
    assert expected["DETAIL"].str.count("; ").max() == 2


@pytest.mark.parametrize("order", ["follow_up", "nestfs"])
def test_swimmer_plot_is_swimmer_data_and_events(example: TrialData, order: str) -> None:
    plot = swimmer_plot(example, order)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(plot.patients, swimmer_data(example, order))  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(plot.events, swimmer_events(example))


def _trials(example: TrialData) -> dict[str, TrialData]:
    no_cutoff = dataclasses.replace(example, adsl=example.adsl.drop(columns=["DCUTDT", "EOSSTT"]))
    centre = Filters.from_mapping({"SITEID": [str(example.adsl["SITEID"].iloc[0])]})
    return {
        "as loaded": example,
        "as of 2024-06-30": cuts.as_of(example, date(2024, 6, 30)),
        "one centre": apply_filters(example, centre),
        "no DCUTDT, no EOSSTT": no_cutoff,
    }


def test_profile_rows_equal_the_whole_trials_swimmer_rows(example: TrialData) -> None:
    for name, trial in _trials(example).items():
        plot = swimmer_plot(trial)
        ends = plot.patients.set_index("USUBJID")["END"]
        for usubjid in trial.adsl["USUBJID"].iloc[::4]:  # a sample keeps the test quick
            profile = patient_profile(trial, usubjid)
            mine = plot.events.loc[plot.events["USUBJID"].eq(usubjid)].reset_index(drop=True)
            pd.testing.assert_frame_equal(profile.events, mine, obj=f"{name} {usubjid}")
            expected = pd.Timestamp(ends[usubjid]) if usubjid in ends.index else profile.reference_date
            assert profile.last_contact == expected, (name, usubjid)


# ----------------------------------------------------------------------------------------------------
# Paging of the swimmer plot.


def _view_of(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"P{i:05d}" for i in range(n)]
    patients = pd.DataFrame({"USUBJID": ids[::-1], "ORDER": range(1, n + 1)})  # ORDER not the id order
    events = pd.DataFrame({"USUBJID": ids * 2, "EVENT": ["MDT"] * n + ["Ongoing"] * n})
    return patients, events


def test_swimmer_pages_hold_the_patients_in_plot_order() -> None:
    assert [swimmer_page_count(n, 50) for n in (0, 1, 50, 51, 10_000)] == [1, 1, 1, 2, 200]
    patients, events = _view_of(120)
    full = SwimmerView(patients=patients, events=events, summary="", caption="", missing_adtte=False)
    pages = [swimmer_page(full, p, per_page=50) for p in (1, 2, 3)]
    assert [list(p.patients["ORDER"]) for p in pages] == [
        list(range(1, 51)),
        list(range(51, 101)),
        list(range(101, 121)),
    ]
    # Every patient on exactly one page, with all of its markers and no other patient's.
    assert sum(len(p.patients) for p in pages) == 120
    for p in pages:
        assert set(p.events["USUBJID"]) == set(p.patients["USUBJID"])
        assert len(p.events) == 2 * len(p.patients)
    assert pages[0].patients["USUBJID"].iloc[0] == "P00119"
    assert (pages[2].page, pages[2].pages) == (3, 3)
    assert pages[1].caption == "Patients 51 to 100 of 120 (page 2 of 3)."
    # Out of range (after a filter change left fewer pages): the nearest page.
    assert swimmer_page(full, 9, per_page=50).page == 3
    assert swimmer_page(full, 0, per_page=50).page == 1


def test_one_page_needs_no_control(example: TrialData) -> None:
    view = swimmer_view(ViewScope.of(example), SwimmerControls())
    page = swimmer_page(view, 1)
    assert len(view.patients) <= SWIMMER_PAGE_SIZE
    assert (page.pages, page.caption) == (1, "")
    pd.testing.assert_frame_equal(page.patients, view.patients)


# ----------------------------------------------------------------------------------------------------
# Loading: distinct values parsed once give what parsing every value gave.


def test_text_and_dates_read_per_distinct_value() -> None:
    text = pd.Series(["a", " b ", "", "  ", None, "\t", "a", "\u3000", 1.0], dtype=object)
    assert list(_is_blank(text)) == [False, False, True, True, True, True, False, True, False]
    read = _to_text(text.iloc[:-1])
    assert read.isna().tolist() == [False, False, True, True, True, True, False, True]
    dates = pd.Series(
        ["2024-01-02", " 2024-01-02 ", "", "03/04/2024", "2024-05", "2024-02-30", None, "2024-01-02T23:00"],
        dtype=object,
    )
    expected = pd.to_datetime(["2024-01-02", "2024-01-02", None, None, None, None, None, "2024-01-02"])
    pd.testing.assert_series_equal(_to_date(dates, sas=False), pd.Series(expected, dtype="datetime64[ns]"))


# ----------------------------------------------------------------------------------------------------
# The app shares one loaded trial between reruns and sessions (st.cache_resource): no view may write to it.


def _snapshot(trial: TrialData) -> dict[str, pd.DataFrame]:
    return {
        name: frame.copy(deep=True) for name in trial.available if (frame := trial.dataset(name)) is not None
    }


def test_page_views_leave_the_shared_trial_unchanged(example: TrialData) -> None:
    from medcare_metrics.views import (
        data_quality,
        decision,
        enrollment,
        followup,
        lesions,
        overview,
        patients,
        survival,
        toxicity,
    )

    scope = ViewScope.of(example)
    before = _snapshot(example)
    endpoint = str(survival.survival_choices(scope).endpoints[0].code)
    calls: list[tuple[Callable[..., object], object]] = [
        (overview.overview_view, overview.OverviewControls()),
        (enrollment.enrollment_view, enrollment.EnrollmentControls()),
        (patients.swimmer_view, patients.SwimmerControls()),
        (patients.waterfall_view, patients.WaterfallControls()),
        (patients.profile_view, patients.ProfileControls(str(example.adsl["USUBJID"].iloc[0]))),
        (followup.follow_up_view, followup.FollowUpControls()),
        (survival.survival_view, survival.SurvivalControls(endpoint=endpoint, by="MDTTYPE")),
        (lesions.lesions_view, lesions.LesionsControls()),
        (toxicity.toxicity_view, toxicity.ToxicityControls()),
        (decision.toxicity_monitoring_view, decision.MonitoringControls()),
        (decision.outlook_view, decision.OutlookControls(endpoint=endpoint)),
        (data_quality.data_quality_view, data_quality.DataQualityControls()),
    ]
    for function, controls in calls:
        try:
            function(scope, controls)
        except DataUnavailable:
            pass  # a view the example cannot give says so; what it wrote before that still counts
        for name, frame in before.items():
            pd.testing.assert_frame_equal(example.dataset(name), frame, obj=f"{function.__name__}: {name}")
