"""Reading a study file (TOML or YAML) into a :class:`~medcare_metrics.study.StudyDefinition`.

Every wrong key or value is collected before anything is raised: one :class:`StudyFileError` names them all,
each with the file, the key path (``benchmarks[2].median``), the value and the problem.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from medcare_metrics.errors import MedcareError
from medcare_metrics.study.definition import (
    Assessment,
    Benchmark,
    Eligibility,
    Endpoint,
    StudyDefinition,
    ToxicityRule,
    VisitSchedule,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as a package (requirements.txt)
    import tomli as tomllib

__all__ = ["STUDY_FILE_EXTENSIONS", "StudyFileError", "load_study", "parse_study"]

#: File extensions of study files, by format.
STUDY_FILE_EXTENSIONS: dict[str, str] = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
#: Columns of :attr:`StudyFileError.problems`.
PROBLEM_COLUMNS: tuple[str, ...] = ("file", "key", "value", "problem")
#: Largest study file read, in bytes: a study file is a page of text.
MAX_STUDY_FILE_BYTES = 1_000_000


class StudyFileError(MedcareError, ValueError):
    """A study file that cannot be used; the message lists every problem, one per line.

    Attributes
    ----------
    file : str
        The file's path.
    problems : pandas.DataFrame
        One row per problem, columns ``file``, ``key``, ``value``, ``problem``.
    """

    def __init__(self, file: str, problems: list[dict[str, str]]) -> None:
        self.file = file
        self.problems = pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS))
        lines = [
            f"{p['key']}: {p['problem']}" + (f" (got {p['value']})" if p["value"] else "") for p in problems
        ]
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"study file {file}: {count}\n" + "\n".join(f"- {line}" for line in lines))


# The file's shape. Strict: a number written as text ("18") is an error, not silently read; lists, not tuples,
# because TOML and YAML give lists. Defaults are those of the dataclasses.
_STRICT = ConfigDict(extra="forbid", strict=True)


class _Endpoint(BaseModel):
    model_config = _STRICT
    paramcd: str
    label: str
    primary: bool = False


class _Benchmark(BaseModel):
    model_config = _STRICT
    paramcd: str
    population: str
    median: float
    lower: float
    upper: float
    source: str = ""


class _Eligibility(BaseModel):
    model_config = _STRICT
    castrate_testosterone_ng_dl: float | None = None
    max_lesions: int | None = None
    max_who_ps: int | None = None
    min_age: float | None = None
    criteria: dict[str, str] = {}


class _ToxicityRule(BaseModel):
    model_config = _STRICT
    description: str
    unacceptable_rate: float
    method: Literal["pocock", "bayesian"] = "pocock"
    min_grade: int = 3
    related_only: bool = True
    window: Literal["acute", "any"] = "acute"
    max_patients: int | None = None
    alpha: float = 0.05
    prior_a: float = 1.0
    prior_b: float = 1.0
    posterior_threshold: float = 0.9


class _Assessment(BaseModel):
    model_config = _STRICT
    name: str
    every_months: float


class _VisitSchedule(BaseModel):
    model_config = _STRICT
    assessments: list[_Assessment]
    tolerance_days: int = 30


class _Study(BaseModel):
    model_config = _STRICT
    study_id: str
    title: str = ""
    target_enrollment: int | None = None
    planned_accrual_months: float | None = None
    endpoints: list[_Endpoint] = []
    benchmarks: list[_Benchmark] = []
    centres: list[str] = []
    centre_targets: dict[str, int] = {}
    mdt_types: list[str] = []
    mdt_lesion_types: list[str] = []
    radiotherapy_types: list[str] = []
    site_categories: list[str] = []
    systemic_therapies: list[str] = []
    primary_treatments: list[str] = []
    eligibility: _Eligibility = _Eligibility()
    acute_window_days: int = 90
    small_numbers_threshold: int = 3
    alpha_beta_gy: float = 1.5
    landmark_months: list[float] = [6.0, 12.0, 18.0, 24.0]
    toxicity_rule: _ToxicityRule | None = None
    visit_schedule: _VisitSchedule | None = None


def _key_path(loc: tuple[int | str, ...]) -> str:
    """Return a pydantic error location as a key path: ``benchmarks[2].median``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _shown(value: object) -> str:
    """Return a value as the message shows it: its repr, shortened."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _pydantic_problems(error: ValidationError) -> list[tuple[str, str, str]]:
    """Return (key, value, problem) for each error pydantic found."""
    out = []
    for e in error.errors(include_url=False):
        kind = e["type"]
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p in _UNION_BRANCHES))
        if kind == "extra_forbidden":
            problem, value = "unknown key", ""
        elif kind == "missing":
            problem, value = "required key missing", ""
        else:
            problem, value = e["msg"].replace("Input should be", "should be"), _shown(e.get("input"))
        out.append((_key_path(loc), value, problem))
    # One problem per key: a value wrong for both branches of "x | None" is reported once.
    return list(dict.fromkeys(out))


# Branch names pydantic puts in the location of a union's errors ("int | None" -> "int", "none").
_UNION_BRANCHES = {"int", "float", "str", "bool", "none", "list[str]", "list[float]", "_ToxicityRule"}


def _number(value: object) -> float | None:
    """Return ``value`` as a finite float, or None when it is not a number (its own problem is reported)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _cross_problems(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Return (key, value, problem) for the rules between keys: endpoints, benchmarks, rates, counts.

    Run on the raw file, so these are reported alongside pydantic's type errors; a value of the wrong type is
    skipped here (pydantic names it).
    """
    out: list[tuple[str, str, str]] = []
    endpoints = data.get("endpoints")
    codes: list[str] = []
    if isinstance(endpoints, list):
        primaries = [i for i, e in enumerate(endpoints) if isinstance(e, dict) and e.get("primary") is True]
        if endpoints and len(primaries) != 1:
            which = ", ".join(f"endpoints[{i}]" for i in primaries) or "none"
            out.append(("endpoints", which, "exactly one endpoint must have primary = true"))
        elif primaries and primaries[0] != 0:
            out.append(
                (f"endpoints[{primaries[0]}].primary", "True", "the primary endpoint must be listed first")
            )
        for i, e in enumerate(endpoints):
            code = e.get("paramcd") if isinstance(e, dict) else None
            if isinstance(code, str):
                if code in codes:
                    out.append((f"endpoints[{i}].paramcd", _shown(code), "endpoint listed twice"))
                if code != code.strip() or not code:
                    out.append((f"endpoints[{i}].paramcd", _shown(code), "must be a non-empty PARAMCD"))
                codes.append(code)
    benchmarks = data.get("benchmarks")
    if isinstance(benchmarks, list):
        for i, b in enumerate(benchmarks):
            if not isinstance(b, dict):
                continue
            code = b.get("paramcd")
            if isinstance(code, str) and isinstance(endpoints, list) and code not in codes:
                known = ", ".join(codes) or "none"
                out.append(
                    (f"benchmarks[{i}].paramcd", _shown(code), f"not an endpoint (endpoints: {known})")
                )
            median, lower, upper = (_number(b.get(k)) for k in ("median", "lower", "upper"))
            for key, value in (("median", median), ("lower", lower), ("upper", upper)):
                if value is not None and value <= 0:
                    out.append(
                        (f"benchmarks[{i}].{key}", _shown(b.get(key)), "must be a positive number of months")
                    )
            if (
                median is not None
                and lower is not None
                and upper is not None
                and not lower <= median <= upper
            ):
                out.append(
                    (
                        f"benchmarks[{i}].median",
                        _shown(b.get("median")),
                        f"outside its confidence interval {lower:g} to {upper:g} (lower <= median <= upper)",
                    )
                )
            elif lower is not None and upper is not None and lower > upper:
                out.append((f"benchmarks[{i}].lower", _shown(b.get("lower")), "greater than upper"))
    positive = ("target_enrollment", "planned_accrual_months", "acute_window_days", "small_numbers_threshold")
    for key in (*positive, "alpha_beta_gy"):
        value = _number(data.get(key))
        if value is not None and value <= 0:
            out.append((key, _shown(data.get(key)), "must be greater than 0"))
    centre_targets = data.get("centre_targets")
    if isinstance(centre_targets, dict):
        for centre, value in centre_targets.items():
            number = _number(value)
            if number is not None and number <= 0:
                out.append((f"centre_targets.{centre}", _shown(value), "must be greater than 0"))
    landmarks = data.get("landmark_months")
    if isinstance(landmarks, list):
        for i, value in enumerate(landmarks):
            number = _number(value)
            if number is not None and number <= 0:
                out.append((f"landmark_months[{i}]", _shown(value), "must be greater than 0"))
    lesion_types = data.get("mdt_lesion_types")
    rt_types = data.get("radiotherapy_types")
    if isinstance(lesion_types, list) and isinstance(rt_types, list) and lesion_types:
        for i, value in enumerate(rt_types):
            if isinstance(value, str) and value not in lesion_types:
                out.append((f"radiotherapy_types[{i}]", _shown(value), "not one of mdt_lesion_types"))
    rule = data.get("toxicity_rule")
    if isinstance(rule, dict):
        for key in ("unacceptable_rate", "alpha", "posterior_threshold"):
            value = _number(rule.get(key))
            if value is not None and not 0 < value < 1:
                out.append((f"toxicity_rule.{key}", _shown(rule.get(key)), "must be a rate between 0 and 1"))
        for key in ("prior_a", "prior_b", "max_patients"):
            value = _number(rule.get(key))
            if value is not None and value <= 0:
                out.append((f"toxicity_rule.{key}", _shown(rule.get(key)), "must be greater than 0"))
        grade = _number(rule.get("min_grade"))
        if grade is not None and not 1 <= grade <= 5:
            out.append(
                ("toxicity_rule.min_grade", _shown(rule.get("min_grade")), "must be a CTCAE grade 1 to 5")
            )
        if rule.get("max_patients") is None and data.get("target_enrollment") is None:
            out.append(("toxicity_rule.max_patients", "", "needed when the study has no target_enrollment"))
    schedule = data.get("visit_schedule")
    if isinstance(schedule, dict):
        tolerance = _number(schedule.get("tolerance_days"))
        if tolerance is not None and tolerance < 0:
            out.append(
                ("visit_schedule.tolerance_days", _shown(schedule.get("tolerance_days")), "must be 0 or more")
            )
        if isinstance(schedule.get("assessments"), list):
            for i, a in enumerate(schedule["assessments"]):
                every = _number(a.get("every_months")) if isinstance(a, dict) else None
                if every is not None and every <= 0:
                    key = f"visit_schedule.assessments[{i}].every_months"
                    out.append((key, _shown(a.get("every_months")), "must be greater than 0"))
    if "study_id" in data and isinstance(data["study_id"], str) and not data["study_id"].strip():
        out.append(("study_id", _shown(data["study_id"]), "must not be empty"))
    return out


def _definition(model: _Study, source: str) -> StudyDefinition:
    """Return the validated file as the frozen dataclass."""
    e = model.eligibility
    rule = model.toxicity_rule
    schedule = model.visit_schedule
    return StudyDefinition(
        study_id=model.study_id.strip(),
        title=model.title,
        target_enrollment=model.target_enrollment,
        planned_accrual_months=model.planned_accrual_months,
        endpoints=tuple(Endpoint(x.paramcd, x.label, x.primary) for x in model.endpoints),
        benchmarks=tuple(
            Benchmark(x.paramcd, x.population, x.median, x.lower, x.upper, x.source) for x in model.benchmarks
        ),
        centres=tuple(model.centres),
        centre_targets=tuple((str(k).strip(), int(v)) for k, v in model.centre_targets.items()),
        mdt_types=tuple(model.mdt_types),
        mdt_lesion_types=tuple(model.mdt_lesion_types),
        radiotherapy_types=tuple(model.radiotherapy_types),
        site_categories=tuple(model.site_categories),
        systemic_therapies=tuple(model.systemic_therapies),
        primary_treatments=tuple(model.primary_treatments),
        eligibility=Eligibility(
            castrate_testosterone_ng_dl=e.castrate_testosterone_ng_dl,
            max_lesions=e.max_lesions,
            max_who_ps=e.max_who_ps,
            min_age=e.min_age,
            criteria=dict(e.criteria),
        ),
        acute_window_days=model.acute_window_days,
        small_numbers_threshold=model.small_numbers_threshold,
        alpha_beta_gy=model.alpha_beta_gy,
        landmark_months=tuple(float(m) for m in model.landmark_months),
        toxicity_rule=None if rule is None else ToxicityRule(**rule.model_dump()),
        visit_schedule=None
        if schedule is None
        else VisitSchedule(
            assessments=tuple(Assessment(a.name, a.every_months) for a in schedule.assessments),
            tolerance_days=schedule.tolerance_days,
        ),
        source=source,
        neutral=False,
    )


def parse_study(data: object, file: str = "<study file>") -> StudyDefinition:
    """Validate the parsed contents of a study file and return the study definition.

    Parameters
    ----------
    data : object
        What ``tomllib`` or ``yaml.safe_load`` gave: a mapping of keys to values.
    file : str
        Names the file in problems, and becomes :attr:`StudyDefinition.source`.

    Returns
    -------
    StudyDefinition
        The study.

    Raises
    ------
    StudyFileError
        Naming every wrong key or value.
    """
    if not isinstance(data, dict):
        problem = "the file must hold keys and values (study_id = ...), not a list or a single value"
        raise StudyFileError(file, [_row(file, "(top level)", _shown(data), problem)])
    problems: list[tuple[str, str, str]] = []
    model: _Study | None = None
    try:
        model = _Study.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc))
    problems.extend(_cross_problems(data))
    if problems or model is None:
        raise StudyFileError(file, [_row(file, *p) for p in dict.fromkeys(problems)])
    return _definition(model, file)


def _row(file: str, key: str, value: str, problem: str) -> dict[str, str]:
    return {"file": file, "key": key, "value": value, "problem": problem}


def load_study(path: str | Path) -> StudyDefinition:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.toml`` file (read with :mod:`tomllib`) or a ``.yaml`` / ``.yml`` file (PyYAML ``safe_load``).
        Keys: ``docs/data-dictionary.md``, "Study file".

    Returns
    -------
    StudyDefinition
        With :attr:`~StudyDefinition.source` the path.

    Raises
    ------
    StudyFileError
        When the file is missing, unreadable, not valid TOML/YAML, or has any wrong key or value (all named).
    """
    path = Path(path)
    file = str(path)
    kind = STUDY_FILE_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise StudyFileError(file, [_row(file, "(file)", "", "a study file ends in .toml, .yaml or .yml")])
    try:
        size = path.stat().st_size
        if size > MAX_STUDY_FILE_BYTES:
            problem = f"file of {size:,} bytes; a study file is at most {MAX_STUDY_FILE_BYTES:,} bytes"
            raise StudyFileError(file, [_row(file, "(file)", "", problem)])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StudyFileError(file, [_row(file, "(file)", "", "file not found")]) from None
    except IsADirectoryError:
        raise StudyFileError(file, [_row(file, "(file)", "", "a folder, not a file")]) from None
    except OSError as exc:
        raise StudyFileError(file, [_row(file, "(file)", "", f"cannot be read ({exc.strerror})")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte {exc.start})"
        raise StudyFileError(file, [_row(file, "(file)", "", problem)]) from None
    try:
        data = tomllib.loads(text) if kind == "toml" else yaml.safe_load(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyFileError(file, [_row(file, "(file)", "", f"not valid TOML: {exc}")]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        problem = f"not valid YAML{at}: {getattr(exc, 'problem', None) or exc}"
        raise StudyFileError(file, [_row(file, "(file)", "", problem)]) from None
    return parse_study({} if data is None else data, file)
