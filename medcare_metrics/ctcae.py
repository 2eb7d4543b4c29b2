"""CTCAE v5.0 terms, grade definitions and the term and grade checks (:mod:`medcare_metrics.checks.ctcae`).

Kept so that ``from medcare_metrics import ctcae`` and ``from medcare_metrics.ctcae import ...`` work as
before (the toxicity package reads grade definitions here); the table, the look-ups and the rules live in
the rule engine's package, :mod:`medcare_metrics.checks`.
"""

from __future__ import annotations

from medcare_metrics.checks.ctcae import (
    CTCAE_PATH,
    CTCAE_VERSION,
    EVENT_KEYS,
    GRADE_COLUMNS,
    GRADE_RULES,
    GRADES,
    PROBLEM_COLUMNS,
    RULES,
    TERM_RULES,
    ctcae_problems,
    ctcae_table,
    grade_definition,
    is_ctcae_term,
    term_grades,
    term_key,
    term_soc,
)

__all__ = [
    "CTCAE_PATH",
    "CTCAE_VERSION",
    "EVENT_KEYS",
    "GRADES",
    "GRADE_COLUMNS",
    "GRADE_RULES",
    "PROBLEM_COLUMNS",
    "RULES",
    "TERM_RULES",
    "ctcae_problems",
    "ctcae_table",
    "grade_definition",
    "is_ctcae_term",
    "term_grades",
    "term_key",
    "term_soc",
]
