"""The in-memory trial: the validated ADaM datasets of one data source."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from medcare_metrics.study import StudyDefinition, default_study

#: Dataset names (lower case, as the files are named) in the order the dashboard shows them.
DATASETS: tuple[str, ...] = ("adsl", "adtte", "adae", "adtu", "adlb")
#: Datasets a source must provide; the others are optional and the pages that need them say so.
REQUIRED_DATASETS: tuple[str, ...] = ("adsl",)


@dataclass(frozen=True)
class TrialData:
    """Validated ADaM datasets of one data source.

    Attributes
    ----------
    adsl : pandas.DataFrame
        Subject level, one row per screened subject (screen failures included).
    adtte : pandas.DataFrame or None
        Time-to-event, one row per subject and PARAMCD.
    adae : pandas.DataFrame or None
        Adverse events, one row per event.
    adtu : pandas.DataFrame or None
        Lesions, one row per progressing lesion.
    adlb : pandas.DataFrame or None
        Laboratory values; PSA is PARAMCD ``"PSA"``.
    name : str
        Human-readable name of the source (folder, workbook or zip name).
    fingerprint : str
        Short hash of the source files' bytes; identifies a data cut.
    notes : tuple of str
        What loading derived or assumed (for example a flag derived from another column).
    study : StudyDefinition
        The study's protocol facts (target, endpoints, benchmarks, categories), resolved once at loading
        (:func:`medcare_metrics.study.resolve_study`); MEDCARE's built-in definition by default.
    """

    adsl: pd.DataFrame
    adtte: pd.DataFrame | None = None
    adae: pd.DataFrame | None = None
    adtu: pd.DataFrame | None = None
    adlb: pd.DataFrame | None = None
    name: str = ""
    fingerprint: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    study: StudyDefinition = field(default_factory=default_study)

    def dataset(self, name: str) -> pd.DataFrame | None:
        """Return the dataset called ``name`` (``"adsl"``, ``"adtte"``, ...) or None when absent."""
        if name not in DATASETS:
            raise KeyError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
        return getattr(self, name)

    @property
    def available(self) -> tuple[str, ...]:
        """Names of the datasets present in this source."""
        return tuple(n for n in DATASETS if getattr(self, n) is not None)
