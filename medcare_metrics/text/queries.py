"""Sentences of the Data quality page's query list for the sites."""

from __future__ import annotations

from medcare_metrics.text.common import plural

HEADING = "Data queries for the sites"
CAPTION = (
    "One row per question to a site: the validation problems, possible protocol deviations, contradictions "
    "and CTCAE checks above, with the patient's centre, sorted by centre and patient. A query keeps its id "
    "while the question stays the same, also in a later data cut."
)
NONE = "No question for the sites: none of the checks above found anything."
VIEWER_NOTE = "The list names patients: it is shown with patient-level access only. The counts are above."
COUNTS_TITLE = "**Questions per centre**"
LIST_TITLE = "**Each question**"


def queries_caption(n_queries: int, n_centres: int, n_patients: int, filtered: bool) -> str:
    """Return the sentence counting the questions, and which patients they cover.

    Parameters
    ----------
    n_queries : int
        Questions in the list.
    n_centres : int
        Centres with a question (the "no centre" group not counted).
    n_patients : int
        Distinct patients with a question.
    filtered : bool
        Whether the sidebar filters select some patients only.

    Returns
    -------
    str
        For example ``"7 questions about 4 patients in 2 centres."``.
    """
    scope = (
        " Validation problems of patients outside the filters, and of no known patient, are left out."
        if filtered
        else ""
    )
    return (
        f"{plural(n_queries, 'question')} about {plural(n_patients, 'patient')} in "
        f"{plural(n_centres, 'centre')}.{scope}"
    )
