"""Possible protocol deviations: the eligibility rules (:mod:`medcare_metrics.checks.eligibility`).

Kept so that ``from medcare_metrics.eligibility import ...`` works as before; the rules and the functions
live in the rule engine's package, :mod:`medcare_metrics.checks`.
"""

from __future__ import annotations

from medcare_metrics.checks.eligibility import (
    CONVENTIONAL,
    DEVIATION_COLUMNS,
    FEMALE_CODES,
    INTRACRANIAL_PATTERN,
    LOCAL_RECURRENCE,
    LOCAL_THERAPY_TYPES,
    NOT_CHECKED_COLUMNS,
    RULES,
    UNCHECKABLE_CRITERIA,
    conventional_lesion_count,
    eligibility_rules,
    protocol_deviations,
    rules_not_checked,
)

__all__ = [
    "CONVENTIONAL",
    "DEVIATION_COLUMNS",
    "FEMALE_CODES",
    "INTRACRANIAL_PATTERN",
    "LOCAL_RECURRENCE",
    "LOCAL_THERAPY_TYPES",
    "NOT_CHECKED_COLUMNS",
    "RULES",
    "UNCHECKABLE_CRITERIA",
    "conventional_lesion_count",
    "eligibility_rules",
    "protocol_deviations",
    "rules_not_checked",
]
