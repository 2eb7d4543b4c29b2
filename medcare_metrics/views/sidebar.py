"""What the shared sidebar shows: the source's dates and filter choices, and patient counts of a view.

Two results, each computed once per data cut (and per view for the counts) so that a rerun of the sidebar,
which every click makes, reads them instead of going over ADSL again:

- :func:`source_facts`: cut-off, first entry date, filterable columns, their values and value names, from
  the trial as loaded;
- :func:`view_counts`: enrolled patients of a (replayed, filtered) view, and per filter value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from medcare_metrics import cuts
from medcare_metrics.filter_counts import enrolled_per_value
from medcare_metrics.filters import filter_options, filterable_columns, value_labels
from medcare_metrics.model import TrialData
from medcare_metrics.overview import count_enrolled
from medcare_metrics.subjects import first_entry_date

#: How the cut-off was found: ADSL.DCUTDT, or the latest date in the data when no DCUTDT is given.
CUTOFF = "cut-off"
LATEST_DATE = "latest date in the data"


@dataclass(frozen=True)
class SourceFacts:
    """The sidebar's facts of a loaded trial (no replay, no filters).

    Attributes
    ----------
    cutoff : datetime.date or None
        ADSL.DCUTDT, else the latest date in the data; None when the data hold no date.
    cutoff_label : str
        :data:`CUTOFF` or :data:`LATEST_DATE`: which of the two :attr:`cutoff` is.
    first_day : datetime.date or None
        The earliest entry date (consent, screening, registration or treatment), when it is not after
        :attr:`cutoff`: the first day the as-of date may take.
    columns : tuple of str
        Filterable ADSL columns (:func:`medcare_metrics.filters.filterable_columns`).
    options : mapping of str to tuple of str
        The values of each of :attr:`columns` (:func:`medcare_metrics.filters.filter_options`).
    labels : mapping of str to mapping of str to str
        Display names of values (:func:`medcare_metrics.filters.value_labels`: centre names per SITEID).
    """

    cutoff: date | None
    cutoff_label: str
    first_day: date | None
    columns: tuple[str, ...]
    options: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class ViewCounts:
    """Enrolled patients of one view of the trial.

    Attributes
    ----------
    enrolled : int
        Enrolled patients (:func:`medcare_metrics.overview.count_enrolled`).
    per_value : mapping of str to mapping of str to int
        Per filterable column asked for, enrolled patients per value text
        (:func:`medcare_metrics.filter_counts.enrolled_per_value`); a value without any is absent.
    """

    enrolled: int
    per_value: Mapping[str, Mapping[str, int]]


def source_facts(trial: TrialData) -> SourceFacts:
    """Return the cut-off, first entry date and filter choices of a loaded trial.

    Parameters
    ----------
    trial : TrialData
        The trial as loaded.

    Returns
    -------
    SourceFacts
        Read-only mappings: the result is shared by every rerun of every session on the same data cut.
    """
    cut = cuts.data_cutoff(trial)
    label = CUTOFF
    if cut is None:
        cut = cuts.latest_date(trial)
        label = LATEST_DATE
    cutoff = None if cut is None else cut.date()
    first = first_entry_date(trial.adsl)
    first_day = first.date() if first is not None and cutoff is not None and first.date() <= cutoff else None
    columns = filterable_columns(trial.adsl)
    options = {column: filter_options(trial.adsl, column) for column in columns}
    labels = {column: MappingProxyType(names) for column, names in value_labels(trial.adsl).items()}
    return SourceFacts(
        cutoff=cutoff,
        cutoff_label=label,
        first_day=first_day,
        columns=columns,
        options=MappingProxyType(options),
        labels=MappingProxyType(labels),
    )


def view_counts(trial: TrialData, columns: tuple[str, ...] = ()) -> ViewCounts:
    """Return the enrolled patients of ``trial``, in all and per value of each of ``columns``.

    Parameters
    ----------
    trial : TrialData
        A view of the trial (replayed, filtered or not).
    columns : tuple of str, optional
        ADSL columns to count per value (the filterable columns, for the unfiltered view).

    Returns
    -------
    ViewCounts
        Read-only mappings.
    """
    per_value = {column: MappingProxyType(enrolled_per_value(trial.adsl, column)) for column in columns}
    return ViewCounts(enrolled=count_enrolled(trial.adsl), per_value=MappingProxyType(per_value))
