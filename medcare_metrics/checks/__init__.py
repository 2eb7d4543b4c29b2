"""Data checks as rule sets on one small engine.

A :class:`~medcare_metrics.checks.engine.Rule` declares its code, a description, the datasets and columns it
needs and a pure function returning the offending rows; :func:`~medcare_metrics.checks.engine.run_rules`
runs a rule set on a trial and returns a :class:`~medcare_metrics.checks.engine.CheckResult`: the findings
with uniform columns (:data:`~medcare_metrics.checks.engine.FINDING_COLUMNS`) and the rules not checked
because their data are absent.

Rule sets: :mod:`~medcare_metrics.checks.eligibility` (possible protocol deviations),
:mod:`~medcare_metrics.checks.consistency` (contradictions between datasets) and
:mod:`~medcare_metrics.checks.ctcae` (CTCAE term and grade checks). Each keeps the table its callers have
always had; :mod:`medcare_metrics.eligibility`, :mod:`medcare_metrics.consistency` and
:mod:`medcare_metrics.ctcae` re-export them.
"""

from __future__ import annotations

from medcare_metrics.checks.engine import (
    FINDING_COLUMNS,
    NOT_CHECKED_COLUMNS,
    CheckResult,
    Condition,
    Need,
    Needs,
    Records,
    Rule,
    not_checked,
    run_rules,
)

__all__ = [
    "FINDING_COLUMNS",
    "NOT_CHECKED_COLUMNS",
    "CheckResult",
    "Condition",
    "Need",
    "Needs",
    "Records",
    "Rule",
    "not_checked",
    "run_rules",
]
