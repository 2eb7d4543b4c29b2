"""Writing a generated trial: CSV or Parquet files, or one Excel workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from medcare_metrics.synthetic.options import FORMATS, WORKBOOK_NAME, OutputFormat


def write_trial(
    datasets: dict[str, pd.DataFrame], out_dir: str | Path, fmt: OutputFormat = "csv"
) -> list[Path]:
    """Write the datasets to ``out_dir``.

    Parameters
    ----------
    datasets : dict of str to pandas.DataFrame
        As returned by :func:`generate_trial` (keys ``adsl``, ``adtte``, ...).
    out_dir : str or pathlib.Path
        Target folder; created when absent. Existing files of the same names are overwritten.
    fmt : {"csv", "xlsx", "parquet"}
        ``csv`` and ``parquet`` write one file per dataset (``adsl.csv``, ...); ``xlsx`` writes one
        workbook ``medcare.xlsx`` with a sheet per dataset (``ADSL``, ``ADTTE``, ...). Dates are written as
        ``YYYY-MM-DD``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = out / WORKBOOK_NAME
        iso = "YYYY-MM-DD"
        with pd.ExcelWriter(path, engine="openpyxl", date_format=iso, datetime_format=iso) as xl:
            for name, frame in datasets.items():
                frame.to_excel(xl, sheet_name=name.upper(), index=False)
        return [path]
    written = []
    for name, frame in datasets.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    return written
