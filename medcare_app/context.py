"""What every page works on: the chosen data source, loaded once, filtered and replayed as the sidebar says.

:func:`medcare_app.sidebar.render_sidebar` draws the shared sidebar and returns a frozen
:class:`PageContext`; ``dashboard.py`` passes it to the page's ``render(ctx)``, and a page file run on its own
gets it from :func:`medcare_app.shell.run_standalone`. Nothing here draws or imports the sidebar.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd

from medcare_app.access import PATIENT, can_see_subjects
from medcare_metrics.filters import Filters
from medcare_metrics.loading import (
    DatabaseSourceError,
    example_path,
    hide_password,
    is_database_url,
    redacted,
)
from medcare_metrics.loading.sources import with_mapping
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import TrialSettings
from medcare_metrics.study import STUDY_ENV, attach_study

#: Environment variable naming the data source.
DATA_ENV = "MEDCARE_DATA"
#: Environment variable naming a mapping file for an EDC export (``--mapping`` on the command line wins).
MAPPING_ENV = "MEDCARE_MAPPING"


@dataclass(frozen=True)
class DataSource:
    """The data source the app shows and how it was chosen.

    Attributes
    ----------
    path : str
        Folder, Excel workbook or zip; or a database URL; or this session's upload
        (``upload://NAME?sha256=...``, :mod:`medcare_app.upload`).
    origin : str
        ``"--data"``, ``"MEDCARE_DATA"``, ``"example"`` or ``"upload"``.
    """

    path: str
    origin: str


def resolve_source(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> DataSource:
    """Choose the data source: ``--data PATH`` on the command line, else MEDCARE_DATA, else the example.

    ``--study FILE`` (else MEDCARE_STUDY) gives the study definition (:mod:`medcare_metrics.study`), attached
    as :func:`medcare_metrics.study.attach_study`'s ``"PATH [study FILE]"``; without it a study file beside
    the data is used, else MEDCARE's built-in one for MEDCARE data, else a neutral one.

    ``--mapping FILE`` (else MEDCARE_MAPPING) reads the source as an EDC export through that mapping file; the
    path is then :func:`medcare_metrics.loading.sources.with_mapping`'s ``"PATH [mapping FILE]"``.

    PATH may be a database URL (``duckdb:///...``, ``postgresql://...``); a password in it is taken out and
    kept for the connection (:func:`medcare_metrics.loading.hide_password`).

    Parameters
    ----------
    argv : sequence of str, optional
        Script arguments (default ``sys.argv[1:]``; ``streamlit run dashboard.py -- --data PATH`` passes
        ``["--data", "PATH"]``).
    environ : mapping, optional
        Environment (default ``os.environ``).

    Returns
    -------
    DataSource
        The path (as given, not checked; a URL without its password) and where it came from.
    """
    import sys

    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--data")
    parser.add_argument("--mapping")
    parser.add_argument("--study")
    known, _ = parser.parse_known_args(list(argv))
    # An explicit study file (medcare_metrics.study) travels inside the source string too, outermost.
    study = known.study or environ.get(STUDY_ENV, "").strip() or None
    attach = partial(attach_study, study=study)
    # A mapping file reads the source as an EDC export (medcare_metrics.loading.edc); it travels inside the
    # source string, so the caches key on it and its bytes are part of the fingerprint.
    mapping = known.mapping or environ.get(MAPPING_ENV, "").strip() or None
    if known.data:
        return DataSource(attach(with_mapping(_without_password(known.data), mapping)), "--data")
    if environ.get(DATA_ENV, "").strip():
        given = _without_password(environ[DATA_ENV].strip())
        return DataSource(attach(with_mapping(given, mapping)), DATA_ENV)
    return DataSource(attach(with_mapping(str(example_path()), mapping)), "example")


def _without_password(source: str) -> str:
    """Return a database URL without its password (kept for the connection only), any other source as is.

    The source is shown in the sidebar and in messages, and is part of cache keys: a password in it would be
    on screen.
    """
    if not is_database_url(source):
        return source
    try:
        return hide_password(source)
    except DatabaseSourceError:
        return redacted(source)  # malformed: loading says why, and no password is shown meanwhile


@dataclass(frozen=True)
class PageContext:
    """The data a page shows and the state of the shared sidebar.

    Attributes
    ----------
    trial : TrialData
        The trial as the sidebar selects it: replayed as of :attr:`as_of`, then filtered.
    full : TrialData
        The trial as loaded (no replay, no filters).
    problems : pandas.DataFrame
        Validation problems of the source (columns of ``LoadResult.problems``).
    settings : TrialSettings
        Trial settings: protocol defaults, with the target enrollment and planned accrual period as the
        sidebar's "Trial settings" set them (shared by every page).
    filters : Filters
        The active subject filters.
    filter_text : str
        The active filters in words (``"Centre: UZ Leuven; MDT type: SBRT"`` or ``"No filters"``).
    n_selected : int
        Enrolled patients in :attr:`trial`.
    n_total : int
        Enrolled patients as of :attr:`as_of` before filtering.
    as_of : datetime.date or None
        The date the view shows: the chosen as-of date, else the cut-off; None when the data hold no date.
    cutoff : datetime.date or None
        The data cut-off (ADSL.DCUTDT), else the latest date in the data.
    cutoff_label : str
        ``"cut-off"`` when :attr:`cutoff` is ADSL.DCUTDT, ``"latest date in the data"`` otherwise.
    source : str
        Path of the data source.
    source_name : str
        Its display name (folder, workbook or zip name).
    fingerprint : str
        Short hash of the source's files: identifies the data cut.
    download_format : str
        Image format of the figure toolbar's download button (``"png"`` or ``"svg"``), chosen in the sidebar.
    page_datasets : tuple of str
        Datasets the current page draws on (lower case), as ``dashboard.py`` declares them; the page header
        warns about their validation errors. Empty for a page run on its own.
    role : str
        The signed-in role (:mod:`medcare_app.access`): ``"viewer"`` sees aggregates only, ``"patient"``
        (also without sign-in) sees subject identifiers too.
    presenting : bool
        Presentation mode (``?present=1``, :mod:`medcare_app.room`): pages draw no editing widgets (they
        disable or leave out their controls) and the header adds the filters in one line.
    filter_labels : mapping of str to mapping of str to str
        Display names of filter values (centre names per SITEID), for filters said in words.
    """

    trial: TrialData
    full: TrialData
    problems: pd.DataFrame
    settings: TrialSettings
    filters: Filters
    filter_text: str
    n_selected: int
    n_total: int
    as_of: date | None
    cutoff: date | None
    cutoff_label: str
    source: str
    source_name: str
    fingerprint: str
    download_format: str = "png"
    page_datasets: tuple[str, ...] = ()
    role: str = PATIENT
    presenting: bool = False
    filter_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def can_see_subjects(self) -> bool:
        """True when the role may see subject identifiers (listings, patient-level downloads)."""
        return can_see_subjects(self.role)

    @property
    def replayed(self) -> bool:
        """True when the view replays the trial at a date before the cut-off."""
        return self.as_of is not None and self.cutoff is not None and self.as_of < self.cutoff

    @property
    def patients_text(self) -> str:
        """Return ``"n of N patients"`` (enrolled patients selected of those as of the date)."""
        return f"{self.n_selected} of {self.n_total} patients"


def data_path_help() -> str:
    """Return how to point the app at another data source (for error messages)."""
    return (
        f"Start the app with `{DATA_ENV}=PATH streamlit run dashboard.py` or "
        "`streamlit run dashboard.py -- --data PATH`, where PATH is a folder of ADaM files "
        "(adsl.csv, adsl.xpt, ...), an Excel workbook or a zip."
    )


def is_example(source: str) -> bool:
    """Return True when ``source`` is the example trial shipped with the package."""
    return Path(source).resolve() == example_path().resolve()
