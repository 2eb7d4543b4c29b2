"""The faster outlook, toxicity and follow-up code gives the results of the code it replaced.

Oracles, kept here as they were: the lexsort Kaplan-Meier median of the predictive simulation, its
simulation with ``take_along_axis`` and one matrix product, the toxicity listings and the pandas table
order, the per-patient loop of the follow-up schedule, and the row-by-row course table. Each is compared
with the new code on the example trial and on hand-made cases (ties, missing values, odd case and spaces,
empty frames). No timing is tested here (see docs/performance.md and bench/).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from medcare_metrics import loading
from medcare_metrics.model import TrialData
from medcare_metrics.patients import followup
from medcare_metrics.rules import DAYS_PER_MONTH, is_high_grade
from medcare_metrics.study import Assessment, VisitSchedule
from medcare_metrics.subjects import date_values
from medcare_metrics.survival import _frame, predictive
from medcare_metrics.text.decision import course_table
from medcare_metrics.text.toxicity import intro_text
from medcare_metrics.toxicity import (
    ToxicityOptions,
    add_onset_phase,
    counted_events,
    grade_scale,
    grade_table,
    high_grade_events,
    high_grade_patient_count,
    high_grade_patients,
    restrict_to_soc,
    safety_population,
    soc_names,
    toxicity_by_grade,
    toxicity_by_phase,
    toxicity_by_relationship,
)
from medcare_metrics.toxicity.counts import _events, _table_order, soc_grade_tables
from medcare_metrics.toxicity.groups import group_order
from medcare_metrics.views.decision import (
    MonitoringControls,
    OutlookControls,
    outlook_view,
    toxicity_monitoring_view,
)
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.toxicity import ToxicityControls, toxicity_view

EXAMPLE = Path(__file__).resolve().parents[1] / "medcare_metrics" / "example_data"


@pytest.fixture(scope="module")
def example() -> TrialData:
    trial = loading.load_trial(EXAMPLE).trial
    assert trial is not None
    return trial


# ----------------------------------------------------------------------------------------------------
# Predictive probability: the lexsort median and the simulation as they were.


def _old_km_median_rows(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    time = np.atleast_2d(np.asarray(time, dtype=float))
    event = np.atleast_2d(np.asarray(event, dtype=bool))
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


def _old_inverse(target: np.ndarray, rates: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    at_bounds = predictive._cumulative_hazard_at_bounds(rates, bounds)
    segment = np.zeros(target.shape, dtype=np.intp)
    for j in range(1, bounds.size):
        segment += target >= at_bounds[:, j : j + 1]
    start = np.take_along_axis(at_bounds, segment, axis=1)
    rate = np.take_along_axis(rates, segment, axis=1)
    return bounds[segment] + (target - start) / rate


def _old_simulate(
    state: predictive.TrialState, posterior: predictive.GammaPosterior, follow: float, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    bounds = posterior.bounds
    rates = rng.gamma(posterior.shape[None, :], 1.0 / posterior.rate[None, :], size=(draws, bounds.size))
    k = int(state.n_future)
    if k:
        accrual = rng.gamma(state.accrual_shape, 1.0 / state.accrual_rate, size=draws)
        future_entry = np.cumsum(rng.standard_exponential((draws, k)), axis=1) / accrual[:, None]
        last_entry = future_entry[:, -1]
    else:
        future_entry = np.zeros((draws, 0))
        known = state.entry[np.isfinite(state.entry)]
        last_entry = np.full(draws, known.max() if known.size else 0.0)
    close = last_entry
    if state.planned_end is not None:
        close = np.maximum(close, state.planned_end)
    analysis = np.maximum(close + float(follow), 0.0)
    time = np.broadcast_to(state.time, (draws, state.n)).copy()
    event = np.broadcast_to(state.event, (draws, state.n)).copy()
    cont = np.flatnonzero(state.continuing)
    if cont.size:
        c = state.time[cont]
        entry = np.where(np.isfinite(state.entry[cont]), state.entry[cont], -c)
        start = rates @ predictive._overlap(c, bounds).T
        t = _old_inverse(start + rng.standard_exponential((draws, cont.size)), rates, bounds)
        cap = np.maximum(analysis[:, None] - entry[None, :], c[None, :])
        time[:, cont] = np.minimum(t, cap)
        event[:, cont] = t <= cap
    if k:
        t = _old_inverse(rng.standard_exponential((draws, k)), rates, bounds)
        cap = np.maximum(analysis[:, None] - future_entry, 0.0)
        time = np.concatenate((time, np.minimum(t, cap)), axis=1)
        event = np.concatenate((event, t <= cap), axis=1)
    return time, event, analysis


def _assert_same_prediction(state: predictive.TrialState, benchmark: float, **options: object) -> None:
    opts = predictive.PredictiveOptions(**options)  # type: ignore[arg-type]
    new = predictive.predictive_probability(state, benchmark, opts)
    cuts = opts.cuts_months if opts.piecewise else ()
    posterior = predictive.gamma_posterior(state.time, state.event, benchmark, opts.prior_events, cuts)
    follow = float(benchmark if opts.follow_up_months is None else opts.follow_up_months)
    time, event, analysis = _old_simulate(state, posterior, follow, opts.draws, opts.seed)
    medians = _old_km_median_rows(time, event)
    np.testing.assert_array_equal(new.medians, medians)
    assert new.probability == float(predictive.beats_benchmark(medians, time, benchmark).mean())
    assert new.analysis_months == float(np.median(analysis))
    sims = predictive.simulate_final_analysis(state, posterior, follow, "planned", opts.draws, opts.seed)
    np.testing.assert_array_equal(sims.time, time)
    np.testing.assert_array_equal(sims.event, event)


def _state(seed: int, n: int, future: int, whole: bool = False) -> predictive.TrialState:
    rng = np.random.default_rng(seed)
    time = rng.exponential(10.0, n)
    if whole:
        time = np.round(time)  # whole months: many ties, a median sitting on a plateau
    event = rng.random(n) < 0.5
    continuing = ~event & (rng.random(n) < 0.7)
    return predictive.TrialState(
        time=time,
        event=event,
        continuing=continuing,
        entry=np.where(rng.random(n) < 0.9, -time - rng.exponential(2.0, n), np.nan),
        n_future=future,
        accrual_shape=12.0,
        accrual_rate=20.0,
        planned_end=2.0,
        target=n + future,
    )


@pytest.mark.parametrize("piecewise", [False, True])
def test_outlook_numbers_are_those_of_the_lexsort_simulation(example: TrialData, piecewise: bool) -> None:
    scope = ViewScope.of(example)
    for benchmark in example.study.benchmarks[:2]:
        state = predictive.trial_state(example.adtte, example.adsl, benchmark.paramcd, scope.settings)
        _assert_same_prediction(state, float(benchmark.median), piecewise=piecewise, draws=300)
    for seed, (n, future, whole) in enumerate(
        [(60, 0, False), (40, 25, True), (200, 5, True), (1, 0, False)]
    ):
        state = _state(seed, n, future, whole)
        for weight in (0.5, 5.0):
            _assert_same_prediction(
                state, 8.0, prior_events=weight, piecewise=piecewise, draws=150, cuts_months=(3.0, 9.0)
            )
    _assert_same_prediction(_state(9, 30, 0), 8.0, piecewise=piecewise, draws=1)


def test_outlook_view_is_unchanged_by_the_merge(example: TrialData) -> None:
    # The view's numbers go through predictive_probability: the same view with the old median.
    scope = ViewScope.of(example)
    endpoint = example.study.benchmarks[0].paramcd
    new = outlook_view(scope, OutlookControls(endpoint=endpoint))
    saved = predictive._final_medians

    def lexsort_medians(
        state: predictive.TrialState, draw: predictive._Draws
    ) -> tuple[np.ndarray, np.ndarray]:
        time = np.broadcast_to(state.time, (draw.analysis.size, state.n)).copy()
        event = np.broadcast_to(state.event, (draw.analysis.size, state.n)).copy()
        time[:, draw.continuing] = draw.continuing_time
        event[:, draw.continuing] = draw.continuing_event
        time = np.concatenate((time, draw.future_time), axis=1)
        event = np.concatenate((event, draw.future_event), axis=1)
        return _old_km_median_rows(time, event), time.max(axis=1)

    predictive._final_medians = lexsort_medians  # type: ignore[assignment]
    try:
        old = outlook_view(scope, OutlookControls(endpoint=endpoint))
    finally:
        predictive._final_medians = saved  # type: ignore[assignment]
    pd.testing.assert_frame_equal(new.table, old.table)
    pd.testing.assert_frame_equal(new.sensitivity, old.sensitivity)
    assert new.figure is not None and old.figure is not None
    pd.testing.assert_frame_equal(new.figure.bars, old.figure.bars)
    assert (new.headline, new.so_far) == (old.headline, old.so_far)


def test_sorted_key_median_is_the_lexsort_median() -> None:
    rng = np.random.default_rng(3)
    time = rng.integers(0, 6, size=(400, 9)).astype(float)  # ties everywhere, zeros, plateaus at 0.5
    event = rng.random((400, 9)) < 0.6
    time[0] = [1, 2, 3, 5, 6, 8, 9, 9, 9]
    event[0] = [True, True, True, True, False, True, True, False, False]
    time[1, 3] = np.inf
    np.testing.assert_array_equal(predictive.km_median_rows(time, event), _old_km_median_rows(time, event))
    # Times the keys cannot hold take the lexsort itself.
    odd = time.copy()
    odd[2, 0], odd[3, 1], odd[4, 2] = np.nan, -0.0, -1.0
    np.testing.assert_array_equal(predictive.km_median_rows(odd, event), _old_km_median_rows(odd, event))
    empty = np.zeros((3, 0))
    np.testing.assert_array_equal(predictive.km_median_rows(empty, empty > 0), np.full(3, np.nan))


def test_merged_prefix_median_redoes_the_draws_it_cannot_settle() -> None:
    # Draw 0 reaches its median early, the others late or never: the prefix guessed from draw 0 is too
    # short for them, and they are done again in full.
    rng = np.random.default_rng(5)
    fixed_time = rng.exponential(5.0, 300)
    fixed_event = rng.random(300) < 0.3
    random_time = rng.exponential(5.0, (50, 200)) * np.linspace(0.2, 30.0, 50)[:, None]
    random_event = rng.random((50, 200)) < 0.8
    random_event[-5:] = False
    fixed = np.sort(predictive._sort_keys(fixed_time, fixed_event))
    ours = predictive._merged_medians(fixed, predictive._sort_keys(random_time, random_event))
    time = np.concatenate((np.broadcast_to(fixed_time, (50, 300)), random_time), axis=1)
    event = np.concatenate((np.broadcast_to(fixed_event, (50, 300)), random_event), axis=1)
    np.testing.assert_array_equal(ours, _old_km_median_rows(time, event))


def test_inverse_cumulative_hazard_and_blocked_product_are_unchanged() -> None:
    rng = np.random.default_rng(8)
    for k in (1, 2, 4):
        bounds = np.concatenate(([0.0], np.sort(rng.uniform(1.0, 30.0, k - 1))))
        rates = rng.gamma(2.0, 0.05, size=(37, k))
        target = rng.exponential(1.0, size=(37, 113))
        target[0, :3] = 0.0
        ours = predictive.inverse_cumulative_hazard(target, rates, bounds)
        np.testing.assert_array_equal(ours, _old_inverse(target, rates, bounds))
        one = rates[:1]  # one row of rates for every row of targets
        np.testing.assert_array_equal(
            predictive.inverse_cumulative_hazard(target, one, bounds), _old_inverse(target, one, bounds)
        )
        overlap = predictive._overlap(rng.exponential(10.0, 1500), bounds).T
        for rows in (1, 2, 3, 201):
            left = rng.gamma(2.0, 0.05, size=(rows, k))
            np.testing.assert_array_equal(predictive._product(left, overlap), left @ overlap)


# ----------------------------------------------------------------------------------------------------
# Toxicity: listings, table order and the view's shared steps against the separate calls.


def _old_high_grade_events(
    adae: pd.DataFrame, adsl: pd.DataFrame | None, by: str | None, options: ToxicityOptions
) -> pd.DataFrame:
    events, scale, _, _ = _events(adae, adsl, by, options)
    events = add_onset_phase(events, adsl, options.acute_window_days)
    events = events.loc[is_high_grade(events["GRADE"], options.high_grade).to_numpy()].copy()
    events["GRADE_LABEL"] = events["GRADE"].map(scale.label, na_action=None).astype(object)
    cols = [c for c in high_grade_events.__globals__["_LISTING_COLUMNS"] if c in events.columns]
    cols = [c for c in cols if c != "GROUP" or by is not None]
    order = [c for c in ("USUBJID", "ASTDT", "ASTDY", "AESEQ") if c in events.columns]
    return events.sort_values(order, na_position="last")[cols].reset_index(drop=True)


def _old_high_grade_patients(
    adae: pd.DataFrame, adsl: pd.DataFrame | None, by: str | None, options: ToxicityOptions
) -> pd.DataFrame:
    events = _old_high_grade_events(adae, adsl, by, options)
    keys = ["USUBJID", "GROUP"] if by is not None else ["USUBJID"]
    scale = grade_scale(adae)
    context = [
        c
        for c in ("SITEID", "SITENAME", "MDTTYPE")
        if adsl is not None and c in adsl.columns and c != by and c not in keys
    ]
    cols = [*keys, *context, "WORST_GRADE", "WORST_LABEL", "N_EVENTS", "TERMS"]
    if "ASTDT" in events.columns:
        cols.append("FIRST_ONSET")
    if events.empty:
        return pd.DataFrame(columns=cols)
    grouped = events.groupby(keys, sort=True)
    out = grouped.agg(
        WORST_GRADE=("GRADE", "max"),
        N_EVENTS=("GRADE", "size"),
        TERMS=("AEDECOD", lambda s: "; ".join(sorted({str(v) for v in s.dropna()}))),
    )
    if "ASTDT" in events.columns:
        out["FIRST_ONSET"] = grouped["ASTDT"].min()
    out = out.reset_index()
    if context:
        assert adsl is not None
        out = out.join(adsl.drop_duplicates("USUBJID").set_index("USUBJID")[context], on="USUBJID")
    out["WORST_GRADE"] = out["WORST_GRADE"].astype("Int64")
    out["WORST_LABEL"] = out["WORST_GRADE"].map(scale.label).astype(object)
    out = out.sort_values(["WORST_GRADE", *keys], ascending=[False] + [True] * len(keys))
    return out[cols].reset_index(drop=True)


def _old_table_order(keys: pd.DataFrame, any_n: np.ndarray, order: str) -> np.ndarray:
    rank = {g: i for i, g in enumerate(group_order(keys["GROUP"]))}
    work = pd.DataFrame(
        {
            "soc": keys["AEBODSYS"].astype(str).str.casefold().to_numpy(),
            "term": keys["AEDECOD"].astype(str).str.casefold().to_numpy(),
            "group": keys["GROUP"].map(rank).to_numpy(),
            "n": any_n,
        }
    )
    sort = ["soc", "term", "group"]
    if order == "frequency":
        per_group = work.groupby(["soc", "group"])["n"].transform("sum")
        work["soc_n"] = -per_group.groupby(work["soc"]).transform("max")
        work["term_n"] = -work.groupby(["soc", "term"])["n"].transform("max")
        sort = ["soc_n", "soc", "term_n", "term", "group"]
    return work.sort_values(sort, kind="stable").index.to_numpy()


def _odd_frames(trial: TrialData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The example's ADAE and ADSL with case-variant SOCs and terms, missing grades and values."""
    adae, adsl = trial.adae.copy(), trial.adsl.copy()
    assert adae is not None
    adae.loc[adae.index[::3], "AEBODSYS"] = adae.loc[adae.index[::3], "AEBODSYS"].str.upper()
    adae.loc[adae.index[1::4], "AEDECOD"] = adae.loc[adae.index[1::4], "AEDECOD"].str.lower() + " "
    adae.loc[adae.index[::5], "ATOXGR"] = pd.NA
    adae.loc[adae.index[2::7], "AEREL"] = None
    adae.loc[adae.index[3::6], "ASTDT"] = pd.NaT
    adae.loc[adae.index[4], "USUBJID"] = "NOT-IN-ADSL"
    adsl.loc[adsl.index[::4], "MDTTYPE"] = None
    return adae, adsl


def _toxicity_cases(trial: TrialData) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    assert trial.adae is not None
    odd_adae, odd_adsl = _odd_frames(trial)
    with_columns = trial.adsl.assign(PHASE="x", AEREL="y")  # ADSL columns named as the event splits
    no_trtemfl = trial.adae.drop(columns=["TRTEMFL", "ATOXGR", "AETOXGR"])  # severity only
    return [
        (trial.adae, trial.adsl),
        (odd_adae, odd_adsl),
        (trial.adae, with_columns),
        (no_trtemfl, trial.adsl),
    ]


def test_listings_and_count_are_those_of_the_old_listing(example: TrialData) -> None:
    for number, (adae, adsl) in enumerate(_toxicity_cases(example)[1:]):
        splits = (None, "AEREL") if number % 2 else ("MDTTYPE",)
        options_each = (ToxicityOptions(), ToxicityOptions(teae_only="TRTEMFL" in adae, high_grade=2))
        for by, options in zip(splits * 2, options_each[number % 2 :], strict=False):
            pd.testing.assert_frame_equal(
                high_grade_events(adae, adsl, by, options), _old_high_grade_events(adae, adsl, by, options)
            )
            pd.testing.assert_frame_equal(
                high_grade_patients(adae, adsl, by, options),
                _old_high_grade_patients(adae, adsl, by, options),
            )
        for teae in (False, None):
            count = high_grade_patient_count(adae, adsl, teae_only=teae, high_grade=2)
            options = ToxicityOptions(teae_only=count.teae_only, high_grade=2)
            assert count.n_patients == _old_high_grade_events(adae, adsl, None, options)["USUBJID"].nunique()
            assert count.n_population == len(safety_population(adsl).subjects)
        none = high_grade_patient_count(adae, None)
        assert (
            none.n_population
            == _events(adae, None, None, ToxicityOptions(none.teae_only))[0]["USUBJID"].nunique()
        )
    empty = example.adae.iloc[0:0]
    pd.testing.assert_frame_equal(
        high_grade_patients(empty, example.adsl, None, ToxicityOptions()),
        _old_high_grade_patients(empty, example.adsl, None, ToxicityOptions()),
    )


def test_table_order_and_soc_tables_are_those_of_pandas(example: TrialData) -> None:
    rng = np.random.default_rng(2)
    for (adae, adsl), by, order in zip(
        _toxicity_cases(example)[:2], ("MDTTYPE", "AEREL"), ("frequency", "alphabetical"), strict=True
    ):
        terms = toxicity_by_grade(adae, adsl, level="term", by=by)
        socs = soc_names(terms)
        one_pivot = soc_grade_tables(terms, socs, order=order)
        for soc, table in zip(socs, one_pivot, strict=True):
            pd.testing.assert_frame_equal(table, grade_table(restrict_to_soc(terms, soc), order=order))
    keys = pd.DataFrame(
        {
            "GROUP": rng.choice(["Late", "Acute", "Missing", "b", "A"], 300),
            "AEBODSYS": rng.choice(["Cardiac", "CARDIAC", "skin", None, "Eye"], 300),
            "AEDECOD": rng.choice(["Rash", "rash", "Pain", "ANY", np.nan], 300),
        }
    )
    any_n = rng.integers(0, 4, 300)
    for order in ("alphabetical", "frequency"):
        np.testing.assert_array_equal(_table_order(keys, any_n, order), _old_table_order(keys, any_n, order))
        mixed = keys.assign(GROUP=keys["GROUP"].where(keys.index % 7 > 0, 3))  # a name that is not text
        np.testing.assert_array_equal(
            _table_order(mixed, any_n, order), _old_table_order(mixed, any_n, order)
        )


def _assert_same(new: object, old: object, path: str = "") -> None:
    if isinstance(new, pd.DataFrame):
        pd.testing.assert_frame_equal(new, old, obj=path)  # type: ignore[arg-type]
    elif dataclasses.is_dataclass(new) and not isinstance(new, type):
        for f in dataclasses.fields(new):
            _assert_same(getattr(new, f.name), getattr(old, f.name), f"{path}.{f.name}")
    elif isinstance(new, tuple | list):
        assert isinstance(old, tuple | list) and len(new) == len(old), path
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            _assert_same(a, b, f"{path}[{i}]")
    else:
        assert new == old, path


def test_toxicity_view_equals_each_count_made_on_its_own(example: TrialData) -> None:
    cases = _toxicity_cases(example)
    split = ToxicityControls(split="MDT type", teae_only=False, acute_window_days=30)
    for (adae, adsl), controls in ((cases[1], split),):
        scope = ViewScope.of(dataclasses.replace(example, adae=adae, adsl=adsl))
        view = toxicity_view(scope, controls)
        options = ToxicityOptions(
            teae_only=controls.teae_only and "TRTEMFL" in adae,
            acute_window_days=controls.acute_window_days,
        )
        by = "MDTTYPE" if controls.split == "MDT type" else None
        # Every count below made by the public function on its own, as the view made them before.
        assert view.intro == intro_text(counted_events(adae, adsl, options))
        assert view.overall is not None and view.soc is not None and view.high is not None
        _assert_same(view.overall.figure.counts, toxicity_by_grade(adae, adsl, "overall", by, options))
        _assert_same(view.soc.figure.counts, toxicity_by_grade(adae, adsl, "soc", by, options))
        terms = toxicity_by_grade(adae, adsl, "term", by, options)
        pd.testing.assert_frame_equal(view.terms[0].table, grade_table(terms, order="frequency"))
        for section in view.terms[1:4]:  # the SOCs' tables are checked one by one in the test above
            pd.testing.assert_frame_equal(
                section.table, grade_table(restrict_to_soc(terms, section.soc), order="frequency")
            )
        pd.testing.assert_frame_equal(view.high.events, high_grade_events(adae, adsl, by, options))
        pd.testing.assert_frame_equal(view.high.patients, _old_high_grade_patients(adae, adsl, by, options))
        _assert_same(
            view.high.count,
            high_grade_patient_count(adae, adsl, teae_only=options.teae_only, high_grade=options.high_grade),
        )
        assert view.phase is not None
        for (_, detail), level in zip(view.phase.levels, ("soc", "term"), strict=True):
            _assert_same(detail.figure.counts, toxicity_by_phase(adae, adsl, level, options))
        _assert_same(view.phase.overall.figure.counts, toxicity_by_phase(adae, adsl, "overall", options))
        if view.relationship is not None:
            _assert_same(
                view.relationship.overall.figure.counts,
                toxicity_by_relationship(adae, adsl, "overall", options),
            )


def test_onset_phase_parses_text_dates_as_before(example: TrialData) -> None:
    adae = example.adae.assign(ASTDT=example.adae["ASTDT"].dt.strftime("%Y-%m-%d"))
    adsl = example.adsl.assign(TRTSDT=example.adsl["TRTSDT"].astype("datetime64[s]"))
    ours = add_onset_phase(adae, adsl)
    assert ours["ONSET_DAYS"].equals(add_onset_phase(example.adae, example.adsl)["ONSET_DAYS"])


# ----------------------------------------------------------------------------------------------------
# Toxicity boundary: the course table row by row.


def _old_course_table(course: pd.DataFrame) -> pd.DataFrame:
    def when(value: object) -> str:
        return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"  # type: ignore[arg-type]

    yes_no = {True: "Yes", False: "No"}
    return pd.DataFrame(
        {
            "n": course["N"].to_numpy(),
            "USUBJID": course["USUBJID"].to_numpy(),
            "MDT start": [when(d) for d in course["TRTSDT"]],
            "Event": course["EVENT"].map(yes_no).to_numpy(),
            "First event onset": [when(d) for d in course["EVENT_DATE"]],
            "Patients with the event": course["CUM_EVENTS"].to_numpy(),
            "Boundary": ["–" if pd.isna(b) else str(b) for b in course["BOUNDARY"]],
            "Crossed": course["CROSSED"].map(yes_no).to_numpy(),
            "Within the acute window": course["IN_WINDOW"].map(yes_no).to_numpy(),
        }
    )


def test_course_table_is_the_row_by_row_table(example: TrialData) -> None:
    view = toxicity_monitoring_view(ViewScope.of(example), MonitoringControls(unacceptable_rate=0.1))
    course = view.course_download
    assert len(course)
    pd.testing.assert_frame_equal(view.course, _old_course_table(course))
    odd = course.assign(EVENT_DATE=pd.Series([None] * len(course), dtype=object))
    pd.testing.assert_frame_equal(course_table(odd), _old_course_table(odd))
    pd.testing.assert_frame_equal(course_table(course.iloc[0:0]), _old_course_table(course.iloc[0:0]))


# ----------------------------------------------------------------------------------------------------
# Follow-up: the loop over patients and assessments as it was.


def _old_latest(dates: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    kept = dates.loc[dates["DATE"].dt.normalize() <= as_of]
    return kept.groupby("USUBJID")["DATE"].max().dt.normalize()


def _old_dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"USUBJID": frame["USUBJID"].astype(str).to_numpy(), "DATE": date_values(frame, c)})
        for c in columns
    ]
    if not parts:
        return pd.DataFrame({"USUBJID": pd.Series(dtype=object), "DATE": pd.Series(dtype="datetime64[ns]")})
    out = pd.concat(parts, ignore_index=True)
    return out.loc[out["DATE"].notna()]


def _old_last_contact(trial: TrialData, when: pd.Timestamp) -> pd.Series:
    parts = []
    for name in trial.available:
        frame = trial.dataset(name)
        if frame is None or "USUBJID" not in frame.columns:
            continue
        columns = [
            c for c in frame.select_dtypes(include=["datetime64[ns]", "datetime"]).columns if c != "DCUTDT"
        ]
        parts.append(_old_dates(frame, columns))
    if not parts:
        return pd.Series(dtype="datetime64[ns]")
    dates = pd.concat(parts, ignore_index=True)
    cutoff = followup.data_cutoff(trial)
    if cutoff is not None:
        dates = dates.loc[dates["DATE"].dt.normalize().ne(cutoff)]
    return _old_latest(dates, when)


def _old_assessment_dates(trial: TrialData, name: str) -> tuple[pd.DataFrame | None, str]:
    adlb = trial.adlb
    key = "".join(name.split()).upper()
    if adlb is not None and {"PARAMCD", "ADT", "USUBJID"} <= set(adlb.columns):
        paramcd = adlb["PARAMCD"].astype("string").str.strip().str.upper()
        rows = adlb.loc[paramcd.eq(key).fillna(False).astype(bool)]
        if not rows.empty:
            return _old_dates(rows, ["ADT"]), f"ADLB {key}"
    adtu = trial.adtu
    imaging = followup.re.search(followup.IMAGING_PATTERN, name, flags=followup.re.IGNORECASE) is not None
    if imaging and adtu is not None and {"ADT", "USUBJID"} <= set(adtu.columns):
        dates = _old_dates(adtu, ["ADT"])
        if not dates.empty:
            return dates, "ADTU ADT"
    return None, followup.LAST_CONTACT_BASIS


def _old_next_due(anchor: pd.Timestamp, last: object, every: float, tolerance: pd.Timedelta) -> pd.Timestamp:
    since = anchor if last is None or pd.isna(last) else max(last, anchor)  # type: ignore[call-overload]
    k = 1
    while anchor + pd.Timedelta(days=round(k * every * DAYS_PER_MONTH)) - tolerance <= since:
        k += 1
    return anchor + pd.Timedelta(days=round(k * every * DAYS_PER_MONTH))


def _old_follow_up_due(trial: TrialData, schedule: VisitSchedule, as_of: object) -> pd.DataFrame:
    when = pd.Timestamp(as_of).normalize()  # type: ignore[arg-type]
    tolerance = pd.Timedelta(days=schedule.tolerance_days)
    patients = trial.adsl.loc[followup.on_study_mask(trial.adsl)]
    if patients.empty or not schedule.assessments:
        return followup._empty()
    ids = patients["USUBJID"].astype(str)
    anchors = followup.registration_dates(patients).dt.normalize()
    contact = ids.map(_old_last_contact(trial, when))
    site = patients["SITEID"].astype(str) if "SITEID" in patients.columns else pd.Series("", index=ids.index)
    name = patients["SITENAME"] if "SITENAME" in patients.columns else site
    rows: list[dict[str, object]] = []
    for assessment in schedule.assessments:
        dates, basis = _old_assessment_dates(trial, assessment.name)
        last = ids.map(_old_latest(dates, when)) if dates is not None else contact
        for i in patients.index:
            anchor, done = anchors[i], last[i]
            if pd.isna(anchor):
                due, status, late = pd.NaT, followup.NO_ANCHOR, pd.NA
            else:
                due = _old_next_due(
                    anchor, None if pd.isna(done) else done, assessment.every_months, tolerance
                )
                status = (
                    followup.OVERDUE
                    if when > due + tolerance
                    else followup.DUE
                    if when >= due - tolerance
                    else followup.NOT_YET_DUE
                )
                late = max(0, (when - due).days)
            rows.append(
                {
                    "SITEID": site[i],
                    "SITENAME": "" if pd.isna(name[i]) else str(name[i]),
                    "USUBJID": ids[i],
                    "REGISTERED": anchor,
                    "LAST_CONTACT": contact[i],
                    "ASSESSMENT": assessment.name,
                    "EVERY_MONTHS": float(assessment.every_months),
                    "LAST_ASSESSMENT": done,
                    "BASIS": basis,
                    "NEXT_DUE": due,
                    "STATUS": status,
                    "DAYS_PAST_DUE": late,
                    "_ORDER": len(rows),
                }
            )
    out = pd.DataFrame(rows).sort_values(["SITEID", "USUBJID", "_ORDER"], kind="stable")
    for column in ("REGISTERED", "LAST_CONTACT", "LAST_ASSESSMENT", "NEXT_DUE"):
        out[column] = pd.to_datetime(out[column])
    out["DAYS_PAST_DUE"] = out["DAYS_PAST_DUE"].astype("Int64")
    return out.loc[:, list(followup.FOLLOWUP_COLUMNS)].reset_index(drop=True)


def _odd_followup_trial(trial: TrialData) -> TrialData:
    adsl = trial.adsl.copy()
    adsl.loc[adsl.index[::3], "ENRLDT"] = pd.NaT  # some fall back on RANDDT / TRTSDT, or have no anchor
    adsl.loc[adsl.index[::4], "TRTSDT"] = pd.NaT
    adsl.loc[adsl.index[1::5], "SITENAME"] = None
    adlb = trial.adlb.copy()
    adlb["PARAMCD"] = adlb["PARAMCD"].astype(object)
    adlb.loc[adlb.index[::2], "PARAMCD"] = " psa "
    adlb.loc[adlb.index[1::9], "PARAMCD"] = None
    return dataclasses.replace(trial, adsl=adsl, adlb=adlb)


def test_follow_up_due_is_the_loop_over_patients(example: TrialData) -> None:
    schedule = example.study.visit_schedule
    assert schedule is not None
    odd = _odd_followup_trial(example)
    schedules = [
        schedule,
        VisitSchedule(assessments=(Assessment("psa", 1.0), Assessment("CT scan", 2.5)), tolerance_days=0),
        VisitSchedule(assessments=(Assessment("PSA", 0.1),), tolerance_days=45),
    ]
    no_site = dataclasses.replace(example, adsl=example.adsl.drop(columns=["SITEID", "SITENAME"]))
    numeric = dataclasses.replace(example, adlb=example.adlb.assign(PARAMCD=7))
    cases = [
        (example, schedules[:1]),
        (odd, schedules[1:]),
        (no_site, schedules[1:2]),
        (numeric, schedules[:1]),
    ]
    for trial, plans in cases:
        for plan in plans:
            for as_of in (
                (date(2023, 3, 1), date(2024, 9, 30)) if plan is schedules[1] else (date(2024, 9, 30),)
            ):
                ours = followup.follow_up_due(trial, plan, as_of)
                pd.testing.assert_frame_equal(ours, _old_follow_up_due(trial, plan, as_of))
            for a in plan.assessments:
                new_dates, new_basis = followup.assessment_dates(trial, a.name)
                old_dates, old_basis = _old_assessment_dates(trial, a.name)
                assert new_basis == old_basis
                assert (new_dates is None) == (old_dates is None)
                if new_dates is not None:
                    pd.testing.assert_frame_equal(new_dates, old_dates)
        for as_of in (pd.Timestamp("2024-01-15"),):
            pd.testing.assert_series_equal(
                followup.last_contact_dates(trial, as_of), _old_last_contact(trial, as_of)
            )
    nobody = dataclasses.replace(example, adsl=example.adsl.assign(ENRLFL="N"))
    pd.testing.assert_frame_equal(
        followup.follow_up_due(nobody, schedule, date(2024, 1, 1)),
        _old_follow_up_due(nobody, schedule, "2024-01-01"),
    )
