"""Applying a mapping to the tables of an export: rows, variables, code lists, dates, checkboxes, derivations.

The result is one table of text per dataset, shaped like an ADaM file as read (``_Raw``), which loading then
coerces, validates and derives exactly as it does a native file. What the mapping itself finds (a column the
export lacks, a code its code list does not map, a date not in the mapping's format) is a problem naming the
export file, the row (the line in the file: the header is row 1, the first record row 2), the column and the
value; the value is set missing and loading goes on.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics import rules, schema
from medcare_metrics.loading.edc.spec import (
    REDCAP_EVENT,
    REDCAP_REPEAT_INSTRUMENT,
    DatasetMap,
    EdcMapping,
    Variable,
)
from medcare_metrics.loading.limits import LoadLimits
from medcare_metrics.loading.readers import _Raw
from medcare_metrics.loading.validation import _Collector
from medcare_metrics.model import DATASETS

#: Checkbox cell values: ticked (raw and label exports) and not ticked.
_TICKED = frozenset({"1", "checked"})
_UNTICKED = frozenset({"0", "unchecked"})
_ISO = "%Y-%m-%d"


class ExportRefused(Exception):
    """An export file that is not read; the message says why."""


@dataclass(frozen=True)
class ExportTable:
    """One export file as read: every cell text (missing = NaN), and the line in the file of each row."""

    frame: pd.DataFrame
    file: str
    rows: np.ndarray


def read_export_table(data: bytes, label: str, limits: LoadLimits) -> ExportTable:
    """Read one export CSV file from its bytes, every column as text.

    Parameters
    ----------
    data : bytes
        The file's bytes (UTF-8, with or without a byte-order mark, UTF-16 with one, or Windows-1252).
    label : str
        The file's name, for problems.
    limits : LoadLimits
        ``max_zip_bytes`` caps the file's size, ``max_rows`` its rows.

    Returns
    -------
    ExportTable
        The table; ``rows`` are line numbers (header = 1).

    Raises
    ------
    ExportRefused
        When the file is empty, too large, or not CSV that pandas can read.
    """
    if not data:
        raise ExportRefused("file is empty (0 bytes)")
    if len(data) > limits.max_zip_bytes:
        raise ExportRefused(
            f"file is larger than the {limits.max_zip_bytes:,} byte limit (MEDCARE_MAX_ZIP_BYTES)"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # REDCap's Excel-friendly exports on Windows
    header = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=header.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            nrows=limits.max_rows + 1,
        )
    except Exception as exc:  # any parser failure is a problem of the file, not a crash
        raise ExportRefused(f"file could not be read as CSV ({type(exc).__name__}: {exc})") from None
    if len(frame) > limits.max_rows:
        raise ExportRefused(limits.rows_refusal("export"))
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda s: s.str.strip()).replace("", np.nan)
    return ExportTable(frame.reset_index(drop=True), label, np.arange(2, len(frame) + 2))


def checkbox_column(field: str, code: str) -> str:
    """Return the export column of one choice of a checkbox field, as REDCap names it (``field___code``).

    Parameters
    ----------
    field : str
        The checkbox field's name.
    code : str
        The choice's code.

    Returns
    -------
    str
        ``field___code``, with the code in lower case and characters other than letters, digits and ``_``
        replaced by ``_`` (a leading minus sign becomes ``neg``).
    """
    code = str(code).strip().lower()
    code = f"neg{code[1:]}" if code.startswith("-") else code
    return f"{field}___{re.sub(r'[^0-9a-z_]', '_', code)}"


@dataclass
class _Part:
    """The rows of an export table that feed one dataset, while its variables are computed."""

    dataset: str
    table: ExportTable
    index: pd.Index  # rows of table.frame
    values: dict[str, pd.Series]  # variable -> values aligned with index (object; NaN missing)
    usubjid: pd.Series  # for problems; NaN until USUBJID is known


def _required(dataset: str, variable: str) -> bool:
    spec = schema.column_specs(dataset).get(variable)
    return bool(spec and spec.required)


def _is_date(dataset: str, variable: str, spec: Variable) -> bool:
    kind = schema.column_specs(dataset).get(variable)
    return spec.date_format is not None or (kind is not None and kind.kind == "date")


def _tail(dataset: str, variable: str, default: str | None = None) -> tuple[str, str]:
    """Severity and consequence of a value that cannot be mapped."""
    if default is not None:
        return "warning", f"{variable} set to its default {default!r}"
    if _required(dataset, variable):
        return "error", f"{variable} set missing (required: the row is excluded)"
    return "warning", f"{variable} set missing"


def _report(
    out: _Collector,
    part: _Part,
    bad: pd.Series,
    raw: pd.Series,
    column: str,
    variable: str,
    check: str,
    what: str,
    default: str | None = None,
) -> None:
    """One problem per row where ``bad``: ``column value 'x' <what>; VAR set missing``."""
    severity, tail = _tail(part.dataset, variable, default)
    for idx in bad[bad].index:
        out.add(
            part.dataset,
            part.table.file,
            f"{column} value {raw.at[idx]!r} {what}; {tail}",
            check=check,
            severity=severity,
            row=int(part.table.rows[idx]),
            usubjid=part.usubjid.get(idx),
            column=column,
        )


def _code_list(mapping: EdcMapping, spec: Variable) -> tuple[str, dict[str, str]]:
    """Return the code list of a variable: its name (or ``"inline"``) and codes (stripped) to values."""
    if isinstance(spec.codes, str):
        return spec.codes, {k.strip(): v for k, v in mapping.code_lists[spec.codes].items()}
    return "of this variable", {k.strip(): v for k, v in (spec.codes or {}).items()}


def _missing_column(out: _Collector, part: _Part, column: str, where: str) -> None:
    out.add(
        part.dataset,
        part.table.file,
        f"column {column} (mapping {where}) is not in the export; the variable is left out",
        check="mapping column",
        column=column,
    )


def _column_values(
    mapping: EdcMapping, part: _Part, variable: str, spec: Variable, out: _Collector
) -> pd.Series | None:
    column = str(spec.column)
    frame = part.table.frame
    where = f"datasets.{part.dataset}.variables.{variable}"
    if column not in frame:
        _missing_column(out, part, column, where)
        return None
    raw = frame.loc[part.index, column]
    values = raw.copy()
    if spec.codes is not None:
        name, codes = _code_list(mapping, spec)
        mapped = raw.map(lambda v: codes.get(v) if isinstance(v, str) else np.nan)
        bad = raw.notna() & mapped.isna()
        shown = ", ".join(codes)
        what = f"is not in code list {name} ({shown})"
        _report(out, part, bad, raw, column, variable, "code list", what, spec.default)
        values = mapped
    if _is_date(part.dataset, variable, spec):
        fmt = spec.date_format or mapping.date_format
        dates = pd.to_datetime(values, format=fmt, errors="coerce")
        bad = values.notna() & dates.isna()
        what = f"is not a date in the format {fmt!r}"
        _report(out, part, bad, values, column, variable, "date format", what, spec.default)
        values = dates.dt.strftime(_ISO).where(dates.notna(), np.nan)
    if spec.prefix is not None:
        values = values.map(lambda v: f"{spec.prefix}{v}" if isinstance(v, str) else v)
    return values.astype(object)


def _checkbox_values(
    mapping: EdcMapping, part: _Part, variable: str, spec: Variable, out: _Collector
) -> pd.Series | None:
    field = str(spec.checkbox)
    frame = part.table.frame
    _, codes = _code_list(mapping, spec)
    columns = {code: checkbox_column(field, code) for code in codes}
    absent = [c for c in columns.values() if c not in frame]
    if absent:
        _missing_column(
            out, part, ", ".join(absent), f"datasets.{part.dataset}.variables.{variable}.checkbox"
        )
        return None
    ticked = pd.DataFrame(index=part.index)
    for code, column in columns.items():
        cells = frame.loc[part.index, column]
        lowered = cells.str.lower()
        bad = cells.notna() & ~lowered.isin(_TICKED | _UNTICKED)
        for idx in bad[bad].index:
            out.add(
                part.dataset,
                part.table.file,
                f"{column} value {cells.at[idx]!r} is neither ticked (1, Checked) nor not (0, Unchecked); "
                f"choice {codes[code]!r} not used",
                check="checkbox",
                severity="warning",
                row=int(part.table.rows[idx]),
                usubjid=part.usubjid.get(idx),
                column=column,
            )
        ticked[code] = lowered.isin(_TICKED)
    # Tuples, not lists: hashable, so that rows of several events can be compared when collapsed.
    chosen = pd.Series(
        [tuple(codes[c] for c in codes if r[c]) for r in ticked.to_dict("records")],
        index=part.index,
        dtype=object,
    )
    if spec.join is not None:
        joined = chosen.map(lambda v: spec.join.join(v) if v else np.nan)  # type: ignore[union-attr]
        return joined.astype(object)
    return chosen.map(lambda v: v if v else np.nan).astype(object)


def _event_flag(part: _Part, variable: str, spec: Variable, out: _Collector) -> pd.Series | None:
    flag = spec.event_flag
    assert flag is not None
    frame = part.table.frame
    if flag.column not in frame:
        _missing_column(out, part, flag.column, f"datasets.{part.dataset}.variables.{variable}.event_flag")
        return None
    raw = frame.loc[part.index, flag.column]
    # CNSR = 0 is an event (rules.EVENT_CNSR); every censoring code becomes 1.
    codes = {c.strip(): str(rules.EVENT_CNSR) for c in flag.event}
    codes |= {c.strip(): "1" for c in flag.censored}
    values = raw.map(lambda v: codes.get(v) if isinstance(v, str) else np.nan)
    bad = raw.notna() & values.isna()
    listed = f"event {', '.join(flag.event)}; censored {', '.join(flag.censored)}"
    _report(
        out,
        part,
        bad,
        raw,
        flag.column,
        variable,
        "code list",
        f"is not an event or censoring code ({listed})",
    )
    return values.astype(object)


def _duration(frame: pd.DataFrame, spec: Variable) -> pd.Series:
    """``end - start`` in the duration's unit, as text; missing when either date is."""
    duration = spec.duration
    assert duration is not None
    missing = pd.Series(np.nan, index=frame.index, dtype=object)
    start = pd.to_datetime(frame.get(duration.start, missing), format=_ISO, errors="coerce")
    end = pd.to_datetime(frame.get(duration.end, missing), format=_ISO, errors="coerce")
    amount = (end - start).dt.days / rules.unit_days(duration.unit)
    # Written as a CSV would hold it: whole numbers without a decimal point.
    return amount.map(
        lambda v: np.nan if pd.isna(v) else (str(int(v)) if float(v).is_integer() else repr(float(v)))
    ).astype(object)


def _select(
    mapping: EdcMapping, spec: DatasetMap, part_dataset: str, table: ExportTable, out: _Collector
) -> pd.Index | None:
    """Return the rows of ``table`` that feed a dataset (REDCap: its events and repeating form)."""
    frame = table.frame
    keep = pd.Series(True, index=frame.index)
    if mapping.export.kind != "redcap":
        return frame.index
    if REDCAP_REPEAT_INSTRUMENT in frame:
        instrument = frame[REDCAP_REPEAT_INSTRUMENT]
    elif spec.form is not None:
        out.add(
            part_dataset,
            table.file,
            f"column {REDCAP_REPEAT_INSTRUMENT} is not in the export, so form {spec.form!r} has no rows; "
            f"{part_dataset.upper()} not read",
            check="mapping column",
            column=REDCAP_REPEAT_INSTRUMENT,
        )
        return None
    else:
        instrument = pd.Series(np.nan, index=frame.index, dtype=object)
    if spec.form is not None:
        keep &= instrument.eq(spec.form)
        if not keep.any():
            out.add(
                part_dataset,
                table.file,
                f"repeating form {spec.form!r} has no rows in the export",
                check="mapping rows",
                severity="warning",
                column=REDCAP_REPEAT_INSTRUMENT,
            )
    else:
        keep &= instrument.isna()
    if spec.events is not None:
        if REDCAP_EVENT not in frame:
            out.add(
                part_dataset,
                table.file,
                f"column {REDCAP_EVENT} is not in the export (a project without events?); "
                f"remove events from the mapping. {part_dataset.upper()} not read",
                check="mapping column",
                column=REDCAP_EVENT,
            )
            return None
        present = set(frame[REDCAP_EVENT].dropna())
        for event in spec.events:
            if event not in present:
                out.add(
                    part_dataset,
                    table.file,
                    f"event {event!r} has no rows in the export",
                    check="mapping rows",
                    severity="warning",
                    column=REDCAP_EVENT,
                )
        keep &= frame[REDCAP_EVENT].isin(spec.events)
    return frame.index[keep.to_numpy()]


def _collapse(
    spec: DatasetMap, part: _Part, record: pd.Series, out: _Collector
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per record from the rows of several events: each variable's first value in event order."""
    frame = pd.DataFrame(part.values, index=part.index)
    events = part.table.frame.loc[part.index, REDCAP_EVENT] if REDCAP_EVENT in part.table.frame else None
    order = (
        events.map({e: i for i, e in enumerate(spec.events or [])}).fillna(len(spec.events or [])).to_numpy()
        if events is not None
        else np.zeros(len(part.index))
    )
    first_seen = pd.Series(pd.factorize(record)[0], index=part.index)
    ranked = pd.DataFrame(
        {"record": first_seen, "order": order, "pos": np.arange(len(part.index))}, index=part.index
    )
    ranked = ranked.sort_values(["record", "order", "pos"], kind="stable")
    frame = frame.loc[ranked.index]
    groups = ranked["record"].to_numpy()
    # Variables filled in two events with different values: the first (in event order) is used, and said.
    counts = frame.groupby(groups, sort=False).nunique(dropna=True)
    for variable in counts.columns:
        for group in counts.index[counts[variable].to_numpy() > 1]:
            rows = frame.index[groups == group]
            filled = frame.loc[rows, variable].dropna()
            filled = filled[~filled.duplicated()]
            shown = " and ".join(f"{v!r} (row {int(part.table.rows[i])})" for i, v in filled.items())
            first = filled.index[0]
            out.add(
                part.dataset,
                part.table.file,
                f"{variable} has different values in the record's rows: {shown}; the first is used",
                check="one value per record",
                severity="warning",
                row=int(part.table.rows[first]),
                usubjid=part.usubjid.get(first),
                column=str(spec.variables[variable].column or variable),
            )
    collapsed = frame.groupby(groups, sort=False).first()
    # Groups are numbered in order of first appearance, and groupby(sort=False) keeps that order: the first
    # row of group g (in event order) is where np.unique first sees g.
    firsts = frame.index.to_numpy()[np.unique(groups, return_index=True)[1]]
    return collapsed.reindex(columns=frame.columns).reset_index(drop=True), part.table.rows[firsts]


def _map_dataset(
    mapping: EdcMapping,
    dataset: str,
    table: ExportTable,
    adsl: pd.DataFrame | None,
    out: _Collector,
) -> _Raw | None:
    spec = mapping.datasets[dataset]  # type: ignore[index]
    index = _select(mapping, spec, dataset, table, out)
    if index is None:
        return None
    part = _Part(dataset, table, index, {}, pd.Series(np.nan, index=index, dtype=object))
    simple = [
        v for v, s in spec.variables.items() if s.source in ("column", "value", "checkbox", "event_flag")
    ]
    # USUBJID first, so that every later problem can name the subject.
    simple.sort(key=lambda v: v != "USUBJID")
    for variable in simple:
        vspec = spec.variables[variable]
        if vspec.source == "value":
            values: pd.Series | None = pd.Series(vspec.value, index=index, dtype=object)
        elif vspec.source == "column":
            values = _column_values(mapping, part, variable, vspec, out)
        elif vspec.source == "checkbox":
            values = _checkbox_values(mapping, part, variable, vspec, out)
        else:
            values = _event_flag(part, variable, vspec, out)
        if values is not None:
            part.values[variable] = values
            if variable == "USUBJID":
                part.usubjid = values
    if mapping.export.kind == "redcap" and spec.form is None:
        record_id = mapping.export.record_id
        if record_id not in table.frame:
            _missing_column(out, part, record_id, "export.record_id")
            return None
        frame, rows = _collapse(spec, part, table.frame.loc[index, record_id], out)
    else:
        frame = pd.DataFrame(part.values, index=index).reset_index(drop=True)
        rows = table.rows[index]
    frame = frame.reindex(columns=[v for v in spec.variables if v in part.values])
    exploding = [v for v, s in spec.variables.items() if s.checkbox is not None and s.join is None]
    if exploding and exploding[0] in frame:
        # One row per ticked box; a row with none ticked gives no row.
        frame = frame.assign(_row=rows).explode(exploding[0])
        frame = frame.loc[frame[exploding[0]].notna()].reset_index(drop=True)
        rows = frame.pop("_row").to_numpy()
    for variable, vspec in spec.variables.items():
        # After rows are collapsed: a record's other events leave the column empty, which is not "missing".
        if vspec.default is not None and variable in frame:
            frame[variable] = frame[variable].where(frame[variable].notna(), vspec.default)
    for variable, vspec in spec.variables.items():
        if vspec.from_adsl is not None:
            frame[variable] = _from_adsl(frame, adsl, vspec.from_adsl)
    for variable, vspec in spec.variables.items():
        if vspec.duration is not None:
            frame[variable] = _duration(frame, vspec)
    columns = [v for v in spec.variables if v in frame]
    for variable, vspec in spec.variables.items():
        if vspec.duration is not None and "AVALU" not in spec.variables and variable in columns:
            # The unit goes with the time it measures: AVALU is set from the duration when not mapped.
            frame["AVALU"] = vspec.duration.unit
            columns.insert(columns.index(variable) + 1, "AVALU")
    result = frame[columns].astype(object).reset_index(drop=True)
    return _Raw(result, table.file, np.asarray(rows, dtype=int))


def _from_adsl(frame: pd.DataFrame, adsl: pd.DataFrame | None, variable: str) -> pd.Series:
    """Return the subject's ADSL value of ``variable`` on each row (missing for a subject not in ADSL)."""
    if adsl is None or variable not in adsl or "USUBJID" not in adsl or "USUBJID" not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    by_subject = adsl.drop_duplicates("USUBJID").set_index("USUBJID")[variable]
    return frame["USUBJID"].map(by_subject).astype(object)


def map_export(mapping: EdcMapping, tables: dict[str, ExportTable], out: _Collector) -> dict[str, _Raw]:
    """Turn the tables of an export into the datasets the mapping describes.

    Parameters
    ----------
    mapping : EdcMapping
        A checked mapping (:func:`~medcare_metrics.loading.edc.parse_mapping`).
    tables : dict of str to ExportTable
        The export's files, keyed by their name under ``export.files``; a file absent here (not found or not
        readable, already reported) leaves its datasets out.
    out : _Collector
        Where problems go.

    Returns
    -------
    dict of str to _Raw
        One table of text per mapped dataset, as a native file would be read.
    """
    raws: dict[str, _Raw] = {}
    for dataset in DATASETS:
        spec = mapping.datasets.get(dataset)  # type: ignore[call-overload]
        if spec is None or spec.file not in tables:
            continue
        adsl = raws["adsl"].frame if "adsl" in raws else None
        raw = _map_dataset(mapping, dataset, tables[spec.file], adsl, out)
        if raw is not None:
            raws[dataset] = raw
    return raws
