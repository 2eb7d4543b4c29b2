"""How many enrolled patients each value of a filter holds (the sidebar shows it beside every value)."""

from __future__ import annotations

import pandas as pd

from medcare_metrics.filters import column_keys
from medcare_metrics.rules import enrolled_mask


def enrolled_per_value(adsl: pd.DataFrame, column: str) -> dict[str, int]:
    """Return the enrolled patients per value of ``column``, keyed by the filter value text.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data (screen failures included; only enrolled patients are counted).
    column : str
        An ADSL column.

    Returns
    -------
    dict of str to int
        Count per value text; a value held only by screen failures is absent (count 0).

    Raises
    ------
    ValueError
        When ``column`` is not in ``adsl``.
    """
    if column not in adsl.columns:
        raise ValueError(f"{column} is not an ADSL column")
    keys = column_keys(adsl.loc[enrolled_mask(adsl), column])
    return {str(k): int(n) for k, n in keys.value_counts().items()}
