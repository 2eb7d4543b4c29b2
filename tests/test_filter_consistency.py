"""A filtered view's numbers equal the unfiltered computation run on the filtered data (issue 4).

For several sidebar filters on the example trial, every page's main measures are computed twice:

- on ``apply_filters(trial, filters)``, which is what the pages receive;
- on a copy of the example whose CSV files were cut by plain pandas boolean indexing here (ADSL rows by the
  filtered column, every other dataset by USUBJID) and loaded again, so the copy never passes through the
  filter code.

The two must agree exactly. Headline counts are also taken straight from the CSV text, and the "as of" date is
checked to commute with the filters. The last part runs every page through AppTest with a centre filter and
checks the page's numbers moved to the subset's numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest
from conftest import header, metrics, open_page

from medcare_app.sidebar import AS_OF_KEY, filter_key
from medcare_metrics import survival as sv
from medcare_metrics.cuts import as_of, changes_since, data_cutoff
from medcare_metrics.eligibility import protocol_deviations
from medcare_metrics.enrollment import (
    centre_summary,
    enrollment_by_month,
    screen_failure_reasons,
    screening_funnel,
)
from medcare_metrics.filters import Filters, apply_filters
from medcare_metrics.lesions import (
    LesionOptions,
    detection_summary,
    lesion_count_distribution,
    lesions_by_site,
    lesions_per_patient,
)
from medcare_metrics.loading import example_path, load_trial
from medcare_metrics.model import DATASETS, TrialData
from medcare_metrics.overview import trial_summary
from medcare_metrics.patients import psa_waterfall, swimmer_data, swimmer_events
from medcare_metrics.text.survival import median_summary
from medcare_metrics.toxicity import high_grade_patients, toxicity_by_grade

RawRows = Callable[[pd.DataFrame], pd.Series]

#: Sidebar filters and the same selection written as plain pandas on the CSV text (read as strings).
FILTERS: dict[str, tuple[dict[str, list[str]], RawRows]] = {
    "centre 01": ({"SITEID": ["01"]}, lambda a: a["SITEID"] == "01"),
    "centres 02 and 04": ({"SITEID": ["02", "04"]}, lambda a: a["SITEID"].isin(["02", "04"])),
    "MDT SBRT": ({"MDTTYPE": ["SBRT"]}, lambda a: a["MDTTYPE"] == "SBRT"),
    "MDT with surgery": (
        {"MDTTYPE": ["Surgery", "SBRT + surgery"]},
        lambda a: a["MDTTYPE"].isin(["Surgery", "SBRT + surgery"]),
    ),
    "2 lesions": ({"NLES": ["2"]}, lambda a: a["NLES"] == "2"),
    "1 lesion at centre 01": (
        {"SITEID": ["01"], "NLES": ["1"]},
        lambda a: (a["SITEID"] == "01") & (a["NLES"] == "1"),
    ),
}
#: An as-of date well inside the example's accrual (its cut-off is 2025-06-30).
AS_OF = "2023-06-30"


def _raw() -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(example_path() / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in DATASETS
        if (example_path() / f"{name}.csv").exists()
    }


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    """The example's CSV files as text."""
    return _raw()


@pytest.fixture(scope="module")
def full() -> TrialData:
    """The example trial as the app loads it."""
    trial = load_trial(example_path()).trial
    assert trial is not None
    return trial


@pytest.fixture(scope="module", params=list(FILTERS))
def case(request, raw, full, tmp_path_factory) -> tuple[str, TrialData, TrialData, dict[str, pd.DataFrame]]:
    """(name, what the page receives, the independently cut and reloaded copy, the cut CSV text)."""
    name = request.param
    mapping, rows = FILTERS[name]
    adsl = raw["adsl"].loc[rows(raw["adsl"])]
    ids = set(adsl["USUBJID"])
    cut = {"adsl": adsl}
    for dataset, frame in raw.items():
        if dataset != "adsl":
            cut[dataset] = frame.loc[frame["USUBJID"].isin(ids)]
    folder = tmp_path_factory.mktemp("subset")
    for dataset, frame in cut.items():
        frame.to_csv(folder / f"{dataset}.csv", index=False)
    subset = load_trial(folder).trial
    assert subset is not None
    filtered = apply_filters(full, Filters.from_mapping(mapping))
    return name, filtered, subset, cut


def _same(left: object, right: object) -> None:
    """Assert two results are equal: frames exactly, dataclasses field by field, the rest with ==."""
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))
    elif isinstance(left, pd.Series):
        pd.testing.assert_series_equal(left.reset_index(drop=True), right.reset_index(drop=True))
    elif dataclasses.is_dataclass(left) and not isinstance(left, type):
        for item in dataclasses.fields(left):
            _same(getattr(left, item.name), getattr(right, item.name))
    elif isinstance(left, float) and left != left:
        assert right != right  # both NaN (not reached)
    else:
        assert left == right


def _enrolled(cut: dict[str, pd.DataFrame]) -> set[str]:
    adsl = cut["adsl"]
    return set(adsl.loc[adsl["ENRLFL"] == "Y", "USUBJID"])


# Every filter of FILTERS must select a real subset, or the comparisons below prove nothing.


def test_each_filter_selects_some_but_not_all_enrolled_patients(case, raw) -> None:
    name, filtered, _, cut = case
    n = len(_enrolled(cut))
    assert 0 < n < (raw["adsl"]["ENRLFL"] == "Y").sum(), name
    assert set(filtered.adsl["USUBJID"]) == set(cut["adsl"]["USUBJID"])
    for dataset in ("adtte", "adae", "adtu", "adlb"):
        assert len(filtered.dataset(dataset)) == len(cut[dataset]), dataset


# Overview


def test_overview_numbers(case) -> None:
    _, filtered, subset, cut = case
    summary = trial_summary(filtered)
    _same(summary, trial_summary(subset))
    enrolled = _enrolled(cut)
    assert summary.screened == len(cut["adsl"])
    assert summary.enrolled == len(enrolled)
    adtte = cut["adtte"]
    for paramcd, value in (("NESTFS", summary.nestfs_events), ("PFS", summary.pfs_events)):
        events = adtte.loc[
            (adtte["PARAMCD"] == paramcd) & (adtte["CNSR"] == "0") & adtte["USUBJID"].isin(enrolled)
        ]
        assert value == len(events)
    adae = cut["adae"]
    severe = adae.loc[pd.to_numeric(adae["ATOXGR"]).ge(3) & adae["USUBJID"].isin(enrolled), "USUBJID"]
    assert summary.grade3_patients == severe.nunique()


# Enrollment


def test_enrollment_numbers(case, full) -> None:
    _, filtered, subset, cut = case
    cutoff = data_cutoff(full)
    _same(enrollment_by_month(filtered.adsl), enrollment_by_month(subset.adsl))
    _same(centre_summary(filtered.adsl, as_of=cutoff), centre_summary(subset.adsl, as_of=cutoff))
    _same(screening_funnel(filtered.adsl, filtered.adtte), screening_funnel(subset.adsl, subset.adtte))
    _same(screen_failure_reasons(filtered.adsl), screen_failure_reasons(subset.adsl))
    assert enrollment_by_month(filtered.adsl)["N"].sum() == len(_enrolled(cut))
    per_centre = centre_summary(filtered.adsl, as_of=cutoff, total=False).set_index("SITEID")["ENROLLED"]
    adsl = cut["adsl"]
    expected = adsl.loc[adsl["ENRLFL"] == "Y", "SITEID"].value_counts()
    assert per_centre[per_centre > 0].sort_index().to_dict() == expected.sort_index().to_dict()


# Survival


@pytest.mark.parametrize("paramcd", ["NESTFS", "PFS", "OS"])
def test_km_medians_and_tables(case, paramcd: str) -> None:
    _, filtered, subset, cut = case
    options = sv.KMOptions()
    tte = sv.time_to_event(filtered.adtte, paramcd, adsl=filtered.adsl, unit="MONTHS")
    again = sv.time_to_event(subset.adtte, paramcd, adsl=subset.adsl, unit="MONTHS")
    _same(sv.km_medians(tte, options), sv.km_medians(again, options))
    _same(sv.km_table(tte, options), sv.km_table(again, options))
    rows = cut["adtte"].loc[cut["adtte"]["PARAMCD"] == paramcd]
    medians = sv.km_medians(tte, options).iloc[0]
    assert (medians["N"], medians["EVENTS"]) == (len(rows), (rows["CNSR"] == "0").sum())


# Toxicity


@pytest.mark.parametrize("level", ["overall", "soc", "term"])
def test_toxicity_counts(case, level: str) -> None:
    _, filtered, subset, cut = case
    counts = toxicity_by_grade(filtered.adae, filtered.adsl, level=level)
    _same(counts.counts, toxicity_by_grade(subset.adae, subset.adsl, level=level).counts)
    _same(counts.denominators, toxicity_by_grade(subset.adae, subset.adsl, level=level).denominators)
    adsl = cut["adsl"]
    safety = set(adsl.loc[adsl["SAFFL"] == "Y", "USUBJID"])
    assert counts.denominators["N"].sum() == len(safety)
    if level == "overall":
        with_ae = cut["adae"].loc[cut["adae"]["USUBJID"].isin(safety), "USUBJID"].nunique()
        assert counts.counts["N"].sum() == with_ae


def test_high_grade_patients(case) -> None:
    _, filtered, subset, _ = case
    _same(high_grade_patients(filtered.adae, filtered.adsl), high_grade_patients(subset.adae, subset.adsl))


# Lesions


def test_lesion_numbers(case) -> None:
    _, filtered, subset, cut = case
    options = LesionOptions()
    per_patient = lesions_per_patient(filtered.adtu, filtered.adsl, options)
    _same(per_patient, lesions_per_patient(subset.adtu, subset.adsl, options))
    for basis in ("all", "conventional"):
        _same(
            lesion_count_distribution(filtered.adtu, filtered.adsl, options, basis=basis),
            lesion_count_distribution(subset.adtu, subset.adsl, options, basis=basis),
        )
    for level in ("category", "site"):
        _same(
            lesions_by_site(filtered.adtu, filtered.adsl, level=level),
            lesions_by_site(subset.adtu, subset.adsl, level=level),
        )
    _same(detection_summary(filtered.adtu, filtered.adsl), detection_summary(subset.adtu, subset.adsl))
    enrolled = _enrolled(cut)
    assert (
        detection_summary(filtered.adtu, filtered.adsl).n_lesions
        == cut["adtu"]["USUBJID"].isin(enrolled).sum()
    )


# Patients and data quality


def test_patient_views(case) -> None:
    _, filtered, subset, cut = case
    _same(swimmer_data(filtered), swimmer_data(subset))
    _same(swimmer_events(filtered), swimmer_events(subset))
    _same(
        psa_waterfall(filtered.adlb, filtered.adsl, filtered.adtte),
        psa_waterfall(subset.adlb, subset.adsl, subset.adtte),
    )
    assert set(swimmer_data(filtered)["USUBJID"]) == _enrolled(cut)
    _same(changes_since(filtered, "2024-06-30"), changes_since(subset, "2024-06-30"))


def test_protocol_deviations(case) -> None:
    _, filtered, subset, _ = case
    _same(protocol_deviations(filtered.adsl, filtered.adtu), protocol_deviations(subset.adsl, subset.adtu))


# The "as of" date and the filters commute: the app replays first, then filters.


def test_as_of_then_filter_equals_replay_of_the_subset(case, full) -> None:
    name, _, subset, _ = case
    mapping, _ = FILTERS[name]
    view = apply_filters(as_of(full, AS_OF), Filters.from_mapping(mapping))
    replayed = as_of(subset, AS_OF)
    for dataset in DATASETS:
        _same(view.dataset(dataset), replayed.dataset(dataset))
    _same(trial_summary(view), trial_summary(replayed))
    tte = sv.time_to_event(view.adtte, "NESTFS", unit="MONTHS")
    _same(sv.km_medians(tte), sv.km_medians(sv.time_to_event(replayed.adtte, "NESTFS", unit="MONTHS")))
    _same(changes_since(view, "2022-12-31"), changes_since(replayed, "2022-12-31"))


# One AppTest round-trip per page: the centre filter moves the page's numbers to the subset's numbers.

CENTRE = "01"


@pytest.fixture(scope="module")
def centre(raw, full) -> TrialData:
    return apply_filters(full, Filters.from_mapping({"SITEID": [CENTRE]}))


def _run(app, page: str) -> object:
    at = app(page)
    at.run()
    assert not at.exception
    return at


def _filter(at: object) -> object:
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value([CENTRE]).run()  # type: ignore[attr-defined]
    assert not at.exception  # type: ignore[attr-defined]
    return at


def test_overview_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/overview.py")
    everyone = metrics(at)["Enrolled"]
    shown = metrics(_filter(at))
    summary = trial_summary(centre)
    assert shown["Enrolled"] == f"{summary.enrolled} of 18" != everyone
    assert shown["NEST-FS events"].startswith(f"{summary.nestfs_events} of ")
    assert shown["Screened"] == str(summary.screened)


def test_enrollment_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/enrollment.py")
    before = next(d.value for d in at.dataframe if "LABEL" in d.value.columns)
    after = next(d.value for d in _filter(at).dataframe if "LABEL" in d.value.columns)
    funnel = screening_funnel(centre.adsl, centre.adtte)
    assert list(after["N"]) == list(funnel["N"]) != list(before["N"])


def test_survival_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/survival.py")
    before = at.dataframe[0].value.copy()
    after = _filter(at).dataframe[0].value
    tte = sv.time_to_event(centre.adtte, "NESTFS", adsl=centre.adsl, unit="MONTHS")
    expected = median_summary(sv.km_medians(tte, sv.KMOptions()), sv.KMOptions(), "MONTHS")
    pd.testing.assert_frame_equal(after.reset_index(drop=True), expected.reset_index(drop=True))
    assert not after.equals(before)


def test_toxicity_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/toxicity.py")
    before = at.dataframe[0].value.copy()
    after = _filter(at).dataframe[0].value
    from medcare_metrics.toxicity import ToxicityOptions, grade_table

    # The page counts treatment-emergent events by default when ADAE has TRTEMFL.
    teae = ToxicityOptions(teae_only=True)
    expected = grade_table(toxicity_by_grade(centre.adae, centre.adsl, level="overall", options=teae))
    pd.testing.assert_frame_equal(after.reset_index(drop=True), expected.reset_index(drop=True))
    assert not after.equals(before)


def test_lesions_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/lesions.py")
    before = metrics(at)["Lesions added by PSMA PET-CT"]
    after = metrics(_filter(at))["Lesions added by PSMA PET-CT"]
    detection = detection_summary(centre.adtu, centre.adsl)
    # The metric may add a percentage after "n of N".
    assert after.startswith(f"{detection.n_psma_only} of {detection.n_lesions}") and after != before


def test_patients_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/patients.py")
    before = next(m.value for m in at.main.markdown if "in follow-up" in m.value)
    after = next(m.value for m in _filter(at).main.markdown if "in follow-up" in m.value)
    assert after.startswith(f"**{len(swimmer_data(centre))} patients**") and after != before
    assert header(at).startswith(f"**{len(swimmer_data(centre))} of 18 patients**")


def test_data_quality_page_follows_the_filter(app, full, centre) -> None:
    at = _run(app, "pages/data_quality.py")
    shown = [d.value for d in _filter(at).dataframe if "RULE" in d.value.columns]
    expected = protocol_deviations(centre.adsl, centre.adtu)
    if expected.empty:
        assert not shown
    else:
        pd.testing.assert_frame_equal(shown[0].reset_index(drop=True), expected.reset_index(drop=True))
    assert header(at).startswith(f"**{trial_summary(centre).enrolled} of 18 patients**")


def test_every_page_follows_the_as_of_date(app, full) -> None:
    # As of 2023-06-30 fewer patients were enrolled than at the cut-off: every page's header says so. The date
    # is set once in the app's sidebar (dashboard.py, on the overview) and kept from page to page, as in a
    # browser: one run per page instead of two.
    enrolled = trial_summary(as_of(full, AS_OF)).enrolled
    assert enrolled < 18
    at = _run(app, "dashboard.py")
    at.sidebar.date_input(key=AS_OF_KEY).set_value(dt.date.fromisoformat(AS_OF)).run()
    for page in ("overview", "enrollment", "survival", "toxicity", "lesions", "patients", "data_quality"):
        if page != "overview":  # the page the date was set on
            open_page(at, page).run()
        assert not at.exception, page
        assert at.sidebar.date_input(key=AS_OF_KEY).value == dt.date.fromisoformat(AS_OF), page
        assert header(at).startswith(f"**{enrolled} of {enrolled} patients**"), page
        assert f"Replayed as of {AS_OF}" in header(at), page
