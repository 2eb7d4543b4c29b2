"""Predictive probability of beating the benchmark (medcare_metrics/survival/predictive.py).

Each number is checked by another route: the posterior against its closed form and against a numerical
integration of prior x likelihood; the vectorised median against the app's ``km_medians`` (R's rule); the
predictive probability against a plain per-draw simulation written here (the app's ``km_medians`` on each
data set, a different sampler for the piecewise model); the credible interval's coverage on trials with a
known rate; and the predictive probability's calibration on trials whose rate is drawn from the prior.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from medcare_metrics.survival import km_medians
from medcare_metrics.survival.predictive import (
    PredictiveOptions,
    TrialState,
    beats_benchmark,
    gamma_posterior,
    inverse_cumulative_hazard,
    km_median_rows,
    predictive_probability,
    simulate_final_analysis,
)

LN2 = np.log(2.0)


def test_posterior_is_the_closed_form() -> None:
    # Events at 2 and 7.5 months, censored at 5 and 10: d = 2, exposure 24.5 months.
    time = np.array([2.0, 5.0, 7.5, 10.0])
    event = np.array([True, False, True, False])
    post = gamma_posterior(time, event, benchmark_median=16.0, prior_events=2.0)
    rate0 = LN2 / 16.0
    assert post.prior_shape == pytest.approx([2.0])
    assert post.prior_rate == pytest.approx([2.0 / rate0])
    assert post.shape == pytest.approx([4.0])
    assert post.rate == pytest.approx([2.0 / rate0 + 24.5])
    lower, upper = post.interval(0.9)
    assert lower == pytest.approx(stats.gamma.ppf(0.05, 4.0, scale=1 / (2.0 / rate0 + 24.5)))
    assert upper == pytest.approx(stats.gamma.ppf(0.95, 4.0, scale=1 / (2.0 / rate0 + 24.5)))


def test_posterior_matches_prior_times_likelihood_numerically() -> None:
    time = np.array([1.0, 3.0, 4.0, 8.0, 12.0, 15.0])
    event = np.array([True, True, False, True, False, False])
    post = gamma_posterior(time, event, benchmark_median=10.0, prior_events=3.0)
    a0, b0 = 3.0, 3.0 / (LN2 / 10.0)

    def unnormalised(lam: float) -> float:
        prior = stats.gamma.pdf(lam, a0, scale=1 / b0)
        return prior * lam ** event.sum() * np.exp(-lam * time.sum())

    total = integrate.quad(unnormalised, 0, 5)[0]
    for lam in (0.02, 0.06, 0.1, 0.2):
        numeric = unnormalised(lam) / total
        closed = stats.gamma.pdf(lam, post.shape[0], scale=1 / post.rate[0])
        assert numeric == pytest.approx(closed, rel=1e-6)


def test_piecewise_posterior_counts_events_and_exposure_per_interval() -> None:
    time = np.array([2.0, 5.0, 7.5, 10.0])
    event = np.array([True, False, True, False])
    post = gamma_posterior(time, event, benchmark_median=16.0, prior_events=2.0, cuts_months=(6.0,))
    rate0 = LN2 / 16.0
    assert post.events == pytest.approx([1.0, 1.0])
    assert post.exposure == pytest.approx([2 + 5 + 6 + 6, 1.5 + 4])
    assert post.prior_shape == pytest.approx([1.0, 1.0])  # two pseudo-events spread over two intervals
    assert post.shape == pytest.approx([2.0, 2.0])
    assert post.rate == pytest.approx([1 / rate0 + 19.0, 1 / rate0 + 5.5])


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="prior weight"):
        PredictiveOptions(prior_events=0)
    with pytest.raises(ValueError, match="cut points"):
        PredictiveOptions(cuts_months=(12.0, 6.0))
    with pytest.raises(ValueError, match="timing"):
        PredictiveOptions(timing="soon")
    with pytest.raises(ValueError, match="benchmark median"):
        gamma_posterior(np.array([1.0]), np.array([True]), benchmark_median=0.0)


def test_inverse_cumulative_hazard_inverts() -> None:
    bounds = np.array([0.0, 6.0, 12.0])
    rates = np.array([[0.1, 0.2, 0.05], [0.3, 0.01, 0.4]])
    target = np.array([[0.3, 0.6, 2.0, 0.0], [1.0, 1.8, 1.9, 5.0]])
    t = inverse_cumulative_hazard(target, rates, bounds)
    widths = np.array([6.0, 6.0, np.inf])
    for d in range(2):
        for j in range(target.shape[1]):
            spent = np.clip(t[d, j] - bounds, 0, widths)
            assert float(rates[d] @ spent) == pytest.approx(target[d, j])


def _app_median(time: np.ndarray, event: np.ndarray) -> float:
    tte = pd.DataFrame(
        {"USUBJID": [f"S{i}" for i in range(time.size)], "TIME": time, "EVENT": event, "GROUP": "ALL"}
    )
    return float(km_medians(tte)["MEDIAN"].iloc[0])


def test_vectorised_median_is_the_apps_median() -> None:
    rng = np.random.default_rng(1)
    # The docs' plateau case (R: 4.5), its variant without a later drop, ties of events and censorings.
    rows_t: list[list[float]] = [
        [1, 2, 3, 5, 6, 8],
        [1, 2, 3, 5, 6, 8],
        [2, 2, 2, 3, 3, 4],
        [1, 1, 1, 1, 1, 1],
    ]
    rows_e: list[list[bool]] = [
        [True, True, True, False, True, False],
        [True, True, True, False, False, False],
        [True, True, False, True, False, True],
        [False] * 6,
    ]
    for _ in range(200):
        rows_t.append(list(rng.integers(1, 8, size=6).astype(float)))  # whole numbers: many ties
        rows_e.append(list(rng.random(6) < 0.6))
    time = np.array(rows_t, dtype=float)
    event = np.array(rows_e, dtype=bool)
    ours = km_median_rows(time, event)
    theirs = np.array([_app_median(t, e) for t, e in zip(time, event, strict=True)])
    assert ours[0] == 4.5
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], rtol=0, atol=1e-12)


def _state() -> TrialState:
    # 10 patients so far: 4 events, 4 censored on study, 2 censored after leaving; 4 still to come.
    return TrialState(
        time=np.array([3.0, 8.0, 14.0, 20.0, 2.0, 6.0, 11.0, 18.0, 4.0, 9.0]),
        event=np.array([True, True, True, True, False, False, False, False, False, False]),
        continuing=np.array([False, False, False, False, True, True, True, True, False, False]),
        entry=np.array([-22.0, -21.0, -20.0, -24.0, -2.0, -6.0, -11.0, -18.0, -15.0, -13.0]),
        n_future=4,
        accrual_shape=12.0,
        accrual_rate=20.0,  # 0.6 patients per month
        planned_end=3.0,
        target=14,
    )


def _plain_simulation(
    state: TrialState, benchmark: float, options: PredictiveOptions, draws: int, seed: int
) -> float:
    """A per-draw simulation written independently: loops, the app's km_medians, a stepwise sampler."""
    rng = np.random.default_rng(seed)
    cuts = list(options.cuts_months) if options.piecewise else []
    starts = [0.0, *cuts]
    ends = [*cuts, np.inf]
    rate0 = LN2 / benchmark
    k = len(starts)
    a0 = options.prior_events / k
    shapes, rates = [], []
    for lo, hi in zip(starts, ends, strict=True):
        d = sum(1 for t, e in zip(state.time, state.event, strict=True) if e and lo <= t < hi)
        exposure = sum(max(0.0, min(t, hi) - lo) for t in state.time)
        shapes.append(a0 + d)
        rates.append(a0 / rate0 + exposure)
    follow = benchmark if options.follow_up_months is None else options.follow_up_months

    def survive_from(t0: float, lam: list[float]) -> float:
        # Step through the intervals: an exponential wait in each, restarted at its end (memoryless).
        t = t0
        for i, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
            if t >= hi:
                continue
            t = max(t, lo)
            wait = rng.exponential(1.0 / lam[i])
            if t + wait < hi:
                return t + wait
            t = hi
        raise AssertionError("unreachable: the last interval is open")

    wins = 0
    for _ in range(draws):
        lam = [rng.gamma(a, 1.0 / b) for a, b in zip(shapes, rates, strict=True)]
        acc = rng.gamma(state.accrual_shape, 1.0 / state.accrual_rate)
        entries, clock = [], 0.0
        for _ in range(state.n_future):
            clock += rng.exponential(1.0 / acc)
            entries.append(clock)
        last = entries[-1] if entries else float(np.max(state.entry))
        assert state.planned_end is not None
        analysis = max(last, state.planned_end) + follow
        times: list[float] = []
        events: list[bool] = []
        for t, e, c, entry in zip(state.time, state.event, state.continuing, state.entry, strict=True):
            if e or not c:
                times.append(t)
                events.append(e)
                continue
            until = max(analysis - entry, t)
            when = survive_from(t, lam)
            times.append(min(when, until))
            events.append(when <= until)
        for entry in entries:
            until = max(analysis - entry, 0.0)
            when = survive_from(0.0, lam)
            times.append(min(when, until))
            events.append(when <= until)
        median = _app_median(np.array(times), np.array(events))
        wins += (max(times) >= benchmark) if np.isnan(median) else (median > benchmark)
    return wins / draws


@pytest.mark.parametrize("piecewise", [False, True])
def test_predictive_probability_agrees_with_a_plain_simulation(piecewise: bool) -> None:
    state = _state()
    options = PredictiveOptions(prior_events=2.0, piecewise=piecewise, cuts_months=(6.0, 12.0), draws=4000)
    result = predictive_probability(state, 16.0, options)
    draws = 500
    plain = _plain_simulation(state, 16.0, options, draws, seed=99)
    assert 0.05 < result.probability < 0.95  # a case where the answer is not trivially 0 or 1
    se = np.hypot(result.mc_se, np.sqrt(plain * (1 - plain) / draws))
    assert abs(result.probability - plain) < 4 * se
    assert result.mc_se == pytest.approx(np.sqrt(result.probability * (1 - result.probability) / 4000))


def test_the_same_seed_gives_the_same_number() -> None:
    state = _state()
    first = predictive_probability(state, 12.0, PredictiveOptions(draws=500))
    again = predictive_probability(state, 12.0, PredictiveOptions(draws=500))
    other = predictive_probability(state, 12.0, PredictiveOptions(draws=500, seed=7))
    assert first.probability == again.probability
    np.testing.assert_array_equal(first.medians, again.medians)
    assert not np.array_equal(first.medians, other.medians, equal_nan=True)


def test_simulation_keeps_what_is_observed_and_censors_at_the_analysis() -> None:
    state = _state()
    posterior = gamma_posterior(state.time, state.event, 12.0)
    sims = simulate_final_analysis(state, posterior, follow_up_months=12.0, draws=300, seed=3)
    fixed = np.flatnonzero(state.event | ~state.continuing)
    np.testing.assert_array_equal(sims.time[:, fixed], np.broadcast_to(state.time[fixed], (300, fixed.size)))
    np.testing.assert_array_equal(
        sims.event[:, fixed], np.broadcast_to(state.event[fixed], (300, fixed.size))
    )
    going = np.flatnonzero(state.continuing)
    assert np.all(sims.time[:, going] >= state.time[going])
    assert state.planned_end is not None
    assert np.all(sims.analysis >= state.planned_end + 12.0)
    # Every patient still to come is followed at least the 12 months (or has an event before).
    assert sims.time.shape == (300, 14)
    future = sims.time[:, 10:]
    assert np.all((future >= 12.0 - 1e-9) | sims.event[:, 10:])


def test_not_reached_counts_only_when_followed_past_the_benchmark() -> None:
    medians = np.array([np.nan, np.nan, 13.0, 11.0])
    time = np.array([[15.0, 1.0], [10.0, 2.0], [15.0, 1.0], [15.0, 1.0]])
    np.testing.assert_array_equal(beats_benchmark(medians, time, 12.0), [True, False, True, False])


def test_credible_interval_covers_a_known_rate_at_about_the_nominal_rate() -> None:
    rng = np.random.default_rng(2024)
    true_rate = LN2 / 12.0  # the prior is centred elsewhere (16 months) and weak
    for cuts, rates in (((), [true_rate]), ((6.0,), [0.08, 0.03])):
        covered, trials = np.zeros(len(rates)), 300
        for _ in range(trials):
            entry = rng.uniform(0, 24, size=40)
            follow = 36.0 - entry
            # Piecewise-exponential times, by inversion of the cumulative hazard.
            h = rng.standard_exponential(40)
            if cuts:
                t = np.where(
                    h < rates[0] * cuts[0], h / rates[0], cuts[0] + (h - rates[0] * cuts[0]) / rates[1]
                )
            else:
                t = h / rates[0]
            post = gamma_posterior(
                np.minimum(t, follow), t <= follow, 16.0, prior_events=0.1, cuts_months=cuts
            )
            lower, upper = post.interval(0.9)
            covered += (lower <= rates) & (np.asarray(rates) <= upper)
        coverage = covered / trials
        assert np.all(np.abs(coverage - 0.9) < 0.06), coverage


def test_predictive_probability_is_calibrated_when_the_rate_comes_from_the_prior() -> None:
    # Rates drawn from the prior: the average predictive probability at an interim equals the share of
    # trials whose final median beats the benchmark (the model is then exactly right).
    rng = np.random.default_rng(11)
    benchmark, weight, target, accrual, interim, follow = 10.0, 4.0, 12, 1.0, 8.0, 10.0
    options = PredictiveOptions(prior_events=weight, follow_up_months=follow, draws=400)
    predicted, realised = [], []
    for _ in range(300):
        lam = rng.gamma(weight, 1.0 / (weight / (LN2 / benchmark)))
        entry = np.cumsum(rng.standard_exponential(target)) / accrual
        t = rng.standard_exponential(target) / lam
        analysis = entry[-1] + follow
        final = np.minimum(t, analysis - entry)
        med = km_median_rows(final[None, :], (t <= analysis - entry)[None, :])
        realised.append(bool(beats_benchmark(med, final[None, :], benchmark)[0]))
        seen = entry <= interim
        obs = np.minimum(t[seen], interim - entry[seen])
        state = TrialState(
            time=obs,
            event=t[seen] <= interim - entry[seen],
            continuing=~(t[seen] <= interim - entry[seen]),
            entry=entry[seen] - interim,
            n_future=int((~seen).sum()),
            accrual_shape=1e6,  # the accrual rate taken as known
            accrual_rate=1e6 / accrual,
            planned_end=None,
            target=target,
        )
        predicted.append(predictive_probability(state, benchmark, options).probability)
    assert abs(np.mean(predicted) - np.mean(realised)) < 0.08


def test_a_large_trial_gets_fewer_draws_within_the_budget() -> None:
    from medcare_metrics.views.decision import MIN_DRAWS, SIMULATION_BUDGET, draws_for

    assert draws_for(18, 4000) == 4000  # the trial's size: every draw
    assert draws_for(10_000, 4000) == SIMULATION_BUDGET // 10_000
    assert draws_for(10_000_000, 4000) == MIN_DRAWS
    assert draws_for(10_000_000, 100) == 100  # never more than asked
