"""Reading the dataset files of a source: CSV, XPT, SAS7BDAT, Parquet, Excel; in a folder, workbook or zip.

Files are read as they are, before any coercion; a file that cannot be read becomes a problem, not an
exception. Loading never writes to the source: a zip is extracted to a temporary folder, member by member
under its base name, after its central directory has been checked. A file held in memory (an upload,
:class:`MemoryFile`) is read by the same readers from a buffer, and its zip members are unpacked into memory,
never to a disk. Readers stop one row past :attr:`~medcare_metrics.loading.limits.LoadLimits.max_rows` where
they can, so a huge file is refused fast.
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal, TextIO, TypeAlias, overload

import numpy as np
import pandas as pd

from medcare_metrics import schema
from medcare_metrics.loading.limits import LoadLimits
from medcare_metrics.loading.sources import (
    EXCEL_EXTENSIONS,
    EXTENSIONS,
    _dataset_of,
    _folder_files,
    _links_outside,
)
from medcare_metrics.loading.validation import _Collector, _missing
from medcare_metrics.model import DATASETS


@dataclass(frozen=True)
class MemoryFile:
    """A file held in memory (an upload, a member of an uploaded zip): what the readers need of a path.

    Attributes
    ----------
    name : str
        File name (its extension chooses the reader).
    data : bytes
        Its bytes (left out of ``repr``: they can be patient data).
    """

    name: str
    data: bytes = field(repr=False)

    @property
    def suffix(self) -> str:
        """The extension, as :attr:`pathlib.Path.suffix` gives it."""
        return PurePosixPath(self.name).suffix

    @overload
    def open(self, mode: Literal["rb"]) -> io.BytesIO: ...

    @overload
    def open(
        self,
        mode: Literal["r"] = "r",
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> TextIO: ...

    def open(
        self,
        mode: str = "r",
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> IO[Any]:
        """Return a new buffer over the bytes: binary for ``"rb"``, else text as :meth:`pathlib.Path.open`."""
        buffer = io.BytesIO(self.data)
        if "b" in mode:
            return buffer
        return io.TextIOWrapper(buffer, encoding=encoding, errors=errors, newline=newline)


#: A dataset file: on disk, or in memory.
_File: TypeAlias = Path | MemoryFile


def _readable(file: _File) -> Path | io.BytesIO:
    """Return what a library reads ``file`` from: the path on disk, a new buffer over bytes in memory."""
    return io.BytesIO(file.data) if isinstance(file, MemoryFile) else file


def _size(file: _File) -> int:
    """Return the size of ``file`` in bytes."""
    return len(file.data) if isinstance(file, MemoryFile) else file.stat().st_size


@dataclass
class _Raw:
    """A dataset as read, before coercion."""

    frame: pd.DataFrame
    file: str
    rows: np.ndarray  # row in the file of each record, aligned with frame
    sas: bool = False  # SAS formats store dates as days since 1960


def _text_columns(dataset: str) -> set[str]:
    return {c for c, spec in schema.column_specs(dataset).items() if spec.kind in ("text", "flag")}


#: Bytes read at a time when scanning or unpacking a file, so that memory stays flat whatever its size.
_CHUNK = 1 << 20
#: A well-formed multi-byte UTF-8 sequence: a file with some is UTF-8 with a few bad bytes, not cp1252.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: A formula element in a worksheet's XML (``<f>``, ``<f t="shared" ...>``, ``<x:f>``).
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


class _Refused(Exception):
    """A file that is not read, for a reason the message gives; ``check`` labels it in the problems table."""

    def __init__(self, message: str, check: str = "readable") -> None:
        super().__init__(message)
        self.check = check


class _ZipTooBig(Exception):
    """A zip member unpacked past the bytes left under the zip limit; ``size`` is how far it got."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass(frozen=True)
class _CsvFormat:
    """How a CSV file is written: its text encoding and delimiter."""

    encoding: str  # codec given to pandas and open()
    sep: str
    newlines: tuple[bytes, ...]  # "\n" and "\r" in that encoding, to see whether the file ends with one
    replaced: str | None = None  # problem text when bytes had to be replaced to read the file
    replaced_row: int | None = None


def _csv_format(path: _File) -> _CsvFormat:
    """Return the encoding and delimiter of a CSV file from its first megabyte and header line."""
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
    replaced, replaced_row = None, None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" and some SAS exports; the codec reads the byte-order mark and drops it.
        encoding = "utf-16"
        bare = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
    else:
        try:
            # Not final unless the whole file was read: the sample may end inside a multi-byte character.
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _CHUNK)
            encoding = "utf-8-sig"  # also drops the byte-order mark Excel writes, which would rename column 1
        except UnicodeDecodeError as exc:
            line = head[: exc.start].count(b"\n") + 1
            if _UTF8_MULTIBYTE.search(head):
                encoding = "utf-8-sig"
                replaced = f"bytes that are not UTF-8 text (first on line {line}) replaced by \ufffd"
                replaced_row = line
            else:
                encoding = "cp1252"  # European SAS and Excel exports
                try:
                    head.decode("cp1252")
                except UnicodeDecodeError as exc_1252:
                    line = head[: exc_1252.start].count(b"\n") + 1
                    replaced = (
                        f"bytes that are neither UTF-8 nor Windows-1252 text (first on line {line}) "
                        "replaced by \ufffd"
                    )
                    replaced_row = line
        bare = "utf-8" if encoding == "utf-8-sig" else encoding
    text = head.decode(bare, errors="replace").lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    # Excel in Belgian and other European locales writes ";"-separated CSV.
    sep = max((",", ";", "\t"), key=header.count)
    newlines = ("\n".encode(bare), "\r".encode(bare))
    return _CsvFormat(encoding, sep, newlines, replaced, replaced_row)


class _Prefix(io.TextIOBase):
    """The first ``limit`` characters of a text file, as a file pandas can read."""

    def __init__(self, handle: TextIO, limit: int) -> None:
        super().__init__()
        self._handle = handle
        self._left = limit

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if self._left <= 0:
            return ""
        n = self._left if size is None or size < 0 else min(size, self._left)
        data = self._handle.read(n)
        self._left -= len(data)
        return data


def _incomplete_tail(path: _File, fmt: _CsvFormat, n_fields: int) -> int | None:
    """Return where a half-copied CSV's incomplete last record starts (in characters), else None.

    A record is incomplete when the file does not end with a newline and its last record either ends
    inside a quoted field or has fewer fields than the header. A complete last record without a final
    newline (as some tools write) is fine.
    """
    with path.open("rb") as handle:
        size = handle.seek(0, io.SEEK_END)
        handle.seek(max(0, size - 4))
        if size == 0 or handle.read().endswith(fmt.newlines):
            return None
    # Quote parity over the whole file says whether the end is inside a quoted field; the tail is kept to
    # find where the last record starts (a quoted field may hold newlines, so not simply the last line).
    quotes, total, tail = 0, 0, ""
    with path.open(encoding=fmt.encoding, errors="replace", newline="") as handle:
        for chunk in iter(partial(handle.read, _CHUNK), ""):
            quotes += chunk.count('"')
            total += len(chunk)
            tail = (tail + chunk)[-2 * _CHUNK :]
    pos = len(tail)
    while True:
        pos = tail.rfind("\n", 0, pos)
        if pos < 0:
            return None  # a header alone, or a last record too long to look at
        if (quotes - tail.count('"', pos)) % 2 == 0:
            break  # this newline is outside quotes: the last record starts after it
    start = pos + 1
    if quotes % 2 == 0:
        fields = next(csv.reader(io.StringIO(tail[start:], newline=""), delimiter=fmt.sep), [])
        if len(fields) >= n_fields:
            return None
    return total - len(tail) + start


def _read_csv(path: _File, dataset: str, limits: LoadLimits, out: _Collector, label: str) -> _Raw:
    fmt = _csv_format(path)
    header = pd.read_csv(
        _readable(path), nrows=0, sep=fmt.sep, encoding=fmt.encoding, encoding_errors="replace"
    ).columns
    text = _text_columns(dataset)
    # Text columns stay text so that site "001" or subject "0042" keep their leading zeros.
    options: dict[str, object] = {
        "sep": fmt.sep,
        "keep_default_na": False,
        "na_values": [""],
        "dtype": {c: str for c in header if str(c).strip().upper() in text},
        "low_memory": False,
        # One row more than the limit is enough to know a file is past it.
        "nrows": limits.max_rows + 1,
    }
    cut = _incomplete_tail(path, fmt, len(header))
    replaced = fmt.replaced
    if cut is not None:
        with path.open(encoding=fmt.encoding, errors="replace", newline="") as handle:
            frame = pd.read_csv(_Prefix(handle, cut), **options)  # type: ignore[call-overload]
    else:
        try:
            frame = pd.read_csv(
                _readable(path),
                encoding=fmt.encoding,
                encoding_errors="replace" if replaced else "strict",
                **options,  # type: ignore[arg-type]
            )
        except UnicodeDecodeError:
            # A bad byte past the first megabyte, which chose the encoding: read again, replacing it.
            replaced = f"bytes that are not {fmt.encoding} text replaced by \ufffd"
            frame = pd.read_csv(_readable(path), encoding=fmt.encoding, encoding_errors="replace", **options)  # type: ignore[arg-type]
    if len(frame) > limits.max_rows:
        raise _Refused(limits.rows_refusal(dataset), "size limit")
    if replaced:
        out.add(
            dataset,
            label,
            f"{replaced}; check the file's encoding (UTF-8 or Windows-1252 expected)",
            check="encoding",
            severity="warning",
            row=fmt.replaced_row if replaced == fmt.replaced else None,
        )
    if cut is not None:
        out.add(
            dataset,
            label,
            "file appears truncated (last line incomplete); last row excluded. Copy the file again",
            check="complete file",
            row=len(frame) + 2,
        )
    return _Raw(frame, path.name, np.arange(2, len(frame) + 2))


def _has_formulas(path: _File) -> bool:
    """Return whether any worksheet of an xlsx workbook holds a formula (True when that cannot be told)."""
    try:
        with zipfile.ZipFile(_readable(path)) as zf:
            for info in zf.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                with zf.open(info) as handle:
                    previous = b""
                    for chunk in iter(partial(handle.read, _CHUNK), b""):
                        if _FORMULA_TAG.search(previous[-16:] + chunk):
                            return True
                        previous = chunk
    except Exception:  # openpyxl reports an unreadable workbook better than this scan
        return True
    return False


def _formula_problems(
    path: _File, sheet: str | int, frame: pd.DataFrame, dataset: str, label: str, out: _Collector
) -> None:
    """Report the cells of a sheet that hold a formula but no value saved with it.

    pandas reads the value Excel saved with each formula (openpyxl's ``data_only``); a workbook written by
    a program rather than saved by Excel may have none, and the cell then reads as missing.
    """
    import openpyxl

    workbook = openpyxl.load_workbook(_readable(path), read_only=True, data_only=False)
    try:
        ws = workbook[sheet] if isinstance(sheet, str) else workbook.worksheets[sheet]
        columns = [str(c).strip().upper() for c in frame.columns]
        for cells in ws.iter_rows(min_row=2, max_row=len(frame) + 1):
            for cell in cells:
                if getattr(cell, "data_type", None) != "f":
                    continue
                i, j = cell.row - 2, cell.column - 1
                if i >= len(frame) or j >= len(columns) or not _missing(frame.iat[i, j]):
                    continue
                out.add(
                    dataset,
                    label,
                    f"cell {cell.coordinate} holds a formula ({cell.value}) without a saved value; read as "
                    "missing. Open and save the workbook in Excel, or paste the values",
                    check="formula",
                    severity="warning",
                    row=cell.row,
                    column=columns[j],
                )
    finally:
        workbook.close()


def _read_excel_sheet(
    path: _File,
    sheet: str | int,
    dataset: str,
    label: str,
    limits: LoadLimits,
    out: _Collector,
    formulas: bool | None = None,
) -> _Raw:
    header = pd.read_excel(_readable(path), sheet_name=sheet, nrows=0).columns
    text = _text_columns(dataset)
    dtypes = {c: object for c in header if str(c).strip().upper() in text}
    frame = pd.read_excel(
        _readable(path),
        sheet_name=sheet,
        keep_default_na=False,
        na_values=[""],
        dtype=dtypes,
        nrows=limits.max_rows + 1,
    )
    if len(frame) > limits.max_rows:
        raise _Refused(limits.rows_refusal(dataset), "size limit")
    if formulas if formulas is not None else _has_formulas(path):
        _formula_problems(path, sheet, frame, dataset, label, out)
    return _Raw(frame, label, np.arange(2, len(frame) + 2))


def _read_sas(
    path: _File, reader: Callable[..., tuple[pd.DataFrame, object]], dataset: str, limits: LoadLimits
) -> _Raw:
    source = _readable(path)
    frame, _meta = reader(str(source) if isinstance(source, Path) else source, row_limit=limits.max_rows + 1)
    if len(frame) > limits.max_rows:
        raise _Refused(limits.rows_refusal(dataset), "size limit")
    return _Raw(frame, path.name, np.arange(1, len(frame) + 1), sas=True)


def _read_file(path: _File, dataset: str, limits: LoadLimits, out: _Collector, label: str) -> _Raw:
    """Read one dataset file by its extension; ``label`` names it in problems."""
    ext = path.suffix.lower()
    if _size(path) == 0:
        raise _Refused("file is empty (0 bytes)")
    if ext == ".csv":
        return _read_csv(path, dataset, limits, out, label)
    if ext == ".xpt":
        import pyreadstat

        return _read_sas(path, pyreadstat.read_xport, dataset, limits)
    if ext == ".sas7bdat":
        import pyreadstat

        return _read_sas(path, pyreadstat.read_sas7bdat, dataset, limits)
    if ext == ".parquet":
        import pyarrow.parquet as pq

        # The footer gives the row count, so a huge file is refused before its data are read.
        if pq.read_metadata(_readable(path)).num_rows > limits.max_rows:
            raise _Refused(limits.rows_refusal(dataset), "size limit")
        frame = pd.read_parquet(_readable(path))
        # In place: ``reset_index`` would copy every column of a frame no one else holds.
        frame.index = pd.RangeIndex(len(frame))
        return _Raw(frame, path.name, np.arange(1, len(frame) + 1))
    if ext in EXCEL_EXTENSIONS:
        sheets = pd.ExcelFile(_readable(path)).sheet_names
        named = [s for s in sheets if s.strip().lower() == dataset]
        sheet = named[0] if named else sheets[0]
        return _read_excel_sheet(path, sheet, dataset, label, limits, out)
    raise ValueError(f"unsupported file type {ext}")


def _collect_folder(
    folder: Path, out: _Collector, limits: LoadLimits, labels: dict[str, str] | None = None
) -> dict[str, _Raw]:
    """Read every dataset file of a folder; unreadable files become problems.

    ``labels`` maps a file name to the name problems show (the member path inside a zip).
    """
    labels = labels or {}
    for link in _links_outside(folder):
        if _dataset_of(link.name):
            out.add(
                _dataset_of(link.name) or "adsl",
                link.name,
                "is a symbolic link to a file outside the source folder; not read (copy the file into the "
                "folder instead)",
                check="readable",
            )
    ignored = sorted(
        p.name
        for p in folder.iterdir()
        if not p.is_symlink()
        and p.is_file()
        and not p.name.startswith(".")
        and not _dataset_of(p.name)
        and p.suffix.lower() in (*EXTENSIONS, *EXCEL_EXTENSIONS)
    )
    if ignored:
        out.notes.append(f"Ignored {', '.join(ignored)}: not one of the datasets {', '.join(DATASETS)}.")
    return _collect_files(_folder_files(folder), out, limits, labels)


def _collect_files(
    found: Sequence[_File], out: _Collector, limits: LoadLimits, labels: dict[str, str] | None = None
) -> dict[str, _Raw]:
    """Read the dataset files ``found`` (a folder's, or files in memory), one per dataset.

    ``labels`` maps a file name to the name problems show (the member path inside a zip).
    """
    labels = labels or {}
    by_dataset: dict[str, list[_File]] = {}
    for p in found:
        by_dataset.setdefault(_dataset_of(p.name) or "", []).append(p)
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
        label = labels.get(chosen.name, chosen.name)
        if len(files) > 1:
            out.add(
                dataset,
                label,
                f"several files for {dataset.upper()} ({', '.join(f.name for f in files)}); "
                f"read {chosen.name} and ignored the others",
                check="one file per dataset",
                severity="warning",
            )
        try:
            raw = _read_file(chosen, dataset, limits, out, label)
        except _Refused as exc:
            out.add(dataset, label, str(exc), check=exc.check)
            continue
        except Exception as exc:  # any reader failure is a data problem, not a crash
            out.add(dataset, label, f"file could not be read ({type(exc).__name__}: {exc})", check="readable")
            continue
        raw.file = labels.get(raw.file, raw.file)
        raws[dataset] = raw
    return raws


def _collect_workbook(path: _File, out: _Collector, limits: LoadLimits) -> dict[str, _Raw]:
    """Read the dataset sheets of an Excel workbook."""
    try:
        if _size(path) == 0:
            raise _Refused("workbook is empty (0 bytes)")
        sheets = pd.ExcelFile(_readable(path)).sheet_names
    except _Refused as exc:
        out.add("adsl", path.name, str(exc), check=exc.check)
        return {}
    except Exception as exc:
        out.add(
            "adsl", path.name, f"workbook could not be read ({type(exc).__name__}: {exc})", check="readable"
        )
        return {}
    formulas = _has_formulas(path)
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
            raws[dataset] = _read_excel_sheet(path, sheet, dataset, label, limits, out, formulas)
        except _Refused as exc:
            out.add(dataset, label, str(exc), check=exc.check)
        except Exception as exc:
            out.add(
                dataset, label, f"sheet could not be read ({type(exc).__name__}: {exc})", check="readable"
            )
    return raws


#: Compression methods this Python can unpack (bzip2 and LZMA only when their modules are built in).
_ZIP_METHODS: frozenset[int] = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
    | ({zipfile.ZIP_BZIP2} if importlib.util.find_spec("bz2") else set())
    | ({zipfile.ZIP_LZMA} if importlib.util.find_spec("lzma") else set())
)


def _unsafe_member(name: str) -> bool:
    """Return whether a zip member's path is absolute or climbs out of the zip (``..``)."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None or ".." in parts


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path | io.BytesIO, budget: int) -> int:
    """Copy one member to ``target`` in chunks; return its size, or raise past ``budget`` bytes.

    ``target`` is a new file, or a buffer in memory. The size is counted while unpacking, not taken from the
    member's header, which may understate it.
    """
    written = 0
    sink_context = target.open("xb") if isinstance(target, Path) else nullcontext(target)
    with zf.open(info) as source, sink_context as sink:
        for chunk in iter(partial(source.read, _CHUNK), b""):
            written += len(chunk)
            if written > budget:
                raise _ZipTooBig(written)
            sink.write(chunk)
    return written


def _collect_zip(path: _File, out: _Collector, limits: LoadLimits) -> dict[str, _Raw]:
    """Unpack the dataset files of a zip to a temporary folder (never next to the source) and read them.

    A zip held in memory (:class:`MemoryFile`) is unpacked into memory instead: nothing is written to disk.
    Members are checked from the zip's central directory before anything is unpacked: encryption,
    compression method, unsafe paths, nested zips and the total uncompressed size
    (:attr:`LoadLimits.max_zip_bytes`). Problems about the whole zip are filed under ADSL, since no trial
    can be shown without reading it.
    """
    try:
        zf = zipfile.ZipFile(_readable(path))
    except Exception as exc:  # BadZipFile, but also OSError, EOFError, ValueError on mangled archives
        detail = str(exc) if isinstance(exc, zipfile.BadZipFile) else f"{type(exc).__name__}: {exc}"
        out.add("adsl", path.name, f"zip file could not be read ({detail})", check="readable")
        return {}
    with zf:
        chosen: dict[str, zipfile.ZipInfo] = {}
        for m in zf.infolist():
            name = m.filename
            base = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
            if m.is_dir() or "__MACOSX" in name or base.startswith("."):
                continue
            member = f"{path.name}:{name}"
            if _unsafe_member(name):
                # Never unpacked, whatever its name: a path like this is how a zip writes outside its folder.
                out.add(
                    _dataset_of(base) or "adsl",
                    member,
                    "zip member has an absolute or '..' path; not read",
                    check="safe path",
                    severity="error" if _dataset_of(base) else "warning",
                )
                continue
            if base.lower().endswith(".zip"):
                out.add(
                    "adsl",
                    member,
                    "zip inside the zip is not read; unzip it first and use the folder or the inner zip",
                    check="nested zip",
                    severity="warning",
                )
                continue
            if not _dataset_of(base):
                continue
            if base.lower() in chosen:
                out.add(
                    _dataset_of(base) or "adsl",
                    member,
                    f"several members named {base}; read {chosen[base.lower()].filename}",
                    check="one file per dataset",
                    severity="warning",
                )
                continue
            chosen[base.lower()] = m
        members = list(chosen.values())
        encrypted = [m.filename for m in members if m.flag_bits & 0x1]
        if encrypted:
            out.add(
                "adsl",
                path.name,
                f"encrypted zip: not supported, unzip it first ({', '.join(encrypted)})",
                check="readable",
            )
            return {}
        methods = sorted({m.compress_type for m in members} - _ZIP_METHODS)
        if methods:
            for method in methods:
                names = [m.filename for m in members if m.compress_type == method]
                known = getattr(zipfile, "compressor_names", {}).get(method)  # undocumented, so looked up
                out.add(
                    "adsl",
                    path.name,
                    f"compression method {method}{f' ({known})' if known else ''} not supported, unzip it "
                    f"with another tool first ({', '.join(names)})",
                    check="readable",
                )
            return {}
        total = sum(m.file_size for m in members)
        if total > limits.max_zip_bytes:
            out.add("adsl", path.name, limits.zip_refusal(total), check="size limit")
            return {}
        if isinstance(path, MemoryFile):
            return _collect_zip_in_memory(zf, members, path.name, out, limits)
        with tempfile.TemporaryDirectory(prefix="medcare-zip-") as tmp:
            labels: dict[str, str] = {}
            unpacked = 0
            for m in members:
                base = m.filename.replace("\\", "/").rsplit("/", 1)[-1]
                # Only the base name is used, so a member path cannot point outside the temporary folder.
                target = Path(tmp) / base
                try:
                    unpacked += _unpack(zf, m, target, limits.max_zip_bytes - unpacked)
                except _ZipTooBig as exc:
                    out.add(
                        "adsl",
                        path.name,
                        limits.zip_refusal(unpacked + exc.size, while_reading=True),
                        check="size limit",
                    )
                    return {}
                except Exception as exc:  # a corrupt member (bad CRC, broken deflate stream)
                    target.unlink(missing_ok=True)
                    out.add(
                        _dataset_of(base) or "adsl",
                        f"{path.name}:{m.filename}",
                        f"zip member could not be read ({type(exc).__name__}: {exc})",
                        check="readable",
                    )
                    continue
                labels[base] = f"{path.name}:{m.filename}"
            return _collect_folder(Path(tmp), out, limits, labels)


def _collect_zip_in_memory(
    zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], zip_name: str, out: _Collector, limits: LoadLimits
) -> dict[str, _Raw]:
    """Unpack the checked ``members`` of a zip held in memory into memory, and read them."""
    found: list[MemoryFile] = []
    labels: dict[str, str] = {}
    unpacked = 0
    for m in members:
        base = m.filename.replace("\\", "/").rsplit("/", 1)[-1]
        buffer = io.BytesIO()
        try:
            unpacked += _unpack(zf, m, buffer, limits.max_zip_bytes - unpacked)
        except _ZipTooBig as exc:
            out.add(
                "adsl",
                zip_name,
                limits.zip_refusal(unpacked + exc.size, while_reading=True),
                check="size limit",
            )
            return {}
        except Exception as exc:  # a corrupt member (bad CRC, broken deflate stream)
            out.add(
                _dataset_of(base) or "adsl",
                f"{zip_name}:{m.filename}",
                f"zip member could not be read ({type(exc).__name__}: {exc})",
                check="readable",
            )
            continue
        found.append(MemoryFile(base, buffer.getvalue()))
        labels[base] = f"{zip_name}:{m.filename}"
    # Sorted by name, as a folder's files are (:func:`_folder_files`).
    return _collect_files(sorted(found, key=lambda f: f.name), out, limits, labels)
