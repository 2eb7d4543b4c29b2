"""Broken data sources, built by name from tiny frames, with the problem loading must report for each.

Used by tests/test_broken_sources.py (loading and ``validate``) and meant for page-level tests too::

    from broken_sources import NAMES, build

    case = build("zip_encrypted", tmp_path)
    result = load_trial(case.path, case.limits)
    assert case.expected.problem in " ".join(result.problems["problem"])

Every case is small (a few kB) and built in ``tmp_path`` at test time; limits are lowered instead of
writing big files. ``expected`` is None for sources that are only unusual (cp1252, UTF-16, semicolons)
and must load without a problem.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import tiny_frames, write_source

from medcare_metrics.loading import LoadLimits


@dataclass(frozen=True)
class Expected:
    """The problem a broken source must produce (substring of the text, and where when meaningful)."""

    problem: str
    dataset: str | None = None
    file: str | None = None  # substring of the problems table's file
    row: int | None = None
    column: str | None = None
    severity: str = "error"
    trial: bool | None = None  # whether a trial is still shown (None: not checked)

    @property
    def exit_code(self) -> int:
        """Exit status of ``validate`` (without ``--strict``)."""
        return 1 if self.severity == "error" else 0


@dataclass(frozen=True)
class BrokenSource:
    """A built source: the path to load, the limits to load it with and what must be reported."""

    path: Path
    root: Path  # everything the case wrote: hashed before and after loading
    expected: Expected | None
    limits: LoadLimits | None = None

    def cli_args(self) -> list[str]:
        """``validate`` arguments that load the source with the same limits."""
        args = ["validate", str(self.path)]
        if self.limits is not None:
            args += [
                "--max-zip-bytes",
                str(self.limits.max_zip_bytes),
                "--max-rows",
                str(self.limits.max_rows),
            ]
        return args


_CASES: dict[str, Callable[[Path], BrokenSource]] = {}


def _case(name: str) -> Callable[[Callable[[Path], BrokenSource]], Callable[[Path], BrokenSource]]:
    def register(fn: Callable[[Path], BrokenSource]) -> Callable[[Path], BrokenSource]:
        _CASES[name] = fn
        return fn

    return register


def build(name: str, tmp_path: Path) -> BrokenSource:
    """Build the case ``name`` under ``tmp_path / name`` and return it."""
    root = tmp_path / name
    root.mkdir(parents=True)
    return _CASES[name](root)


# --- helpers -------------------------------------------------------------------------------------------


def _frames(**changes: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    frames = tiny_frames()
    for key, frame in changes.items():
        if frame is None:
            frames.pop(key)
        else:
            frames[key] = frame
    return frames


def _folder(root: Path, **changes: pd.DataFrame | None) -> Path:
    return write_source(root / "src", **_frames(**changes))


def _with(dataset: str, row: int, column: str, value: object) -> pd.DataFrame:
    """tiny_frames()[dataset] with one cell replaced (``row`` 0-based; file row ``row + 2``)."""
    frame = tiny_frames()[dataset].astype({column: object})
    frame.loc[row, column] = value
    return frame


def _src(root: Path, expected: Expected | None, path: Path | None = None, **kw: object) -> BrokenSource:
    return BrokenSource(path or root / "src", root, expected, **kw)  # type: ignore[arg-type]


def _zip_folder(folder: Path, archive: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(archive, "w", compression) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    return archive


def _patch_zip(archive: Path, **fields: int) -> None:
    """Overwrite header fields of every member, in local and central headers: ``method``, ``flags``,
    ``size`` (uncompressed size)."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        locals_ = [m.header_offset for m in zf.infolist()]
        central = zf.start_dir  # type: ignore[attr-defined]
        count = len(locals_)
    # (local offset, central offset) of each field inside its header.
    where = {"flags": (6, 8), "method": (8, 10), "size": (22, 24)}
    fmt = {"flags": "<H", "method": "<H", "size": "<I"}
    for offset in locals_:
        assert data[offset : offset + 4] == b"PK\x03\x04"
        for name, value in fields.items():
            struct.pack_into(fmt[name], data, offset + where[name][0], value)
    offset = central
    for _ in range(count):
        assert data[offset : offset + 4] == b"PK\x01\x02"
        for name, value in fields.items():
            struct.pack_into(fmt[name], data, offset + where[name][1], value)
        n, m, k = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + n + m + k
    archive.write_bytes(bytes(data))


def _zip_members(archive: Path, members: dict[str, bytes]) -> Path:
    """Write a zip whose member names are taken as given (no clean-up of '..' or leading '/')."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return archive


def _csv_bytes(name: str, frame: pd.DataFrame | None = None) -> bytes:
    return (tiny_frames()[name] if frame is None else frame).to_csv(index=False).encode()


# --- missing, empty, header only ----------------------------------------------------------------------


@_case("missing_adsl")
def _missing_adsl(root: Path) -> BrokenSource:
    _folder(root, adsl=None)
    return _src(root, Expected("no ADSL dataset found", "ADSL", trial=False))


@_case("empty_folder")
def _empty_folder(root: Path) -> BrokenSource:
    (root / "src").mkdir()
    return _src(root, Expected("no ADSL dataset found", "ADSL", trial=False))


@_case("empty_adsl_file")
def _empty_adsl_file(root: Path) -> BrokenSource:
    (_folder(root) / "adsl.csv").write_bytes(b"")
    return _src(root, Expected("file is empty (0 bytes)", "ADSL", "adsl.csv", trial=False))


@_case("empty_adtte_file")
def _empty_adtte_file(root: Path) -> BrokenSource:
    (_folder(root) / "adtte.csv").write_bytes(b"")
    return _src(root, Expected("file is empty (0 bytes)", "ADTTE", "adtte.csv", trial=True))


@_case("header_only_adsl")
def _header_only_adsl(root: Path) -> BrokenSource:
    _folder(root, adsl=tiny_frames()["adsl"].iloc[0:0])
    return _src(root, Expected("ADSL has no rows: no subject to check other datasets against", "ADSL"))


@_case("header_only_adtte")
def _header_only_adtte(root: Path) -> BrokenSource:
    _folder(root, adtte=tiny_frames()["adtte"].iloc[0:0])
    return _src(root, Expected("ADTTE has no rows", "ADTTE", "adtte.csv", severity="warning", trial=True))


@_case("header_only_adae")
def _header_only_adae(root: Path) -> BrokenSource:
    _folder(root, adae=tiny_frames()["adae"].iloc[0:0])
    return _src(root, Expected("ADAE has no rows", "ADAE", "adae.csv", severity="warning", trial=True))


@_case("missing_required_column")
def _missing_required_column(root: Path) -> BrokenSource:
    _folder(root, adsl=tiny_frames()["adsl"].drop(columns="USUBJID"))
    return _src(root, Expected("required column USUBJID missing", "ADSL", "adsl.csv", trial=False))


@_case("not_a_source")
def _not_a_source(root: Path) -> BrokenSource:
    (root / "notes.txt").write_text("hello")
    return _src(root, Expected("not a folder, Excel workbook", "ADSL", "notes.txt"), root / "notes.txt")


# --- wrong values ---------------------------------------------------------------------------------------


@_case("text_in_aval")
def _text_in_aval(root: Path) -> BrokenSource:
    _folder(root, adtte=_with("adtte", 1, "AVAL", "abc"))
    return _src(root, Expected("AVAL 'abc' is not a number; row excluded", "ADTTE", "adtte.csv", 3, "AVAL"))


@_case("text_in_age")
def _text_in_age(root: Path) -> BrokenSource:
    _folder(root, adsl=_with("adsl", 2, "AGE", "old"))
    return _src(root, Expected("AGE 'old' is not a number", "ADSL", "adsl.csv", 4, "AGE", "warning"))


@_case("date_february_30")
def _date_february_30(root: Path) -> BrokenSource:
    _folder(root, adsl=_with("adsl", 0, "SCRNDT", "2023-02-30"))
    return _src(root, Expected("is not a date that exists", "ADSL", "adsl.csv", 2, "SCRNDT", "warning"))


@_case("date_9999")
def _date_9999(root: Path) -> BrokenSource:
    _folder(root, adae=_with("adae", 1, "ASTDT", "9999-12-31"))
    return _src(
        root, Expected("outside the dates that can be held", "ADAE", "adae.csv", 3, "ASTDT", "warning")
    )


@_case("date_0001")
def _date_0001(root: Path) -> BrokenSource:
    _folder(root, adtte=_with("adtte", 0, "ADT", "0001-01-01"))
    return _src(root, Expected("ADT '0001-01-01' is outside", "ADTTE", "adtte.csv", 2, "ADT", "warning"))


@_case("parquet_date_9999")
def _parquet_date_9999(root: Path) -> BrokenSource:
    folder = _folder(root, adae=None)
    adae = tiny_frames()["adae"]
    adae["ASTDT"] = np.array(["2022-02-01", "9999-12-31", "0001-01-01", "2023-03-20"], dtype="datetime64[s]")
    adae.to_parquet(folder / "adae.parquet")
    return _src(root, Expected("ASTDT 9999-12-31 is outside", "ADAE", "adae.parquet", 2, "ASTDT", "warning"))


@_case("xpt_date_out_of_range")
def _xpt_date_out_of_range(root: Path) -> BrokenSource:
    import pyreadstat

    folder = _folder(root, adae=None)
    adae = tiny_frames()["adae"].assign(ASTDT=[22000.0, 3e6, np.inf, 22100.0])
    pyreadstat.write_xport(adae, str(folder / "adae.xpt"))
    return _src(root, Expected("is a SAS date outside", "ADAE", "adae.xpt", 2, "ASTDT", "warning"))


@_case("infinite_age")
def _infinite_age(root: Path) -> BrokenSource:
    _folder(root, adsl=_with("adsl", 1, "AGE", "inf"))
    return _src(root, Expected("AGE inf is not a finite number", "ADSL", "adsl.csv", 3, "AGE", "warning"))


@_case("infinite_aval")
def _infinite_aval(root: Path) -> BrokenSource:
    _folder(root, adtte=_with("adtte", 0, "AVAL", "inf"))
    return _src(root, Expected("AVAL inf is longer than 100 years", "ADTTE", "adtte.csv", 2, "AVAL"))


@_case("minus_infinite_aval")
def _minus_infinite_aval(root: Path) -> BrokenSource:
    _folder(root, adtte=_with("adtte", 4, "AVAL", "-inf"))
    return _src(root, Expected("AVAL -inf must be 0 or more", "ADTTE", "adtte.csv", 6, "AVAL"))


@_case("nan_aval")
def _nan_aval(root: Path) -> BrokenSource:
    _folder(root, adtte=_with("adtte", 2, "AVAL", "NaN"))
    return _src(root, Expected("AVAL 'NaN' is not a number", "ADTTE", "adtte.csv", 4, "AVAL"))


@_case("infinite_grade")
def _infinite_grade(root: Path) -> BrokenSource:
    _folder(root, adae=_with("adae", 0, "ATOXGR", "inf"))
    return _src(
        root, Expected("ATOXGR inf is not a whole number", "ADAE", "adae.csv", 2, "ATOXGR", "warning")
    )


@_case("huge_grade")
def _huge_grade(root: Path) -> BrokenSource:
    _folder(root, adae=_with("adae", 3, "ATOXGR", "1e30"))
    return _src(
        root,
        Expected(
            "ATOXGR 1e+30 is not a whole number of a usable size", "ADAE", "adae.csv", 5, "ATOXGR", "warning"
        ),
    )


@_case("grade_7")
def _grade_7(root: Path) -> BrokenSource:
    _folder(root, adae=_with("adae", 1, "ATOXGR", 7))
    return _src(
        root, Expected("ATOXGR 7 must be between 1 and 5", "ADAE", "adae.csv", 3, "ATOXGR", "warning")
    )


@_case("grade_minus_1")
def _grade_minus_1(root: Path) -> BrokenSource:
    _folder(root, adae=_with("adae", 2, "ATOXGR", -1))
    return _src(
        root, Expected("ATOXGR -1 must be between 1 and 5", "ADAE", "adae.csv", 4, "ATOXGR", "warning")
    )


@_case("duplicate_subject")
def _duplicate_subject(root: Path) -> BrokenSource:
    adsl = tiny_frames()["adsl"]
    _folder(root, adsl=pd.concat([adsl, adsl.iloc[[1]]], ignore_index=True))
    return _src(root, Expected("USUBJID 'T-02' duplicates row 3", "ADSL", "adsl.csv", 8, "USUBJID"))


@_case("unknown_subject_adtte")
def _unknown_subject_adtte(root: Path) -> BrokenSource:
    _folder(root, adtte=_with("adtte", 5, "USUBJID", "T-99"))
    return _src(
        root, Expected("USUBJID 'T-99' must be a subject in ADSL", "ADTTE", "adtte.csv", 7, "USUBJID")
    )


@_case("unknown_subject_adae")
def _unknown_subject_adae(root: Path) -> BrokenSource:
    _folder(root, adae=_with("adae", 0, "USUBJID", "X-1"))
    return _src(root, Expected("USUBJID 'X-1' must be a subject in ADSL", "ADAE", "adae.csv", 2, "USUBJID"))


# --- encodings and delimiters ---------------------------------------------------------------------------


def _leuven_accented() -> pd.DataFrame:
    return tiny_frames()["adsl"].assign(SITENAME=lambda d: d["SITENAME"].str.replace("Leuven", "Liège"))


@_case("cp1252")
def _cp1252(root: Path) -> BrokenSource:
    folder = _folder(root)
    (folder / "adsl.csv").write_bytes(_leuven_accented().to_csv(index=False).encode("cp1252"))
    return _src(root, None)


@_case("utf16_bom")
def _utf16_bom(root: Path) -> BrokenSource:
    folder = _folder(root)
    (folder / "adsl.csv").write_bytes(_leuven_accented().to_csv(index=False).encode("utf-16"))
    return _src(root, None)


@_case("invalid_utf8")
def _invalid_utf8(root: Path) -> BrokenSource:
    folder = _folder(root)
    data = _leuven_accented().to_csv(index=False).encode("utf-8")
    # Row 3's SITENAME gets a byte that is not UTF-8; the file's other accents are UTF-8.
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"UZ Li", b"UZ \xffLi")
    (folder / "adsl.csv").write_bytes(b"\n".join(lines))
    return _src(root, Expected("not UTF-8 text (first on line 3)", "ADSL", "adsl.csv", 3, severity="warning"))


@_case("semicolons")
def _semicolons(root: Path) -> BrokenSource:
    folder = _folder(root)
    tiny_frames()["adsl"].to_csv(folder / "adsl.csv", index=False, sep=";")
    return _src(root, None)


@_case("tabs")
def _tabs(root: Path) -> BrokenSource:
    folder = _folder(root)
    tiny_frames()["adtte"].to_csv(folder / "adtte.csv", index=False, sep="\t")
    return _src(root, None)


@_case("no_final_newline")
def _no_final_newline(root: Path) -> BrokenSource:
    folder = _folder(root)
    (folder / "adsl.csv").write_bytes((folder / "adsl.csv").read_bytes().rstrip(b"\r\n"))
    return _src(root, None)


@_case("truncated_csv")
def _truncated_csv(root: Path) -> BrokenSource:
    folder = _folder(root)
    body = (folder / "adsl.csv").read_bytes().rstrip(b"\r\n")
    start = body.rindex(b"\n") + 1
    (folder / "adsl.csv").write_bytes(body[: start + (len(body) - start) // 2])  # half of the last row
    return _src(
        root, Expected("file appears truncated (last line incomplete)", "ADSL", "adsl.csv", 7, trial=True)
    )


@_case("truncated_csv_in_quotes")
def _truncated_csv_in_quotes(root: Path) -> BrokenSource:
    folder = _folder(root)
    adae = tiny_frames()["adae"].assign(AEDECOD=lambda d: d["AEDECOD"] + ", unspecified")  # quoted fields
    data = adae.to_csv(index=False).encode()
    (folder / "adae.csv").write_bytes(data[: data.rindex(b'"Proctitis') + 6])
    return _src(root, Expected("file appears truncated (last line incomplete)", "ADAE", "adae.csv", 5))


# --- broken files of each format ------------------------------------------------------------------------


@_case("xlsx_random_bytes")
def _xlsx_random_bytes(root: Path) -> BrokenSource:
    (root / "cut.xlsx").write_bytes(np.random.default_rng(1).bytes(2000))
    return _src(
        root, Expected("workbook could not be read", "ADSL", "cut.xlsx", trial=False), root / "cut.xlsx"
    )


@_case("xlsx_without_adsl_sheet")
def _xlsx_without_adsl_sheet(root: Path) -> BrokenSource:
    with pd.ExcelWriter(root / "cut.xlsx") as writer:
        tiny_frames()["adtte"].to_excel(writer, sheet_name="ADTTE", index=False)
    return _src(root, Expected("no ADSL dataset found", "ADSL", trial=False), root / "cut.xlsx")


@_case("xlsx_formula_without_value")
def _xlsx_formula_without_value(root: Path) -> BrokenSource:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ADSL"
    adsl = tiny_frames()["adsl"]
    sheet.append(list(adsl.columns))
    for row in adsl.itertuples(index=False):
        sheet.append(list(row))
    sheet["H3"] = "=60+6"  # AGE of T-02: openpyxl saves the formula without a computed value
    workbook.save(root / "cut.xlsx")
    expected = Expected(
        "cell H3 holds a formula (=60+6) without a saved value", "ADSL", "cut.xlsx", 3, "AGE", "warning"
    )
    return _src(root, expected, root / "cut.xlsx")


@_case("xpt_truncated")
def _xpt_truncated(root: Path) -> BrokenSource:
    import pyreadstat

    folder = _folder(root, adtte=None)
    pyreadstat.write_xport(tiny_frames()["adtte"], str(folder / "adtte.xpt"))
    data = (folder / "adtte.xpt").read_bytes()
    (folder / "adtte.xpt").write_bytes(data[: len(data) // 2 + 7])
    return _src(root, Expected("file could not be read", "ADTTE", "adtte.xpt", trial=True))


@_case("sas7bdat_random_bytes")
def _sas7bdat_random_bytes(root: Path) -> BrokenSource:
    folder = _folder(root, adae=None)
    (folder / "adae.sas7bdat").write_bytes(np.random.default_rng(2).bytes(3000))
    return _src(root, Expected("file could not be read", "ADAE", "adae.sas7bdat", trial=True))


@_case("parquet_truncated")
def _parquet_truncated(root: Path) -> BrokenSource:
    folder = _folder(root, adae=None)
    tiny_frames()["adae"].to_parquet(folder / "adae.parquet")
    data = (folder / "adae.parquet").read_bytes()
    (folder / "adae.parquet").write_bytes(data[: len(data) // 2])
    return _src(root, Expected("file could not be read", "ADAE", "adae.parquet", trial=True))


@_case("symlink_outside")
def _symlink_outside(root: Path) -> BrokenSource:
    folder = _folder(root, adsl=None)
    outside = root / "elsewhere"
    outside.mkdir()
    tiny_frames()["adsl"].to_csv(outside / "adsl.csv", index=False)
    os.symlink(outside / "adsl.csv", folder / "adsl.csv")
    return _src(
        root, Expected("symbolic link to a file outside the source folder", "ADSL", "adsl.csv", trial=False)
    )


# --- zips -----------------------------------------------------------------------------------------------


@_case("zip_truncated")
def _zip_truncated(root: Path) -> BrokenSource:
    archive = _zip_folder(_folder(root), root / "cut.zip")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    return _src(root, Expected("zip file could not be read", "ADSL", "cut.zip", trial=False), archive)


@_case("zip_not_a_zip")
def _zip_not_a_zip(root: Path) -> BrokenSource:
    (root / "cut.zip").write_bytes(b"USUBJID,STUDYID\nT-01,MEDCARE\n")
    return _src(
        root, Expected("zip file could not be read", "ADSL", "cut.zip", trial=False), root / "cut.zip"
    )


@_case("zip_path_traversal")
def _zip_path_traversal(root: Path) -> BrokenSource:
    archive = _zip_members(
        root / "cut.zip",
        {"adsl.csv": _csv_bytes("adsl"), "../adtte.csv": _csv_bytes("adtte"), "../evil.csv": b"x\n1\n"},
    )
    return _src(
        root,
        Expected("absolute or '..' path; not read", "ADTTE", "cut.zip:../adtte.csv", trial=True),
        archive,
    )


@_case("zip_absolute_path")
def _zip_absolute_path(root: Path) -> BrokenSource:
    archive = _zip_members(
        root / "cut.zip", {"/tmp/adsl.csv": _csv_bytes("adsl"), "adae.csv": _csv_bytes("adae")}
    )
    return _src(
        root,
        Expected("absolute or '..' path; not read", "ADSL", "cut.zip:/tmp/adsl.csv", trial=False),
        archive,
    )


@_case("zip_nested")
def _zip_nested(root: Path) -> BrokenSource:
    inner = _zip_folder(_folder(root), root / "inner.zip")
    archive = _zip_members(root / "cut.zip", {"cut/inner.zip": inner.read_bytes()})
    return _src(
        root,
        Expected("zip inside the zip is not read", "ADSL", "cut.zip:cut/inner.zip", severity="warning"),
        archive,
    )


@_case("zip_encrypted")
def _zip_encrypted(root: Path) -> BrokenSource:
    folder = _folder(root)
    archive = root / "cut.zip"
    if shutil.which("zip"):
        names = sorted(p.name for p in folder.iterdir())
        subprocess.run(["zip", "-q", "-P", "secret", str(archive), *names], cwd=folder, check=True)
    else:  # the encryption flag alone makes Python refuse the member, as a real password would
        _zip_folder(folder, archive)
        _patch_zip(archive, flags=0x1)
    return _src(
        root,
        Expected("encrypted zip: not supported, unzip it first", "ADSL", "cut.zip", trial=False),
        archive,
    )


@_case("zip_unsupported_method")
def _zip_unsupported_method(root: Path) -> BrokenSource:
    archive = _zip_folder(_folder(root), root / "cut.zip")
    _patch_zip(archive, method=99)  # WinZip AES
    return _src(
        root, Expected("compression method 99 not supported", "ADSL", "cut.zip", trial=False), archive
    )


@_case("zip_deflate64")
def _zip_deflate64(root: Path) -> BrokenSource:
    archive = _zip_folder(_folder(root), root / "cut.zip")
    _patch_zip(archive, method=9)  # Windows Explorer's choice for big files
    return _src(root, Expected("compression method 9 (deflate64) not supported", "ADSL", "cut.zip"), archive)


@_case("zip_bomb")
def _zip_bomb(root: Path) -> BrokenSource:
    archive = _zip_folder(_folder(root), root / "cut.zip")
    _patch_zip(archive, size=10_000_000)  # the directory claims 10 MB a member
    limits = LoadLimits(max_zip_bytes=1_000_000)
    return _src(
        root, Expected("more than the 1 MB limit", "ADSL", "cut.zip", trial=False), archive, limits=limits
    )


@_case("zip_lying_header")
def _zip_lying_header(root: Path) -> BrokenSource:
    archive = _zip_folder(_folder(root), root / "cut.zip")
    _patch_zip(archive, size=100)  # less than each member holds: never unpacked past it
    return _src(
        root, Expected("zip member could not be read", "ADSL", "cut.zip:adsl.csv", trial=False), archive
    )


@_case("zip_too_many_rows")
def _zip_too_many_rows(root: Path) -> BrokenSource:
    adae = pd.concat([tiny_frames()["adae"]] * 5, ignore_index=True)  # 20 rows
    archive = _zip_folder(_folder(root, adae=adae), root / "cut.zip")
    limits = LoadLimits(max_rows=10)
    return _src(
        root,
        Expected("ADAE has more than 10 rows, the row limit", "ADAE", "cut.zip:adae.csv"),
        archive,
        limits=limits,
    )


# --- limits ---------------------------------------------------------------------------------------------


def _many_adae(n: int) -> pd.DataFrame:
    adae = tiny_frames()["adae"]
    return adae.iloc[np.arange(n) % len(adae)].reset_index(drop=True)


@_case("too_many_rows_csv")
def _too_many_rows_csv(root: Path) -> BrokenSource:
    _folder(root, adae=_many_adae(50))
    limits = LoadLimits(max_rows=10)
    return _src(
        root,
        Expected("ADAE has more than 10 rows, the row limit; not read", "ADAE", "adae.csv", trial=True),
        limits=limits,
    )


@_case("too_many_rows_parquet")
def _too_many_rows_parquet(root: Path) -> BrokenSource:
    folder = _folder(root, adae=None)
    _many_adae(50).to_parquet(folder / "adae.parquet")
    limits = LoadLimits(max_rows=10)
    return _src(root, Expected("MEDCARE_MAX_ROWS", "ADAE", "adae.parquet", trial=True), limits=limits)


@_case("too_many_rows_xlsx")
def _too_many_rows_xlsx(root: Path) -> BrokenSource:
    with pd.ExcelWriter(root / "cut.xlsx") as writer:
        tiny_frames()["adsl"].to_excel(writer, sheet_name="ADSL", index=False)
        _many_adae(50).to_excel(writer, sheet_name="ADAE", index=False)
    limits = LoadLimits(max_rows=10)
    return _src(
        root, Expected("--max-rows", "ADAE", "cut.xlsx [ADAE]", trial=True), root / "cut.xlsx", limits=limits
    )


@_case("too_many_rows_xpt")
def _too_many_rows_xpt(root: Path) -> BrokenSource:
    import pyreadstat

    folder = _folder(root, adae=None)
    pyreadstat.write_xport(_many_adae(50), str(folder / "adae.xpt"))
    limits = LoadLimits(max_rows=10)
    return _src(root, Expected("ADAE has more than 10 rows", "ADAE", "adae.xpt", trial=True), limits=limits)


#: Every case, by name.
NAMES: tuple[str, ...] = tuple(_CASES)
