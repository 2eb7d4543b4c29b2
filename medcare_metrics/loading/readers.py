"""Reading the dataset files of a source: CSV, XPT, SAS7BDAT, Parquet, Excel; in a folder, workbook or zip.

Files are read as they are, before any coercion; a file that cannot be read becomes a problem, not an
exception. Loading never writes to the source: a zip is extracted to a temporary folder.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from medcare_metrics import schema
from medcare_metrics.loading.sources import EXCEL_EXTENSIONS, EXTENSIONS, _dataset_of, _folder_files
from medcare_metrics.loading.validation import _Collector
from medcare_metrics.model import DATASETS


@dataclass
class _Raw:
    """A dataset as read, before coercion."""

    frame: pd.DataFrame
    file: str
    rows: np.ndarray  # row in the file of each record, aligned with frame
    sas: bool = False  # SAS formats store dates as days since 1960


def _text_columns(dataset: str) -> set[str]:
    return {c for c, spec in schema.column_specs(dataset).items() if spec.kind in ("text", "flag")}


def _csv_format(path: Path) -> tuple[str, str]:
    """Return the encoding and delimiter of a CSV file from its bytes and header line."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        encoding = "utf-8-sig"  # also drops the byte-order mark Excel writes, which would rename column 1
    except UnicodeDecodeError:
        encoding = "cp1252"  # European SAS and Excel exports
    header = data.split(b"\n", 1)[0].decode(encoding, errors="replace")
    # Excel in Belgian and other European locales writes ";"-separated CSV.
    sep = max((",", ";", "\t"), key=header.count)
    return encoding, sep


def _read_csv(path: Path, dataset: str) -> _Raw:
    encoding, sep = _csv_format(path)
    header = pd.read_csv(path, nrows=0, sep=sep, encoding=encoding, encoding_errors="replace").columns
    text = _text_columns(dataset)
    # Text columns stay text so that site "001" or subject "0042" keep their leading zeros.
    dtypes = {c: str for c in header if str(c).strip().upper() in text}
    frame = pd.read_csv(
        path,
        sep=sep,
        keep_default_na=False,
        na_values=[""],
        dtype=dtypes,
        encoding=encoding,
        encoding_errors="replace",
        low_memory=False,
    )
    return _Raw(frame, path.name, np.arange(2, len(frame) + 2))


def _read_excel_sheet(path: Path, sheet: str | int, dataset: str, label: str) -> _Raw:
    header = pd.read_excel(path, sheet_name=sheet, nrows=0).columns
    text = _text_columns(dataset)
    dtypes = {c: object for c in header if str(c).strip().upper() in text}
    frame = pd.read_excel(path, sheet_name=sheet, keep_default_na=False, na_values=[""], dtype=dtypes)
    return _Raw(frame, label, np.arange(2, len(frame) + 2))


def _read_sas(path: Path, reader: Callable[..., tuple[pd.DataFrame, object]]) -> _Raw:
    frame, _meta = reader(str(path))
    return _Raw(frame, path.name, np.arange(1, len(frame) + 1), sas=True)


def _read_file(path: Path, dataset: str) -> _Raw:
    """Read one dataset file by its extension."""
    ext = path.suffix.lower()
    if ext == ".csv":
        return _read_csv(path, dataset)
    if ext == ".xpt":
        import pyreadstat

        return _read_sas(path, pyreadstat.read_xport)
    if ext == ".sas7bdat":
        import pyreadstat

        return _read_sas(path, pyreadstat.read_sas7bdat)
    if ext == ".parquet":
        frame = pd.read_parquet(path)
        return _Raw(frame.reset_index(drop=True), path.name, np.arange(1, len(frame) + 1))
    if ext in EXCEL_EXTENSIONS:
        sheets = pd.ExcelFile(path).sheet_names
        named = [s for s in sheets if s.strip().lower() == dataset]
        sheet = named[0] if named else sheets[0]
        return _read_excel_sheet(path, sheet, dataset, path.name)
    raise ValueError(f"unsupported file type {ext}")


def _collect_folder(folder: Path, out: _Collector, labels: dict[str, str] | None = None) -> dict[str, _Raw]:
    """Read every dataset file of a folder; unreadable files become problems.

    ``labels`` maps a file name to the name problems show (the member path inside a zip).
    """
    labels = labels or {}
    by_dataset: dict[str, list[Path]] = {}
    for p in _folder_files(folder):
        by_dataset.setdefault(_dataset_of(p.name) or "", []).append(p)
    ignored = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not _dataset_of(p.name)
        and p.suffix.lower() in (*EXTENSIONS, *EXCEL_EXTENSIONS)
    )
    if ignored:
        out.notes.append(f"Ignored {', '.join(ignored)}: not one of the datasets {', '.join(DATASETS)}.")
    raws: dict[str, _Raw] = {}
    for dataset in DATASETS:
        files = sorted(
            by_dataset.get(dataset, []),
            key=lambda p: (
                EXTENSIONS.index(p.suffix.lower()) if p.suffix.lower() in EXTENSIONS else len(EXTENSIONS)
            ),
        )
        if not files:
            continue
        chosen = files[0]
        if len(files) > 1:
            out.add(
                dataset,
                labels.get(chosen.name, chosen.name),
                f"several files for {dataset.upper()} ({', '.join(f.name for f in files)}); "
                f"read {chosen.name} and ignored the others",
                check="one file per dataset",
                severity="warning",
            )
        try:
            raw = _read_file(chosen, dataset)
        except Exception as exc:  # any reader failure is a data problem, not a crash
            out.add(
                dataset,
                labels.get(chosen.name, chosen.name),
                f"file could not be read ({type(exc).__name__}: {exc})",
                check="readable",
            )
            continue
        raw.file = labels.get(raw.file, raw.file)
        raws[dataset] = raw
    return raws


def _collect_workbook(path: Path, out: _Collector) -> dict[str, _Raw]:
    """Read the dataset sheets of an Excel workbook."""
    try:
        sheets = pd.ExcelFile(path).sheet_names
    except Exception as exc:
        out.add(
            "adsl", path.name, f"workbook could not be read ({type(exc).__name__}: {exc})", check="readable"
        )
        return {}
    raws: dict[str, _Raw] = {}
    for sheet in sheets:
        dataset = sheet.strip().lower()
        if dataset not in DATASETS:
            continue
        label = f"{path.name} [{sheet}]"
        if dataset in raws:
            out.add(
                dataset,
                label,
                f"several sheets for {dataset.upper()}; read the first",
                check="one file per dataset",
                severity="warning",
            )
            continue
        try:
            raws[dataset] = _read_excel_sheet(path, sheet, dataset, label)
        except Exception as exc:
            out.add(
                dataset, label, f"sheet could not be read ({type(exc).__name__}: {exc})", check="readable"
            )
    return raws


def _collect_zip(path: Path, out: _Collector) -> dict[str, _Raw]:
    """Extract the dataset files of a zip to a temporary folder (never next to the source) and read them."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = [
                m
                for m in zf.infolist()
                if not m.is_dir()
                and "__MACOSX" not in m.filename
                and not Path(m.filename).name.startswith(".")
                and _dataset_of(Path(m.filename).name)
            ]
            with tempfile.TemporaryDirectory(prefix="medcare-zip-") as tmp:
                seen: set[str] = set()
                labels: dict[str, str] = {}
                for m in members:
                    name = Path(m.filename).name
                    if name.lower() in seen:
                        continue
                    seen.add(name.lower())
                    # Only the base name is used, so a member path cannot point outside the temporary folder.
                    (Path(tmp) / name).write_bytes(zf.read(m))
                    labels[name] = f"{path.name}:{m.filename}"
                return _collect_folder(Path(tmp), out, labels)
    except zipfile.BadZipFile as exc:
        out.add("adsl", path.name, f"zip file could not be read ({exc})", check="readable")
        return {}
