"""The mapping file: its YAML text, checked against pydantic models, each problem named by its key path.

The file is read with ``yaml.safe_load`` (plain data only: no Python objects, no tags) after a scan that
refuses aliases, so a small file cannot expand into a huge tree. Nothing in it is ever executed: code lists
are looked up, date formats are ``strptime`` formats, derivations are a fixed set of named operations.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from medcare_metrics.errors import MedcareError
from medcare_metrics.model import DATASETS

#: Largest mapping file read, in bytes: a mapping is a page or two of YAML.
MAX_MAPPING_BYTES = 1 << 20
#: Export kinds: a REDCap "records" export, or plain tables (one form per file, one row per record).
EXPORT_KINDS: tuple[str, ...] = ("redcap", "tables")
#: The columns of a REDCap records export that say which event and which repeating form a row belongs to.
REDCAP_EVENT = "redcap_event_name"
REDCAP_REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REDCAP_REPEAT_INSTANCE = "redcap_repeat_instance"
_VARIABLE_NAME = r"^[A-Z][A-Z0-9_]*$"
VariableName = Annotated[str, StringConstraints(pattern=_VARIABLE_NAME)]

DatasetName = Literal["adsl", "adtte", "adae", "adtu", "adlb"]
TimeUnit = Literal["DAYS", "WEEKS", "MONTHS", "YEARS"]


class _Strict(BaseModel):
    """A part of the mapping: unknown keys are refused; numbers where text is expected are read as text."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Duration(_Strict):
    """``AVAL`` from two dates of the same dataset: ``(end - start)`` in ``unit``."""

    start: str
    end: str
    unit: TimeUnit = "DAYS"


class EventFlag(_Strict):
    """``CNSR`` from a status column: codes meaning an event give ``CNSR = 0``, censoring codes ``1``."""

    column: str
    event: list[str] = Field(min_length=1)
    censored: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _disjoint(self) -> EventFlag:
        both = sorted(set(self.event) & set(self.censored))
        if both:
            raise ValueError(f"code(s) {', '.join(both)} listed both as event and as censored")
        return self


#: The keys of a variable that say where its value comes from; exactly one is given.
SOURCES: tuple[str, ...] = ("column", "value", "checkbox", "from_adsl", "duration", "event_flag")


class Variable(_Strict):
    """Where one dataset variable comes from, and how its values are turned into the dataset's values.

    A bare string in the YAML (``AGE: age``) is short for ``{column: age}``.
    """

    column: str | None = None
    value: str | None = None
    checkbox: str | None = None
    from_adsl: str | None = None
    duration: Duration | None = None
    event_flag: EventFlag | None = None
    codes: str | dict[str, str] | None = None
    date_format: str | None = None
    prefix: str | None = None
    join: str | None = None
    default: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"column": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_source(self) -> Variable:
        given = [k for k in SOURCES if getattr(self, k) is not None]
        if len(given) != 1:
            what = "none" if not given else ", ".join(given)
            raise ValueError(f"give exactly one of {', '.join(SOURCES)} (found {what})")
        source = given[0]
        allowed = {
            "column": {"codes", "date_format", "prefix", "default"},
            "checkbox": {"codes", "join"},
            "event_flag": set(),
            "value": set(),
            "from_adsl": set(),
            "duration": set(),
        }[source]
        extra = [
            k for k in ("codes", "date_format", "prefix", "join", "default") if getattr(self, k) is not None
        ]
        misplaced = [k for k in extra if k not in allowed]
        if misplaced:
            raise ValueError(f"{', '.join(misplaced)} cannot be used with {source}")
        if source == "checkbox" and self.codes is None:
            raise ValueError("a checkbox needs codes: its choices, which name its columns (field___code)")
        return self

    @field_validator("date_format")
    @classmethod
    def _strptime_format(cls, fmt: str | None) -> str | None:
        return None if fmt is None else check_date_format(fmt)

    @property
    def source(self) -> str:
        """The key that gives the value (one of :data:`SOURCES`)."""
        return next(k for k in SOURCES if getattr(self, k) is not None)


class DatasetMap(_Strict):
    """Which rows of which export file make one dataset, and its variables in column order."""

    file: str
    events: list[str] | None = None
    form: str | None = None
    variables: dict[VariableName, Variable] = Field(min_length=1)

    @field_validator("events", mode="before")
    @classmethod
    def _one_event(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Export(_Strict):
    """The export's kind, its files and the column identifying the record (subject)."""

    kind: Literal["redcap", "tables"] = "redcap"
    files: dict[str, str] = Field(min_length=1)
    record_id: str = "record_id"


class EdcMapping(_Strict):
    """A whole mapping file (``docs/data-dictionary.md``, "Mapping file")."""

    version: Literal[1]
    export: Export
    date_format: str = "%Y-%m-%d"
    code_lists: dict[str, dict[str, str]] = Field(default_factory=dict)
    datasets: dict[DatasetName, DatasetMap]

    @field_validator("date_format")
    @classmethod
    def _strptime_format(cls, fmt: str) -> str:
        return check_date_format(fmt)


def check_date_format(fmt: str) -> str:
    """Return ``fmt`` when it is a ``strptime`` format that writes and reads back a date, else raise.

    Parameters
    ----------
    fmt : str
        E.g. ``"%d/%m/%Y"``.

    Returns
    -------
    str
        ``fmt``.

    Raises
    ------
    ValueError
        When a date written with ``fmt`` does not read back as the same date (no year, month or day, or an
        unknown directive).
    """
    sample = datetime.date(2001, 2, 3)
    try:
        back = datetime.datetime.strptime(sample.strftime(fmt), fmt).date()
    except ValueError:
        back = None
    if back != sample:
        raise ValueError(
            f"{fmt!r} is not a date format with day, month and year (e.g. '%d/%m/%Y', '%Y-%m-%d')"
        )
    return fmt


@dataclass(frozen=True)
class MappingProblem:
    """One problem of a mapping file: where (key path and line) and what."""

    path: str
    line: int | None
    message: str

    @property
    def dataset(self) -> str:
        """The dataset the problem is about (``adsl`` when it is about the file as a whole)."""
        parts = self.path.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == "datasets" and parts[1] in DATASETS else "adsl"


class MappingError(MedcareError, ValueError):
    """A mapping file that cannot be used; :attr:`problems` names each problem with its key path and line."""

    def __init__(self, name: str, problems: list[MappingProblem]) -> None:
        self.name = name
        self.problems = tuple(problems)
        first = problems[0]
        where = f"{first.path}: " if first.path else ""
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{name}: {where}{first.message}{more}")

    def frame(self) -> pd.DataFrame:
        """Return the problems in the columns of ``LoadResult.problems`` (file = the mapping, row = its line).

        Returns
        -------
        pandas.DataFrame
            One row per problem; ``column`` holds the key path, ``check`` is ``"mapping"``.
        """
        from medcare_metrics.loading.validation import _Collector

        out = _Collector()
        for p in self.problems:
            out.add(p.dataset, self.name, p.message, check="mapping", row=p.line, column=p.path or None)
        return out.frame()


def _key_lines(node: yaml.Node, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], int]]:
    """Yield each key path of a composed YAML tree with the 1-based line of its key (or item)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            yield sub, key.start_mark.line + 1
            yield from _key_lines(value, sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield (*path, str(i)), item.start_mark.line + 1
            yield from _key_lines(item, (*path, str(i)))


def _path_text(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _error_message(error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return "unknown key; check its spelling (docs/data-dictionary.md lists every key)"
    if kind == "missing":
        return "required key missing"
    if kind == "string_pattern_mismatch":
        return f"{value!r}: variable names are upper-case ADaM names (letters, digits, _)"
    if isinstance(value, bool):
        return "YAML reads yes/no/on/off/true/false as true or false, not as text: put the value in quotes"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _loc_path(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's error location without its internal steps (``[key]``, validator and union names)."""
    skip = {"[key]", "function-after", "function-before", "str", "dict[str,str]"}
    return tuple(p for p in loc if not (isinstance(p, str) and (p in skip or p.startswith("function-"))))


def _cross_checks(mapping: EdcMapping) -> list[tuple[tuple[Any, ...], str]]:
    """Problems that need the whole mapping: references between its parts."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if "adsl" not in mapping.datasets:
        found.append((("datasets",), "no adsl: the subject-level dataset is required"))
    adsl_vars = mapping.datasets["adsl"].variables if "adsl" in mapping.datasets else {}
    for name, ds in mapping.datasets.items():
        at: tuple[Any, ...] = ("datasets", name)
        if ds.file not in mapping.export.files:
            known = ", ".join(mapping.export.files)
            found.append(((*at, "file"), f"file {ds.file!r} is not one of export.files ({known})"))
        if mapping.export.kind == "tables":
            for key in ("events", "form"):
                if getattr(ds, key) is not None:
                    found.append(((*at, key), f"{key} is for kind: redcap; a table's every row is a row"))
        exploding = [v for v, spec in ds.variables.items() if spec.checkbox is not None and spec.join is None]
        if len(exploding) > 1:
            found.append(
                (
                    (*at, "variables"),
                    f"only one checkbox per dataset may give one row per ticked box: {exploding}",
                )
            )
        for var, spec in ds.variables.items():
            vat = (*at, "variables", var)
            if isinstance(spec.codes, str) and spec.codes not in mapping.code_lists:
                found.append(((*vat, "codes"), f"code list {spec.codes!r} is not defined under code_lists"))
            if spec.from_adsl is not None:
                if name == "adsl":
                    found.append(((*vat, "from_adsl"), "from_adsl copies ADSL values onto other datasets"))
                elif spec.from_adsl not in adsl_vars:
                    found.append(
                        ((*vat, "from_adsl"), f"{spec.from_adsl} is not a variable of datasets.adsl")
                    )
            if spec.duration is not None:
                for end in ("start", "end"):
                    ref = getattr(spec.duration, end)
                    other = ds.variables.get(ref)
                    if other is None or other.duration is not None:
                        found.append(
                            (
                                (*vat, "duration", end),
                                f"{ref} is not a (non-duration) variable of this dataset",
                            )
                        )
            if spec.event_flag is not None and var != "CNSR":
                found.append(((*vat, "event_flag"), "event_flag gives CNSR (0 = event, 1 = censored)"))
        if any(spec.from_adsl for spec in ds.variables.values()) and "USUBJID" not in ds.variables:
            found.append(((*at, "variables"), "from_adsl needs USUBJID in this dataset to find the subject"))
    return found


def parse_mapping(text: str | bytes, *, name: str = "mapping.yaml") -> EdcMapping:
    """Read and check a mapping file.

    Parameters
    ----------
    text : str or bytes
        The YAML text (bytes are read as UTF-8).
    name : str, default "mapping.yaml"
        The file's name, used in problems.

    Returns
    -------
    EdcMapping
        The checked mapping.

    Raises
    ------
    MappingError
        With every problem found, each named by its key path (``datasets.adsl.variables.SEX.codes``) and the
        line of that key in the file.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_MAPPING_BYTES:
            raise MappingError(name, [MappingProblem("", None, f"larger than {MAX_MAPPING_BYTES} bytes")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MappingError(name, [MappingProblem("", None, f"not UTF-8 text ({exc.reason})")]) from None
    if len(text) > MAX_MAPPING_BYTES:
        raise MappingError(name, [MappingProblem("", None, f"larger than {MAX_MAPPING_BYTES} characters")])
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                raise MappingError(name, [MappingProblem("", line, "YAML aliases (*name) are not allowed")])
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        what = getattr(exc, "problem", None) or str(exc)
        raise MappingError(name, [MappingProblem("", line, f"not valid YAML: {what}")]) from None
    if not isinstance(data, dict):
        raise MappingError(
            name, [MappingProblem("", 1, "the file must be a YAML mapping of keys (version, export, ...)")]
        )
    lines = dict(_key_lines(root)) if root is not None else {}

    def line_of(path: tuple[Any, ...]) -> int | None:
        path = tuple(str(p) for p in path)
        # The key itself, else its nearest parent present in the file (a missing key has no line of its own).
        for n in range(len(path), 0, -1):
            if path[:n] in lines:
                return lines[path[:n]]
        return None

    try:
        mapping = EdcMapping.model_validate(data)
    except ValidationError as err:
        problems = []
        for error in err.errors():
            path = _loc_path(tuple(error["loc"]))
            problems.append(MappingProblem(_path_text(path), line_of(path), _error_message(error)))
        raise MappingError(name, problems) from None
    cross = _cross_checks(mapping)
    if cross:
        raise MappingError(name, [MappingProblem(_path_text(p), line_of(p), m) for p, m in cross])
    return mapping
