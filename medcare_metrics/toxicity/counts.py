"""Subjects by worst grade per term, SOC or overall, over the safety population, and the report table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import pandas as pd

from medcare_metrics import ctcae
from medcare_metrics.errors import DataUnavailable
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.rules import HIGH_GRADE, is_high_grade, treatment_emergent_mask
from medcare_metrics.toxicity.grades import MISSING_GRADE_LABEL, GradeScale, analysis_grade, grade_scale
from medcare_metrics.toxicity.groups import ALL, group_order, group_values
from medcare_metrics.toxicity.population import Population, SplitSource, safety_population, split_source

T = TypeVar("T")

#: Placeholder for AEBODSYS / AEDECOD at the SOC and overall levels.
ANY = "ANY"
#: Aggregation levels.
LEVELS: tuple[str, ...] = ("term", "soc", "overall")
#: Table orders of :func:`grade_table`.
TABLE_ORDERS: tuple[str, ...] = ("alphabetical", "frequency")

_LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "term": ("AEBODSYS", "AEDECOD"),
    "soc": ("AEBODSYS",),
    "overall": (),
}


@dataclass(frozen=True)
class ToxicityOptions:
    """Options of the toxicity counts.

    Attributes
    ----------
    teae_only : bool
        Keep treatment-emergent events only (ADAE.TRTEMFL = "Y").
    acute_window_days : int
        Events with onset up to this many days after TRTSDT are acute, later ones late.
    high_grade : int
        Grades from this one up are "high grade" (the grade >= 3 tables). On severity data the same rank is
        used (3 = SEVERE).
    """

    teae_only: bool = False
    acute_window_days: int = DEFAULT_SETTINGS.acute_window_days
    high_grade: int = HIGH_GRADE


@dataclass(frozen=True)
class ToxicityCounts:
    """Subjects by worst grade, with the denominators.

    Attributes
    ----------
    counts : pandas.DataFrame
        One row per GROUP x AEBODSYS x AEDECOD x GRADE with at least one subject: GROUP, AEBODSYS, AEDECOD
        (``"ANY"`` above the term level), GRADE (Int64; <NA> = missing grade), GRADE_LABEL, N (subjects whose
        worst grade this is), N_TOTAL (the group's denominator), PCT (100 N / N_TOTAL) and, at the term level
        on CTCAE data, DEFINITION (the CTCAE definition of that grade for that term; None when CTCAE has
        none).
    denominators : pandas.DataFrame
        GROUP, N: the safety population per group.
    scale : GradeScale
        CTCAE grades or severity.
    population : str
        How the safety population was chosen.
    level : str
        ``"term"``, ``"soc"`` or ``"overall"``.
    by : str or None
        The split column.
    teae_only : bool
        Whether only treatment-emergent events were counted.
    event_split : bool
        True when every group's denominator is the whole population (``by`` is an ADAE column and no ADSL
        column gives the subjects' groups; see :func:`split_source`).
    note : str
        How the groups and denominators were formed when ``by`` is an ADAE column (:attr:`SplitSource.note`);
        empty otherwise.
    """

    counts: pd.DataFrame
    denominators: pd.DataFrame
    scale: GradeScale
    population: str
    level: str
    by: str | None
    teae_only: bool
    event_split: bool = False
    note: str = ""

    @property
    def uses_severity(self) -> bool:
        """True when AESEV severity was counted instead of CTCAE grades."""
        return self.scale.uses_severity

    @property
    def n_population(self) -> int:
        """The whole safety population.

        The sum of the groups' denominators when split by an ADSL column, else the (shared) denominator.
        """
        den = self.denominators["N"]
        if den.empty:
            return 0
        return int(den.sum()) if self.by is not None and not self.event_split else int(den.iloc[0])


def _check_level(level: str) -> tuple[str, ...]:
    if level not in _LEVEL_KEYS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    return _LEVEL_KEYS[level]


def _events(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    by: str | None,
    options: ToxicityOptions,
) -> tuple[pd.DataFrame, GradeScale, Population | None, SplitSource]:
    """Return the counted events with GROUP and GRADE columns, the scale, the population and the split."""
    return CountSteps(adae, adsl, options).events(by)


class CountSteps:
    """The steps every count of one ADAE, ADSL and set of options shares, each done once, on first use.

    A page counts the same events many ways (three levels, a split, listings): grading every event, the
    treatment-emergent filter, the safety population and the groups of a split are the same each time.
    The public functions make one for a single count; a view makes one and asks it for every count. The
    results are those of the public functions, which go through the same methods.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events (never modified).
    adsl : pandas.DataFrame or None
        Subject level (never modified).
    options : ToxicityOptions
        TEAE filter, acute window and high-grade threshold.
    """

    def __init__(self, adae: pd.DataFrame, adsl: pd.DataFrame | None, options: ToxicityOptions) -> None:
        self.adae = adae
        self.adsl = adsl
        self.options = options
        self._graded: tuple[pd.DataFrame, GradeScale] | None = None
        self._members: pd.DataFrame | None = None
        self._populations: dict[str | None, Population] = {}
        self._events: dict[str | None, tuple[pd.DataFrame, GradeScale, Population | None, SplitSource]] = {}
        self._memo: dict[object, object] = {}

    def memo(self, key: object, make: Callable[[], T]) -> T:
        """Return ``make()``, made once per ``key`` (for the steps of the other toxicity modules)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]  # type: ignore[return-value]

    def graded(self) -> tuple[pd.DataFrame, GradeScale]:
        """Return every counted event (TEAE filter applied) with GRADE, and the scale; not to be modified."""
        if self._graded is None:
            adae = self.adae
            missing = [c for c in ("USUBJID", "AEBODSYS", "AEDECOD") if c not in adae.columns]
            if missing:
                raise DataUnavailable(f"ADAE lacks column(s) {', '.join(missing)}")
            scale = grade_scale(adae)
            events = adae.copy()
            events["GRADE"] = analysis_grade(adae, scale)
            if self.options.teae_only:
                events = events.loc[treatment_emergent_mask(events)]
            self._graded = (events, scale)
        return self._graded

    def population(self, by: str | None = None) -> Population:
        """Return :func:`safety_population` of ADSL split by the ADSL column ``by``; ADSL must be given."""
        if by not in self._populations:
            assert self.adsl is not None
            self._populations[by] = safety_population(self.adsl, by)
        return self._populations[by]

    def _population_events(self, population: Population) -> pd.DataFrame:
        # Who is in the safety population does not depend on the split, so the rows kept are shared.
        if self._members is None:
            events, _ = self.graded()
            self._members = events.loc[events["USUBJID"].isin(population.subjects["USUBJID"])]
        return self._members

    def events(self, by: str | None) -> tuple[pd.DataFrame, GradeScale, Population | None, SplitSource]:
        """Return the counted events with GROUP and GRADE, the scale, the population and the split.

        Parameters
        ----------
        by : str or None
            The split column (ADSL preferred, see :func:`split_source`).

        Returns
        -------
        tuple
            Events (index 0..n-1; not to be modified), :class:`GradeScale`, the :class:`Population` (None
            without ADSL) and the :class:`SplitSource`.
        """
        if by not in self._events:
            events, scale = self.graded()
            population: Population | None = None
            split = split_source(self.adae, self.adsl, by)
            if self.adsl is not None:
                population = self.population(split.adsl_column)
                events = self._population_events(population).copy()
                if split.adsl_column is not None:
                    groups = population.subjects.set_index("USUBJID")["GROUP"]
                    events["GROUP"] = events["USUBJID"].map(groups).astype(object)
            else:
                events = events.copy()
            if split.adsl_column is None:
                events["GROUP"] = group_values(events[by]) if by is not None else ALL
            self._events[by] = (events.reset_index(drop=True), scale, population, split)
        return self._events[by]

    def by_grade(self, level: str = "term", by: str | None = None) -> ToxicityCounts:
        """Return :func:`toxicity_by_grade` of these events at ``level``, split by ``by``."""
        return _by_grade(self, level, by)


def _worst(events: pd.DataFrame, level: str) -> pd.DataFrame:
    keys = ["GROUP", "USUBJID", *_LEVEL_KEYS[level]]
    worst = events.groupby(keys, dropna=False, sort=True)["GRADE"].max().reset_index()
    worst = worst.rename(columns={"GRADE": "WORST_GRADE"})
    for col in ("AEBODSYS", "AEDECOD"):
        if col not in worst.columns:
            worst[col] = ANY
    worst["WORST_GRADE"] = worst["WORST_GRADE"].astype("Int64")
    return worst[["USUBJID", "GROUP", "AEBODSYS", "AEDECOD", "WORST_GRADE"]]


def worst_grade_per_subject(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    level: str = "term",
    by: str | None = None,
    options: ToxicityOptions | None = None,
) -> pd.DataFrame:
    """Return each subject's worst grade per term, per SOC or overall.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with USUBJID, AEBODSYS, AEDECOD and a grade (see :func:`grade_scale`).
    adsl : pandas.DataFrame or None
        Subject level; when given, only safety-population subjects count (:func:`safety_population`).
    level : str
        ``"term"`` (AEBODSYS x AEDECOD), ``"soc"`` (AEBODSYS) or ``"overall"``.
    by : str or None
        Split column, in ADSL (preferred) or ADAE.
    options : ToxicityOptions or None
        TEAE filter; defaults when None.

    Returns
    -------
    pandas.DataFrame
        USUBJID, GROUP, AEBODSYS, AEDECOD (``"ANY"`` above the term level), WORST_GRADE (Int64, <NA> when no
        event of the subject for that key has a valid grade). One row per subject and key (and group).

    Raises
    ------
    ValueError
        For an unknown level, a missing column or ``by``, or ``teae_only`` without TRTEMFL.
    """
    _check_level(level)
    events, _, _, _ = _events(adae, adsl, by, options or ToxicityOptions())
    return (
        _worst(events, level).sort_values(["GROUP", "AEBODSYS", "AEDECOD", "USUBJID"]).reset_index(drop=True)
    )


def _denominators(events: pd.DataFrame, population: Population | None, by_adsl: bool) -> pd.DataFrame:
    """Return GROUP, N in :func:`group_order`."""
    groups = group_order(events["GROUP"].unique()) if len(events) else [ALL]
    if population is None:
        # Without ADSL the denominator can only be the subjects with an event.
        n = events["USUBJID"].nunique()
        return pd.DataFrame({"GROUP": groups, "N": [n] * len(groups)})
    if by_adsl:
        den = population.subjects.groupby("GROUP").size()
        den = den.reindex(group_order(den.index))
        return pd.DataFrame({"GROUP": den.index.astype(object), "N": den.to_numpy(dtype=int)})
    n = len(population.subjects)
    return pd.DataFrame({"GROUP": groups, "N": [n] * len(groups)})


def toxicity_by_grade(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    level: str = "term",
    by: str | None = None,
    options: ToxicityOptions | None = None,
) -> ToxicityCounts:
    """Count subjects by worst grade, with n and % of the safety population.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with USUBJID, AEBODSYS, AEDECOD and a grade (see :func:`grade_scale`).
    adsl : pandas.DataFrame or None
        Subject level, for the safety population. None counts every ADAE subject over the subjects with an
        event (only for data without ADSL; a trial report always has one).
    level : str
        ``"term"``, ``"soc"`` or ``"overall"``.
    by : str or None
        Split column, in ADSL (preferred) or ADAE; see the package notes for the denominators.
    options : ToxicityOptions or None
        TEAE filter; defaults when None.

    Returns
    -------
    ToxicityCounts
        Counts (n > 0 rows only, sorted by AEBODSYS, AEDECOD, GROUP, GRADE with missing grade last),
        denominators (every group, also those without events), scale and population.

    Raises
    ------
    ValueError
        For an unknown level, a missing column or ``by``, or ``teae_only`` without TRTEMFL.
    """
    return _by_grade(CountSteps(adae, adsl, options or ToxicityOptions()), level, by)


def _by_grade(steps: CountSteps, level: str, by: str | None) -> ToxicityCounts:
    """:func:`toxicity_by_grade` from shared steps."""
    _check_level(level)
    options = steps.options
    events, scale, population, split = steps.events(by)
    den = _denominators(events, population, split.adsl_column is not None)
    worst = _worst(events, level)
    counts = (
        worst.groupby(["GROUP", "AEBODSYS", "AEDECOD", "WORST_GRADE"], dropna=False)
        .size()
        .reset_index(name="N")
        .rename(columns={"WORST_GRADE": "GRADE"})
    )
    counts["GRADE"] = counts["GRADE"].astype("Int64")
    counts["GRADE_LABEL"] = counts["GRADE"].map(scale.label, na_action=None).astype(object)
    counts["N"] = counts["N"].astype(int)
    counts["N_TOTAL"] = counts["GROUP"].map(den.set_index("GROUP")["N"]).astype(int)
    counts["PCT"] = 100.0 * counts["N"] / counts["N_TOTAL"]
    if level == "term" and not scale.uses_severity:
        counts["DEFINITION"] = [
            ctcae.grade_definition(t, g) for t, g in zip(counts["AEDECOD"], counts["GRADE"], strict=True)
        ]
    counts = counts.sort_values(["AEBODSYS", "AEDECOD", "GROUP", "GRADE"], na_position="last").reset_index(
        drop=True
    )
    rule = population.rule if population is not None else "subjects with an event (no ADSL)"
    return ToxicityCounts(
        counts, den, scale, rule, level, by, options.teae_only, split.event_split, split.note
    )


def grade_table(
    result: ToxicityCounts, high_grade: int = HIGH_GRADE, order: str = "alphabetical"
) -> pd.DataFrame:
    """Return the counts as a report table: one row per group and key, "n (%)" per grade.

    Parameters
    ----------
    result : ToxicityCounts
        From :func:`toxicity_by_grade`.
    high_grade : int
        The "Grade >= N" column's threshold (CTCAE data only).
    order : str
        ``"alphabetical"``: by AEBODSYS, AEDECOD. ``"frequency"``: SOCs with the most patients first, terms
        within a SOC likewise (patients with any grade, in the group where there are most; ties
        alphabetical). Groups follow :func:`group_order` within a key in both.

    Returns
    -------
    pandas.DataFrame
        Columns GROUP, AEBODSYS, AEDECOD (those above the requested level dropped), N (denominator), "Any
        grade", one column per grade label, "Grade >= N" ("SEVERE" on severity data, so not repeated there)
        and, when any subject has one, "Missing grade"; cells are "n (x.x%)".

    Raises
    ------
    ValueError
        For an unknown ``order``.
    """
    if order not in TABLE_ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {', '.join(TABLE_ORDERS)}")
    if result.counts.empty:
        return pd.DataFrame(columns=[*_TABLE_KEYS, "N", "Any grade"])
    return _table_of_wide(result, _wide(result), high_grade, order)


_TABLE_KEYS: list[str] = ["GROUP", "AEBODSYS", "AEDECOD"]


def _wide(result: ToxicityCounts) -> pd.DataFrame:
    """Subjects per key (GROUP, AEBODSYS, AEDECOD) and grade label, one column per label of the scale."""
    wide = result.counts.pivot_table(
        index=_TABLE_KEYS, columns="GRADE_LABEL", values="N", aggfunc="sum", fill_value=0
    )
    for _, lab in result.scale.labels:
        if lab not in wide.columns:
            wide[lab] = 0
    return wide


def soc_grade_tables(
    result: ToxicityCounts, socs: list[str], high_grade: int = HIGH_GRADE, order: str = "alphabetical"
) -> list[pd.DataFrame]:
    """Return :func:`grade_table` of :func:`restrict_to_soc` of each SOC, from one table of subjects.

    The counts are pivoted once; each SOC's table is made from its rows (the pivot of a SOC's counts is
    those rows: every key sits in one SOC), so each table is the one :func:`grade_table` gives.

    Parameters
    ----------
    result : ToxicityCounts
        A term-level result.
    socs : list of str
        AEBODSYS values of ``result``.
    high_grade : int
        The "Grade >= N" column's threshold.
    order : str
        One of :data:`TABLE_ORDERS`.

    Returns
    -------
    list of pandas.DataFrame
        One table per SOC, in the order of ``socs``.
    """
    if order not in TABLE_ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {', '.join(TABLE_ORDERS)}")
    if result.counts.empty:
        return [grade_table(restrict_to_soc(result, soc), high_grade, order) for soc in socs]
    wide = _wide(result)
    where = wide.index.get_level_values("AEBODSYS")
    tables = []
    for soc in socs:
        shown = restrict_to_soc(result, soc)
        if shown.counts.empty:
            tables.append(grade_table(shown, high_grade, order))
        else:
            tables.append(_table_of_wide(shown, wide.loc[(where == soc)], high_grade, order))
    return tables


def _table_of_wide(result: ToxicityCounts, wide: pd.DataFrame, high_grade: int, order: str) -> pd.DataFrame:
    """:func:`grade_table` of ``result`` from its :func:`_wide` (or the rows of it that ``result`` holds)."""
    keys = _TABLE_KEYS
    den = result.denominators.set_index("GROUP")["N"]
    labels = [lab for _, lab in result.scale.labels]
    any_n = wide.sum(axis=1)
    out = wide.reset_index()[keys].copy()
    n_total = out["GROUP"].map(den).astype(int).to_numpy()
    out["N"] = n_total

    def cell(n: np.ndarray) -> list[str]:
        return [f"{k} ({100.0 * k / d:.1f}%)" if d else f"{k}" for k, d in zip(n, n_total, strict=True)]

    out["Any grade"] = cell(any_n.to_numpy())
    for lab in labels:
        out[lab] = cell(wide[lab].to_numpy())
    if not result.uses_severity:
        grades = pd.Series(result.scale.grades)
        high_labels = [labels[i] for i in np.flatnonzero(is_high_grade(grades, high_grade).to_numpy())]
        out[f"Grade >= {high_grade}"] = cell(wide[high_labels].sum(axis=1).to_numpy())
    if MISSING_GRADE_LABEL in wide.columns and wide[MISSING_GRADE_LABEL].sum() > 0:
        out[MISSING_GRADE_LABEL] = cell(wide[MISSING_GRADE_LABEL].to_numpy())
    out = out.iloc[_table_order(out, any_n.to_numpy(), order)]
    drop = [k for k in ("AEBODSYS", "AEDECOD") if k not in _LEVEL_KEYS[result.level]]
    if result.by is None:
        drop.append("GROUP")
    out = out.drop(columns=drop).reset_index(drop=True)
    out.columns.name = None
    return out


def _table_order(keys: pd.DataFrame, any_n: np.ndarray, order: str) -> np.ndarray:
    """Return the row positions of ``keys`` (GROUP, AEBODSYS, AEDECOD) in table order."""
    rank = {g: i for i, g in enumerate(group_order(keys["GROUP"]))}
    groups = keys["GROUP"].tolist()
    if all(isinstance(g, str) for g in groups):
        return _table_order_python(keys, groups, rank, any_n, order)
    return _table_order_pandas(keys, rank, any_n, order)


def _table_order_python(
    keys: pd.DataFrame, groups: list[str], rank: dict[str, int], any_n: np.ndarray, order: str
) -> np.ndarray:
    """:func:`_table_order` with dicts and one stable sort: a table has hundreds of rows, not millions.

    Every group name is text, so each has a rank; the sort keys are those of the pandas version
    (:func:`_table_order_pandas`) and Python's sort is stable as its ``kind="stable"`` is.
    """
    soc = [str(v).casefold() for v in keys["AEBODSYS"]]
    term = [str(v).casefold() for v in keys["AEDECOD"]]
    group = [rank[g] for g in groups]
    n = [int(v) for v in any_n]
    rows = range(len(groups))
    if order == "frequency":
        # A key's frequency is its largest count over the groups, as the figures order their rows.
        per_group: dict[tuple[str, int], int] = {}
        for i in rows:
            per_group[soc[i], group[i]] = per_group.get((soc[i], group[i]), 0) + n[i]
        soc_n: dict[str, int] = {}
        for (s, _), total in per_group.items():
            soc_n[s] = max(soc_n.get(s, total), total)
        term_n: dict[tuple[str, str], int] = {}
        for i in rows:
            term_n[soc[i], term[i]] = max(term_n.get((soc[i], term[i]), n[i]), n[i])
        ordered = sorted(
            rows, key=lambda i: (-soc_n[soc[i]], soc[i], -term_n[soc[i], term[i]], term[i], group[i])
        )
    else:
        ordered = sorted(rows, key=lambda i: (soc[i], term[i], group[i]))
    return np.asarray(ordered, dtype=np.intp)


def _table_order_pandas(
    keys: pd.DataFrame, rank: dict[str, int], any_n: np.ndarray, order: str
) -> np.ndarray:
    """:func:`_table_order` in pandas: for group names that are not all text."""
    work = pd.DataFrame(
        {
            "soc": keys["AEBODSYS"].astype(str).str.casefold().to_numpy(),
            "term": keys["AEDECOD"].astype(str).str.casefold().to_numpy(),
            "group": keys["GROUP"].map(rank).to_numpy(),
            "n": any_n,
        }
    )
    sort = ["soc", "term", "group"]
    ascending = [True, True, True]
    if order == "frequency":
        # A key's frequency is its largest count over the groups, as the figures order their rows.
        per_group = work.groupby(["soc", "group"])["n"].transform("sum")
        work["soc_n"] = -per_group.groupby(work["soc"]).transform("max")
        work["term_n"] = -work.groupby(["soc", "term"])["n"].transform("max")
        sort = ["soc_n", "soc", "term_n", "term", "group"]
        ascending = [True] * len(sort)
    return work.sort_values(sort, ascending=ascending, kind="stable").index.to_numpy()


def soc_names(result: ToxicityCounts) -> list[str]:
    """Return the system organ classes in ``result``, most patients with any grade first.

    The count is that of the group where it is largest; at the term level it sums the SOC's terms (a patient
    with two terms of the SOC counts twice), which orders SOCs by how much they hold.

    Parameters
    ----------
    result : ToxicityCounts
        A term- or SOC-level result.

    Returns
    -------
    list of str
        AEBODSYS values (ties in alphabetical order).
    """
    c = result.counts
    if result.level == "overall" or c.empty:
        return []
    totals = c.groupby(["AEBODSYS", "GROUP"])["N"].sum().groupby(level="AEBODSYS").max()
    return sorted(totals.index, key=lambda soc: (-int(totals[soc]), str(soc)))


def restrict_to_soc(result: ToxicityCounts, soc: str) -> ToxicityCounts:
    """Return a term-level result with the terms of one system organ class only (SOC -> term drill-down).

    Parameters
    ----------
    result : ToxicityCounts
        A term-level result.
    soc : str
        The AEBODSYS value.

    Returns
    -------
    ToxicityCounts
        The same denominators, counts of that SOC's terms.

    Raises
    ------
    ValueError
        When ``result`` is not at the term level.
    """
    if result.level != "term":
        raise ValueError("restrict_to_soc needs a term-level result")
    counts = result.counts.loc[result.counts["AEBODSYS"] == soc].reset_index(drop=True)
    return replace(result, counts=counts)
