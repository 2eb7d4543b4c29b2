"""Group names of a split and their reading order (onset phases, relationships, MDT types, then the rest)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from medcare_metrics.study import default_study

#: Group name when no ``by`` column is given.
ALL = "ALL"
#: Group name for a missing ``by`` value.
MISSING_GROUP = "Missing"
#: Onset phases of :func:`medcare_metrics.toxicity.phases.add_onset_phase`.
PHASES: tuple[str, ...] = ("Acute", "Late", "Before MDT", "Unknown onset")
#: Usual AEREL values, strongest relationship first (matched case-insensitively); others sort after them.
RELATIONSHIP_ORDER: tuple[str, ...] = (
    "RELATED", "DEFINITELY RELATED", "PROBABLE", "PROBABLY RELATED", "POSSIBLE", "POSSIBLY RELATED",
    "UNLIKELY", "UNLIKELY RELATED", "REMOTE", "NOT RELATED", "UNRELATED", "NONE",
)  # fmt: skip


def group_order(groups: Iterable[object]) -> list[str]:
    """Return group names in reading order.

    Onset phases in :data:`PHASES` order, relationships in :data:`RELATIONSHIP_ORDER`, MDT types in MEDCARE's
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
    for sequence in (PHASES, RELATIONSHIP_ORDER, default_study().mdt_types):
        for rank, name in enumerate(sequence):
            known.setdefault(name.casefold(), rank)
    names = list(dict.fromkeys(str(g) for g in groups))

    def key(name: str) -> tuple[int, int, str]:
        if name == MISSING_GROUP:
            return (2, 0, "")
        rank = known.get(name.casefold())
        return (0, rank, "") if rank is not None else (1, 0, name.casefold())

    return sorted(names, key=key)


def group_values(values: pd.Series) -> pd.Series:
    """Return ``values`` as group names: text, with <NA> as :data:`MISSING_GROUP`.

    Parameters
    ----------
    values : pandas.Series
        Values of the split column.

    Returns
    -------
    pandas.Series of object
        Aligned with ``values``.
    """
    text = values.astype(object).map(lambda v: MISSING_GROUP if v is None or pd.isna(v) else str(v))
    return text.astype(object)
