"""Contradictions between datasets: the consistency rules (:mod:`medcare_metrics.checks.consistency`).

Kept so that ``from medcare_metrics.consistency import ...`` works as before; the rules and the functions
live in the rule engine's package, :mod:`medcare_metrics.checks`.
"""

from __future__ import annotations

from medcare_metrics.checks.consistency import (
    CONSISTENCY_COLUMNS,
    CUTOFF_DATE_COLUMNS,
    ENROLLED_ONLY_DATASETS,
    NOT_CHECKED_COLUMNS,
    OS_PARAMCD,
    RULES,
    consistency_problems,
    consistency_rules_not_checked,
)

__all__ = [
    "CONSISTENCY_COLUMNS",
    "CUTOFF_DATE_COLUMNS",
    "ENROLLED_ONLY_DATASETS",
    "NOT_CHECKED_COLUMNS",
    "OS_PARAMCD",
    "RULES",
    "consistency_problems",
    "consistency_rules_not_checked",
]
