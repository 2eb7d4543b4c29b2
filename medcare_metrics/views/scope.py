"""What every view function works on: the selected trial, the trial as loaded and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from medcare_metrics.filters import Filters, describe_filters, value_labels
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.rules import enrolled_mask
from medcare_metrics.text.common import escape_markdown, no_patient_matches


@dataclass(frozen=True)
class ViewScope:
    """The data a view shows and the state of the shared sidebar.

    Attributes
    ----------
    trial : TrialData
        The trial replayed as of :attr:`as_of` (when replayed), then filtered.
    unfiltered : TrialData
        The trial replayed as of :attr:`as_of`, without filters: the denominator of "n of N".
    full : TrialData
        The trial as loaded (no replay, no filters).
    delivered : TrialData
        The trial as delivered (no replay), filtered: data checks run on it, since a replay cannot undo a
        later correction within a record.
    problems : pandas.DataFrame
        Validation problems of the source (columns of ``LoadResult.problems``).
    settings : TrialSettings
        Trial settings as the sidebar sets them.
    filters : Filters
        The active subject filters.
    as_of : datetime.date or None
        The date of the view: the chosen as-of date, else the cut-off; None when the data hold no date.
    cutoff : datetime.date or None
        The data cut-off (ADSL.DCUTDT), else the latest date in the data.
    """

    trial: TrialData
    unfiltered: TrialData
    full: TrialData
    delivered: TrialData
    problems: pd.DataFrame
    settings: TrialSettings = DEFAULT_SETTINGS
    filters: Filters = field(default_factory=Filters)
    as_of: date | None = None
    cutoff: date | None = None

    @property
    def replayed(self) -> bool:
        """True when the view replays the trial at a date before the cut-off."""
        return self.as_of is not None and self.cutoff is not None and self.as_of < self.cutoff

    @property
    def no_patient_text(self) -> str:
        """Return the sentence said when the filters match no enrolled patient, else ``""``.

        Only the filters count: a replayed date before the first enrollment is not "no match" (the pages
        say that in their own words).
        """
        if not self.filters or enrolled_mask(self.trial.adsl).any():
            return ""
        if not enrolled_mask(self.unfiltered.adsl).any():
            return ""
        # Escaped as the page header escapes it: the sentence goes into Markdown, and centre names are data.
        words = describe_filters(
            self.filters, value_labels=value_labels(self.full.adsl), value_format=escape_markdown
        )
        return no_patient_matches(words)

    @classmethod
    def of(cls, trial: TrialData, settings: TrialSettings | None = None) -> ViewScope:
        """Return the scope of ``trial`` as loaded, unfiltered and not replayed (tests, scripts, reports).

        Parameters
        ----------
        trial : TrialData
            A loaded trial.
        settings : TrialSettings, optional
            Trial settings; by default those of the trial's study (:meth:`TrialSettings.from_study`).

        Returns
        -------
        ViewScope
            ``trial`` as the selected, unfiltered and full trial, with no problems and no dates.
        """
        return cls(
            trial=trial,
            unfiltered=trial,
            full=trial,
            delivered=trial,
            problems=pd.DataFrame(),
            settings=TrialSettings.from_study(trial.study) if settings is None else settings,
        )
