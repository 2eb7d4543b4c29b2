"""CTCAE v5.0 terms and grade definitions, and the rules that check ADAE terms and grades against them.

The table ships with the package (``medcare_metrics/reference/ctcae_v5.csv``, provenance and licence in
``ctcae_v5.SOURCE.md`` beside it). Terms match case-insensitively and exactly (after trimming spaces):
``NAUSEA`` matches ``Nausea``; ``Nausea and vomiting`` matches nothing.

The checks are rules of :mod:`medcare_metrics.checks.engine`: :data:`TERM_RULES` (the term is a CTCAE term,
its SOC the CTCAE SOC) and :data:`GRADE_RULES` (the grade is 1-5 and defined for the term).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import SupportsInt, TypeAlias, cast

import numpy as np
import pandas as pd

from medcare_metrics.checks.engine import Condition, Needs, Rule, run_rules
from medcare_metrics.model import TrialData

CTCAE_VERSION = "5.0"
#: The shipped CTCAE v5.0 table.
CTCAE_PATH = Path(__file__).resolve().parents[1] / "reference" / "ctcae_v5.csv"
#: CTCAE grades.
GRADES: tuple[int, ...] = (1, 2, 3, 4, 5)
#: Columns of :func:`ctcae_problems`.
PROBLEM_COLUMNS: tuple[str, ...] = ("row", "USUBJID", "AEDECOD", "ATOXGR", "problem")
#: ADAE columns that identify an event in the source; copied into the problems when present.
EVENT_KEYS: tuple[str, ...] = ("AESEQ", "ASTDT")
#: Grade columns an ADAE may carry, in order of preference.
GRADE_COLUMNS: tuple[str, ...] = ("ATOXGR", "AETOXGR")

_NOT_APPLICABLE = "-"


def _clean(text: object) -> str | None:
    """Return ``text`` stripped, or None for a missing value or NCI's ``" -"`` (grade does not apply)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    return None if text in ("", _NOT_APPLICABLE) else text


def term_key(term: object) -> str:
    """Return the matching key of a term: trimmed and lower case (empty string for a missing value).

    Parameters
    ----------
    term : object
        A term as written in ADAE or in CTCAE.

    Returns
    -------
    str
        The key used to compare terms.
    """
    return term.strip().casefold() if isinstance(term, str) else ""


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    raw = pd.read_csv(CTCAE_PATH, keep_default_na=False, na_values=[""], dtype=str, encoding="utf-8")
    out = pd.DataFrame({"TERM": raw["CTCAE Term"].str.strip(), "SOC": raw["MedDRA SOC"].str.strip()})
    for g in GRADES:
        out[f"GRADE_{g}"] = raw[f"Grade {g}"].map(_clean)
    out["DEFINITION"] = raw["Definition"].map(_clean)
    return out


@lru_cache(maxsize=1)
def _by_key() -> dict[str, dict[str, str | None]]:
    return {term_key(rec["TERM"]): rec for rec in _table().to_dict("records")}


def ctcae_table() -> pd.DataFrame:
    """Return the CTCAE v5.0 table: one row per term.

    Returns
    -------
    pandas.DataFrame
        Columns TERM, SOC, GRADE_1 .. GRADE_5 (the grade's definition, None where the term has no such grade)
        and DEFINITION (the term's definition, None when CTCAE gives none). A copy: changing it does not
        change the cache.
    """
    return _table().copy()


def is_ctcae_term(term: object) -> bool:
    """Return True when ``term`` is a CTCAE v5.0 term (case-insensitive exact match)."""
    return term_key(term) in _by_key()


def term_grades(term: object) -> tuple[int, ...] | None:
    """Return the grades CTCAE v5.0 defines for ``term``.

    Parameters
    ----------
    term : object
        The term, in any case.

    Returns
    -------
    tuple of int or None
        The grades the term has (``(1, 2, 3)`` for a term without grades 4 and 5); None for an unknown term.
    """
    rec = _by_key().get(term_key(term))
    if rec is None:
        return None
    return tuple(g for g in GRADES if rec[f"GRADE_{g}"] is not None)


def term_soc(term: object) -> str | None:
    """Return the CTCAE v5.0 system organ class of ``term``, or None for an unknown term."""
    rec = _by_key().get(term_key(term))
    return None if rec is None else rec["SOC"]


def grade_definition(term: object, grade: object) -> str | None:
    """Return the CTCAE v5.0 definition of ``grade`` for ``term``, for hover texts.

    Parameters
    ----------
    term : object
        The term, in any case (``"NAUSEA"`` and ``"Nausea"`` both work).
    grade : object
        The grade, 1-5 (an int or anything ``int()`` accepts).

    Returns
    -------
    str or None
        The definition; None when the term is unknown, the grade is missing or not 1-5, or the term has no
        such grade.
    """
    rec = _by_key().get(term_key(term))
    if rec is None or grade is None or pd.isna(grade):
        return None
    try:
        g = int(cast(SupportsInt, grade))
    except (TypeError, ValueError):
        return None
    return rec.get(f"GRADE_{g}") if g in GRADES else None


def _grade_values(adae: pd.DataFrame) -> tuple[str | None, pd.Series]:
    """Return the grade column used and its values as Int64 (all missing when there is none)."""
    for col in GRADE_COLUMNS:
        if col in adae.columns:
            values = pd.to_numeric(adae[col], errors="coerce").astype("Float64")
            # A fractional grade is impossible: count it as missing (and list it) rather than round it.
            values = values.where(values == values.round())
            return col, values.astype("Int64")
    return None, pd.Series(pd.NA, index=adae.index, dtype="Int64")


#: A CTCAE term's record (grade definitions, SOC), or None for a term not in CTCAE.
Record: TypeAlias = dict[str, str | None] | None


def _adae(trial: TrialData) -> pd.DataFrame:
    adae = trial.adae
    assert adae is not None  # guarded by the rule's needs
    return adae


def _distinct(values: pd.Series) -> tuple[np.ndarray, list[object]] | None:
    """Return the codes and distinct values of ``values`` when each distinct value stands for its rows.

    None when it may not: an object column whose distinct values are not all plain ``str`` (factorize takes
    1, 1.0 and True as one value, and a ``str`` subclass as the equal ``str``, though they print
    differently).
    """
    codes, uniques = pd.factorize(values)
    distinct = list(uniques)
    if values.dtype == object and not all(type(v) is str for v in distinct):
        return None
    return codes, distinct


def _term_records(terms: pd.Series) -> list[Record]:
    """Return the CTCAE record of each term (None when not in CTCAE), looked up once per distinct term."""
    lookup = _by_key()
    coded = _distinct(terms)
    if coded is None:
        return [lookup.get(term_key(term)) for term in terms]
    codes, distinct = coded
    # Terms are a few dozen distinct values over thousands of events; a missing term (code -1) has none.
    table = [lookup.get(term_key(term)) for term in distinct] + [None]
    return [table[code] for code in codes.tolist()]


def _records(trial: TrialData) -> list[Record]:
    """Return the CTCAE record of each ADAE event's term (None for a term not in CTCAE), in ADAE order."""
    return _term_records(_adae(trial)["AEDECOD"])


def _problems(
    adae: pd.DataFrame, hit: pd.Series | np.ndarray, column: str, details: list[str] | str
) -> pd.DataFrame:
    """Return the findings of one rule: the events in ``hit`` with their detail."""
    hit = np.asarray(hit, dtype=bool)
    chosen = adae.loc[hit]
    return pd.DataFrame(
        {
            "USUBJID": chosen["USUBJID"].to_numpy(),
            "ROW": chosen.index,
            "COLUMN": column,
            "VALUE": chosen[column].astype("string").to_numpy() if column in chosen.columns else None,
            "DETAIL": details,
        }
    )


def _term_not_in_ctcae(trial: TrialData) -> pd.DataFrame:
    hit = np.array([rec is None for rec in _records(trial)], dtype=bool)
    return _problems(_adae(trial), hit, "AEDECOD", f"term not in CTCAE v{CTCAE_VERSION}")


def _soc_differs(trial: TrialData) -> pd.DataFrame:
    adae = _adae(trial)
    terms, socs = _distinct(adae["AEDECOD"]), _distinct(adae["AEBODSYS"])
    if terms is None or socs is None:
        return _soc_differs_by_row(adae, _records(trial))
    # One answer per distinct (term, SOC) pair: a few hundred pairs over thousands of events.
    term_codes, term_values = terms
    soc_codes, soc_values = socs
    lookup = _by_key()
    records = [lookup.get(term_key(term)) for term in term_values] + [None]
    pair = term_codes.astype(np.int64) * (len(soc_values) + 1) + (soc_codes + 1)
    pairs, inverse = np.unique(pair, return_inverse=True)
    notes: list[str | None] = []
    for value in pairs.tolist():
        term_code, soc_code = divmod(value, len(soc_values) + 1)
        rec = records[term_code if term_code >= 0 else -1]
        soc = soc_values[soc_code - 1] if soc_code > 0 else None
        differs = rec is not None and isinstance(soc, str) and term_key(soc) != term_key(rec["SOC"])
        notes.append(f"note: SOC {soc!r} differs from CTCAE SOC {rec['SOC']!r}" if differs and rec else None)
    hit = np.array([note is not None for note in notes], dtype=bool)[inverse.reshape(-1)]
    details = [notes[i] for i in inverse.reshape(-1)[hit].tolist()]
    return _problems(adae, hit, "AEBODSYS", cast(list[str], details))


def _soc_differs_by_row(adae: pd.DataFrame, records: list[Record]) -> pd.DataFrame:
    """:func:`_soc_differs` row by row: for columns whose distinct values cannot stand for their rows."""
    hit, details = [], []
    for rec, soc in zip(records, adae["AEBODSYS"], strict=True):
        differs = rec is not None and isinstance(soc, str) and term_key(soc) != term_key(rec["SOC"])
        hit.append(differs)
        if differs:
            assert rec is not None
            details.append(f"note: SOC {soc!r} differs from CTCAE SOC {rec['SOC']!r}")
    return _problems(adae, np.array(hit, dtype=bool), "AEBODSYS", details)


def _grade_missing(trial: TrialData) -> pd.DataFrame:
    adae = _adae(trial)
    column, grades = _grade_values(adae)
    assert column is not None  # guarded by the rule's needs
    # Loading sets an out-of-range grade (0, 6) missing and lists it as a validation problem.
    detail = f"grade missing ({column} empty, or not a grade 1-5 in the file: see validation)"
    return _problems(adae, grades.isna().to_numpy(), column, detail)


def _grade_problems(
    trial: TrialData,
    select: Callable[[pd.Series, list[Record]], pd.Series],
    say: Callable[[object, Record], str],
) -> pd.DataFrame:
    """Return the events ``select(grades, records)`` picks; ``say(grade, record)`` gives each detail."""
    adae = _adae(trial)
    column, grades = _grade_values(adae)
    assert column is not None  # guarded by the rule's needs
    records = _records(trial)
    hit = select(grades, records).fillna(False).astype(bool).to_numpy()
    details = [say(grades.iloc[p], records[p]) for p in np.flatnonzero(hit)]
    return _problems(adae, hit, column, details)


def _grade_below_1(trial: TrialData) -> pd.DataFrame:
    return _grade_problems(
        trial, lambda grades, _: grades.lt(min(GRADES)), lambda g, _: f"grade {g} (CTCAE grades are 1-5)"
    )


def _grade_above_5(trial: TrialData) -> pd.DataFrame:
    top = max(GRADES)
    return _grade_problems(trial, lambda grades, _: grades.gt(top), lambda g, _: f"grade {g} above {top}")


def _not_defined(grades: pd.Series, records: list[Record]) -> pd.Series:
    """Return True for a grade 1-5 that the event's CTCAE term does not define (" -" in the table)."""
    valid = (grades.ge(min(GRADES)) & grades.le(max(GRADES))).fillna(False).to_numpy(dtype=bool)
    # Events share a few dozen records: which grades each leaves undefined is worked out once per record.
    index: dict[int, int] = {}
    table: list[list[bool]] = []
    which = np.empty(len(records), dtype=np.intp)
    for position, rec in enumerate(records):
        slot = index.get(id(rec))
        if slot is None:
            slot = index[id(rec)] = len(table)
            table.append([g in GRADES and rec is not None and rec[f"GRADE_{g}"] is None for g in range(6)])
        which[position] = slot
    # Column 0 of the table stands for any grade that is not 1-5 (never undefined).
    grade = np.where(valid, grades.to_numpy(dtype=np.int64, na_value=0), 0)
    undefined = valid & np.array(table, dtype=bool).reshape(-1, 6)[which, grade]
    return pd.Series(undefined.tolist(), index=grades.index)  # as the list it was (object when empty)


def _say_not_defined(grade: object, rec: Record) -> str:
    assert rec is not None
    have = ", ".join(str(x) for x in GRADES if rec[f"GRADE_{x}"] is not None)
    return f"grade {grade} not defined for {rec['TERM']} in CTCAE v{CTCAE_VERSION} (grades {have})"


def _grade_not_defined(trial: TrialData) -> pd.DataFrame:
    return _grade_problems(trial, _not_defined, _say_not_defined)


def _grade_column_absent(trial: TrialData) -> list[str]:
    adae = trial.adae
    if adae is None or any(column in adae.columns for column in GRADE_COLUMNS):
        return []  # an absent ADAE is named by the rule's Needs
    return [" or ".join(f"ADAE.{column}" for column in GRADE_COLUMNS)]


_EVENTS = Needs("adae", ("USUBJID", "AEDECOD"))
_GRADE = Condition(_grade_column_absent)

#: The term checks: AEDECOD is a CTCAE term; AEBODSYS, when given, is its CTCAE SOC (a softer note).
TERM_RULES: tuple[Rule, ...] = (
    Rule("CTCAE_TERM", f"AEDECOD is a CTCAE v{CTCAE_VERSION} term.", (_EVENTS,), _term_not_in_ctcae, "ADAE"),
    Rule(
        "CTCAE_SOC",
        f"AEBODSYS is the CTCAE v{CTCAE_VERSION} SOC of the term.",
        (Needs("adae", ("USUBJID", "AEDECOD", "AEBODSYS")),),
        _soc_differs,
        "ADAE",
    ),
)
#: The grade checks, on ATOXGR (else AETOXGR): present, 1-5 and defined for the term.
GRADE_RULES: tuple[Rule, ...] = (
    Rule("GRADE_MISSING", "The CTCAE grade is given.", (_EVENTS, _GRADE), _grade_missing, "ADAE"),
    Rule("GRADE_BELOW_1", "The CTCAE grade is at least 1.", (_EVENTS, _GRADE), _grade_below_1, "ADAE"),
    Rule(
        "GRADE_ABOVE_5",
        f"The CTCAE grade is at most {max(GRADES)}.",
        (_EVENTS, _GRADE),
        _grade_above_5,
        "ADAE",
    ),
    Rule(
        "GRADE_NOT_DEFINED",
        f"The grade is one CTCAE v{CTCAE_VERSION} defines for the term.",
        (_EVENTS, _GRADE),
        _grade_not_defined,
        "ADAE",
    ),
)
#: Every CTCAE check, in the order an event's problems are listed: term, grade, then the SOC note.
RULES: tuple[Rule, ...] = (TERM_RULES[0], *GRADE_RULES, TERM_RULES[1])


def ctcae_problems(adae: pd.DataFrame, check_terms: bool | None = None) -> pd.DataFrame:
    """List the ADAE terms and grades that do not fit CTCAE v5.0.

    One row per event and problem (an event can have two). Problems: ``term not in CTCAE v5.0`` (AEDECOD,
    case-insensitive exact match), ``grade missing``, ``grade 0 (CTCAE grades are 1-5)``, ``grade N above 5``,
    ``grade N not defined for this term`` (the term has no such grade in CTCAE, " -" in the table) and, as a
    softer note, ``note: SOC ... differs from CTCAE SOC ...`` (AEBODSYS, case-insensitive).

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with USUBJID and AEDECOD; the grade is ATOXGR, else AETOXGR; AEBODSYS is optional.
    check_terms : bool or None
        Check AEDECOD and AEBODSYS against CTCAE. None (default) checks them only when the data carry a CTCAE
        grade column: severity-only data (AESEV, such as the CDISC pilot) are coded in MedDRA preferred terms,
        and listing every non-CTCAE term there would only be noise.

    Returns
    -------
    pandas.DataFrame
        Columns row (the ADAE index label, 0-based after loading), USUBJID, then AESEQ and ASTDT when ADAE has
        them (to find the event in the source), AEDECOD, ATOXGR (the grade as found, Int64; missing when the
        data have no grade column) and problem. Empty, with these columns, when nothing is wrong.

    Raises
    ------
    ValueError
        When AEDECOD or USUBJID is absent.
    """
    missing = [c for c in ("USUBJID", "AEDECOD") if c not in adae.columns]
    if missing:
        raise ValueError(f"ADAE lacks column(s) {', '.join(missing)} needed to check CTCAE terms")
    grade_col, grades = _grade_values(adae)
    if check_terms is None:
        check_terms = grade_col is not None
    rules = RULES if check_terms else GRADE_RULES
    # ADSL plays no part in these checks: the rules read ADAE only.
    findings = run_rules(rules, TrialData(adsl=pd.DataFrame(), adae=adae), order_by=()).findings
    # Event by event in ADAE order, each event's problems in rule order.
    position = adae.index.get_indexer(pd.Index(findings["ROW"]))
    findings = findings.iloc[np.argsort(position, kind="stable")]
    rows = [
        (idx, adae.at[idx, "USUBJID"], adae.at[idx, "AEDECOD"], grades.at[idx], problem)
        for idx, problem in zip(findings["ROW"], findings["DETAIL"], strict=True)
    ]
    out = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    out["ATOXGR"] = out["ATOXGR"].astype("Int64")
    # The loaded position means little to a reader; the sponsor's own keys find the event in the source.
    for position, column in enumerate(c for c in EVENT_KEYS if c in adae.columns):
        out.insert(2 + position, column, adae.loc[out["row"], column].to_numpy())
    return out.reset_index(drop=True)
