"""Size limits of a load: how much a zip may unpack to and how many rows a dataset may have.

A small zip can hold gigabytes of CSV, and a two-million-row ADAE took the server 2.6 GB and 20 minutes: past
a limit, loading refuses the file with a problem naming the limit and how to raise it, instead of running
out of memory. The defaults are far above a phase 2 trial's data (the example trial is about 50 kB).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

#: Environment variable raising (or lowering) :attr:`LoadLimits.max_zip_bytes`.
MAX_ZIP_BYTES_ENV = "MEDCARE_MAX_ZIP_BYTES"
#: Environment variable raising (or lowering) :attr:`LoadLimits.max_rows`.
MAX_ROWS_ENV = "MEDCARE_MAX_ROWS"
#: Default of :attr:`LoadLimits.max_zip_bytes`: 500 MB.
DEFAULT_MAX_ZIP_BYTES = 500_000_000
#: Default of :attr:`LoadLimits.max_rows`.
DEFAULT_MAX_ROWS = 1_000_000


def _positive(value: object, name: str) -> int:
    """Return ``value`` as a positive int, or raise ValueError naming ``name``."""
    text = str(value).strip().replace("_", "").replace(",", "")
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}") from None
    if number <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return number


def format_bytes(n: int) -> str:
    """Return a byte count in words (``"500 MB"``, ``"1.5 MB"``, ``"900 bytes"``).

    Parameters
    ----------
    n : int
        Number of bytes.

    Returns
    -------
    str
        Decimal units (1 MB = 1,000,000 bytes), as the limits are given.
    """
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


@dataclass(frozen=True)
class LoadLimits:
    """Limits a load refuses to go past.

    Attributes
    ----------
    max_zip_bytes : int
        Largest total uncompressed size of the dataset files read from a zip, in bytes (default 500 MB).
        Checked from the zip's central directory before anything is read, and counted again while reading,
        in case a member's header understates its size.
    max_rows : int
        Largest number of rows of one dataset (default 1,000,000). Readers stop after ``max_rows + 1`` rows
        where they can, so a huge file is refused quickly.
    """

    max_zip_bytes: int = DEFAULT_MAX_ZIP_BYTES
    max_rows: int = DEFAULT_MAX_ROWS

    def __post_init__(self) -> None:
        _positive(self.max_zip_bytes, "max_zip_bytes")
        _positive(self.max_rows, "max_rows")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LoadLimits:
        """Return the limits set by ``MEDCARE_MAX_ZIP_BYTES`` and ``MEDCARE_MAX_ROWS``, else the defaults.

        Parameters
        ----------
        environ : mapping of str to str, optional
            Where to look the variables up; ``os.environ`` by default. Empty values count as unset;
            ``_`` and ``,`` may group digits (``2_000_000``).

        Returns
        -------
        LoadLimits
            The limits.

        Raises
        ------
        ValueError
            When a variable is set to something other than a positive whole number.
        """
        env = os.environ if environ is None else environ
        zip_text = env.get(MAX_ZIP_BYTES_ENV, "").strip()
        rows_text = env.get(MAX_ROWS_ENV, "").strip()
        return cls(
            max_zip_bytes=_positive(zip_text, MAX_ZIP_BYTES_ENV) if zip_text else DEFAULT_MAX_ZIP_BYTES,
            max_rows=_positive(rows_text, MAX_ROWS_ENV) if rows_text else DEFAULT_MAX_ROWS,
        )

    def rows_refusal(self, dataset: str) -> str:
        """Return the problem text of a dataset with more than :attr:`max_rows` rows.

        Parameters
        ----------
        dataset : str
            Lower-case dataset name.

        Returns
        -------
        str
            The refusal, naming the limit and how to raise it.
        """
        return (
            f"{dataset.upper()} has more than {self.max_rows:,} rows, the row limit; not read. "
            f"Raise the limit with {MAX_ROWS_ENV}=N or validate --max-rows N"
        )

    def zip_refusal(self, size: int, *, while_reading: bool = False) -> str:
        """Return the problem text of a zip whose dataset files unpack to more than :attr:`max_zip_bytes`.

        Parameters
        ----------
        size : int
            Uncompressed size found: the central directory's total, or the bytes unpacked so far.
        while_reading : bool, default False
            Whether the size was found while unpacking (the directory understated it).

        Returns
        -------
        str
            The refusal, naming the limit and how to raise it.
        """
        found = (
            f"unpacked past {format_bytes(size)} although its directory says less"
            if while_reading
            else f"unpacks to {format_bytes(size)}"
        )
        return (
            f"zip {found}, more than the {format_bytes(self.max_zip_bytes)} limit on the uncompressed size "
            f"of its dataset files; not read. Raise the limit with {MAX_ZIP_BYTES_ENV}=BYTES or "
            "validate --max-zip-bytes BYTES, or unzip it and point at the folder"
        )
