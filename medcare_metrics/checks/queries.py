"""Data queries for the sites: every problem the Data quality page finds, as one question per row.

A data manager sends each centre its questions after a meeting. :func:`site_queries` turns the page's four
tables (validation problems of the source, possible protocol deviations, contradictions between datasets and
CTCAE checks) into one list: centre, patient, dataset, field, value, the record it concerns and the problem
in words, with a query id that stays the same on every run and on a later cut as long as the question is the
same. :func:`queries_by_centre` counts them per centre.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from medcare_metrics.checks.ctcae import CTCAE_VERSION
from medcare_metrics.checks.eligibility import RULES as ELIGIBILITY_RULES
from medcare_metrics.checks.engine import Needs, Rule

#: Columns of :func:`site_queries`.
QUERY_COLUMNS: tuple[str, ...] = (
    "QUERY_ID",
    "SITEID",
    "SITENAME",
    "USUBJID",
    "DATASET",
    "FIELD",
    "VALUE",
    "RECORD",
    "PROBLEM",
    "KIND",
    "CHECK",
)
#: Kinds of query (column KIND), in the order a patient's questions are listed.
KINDS: tuple[str, ...] = ("Validation", "Eligibility", "Consistency", "CTCAE")
#: SITENAME of questions whose patient has no known centre (a whole-dataset problem, a patient not in ADSL).
NO_CENTRE = "No centre"
#: SITEID and SITENAME of the all-centres row of :func:`queries_by_centre`.
ALL_CENTRES: tuple[str, str] = ("ALL", "All centres")
#: Columns of :func:`queries_by_centre` (then one count column per :data:`KINDS`).
COUNT_COLUMNS: tuple[str, ...] = ("SITEID", "SITENAME", "PATIENTS", "QUERIES", *KINDS)


def _text(value: object) -> str:
    """Return a cell as query text: empty when missing, dates as YYYY-MM-DD, whole floats as integers."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):  # type: ignore[call-overload]
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """``frame[name]`` as text, or empty text when the column is absent."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[name].map(_text).astype(object)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in QUERY_COLUMNS})


def rule_fields(rules: Sequence[Rule]) -> dict[str, tuple[str, str]]:
    """Return the dataset and the columns each rule reads, as a query names them.

    Parameters
    ----------
    rules : sequence of Rule
        A rule set (for example :data:`medcare_metrics.checks.eligibility.RULES`).

    Returns
    -------
    dict of str to (str, str)
        ``{code: (DATASET, "COL1, COL2")}`` from the rule's first dataset need (upper case; USUBJID left
        out); the rule's own ``dataset`` and ``column`` when it declares no columns.
    """
    fields: dict[str, tuple[str, str]] = {}
    for rule in rules:
        needs = [n for n in rule.needs if isinstance(n, Needs) and [c for c in n.columns if c != "USUBJID"]]
        if needs:
            columns = [c for c in needs[0].columns if c != "USUBJID"]
            fields[rule.code] = (needs[0].dataset.upper(), ", ".join(columns))
        else:
            fields[rule.code] = (rule.dataset, rule.column)
    return fields


def _validation(problems: pd.DataFrame) -> pd.DataFrame:
    rows = problems.reset_index(drop=True)
    row = rows["row"] if "row" in rows.columns else pd.Series(pd.NA, index=rows.index)
    file = _column(rows, "file")
    record = [f"{f} row {int(r)}" if f and pd.notna(r) else f for f, r in zip(file, row, strict=True)]
    severity = _column(rows, "severity")
    check = _column(rows, "check")
    return pd.DataFrame(
        {
            "USUBJID": _column(rows, "USUBJID"),
            "DATASET": _column(rows, "dataset").str.upper(),
            "FIELD": _column(rows, "column"),
            "VALUE": "",
            "RECORD": record,
            "PROBLEM": _column(rows, "problem"),
            "KIND": "Validation",
            "CHECK": [f"{c} ({s})" if s else c for c, s in zip(check, severity, strict=True)],
            # The row moves when a later cut adds records: the id leaves it out.
            "_KEY": file,
        }
    )


def _eligibility(deviations: pd.DataFrame, fields: dict[str, tuple[str, str]]) -> pd.DataFrame:
    rows = deviations.reset_index(drop=True)
    rule = _column(rows, "RULE")
    where = [fields.get(code, ("ADSL", "")) for code in rule]
    return pd.DataFrame(
        {
            "USUBJID": _column(rows, "USUBJID"),
            "DATASET": [w[0] for w in where],
            "FIELD": [w[1] for w in where],
            "VALUE": _column(rows, "VALUE"),
            "RECORD": "",
            "PROBLEM": _column(rows, "DETAIL"),
            "KIND": "Eligibility",
            "CHECK": rule,
            "_KEY": "",
        }
    )


def _consistency(findings: pd.DataFrame) -> pd.DataFrame:
    rows = findings.reset_index(drop=True)
    return pd.DataFrame(
        {
            "USUBJID": _column(rows, "USUBJID"),
            "DATASET": _column(rows, "DATASET"),
            "FIELD": _column(rows, "COLUMN"),
            "VALUE": _column(rows, "VALUE"),
            "RECORD": "",
            "PROBLEM": _column(rows, "DETAIL"),
            "KIND": "Consistency",
            "CHECK": _column(rows, "RULE"),
            "_KEY": "",
        }
    )


def _ctcae_field(problem: str) -> str:
    if problem.startswith("term"):
        return "AEDECOD"
    if problem.startswith("note: SOC"):
        return "AEBODSYS"
    return "ATOXGR"


def _ctcae(problems: pd.DataFrame) -> pd.DataFrame:
    rows = problems.reset_index(drop=True)
    problem = _column(rows, "problem")
    field = problem.map(_ctcae_field)
    term, grade = _column(rows, "AEDECOD"), _column(rows, "ATOXGR")
    seq, start = _column(rows, "AESEQ"), _column(rows, "ASTDT")
    # The sponsor's own keys find the event in the source; the loaded position would mean nothing there.
    record = [
        ", ".join(p for p in (f"AESEQ {s}" if s else "", d, t) if p)
        for s, d, t in zip(seq, start, term, strict=True)
    ]
    return pd.DataFrame(
        {
            "USUBJID": _column(rows, "USUBJID"),
            "DATASET": "ADAE",
            "FIELD": field,
            "VALUE": [
                t if f == "AEDECOD" else g if f == "ATOXGR" else ""
                for f, t, g in zip(field, term, grade, strict=True)
            ],
            "RECORD": record,
            "PROBLEM": problem,
            "KIND": "CTCAE",
            "CHECK": f"CTCAE v{CTCAE_VERSION}",
            "_KEY": record,
        }
    )


def _query_ids(out: pd.DataFrame) -> pd.Series:
    """Return a short hash of what each question says; repeats get ``-2``, ``-3`` in list order."""
    parts = ["KIND", "CHECK", "USUBJID", "DATASET", "FIELD", "VALUE", "PROBLEM", "_KEY"]
    keys = out[parts].astype(str).agg("\x1f".join, axis=1)
    ids = keys.map(lambda k: "Q-" + hashlib.sha1(k.encode("utf-8")).hexdigest()[:8].upper())
    repeat = ids.groupby(ids).cumcount()
    return ids.where(repeat.eq(0), ids + "-" + (repeat + 1).astype(str))


def site_queries(
    adsl: pd.DataFrame,
    *,
    problems: pd.DataFrame | None = None,
    deviations: pd.DataFrame | None = None,
    consistency: pd.DataFrame | None = None,
    ctcae: pd.DataFrame | None = None,
    deviation_rules: Sequence[Rule] | None = None,
) -> pd.DataFrame:
    """Turn the Data quality page's findings into a list of questions to the sites, one row per question.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data with USUBJID and SITEID (SITENAME used when present): where each patient is
        treated. Pass the trial as loaded, so that a patient outside the page's filters still has a centre.
    problems : pandas.DataFrame, optional
        Validation problems (columns of ``LoadResult.problems``: dataset, file, row, USUBJID, column, check,
        problem, severity).
    deviations : pandas.DataFrame, optional
        Possible protocol deviations (:func:`medcare_metrics.eligibility.protocol_deviations`: USUBJID, RULE,
        VALUE, DETAIL).
    consistency : pandas.DataFrame, optional
        Contradictions between datasets (:func:`medcare_metrics.consistency.consistency_problems`: USUBJID,
        DATASET, COLUMN, RULE, DETAIL).
    ctcae : pandas.DataFrame, optional
        CTCAE term and grade problems (:func:`medcare_metrics.ctcae.ctcae_problems`).
    deviation_rules : sequence of Rule, optional
        The eligibility rules, whose columns name the FIELD of a deviation (default
        :data:`medcare_metrics.checks.eligibility.RULES`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`QUERY_COLUMNS`, all text (empty text for nothing to say):

        - QUERY_ID: ``Q-`` and 8 hexadecimal digits of a hash of kind, check, patient, dataset, field, value,
          problem and, for validation problems the file, for CTCAE problems the event (not the row number,
          which a later cut can move); the same question repeated gets ``-2``, ``-3``.
        - SITEID, SITENAME: the patient's centre in ADSL; empty and :data:`NO_CENTRE` when the question
          concerns a whole dataset or a patient ADSL does not hold.
        - USUBJID, DATASET (upper case), FIELD (the column or columns in question), VALUE (as found, when the
          check keeps it; validation problems quote it in PROBLEM), RECORD (file and row for validation
          problems; AESEQ, onset and term for CTCAE), PROBLEM (in words), KIND (one of :data:`KINDS`) and
          CHECK (the check and severity, or the rule code).

        Sorted by centre (SITEID; no centre last), patient (USUBJID; none last), then kind in the order of
        :data:`KINDS`, each table's own order kept within. Empty (same columns) when nothing is found.
    """
    if deviation_rules is None:
        deviation_rules = ELIGIBILITY_RULES
    pieces = []
    if problems is not None and not problems.empty:
        pieces.append(_validation(problems))
    if deviations is not None and not deviations.empty:
        pieces.append(_eligibility(deviations, rule_fields(deviation_rules)))
    if consistency is not None and not consistency.empty:
        pieces.append(_consistency(consistency))
    if ctcae is not None and not ctcae.empty:
        pieces.append(_ctcae(ctcae))
    if not pieces:
        return _empty()
    out = pd.concat(pieces, ignore_index=True)
    ids = adsl["USUBJID"].map(_text)
    site = pd.Series(adsl["SITEID"].map(_text).to_numpy(), index=ids).groupby(level=0).first()
    names = adsl["SITENAME"] if "SITENAME" in adsl.columns else adsl["SITEID"]
    name = pd.Series(names.map(_text).to_numpy(), index=ids).groupby(level=0).first()
    out["SITEID"] = out["USUBJID"].map(site).fillna("").astype(object)
    out["SITENAME"] = out["USUBJID"].map(name).fillna("").astype(object)
    out["SITENAME"] = out["SITENAME"].where(out["SITEID"].ne(""), NO_CENTRE)
    out["SITENAME"] = out["SITENAME"].where(out["SITENAME"].ne(""), out["SITEID"])
    # Empty sorts first in text order; questions without a centre or a patient go last instead.
    out["_NO_SITE"] = out["SITEID"].eq("")
    out["_NO_SUBJECT"] = out["USUBJID"].eq("")
    out["_KIND"] = out["KIND"].map({k: i for i, k in enumerate(KINDS)})
    out = out.sort_values(["_NO_SITE", "SITEID", "_NO_SUBJECT", "USUBJID", "_KIND"], kind="stable")
    out["QUERY_ID"] = _query_ids(out)
    return out.loc[:, list(QUERY_COLUMNS)].reset_index(drop=True)


def queries_by_centre(queries: pd.DataFrame, total: bool = True) -> pd.DataFrame:
    """Count the questions per centre: patients concerned, questions, and questions of each kind.

    Parameters
    ----------
    queries : pandas.DataFrame
        :func:`site_queries`.
    total : bool, default True
        Append a row for all centres (:data:`ALL_CENTRES`) when there is any question.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COUNT_COLUMNS`: SITEID, SITENAME, PATIENTS (distinct patients with a question),
        QUERIES and one count per kind (int); one row per centre in the order of :func:`site_queries`
        (questions without a centre last, as :data:`NO_CENTRE`). Empty (same columns) without a question.
    """
    if queries.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COUNT_COLUMNS})
    centres = queries[["SITEID", "SITENAME"]].drop_duplicates("SITEID")
    rows = []
    for siteid, sitename in zip(centres["SITEID"], centres["SITENAME"], strict=True):
        rows.append(_counts(queries.loc[queries["SITEID"].eq(siteid)], siteid, sitename))
    if total:
        rows.append(_counts(queries, *ALL_CENTRES))
    return pd.DataFrame(rows, columns=list(COUNT_COLUMNS))


def _counts(rows: pd.DataFrame, siteid: str, sitename: str) -> dict[str, object]:
    patients = rows.loc[rows["USUBJID"].ne(""), "USUBJID"].nunique()
    kinds = rows["KIND"].value_counts()
    return {
        "SITEID": siteid,
        "SITENAME": sitename,
        "PATIENTS": int(patients),
        "QUERIES": len(rows),
        **{kind: int(kinds.get(kind, 0)) for kind in KINDS},
    }
