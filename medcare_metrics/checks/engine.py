"""The rule engine: a rule says what data it needs and which rows break it; one runner applies a set of rules.

A :class:`Rule` is declared once, with its code, a description, the datasets and columns it needs
(:class:`Needs`, plus a :class:`Condition` for needs that are not plain columns) and a pure function that
returns the offending rows. :func:`run_rules` runs the rules whose data are present and lists the others as
not checked, so every set of data checks (eligibility, consistency, CTCAE) reports alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from medcare_metrics.model import TrialData

#: Columns of :attr:`CheckResult.findings`: the rule, the subject, where the value is (dataset, row label,
#: column), the value found as text and the finding in words.
FINDING_COLUMNS: tuple[str, ...] = ("RULE", "USUBJID", "DATASET", "ROW", "COLUMN", "VALUE", "DETAIL")
#: Columns of :attr:`CheckResult.not_checked`.
NOT_CHECKED_COLUMNS: tuple[str, ...] = ("RULE", "DESCRIPTION", "MISSING")


@dataclass(frozen=True)
class Records:
    """Records a rule needs in a dataset, beyond its columns (``ADTTE rows with PARAMCD OS``).

    Attributes
    ----------
    label : str
        What is missing when no record is selected, in words.
    select : callable
        ``select(frame) -> bool Series``: the records the rule needs.
    """

    label: str
    select: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Needs:
    """A dataset a rule needs, with the columns (and optionally the records) it reads.

    Attributes
    ----------
    dataset : str
        Dataset name, lower case (``"adsl"``).
    columns : tuple of str
        Columns read.
    records : Records or None
        Records needed once the dataset and its columns are present.
    """

    dataset: str
    columns: tuple[str, ...] = ()
    records: Records | None = None

    def missing(self, trial: TrialData) -> list[str]:
        """Return what is absent: ``["ADTU"]``, ``["ADSL.NLES", ...]``, the records' label, or nothing.

        Parameters
        ----------
        trial : TrialData
            The data checked.

        Returns
        -------
        list of str
            Empty when the rule's data are present.
        """
        frame = trial.dataset(self.dataset)
        name = self.dataset.upper()
        if frame is None:
            return [name]
        absent = [f"{name}.{c}" for c in self.columns if c not in frame.columns]
        if absent or self.records is None:
            return absent
        found = self.records.select(frame).fillna(False).astype(bool)
        return [] if found.any() else [self.records.label]


@dataclass(frozen=True)
class Condition:
    """A need that is not a plain list of columns: one of two columns, a cut-off date, any of datasets.

    Attributes
    ----------
    missing_in : callable
        ``missing_in(trial) -> list of str``: what is absent, in words; empty when the need is met.
    """

    missing_in: Callable[[TrialData], list[str]]

    def missing(self, trial: TrialData) -> list[str]:
        """Return what is absent (empty when the need is met).

        Parameters
        ----------
        trial : TrialData
            The data checked.

        Returns
        -------
        list of str
            What is absent, in words.
        """
        return list(self.missing_in(trial))


#: One need of a rule.
Need = Needs | Condition


@dataclass(frozen=True)
class Rule:
    """One data check.

    Attributes
    ----------
    code : str
        Short code (``"TESTO"``, ``"GRADE5_NOT_DEAD"``).
    description : str
        What the rule flags, or the protocol criterion it checks, in words.
    needs : tuple of Needs or Condition
        The data it reads, in the order a "not checked" list names them.
    find : callable
        ``find(trial) -> DataFrame``: the offending rows, pure. Columns taken from :data:`FINDING_COLUMNS`
        (RULE excepted); USUBJID and DETAIL are expected, the others default to :attr:`dataset`,
        :attr:`column` or missing. Called only when every need is met.
    dataset : str
        DATASET of its findings when ``find`` does not say (upper case, ``"ADSL"``).
    column : str
        COLUMN of its findings when ``find`` does not say.
    """

    code: str
    description: str
    needs: tuple[Need, ...]
    find: Callable[[TrialData], pd.DataFrame]
    dataset: str = ""
    column: str = ""

    def missing(self, trial: TrialData) -> list[str]:
        """Return what of :attr:`needs` is absent from ``trial`` (empty: the rule can be checked).

        Parameters
        ----------
        trial : TrialData
            The data checked.

        Returns
        -------
        list of str
            The absent datasets, columns, records or conditions, in the order of :attr:`needs`.
        """
        return [item for need in self.needs for item in need.missing(trial)]


@dataclass(frozen=True)
class CheckResult:
    """What a set of rules found and which rules could not be checked.

    Attributes
    ----------
    findings : pandas.DataFrame
        Columns :data:`FINDING_COLUMNS`, one row per finding, sorted as :func:`run_rules` says.
    not_checked : pandas.DataFrame
        Columns :data:`NOT_CHECKED_COLUMNS`, one row per rule whose data are absent, in rule order.
    n_rules : int
        Rules in the set.
    """

    findings: pd.DataFrame
    not_checked: pd.DataFrame
    n_rules: int

    @property
    def n_checked(self) -> int:
        """Rules that could be checked."""
        return self.n_rules - len(self.not_checked)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _not_checked_table(missing: Sequence[tuple[Rule, list[str]]]) -> pd.DataFrame:
    rows = [
        {"RULE": rule.code, "DESCRIPTION": rule.description, "MISSING": ", ".join(absent)}
        for rule, absent in missing
        if absent
    ]
    if not rows:
        return _empty(NOT_CHECKED_COLUMNS)
    return pd.DataFrame(rows, columns=list(NOT_CHECKED_COLUMNS))


def not_checked(rules: Sequence[Rule], trial: TrialData) -> pd.DataFrame:
    """List the rules whose data are absent from ``trial``.

    Parameters
    ----------
    rules : sequence of Rule
        The rule set.
    trial : TrialData
        The data checked.

    Returns
    -------
    pandas.DataFrame
        Columns RULE, DESCRIPTION, MISSING (what is absent, comma separated), in rule order; empty (same
        columns) when every rule can be checked.
    """
    return _not_checked_table([(rule, rule.missing(trial)) for rule in rules])


def _uniform(found: pd.DataFrame, rule: Rule, order: int) -> pd.DataFrame:
    """Return ``found`` with every column of :data:`FINDING_COLUMNS`, the rule's code and its order."""
    # RULE is the engine's to set; anything else outside the uniform columns would be lost silently.
    unexpected = sorted(set(found.columns) - set(FINDING_COLUMNS[1:]))
    if unexpected:
        raise ValueError(f"rule {rule.code} returned column(s) outside FINDING_COLUMNS: {unexpected}")
    defaults: dict[str, object] = {"DATASET": rule.dataset or None, "COLUMN": rule.column or None}
    out = found.copy()
    for column in FINDING_COLUMNS:
        if column not in out.columns:
            out[column] = defaults.get(column)
    out["RULE"] = rule.code
    out["_ORDER"] = order
    return out


def run_rules(
    rules: Sequence[Rule], trial: TrialData, order_by: tuple[str, ...] = ("USUBJID",)
) -> CheckResult:
    """Run every rule whose data are present; list the others as not checked.

    Parameters
    ----------
    rules : sequence of Rule
        The rule set, in the order its findings are listed within one ``order_by`` key.
    trial : TrialData
        The data checked.
    order_by : tuple of str, default ("USUBJID",)
        Finding columns to sort by before rule order (a stable sort); ``()`` keeps the rule order.

    Returns
    -------
    CheckResult
        The findings with the uniform columns, the rules not checked and the number of rules.
    """
    missing = [(rule, rule.missing(trial)) for rule in rules]
    pieces = []
    for order, (rule, absent) in enumerate(missing):
        if absent:
            continue
        found = rule.find(trial)
        if not found.empty:
            pieces.append(_uniform(found, rule, order))
    skipped = _not_checked_table(missing)
    if not pieces:
        return CheckResult(_empty(FINDING_COLUMNS), skipped, len(rules))
    out = pd.concat(pieces, ignore_index=True).sort_values([*order_by, "_ORDER"], kind="stable")
    return CheckResult(out.loc[:, list(FINDING_COLUMNS)].reset_index(drop=True), skipped, len(rules))
