"""Bayesian accrual prediction (Gajewski, Simon and Carlson 2008) against closed forms, R and simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medcare_metrics.enrollment.accrual import (
    accrual_outlook,
    accrual_posterior,
    accrual_prediction,
    accrual_projection,
    predict_accrual,
    remaining_time_distribution,
)
from medcare_metrics.protocol import DAYS_PER_MONTH, TrialSettings
from medcare_metrics.text import enrollment as text

T = pd.Timestamp


def test_posterior_parameters():
    # Gamma(nP + m, TP + t): n = 18, T = 720, P = 0.5, m = 6, t = 200.
    assert accrual_posterior(18, 720.0, 0.5, 6, 200.0) == (15.0, 560.0)


def test_flat_prior_one_patient_left_is_a_log_logistic_by_hand():
    # P = 0, m = 1 in t = 100 days, one patient left: rate | data ~ Gamma(1, 100), remaining W | rate ~
    # Exp(rate), so P(W <= w) = 1 - 100 / (100 + w). Median 100 days; quartiles 100/3 and 300;
    # 2.5% and 97.5%: 100/39 and 3900.
    p = predict_accrual(
        target=2, planned_days=365.0, certainty=0.0, accrued=1, elapsed_days=100.0, reference="2022-01-01"
    )
    assert p is not None
    assert p.median_days == pytest.approx(100.0)
    assert (p.lower50_days, p.upper50_days) == pytest.approx((100 / 3, 300.0))
    assert (p.lower95_days, p.upper95_days) == pytest.approx((100 / 39, 3900.0))
    assert p.median_date == T("2022-04-11")  # 2022-01-01 + 100 days


def test_one_patient_left_lomax_closed_form():
    # k = 1: P(W <= w) = 1 - (1 + w / b) ** -a with a = nP + m = 14, b = TP + t = 420.
    a, b = 14.0, 420.0
    p = predict_accrual(10, 300.0, 0.5, 9, 270.0, "2022-01-01")
    assert p is not None

    def quantile(q: float) -> float:
        return b * ((1 - q) ** (-1 / a) - 1)

    assert p.median_days == pytest.approx(quantile(0.5))
    assert p.lower95_days == pytest.approx(quantile(0.025))
    assert p.upper95_days == pytest.approx(quantile(0.975))
    assert p.upper50_days == pytest.approx(quantile(0.75))


@pytest.mark.parametrize(
    ("n", "t_plan", "certainty", "m", "t", "r_quantiles"),
    [
        # R 4.2: (TT*P + tm) * qB / (1 - qB), qB = qbeta(c(.025, .25, .5, .75, .975), n - m, n*P + m); the
        # formula of the authors' R package accrual (accrual.T.inform) less tm. First row: its example.
        (
            300,
            36.0,
            0.5,
            100,
            10.0,
            (18.5766582929805, 21.0020823213848, 22.3925278580454, 23.8714000512423, 26.9575822681397),
        ),
        (
            18,
            730.5,
            0.5,
            7,
            400.0,
            (233.147844627603, 397.991942924988, 521.075773569141, 679.185108644456, 1120.96096090018),
        ),
    ],
)
def test_quantiles_match_r_qbeta(n, t_plan, certainty, m, t, r_quantiles):
    p = predict_accrual(n, t_plan, certainty, m, t, "2022-01-01")
    assert p is not None
    got = (p.lower95_days, p.lower50_days, p.median_days, p.upper50_days, p.upper95_days)
    assert got == pytest.approx(r_quantiles, rel=1e-9)


def test_worked_example_by_numerical_integration_in_r():
    # The example trial replayed as of 2023-01-01: n = 18 in T = 24 months = 730.5 days, P = 0.5, m = 5
    # enrolled in the t = 308 days since the first consent (2022-02-27). Posterior Gamma(9 + 5, 365.25 + 308).
    # Independent route (R 4.2, no beta distribution): the predictive CDF of the time W to 13 more patients,
    # F(w) = integrate(function(l) pgamma(w, 13, rate = l) * dgamma(l, 14, rate = 673.25), 0, Inf), inverted
    # with uniroot at 2.5%, 25%, 50%, 75%, 97.5%.
    r_quantiles = (287.536742366663, 479.686928280471, 624.000015118033, 811.029519772052, 1344.23102901412)
    p = predict_accrual(18, 730.5, 0.5, 5, 308.0, "2023-01-01")
    assert p is not None
    assert (p.posterior_shape, p.posterior_rate) == (14.0, 673.25)
    got = (p.lower95_days, p.lower50_days, p.median_days, p.upper50_days, p.upper95_days)
    assert got == pytest.approx(r_quantiles, rel=1e-6)
    # 2023-01-01 + 624 days (2024 is a leap year) = 2024-09-16; + 479.7 days = 2024-04-25 (rounded).
    assert p.median_date == T("2024-09-16")
    assert p.interval50[0] == T("2024-04-25")


def test_intermediate_count_matches_r_qbeta():
    # Time until 12 of 18 are enrolled: qbeta(0.5, 12 - 7, 18 * 0.5 + 7) -> 228.152300552032 days (R 4.2).
    dist = remaining_time_distribution(18, 730.5, 0.5, 7, 400.0, until=12)
    assert dist.median() == pytest.approx(228.152300552032, rel=1e-9)


def test_monte_carlo_agrees_with_exact_quantiles():
    n, t_plan, certainty, m, t = 18, 540.0, 0.5, 8, 300.0
    rng = np.random.default_rng(20080601)
    rate = rng.gamma(shape=n * certainty + m, scale=1 / (t_plan * certainty + t), size=200_000)
    remaining = rng.gamma(shape=n - m, scale=1 / rate)
    p = predict_accrual(n, t_plan, certainty, m, t, "2022-01-01")
    assert p is not None
    simulated = np.quantile(remaining, [0.025, 0.25, 0.5, 0.75, 0.975])
    exact = [p.lower95_days, p.lower50_days, p.median_days, p.upper50_days, p.upper95_days]
    assert simulated == pytest.approx(exact, rel=0.02)


def _width95(p) -> float:
    return p.upper95_days - p.lower95_days


def test_more_accrued_at_same_rate_narrows_the_band():
    # One patient per 30 days, on plan (18 in 540 days).
    early = predict_accrual(18, 540.0, 0.5, 6, 180.0, "2022-01-01")
    late = predict_accrual(18, 540.0, 0.5, 12, 360.0, "2022-01-01")
    assert _width95(late) < _width95(early)
    assert late.upper50_days - late.lower50_days < early.upper50_days - early.lower50_days
    # Same number left (15), four times the data, flat prior: narrower from information alone.
    few = predict_accrual(20, 600.0, 0.0, 5, 150.0, "2022-01-01")
    many = predict_accrual(35, 600.0, 0.0, 20, 600.0, "2022-01-01")
    assert _width95(many) < _width95(few)


def test_higher_certainty_moves_prediction_to_the_plan():
    # Plan: 18 in 540 days -> 12 more take 360 days. Observed: 6 in 360 days, half the planned rate.
    planned_remaining = 12 * 540.0 / 18
    distances = []
    for certainty in (0.1, 0.5, 0.9):
        p = predict_accrual(18, 540.0, certainty, 6, 360.0, "2022-01-01")
        distances.append(abs(p.median_days - planned_remaining))
    assert distances[0] > distances[1] > distances[2]


def test_complete_gives_no_projection():
    assert predict_accrual(18, 540.0, 0.5, 18, 400.0, "2022-01-01") is None
    assert predict_accrual(18, 540.0, 0.5, 19, 400.0, "2022-01-01") is None


def test_arguments_checked():
    with pytest.raises(ValueError, match="certainty"):
        predict_accrual(18, 540.0, 1.5, 3, 100.0, "2022-01-01")
    with pytest.raises(ValueError, match="improper"):
        predict_accrual(18, 540.0, 0.0, 0, 100.0, "2022-01-01")
    with pytest.raises(ValueError, match="positive"):
        predict_accrual(18, 0.0, 0.5, 3, 100.0, "2022-01-01")
    with pytest.raises(ValueError, match="until"):
        remaining_time_distribution(18, 540.0, 0.5, 5, 100.0, until=5)


def make_adsl(n_enrolled: int) -> pd.DataFrame:
    ids = [f"S{i:02d}" for i in range(1, 9)]
    enrl = [f"2021-0{1 + i // 2}-{10 + i:02d}" for i in range(8)]
    return pd.DataFrame(
        {
            "USUBJID": ids,
            "SITEID": "A",
            "ENRLFL": ["Y"] * n_enrolled + ["N"] * (8 - n_enrolled),
            "RFICDT": pd.to_datetime(["2021-01-01", *enrl[1:]]),
            "ENRLDT": pd.to_datetime(enrl).where([i < n_enrolled for i in range(8)]),
            "DCUTDT": T("2021-06-30"),
        }
    )


def test_accrual_prediction_from_adsl():
    settings = TrialSettings(target_enrollment=10, planned_accrual_months=12)
    p = accrual_prediction(make_adsl(6), settings, certainty=0.5)
    assert p is not None
    assert p.accrued == 6
    assert p.reference == T("2021-06-30")
    assert p.elapsed_days == 180  # 2021-01-01 to 2021-06-30
    assert p.posterior_shape == pytest.approx(10 * 0.5 + 6)
    assert p.posterior_rate == pytest.approx(12 * DAYS_PER_MONTH * 0.5 + 180)
    assert p.median_date == (T("2021-06-30") + pd.Timedelta(days=p.median_days)).round("D")
    lo, hi = p.interval95
    assert lo < p.interval50[0] <= p.median_date <= p.interval50[1] < hi
    as_of = accrual_prediction(make_adsl(6), settings, certainty=0.5, as_of="2021-07-30")
    assert as_of.elapsed_days == 210


def test_accrual_prediction_complete_is_none():
    assert accrual_prediction(make_adsl(8), TrialSettings(target_enrollment=8)) is None


def test_projection_band_per_patient():
    p = predict_accrual(10, 300.0, 0.5, 7, 200.0, "2022-01-01")
    band = accrual_projection(p)
    assert list(band["N"]) == [7, 8, 9, 10]
    assert (band.iloc[0, 1:] == T("2022-01-01")).all()
    last = band.iloc[-1]
    assert last["MEDIAN"] == p.median_date
    assert (last["LOWER95"], last["UPPER95"]) == p.interval95
    assert band["MEDIAN"].is_monotonic_increasing
    assert (band["LOWER95"] <= band["LOWER50"]).all() and (band["UPPER50"] <= band["UPPER95"]).all()


def test_outlook_open_trial_has_prediction_band_and_texts():
    settings = TrialSettings(target_enrollment=10, planned_accrual_months=12)
    outlook = accrual_outlook(make_adsl(6), settings, certainty=0.5)
    assert text.headline(outlook.status) == "Enrollment open"
    assert outlook.prediction is not None and outlook.reason is None
    assert outlook.prediction.accrued == 6
    assert list(outlook.projection["N"]) == [6, 7, 8, 9, 10]
    # The 4 patients still to come, at the predicted (median) date of each.
    assert list(outlook.future_entries) == list(outlook.projection["MEDIAN"].iloc[1:])
    assert len(outlook.future_entries) == 4
    labels = [label for label, _, _ in text.outlook_metrics(outlook)]
    assert labels == ["Enrolled", "Predicted completion", "Accrual rate vs plan"]
    values = {label: value for label, value, _ in text.outlook_metrics(outlook)}
    assert values["Enrolled"] == "6 of 10"
    assert values["Predicted completion"] == f"{outlook.prediction.median_date:%Y-%m-%d}"
    # 6 in 180 days (2021-01-01 to 2021-06-30) against 10 in 365.25 days: (6 / 180) / (10 / 365.25) = 1.2175.
    assert values["Accrual rate vs plan"] == "122%"
    assert "Gajewski, Simon & Carlson" in text.method_text(outlook.prediction)
    assert "P = 0.50 (worth 5 patients)" in text.method_text(outlook.prediction)
    assert "6 enrollments in the 180 days" in text.method_text(outlook.prediction)
    assert text.prediction_text(outlook.prediction).startswith("Target of 10 reached by **")
    assert "2021-06-30" in text.rate_text(outlook.status)


def test_outlook_complete_trial_has_no_projection():
    settings = TrialSettings(target_enrollment=5, planned_accrual_months=12)
    outlook = accrual_outlook(make_adsl(6), settings)
    assert text.headline(outlook.status) == "Enrollment complete"
    assert outlook.prediction is None and outlook.projection is None and outlook.reason is None
    assert outlook.future_entries == ()
    assert text.prediction_text(outlook.prediction) == "" and text.method_text(outlook.prediction) == ""
    values = {label: value for label, value, _ in text.outlook_metrics(outlook)}
    # Fifth registration (date order): 2021-03-14; 72 days after the accrual start 2021-01-01.
    assert values["Completed on"] == "2021-03-14"
    assert values["Duration"] == f"{72 / DAYS_PER_MONTH:.1f} months"
    assert "completion on 2021-03-14" in text.rate_text(outlook.status)


def test_outlook_says_why_there_is_no_prediction():
    adsl = make_adsl(3).drop(columns=["RFICDT", "ENRLDT"])
    outlook = accrual_outlook(adsl, TrialSettings(target_enrollment=10))
    assert outlook.prediction is None
    assert "needs dates" in outlook.reason
    assert text.rate_text(outlook.status) == ""
    values = {label: value for label, value, _ in text.outlook_metrics(outlook)}
    assert values["Predicted completion"] == "n/a"
    assert values["Accrual rate vs plan"] == "n/a"
    with pytest.raises(ValueError, match="certainty"):
        accrual_outlook(make_adsl(3), certainty=-0.1)


def test_outlook_of_a_completion_beyond_representable_dates_is_a_reason():
    # 1 enrolled in 180 days, no trust in the plan (P = 0): the 10,000th patient is ~5,000 years ahead.
    adsl = make_adsl(1)
    outlook = accrual_outlook(adsl, TrialSettings(target_enrollment=10_000), certainty=0.0)
    assert outlook.prediction is None and outlook.projection is None
    assert "beyond the last date" in outlook.reason
    assert outlook.future_entries == ()
    values = {label: value for label, value, _ in text.outlook_metrics(outlook)}
    assert values["Predicted completion"] == "n/a"
