"""Kaplan-Meier estimates, medians, landmarks, log-rank test and Cox hazard ratio, as R's survival package.

Every number here reproduces R's ``survival`` package (version 3.5): ``survfit`` for the Kaplan-Meier table
and its confidence intervals, ``print(survfit)`` for the median and its confidence interval,
``summary(fit, times=)`` for landmarks and numbers at risk, ``survdiff`` for the log-rank test and ``coxph``
(Efron ties) for the hazard ratio.
The method notes, and where lifelines differs, are in ``docs/statistics.md``.

The input of every estimator is the tidy frame of :func:`time_to_event`: one row per subject with ``USUBJID``,
``TIME``, ``EVENT`` (bool) and ``GROUP``. Groups appear in the order of that frame. ``CNSR = 0`` becomes an
event there, once (:func:`medcare_metrics.rules.is_event`); time units are those of
:mod:`medcare_metrics.rules`.

Modules: :mod:`~medcare_metrics.survival.estimation` (the analysis frame and Kaplan-Meier: table, medians,
landmarks, numbers at risk, the curve to draw; :func:`km_fit` fits each curve once for all of them),
:mod:`~medcare_metrics.survival.comparison` (log-rank tests), :mod:`~medcare_metrics.survival.cox` (hazard
ratio of two groups) and :mod:`~medcare_metrics.survival.endpoints` (endpoints, units, grouping columns, the
historical benchmark). Words about these results are in :mod:`medcare_metrics.text.survival`.
"""

from __future__ import annotations

from medcare_metrics.rules import DAYS_PER_UNIT
from medcare_metrics.survival._frame import ALL, MISSING_GROUP, TTE_COLUMNS
from medcare_metrics.survival.comparison import (
    PAIRWISE_COLUMNS,
    LogRankResult,
    logrank_test,
    pairwise_logrank,
)
from medcare_metrics.survival.cox import CoxResult, cox_hazard_ratio
from medcare_metrics.survival.endpoints import (
    DUPLICATE_COLUMNS,
    OUTCOME_PREFIXES,
    TREATMENT_COLUMNS,
    benchmark_endpoints,
    benchmark_table,
    convert_time,
    endpoint_label,
    endpoints,
    label_groups,
    normalize_unit,
    stratification_columns,
    time_unit,
)
from medcare_metrics.survival.estimation import (
    CONF_TYPES,
    CURVE_COLUMNS,
    KM_TABLE_COLUMNS,
    MAX_AT_RISK_TICKS,
    MEDIAN_COLUMNS,
    SURVIVAL_AT_COLUMNS,
    KMCurve,
    KMFit,
    KMOptions,
    at_risk_table,
    at_risk_times,
    km_curve,
    km_fit,
    km_medians,
    km_table,
    survival_at,
    time_to_event,
)

__all__ = [
    "ALL",
    "CONF_TYPES",
    "CURVE_COLUMNS",
    "DAYS_PER_UNIT",
    "DUPLICATE_COLUMNS",
    "KM_TABLE_COLUMNS",
    "MAX_AT_RISK_TICKS",
    "MEDIAN_COLUMNS",
    "MISSING_GROUP",
    "OUTCOME_PREFIXES",
    "PAIRWISE_COLUMNS",
    "SURVIVAL_AT_COLUMNS",
    "TREATMENT_COLUMNS",
    "TTE_COLUMNS",
    "CoxResult",
    "KMCurve",
    "KMFit",
    "KMOptions",
    "LogRankResult",
    "at_risk_table",
    "at_risk_times",
    "benchmark_endpoints",
    "benchmark_table",
    "convert_time",
    "cox_hazard_ratio",
    "endpoint_label",
    "endpoints",
    "km_curve",
    "km_fit",
    "km_medians",
    "km_table",
    "label_groups",
    "logrank_test",
    "normalize_unit",
    "pairwise_logrank",
    "stratification_columns",
    "survival_at",
    "time_to_event",
    "time_unit",
]
