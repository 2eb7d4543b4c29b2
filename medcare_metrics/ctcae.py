"""CTCAE v5.0 terms and grade definitions, and checks of ADAE terms and grades against them.

The table ships with the package (``medcare_metrics/reference/ctcae_v5.csv``, provenance and licence in
``ctcae_v5.SOURCE.md`` beside it). Terms match case-insensitively and exactly (after trimming spaces):
``NAUSEA`` matches ``Nausea``; ``Nausea and vomiting`` matches nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

CTCAE_VERSION = "5.0"
#: The shipped CTCAE v5.0 table.
CTCAE_PATH = Path(__file__).resolve().parent / "reference" / "ctcae_v5.csv"
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
        g = int(grade)
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
    keys = adae["AEDECOD"].map(term_key)
    lookup = _by_key()
    rows: list[tuple[object, object, object, object, str]] = []

    def add(idx: object, problem: str) -> None:
        rows.append((idx, adae.at[idx, "USUBJID"], adae.at[idx, "AEDECOD"], grades.at[idx], problem))

    socs = adae["AEBODSYS"] if "AEBODSYS" in adae.columns else None
    for idx in adae.index:
        rec = lookup.get(keys.at[idx])
        if check_terms and rec is None:
            add(idx, f"term not in CTCAE v{CTCAE_VERSION}")
        if grade_col is not None:
            g = grades.at[idx]
            if pd.isna(g):
                # Loading sets an out-of-range grade (0, 6) missing and lists it as a validation problem.
                add(idx, f"grade missing ({grade_col} empty, or not a grade 1-5 in the file: see validation)")
            elif g <= 0:
                add(idx, f"grade {g} (CTCAE grades are 1-5)")
            elif g > max(GRADES):
                add(idx, f"grade {g} above {max(GRADES)}")
            elif rec is not None and rec[f"GRADE_{g}"] is None:
                have = ", ".join(str(x) for x in GRADES if rec[f"GRADE_{x}"] is not None)
                add(idx, f"grade {g} not defined for {rec['TERM']} in CTCAE v{CTCAE_VERSION} (grades {have})")
        if check_terms and rec is not None and socs is not None:
            soc = socs.at[idx]
            if isinstance(soc, str) and term_key(soc) != term_key(rec["SOC"]):
                add(idx, f"note: SOC {soc!r} differs from CTCAE SOC {rec['SOC']!r}")
    out = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    out["ATOXGR"] = out["ATOXGR"].astype("Int64")
    # The loaded position means little to a reader; the sponsor's own keys find the event in the source.
    for position, column in enumerate(c for c in EVENT_KEYS if c in adae.columns):
        out.insert(2 + position, column, adae.loc[out["row"], column].to_numpy())
    return out.reset_index(drop=True)
