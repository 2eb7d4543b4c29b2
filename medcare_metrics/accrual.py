"""Bayesian accrual prediction: moved to :mod:`medcare_metrics.enrollment.accrual`.

Kept so that ``from medcare_metrics import accrual`` (bench/bench_app.py) keeps working.
"""

from __future__ import annotations

from medcare_metrics.enrollment.accrual import (
    DEFAULT_CERTAINTY,
    METHOD_NAME,
    AccrualOutlook,
    AccrualPrediction,
    accrual_outlook,
    accrual_posterior,
    accrual_prediction,
    accrual_projection,
    predict_accrual,
    remaining_time_distribution,
)

__all__ = [
    "DEFAULT_CERTAINTY",
    "METHOD_NAME",
    "AccrualOutlook",
    "AccrualPrediction",
    "accrual_outlook",
    "accrual_posterior",
    "accrual_prediction",
    "accrual_projection",
    "predict_accrual",
    "remaining_time_distribution",
]
