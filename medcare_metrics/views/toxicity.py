"""View of the Toxicity page: worst grade per patient, high-grade patients and events, phase, relationship."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from medcare_metrics.ctcae import ctcae_problems
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.text import toxicity as text
from medcare_metrics.toxicity import (
    HighGradeCount,
    ToxicityCounts,
    ToxicityOptions,
    grade_table,
    restrict_to_soc,
    soc_names,
    split_choices,
)
from medcare_metrics.toxicity.counts import CountSteps, soc_grade_tables
from medcare_metrics.toxicity.listings import (
    high_grade_events_of,
    high_grade_patient_count_of,
    high_grade_patients_of,
)
from medcare_metrics.toxicity.phases import by_phase, by_relationship, counted_events_of
from medcare_metrics.views.scope import ViewScope

#: Choices of the "Bars show" control: label -> the figures' value column.
VALUES: tuple[tuple[str, str], ...] = (("% of patients", "PCT"), ("Patients", "N"))
#: Levels of the phase and relationship detail: label -> level of the counts.
DETAIL_LEVELS: tuple[tuple[str, str], ...] = (("System organ class", "soc"), ("Term", "term"))
#: The SOC drill-down's choice of every SOC.
ALL_SOCS = "All"
#: Rows drawn in the phase and relationship detail figures.
DETAIL_ROWS = 25


@dataclass(frozen=True)
class ToxicityChoices:
    """What the page's controls offer on this data.

    Attributes
    ----------
    has_adae : bool
        Whether the selection has an ADAE (the page shows nothing else without it).
    splits : tuple of str
        Labels of the splits ADSL allows, ``"None"`` first.
    has_teae : bool
        Whether ADAE has TRTEMFL: the treatment-emergent control is on by default, else disabled.
    acute_window_days : int
        The protocol's acute window (the trial settings), the default of the window control.
    """

    has_adae: bool
    splits: tuple[str, ...]
    has_teae: bool
    acute_window_days: int


@dataclass(frozen=True)
class ToxicityControls:
    """The page's widget values.

    Attributes
    ----------
    split : str
        Label of the split (one of :attr:`ToxicityChoices.splits`); ``"None"`` for none.
    value : str
        What the bars show: ``"PCT"`` (% of patients) or ``"N"`` (patients).
    teae_only : bool
        Count treatment-emergent events only (applies only when ADAE has TRTEMFL).
    acute_window_days : int
        Days after the MDT start within which an event is acute.
    """

    split: str = "None"
    value: str = "PCT"
    teae_only: bool = True
    acute_window_days: int = DEFAULT_SETTINGS.acute_window_days


@dataclass(frozen=True)
class GradeFigure:
    """Inputs of :func:`medcare_metrics.figures.toxicity.toxicity_grade_figure`.

    Attributes
    ----------
    counts : ToxicityCounts
        The counts drawn.
    value : str
        ``"PCT"`` or ``"N"``.
    max_rows : int
        Terms or SOCs drawn at most.
    """

    counts: ToxicityCounts
    value: str
    max_rows: int = 30


@dataclass(frozen=True)
class GradeSection:
    """One count by worst grade: its figure, its report table and its download.

    Attributes
    ----------
    figure : GradeFigure
        Figure inputs.
    table : pandas.DataFrame
        :func:`medcare_metrics.toxicity.grade_table` of the counts.
    download : pandas.DataFrame
        The counts in long form, for the CSV download.
    """

    figure: GradeFigure
    table: pd.DataFrame
    download: pd.DataFrame


@dataclass(frozen=True)
class TermSection:
    """The terms of one choice of the SOC drill-down.

    Attributes
    ----------
    soc : str
        The SOC, or :data:`ALL_SOCS`.
    figure : GradeFigure
        Figure inputs; ``max_rows`` draws every term (the page may draw fewer).
    table : pandas.DataFrame
        Report table, most frequent first.
    n_terms : int
        Distinct terms of the choice.
    """

    soc: str
    figure: GradeFigure
    table: pd.DataFrame
    n_terms: int


@dataclass(frozen=True)
class DetailSection:
    """A tab counted by group (onset phase, relationship to MDT): overall and by SOC or term.

    Attributes
    ----------
    caption : str
        What the groups are, and the denominator.
    overall : GradeSection
        Worst grade overall per group.
    levels : tuple of (str, GradeSection)
        ``(label, section)`` for each of :data:`DETAIL_LEVELS`.
    """

    caption: str
    overall: GradeSection
    levels: tuple[tuple[str, GradeSection], ...]

    def level(self, label: str) -> GradeSection:
        """Return the section of the level called ``label`` (``"System organ class"`` or ``"Term"``)."""
        return dict(self.levels)[label]


@dataclass(frozen=True)
class HighGradeSection:
    """The high-grade patients and events.

    Attributes
    ----------
    count : HighGradeCount
        The patients with a high-grade event, over the safety population.
    sentence : str
        The count in words, with whom and which events it counts (Markdown).
    patients : pandas.DataFrame
        One row per patient with a high-grade event.
    events : pandas.DataFrame
        Every high-grade event.
    heading, events_caption : str
        The heading and the caption of the event listing.
    """

    count: HighGradeCount
    sentence: str
    patients: pd.DataFrame
    events: pd.DataFrame
    heading: str
    events_caption: str


@dataclass(frozen=True)
class ToxicityView:
    """Everything the Toxicity page shows.

    Attributes
    ----------
    intro : str
        The page's intro, with which events are counted.
    missing_adae : bool
        True when the selection has no ADAE (nothing below is filled).
    no_patient : str
        Said when the filters match no enrolled patient (nothing below is filled); else empty.
    unavailable : str
        Why the counts cannot be made from this ADAE (no grade, a column missing); else empty.
    severity_note : str
        On severity data: what is counted instead of CTCAE grades; else empty.
    denominator_caption : str
        The denominator and the TEAE filter.
    ctcae_caption : str
        A warning on AE term or grade problems against CTCAE; empty when there is none.
    high_label : str
        ``"Grade ≥ 3"`` or ``"SEVERE"``.
    tabs : tuple of str
        The tab titles.
    group_label : str or None
        Column title of GROUP in the tables (the split's label); None when not split.
    overall, soc : GradeSection or None
        Any adverse event, and by system organ class.
    terms : tuple of TermSection
        By term: every SOC (:data:`ALL_SOCS`) first, then each SOC, most patients first.
    terms_download : pandas.DataFrame
        Every term's counts, for the download.
    definition_caption : str
        Said on CTCAE data, where the hover gives each grade's definition; else empty.
    high : HighGradeSection or None
        The high-grade patients and events.
    phase : DetailSection or None
        Acute vs late.
    relationship : DetailSection or None
        Relationship to MDT; None when ADAE has no AEREL (:attr:`relationship_unavailable` says so).
    relationship_unavailable : str
        Why the relationship tab is empty; else empty.
    """

    intro: str
    missing_adae: bool = False
    no_patient: str = ""
    unavailable: str = ""
    severity_note: str = ""
    denominator_caption: str = ""
    ctcae_caption: str = ""
    high_label: str = ""
    tabs: tuple[str, ...] = ()
    group_label: str | None = None
    overall: GradeSection | None = None
    soc: GradeSection | None = None
    terms: tuple[TermSection, ...] = ()
    terms_download: pd.DataFrame | None = None
    definition_caption: str = ""
    high: HighGradeSection | None = None
    phase: DetailSection | None = None
    relationship: DetailSection | None = None
    relationship_unavailable: str = ""

    def term_section(self, soc: str) -> TermSection:
        """Return the drill-down choice ``soc`` (every SOC when unknown)."""
        return next((t for t in self.terms if t.soc == soc), self.terms[0])


def toxicity_choices(scope: ViewScope) -> ToxicityChoices:
    """Return what the page's controls offer on this data.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    ToxicityChoices
        Splits, whether ADAE has TRTEMFL, and the default acute window.
    """
    adae = scope.trial.adae
    return ToxicityChoices(
        has_adae=adae is not None,
        splits=tuple(split_choices(scope.trial.adsl)),
        has_teae=adae is not None and "TRTEMFL" in adae.columns,
        acute_window_days=int(scope.settings.acute_window_days),
    )


def _section(
    counts: ToxicityCounts, value: str, max_rows: int = 30, order: str = "alphabetical"
) -> GradeSection:
    return GradeSection(GradeFigure(counts, value, max_rows), grade_table(counts, order=order), counts.counts)


def _terms(terms: ToxicityCounts, value: str) -> tuple[TermSection, ...]:
    socs = soc_names(terms)
    # The SOCs' tables come from one pivot of the counts (soc_grade_tables), not one per SOC.
    tables = [grade_table(terms, order="frequency"), *soc_grade_tables(terms, socs, order="frequency")]
    out = []
    for soc, table in zip((ALL_SOCS, *socs), tables, strict=True):
        shown = terms if soc == ALL_SOCS else restrict_to_soc(terms, soc)
        n_terms = int(shown.counts["AEDECOD"].nunique())
        out.append(TermSection(soc, GradeFigure(shown, value, n_terms), table, n_terms))
    return tuple(out)


def _detail(counts: dict[str, ToxicityCounts], caption: str, value: str) -> DetailSection:
    levels = tuple(
        (label, _section(counts[level], value, DETAIL_ROWS, order="frequency"))
        for label, level in DETAIL_LEVELS
    )
    return DetailSection(caption, _section(counts["overall"], value), levels)


def toxicity_view(scope: ViewScope, controls: ToxicityControls) -> ToxicityView:
    """Return everything the Toxicity page shows.

    Parameters
    ----------
    scope : ViewScope
        The view (the selected patients, as of the chosen date).
    controls : ToxicityControls
        Split, bar value, TEAE filter and acute window.

    Returns
    -------
    ToxicityView
        Tables, figure inputs and sentences of the page; only :attr:`ToxicityView.intro` and
        :attr:`ToxicityView.missing_adae` without ADAE, :attr:`ToxicityView.no_patient` when the filters match
        no patient, and :attr:`ToxicityView.unavailable` too when the counts cannot be made.
    """
    adae, adsl = scope.trial.adae, scope.trial.adsl
    if adae is None:
        return ToxicityView(intro=text.intro_text(None), missing_adae=True)
    if scope.no_patient_text:
        # An empty ADAE has no grade column filled: counting it would report "no CTCAE grade" instead.
        return ToxicityView(intro=text.intro_text(None), no_patient=scope.no_patient_text)
    has_teae = "TRTEMFL" in adae.columns
    options = ToxicityOptions(
        teae_only=controls.teae_only and has_teae, acute_window_days=controls.acute_window_days
    )
    # Every count below grades, filters and groups the same events: the steps are made once, here.
    steps = CountSteps(adae, adsl, options)
    intro = text.intro_text(counted_events_of(steps))
    splits = split_choices(adsl)
    by = splits.get(controls.split)
    value = controls.value
    try:
        overall = steps.by_grade("overall", by)
    except ValueError as err:
        return ToxicityView(intro=intro, unavailable=str(err))

    high_label = text.high_grade_label(overall.uses_severity, options.high_grade)
    soc = steps.by_grade("soc", by)
    terms = steps.by_grade("term", by)
    count = high_grade_patient_count_of(steps)
    events = high_grade_events_of(steps, by).copy()
    high = HighGradeSection(
        count=count,
        sentence=text.high_grade_sentence(count),
        patients=high_grade_patients_of(steps, by),
        events=events,
        heading=f"Every {high_label} event",
        events_caption=text.events_caption(len(events)),
    )
    phases = {level: by_phase(steps, level) for level in ("overall", "soc", "term")}
    relationship, no_relationship = None, ""
    if "AEREL" in adae.columns:
        related = {level: by_relationship(steps, level) for level in ("overall", "soc", "term")}
        relationship = _detail(related, text.relationship_caption(related["overall"]), value)
    else:
        no_relationship = text.NO_AEREL
    return ToxicityView(
        intro=intro,
        severity_note=text.grade_scale_text(overall.scale) + text.SEVERITY_SUFFIX
        if overall.uses_severity
        else "",
        denominator_caption=text.denominator_caption(overall),
        ctcae_caption=text.ctcae_problems_caption(len(ctcae_problems(adae))),
        high_label=high_label,
        tabs=("Grades", f"{high_label} patients", "Acute vs late", "Relationship to MDT"),
        group_label=controls.split if by is not None else None,
        overall=_section(overall, value),
        soc=_section(soc, value, len(soc_names(soc)), order="frequency"),
        terms=_terms(terms, value),
        terms_download=terms.counts,
        definition_caption="" if overall.uses_severity else text.DEFINITION_HOVER,
        high=high,
        phase=_detail(phases, text.phase_caption(options.acute_window_days, phases["overall"]), value),
        relationship=relationship,
        relationship_unavailable=no_relationship,
    )
