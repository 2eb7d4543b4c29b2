"""Adverse events counted as trial reports count them: worst grade per subject, over the safety population.

Counting rules (the same as the R reference tables in ``shared/conformance/*/reference/make_reference.R``):

- A subject counts once per term (or SOC, or overall) at the worst grade of their events for it.
- The denominator is the safety population: ADSL.SAFFL = "Y" when ADSL has SAFFL (MEDCARE: the treated
  patients). Without SAFFL: subjects with a TRTSDT, else ENRLFL = "Y", else every ADSL subject
  (:func:`safety_population` says which rule it used). Events of subjects outside that population are not
  counted, so a percentage never exceeds 100.
- Grades are CTCAE grades 1-5 from ATOXGR (AETOXGR when ATOXGR is absent). Data without a CTCAE grade
  (severity only, such as the CDISC pilot) are counted the same way on AESEV ranked MILD (1) < MODERATE (2) <
  SEVERE (3); :class:`GradeScale` says which was used. SEVERE stands in for grade >= 3.
- A subject whose events for a term all lack a valid grade (missing, or outside the scale, such as 0 or 6) is
  counted under "missing grade" (GRADE = <NA>), not dropped. When at least one event has a valid grade, the
  worst valid grade counts. :func:`medcare_metrics.ctcae.ctcae_problems` lists each such event.
- ``by`` splits by a column of ADSL (a subject attribute: MDTTYPE, SITEID, an arm) or, when ADSL lacks it, of
  ADAE. For an ADSL column each group's denominator is its own subjects. An ADAE column that is the same for
  all events of a subject (a subject attribute carried on ADAE, such as TRTA) cannot place the subjects
  without events; when an ADSL column has the same value for every subject with an event (TRT01A for TRTA),
  that column gives the groups and their denominators, as a trial report's arm columns do
  (:func:`split_source`). For an event attribute (AEREL, AESER, the onset phase; see
  :data:`EVENT_LEVEL_PREFIXES`) or a subject attribute without a matching ADSL column, every group's
  denominator is the whole safety population, because any subject can have an event in any group, and a
  subject counts in each group where they have an event. A missing group value is the group "Missing".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from medcare_metrics import ctcae, protocol
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.subjects import flag_yes

#: Group name when no ``by`` column is given.
ALL = "ALL"
#: Placeholder for AEBODSYS / AEDECOD at the SOC and overall levels.
ANY = "ANY"
#: Group name for a missing ``by`` value.
MISSING_GROUP = "Missing"
#: Label of the "no valid grade" category.
MISSING_GRADE_LABEL = "Missing grade"
#: Aggregation levels.
LEVELS: tuple[str, ...] = ("term", "soc", "overall")
#: AESEV values in increasing order; their rank (1-3) is the grade used for severity-only data.
SEVERITY_LEVELS: tuple[str, ...] = ("MILD", "MODERATE", "SEVERE")
#: Onset phases of :func:`add_onset_phase`.
PHASES: tuple[str, ...] = ("Acute", "Late", "Before MDT", "Unknown onset")
#: Usual AEREL values, strongest relationship first (matched case-insensitively); others sort after them.
RELATIONSHIP_ORDER: tuple[str, ...] = (
    "RELATED", "DEFINITELY RELATED", "PROBABLE", "PROBABLY RELATED", "POSSIBLE", "POSSIBLY RELATED",
    "UNLIKELY", "UNLIKELY RELATED", "REMOTE", "NOT RELATED", "UNRELATED", "NONE",
)  # fmt: skip
#: Table orders of :func:`grade_table`.
TABLE_ORDERS: tuple[str, ...] = ("alphabetical", "frequency")

#: ADAE columns that describe the event, never the subject, whatever the data (a subject with one event has
#: one value of every column): names starting with AE (AEREL, AESER, AESEV, ...), AOCC (occurrence flags), the
#: analysis dates, days, durations and grades of the event, CQ/SMQ (query names), and the flags below.
EVENT_LEVEL_PREFIXES: tuple[str, ...] = (
    "AE", "AOCC", "AST", "ADUR", "ATOX", "ASEV", "AREL", "ASER", "CQ", "SMQ",
)  # fmt: skip
#: Event-level ADAE columns outside :data:`EVENT_LEVEL_PREFIXES`.
EVENT_LEVEL_COLUMNS: frozenset[str] = frozenset(
    {"PHASE", "ONSET_DAYS", "TRTEMFL", "ONTRTFL", "PREFL", "FUPFL", "ANL01FL", "GRADE"}
)

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
    high_grade: int = 3


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
        return dict(self.labels).get(int(grade), f"Grade {grade}")

    def describe(self) -> str:
        """Return one sentence saying what is counted, for pages and reports."""
        if self.uses_severity:
            return (
                "These data have no CTCAE grade (no ATOXGR or AETOXGR): worst severity "
                "(AESEV: MILD < MODERATE < SEVERE) is counted instead; SEVERE stands in for grade >= 3."
            )
        return f"Worst CTCAE v{ctcae.CTCAE_VERSION} grade ({self.column})."


CTCAE_SCALE_LABELS: tuple[tuple[int, str], ...] = tuple((g, f"Grade {g}") for g in ctcae.GRADES)
SEVERITY_SCALE_LABELS: tuple[tuple[int, str], ...] = tuple((i + 1, s) for i, s in enumerate(SEVERITY_LEVELS))


@dataclass(frozen=True)
class Population:
    """The safety population: who counts in the denominators.

    Attributes
    ----------
    subjects : pandas.DataFrame
        Columns USUBJID and GROUP (``"ALL"`` when not split), one row per subject.
    rule : str
        How the population was chosen, in words (``'SAFFL = "Y"'``).
    """

    subjects: pd.DataFrame
    rule: str


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


def group_order(groups: Iterable[object]) -> list[str]:
    """Return group names in reading order.

    Onset phases in :data:`PHASES` order, relationships in :data:`RELATIONSHIP_ORDER`, MDT types in protocol
    order; any other value alphabetically after them, and "Missing" last.

    Parameters
    ----------
    groups : iterable
        Group names (duplicates are dropped).

    Returns
    -------
    list of str
        The distinct names, ordered.
    """
    known: dict[str, int] = {}
    for sequence in (PHASES, RELATIONSHIP_ORDER, protocol.MDT_TYPES):
        for rank, name in enumerate(sequence):
            known.setdefault(name.casefold(), rank)
    names = list(dict.fromkeys(str(g) for g in groups))

    def key(name: str) -> tuple[int, int, str]:
        if name == MISSING_GROUP:
            return (2, 0, "")
        rank = known.get(name.casefold())
        return (0, rank, "") if rank is not None else (1, 0, name.casefold())

    return sorted(names, key=key)


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
    raise ValueError("ADAE has no grade: it needs ATOXGR, AETOXGR (CTCAE grade) or AESEV (severity)")


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


def _group_values(values: pd.Series) -> pd.Series:
    """Return ``values`` as group names: text, with <NA> as "Missing"."""
    text = values.astype(object).map(lambda v: MISSING_GROUP if v is None or pd.isna(v) else str(v))
    return text.astype(object)


def safety_population(adsl: pd.DataFrame, by: str | None = None) -> Population:
    """Return the safety population, the denominator of every toxicity count.

    SAFFL = "Y" when ADSL has SAFFL; else subjects with a TRTSDT (treated); else ENRLFL = "Y"; else every
    subject.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject level.
    by : str or None
        An ADSL column to split by; None gives one group ``"ALL"``.

    Returns
    -------
    Population
        The subjects with their group and the rule used.

    Raises
    ------
    ValueError
        When ADSL lacks USUBJID or ``by``.
    """
    if "USUBJID" not in adsl.columns:
        raise ValueError("ADSL lacks column USUBJID")
    if by is not None and by not in adsl.columns:
        raise ValueError(f"ADSL has no column {by!r} to split by")
    if "SAFFL" in adsl.columns:
        keep, rule = flag_yes(adsl, "SAFFL"), 'SAFFL = "Y"'
    elif "TRTSDT" in adsl.columns:
        keep, rule = adsl["TRTSDT"].notna(), "treated (TRTSDT present; ADSL has no SAFFL)"
    elif "ENRLFL" in adsl.columns:
        keep, rule = flag_yes(adsl, "ENRLFL"), 'enrolled (ENRLFL = "Y"; ADSL has no SAFFL or TRTSDT)'
    else:
        keep, rule = pd.Series(True, index=adsl.index), "all ADSL subjects (no SAFFL, TRTSDT or ENRLFL)"
    sel = adsl.loc[keep]
    group = _group_values(sel[by]) if by is not None else pd.Series(ALL, index=sel.index, dtype=object)
    subjects = pd.DataFrame({"USUBJID": sel["USUBJID"].to_numpy(), "GROUP": group.to_numpy()})
    return Population(subjects.drop_duplicates("USUBJID").reset_index(drop=True), rule)


@dataclass(frozen=True)
class SplitSource:
    """Where the groups of a split come from, and so the denominators.

    Attributes
    ----------
    by : str or None
        The split column asked for.
    adsl_column : str or None
        The ADSL column that gives each subject's group and the per-group denominators: ``by`` itself when
        ADSL has it, an ADSL column with the same per-subject values (TRT01A for ADAE.TRTA), or None when the
        groups come from the events (every group's denominator is then the whole safety population).
    note : str
        One or two sentences on how the groups were formed when ``by`` is an ADAE column; empty otherwise.
    """

    by: str | None
    adsl_column: str | None
    note: str = ""

    @property
    def event_split(self) -> bool:
        """True when the groups come from the events: every denominator is the whole safety population."""
        return self.by is not None and self.adsl_column is None


def is_event_level(column: str) -> bool:
    """Return True when an ADAE column describes the event by its name (:data:`EVENT_LEVEL_PREFIXES`).

    Parameters
    ----------
    column : str
        An ADAE column name.

    Returns
    -------
    bool
        True for AEREL, AESER, TRTEMFL, PHASE, ASTDT, ...; False for other names.
    """
    name = column.upper()
    return name in EVENT_LEVEL_COLUMNS or name.startswith(EVENT_LEVEL_PREFIXES)


def _adsl_candidates(by: str, adsl: pd.DataFrame) -> list[str]:
    """Return ADSL columns to compare with the ADAE column ``by``, the ADaM counterpart first."""
    # ADaM: the ADSL treatment of period 01 (TRT01A, TRT01PN) is TRTA, TRTPN on the ADAE records.
    match = re.fullmatch(r"TRT([AP])(N?)", by.upper())
    preferred = [f"TRT01{match.group(1)}{match.group(2)}"] if match else []
    others = [c for c in adsl.columns if c not in ("USUBJID", *preferred)]
    return [c for c in preferred if c in adsl.columns] + others


def split_source(adae: pd.DataFrame, adsl: pd.DataFrame | None, by: str | None) -> SplitSource:
    """Return where the groups of a ``by`` split come from (ADSL or the events), with a note.

    An ADSL column gives the groups as is. An ADAE column whose name is not event-level
    (:func:`is_event_level`) and whose value is the same for all events of each safety-population subject
    is a subject attribute carried on ADAE (TRTA): subjects without events cannot be placed from ADAE, so
    the first ADSL column with the same value for every such subject with an event (the ADaM counterpart
    first: TRT01A for TRTA, TRT01P for TRTP) gives the groups and denominators. Otherwise the groups come
    from the events and every group's denominator is the whole safety population.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events (all of them: a TEAE filter does not change what a column is).
    adsl : pandas.DataFrame or None
        Subject level; None leaves the groups to the events.
    by : str or None
        The split column.

    Returns
    -------
    SplitSource
        The ADSL column giving the groups (or None) and a note for ADAE columns.

    Raises
    ------
    ValueError
        When ``by`` is in neither ADSL nor ADAE.
    """
    if by is None:
        return SplitSource(None, None)
    if adsl is not None and by in adsl.columns:
        return SplitSource(by, by)
    if by not in adae.columns:
        where = "ADSL or ADAE" if adsl is not None else "ADAE"
        raise ValueError(f"no column {by!r} in {where} to split by")
    if adsl is None:
        return SplitSource(by, None)
    whole = "every group's denominator is the whole safety population and a patient counts in each group "
    whole += "where they have an event"
    if is_event_level(by):
        return SplitSource(by, None, f"{by} is an event-level ADAE column: {whole}.")
    population = safety_population(adsl).subjects["USUBJID"]
    events = adae.loc[adae["USUBJID"].isin(population), ["USUBJID", by]]
    if events.empty:
        return SplitSource(by, None, f"No adverse event in the safety population: {whole}.")
    per_subject = _group_values(events[by]).groupby(events["USUBJID"].to_numpy())
    if bool((per_subject.nunique() > 1).any()):
        return SplitSource(by, None, f"{by} differs between events of a subject: {whole}.")
    values = per_subject.first()
    subjects = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    for column in _adsl_candidates(by, adsl):
        mapped = _group_values(subjects[column].reindex(values.index))
        if mapped.equals(values.astype(object)):
            note = (
                f"{by} is the same for all adverse events of a subject, and ADSL.{column} has the same "
                f"value for every patient with an event: groups and denominators are those of "
                f"ADSL.{column}, so patients without an adverse event count in their group's denominator."
            )
            return SplitSource(by, column, note)
    note = (
        f"{by} is the same for all adverse events of a subject, but no ADSL column matches it, so patients "
        f"without an adverse event cannot be placed in a group: {whole}."
    )
    return SplitSource(by, None, note)


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
    missing = [c for c in ("USUBJID", "AEBODSYS", "AEDECOD") if c not in adae.columns]
    if missing:
        raise ValueError(f"ADAE lacks column(s) {', '.join(missing)}")
    scale = grade_scale(adae)
    events = adae.copy()
    events["GRADE"] = analysis_grade(adae, scale)
    if options.teae_only:
        if "TRTEMFL" not in adae.columns:
            raise ValueError("ADAE has no TRTEMFL column: cannot keep treatment-emergent events only")
        events = events.loc[flag_yes(events, "TRTEMFL")]
    population: Population | None = None
    split = split_source(adae, adsl, by)
    if adsl is not None:
        population = safety_population(adsl, split.adsl_column)
        groups = population.subjects.set_index("USUBJID")["GROUP"]
        events = events.loc[events["USUBJID"].isin(groups.index)].copy()
        if split.adsl_column is not None:
            events["GROUP"] = events["USUBJID"].map(groups).astype(object)
    if split.adsl_column is None:
        events["GROUP"] = _group_values(events[by]) if by is not None else ALL
    return events.reset_index(drop=True), scale, population, split


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
        Split column, in ADSL (preferred) or ADAE; see the module notes for the denominators.
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
    _check_level(level)
    options = options or ToxicityOptions()
    events, scale, population, split = _events(adae, adsl, by, options)
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


def grade_table(result: ToxicityCounts, high_grade: int = 3, order: str = "alphabetical") -> pd.DataFrame:
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
    c = result.counts
    keys = ["GROUP", "AEBODSYS", "AEDECOD"]
    den = result.denominators.set_index("GROUP")["N"]
    if c.empty:
        return pd.DataFrame(columns=[*keys, "N", "Any grade"])
    wide = c.pivot_table(index=keys, columns="GRADE_LABEL", values="N", aggfunc="sum", fill_value=0)
    labels = [lab for _, lab in result.scale.labels]
    for lab in labels:
        if lab not in wide.columns:
            wide[lab] = 0
    high = high_grade
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
        high_labels = [lab for g, lab in result.scale.labels if g >= high]
        out[f"Grade >= {high}"] = cell(wide[high_labels].sum(axis=1).to_numpy())
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


def add_onset_phase(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    window_days: int = DEFAULT_SETTINGS.acute_window_days,
) -> pd.DataFrame:
    """Return ADAE with the onset day after MDT start and the phase: acute, late, before MDT or unknown.

    Days after MDT start = ASTDT - TRTSDT (ADSL). When that is missing, ASTDY is used: ADaM has no day 0, so
    days after = ASTDY - 1 for ASTDY >= 1 and ASTDY for ASTDY < 0. Acute: 0 <= days <= ``window_days``; late:
    after; "Before MDT": negative; "Unknown onset": neither date nor day available.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events; ASTDT and/or ASTDY used when present.
    adsl : pandas.DataFrame or None
        Subject level with TRTSDT (MDT start); optional.
    window_days : int
        The acute window in days.

    Returns
    -------
    pandas.DataFrame
        A copy of ``adae`` with ONSET_DAYS (Int64, days after MDT start) and PHASE.

    Raises
    ------
    ValueError
        When ``window_days`` is negative.
    """
    if window_days < 0:
        raise ValueError(f"acute window must be >= 0 days, got {window_days}")
    out = adae.copy()
    days = pd.Series(pd.NA, index=out.index, dtype="Float64")
    if adsl is not None and "TRTSDT" in adsl.columns and "ASTDT" in out.columns:
        start = pd.to_datetime(
            out["USUBJID"].map(adsl.drop_duplicates("USUBJID").set_index("USUBJID")["TRTSDT"])
        )
        onset = pd.to_datetime(out["ASTDT"])
        days = ((onset - start).dt.days).astype("Float64")
    if "ASTDY" in out.columns:
        dy = pd.to_numeric(out["ASTDY"], errors="coerce").astype("Float64")
        dy_days = dy.where(dy < 0, dy - 1)
        days = days.fillna(dy_days)
    out["ONSET_DAYS"] = days.round().astype("Int64")
    phase = np.select(
        [
            days.isna().to_numpy(dtype=bool),
            (days < 0).fillna(False).to_numpy(dtype=bool),
            (days <= window_days).fillna(False).to_numpy(dtype=bool),
        ],
        ["Unknown onset", "Before MDT", "Acute"],
        default="Late",
    )
    out["PHASE"] = pd.Series(phase, index=out.index, dtype=object)
    return out


def toxicity_by_phase(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    level: str = "overall",
    options: ToxicityOptions | None = None,
) -> ToxicityCounts:
    """Count subjects by worst grade in the acute and late phase (GROUP = PHASE).

    A subject with events in both phases counts in both. Denominators: the whole safety population in each
    phase. Events with onset before the MDT start are neither acute nor late toxicity of MDT: they form the
    group "Before MDT" (kept, not dropped; with ``teae_only`` they drop out when TRTEMFL = "N"). Events with
    neither an onset date nor a study day form "Unknown onset".

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level (TRTSDT, safety population).
    level : str
        ``"term"``, ``"soc"`` or ``"overall"``.
    options : ToxicityOptions or None
        The acute window and TEAE filter.

    Returns
    -------
    ToxicityCounts
        As :func:`toxicity_by_grade`, with GROUP one of :data:`PHASES` and ``by`` = ``"PHASE"``.
    """
    options = options or ToxicityOptions()
    phased = add_onset_phase(adae, adsl, options.acute_window_days)
    if adsl is not None and "PHASE" in adsl.columns:
        adsl = adsl.drop(columns="PHASE")
    return toxicity_by_grade(phased, adsl, level=level, by="PHASE", options=options)


def toxicity_by_relationship(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    level: str = "overall",
    options: ToxicityOptions | None = None,
) -> ToxicityCounts:
    """Count subjects by worst grade per relationship to MDT (GROUP = AEREL as recorded, or "Missing").

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with AEREL.
    adsl : pandas.DataFrame or None
        Subject level (safety population).
    level : str
        ``"term"``, ``"soc"`` or ``"overall"``.
    options : ToxicityOptions or None
        TEAE filter.

    Returns
    -------
    ToxicityCounts
        As :func:`toxicity_by_grade` with ``by`` = ``"AEREL"``.

    Raises
    ------
    ValueError
        When ADAE has no AEREL.
    """
    if "AEREL" not in adae.columns:
        raise ValueError("ADAE has no AEREL column: relationship to MDT is not recorded")
    if adsl is not None and "AEREL" in adsl.columns:
        adsl = adsl.drop(columns="AEREL")
    return toxicity_by_grade(adae, adsl, level=level, by="AEREL", options=options)


_LISTING_COLUMNS: tuple[str, ...] = (
    "USUBJID", "GROUP", "AESEQ", "AEBODSYS", "AEDECOD", "AETERM", "ATOXGR", "AETOXGR", "AESEV", "GRADE",
    "GRADE_LABEL", "AESER", "AEREL", "ASTDT", "AENDT", "ASTDY", "ONSET_DAYS", "PHASE", "TRTEMFL",
)  # fmt: skip


def high_grade_events(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    by: str | None = None,
    options: ToxicityOptions | None = None,
) -> pd.DataFrame:
    """List every event at or above ``options.high_grade`` in the safety population.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level (safety population, TRTSDT for the onset phase).
    by : str or None
        Split column shown as GROUP.
    options : ToxicityOptions or None
        Threshold, acute window and TEAE filter.

    Returns
    -------
    pandas.DataFrame
        The listing columns present among USUBJID, GROUP, AESEQ, AEBODSYS, AEDECOD, AETERM, ATOXGR, AETOXGR,
        AESEV, GRADE, GRADE_LABEL, AESER, AEREL, ASTDT, AENDT, ASTDY, ONSET_DAYS, PHASE, TRTEMFL; sorted by
        subject and onset.
    """
    options = options or ToxicityOptions()
    events, scale, _, _ = _events(adae, adsl, by, options)
    events = add_onset_phase(events, adsl, options.acute_window_days)
    events = events.loc[(events["GRADE"] >= options.high_grade).fillna(False).to_numpy(dtype=bool)].copy()
    events["GRADE_LABEL"] = events["GRADE"].map(scale.label, na_action=None).astype(object)
    cols = [c for c in _LISTING_COLUMNS if c in events.columns and (c != "GROUP" or by is not None)]
    order = [c for c in ("USUBJID", "ASTDT", "ASTDY", "AESEQ") if c in events.columns]
    return events.sort_values(order, na_position="last")[cols].reset_index(drop=True)


#: ADSL columns :func:`high_grade_patients` adds to say where and how a patient was treated.
_PATIENT_CONTEXT: tuple[str, ...] = ("SITEID", "SITENAME", "MDTTYPE")


def high_grade_patients(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    by: str | None = None,
    options: ToxicityOptions | None = None,
) -> pd.DataFrame:
    """Return one row per subject with at least one event at or above ``options.high_grade``.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level (safety population).
    by : str or None
        Split column shown as GROUP (an ADAE column can give a subject one row per group).
    options : ToxicityOptions or None
        Threshold and TEAE filter.

    Returns
    -------
    pandas.DataFrame
        USUBJID, GROUP (when ``by``), the subject's centre and MDT type (those of SITEID, SITENAME, MDTTYPE
        that ADSL has, and not ``by`` itself), WORST_GRADE (Int64), WORST_LABEL, N_EVENTS (events at or
        above the threshold), TERMS (their AEDECOD, distinct, sorted, joined by "; ") and FIRST_ONSET
        (earliest ASTDT of those events, when ADAE has ASTDT); sorted by worst grade (highest first) and
        subject.
    """
    options = options or ToxicityOptions()
    events = high_grade_events(adae, adsl, by, options)
    keys = ["USUBJID", "GROUP"] if by is not None else ["USUBJID"]
    scale = grade_scale(adae)
    context = [
        c for c in _PATIENT_CONTEXT if adsl is not None and c in adsl.columns and c != by and c not in keys
    ]
    cols = [*keys, *context, "WORST_GRADE", "WORST_LABEL", "N_EVENTS", "TERMS"]
    if "ASTDT" in events.columns:
        cols.append("FIRST_ONSET")
    if events.empty:
        return pd.DataFrame(columns=cols)
    grouped = events.groupby(keys, sort=True)
    out = grouped.agg(
        WORST_GRADE=("GRADE", "max"),
        N_EVENTS=("GRADE", "size"),
        TERMS=("AEDECOD", lambda s: "; ".join(sorted({str(v) for v in s.dropna()}))),
    )
    if "ASTDT" in events.columns:
        out["FIRST_ONSET"] = grouped["ASTDT"].min()
    out = out.reset_index()
    if context:
        info = adsl.drop_duplicates("USUBJID").set_index("USUBJID")[context]  # type: ignore[union-attr]
        out = out.join(info, on="USUBJID")
    out["WORST_GRADE"] = out["WORST_GRADE"].astype("Int64")
    out["WORST_LABEL"] = out["WORST_GRADE"].map(scale.label).astype(object)
    out = out.sort_values(["WORST_GRADE", *keys], ascending=[False] + [True] * len(keys))
    return out[cols].reset_index(drop=True)


#: Subject-level split columns the toxicity page offers, with their labels, in order of preference.
SPLIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("MDT type", "MDTTYPE"),
    ("Centre", "SITENAME"),
    ("Centre", "SITEID"),
    ("Arm", "TRT01A"),
    ("Arm", "ARM"),
)


def split_choices(adsl: pd.DataFrame) -> dict[str, str | None]:
    """Return the splits a page can offer for this ADSL: label -> column (None = no split).

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject level.

    Returns
    -------
    dict
        ``{"None": None, "MDT type": "MDTTYPE", "Centre": "SITENAME", ...}`` for the columns ADSL has; one
        "Centre" (the name SITENAME before SITEID) and one "Arm" (TRT01A before ARM) at most.
    """
    out: dict[str, str | None] = {"None": None}
    for label, column in SPLIT_COLUMNS:
        if column in adsl.columns and label not in out:
            out[label] = column
    return out


def denominator_text(result: ToxicityCounts) -> str:
    """Return one sentence stating the denominator of ``result``'s percentages.

    Parameters
    ----------
    result : ToxicityCounts
        From :func:`toxicity_by_grade` or its variants.

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
    parts = ", ".join(f"{g} N = {int(n)}" for g, n in zip(den["GROUP"], den["N"], strict=True))
    return f"{head}: {parts}."


def counted_events_text(
    adae: pd.DataFrame, adsl: pd.DataFrame | None, options: ToxicityOptions | None = None
) -> str:
    """Return one sentence saying which adverse events the counts include.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level: only events of the safety population are counted, and TRTSDT tells which of the
        events that are not treatment-emergent began before the MDT start.
    options : ToxicityOptions or None
        The TEAE filter.

    Returns
    -------
    str
        ``'Counted: treatment-emergent adverse events only (TRTEMFL = "Y"); left out: 2 events with TRTEMFL
        not "Y", 2 of which began before the MDT start.'``, ``'Counted: all adverse events, including 2 events
        with TRTEMFL not "Y", 2 of which began before the MDT start.'``, or, without TRTEMFL, ``'Counted: all
        adverse events (ADAE has no TRTEMFL: treatment emergence is not recorded).'``
    """
    options = options or ToxicityOptions()
    if "TRTEMFL" not in adae.columns:
        return "Counted: all adverse events (ADAE has no TRTEMFL: treatment emergence is not recorded)."
    events = adae
    if adsl is not None and "USUBJID" in adsl.columns:
        events = adae.loc[adae["USUBJID"].isin(safety_population(adsl).subjects["USUBJID"])]
    not_teae = events.loc[~flag_yes(events, "TRTEMFL")]
    n_not = len(not_teae)
    n_before = int((add_onset_phase(not_teae, adsl)["PHASE"] == "Before MDT").sum()) if n_not else 0
    them = "1 event" if n_not == 1 else f"{n_not} events"
    which = f"{n_before} of which" if n_before else "none of which"
    if n_not == 1:
        which = "which" if n_before else "which did not"
    rest = f'{them} with TRTEMFL not "Y", {which} began before the MDT start'
    if options.teae_only:
        head = 'Counted: treatment-emergent adverse events only (TRTEMFL = "Y")'
        return f"{head}; left out: {rest}." if n_not else f"{head}; no event is left out."
    if not n_not:
        return 'Counted: all adverse events, all of them treatment-emergent (TRTEMFL = "Y").'
    return f"Counted: all adverse events, including {rest}."


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
