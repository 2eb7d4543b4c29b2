"""Sentences of the Patients page: swimmer plot, PSA waterfall, a patient's profile, changes since a date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from medcare_metrics.text.common import format_date

INTRO = "Each enrolled patient's course, PSA response and record, and what is new since a chosen date."

# Swimmer plot
NO_SWIMMER = "No enrolled patient with a registration date to draw."
#: What the swimmer plot cannot show without ADTTE (completes "so ... cannot be shown").
MARKERS_NEED = "progression and NEST start markers"

# PSA waterfall
WATERFALL_NEED = "the PSA waterfall"
NO_WATERFALL = "no enrolled patient has a PSA baseline and a later PSA value."
PSA_UNTIL_NEST_HELP = "A decline after NEST start reflects the new treatment, not MDT. Needs ADTTE (NESTFS)."

# One patient's profile
NO_PATIENT = "No enrolled patient to show."
LESIONS_NEED = "the lesions"
NO_LESION = "No lesion recorded for this patient."
AES_NEED = "the adverse events"
NO_AE = "No adverse event recorded for this patient."
AE_CAPTION = (
    "No. is the row of the timeline; Month is the onset in months since registration. Ongoing "
    "AEs are drawn to the date of the view."
)
PSA_NEED = "the PSA trajectory"
NO_PSA = "No PSA value recorded for this patient."
TTE_NEED = "the time-to-event records"
NO_TTE = "No time-to-event record for this patient."

# Changes since
NO_DATE = "the data hold no date, so there is no date to compare with."
CHANGES_HELP = "For example the last steering committee. Default: 91 days (13 weeks) before the view date."
NO_CHANGE = "None."
#: Title of each listing of :class:`medcare_metrics.cuts.Changes`, in the page's order.
CHANGE_TITLES: dict[str, str] = {
    "enrolled": "Patients enrolled (registered in the window)",
    "events": "NEST-FS and PFS events",
    "deaths": "Deaths",
    "severe_aes": "New grade ≥ 3 adverse events (onset in the window)",
    "upgrades": "Grade upgrades (worst grade per patient and term rose)",
}


def swimmer_summary(n_patients: int, by_status: Mapping[str, int]) -> str:
    """Return the sentence above the swimmer plot: patients by status at the end of their bar (Markdown).

    Parameters
    ----------
    n_patients : int
        Patients drawn.
    by_status : mapping of str to int
        As :func:`medcare_metrics.patients.status_counts` returns.

    Returns
    -------
    str
        ``"**4 patients**: 2 in follow-up, 1 left the study alive, 1 died."``, naming the patients of unknown
        status when ADSL has no EOSSTT.
    """
    unknown = (
        f", {by_status['Unknown']} alive with no study status (ADSL has no EOSSTT)"
        if by_status.get("Unknown")
        else ""
    )
    return (
        f"**{n_patients} patients**: {by_status['Ongoing']} in follow-up, "
        f"{by_status['Off study']} left the study alive, {by_status['Died']} died{unknown}."
    )


def swimmer_caption(cutoff_label: str) -> str:
    """Return how the swimmer plot is drawn; ``cutoff_label`` names the last resort end of a bar."""
    return (
        "Bars run from registration to last contact (OS date, else last known alive, death, end of "
        "study, the latest date recorded for the patient, else the "
        f"{cutoff_label}), in months, coloured by MDT type. An arrow marks follow-up still ongoing; "
        "a vertical tick a patient off study while alive (or whose study status is not recorded). "
        "NEST-FS and PFS events that are deaths show as death only. "
        "NEST-FS time sorts by the time to the primary-endpoint event or censoring."
    )


def waterfall_sentence(responders: int, evaluable: int) -> str:
    """Return the PCWG3 PSA response count above the waterfall (Markdown)."""
    return (
        f"**{responders} of {evaluable} evaluable patients** had a PSA decline of at least 50% "
        "from baseline (PCWG3)."
    )


def waterfall_title(responders: int, evaluable: int) -> str:
    """Return the waterfall's title."""
    return f"Best PSA change: {responders} of {evaluable} patients with a decline ≥ 50%"


def waterfall_caption(stop_at_nest: bool) -> str:
    """Return how the best PSA change is taken; says when values after a NEST start are left out."""
    return (
        "Best change = the largest decline, or the smallest rise when PSA never fell, over the "
        "samples after baseline (the ABLFL record, else the last sample before MDT)"
        + (", up to the start of a next-line systemic treatment" if stop_at_nest else "")
        + ". Not confirmed by a second value. Patients without a later sample are not shown; "
        "rises above +100% are cut at +100% and labelled."
    )


def changes_sentence(since: date, until: date) -> str:
    """Return the sentence naming the window of the changes, ``(since, until]`` (Markdown)."""
    return (
        f"New between **{format_date(since)}** (excluded) and **{format_date(until)}** "
        "(included), among the patients selected in the sidebar."
    )
