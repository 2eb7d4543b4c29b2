"""Sentences of the Toxicity page, and the one wording of "grade >= 3 patients" every page shares."""

from __future__ import annotations

from medcare_metrics.ctcae import CTCAE_VERSION
from medcare_metrics.text.common import escape_markdown, plural
from medcare_metrics.toxicity import CountedEvents, GradeScale, HighGradeCount, ToxicityCounts

INTRO = (
    "Adverse events as trial reports count them: each patient once per term, SOC or overall, at the worst "
    "grade, as a share of the treated patients (safety population)."
)
SEVERITY_SUFFIX = " The bars and tables below show severity, not CTCAE grades."
DEFINITION_HOVER = f"Hover over a bar for the CTCAE v{CTCAE_VERSION} definition of that grade for that term."
RELATIONSHIP_HEAD = "Relationship to MDT as recorded in ADAE.AEREL. "
NO_AEREL = "ADAE has no AEREL column (relationship to MDT)."
TEAE_HELP = 'ADAE.TRTEMFL = "Y" (on by default)'
NO_TEAE_HELP = "ADAE has no TRTEMFL column."
SOC_PICK_HELP = "Drill down from a SOC to its terms."
TOP_N_HELP = "The most frequent terms are drawn; the table lists them all."
NEEDED_FOR = "the toxicity tables"


def grade_scale_text(scale: GradeScale) -> str:
    """Return one sentence saying what the grades are (CTCAE grades, or AESEV severity standing in).

    Parameters
    ----------
    scale : GradeScale
        The scale counted on.

    Returns
    -------
    str
        ``"Worst CTCAE v5.0 grade (ATOXGR)."`` or a sentence on severity data.
    """
    if scale.uses_severity:
        return (
            "These data have no CTCAE grade (no ATOXGR or AETOXGR): worst severity "
            "(AESEV: MILD < MODERATE < SEVERE) is counted instead; SEVERE stands in for grade >= 3."
        )
    return f"Worst CTCAE v{CTCAE_VERSION} grade ({scale.column})."


def high_grade_label(uses_severity: bool, high_grade: int) -> str:
    """Return the name of a high grade for headings: ``"Grade ≥ 3"``, or ``"SEVERE"`` on severity data."""
    return "SEVERE" if uses_severity else f"Grade ≥ {high_grade}"


def denominator_text(result: ToxicityCounts) -> str:
    """Return one sentence stating the denominator of ``result``'s percentages.

    Parameters
    ----------
    result : ToxicityCounts
        From :func:`medcare_metrics.toxicity.toxicity_by_grade` or its variants.

    Returns
    -------
    str
        For example ``'Percentages of the safety population (SAFFL = "Y"): N = 18.'`` or, split by a subject
        column, ``'... : SBRT N = 12, Surgery N = 2.'``.
    """
    den = result.denominators
    head = f"Percentages of the safety population ({result.population})"
    if result.by is None or result.event_split:
        n = int(den["N"].iloc[0]) if len(den) else 0
        each = (
            " in every group (a patient counts in each group where they have an event)" if result.by else ""
        )
        return f"{head}: N = {n}{each}."
    # Group names come from the data and the sentence is shown as Markdown.
    parts = ", ".join(
        f"{escape_markdown(g)} N = {int(n)}" for g, n in zip(den["GROUP"], den["N"], strict=True)
    )
    return f"{head}: {parts}."


def counted_events_text(counted: CountedEvents) -> str:
    """Return one sentence saying which adverse events the counts include.

    Parameters
    ----------
    counted : CountedEvents
        From :func:`medcare_metrics.toxicity.counted_events`.

    Returns
    -------
    str
        ``'Counted: treatment-emergent adverse events only (TRTEMFL = "Y"); left out: 2 events with TRTEMFL
        not "Y", 2 of which began before the MDT start.'``, ``'Counted: all adverse events, including 2 events
        with TRTEMFL not "Y", 2 of which began before the MDT start.'``, or, without TRTEMFL, ``'Counted: all
        adverse events (ADAE has no TRTEMFL: treatment emergence is not recorded).'``
    """
    if not counted.has_trtemfl:
        return "Counted: all adverse events (ADAE has no TRTEMFL: treatment emergence is not recorded)."
    n_not, n_before = counted.n_not_teae, counted.n_before_mdt
    them = plural(n_not, "event")
    which = f"{n_before} of which" if n_before else "none of which"
    if n_not == 1:
        which = "which" if n_before else "which did not"
    rest = f'{them} with TRTEMFL not "Y", {which} began before the MDT start'
    if counted.teae_only:
        head = 'Counted: treatment-emergent adverse events only (TRTEMFL = "Y")'
        return f"{head}; left out: {rest}." if n_not else f"{head}; no event is left out."
    if not n_not:
        return 'Counted: all adverse events, all of them treatment-emergent (TRTEMFL = "Y").'
    return f"Counted: all adverse events, including {rest}."


def intro_text(counted: CountedEvents | None) -> str:
    """Return the page's intro: what it counts and, when ADAE is there, which events."""
    return INTRO if counted is None else f"{INTRO} {counted_events_text(counted)}"


def denominator_caption(result: ToxicityCounts) -> str:
    """Return the caption under the filters: the denominator, and the TEAE filter when it applies."""
    return denominator_text(result) + (" Treatment-emergent events only." if result.teae_only else "")


def ctcae_problems_caption(n_problems: int) -> str:
    """Return the warning on AE term or grade problems against CTCAE (empty when there is none)."""
    if not n_problems:
        return ""
    return (
        f":material/warning: {n_problems} AE term or grade problem(s) against CTCAE v{CTCAE_VERSION} "
        "(unknown term, impossible or missing grade); see the Data quality page. Events without a valid "
        "grade count under “Missing grade”."
    )


def population_text(count: HighGradeCount) -> str:
    """Return whom a high-grade count is over: ``'safety population (SAFFL = "Y")'``."""
    return f"{count.population.name} ({count.population.rule})"


def events_text(count: HighGradeCount) -> str:
    """Return which events a high-grade count counts.

    Parameters
    ----------
    count : HighGradeCount
        From :func:`medcare_metrics.toxicity.high_grade_patient_count`.

    Returns
    -------
    str
        ``"treatment-emergent events"``, ``"all adverse events"``, or ``"all adverse events (ADAE has no
        TRTEMFL)"``.
    """
    if count.teae_only:
        return "treatment-emergent events"
    return "all adverse events" if count.has_trtemfl else "all adverse events (ADAE has no TRTEMFL)"


def high_grade_count_text(count: HighGradeCount) -> str:
    """Return a high-grade patient count with whom and which events it counts, for any page.

    Parameters
    ----------
    count : HighGradeCount
        From :func:`medcare_metrics.toxicity.high_grade_patient_count`.

    Returns
    -------
    str
        ``'2 of 15 patients in the safety population (SAFFL = "Y"), treatment-emergent events'``.
    """
    patients = f"{count.n_patients} of {count.n_population} patients"
    return f"{patients} in the {population_text(count)}, {events_text(count)}"


def high_grade_sentence(count: HighGradeCount) -> str:
    """Return the Toxicity page's sentence on the high-grade patients (Markdown).

    Parameters
    ----------
    count : HighGradeCount
        From :func:`medcare_metrics.toxicity.high_grade_patient_count`.

    Returns
    -------
    str
        ``'**2 of 4 patients** (50.0%) in the safety population (SAFFL = "Y") had at least one Grade ≥ 3
        event; counted: treatment-emergent events.'``
    """
    share = f" ({100.0 * count.share:.1f}%)" if count.share is not None else ""
    label = high_grade_label(count.uses_severity, count.high_grade)
    return (
        f"**{count.n_patients} of {count.n_population} patients**{share} in the {population_text(count)} had "
        f"at least one {label} event; counted: {events_text(count)}."
    )


def events_caption(n_events: int) -> str:
    """Return the caption of the high-grade event listing."""
    return f"{n_events} event(s), by patient and onset. The CSV download has every ADAE column used."


def phase_caption(window_days: int, result: ToxicityCounts) -> str:
    """Return the caption of the acute vs late tab: the phases and the denominator."""
    return (
        "Acute: onset from the day of the patient's MDT start (ADSL.TRTSDT) up to "
        f"{window_days} days after it; late: after that. Onset from ASTDT, else the study day "
        "ASTDY. Events that began before the MDT start are shown apart as “Before MDT” (not toxicity of "
        "MDT); events without an onset date as “Unknown onset”. A patient with events in both phases counts "
        "in both. " + denominator_text(result)
    )


def relationship_caption(result: ToxicityCounts) -> str:
    """Return the caption of the relationship tab."""
    return RELATIONSHIP_HEAD + denominator_text(result)


def window_help(default_days: int) -> str:
    """Return the help of the acute window input."""
    return f"Protocol default: {default_days} days."


def top_n_label(n_terms: int) -> str:
    """Return the label of the "terms drawn" input."""
    return f"Terms drawn (of {n_terms})"
