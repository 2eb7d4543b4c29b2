"""Load and validate a MEDCARE data source: a folder, an Excel workbook, a zip of a folder or a database.

Every documented column is coerced to its type (``docs/data-dictionary.md``); values that cannot be read,
and every pandera check failure, become rows of a problems table instead of exceptions. Rows with a
problem in a required column are excluded (severity ``"error"``); a problem in an optional column is a
``"warning"``, the value is set missing and the row is kept. Loading never writes to the source.

The package splits along the steps of a load:

- :mod:`~medcare_metrics.loading.sources`: the source path, its dataset files and fingerprint, the example;
- :mod:`~medcare_metrics.loading.limits`: :class:`LoadLimits`, the largest zip and dataset a load reads;
- :mod:`~medcare_metrics.loading.readers`: CSV, XPT, SAS7BDAT, Parquet and Excel readers, zip members;
- :mod:`~medcare_metrics.loading.database`: tables of a DuckDB file or a PostgreSQL schema named by a URL;
- :mod:`~medcare_metrics.loading.coercion`: text, numbers, grades and dates to the documented types;
- :mod:`~medcare_metrics.loading.validation`: the pandera checks, the problems table, :class:`LoadResult`;
- :mod:`~medcare_metrics.loading.derivation`: columns derived when absent (ENRLFL, ATOXGR, AVALU), notes;
- :mod:`~medcare_metrics.loading.load`: :func:`load_trial`, which runs the steps above.
"""

from __future__ import annotations

from medcare_metrics.loading.coercion import SAS_EPOCH
from medcare_metrics.loading.database import (
    DatabaseSourceError,
    database_file,
    hide_password,
    is_database_url,
    redacted,
)
from medcare_metrics.loading.limits import LoadLimits
from medcare_metrics.loading.load import load_trial
from medcare_metrics.loading.sources import (
    EXCEL_EXTENSIONS,
    EXTENSIONS,
    example_path,
    fingerprint,
    source_path,
)
from medcare_metrics.loading.validation import PROBLEM_COLUMNS, LoadResult, summarise_problems

__all__ = [
    "EXCEL_EXTENSIONS",
    "EXTENSIONS",
    "PROBLEM_COLUMNS",
    "SAS_EPOCH",
    "DatabaseSourceError",
    "LoadLimits",
    "LoadResult",
    "database_file",
    "example_path",
    "fingerprint",
    "hide_password",
    "is_database_url",
    "load_trial",
    "redacted",
    "source_path",
    "summarise_problems",
]
