"""Load and validate a MEDCARE data source: a folder, an Excel workbook or a zip of a folder.

Every documented column is coerced to its type (``docs/data-dictionary.md``); values that cannot be read,
and every pandera check failure, become rows of a problems table instead of exceptions. Rows with a
problem in a required column are excluded (severity ``"error"``); a problem in an optional column is a
``"warning"``, the value is set missing and the row is kept. Loading never writes to the source.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from medcare_metrics import schema
from medcare_metrics.model import DATASETS, TrialData

#: Columns of the problems table.
PROBLEM_COLUMNS: tuple[str, ...] = (
    "dataset",
    "file",
    "row",
    "USUBJID",
    "column",
    "check",
    "problem",
    "severity",
)
#: File extensions read in a folder, in order of preference when one dataset has several files.
EXTENSIONS: tuple[str, ...] = (".csv", ".xpt", ".sas7bdat", ".parquet", ".xlsx")
EXCEL_EXTENSIONS: tuple[str, ...] = (".xlsx", ".xlsm")
SAS_EPOCH = pd.Timestamp("1960-01-01")
_GRADE_TEXT = re.compile(r"^\s*(?:grade\s*)?(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_trial` returns.

    Attributes
    ----------
    trial : TrialData or None
        The validated datasets; None only when ADSL is missing or unusable.
    problems : pandas.DataFrame
        One row per problem, columns :data:`PROBLEM_COLUMNS`. ``row`` is the row in the file as a user
        finds it: the line number for CSV and Excel (the header is row 1, so the first record is row 2),
        the record number (first record = 1) for XPT, SAS7BDAT and Parquet. ``severity`` is ``"error"``
        (row or dataset excluded, or a rule that makes results wrong) or ``"warning"`` (value set missing,
        row kept).
    source : str
        The source path as given.
    """

    trial: TrialData | None
    problems: pd.DataFrame
    source: str

    @property
    def n_errors(self) -> int:
        """Number of error-severity problems."""
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        """Number of warning-severity problems."""
        return int((self.problems["severity"] == "warning").sum())


@dataclass
class _Raw:
    """A dataset as read, before coercion."""

    frame: pd.DataFrame
    file: str
    rows: np.ndarray  # row in the file of each record, aligned with frame
    sas: bool = False  # SAS formats store dates as days since 1960


@dataclass
class _Collector:
    """Accumulates problems and notes while loading."""

    problems: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: USUBJIDs present in the ADSL file whose every ADSL row was excluded.
    excluded_subjects: set[str] = field(default_factory=set)

    def add(
        self,
        dataset: str,
        file: str,
        problem: str,
        *,
        check: str,
        severity: str = "error",
        row: object = None,
        usubjid: object = None,
        column: str | None = None,
    ) -> None:
        self.problems.append(
            {
                "dataset": dataset.upper(),
                "file": file,
                "row": row,
                "USUBJID": None if _missing(usubjid) else str(usubjid),
                "column": column,
                "check": check,
                "problem": problem,
                "severity": severity,
            }
        )

    def frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.problems, columns=list(PROBLEM_COLUMNS))
        order = {d.upper(): i for i, d in enumerate(DATASETS)}
        out["_order"] = out["dataset"].map(order)
        out = out.sort_values(["_order", "row"], kind="stable", na_position="first").drop(columns="_order")
        out = out.reset_index(drop=True)
        out["row"] = pd.array(out["row"].tolist(), dtype="Int64")
        for col in ("dataset", "file", "USUBJID", "column", "check", "problem", "severity"):
            out[col] = out[col].astype(object)
        return out


def _missing(value: object) -> bool:
    """Return whether a scalar is missing (None, NaN, NaT, pd.NA)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def summarise_problems(
    problems: pd.DataFrame, by: tuple[str, ...] = ("dataset", "column", "check", "severity")
) -> pd.DataFrame:
    """Count the rows of a problems table per group, with the first problem of each group as an example.

    Like the summary of pandera's lazy validation report: one line per kind of problem instead of one per
    row, which keeps thousands of problems readable.

    Parameters
    ----------
    problems : pandas.DataFrame
        A problems table (``LoadResult.problems``, or any table with the ``by`` columns and ``problem``).
    by : tuple of str, default ("dataset", "column", "check", "severity")
        Columns to group on; missing values form their own group.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``count`` (rows in the group), ``subjects`` (distinct USUBJID when the table has that
        column, else omitted) and ``example`` (the group's first problem text), sorted by severity (errors
        first, when ``severity`` is grouped on), then by descending count, then by the ``by`` columns.

    Raises
    ------
    ValueError
        When a ``by`` column or ``problem`` is not in ``problems``.
    """
    missing = [c for c in (*by, "problem") if c not in problems.columns]
    if missing:
        raise ValueError(f"cannot summarise problems: no column {', '.join(missing)}")
    keys = list(by)
    grouped = problems.groupby(keys, dropna=False, sort=False)
    out = grouped.size().rename("count").reset_index()
    if "USUBJID" in problems.columns:
        out = out.merge(grouped["USUBJID"].nunique().rename("subjects").reset_index(), on=keys, how="left")
    out = out.merge(grouped["problem"].first().rename("example").reset_index(), on=keys, how="left")
    order = ["count", *keys]
    ascending = [False] + [True] * len(keys)
    if "severity" in keys:
        out["_error"] = out["severity"].ne("error")
        order, ascending = ["_error", *order], [True, *ascending]
    out = out.sort_values(order, ascending=ascending, kind="stable", na_position="first")
    return out.drop(columns=["_error"], errors="ignore").reset_index(drop=True)


def example_path() -> Path:
    """Return the folder of the example trial shipped inside the package.

    Returns
    -------
    pathlib.Path
        ``medcare_metrics/example_data/`` (written by ``python -m medcare_metrics generate``).
    """
    return Path(__file__).parent / "example_data"


# ----------------------------------------------------------------------------------------------------
# Finding the files of a source


def _dataset_of(name: str) -> str | None:
    """Return the dataset a file name stands for (``ADSL.csv`` -> ``"adsl"``) or None."""
    p = Path(name)
    stem, ext = p.stem.lower(), p.suffix.lower()
    if ext == ".sas7bdat" or ext in EXTENSIONS or ext in EXCEL_EXTENSIONS:
        return stem if stem in DATASETS else None
    return None


def _folder_files(folder: Path) -> list[Path]:
    """Return the dataset files directly inside ``folder`` (hidden files skipped), sorted by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and _dataset_of(p.name)
    )


def source_path(source: str | Path, expected: str = "") -> Path:
    """Return ``source`` as a path, after checking that it exists.

    Parameters
    ----------
    source : str or pathlib.Path
        Folder, workbook or zip.
    expected : str
        Added to the error message (for example what kinds of source are read).

    Returns
    -------
    pathlib.Path
        The path.

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    """
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"data source not found: {path}{expected}")
    return path


def fingerprint(source: str | Path) -> str:
    """Return a short hash identifying the bytes of a data source.

    Parameters
    ----------
    source : str or pathlib.Path
        Folder, workbook or zip.

    Returns
    -------
    str
        First 12 hex characters of a SHA-256 over each dataset file's name (relative to the folder,
        lower case) and bytes; for a single file, over its name and bytes.

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    """
    path = source_path(source)
    files = _folder_files(path) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.lower().encode("utf-8") + b"\0")
        with f.open("rb") as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()[:12]


# ----------------------------------------------------------------------------------------------------
# Reading


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


# ----------------------------------------------------------------------------------------------------
# Coercion


def _is_blank(s: pd.Series) -> pd.Series:
    """Missing values and empty or blank strings."""
    if not pd.api.types.is_object_dtype(s) and not pd.api.types.is_string_dtype(s):
        return s.isna()
    return s.isna() | s.astype(str).str.strip().eq("")


def _to_text(s: pd.Series) -> pd.Series:
    def conv(v: object) -> object:
        if _missing(v):
            return np.nan
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, str):
            return v if v.strip() else np.nan
        return str(v)

    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        # Fast path for the usual all-text column: blank strings become missing.
        keep = s.notna() & s.astype(str).str.strip().ne("")
        return s.where(keep, np.nan).astype(object)
    return s.map(conv).astype(object)


def _to_number(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    cleaned = s.map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_numeric(cleaned, errors="coerce").astype("float64")


def _to_integer(s: pd.Series, grades: bool) -> pd.Series:
    if grades and not pd.api.types.is_numeric_dtype(s):

        def grade(v: object) -> object:
            if isinstance(v, str):
                m = _GRADE_TEXT.match(v)
                return m.group(1) if m else v
            return v

        s = s.map(grade)
    num = _to_number(s)
    whole = num.isna() | (num == np.floor(num))
    num = num.where(whole)
    return num.round().astype("Int64")


def _one_date(v: object) -> pd.Timestamp:
    """Read one date-like value (date, datetime, ISO text); NaT when it is not one."""
    if isinstance(v, (bool, int, float, np.number)):
        # A bare number has no unit outside SAS files (days? Excel serial? nanoseconds?): report it.
        return pd.NaT
    try:
        ts = pd.Timestamp(v)
    except (TypeError, ValueError, OverflowError):
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _to_date(s: pd.Series, sas: bool) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return out.astype("datetime64[ns]").dt.normalize()
    if sas and pd.api.types.is_numeric_dtype(s):
        return (SAS_EPOCH + pd.to_timedelta(s.astype("float64").round(), unit="D")).astype("datetime64[ns]")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    is_text = s.map(lambda v: isinstance(v, str)).astype(bool)
    text = s[is_text].astype(str).str.strip()
    # Full ISO 8601 dates only: "03/04/2024" is ambiguous and "2024-05" a partial date; both are reported
    # instead of guessed.
    text = text[text.str.match(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")]
    if not text.empty:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        except (ValueError, TypeError):
            parsed = text.map(_one_date)
        if not pd.api.types.is_datetime64_any_dtype(parsed):  # mixed time-zone offsets: one at a time
            parsed = text.map(_one_date)
        elif getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)  # keep the local wall-clock date
        out.loc[parsed.index] = pd.to_datetime(parsed).astype("datetime64[ns]")
    others = s[~is_text & s.notna()]
    if not others.empty:  # date and datetime objects (XPT, SAS7BDAT, Excel, Parquet)
        out.loc[others.index] = pd.to_datetime(others.map(_one_date)).astype("datetime64[ns]")
    return out.dt.normalize()


_KIND_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "date": "an ISO 8601 date (YYYY-MM-DD)",
}


def _coerce(dataset: str, raw: _Raw, out: _Collector) -> tuple[pd.DataFrame, pd.Series]:
    """Return the frame with documented columns coerced, and a mask of rows to exclude."""
    frame = raw.frame
    exclude = pd.Series(False, index=frame.index)
    subjects = frame["USUBJID"] if "USUBJID" in frame else pd.Series(None, index=frame.index, dtype=object)
    for col, spec in schema.column_specs(dataset).items():
        if col not in frame:
            continue
        original = frame[col]
        if spec.kind in ("text", "flag"):
            frame[col] = _to_text(original)
            if spec.kind == "flag":
                # Dictionary convention: an empty flag counts as "N".
                frame[col] = frame[col].fillna("N")
            continue
        if spec.kind == "number":
            coerced = _to_number(original)
        elif spec.kind == "integer":
            coerced = _to_integer(original, grades=col in ("ATOXGR", "AETOXGR"))
        else:
            coerced = _to_date(original, raw.sas)
        failed = coerced.isna() & ~_is_blank(original)
        for idx in frame.index[failed.to_numpy()]:
            value = original.at[idx]
            if spec.required:
                exclude.at[idx] = True
                text = f"{col} {_describe_value(value)} is not {_KIND_WORDS[spec.kind]}; row excluded"
                severity = "error"
            else:
                text = f"{col} {_describe_value(value)} is not {_KIND_WORDS[spec.kind]}; value set missing"
                severity = "warning"
            out.add(
                dataset,
                raw.file,
                text,
                check="type",
                severity=severity,
                row=int(raw.rows[idx]),
                usubjid=subjects.at[idx],
                column=col,
            )
        frame[col] = coerced
    return frame, exclude


# ----------------------------------------------------------------------------------------------------
# Derivations


def _derive(dataset: str, frame: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """Add the columns the dashboard derives when a source lacks them; each derivation becomes a note."""
    name = dataset.upper()
    if dataset == "adsl" and "ENRLFL" not in frame:
        for col in ("ENRLDT", "RANDDT"):
            if col in frame:
                frame["ENRLFL"] = np.where(frame[col].notna(), "Y", "N").astype(object)
                out.notes.append(f"ADSL.ENRLFL derived: Y when {col} is present.")
                break
        else:
            for col in ("ITTFL", "SAFFL"):
                if col in frame:
                    frame["ENRLFL"] = np.where(frame[col] == "Y", "Y", "N").astype(object)
                    out.notes.append(f"ADSL.ENRLFL derived from {col} (no ENRLFL, ENRLDT or RANDDT).")
                    break
            else:
                frame["ENRLFL"] = "Y"
                out.notes.append(
                    "ADSL.ENRLFL derived: no ENRLFL, ENRLDT, RANDDT, ITTFL or SAFFL, "
                    "so every subject counts as enrolled."
                )
    if dataset == "adae" and "ATOXGR" not in frame and "AETOXGR" in frame:
        frame["ATOXGR"] = frame["AETOXGR"].copy()
        out.notes.append("ADAE.ATOXGR taken from AETOXGR (no ATOXGR column).")
    if dataset == "adtte":
        if "AVALU" not in frame:
            frame["AVALU"] = "DAYS"
            out.notes.append(f"{name}.AVALU set to DAYS (no AVALU column).")
        else:
            blank = frame["AVALU"].isna()
            if blank.any():
                frame.loc[blank, "AVALU"] = "DAYS"
                n = int(blank.sum())
                out.notes.append(
                    f"{name}.AVALU set to DAYS on {n} row{'s' if n > 1 else ''} where it was empty."
                )
            units = {"DAYS", "WEEKS", "MONTHS", "YEARS"}
            # Only known units are normalised, so a bad unit is reported as written.
            frame["AVALU"] = frame["AVALU"].map(
                lambda v: v.strip().upper() if isinstance(v, str) and v.strip().upper() in units else v
            )
    return frame


# ----------------------------------------------------------------------------------------------------
# Validation


def _describe_value(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _failure_cases(schema_: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Return pandera's failure cases of a lazy validation (empty when the frame is valid)."""
    try:
        with warnings.catch_warnings():
            # pandera concatenates empty frames internally; the pandas FutureWarning is not ours to act on.
            warnings.simplefilter("ignore", FutureWarning)
            schema_.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        return err.failure_cases
    return pd.DataFrame(columns=["column", "check", "index"])


def _validate_values(
    dataset: str, frame: pd.DataFrame, raw: _Raw, adsl_subjects: set[str] | None, out: _Collector
) -> tuple[pd.DataFrame, pd.Series]:
    """Check types, missing values, ranges, allowed values and ADSL membership.

    Returns the frame (bad optional values set missing) and a mask of rows to exclude.
    """
    exclude = pd.Series(False, index=frame.index)
    specs = schema.column_specs(dataset)
    cases = _failure_cases(schema.schema_for(dataset, adsl_subjects, keys=False), frame)
    row_check_columns = {str(check.error): col for check, col in schema.ROW_CHECKS.get(dataset, [])}
    if not cases.empty:
        # pandera repeats a frame-wide check's failure once per column; one problem per row is enough.
        is_row_check = cases["check"].astype(str).isin(row_check_columns)
        cases = cases[~is_row_check | ~cases.duplicated(["check", "index"])]
    for case in cases.itertuples(index=False):
        check_text = str(case.check)
        column = row_check_columns.get(check_text, case.column)
        col = column if isinstance(column, str) and column in frame else None
        idx = case.index
        if check_text == "not_nullable":
            check, text = "not missing", "is missing but required"
        else:
            check, text = schema.CHECK_LABELS.get(check_text, check_text), check_text
        if col is None or _missing(idx) or idx not in frame.index:
            out.add(dataset, raw.file, f"{col or dataset.upper()} {text}", check=check, column=col)
            continue
        value = frame.at[idx, col]
        shown = "" if _missing(value) else f"{_describe_value(value)} "
        if check_text == schema.IN_ADSL and value in out.excluded_subjects:
            text = "is a subject whose ADSL row was excluded (see the ADSL problems)"
        if check_text in row_check_columns and check_text not in schema.EXCLUDING_ROW_CHECKS:
            severity, tail = "warning", "row kept"
        elif col == "DCUTDT":
            # Mixed cut-off dates make every date-based number doubtful, yet the rows themselves are usable.
            severity, tail = "error", "row kept"
        elif specs[col].required or (dataset, col) in schema.EXCLUDE_ROW:
            exclude.at[idx] = True
            severity, tail = "error", "row excluded"
        else:
            kind = specs[col].kind
            frame.at[idx, col] = pd.NA if kind == "integer" else (pd.NaT if kind == "date" else np.nan)
            severity, tail = "warning", "value set missing"
        out.add(
            dataset,
            raw.file,
            f"{col} {shown}{text}; {tail}",
            check=check,
            severity=severity,
            row=int(raw.rows[idx]),
            usubjid=frame.at[idx, "USUBJID"],
            column=col,
        )
    return frame, exclude


def _validate_keys(dataset: str, frame: pd.DataFrame, raw: _Raw, out: _Collector) -> pd.Series:
    """Check the key columns are unique; return a mask of the later duplicates (the first row is kept)."""
    exclude = pd.Series(False, index=frame.index)
    key = list(schema.UNIQUE_KEYS.get(dataset, ()))
    if not key:
        return exclude
    cases = _failure_cases(schema.schema_for(dataset, values=False), frame)
    rows = sorted({int(i) for i in cases["index"] if not _missing(i) and i in frame.index})
    if not rows:
        return exclude
    first = frame.groupby(key, sort=False, dropna=False).cumcount() == 0
    first_index = frame.loc[first].reset_index().set_index(key)["index"]
    for idx in rows:
        exclude.at[idx] = True
        values = tuple(frame.loc[idx, key])
        original = first_index.loc[values if len(key) > 1 else values[0]]
        shown = ", ".join(f"{c} {v!r}" for c, v in zip(key, values, strict=True))
        out.add(
            dataset,
            raw.file,
            f"{shown} duplicates row {int(raw.rows[original])}: {' + '.join(key)} must be unique; "
            "row excluded",
            check="unique",
            row=int(raw.rows[idx]),
            usubjid=frame.at[idx, "USUBJID"],
            column=" + ".join(key),
        )
    return exclude


def _process(dataset: str, raw: _Raw, adsl_subjects: set[str] | None, out: _Collector) -> pd.DataFrame | None:
    """Coerce, derive and validate one dataset; None when a required column is missing."""
    frame = raw.frame.copy()
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    if frame.columns.duplicated().any():
        dups = sorted(set(frame.columns[frame.columns.duplicated()]))
        out.add(
            dataset,
            raw.file,
            f"columns {', '.join(dups)} appear more than once (names are case-insensitive); "
            "the first is used",
            check="unique columns",
            severity="warning",
        )
        frame = frame.loc[:, ~frame.columns.duplicated()]
    frame = frame.reset_index(drop=True)
    raw = _Raw(frame, raw.file, raw.rows, raw.sas)
    missing = [c for c in schema.required_columns(dataset) if c not in frame]
    if missing:
        consequence = "no trial can be shown" if dataset == "adsl" else f"{dataset.upper()} is not used"
        out.add(
            dataset,
            raw.file,
            f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing; {consequence}",
            check="required column",
            column=", ".join(missing),
        )
        return None
    frame, bad_type = _coerce(dataset, raw, out)
    # Rows already excluded for an unreadable required value are not checked again (one problem per cause).
    frame = frame.loc[~bad_type]
    frame, bad_value = _validate_values(dataset, frame, raw, adsl_subjects, out)
    frame = frame.loc[~bad_value]
    bad_key = _validate_keys(dataset, frame, raw, out)
    # Derived from validated columns, so derived values need no check of their own.
    return _derive(dataset, frame.loc[~bad_key].reset_index(drop=True), out)


def load_trial(source: str | Path) -> LoadResult:
    """Load and validate a MEDCARE data source.

    Parameters
    ----------
    source : str or pathlib.Path
        A folder with one file per dataset (``adsl.csv``, ``adtte.xpt``, ``adae.sas7bdat``,
        ``adtu.parquet``, ``adlb.xlsx``; names case-insensitive), an Excel workbook with a sheet per
        dataset (``ADSL``, ``ADTTE``, ...), or a zip of such a folder.

    Returns
    -------
    LoadResult
        The trial (None when ADSL is missing or lacks a required column), the problems table and the source.
        Bad data never raises: it becomes problems.

    Raises
    ------
    FileNotFoundError
        When ``source`` does not exist.
    """
    path = source_path(source, " (expected a folder, an .xlsx workbook or a .zip)")
    out = _Collector()
    if path.is_dir():
        raws = _collect_folder(path, out)
    elif path.suffix.lower() in EXCEL_EXTENSIONS:
        raws = _collect_workbook(path, out)
    elif path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        raws = _collect_zip(path, out)
    else:
        out.add("adsl", path.name, "not a folder, Excel workbook (.xlsx) or zip file", check="readable")
        raws = {}

    trial: TrialData | None = None
    datasets: dict[str, pd.DataFrame | None] = {}
    if "adsl" not in raws:
        if not any(p["dataset"] == "ADSL" for p in out.problems):
            out.add(
                "adsl",
                path.name,
                "no ADSL dataset found (adsl.csv, adsl.xpt, ... or an ADSL sheet); no trial can be shown",
                check="required dataset",
            )
    else:
        adsl = _process("adsl", raws["adsl"], None, out)
        if adsl is not None:
            datasets["adsl"] = adsl
            subjects = set(adsl["USUBJID"].dropna())
            raw_adsl = raws["adsl"].frame
            id_cols = [c for c in raw_adsl.columns if str(c).strip().upper() == "USUBJID"]
            raw_ids = _to_text(raw_adsl[id_cols[0]]).dropna()
            out.excluded_subjects = set(raw_ids) - subjects
            for dataset in DATASETS[1:]:
                if dataset in raws:
                    datasets[dataset] = _process(dataset, raws[dataset], subjects, out)
            trial = TrialData(
                **datasets,  # type: ignore[arg-type]
                name=path.stem if path.is_file() else path.name,
                fingerprint=fingerprint(path),
                notes=tuple(out.notes),
            )
    return LoadResult(trial=trial, problems=out.frame(), source=str(source))
