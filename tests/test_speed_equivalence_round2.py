"""Second speed round: the faster code gives the results of the code it replaced.

Oracles, kept here as they were: the row-by-row CTCAE term, SOC and grade checks, and the predictive
probability computed call by call (the outlook now shares the fixed patients' sorted keys between its
calls). No timing is tested here (see docs/performance.md and bench/).
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from medcare_metrics import cuts, loading
from medcare_metrics.checks import ctcae
from medcare_metrics.filters import Filters, apply_filters, selected_subjects
from medcare_metrics.model import DATASETS, TrialData
from medcare_metrics.patients import swimmer
from medcare_metrics.survival import _frame, predictive
from medcare_metrics.views.scope import ViewScope

# The module, not the function of that name that medcare_metrics.survival exports.
endpoints = importlib.import_module("medcare_metrics.survival.endpoints")

EXAMPLE = Path(__file__).resolve().parents[1] / "medcare_metrics" / "example_data"


@pytest.fixture(scope="module")
def example() -> TrialData:
    trial = loading.load_trial(EXAMPLE).trial
    assert trial is not None
    return trial


# ----------------------------------------------------------------------------------------------------
# CTCAE checks: once per distinct term, SOC and grade against the row loops they replaced.


def _old_records(adae: pd.DataFrame) -> list[ctcae.Record]:
    lookup = ctcae._by_key()
    return [lookup.get(key) for key in adae["AEDECOD"].map(ctcae.term_key)]


def _old_soc_differs(adae: pd.DataFrame) -> pd.DataFrame:
    hit, details = [], []
    for rec, soc in zip(_old_records(adae), adae["AEBODSYS"], strict=True):
        differs = (
            rec is not None and isinstance(soc, str) and ctcae.term_key(soc) != ctcae.term_key(rec["SOC"])
        )
        hit.append(differs)
        if differs:
            assert rec is not None
            details.append(f"note: SOC {soc!r} differs from CTCAE SOC {rec['SOC']!r}")
    return ctcae._problems(adae, np.array(hit, dtype=bool), "AEBODSYS", details)


def _old_not_defined(grades: pd.Series, records: list[ctcae.Record]) -> pd.Series:
    valid = (grades.ge(1) & grades.le(5)).fillna(False)
    undefined = [
        bool(ok) and rec is not None and rec[f"GRADE_{g}"] is None
        for ok, g, rec in zip(valid, grades, records, strict=True)
    ]
    return pd.Series(undefined, index=grades.index)


def _edge_adae() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(12)],
            "AEDECOD": [
                "Nausea",
                " NAUSEA ",
                None,
                "Made-up term",
                "Diarrhea",
                "nausea",
                float("nan"),
                "Fatigue",
                "Nausea",
                "Disseminated intravascular coagulation",
                "",
                "Headache",
            ],
            "AEBODSYS": [
                "Gastrointestinal disorders",
                "gastrointestinal DISORDERS ",
                "Gastrointestinal disorders",
                None,
                "Nervous system disorders",
                "Nervous system disorders",
                "x",
                float("nan"),
                "Gastrointestinal disorders",
                "Blood and lymphatic system disorders",
                "",
                "Nervous system disorders",
            ],
            "ATOXGR": [1, 4, 2, None, 5, 3, 0, 6, None, 1, 2, 2],
        }
    )


def _adae_cases(example: TrialData) -> list[pd.DataFrame]:
    assert example.adae is not None
    edge = _edge_adae()
    mixed = edge.assign(AEBODSYS=edge["AEBODSYS"].astype(object).where(edge.index != 4, 1))
    strings = edge.assign(
        AEDECOD=edge["AEDECOD"].astype("string"), AEBODSYS=edge["AEBODSYS"].astype("string")
    )
    return [example.adae, edge, mixed, strings, edge.iloc[:0], edge.set_index(edge.index * 3 + 7)]


def test_ctcae_records_soc_and_grades_as_row_by_row(example: TrialData) -> None:
    for adae in _adae_cases(example):
        trial = TrialData(adsl=pd.DataFrame(), adae=adae)
        records = ctcae._records(trial)
        assert records == _old_records(adae)
        pd.testing.assert_frame_equal(ctcae._soc_differs(trial), _old_soc_differs(adae))
        _, grades = ctcae._grade_values(adae)
        pd.testing.assert_series_equal(ctcae._not_defined(grades, records), _old_not_defined(grades, records))


def test_ctcae_problems_on_edge_cases() -> None:
    problems = ctcae.ctcae_problems(_edge_adae(), check_terms=True)
    # Nausea grade 4 and DIC grade 1 are not defined; grade 0 and 6 are out of range; the made-up term and
    # the missing and empty terms are not CTCAE terms; the two SOC notes are Diarrhea's and nausea's.
    assert problems["problem"].str.startswith("note: SOC").sum() == 2
    assert problems["problem"].str.contains("not defined").sum() == 2


# ----------------------------------------------------------------------------------------------------
# Predictive probability: the merged medians that skip the fixed keys every draw opens with, by blocks of
# draws, against a sort of each draw's whole data set (the lexsort median, as it was).


def _old_km_median_rows(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    n = time.shape[1]
    if n == 0:
        return np.full(time.shape[0], np.nan)
    order = np.lexsort((~event, time), axis=1)
    t = np.take_along_axis(time, order, axis=1)
    e = np.take_along_axis(event, order, axis=1)
    at_risk = (n - np.arange(n)).astype(float)
    surv = np.cumprod(np.where(e, 1.0 - 1.0 / at_risk[None, :], 1.0), axis=1)
    below = surv < 0.5 + _frame.TOL
    reached = below.any(axis=1)
    first = np.argmax(below, axis=1)
    rows = np.arange(time.shape[0])
    y0 = surv[rows, first]
    x0 = t[rows, first]
    later = (surv < y0[:, None]) & (np.arange(n)[None, :] > first[:, None])
    plateau = (np.abs(y0 - 0.5) < _frame.TOL) & later.any(axis=1)
    drop = t[rows, np.argmax(later, axis=1)]
    median = np.where(plateau, (x0 + drop) / 2.0, x0)
    return np.where(reached, median, np.nan)


def _merged_against_lexsort(
    fixed_time: np.ndarray, fixed_event: np.ndarray, random_time: np.ndarray, random_event: np.ndarray
) -> None:
    draws = random_time.shape[0]
    fixed = np.sort(predictive._sort_keys(fixed_time, fixed_event))
    ours = predictive._merged_medians(fixed, predictive._sort_keys(random_time, random_event))
    time = np.concatenate((np.broadcast_to(fixed_time, (draws, fixed_time.size)), random_time), axis=1)
    event = np.concatenate((np.broadcast_to(fixed_event, (draws, fixed_event.size)), random_event), axis=1)
    np.testing.assert_array_equal(ours, _old_km_median_rows(time, event))


@pytest.mark.parametrize("block", [1, 60, 100_000])
def test_merged_medians_skipping_the_shared_lead(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    # ``block`` cells per block: two draws a block, a few, or all of them.
    monkeypatch.setattr(predictive, "_BLOCK_CELLS", block)
    rng = np.random.default_rng(11)
    fixed_time = np.round(rng.exponential(6.0, 240))  # whole months: ties and plateaus at 0.5
    fixed_event = rng.random(240) < 0.8
    # Drawn patients all late (a long shared lead), all early (none), or ending exactly on fixed times.
    late = 5.0 + np.round(rng.exponential(8.0, (30, 40)))
    early = rng.exponential(0.5, (30, 40))
    tied = fixed_time[rng.integers(0, 240, (30, 40))]
    for random_time in (late, early, tied, np.concatenate((late[:15], early[:15]))):
        random_event = rng.random(random_time.shape) < 0.5
        _merged_against_lexsort(fixed_time, fixed_event, random_time, random_event)
    # Medians on a plateau at exactly 0.5, reached inside what could be skipped: 4 fixed events in 8.
    fixed_time = np.arange(1.0, 9.0)
    random_time = np.full((6, 2), 20.0)
    _merged_against_lexsort(fixed_time, np.ones(8, dtype=bool), random_time, np.ones((6, 2), dtype=bool))
    _merged_against_lexsort(fixed_time, np.ones(8, dtype=bool), random_time, np.zeros((6, 2), dtype=bool))
    # Draw 0's median comes early from its own events, the others' only after every fixed key: the prefix
    # guessed from draw 0 holds nothing but shared keys for them, and they are done again in full.
    fixed_time = np.linspace(0.5, 100.0, 200)
    random_time = np.concatenate((np.linspace(0.01, 0.2, 300)[None, :], np.full((7, 300), 150.0)))
    random_time[1:] += rng.exponential(5.0, (7, 300))
    random_event = np.ones(random_time.shape, dtype=bool)
    _merged_against_lexsort(fixed_time, rng.random(200) < 0.1, random_time, random_event)
    # No drawn patient, no fixed patient, one draw.
    _merged_against_lexsort(fixed_time, fixed_time > 3, np.zeros((4, 0)), np.zeros((4, 0), dtype=bool))
    _merged_against_lexsort(np.zeros(0), np.zeros(0, dtype=bool), late[:3], late[:3] > 9)
    _merged_against_lexsort(fixed_time, fixed_time > 3, late[:1], late[:1] > 9)
    # Nothing left after the skipped keys: not settled before the last key, so done again in full.
    medians, settled = predictive._median_of_sorted(np.zeros((3, 0), dtype=np.uint64), 9, 4, 0.9)
    assert np.isnan(medians).all() and not settled.any()


def test_inverse_cumulative_hazard_by_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    bounds = np.array([0.0, 6.0, 12.0, 24.0])
    rates = rng.gamma(2.0, 0.05, size=(23, 4))
    target = rng.exponential(1.0, size=(23, 17))
    whole = predictive.inverse_cumulative_hazard(target, rates, bounds)
    for block in (1, 40, 100):
        monkeypatch.setattr(predictive, "_BLOCK_CELLS", block)
        np.testing.assert_array_equal(predictive.inverse_cumulative_hazard(target, rates, bounds), whole)
    at_bounds = predictive._cumulative_hazard_at_bounds(rates, bounds)
    segment = np.zeros(target.shape, dtype=np.intp)
    for j in range(1, 4):
        segment += target >= at_bounds[:, j : j + 1]
    start = np.take_along_axis(at_bounds, segment, axis=1)
    old = bounds[segment] + (target - start) / np.take_along_axis(rates, segment, axis=1)
    np.testing.assert_array_equal(whole, old)


def test_outlook_results_share_the_fixed_keys(example: TrialData) -> None:
    scope = ViewScope.of(example)
    benchmark = example.study.benchmarks[0]
    state = predictive.trial_state(example.adtte, example.adsl, benchmark.paramcd, scope.settings)
    options = predictive.PredictiveOptions(draws=150, piecewise=True)
    first = predictive.predictive_probability(state, float(benchmark.median), options)
    assert not state.fixed_keys.flags.writeable
    again = predictive.predictive_probability(state, float(benchmark.median), options)
    np.testing.assert_array_equal(first.medians, again.medians)
    fresh = dataclasses.replace(state)  # no cached keys
    np.testing.assert_array_equal(
        predictive.predictive_probability(fresh, float(benchmark.median), options).medians, first.medians
    )
    sims = predictive.simulate_final_analysis(state, first.posterior, first.follow_up_months, draws=150)
    np.testing.assert_array_equal(first.medians, _old_km_median_rows(sims.time, sims.event))


# ----------------------------------------------------------------------------------------------------
# Stratification columns: the subjects' values read column by column, as the copy of ADSL gave them.


def _old_stratification_columns(
    adsl: pd.DataFrame, subjects: list[str] | None = None, max_levels: int = 8
) -> list[str]:
    wanted = None if subjects is None else {str(s) for s in subjects}
    rows = adsl if wanted is None else adsl[adsl["USUBJID"].astype(str).isin(wanted)]
    found = []
    for column in adsl.columns:
        name = column.upper()
        if (
            column in endpoints.ID_COLUMNS
            or name.endswith(endpoints._NOT_CATEGORY_SUFFIXES)
            or name.startswith(endpoints.OUTCOME_PREFIXES)
        ):
            continue
        everywhere = adsl[column]
        if pd.api.types.is_datetime64_any_dtype(everywhere):
            continue
        if pd.api.types.is_numeric_dtype(everywhere) and not pd.api.types.is_bool_dtype(everywhere):
            present = everywhere.dropna().astype(float)
            if not np.all(np.equal(np.mod(present, 1), 0)) or present.nunique() > max_levels:
                continue
        values = rows[column]
        if len(values) == 0 or values.notna().sum() < len(values) / 2:
            continue
        if 2 <= values.nunique(dropna=True) <= max_levels:
            found.append(column)
    duplicates = {c for c in found if endpoints.DUPLICATE_COLUMNS.get(c) in found}
    duplicates |= {c for c in found if c.endswith("N") and c[:-1] in found}
    found = [c for c in found if c not in duplicates]
    first = [c for c in (*endpoints.STANDARD_FILTERS, *endpoints.TREATMENT_COLUMNS) if c in found]
    return first + [c for c in found if c not in first]


@pytest.mark.filterwarnings("ignore:invalid value encountered in remainder")
def test_stratification_columns_as_before(example: TrialData) -> None:
    adsl = pd.DataFrame(
        {
            "USUBJID": [f"S{i}" for i in range(10)],
            "SEX": ["M", "F"] * 5,
            "GRADE": pd.array([1, 2, None, 2, 1, 3, None, None, 1, 2], dtype="Int64"),
            "SCORE": [0.5, 1.0, 2.0, 1.0, 0.5, 1.0, 2.0, 1.0, 2.0, 1.0],
            "WHOLE": [0.0, -0.0, 1.0, 2.0, np.nan, 1.0, 2.0, 0.0, 1.0, 2.0],
            "BIG": list(range(10)),
            "FLAG": [True, False] * 5,
            "HALF": ["A", None, None, None, None, None, "B", "A", None, "B"],
            "ARM": ["X"] * 10,
            "INF": [1.0, np.inf, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
        }
    )
    few = ["S0", "S1", "S6", "S7", "S9"]
    for frame in (adsl, example.adsl, adsl.iloc[:0]):
        for subjects in (None, few, list(frame["USUBJID"])[::2], ["nobody"]):
            for levels in (2, 8):
                expected = _old_stratification_columns(frame, subjects, levels)
                assert endpoints.stratification_columns(frame, subjects, levels) == expected


# ----------------------------------------------------------------------------------------------------
# Swimmer markers: lesion texts once per distinct MDTLES and TULOC, the texts of one day joined without a
# groupby call per day.


def _old_lesion_texts(rows: pd.DataFrame) -> pd.Series:
    kind = rows["MDTLES"].astype("string") if "MDTLES" in rows.columns else pd.Series("MDT", index=rows.index)
    site = rows["TULOC"].astype("string") if "TULOC" in rows.columns else pd.Series("", index=rows.index)
    return (kind.fillna("MDT") + " (" + site.fillna("?") + ")").astype(object)


def _lesions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "USUBJID": ["B", "A", "B", "A", "C", "B", None, "A", "C"],
            "MDTDT": pd.to_datetime(
                [
                    *("2024-01-02", "2024-01-01", "2024-01-02", "2024-01-01", None, "2024-01-03"),
                    *("2024-01-01", "2024-01-01", "2024-01-05"),
                ]
            ),
            "MDTLES": ["SBRT", "SBRT", None, "Surgery", "SBRT", float("nan"), "SBRT", "SBRT", "SBRT "],
            "TULOC": ["Bone", "Lymph node", "Bone", None, "Bone", "Lung", "Bone", "Lymph node", "Bone"],
        }
    )


def test_lesion_texts_and_joined_days_as_before(example: TrialData) -> None:
    lesions = _lesions()
    assert example.adtu is not None
    cases = [
        lesions,
        lesions.drop(columns="TULOC"),
        lesions.drop(columns=["MDTLES", "TULOC"]),
        lesions.assign(MDTLES=lesions["MDTLES"].astype(object).where(lesions.index != 2, 3)),
        lesions.assign(TULOC=lesions["TULOC"].astype("string")),
        lesions.iloc[:0],
        lesions.set_index(lesions.index * 2 + 5),
        example.adtu,
    ]
    keys = ["USUBJID", "MDTDT"]
    for rows in cases:
        texts = swimmer._lesion_details(rows)
        pd.testing.assert_series_equal(texts, _old_lesion_texts(rows))
        frame = rows.loc[rows["MDTDT"].notna()].assign(DETAIL=texts)
        frame = frame.loc[frame.duplicated(keys, keep=False), [*keys, "DETAIL"]]
        old = frame.groupby(keys, sort=False)["DETAIL"].agg("; ".join).reset_index()
        pd.testing.assert_frame_equal(swimmer._joined_details(frame, keys), old)
    with_missing_key = lesions.assign(DETAIL=_old_lesion_texts(lesions))
    old = with_missing_key.groupby(keys, sort=False)["DETAIL"].agg("; ".join).reset_index()
    pd.testing.assert_frame_equal(swimmer._joined_details(with_missing_key, keys), old)


# ----------------------------------------------------------------------------------------------------
# Changes since a date: ADTU and ADLB are no longer replayed (changes_since does not read them).


def test_changes_since_as_with_the_whole_replay(example: TrialData, monkeypatch: pytest.MonkeyPatch) -> None:
    end = cuts.data_cutoff(example)
    assert end is not None
    windows = ((end - pd.Timedelta(days=365), None), ("2000-01-01", end), (end, end))
    news = [cuts.changes_since(example, since, until) for since, until in windows]
    # The old way: every dataset replayed, by as_of itself.
    replay = cuts._as_of
    monkeypatch.setattr(cuts, "_as_of", lambda trial, when, lesions_and_labs=True: replay(trial, when))
    for new, (since, until) in zip(news, windows, strict=True):
        old = cuts.changes_since(example, since, until)
        for field in dataclasses.fields(new):
            left, right = getattr(new, field.name), getattr(old, field.name)
            if isinstance(left, pd.DataFrame):
                pd.testing.assert_frame_equal(left, right)
            else:
                assert left == right
    monkeypatch.undo()
    stripped = cuts._as_of(example, news[0].since, lesions_and_labs=False)
    whole = cuts.as_of(example, news[0].since)
    for name in ("adsl", "adtte", "adae"):
        pd.testing.assert_frame_equal(stripped.dataset(name), whole.dataset(name))
    assert stripped.adtu is None and stripped.adlb is None


# ----------------------------------------------------------------------------------------------------
# apply_filters: rows taken once, subjects hashed once per dataset.


def _old_apply_filters(trial: TrialData, filters: Filters) -> TrialData:
    if not filters:
        return trial
    mask = selected_subjects(trial.adsl, filters)
    adsl = trial.adsl.loc[mask].reset_index(drop=True)
    subjects = set(adsl["USUBJID"])
    restricted: dict[str, pd.DataFrame] = {}
    for name in DATASETS[1:]:
        frame = trial.dataset(name)
        if frame is not None:
            restricted[name] = frame.loc[frame["USUBJID"].isin(subjects)].reset_index(drop=True)
    return dataclasses.replace(trial, adsl=adsl, **restricted)


def test_apply_filters_as_before(example: TrialData) -> None:
    shifted = dataclasses.replace(
        example,
        adsl=example.adsl.set_index(example.adsl.index * 3 + 2),
        adae=None,
    )
    sites = sorted(example.adsl["SITEID"].astype(str).unique())
    cases = (
        Filters.from_mapping({"SITEID": sites[:1]}),
        Filters.from_mapping({"SITEID": sites[1:], "SEX": ["M"]}),
        Filters.from_mapping({"SEX": ["F"]}),  # nobody
        Filters(),
    )
    for trial in (example, shifted):
        for filters in cases:
            new, old = apply_filters(trial, filters), _old_apply_filters(trial, filters)
            for name in DATASETS:
                left, right = new.dataset(name), old.dataset(name)
                assert (left is None) == (right is None)
                if left is not None and right is not None:
                    pd.testing.assert_frame_equal(left, right, check_exact=True)
            if filters:
                new.adsl["CHANGED"] = 1  # a frame of its own: no copy warning, the trial untouched
                assert "CHANGED" not in trial.adsl.columns
