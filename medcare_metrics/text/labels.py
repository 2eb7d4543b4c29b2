"""Names for people of ADaM variables (from docs/data-dictionary.md), used by the sidebar's filters.

One mapping, :data:`VARIABLE_LABELS`: the filters' labels, the "Add a filter" list and the filter line of
every page take their names from it. A variable it does not name is shown by its ADaM name.
"""

from __future__ import annotations

from collections.abc import Mapping

from medcare_metrics.filters import MISSING
from medcare_metrics.variables import VARIABLE_LABELS as _LABELS

#: Label per variable: the one mapping of :mod:`medcare_metrics.variables`.
VARIABLE_LABELS: Mapping[str, str] = _LABELS
#: Text of a filter value that holds no enrolled patient (``{label}``: the value's name).
NONE_ENROLLED = "{label} (0, none enrolled)"


def variable_label(column: str) -> str:
    """Return the name for people of ADaM variable ``column``, else the column's own name."""
    return _LABELS.get(column, column)


def added_filter_label(column: str) -> str:
    """Return an "Add a filter" entry: ``"Study status (EOSSTT)"``, or the bare name of an unnamed column."""
    label = VARIABLE_LABELS.get(column)
    return f"{label} ({column})" if label else column


def option_label(label: str, enrolled: int) -> str:
    """Return a filter value with the enrolled patients it holds.

    ``"UZ Leuven (7)"``; ``"UZ Gent (0, none enrolled)"`` for a value no enrolled patient holds.

    Parameters
    ----------
    label : str
        The value's name (a centre's name for its SITEID), or :data:`medcare_metrics.filters.MISSING`.
    enrolled : int
        Enrolled patients with the value.

    Returns
    -------
    str
        The text the filter's list shows; the stored value stays the raw value.
    """
    shown = "missing" if label == MISSING else label
    if enrolled == 0:
        return NONE_ENROLLED.format(label=shown)
    return f"{shown} ({enrolled})"
