"""Sentences of the Data quality page."""

from __future__ import annotations

from collections.abc import Sequence

from medcare_metrics.text.common import plural

INTRO = (
    "What loading found wrong in the files, what it derived, values that break protocol or CTCAE rules, and "
    "datasets that contradict each other."
)
ALL_VALID = "Every dataset passed validation."
NO_NOTES = "Nothing: every value was read as given."
REPLAY_NOTE = (
    "The checks below run on the data as delivered (cut-off), not as of the chosen date; the filters apply."
)
DEVIATIONS_CAPTION = (
    "Enrolled patients in the current selection whose data break an eligibility rule of the protocol. "
    "Each row needs checking against the source documents."
)
CONSISTENCY_CAPTION = (
    "Patients in the current selection whose datasets contradict each other, for example a fatal (grade 5) "
    "adverse event for a patient recorded alive, or a date after the data cut-off. Each row needs checking "
    "against the source documents."
)
NONE_CHECKED = "No {what} could be checked: the data lack every column they need (below)."
ROW_HELP = (
    "Line in the file for CSV and Excel (the header is line 1); record number for XPT, SAS7BDAT and Parquet. "
    "Empty when the problem concerns the whole file or column."
)


def problems_caption(n_errors: int, n_warnings: int) -> str:
    """Return the sentence counting validation errors and warnings."""
    return (
        f"{plural(n_errors, 'error')} (row or dataset left out, or results would be wrong) and "
        f"{plural(n_warnings, 'warning')} (value set missing or suspect, row kept), for the whole source: "
        "the sidebar filters do not apply. The source files are never changed."
    )


def deviations_ok(checked: int, total: int) -> str:
    """Return the sentence for no protocol deviation among ``checked`` of ``total`` rules."""
    return f"No enrolled patient breaks a checked rule ({checked} of {total} rules could be checked)."


def consistency_ok(checked: int, total: int) -> str:
    """Return the sentence for no contradiction among ``checked`` of ``total`` rules."""
    return f"No contradiction between datasets ({checked} of {total} rules could be checked)."


def not_checked_title(what: str, skipped: int, total: int) -> str:
    """Return the heading of the rules that could not be checked (Markdown)."""
    return f"**{what} not checked** ({skipped} of {total}): their data are absent."


def uncheckable_criteria(criteria: Sequence[tuple[str, str]]) -> str:
    """Return the sentence listing eligibility criteria no ADaM column records."""
    if not criteria:  # a study without a study file: no criteria texts to list
        return ""
    listed = "; ".join(f"{code} {wording}" for code, wording in criteria)
    return f"Criteria no ADaM column records, to be checked at the centre: {listed}."


def no_ctcae_grade_note(has_severity: bool) -> str:
    """Return why the CTCAE grade checks do not apply to ADAE without a CTCAE grade."""
    severity = " It records severity (AESEV: MILD, MODERATE, SEVERE) instead." if has_severity else ""
    return (
        f"ADAE has no CTCAE grade (ATOXGR or AETOXGR), so the grade checks do not apply.{severity} Such data "
        "are usually coded in MedDRA preferred terms rather than CTCAE terms, so term mismatches are "
        "expected and are not listed as problems."
    )


def terms_caption(findings: int, events: int) -> str:
    """Return the caption of the per-term comparison with CTCAE."""
    return (
        f"{findings} findings on {events} adverse events of the current selection, one line per term and "
        "finding (count = events, subjects = patients)."
    )


def ctcae_ok(version: str) -> str:
    """Return the sentence for adverse events that all fit CTCAE."""
    return f"Every adverse event term and grade of the current selection fits CTCAE v{version}."


def ctcae_problems_caption(version: str) -> str:
    """Return the caption of the CTCAE problems table."""
    return f"Adverse events of the current selection whose term or grade does not fit CTCAE v{version}."
