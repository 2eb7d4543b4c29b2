"""Toxicity monitoring boundary (medcare_metrics/toxicity/monitoring.py).

Boundaries are checked against binomial and beta tail sums written here with ``math.comb`` (not the
module's scipy calls); the crossing probability against an enumeration of every sequence of outcomes and a
simulation; plus a case worked by hand and the observed course on a hand-built trial.
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pandas as pd
import pytest

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.toxicity.monitoring import (
    MonitoringOptions,
    bayesian_boundary,
    crossing_probability,
    is_related,
    pocock_boundary,
    pocock_counts,
    toxicity_monitoring,
)


def tail(n: int, k: int, p: float) -> float:
    """P(X >= k), X ~ Binomial(n, p), by direct sum."""
    return sum(comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(max(k, 0), n + 1))


def enumerate_crossing(counts: np.ndarray, p: float) -> float:
    """P(the running count ever reaches b_n), summing over every sequence of outcomes."""
    total = 0.0
    for seq in itertools.product((0, 1), repeat=len(counts)):
        running = np.cumsum(seq)
        if np.any(running >= counts):
            k = sum(seq)
            total += p**k * (1 - p) ** (len(seq) - k)
    return total


def test_hand_worked_case() -> None:
    # N = 2, p = 0.5. Tail probabilities: n=1: P(X>=1) = 0.5; n=2: P(X>=1) = 0.75, P(X>=2) = 0.25.
    # c = 0.25: no stop at n=1, stop at 2 of 2: crossing 0.25. c = 0.5: stop at 1 of 1, or 2 of 2: crossing
    # 0.5 + 0 = 0.5. c = 0.75: stop at 1 of 1 or 1 of 2: crossing 0.75.
    low = pocock_boundary(0.5, 2, alpha=0.3)
    assert low.level == 0.25 and list(low.counts) == [2, 2] and low.crossing == pytest.approx(0.25)
    mid = pocock_boundary(0.5, 2, alpha=0.6)
    assert mid.level == 0.5 and list(mid.counts) == [1, 2] and mid.crossing == pytest.approx(0.5)
    shown = low.table()["BOUNDARY"]
    assert shown.isna().tolist() == [True, False] and shown.iloc[1] == 2  # n = 1: not yet reachable


@pytest.mark.parametrize(("p", "n_max", "alpha"), [(0.2, 18, 0.05), (0.3, 12, 0.1), (0.1, 30, 0.05)])
def test_pocock_boundary_against_binomial_sums(p: float, n_max: int, alpha: float) -> None:
    boundary = pocock_boundary(p, n_max, alpha)
    c = boundary.level
    for n, b in enumerate(boundary.counts, start=1):
        if b <= n:
            assert tail(n, b, p) <= c + 1e-15  # crosses at b ...
        assert tail(n, b - 1, p) > c - 1e-15 or b == 1  # ... and b is the smallest such count
    assert boundary.crossing <= alpha
    # c is the largest admissible level: the next tail probability above it crosses more often than alpha.
    tails = sorted({tail(n, k, p) for n in range(1, n_max + 1) for k in range(1, n + 1)})
    above = [t for t in tails if t > c * (1 + 1e-9)]
    assert crossing_probability(pocock_counts(n_max, p, above[0]), p) > alpha


def test_crossing_probability_by_enumeration() -> None:
    for p, n_max, alpha in ((0.2, 12, 0.05), (0.35, 10, 0.1)):
        boundary = pocock_boundary(p, n_max, alpha)
        assert boundary.crossing == pytest.approx(enumerate_crossing(boundary.counts, p), abs=1e-12)
        bayes = bayesian_boundary(p, n_max, 1.0, 1.0, 0.8)
        assert bayes.crossing == pytest.approx(enumerate_crossing(bayes.counts, p), abs=1e-12)
        for rate in (0.05, 0.5):
            assert crossing_probability(boundary.counts, rate) == pytest.approx(
                enumerate_crossing(boundary.counts, rate), abs=1e-12
            )


def test_crossing_probability_by_simulation_at_18_patients() -> None:
    boundary = pocock_boundary(0.2, 18, 0.05)
    rng = np.random.default_rng(5)
    runs = rng.random((200_000, 18)) < 0.2
    crossed = np.any(np.cumsum(runs, axis=1) >= boundary.counts[None, :], axis=1).mean()
    se = np.sqrt(boundary.crossing * (1 - boundary.crossing) / runs.shape[0])
    assert abs(crossed - boundary.crossing) < 4 * se
    assert 0.03 < boundary.crossing <= 0.05


def test_bayesian_boundary_against_beta_binomial_sums() -> None:
    # With a Beta(1, 1) prior, P(rate > p | x of n) = P(Binomial(n + 1, p) <= x).
    p, threshold = 0.2, 0.9
    boundary = bayesian_boundary(p, 18, 1.0, 1.0, threshold)
    for n, b in enumerate(boundary.counts, start=1):

        def posterior(x: int, n: int = n) -> float:
            return 1.0 - tail(n + 1, x + 1, p)

        if b <= n:
            assert posterior(b) > threshold
        if b >= 1:
            assert posterior(b - 1) <= threshold
    # By hand: n = 1: x = 1 gives Beta(2, 1), P(rate > 0.2) = 1 - 0.2^2 = 0.96 > 0.9; x = 0: 0.8^2 = 0.64.
    # n = 2: x = 1 gives Beta(2, 2), 1 - (3 (0.2)^2 - 2 (0.2)^3) = 0.896 <= 0.9; x = 2 gives 0.992.
    # n = 3: x = 1 gives P(Bin(4, 0.2) <= 1) = 0.8192; x = 2 gives 0.9728.
    assert list(boundary.counts[:3]) == [1, 2, 2]


def _trial() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six treated patients (one not in the safety population) and their adverse events."""
    adsl = pd.DataFrame(
        {
            "USUBJID": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
            "SAFFL": ["Y", "Y", "Y", "Y", "Y", "Y", "N"],
            "TRTSDT": pd.to_datetime(
                ["2024-01-10", "2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-06-20", None]
            ),
        }
    )
    rows = [
        # P2 (treated first): grade 3, related, acute -> counts.
        ("P2", 1, 3, "RELATED", "2024-01-20"),
        # P1: grade 3 not related; grade 2 related -> neither counts.
        ("P1", 1, 3, "NOT RELATED", "2024-01-15"),
        ("P1", 2, 2, "RELATED", "2024-01-16"),
        # P3: grade 4 related but late (day 120) -> does not count in the acute window.
        ("P3", 1, 4, "RELATED", "2024-05-31"),
        # P4: grade 3 possibly related, acute -> counts.
        ("P4", 1, 3, "POSSIBLY RELATED", "2024-03-25"),
        # P5: grade 5 related, acute -> counts; onset after P6's MDT start is irrelevant to the order.
        ("P5", 1, 5, "Related", "2024-04-05"),
    ]
    adae = pd.DataFrame(rows, columns=["USUBJID", "AESEQ", "ATOXGR", "AEREL", "ASTDT"])
    adae["ASTDT"] = pd.to_datetime(adae["ASTDT"])
    adae["AEBODSYS"] = "Gastrointestinal disorders"
    adae["AEDECOD"] = "Diarrhoea"
    return adsl, adae


def test_observed_course_counts_related_acute_high_grade_events_in_order_of_mdt_start() -> None:
    adsl, adae = _trial()
    # Bayesian, Beta(1, 1), p = 0.2, threshold 0.9: b = 1, 2, 2, 2, 2, 3 for n = 1..6. By the sums
    # P(rate > p | x of n) = P(Bin(n + 1, p) <= x): n = 5, x = 2: 0.901 > 0.9; n = 6, x = 2: 0.852, x = 3:
    # 0.944.
    options = MonitoringOptions(0.2, 6, method="bayesian", acute_window_days=90)
    result = toxicity_monitoring(adae, adsl, options, reference=pd.Timestamp("2024-07-01"))
    course = result.course
    assert list(course["USUBJID"]) == ["P2", "P1", "P3", "P4", "P5", "P6"]  # by MDT start; P7 untreated
    assert list(course["EVENT"]) == [True, False, False, True, True, False]
    assert list(course["CUM_EVENTS"]) == [1, 1, 1, 2, 3, 3]
    assert list(result.boundary.counts) == [1, 2, 2, 2, 2, 3]
    # 1 of 1 already reaches b_1 = 1: crossed at the first patient, known at P2's event on 2024-01-20.
    assert result.crossed and result.crossed_at == 1
    assert result.crossed_on == pd.Timestamp("2024-01-20")
    assert list(course["IN_WINDOW"]) == [False, False, False, False, False, True]
    assert result.n_untimed == 0  # P7 is outside the safety population


def test_crossing_date_is_when_the_count_that_crosses_is_known() -> None:
    adsl, adae = _trial()
    # Any grade >= 3 at any time and any relationship: P2, P1, P3, P4, P5 all count.
    options = MonitoringOptions(0.2, 6, method="pocock", alpha=0.05, related_only=False, acute_only=False)
    result = toxicity_monitoring(adae, adsl, options)
    b = result.boundary.counts  # Pocock at p = 0.2, N = 6
    assert list(result.course["CUM_EVENTS"]) == [1, 2, 3, 4, 5, 5]
    first = next(n for n in range(1, 7) if n >= b[n - 1] and [1, 2, 3, 4, 5, 5][n - 1] >= b[n - 1])
    assert result.crossed_at == first
    # Known when the b-th event among those patients began (or at that patient's MDT start, if later).
    onsets = sorted(
        pd.to_datetime(["2024-01-20", "2024-01-15", "2024-05-31", "2024-03-25", "2024-04-05"])[:first]
    )
    treated = pd.to_datetime(["2024-01-01", "2024-01-10", "2024-02-01", "2024-03-01", "2024-04-01"])
    assert result.crossed_on == max(onsets[b[first - 1] - 1], treated[first - 1])


def test_no_crossing_and_missing_relationship() -> None:
    adsl, adae = _trial()
    result = toxicity_monitoring(adae, adsl, MonitoringOptions(0.5, 6, method="pocock", alpha=0.01))
    assert not result.crossed and result.crossed_on is None
    with pytest.raises(DataUnavailable, match="AEREL"):
        toxicity_monitoring(adae.drop(columns="AEREL"), adsl, MonitoringOptions(0.2, 6))
    assert list(is_related(pd.Series(["Related", "possibly related", "NOT RELATED", None, "Y"]))) == [
        True, True, False, False, True,
    ]  # fmt: skip


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="unacceptable rate"):
        MonitoringOptions(1.2, 10)
    with pytest.raises(ValueError, match="method"):
        MonitoringOptions(0.2, 10, method="sequential")


def test_monitoring_figure_marks_each_step_only_for_few_patients() -> None:
    from medcare_metrics.figures.decision import MARKER_STEPS, monitoring_figure

    def figure(n: int) -> object:
        reachable = pd.array([pd.NA] + [3] * (n - 1), "Int64")
        boundary = pd.DataFrame({"N": range(1, n + 1), "BOUNDARY": reachable})
        course = pd.DataFrame({"N": range(1, n + 1), "CUM_EVENTS": [i // 10 for i in range(n)]})
        return monitoring_figure(boundary, course, crossed_at=None)

    assert [t.mode for t in figure(18).data] == ["lines+markers", "lines+markers"]
    many = figure(MARKER_STEPS + 1)
    # Thousands of markers are thousands of SVG elements: the steps alone.
    assert [t.mode for t in many.data] == ["lines", "lines"] and len(many.data[1].x) == MARKER_STEPS + 1
    # Room for the widest count and the axis title: 60 px for one digit, more for two (30 events).
    assert figure(18).layout.margin.l == 60 and many.layout.margin.l > 60
