"""The grade scale of adverse events: CTCAE grades (ATOXGR, AETOXGR), else AESEV severity ranks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd

from medcare_metrics import ctcae
from medcare_metrics.errors import DataUnavailable

#: Label of the "no valid grade" category.
MISSING_GRADE_LABEL = "Missing grade"
#: AESEV values in increasing order; their rank (1-3) is the grade used for severity-only data.
SEVERITY_LEVELS: tuple[str, ...] = ("MILD", "MODERATE", "SEVERE")


@dataclass(frozen=True)
class GradeScale:
    """What the grades are: CTCAE grades or AESEV severity ranks.

    Attributes
    ----------
    column : str
        The ADAE column read: ``"ATOXGR"``, ``"AETOXGR"`` or ``"AESEV"``.
    kind : str
        ``"ctcae"`` or ``"severity"``.
    labels : tuple of (int, str)
        Each valid grade and its label, in increasing order.
    """

    column: str
    kind: str
    labels: tuple[tuple[int, str], ...]

    @property
    def uses_severity(self) -> bool:
        """True when AESEV severity stands in for CTCAE grades."""
        return self.kind == "severity"

    @property
    def grades(self) -> tuple[int, ...]:
        """The valid grades, in increasing order."""
        return tuple(g for g, _ in self.labels)

    def label(self, grade: object) -> str:
        """Return the label of ``grade``: ``"Grade 3"``, ``"SEVERE"``, or ``"Missing grade"``."""
        if grade is None or pd.isna(grade):
            return MISSING_GRADE_LABEL
        return dict(self.labels).get(int(cast(float, grade)), f"Grade {grade}")


CTCAE_SCALE_LABELS: tuple[tuple[int, str], ...] = tuple((g, f"Grade {g}") for g in ctcae.GRADES)
SEVERITY_SCALE_LABELS: tuple[tuple[int, str], ...] = tuple((i + 1, s) for i, s in enumerate(SEVERITY_LEVELS))


def _has_values(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and bool(frame[column].notna().any())


def grade_scale(adae: pd.DataFrame) -> GradeScale:
    """Return the grade scale the ADAE supports.

    ATOXGR, else AETOXGR, when it holds at least one value; else AESEV when present; else an all-missing
    ATOXGR or AETOXGR column (every subject then counts under "missing grade").

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.

    Returns
    -------
    GradeScale
        The column and labels to count on.

    Raises
    ------
    ValueError
        When ADAE has none of ATOXGR, AETOXGR and AESEV.
    """
    for col in ctcae.GRADE_COLUMNS:
        if _has_values(adae, col):
            return GradeScale(col, "ctcae", CTCAE_SCALE_LABELS)
    if "AESEV" in adae.columns:
        return GradeScale("AESEV", "severity", SEVERITY_SCALE_LABELS)
    for col in ctcae.GRADE_COLUMNS:
        if col in adae.columns:
            return GradeScale(col, "ctcae", CTCAE_SCALE_LABELS)
    raise DataUnavailable("ADAE has no grade: it needs ATOXGR, AETOXGR (CTCAE grade) or AESEV (severity)")


def analysis_grade(adae: pd.DataFrame, scale: GradeScale | None = None) -> pd.Series:
    """Return each event's grade on ``scale`` as Int64; <NA> for a missing or invalid grade.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    scale : GradeScale or None
        The scale; :func:`grade_scale` of ``adae`` when None.

    Returns
    -------
    pandas.Series
        Int64, aligned with ``adae``. CTCAE grades outside 1-5 and severities other than MILD, MODERATE,
        SEVERE (case-insensitive) are <NA>.
    """
    scale = scale or grade_scale(adae)
    if scale.uses_severity:
        ranks = {name: rank for rank, name in scale.labels}
        text = adae[scale.column].astype("string").str.strip().str.upper()
        return text.map(ranks, na_action="ignore").astype("Int64")
    values = pd.to_numeric(adae[scale.column], errors="coerce").astype("Float64")
    values = values.where(values.isin([float(g) for g in scale.grades]))
    return values.astype("Int64")
