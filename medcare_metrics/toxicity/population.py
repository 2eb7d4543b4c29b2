"""Who the toxicity counts are over: the safety population, and where the groups of a split come from."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from medcare_metrics.rules import PopulationRule, safety_mask
from medcare_metrics.toxicity.groups import ALL, group_values

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
#: Subject-level split columns the toxicity page offers, with their labels, in order of preference.
SPLIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("MDT type", "MDTTYPE"),
    ("Centre", "SITENAME"),
    ("Centre", "SITEID"),
    ("Arm", "TRT01A"),
    ("Arm", "ARM"),
)


@dataclass(frozen=True)
class Population:
    """The safety population: who counts in the denominators.

    Attributes
    ----------
    subjects : pandas.DataFrame
        Columns USUBJID and GROUP (``"ALL"`` when not split), one row per subject.
    rule : str
        How the population was chosen, in words (``'SAFFL = "Y"'``).
    name : str
        The population's name for people (``"safety population"``).
    """

    subjects: pd.DataFrame
    rule: str
    name: str = "safety population"

    @property
    def population_rule(self) -> PopulationRule:
        """The population's name and rule as :class:`medcare_metrics.rules.PopulationRule`."""
        return PopulationRule(self.name, self.rule)


def safety_population(adsl: pd.DataFrame, by: str | None = None) -> Population:
    """Return the safety population, the denominator of every toxicity count.

    The rule is :func:`medcare_metrics.rules.safety_mask`: SAFFL = "Y" when ADSL has SAFFL; else subjects with
    a TRTSDT (treated); else ENRLFL = "Y"; else every subject.

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
    keep, rule = safety_mask(adsl)
    sel = adsl.loc[keep]
    group = group_values(sel[by]) if by is not None else pd.Series(ALL, index=sel.index, dtype=object)
    subjects = pd.DataFrame({"USUBJID": sel["USUBJID"].to_numpy(), "GROUP": group.to_numpy()})
    return Population(subjects.drop_duplicates("USUBJID").reset_index(drop=True), rule.rule, rule.name)


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
    # The notes travel with the split (the command line prints them too), so they are written here.
    whole = "every group's denominator is the whole safety population and a patient counts in each group "
    whole += "where they have an event"
    if is_event_level(by):
        return SplitSource(by, None, f"{by} is an event-level ADAE column: {whole}.")
    population = safety_population(adsl).subjects["USUBJID"]
    events = adae.loc[adae["USUBJID"].isin(population), ["USUBJID", by]]
    if events.empty:
        return SplitSource(by, None, f"No adverse event in the safety population: {whole}.")
    per_subject = group_values(events[by]).groupby(events["USUBJID"].to_numpy())
    if bool((per_subject.nunique() > 1).any()):
        return SplitSource(by, None, f"{by} differs between events of a subject: {whole}.")
    values = per_subject.first()
    subjects = adsl.drop_duplicates("USUBJID").set_index("USUBJID")
    for column in _adsl_candidates(by, adsl):
        mapped = group_values(subjects[column].reindex(values.index))
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
