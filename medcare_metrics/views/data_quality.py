"""View of the Data quality page: validation problems, loading notes, deviations, consistency, CTCAE."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from medcare_metrics.checks.queries import queries_by_centre, site_queries
from medcare_metrics.consistency import RULES as CONSISTENCY_RULES
from medcare_metrics.consistency import consistency_problems, consistency_rules_not_checked
from medcare_metrics.ctcae import CTCAE_VERSION, GRADE_COLUMNS, ctcae_problems
from medcare_metrics.eligibility import (
    UNCHECKABLE_CRITERIA,
    eligibility_rules,
    protocol_deviations,
    rules_not_checked,
)
from medcare_metrics.filters import Filters, filter_options, search_rows, select_rows
from medcare_metrics.loading import summarise_problems
from medcare_metrics.text import data_quality as text
from medcare_metrics.text import queries as queries_text
from medcare_metrics.views.scope import ViewScope

#: Columns of the validation problems table on which the page offers a choice.
PROBLEM_FILTER_COLUMNS: tuple[str, ...] = ("dataset", "severity", "column", "check")
#: Columns searched by the page's search box.
SEARCH_COLUMNS: tuple[str, ...] = ("USUBJID", "problem", "file")


@dataclass(frozen=True)
class DataQualityChoices:
    """Values the page's problem filters offer.

    Attributes
    ----------
    options : tuple of (str, tuple of str)
        ``(column, values)`` for each of :data:`PROBLEM_FILTER_COLUMNS`.
    """

    options: tuple[tuple[str, tuple[str, ...]], ...]

    def values(self, column: str) -> tuple[str, ...]:
        """Return the values offered for ``column`` (empty when unknown)."""
        return dict(self.options).get(column, ())


@dataclass(frozen=True)
class DataQualityControls:
    """The page's widget values: which validation problems to list.

    Attributes
    ----------
    problem_filters : Filters
        Allowed values per problems column (dataset, severity, column, check); empty = all.
    search : str
        Text searched in USUBJID, problem and file.
    """

    problem_filters: Filters = field(default_factory=Filters)
    search: str = ""

    @classmethod
    def chosen(cls, values: Mapping[str, Sequence[str]], search: str = "") -> DataQualityControls:
        """Build the controls from the values chosen per problems column (empty = all) and the search text.

        Parameters
        ----------
        values : mapping of str to sequence of str
            Chosen values of dataset, severity, column and check.
        search : str, optional
            Text searched in USUBJID, problem and file.

        Returns
        -------
        DataQualityControls
            The controls.
        """
        return cls(Filters.from_mapping(values), search)


@dataclass(frozen=True)
class CtcaeSection:
    """The CTCAE checks of the page.

    Attributes
    ----------
    applies : bool
        False when ADAE is absent or has no CTCAE grade.
    missing_adae : bool
        True when the source has no usable ADAE.
    problems : pandas.DataFrame
        Adverse events whose term or grade does not fit CTCAE (empty when none or not applicable).
    no_grade_note : str
        Why the grade checks do not apply (ADAE without CTCAE grade), else empty.
    terms_by_problem : pandas.DataFrame
        On data without a CTCAE grade: findings per term (for an optional look); else empty.
    terms_caption : str
        Caption of :attr:`terms_by_problem`.
    heading, ok_text, problems_caption, terms_title : str
        Section heading, the sentence when all fits, the caption of :attr:`problems`, the title of the
        optional term comparison.
    """

    applies: bool
    missing_adae: bool
    problems: pd.DataFrame
    no_grade_note: str
    terms_by_problem: pd.DataFrame
    terms_caption: str
    heading: str
    ok_text: str
    problems_caption: str
    terms_title: str = ""


@dataclass(frozen=True)
class RuleSection:
    """A set of data checks (eligibility or consistency): what broke, what could not be checked.

    Attributes
    ----------
    findings : pandas.DataFrame
        One row per patient and broken rule.
    not_checked : pandas.DataFrame
        Rules whose data are absent.
    n_rules, n_checked : int
        Rules in all, and rules that could be checked.
    ok_text, none_checked_text, not_checked_title : str
        Sentences for a clean result, for no rule checkable, and the heading of :attr:`not_checked`.
    """

    findings: pd.DataFrame
    not_checked: pd.DataFrame
    n_rules: int
    n_checked: int
    ok_text: str
    none_checked_text: str
    not_checked_title: str


@dataclass(frozen=True)
class ValidationSection:
    """The validation problems part of the page (the problems of the whole source, and the page's choice).

    Attributes
    ----------
    problems, summary, shown : pandas.DataFrame
        As in :class:`DataQualityView`.
    problems_caption, shown_caption : str
        Sentences on the counts.
    notes : tuple of str
        What loading derived or assumed.
    replay_note : str
        Said when the view is replayed (checks run on the data as delivered); else empty.
    """

    problems: pd.DataFrame
    summary: pd.DataFrame
    shown: pd.DataFrame
    problems_caption: str
    shown_caption: str
    notes: tuple[str, ...]
    replay_note: str


@dataclass(frozen=True)
class DataChecks:
    """The data checks of the page: they read the selected patients as delivered, whatever the as-of date.

    Attributes
    ----------
    deviations, uncheckable_text, consistency, ctcae, queries, queries_by_centre, queries_caption
        As in :class:`DataQualityView`.
    """

    deviations: RuleSection
    uncheckable_text: str
    consistency: RuleSection
    ctcae: CtcaeSection
    queries: pd.DataFrame
    queries_by_centre: pd.DataFrame
    queries_caption: str


@dataclass(frozen=True)
class DataQualityView:
    """Everything the Data quality page shows.

    Attributes
    ----------
    problems : pandas.DataFrame
        Every validation problem of the source (the filters of the sidebar do not apply).
    summary : pandas.DataFrame
        Problems counted per dataset, column, check and severity.
    shown : pandas.DataFrame
        The problems the page's filters and search select.
    problems_caption, shown_caption : str
        Sentences on the counts.
    notes : tuple of str
        What loading derived or assumed.
    replay_note : str
        Said when the view is replayed (checks run on the data as delivered); else empty.
    deviations : RuleSection
        Possible protocol deviations (eligibility rules).
    uncheckable_text : str
        Criteria no ADaM column records.
    consistency : RuleSection
        Contradictions between datasets.
    ctcae : CtcaeSection
        CTCAE term and grade checks.
    queries : pandas.DataFrame
        Every finding above as a question to a site (:func:`medcare_metrics.checks.queries.site_queries`);
        validation problems of patients outside the filters left out when filters are active.
    queries_by_centre : pandas.DataFrame
        The questions counted per centre (:func:`medcare_metrics.checks.queries.queries_by_centre`).
    queries_caption : str
        The questions counted in words; empty when there is none.
    """

    problems: pd.DataFrame
    summary: pd.DataFrame
    shown: pd.DataFrame
    problems_caption: str
    shown_caption: str
    notes: tuple[str, ...]
    replay_note: str
    deviations: RuleSection
    uncheckable_text: str
    consistency: RuleSection
    ctcae: CtcaeSection
    queries: pd.DataFrame = field(default_factory=pd.DataFrame)
    queries_by_centre: pd.DataFrame = field(default_factory=pd.DataFrame)
    queries_caption: str = ""

    @classmethod
    def of(cls, validation: ValidationSection, checks: DataChecks) -> DataQualityView:
        """Put the page's two parts together.

        Parameters
        ----------
        validation : ValidationSection
            From :func:`validation_section`.
        checks : DataChecks
            From :func:`data_checks`.

        Returns
        -------
        DataQualityView
            Every field of both.
        """
        return cls(**vars(validation), **vars(checks))


def _queries(
    scope: ViewScope, deviations: pd.DataFrame, consistency: pd.DataFrame, ctcae: CtcaeSection
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Return the query list for the sites, its counts per centre and its caption."""
    queries = site_queries(
        scope.full.adsl,
        problems=scope.problems,
        deviations=deviations,
        consistency=consistency,
        ctcae=ctcae.problems if ctcae.applies else None,
        deviation_rules=eligibility_rules(scope.full.study),
    )
    filtered = bool(scope.filters)
    if filtered:
        # The data checks run on the selection already; validation problems are the whole source's.
        queries = queries.loc[queries["USUBJID"].isin(set(scope.delivered.adsl["USUBJID"].astype(str)))]
        queries = queries.reset_index(drop=True)
    if queries.empty:
        return queries, queries_by_centre(queries), ""
    caption = queries_text.queries_caption(
        len(queries),
        queries.loc[queries["SITEID"].ne(""), "SITEID"].nunique(),
        queries.loc[queries["USUBJID"].ne(""), "USUBJID"].nunique(),
        filtered,
    )
    return queries, queries_by_centre(queries), caption


def data_quality_choices(scope: ViewScope) -> DataQualityChoices:
    """Return the values the page's problem filters offer.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    DataQualityChoices
        Values of dataset, severity, column and check found among the problems.
    """
    problems = scope.problems
    if problems.empty:
        return DataQualityChoices(tuple((c, ()) for c in PROBLEM_FILTER_COLUMNS))
    return DataQualityChoices(tuple((c, filter_options(problems, c)) for c in PROBLEM_FILTER_COLUMNS))


def _ctcae_section(adae: pd.DataFrame | None) -> CtcaeSection:
    heading = f"CTCAE v{CTCAE_VERSION} checks"
    empty = pd.DataFrame()
    if adae is None:
        return CtcaeSection(False, True, empty, "", empty, "", heading, "", "")
    if not any(column in adae.columns for column in GRADE_COLUMNS):
        by_term = summarise_problems(ctcae_problems(adae, check_terms=True), by=("problem", "AEDECOD"))
        return CtcaeSection(
            applies=False,
            missing_adae=False,
            problems=empty,
            no_grade_note=text.no_ctcae_grade_note("AESEV" in adae.columns),
            terms_by_problem=by_term,
            terms_caption=text.terms_caption(
                int(by_term["count"].sum()) if not by_term.empty else 0, len(adae)
            ),
            heading=heading,
            ok_text="",
            problems_caption="",
            terms_title=f"Compare the ADAE terms with CTCAE v{CTCAE_VERSION} anyway",
        )
    return CtcaeSection(
        applies=True,
        missing_adae=False,
        problems=ctcae_problems(adae),
        no_grade_note="",
        terms_by_problem=empty,
        terms_caption="",
        heading=heading,
        ok_text=text.ctcae_ok(CTCAE_VERSION),
        problems_caption=text.ctcae_problems_caption(CTCAE_VERSION),
    )


def validation_section(scope: ViewScope, controls: DataQualityControls) -> ValidationSection:
    """Return the validation problems of the source and those the page's filters and search select.

    Parameters
    ----------
    scope : ViewScope
        The view.
    controls : DataQualityControls
        Which validation problems to list.

    Returns
    -------
    ValidationSection
        Tables and sentences of the validation part of the page.
    """
    problems = scope.problems
    if problems.empty:
        summary = shown = problems
        problems_caption = shown_caption = ""
    else:
        n_errors = len(select_rows(problems, Filters.from_mapping({"severity": ["error"]})))
        n_warnings = len(select_rows(problems, Filters.from_mapping({"severity": ["warning"]})))
        summary = summarise_problems(problems)
        shown = search_rows(select_rows(problems, controls.problem_filters), controls.search, SEARCH_COLUMNS)
        problems_caption = text.problems_caption(n_errors, n_warnings)
        shown_caption = f"{len(shown)} of {len(problems)} problems shown."
    return ValidationSection(
        problems=problems,
        summary=summary,
        shown=shown,
        problems_caption=problems_caption,
        shown_caption=shown_caption,
        notes=tuple(scope.full.notes),
        replay_note=text.REPLAY_NOTE if scope.replayed else "",
    )


def data_checks(scope: ViewScope) -> DataChecks:
    """Run the data checks (eligibility, consistency, CTCAE) on the selected patients as delivered.

    They read :attr:`ViewScope.delivered` only (a replay cannot undo a later correction within a record), so
    the result is the same for every as-of date of a selection.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    DataChecks
        Findings, rules not checked and the site query list.
    """
    delivered = scope.delivered
    study = scope.full.study
    rules, criteria = eligibility_rules(study), study.eligibility.criteria
    skipped = rules_not_checked(delivered.adsl, delivered.adtu, study)
    deviations = RuleSection(
        findings=protocol_deviations(delivered.adsl, delivered.adtu, study),
        not_checked=skipped,
        n_rules=len(rules),
        n_checked=len(rules) - len(skipped),
        ok_text=text.deviations_ok(len(rules) - len(skipped), len(rules)),
        none_checked_text=text.NONE_CHECKED.format(what="eligibility rule"),
        not_checked_title=text.not_checked_title("Rules", len(skipped), len(rules)),
    )
    unchecked = consistency_rules_not_checked(delivered)
    n_rules = len(CONSISTENCY_RULES)
    consistency = RuleSection(
        findings=consistency_problems(delivered),
        not_checked=unchecked,
        n_rules=n_rules,
        n_checked=n_rules - len(unchecked),
        ok_text=text.consistency_ok(n_rules - len(unchecked), n_rules),
        none_checked_text=text.NONE_CHECKED.format(what="consistency rule"),
        not_checked_title=text.not_checked_title("Consistency rules", len(unchecked), n_rules),
    )
    ctcae = _ctcae_section(delivered.adae)
    queries, by_centre, queries_caption = _queries(scope, deviations.findings, consistency.findings, ctcae)
    return DataChecks(
        deviations=deviations,
        uncheckable_text=text.uncheckable_criteria(
            [(c, criteria[c]) for c in UNCHECKABLE_CRITERIA if c in criteria]
        ),
        consistency=consistency,
        ctcae=ctcae,
        queries=queries,
        queries_by_centre=by_centre,
        queries_caption=queries_caption,
    )


def data_quality_view(scope: ViewScope, controls: DataQualityControls) -> DataQualityView:
    """Return everything the Data quality page shows (:func:`validation_section` and :func:`data_checks`).

    Validation problems are those of the whole source; the data checks (eligibility, consistency, CTCAE) run
    on the selected patients as delivered, since a replay cannot undo a later correction within a record.

    Parameters
    ----------
    scope : ViewScope
        The view.
    controls : DataQualityControls
        Which validation problems to list.

    Returns
    -------
    DataQualityView
        Tables and sentences of the page.
    """
    return DataQualityView.of(validation_section(scope, controls), data_checks(scope))
