"""What to generate and how to write it: :class:`SyntheticOptions` and the output formats."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np

from medcare_metrics.rules import DAYS_PER_MONTH
from medcare_metrics.synthetic.arrays import _day

OutputFormat = Literal["csv", "xlsx", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet")
#: Workbook written by :func:`write_trial` for ``fmt="xlsx"``.
WORKBOOK_NAME = "medcare.xlsx"


@dataclass(frozen=True)
class SyntheticOptions:
    """What to generate.

    Attributes
    ----------
    patients : int
        Enrolled (registered) patients; screen failures come on top.
    sites : int
        Number of centres.
    seed : int
        Seed of the random generator; the same options give the same trial.
    first_screening : datetime.date
        Date of the first screening visit.
    accrual_months : float
        Months over which screening is spread, whatever the number of patients.
    cutoff : datetime.date
        Data cut-off date (DCUTDT); at least 180 days after the end of accrual.
    screen_fail_fraction : float
        Expected fraction of screened subjects who fail screening.
    """

    patients: int = 18
    sites: int = 4
    seed: int = 20240365
    first_screening: dt.date = dt.date(2022, 3, 1)
    accrual_months: float = 24.0
    cutoff: dt.date = dt.date(2025, 6, 30)
    screen_fail_fraction: float = 0.30

    def __post_init__(self) -> None:
        if self.patients < 1:
            raise ValueError(f"patients must be at least 1, got {self.patients}")
        if self.sites < 1:
            raise ValueError(f"sites must be at least 1, got {self.sites}")
        if not 0.0 <= self.screen_fail_fraction < 0.9:
            raise ValueError(f"screen_fail_fraction must be in [0, 0.9), got {self.screen_fail_fraction}")
        if self.accrual_months <= 0:
            raise ValueError(f"accrual_months must be positive, got {self.accrual_months}")
        accrual_end = _day(self.first_screening) + round(self.accrual_months * DAYS_PER_MONTH)
        # Registration, MDT start and a 39-fraction radiotherapy can end ~4.5 months after the last screening.
        if _day(self.cutoff) < accrual_end + 180:
            raise ValueError(
                f"cutoff {self.cutoff} must be at least 180 days after the end of accrual "
                f"({np.datetime64(accrual_end, 'D')})"
            )
