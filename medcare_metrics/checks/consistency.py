"""Contradictions between datasets: values in one dataset that another dataset says cannot be true.

These are the cross-checks a trial statistician runs before a committee meeting. Each finding needs checking
against the source documents: the data say two incompatible things, and only the centre knows which is right.
A rule whose columns are absent is skipped and listed by :func:`consistency_rules_not_checked`.

*Dead* means ADSL records a death (``DTHFL == "Y"`` or a DTHDT, :func:`medcare_metrics.subjects.died_mask`).
An OS event is an ADTTE row with ``PARAMCD == "OS"`` and ``CNSR == 0``
(:func:`medcare_metrics.rules.is_event`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from medcare_metrics.checks.eligibility import conventional_lesion_count
from medcare_metrics.checks.engine import NOT_CHECKED_COLUMNS as ENGINE_NOT_CHECKED_COLUMNS
from medcare_metrics.checks.engine import Condition, Needs, Records, Rule, run_rules
from medcare_metrics.checks.engine import not_checked as _not_checked
from medcare_metrics.cuts import data_cutoff
from medcare_metrics.model import TrialData
from medcare_metrics.rules import enrolled_mask, flag_yes, is_event, per_distinct
from medcare_metrics.subjects import date_values, died_mask

#: Columns of :func:`consistency_problems`.
CONSISTENCY_COLUMNS: tuple[str, ...] = ("USUBJID", "DATASET", "COLUMN", "RULE", "DETAIL")
#: Columns of :func:`consistency_rules_not_checked` (the engine's: RULE, DESCRIPTION, MISSING).
NOT_CHECKED_COLUMNS: tuple[str, ...] = ENGINE_NOT_CHECKED_COLUMNS
#: ADTTE.PARAMCD of overall survival.
OS_PARAMCD = "OS"
#: Date columns compared with the data cut-off, per dataset.
CUTOFF_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "adsl": ("RFICDT", "SCRNDT", "ENRLDT", "TRTSDT", "TRTEDT", "EOSDT", "DTHDT", "LSTALVDT"),
    "adtte": ("STARTDT", "ADT"),
    "adae": ("ASTDT", "AENDT"),
    "adtu": ("MDTDT",),
    "adlb": ("ADT",),
}
#: Datasets whose records must belong to enrolled subjects.
ENROLLED_ONLY_DATASETS: tuple[str, ...] = ("adtte", "adae", "adtu", "adlb")


# ----------------------------------------------------------------------------------------------------
# Small helpers


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "missing"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip() or "missing"


def _paramcd(adtte: pd.DataFrame) -> pd.Series:
    # Worked out per distinct code: a few codes over every ADTTE row, asked for by several rules.
    return per_distinct(adtte["PARAMCD"], lambda v: v.astype("string").str.strip().str.upper())


def _os_rows(trial: TrialData) -> pd.DataFrame:
    """Return the OS rows of ADTTE (the caller has checked ADTTE, PARAMCD and CNSR exist)."""
    adtte = trial.adtte
    assert adtte is not None
    return adtte.loc[_is_os(adtte).fillna(False).astype(bool)]


def _is_os(adtte: pd.DataFrame) -> pd.Series:
    return per_distinct(adtte["PARAMCD"], lambda v: v.astype("string").str.strip().str.upper().eq(OS_PARAMCD))


#: OS records in ADTTE, needed once ADTTE has the columns a rule reads.
OS_RECORDS = Records(f"ADTTE rows with PARAMCD {OS_PARAMCD}", _is_os)


def _os_needs(columns: tuple[str, ...] = ("PARAMCD", "CNSR")) -> Needs:
    """ADTTE with ``columns`` and at least one OS record."""
    return Needs("adtte", columns, OS_RECORDS)


def _os_absent(trial: TrialData) -> list[str]:
    return _os_needs().missing(trial)


def _death_absent(trial: TrialData) -> list[str]:
    if {"DTHFL", "DTHDT"} & set(trial.adsl.columns):
        return []
    return ["ADSL.DTHFL or ADSL.DTHDT"]


def _died_by_subject(adsl: pd.DataFrame) -> pd.Series:
    """Return ADSL's death status (bool) indexed by USUBJID."""
    return pd.Series(died_mask(adsl).to_numpy(), index=adsl["USUBJID"].astype(str))


def _death_record(adsl: pd.DataFrame, subjects: set[str] | None = None) -> pd.Series:
    """Return a text like ``DTHFL N, no DTHDT`` per subject, indexed by USUBJID.

    ``subjects``: the USUBJIDs a rule will look up; the text is then written for their rows only.
    """
    ids = adsl["USUBJID"].astype(str)
    if subjects is not None:
        if not subjects:
            return pd.Series([], dtype=object)  # nobody is looked up
        keep = ids.isin(subjects).to_numpy()
        adsl, ids = adsl.loc[keep], ids.loc[keep]
    parts = pd.Series("", index=adsl.index)
    # The words of each distinct flag and date are written once, not once per subject.
    if "DTHFL" in adsl.columns:
        parts = "DTHFL " + per_distinct(adsl["DTHFL"], lambda v: v.map(_text))
    if "DTHDT" in adsl.columns:
        dthdt = date_values(adsl, "DTHDT")
        when = per_distinct(
            dthdt, lambda v: v.map(lambda d: "no DTHDT" if pd.isna(d) else f"DTHDT {d:%Y-%m-%d}")
        )
        parts = (parts + ", " + when).str.lstrip(", ") if "DTHFL" in adsl.columns else when
    return pd.Series(parts.to_numpy(), index=ids)


def _subjects_at(frame: pd.DataFrame, labels: pd.Index) -> list[str]:
    """Return ``str(frame.at[i, "USUBJID"])`` for each row label ``i`` of ``labels`` (unique labels)."""
    return [str(v) for v in frame.loc[labels, "USUBJID"].tolist()]


def _ae_label(adae: pd.DataFrame, i: object) -> str:
    """Name one ADAE record: term, sequence number and onset when present."""
    term = _text(adae.at[i, "AEDECOD"]) if "AEDECOD" in adae.columns else "adverse event"
    extra = []
    if "AESEQ" in adae.columns and not pd.isna(adae.at[i, "AESEQ"]):
        extra.append(f"AESEQ {_text(adae.at[i, 'AESEQ'])}")
    if "ASTDT" in adae.columns:
        onset = date_values(adae.loc[[i]], "ASTDT").iloc[0]
        if not pd.isna(onset):
            extra.append(f"onset {onset:%Y-%m-%d}")
    return f"{term} ({', '.join(extra)})" if extra else term


def _record_label(name: str, frame: pd.DataFrame, i: object) -> str:
    """Name one record of any dataset, for a finding's DETAIL."""
    if name == "adae":
        return f"{_ae_label(frame, i)}: "
    if name in ("adtte", "adlb") and "PARAMCD" in frame.columns:
        return f"{_text(frame.at[i, 'PARAMCD'])} "
    if name == "adtu" and "TULNKID" in frame.columns:
        return f"lesion {_text(frame.at[i, 'TULNKID'])} "
    return ""


def _findings(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """Return a rule's findings (USUBJID, DATASET, COLUMN, DETAIL) as the engine takes them."""
    return pd.DataFrame(rows, columns=[c for c in CONSISTENCY_COLUMNS if c != "RULE"])


# ----------------------------------------------------------------------------------------------------
# The rules


def _death_or_os_absent(trial: TrialData) -> list[str]:
    if not _death_absent(trial) or not _os_absent(trial):
        return []
    return ["ADSL.DTHFL or ADSL.DTHDT, or OS in ADTTE"]


def _grade5_not_dead(trial: TrialData) -> pd.DataFrame:
    adae = trial.adae
    assert adae is not None
    grade5 = adae.index[_number(adae, "ATOXGR").eq(5)]
    died = _died_by_subject(trial.adsl) if not _death_absent(trial) else None
    record = _death_record(trial.adsl, {str(adae.at[i, "USUBJID"]) for i in grade5})
    os_event: dict[str, bool] | None = None
    if not _os_absent(trial):
        os_rows = _os_rows(trial)
        event = is_event(os_rows["CNSR"])
        os_event = event.groupby(os_rows["USUBJID"].astype(str)).any().to_dict()
    rows = []
    for i in grade5:
        subject = str(adae.at[i, "USUBJID"])
        reasons = []
        if died is not None and not bool(died.get(subject, False)):
            reasons.append(f"ADSL records no death ({record.get(subject, 'subject not in ADSL')})")
        if os_event is not None and not os_event.get(subject, False):
            reasons.append("OS is censored" if subject in os_event else "ADTTE has no OS record")
        if reasons:
            rows.append(
                {
                    "USUBJID": subject,
                    "DATASET": "ADAE",
                    "COLUMN": "ATOXGR",
                    "DETAIL": f"Grade 5 (fatal) {_ae_label(adae, i)}, but {' and '.join(reasons)}.",
                }
            )
    return _findings(rows)


def _grade_mismatch(trial: TrialData) -> pd.DataFrame:
    adae = trial.adae
    assert adae is not None
    analysis, collected = _number(adae, "ATOXGR"), _number(adae, "AETOXGR")
    differ = analysis.notna() & collected.notna() & analysis.ne(collected)
    rows = [
        {
            "USUBJID": str(adae.at[i, "USUBJID"]),
            "DATASET": "ADAE",
            "COLUMN": "ATOXGR",
            "DETAIL": f"ATOXGR {_text(analysis[i])} but AETOXGR {_text(collected[i])} on the same record: "
            f"{_ae_label(adae, i)}.",
        }
        for i in adae.index[differ]
    ]
    return _findings(rows)


def _dthfl_without_dthdt(trial: TrialData) -> pd.DataFrame:
    adsl = trial.adsl
    flagged = flag_yes(adsl, "DTHFL")
    hit = flagged & date_values(adsl, "DTHDT").isna()
    rows = [
        {
            "USUBJID": str(adsl.at[i, "USUBJID"]),
            "DATASET": "ADSL",
            "COLUMN": "DTHDT",
            "DETAIL": "DTHFL Y (died) but no death date DTHDT.",
        }
        for i in adsl.index[hit]
    ]
    return _findings(rows)


def _dthdt_without_dthfl(trial: TrialData) -> pd.DataFrame:
    adsl = trial.adsl
    flagged = flag_yes(adsl, "DTHFL")
    dthdt = date_values(adsl, "DTHDT")
    hit = ~flagged & dthdt.notna()
    rows = [
        {
            "USUBJID": str(adsl.at[i, "USUBJID"]),
            "DATASET": "ADSL",
            "COLUMN": "DTHFL",
            "DETAIL": f"Death date DTHDT {dthdt[i]:%Y-%m-%d} but DTHFL {_text(adsl.at[i, 'DTHFL'])}.",
        }
        for i in adsl.index[hit]
    ]
    return _findings(rows)


def _os_rows_joined(trial: TrialData) -> tuple[pd.DataFrame, pd.Series]:
    """Return the OS rows and whether each is an event (CNSR 0)."""
    os_rows = _os_rows(trial)
    return os_rows, is_event(os_rows["CNSR"])


def _os_event_not_dead(trial: TrialData) -> pd.DataFrame:
    os_rows, event = _os_rows_joined(trial)
    died = _died_by_subject(trial.adsl)
    adt = date_values(os_rows, "ADT")
    rows = []
    labels = os_rows.index[event]
    if os_rows.index.is_unique and died.index.is_unique:
        # The subjects ADSL records as alive, found at once; the loop below then writes their rows only.
        subjects = _subjects_at(os_rows, labels)
        alive = ~died.reindex(subjects, fill_value=True).to_numpy(dtype=bool)
        labels = labels[alive]
    record = _death_record(trial.adsl, {str(os_rows.at[i, "USUBJID"]) for i in labels})
    for i in labels:
        subject = str(os_rows.at[i, "USUBJID"])
        if subject not in died.index or bool(died[subject]):
            continue  # a subject missing from ADSL is excluded at loading
        when = "" if pd.isna(adt[i]) else f" on {adt[i]:%Y-%m-%d}"
        rows.append(
            {
                "USUBJID": subject,
                "DATASET": "ADTTE",
                "COLUMN": "CNSR",
                "DETAIL": f"OS event (CNSR 0){when}, but ADSL records no death ({record[subject]}).",
            }
        )
    return _findings(rows)


def _dead_os_censored(trial: TrialData) -> pd.DataFrame:
    os_rows, event = _os_rows_joined(trial)
    died = _died_by_subject(trial.adsl)
    adt = date_values(os_rows, "ADT")
    censored = ~event & _number(os_rows, "CNSR").notna()
    rows = []
    labels = os_rows.index[censored]
    if os_rows.index.is_unique and died.index.is_unique:
        # The subjects ADSL records as dead, found at once; the loop below then writes their rows only.
        subjects = _subjects_at(os_rows, labels)
        labels = labels[died.reindex(subjects, fill_value=False).to_numpy(dtype=bool)]
    record = _death_record(trial.adsl, {str(os_rows.at[i, "USUBJID"]) for i in labels})
    for i in labels:
        subject = str(os_rows.at[i, "USUBJID"])
        if not bool(died.get(subject, False)):
            continue
        when = "" if pd.isna(adt[i]) else f" on {adt[i]:%Y-%m-%d}"
        rows.append(
            {
                "USUBJID": subject,
                "DATASET": "ADTTE",
                "COLUMN": "CNSR",
                "DETAIL": f"ADSL records a death ({record[subject]}), but OS is censored{when}.",
            }
        )
    return _findings(rows)


def _death_date_vs_os(trial: TrialData) -> pd.DataFrame:
    os_rows, event = _os_rows_joined(trial)
    adsl = trial.adsl
    dthdt = pd.Series(date_values(adsl, "DTHDT").to_numpy(), index=adsl["USUBJID"].astype(str))
    adt = date_values(os_rows, "ADT")
    rows = []
    labels = os_rows.index[event]
    if os_rows.index.is_unique and dthdt.index.is_unique:
        # The rows whose dates differ, found at once; the loop below then writes those rows only.
        deaths = dthdt.reindex(_subjects_at(os_rows, labels)).to_numpy()
        dates = adt.loc[labels].to_numpy()
        labels = labels[~pd.isna(deaths) & ~pd.isna(dates) & (deaths != dates)]
    for i in labels:
        subject = str(os_rows.at[i, "USUBJID"])
        death = dthdt.get(subject, pd.NaT)
        if pd.isna(death) or pd.isna(adt[i]) or death == adt[i]:
            continue
        rows.append(
            {
                "USUBJID": subject,
                "DATASET": "ADTTE",
                "COLUMN": "ADT",
                "DETAIL": f"OS event date ADT {adt[i]:%Y-%m-%d} differs from the death date DTHDT "
                f"{death:%Y-%m-%d} by {abs((adt[i] - death).days)} days.",
            }
        )
    return _findings(rows)


def _after_cutoff(trial: TrialData) -> pd.DataFrame:
    cutoff = data_cutoff(trial)
    assert cutoff is not None
    rows = []
    for name, columns in CUTOFF_DATE_COLUMNS.items():
        frame = trial.dataset(name)
        if frame is None or "USUBJID" not in frame.columns:
            continue
        for column in columns:
            if column not in frame.columns:
                continue
            dates = date_values(frame, column)
            for i in frame.index[dates.gt(cutoff).fillna(False).astype(bool)]:
                rows.append(
                    {
                        "USUBJID": str(frame.at[i, "USUBJID"]),
                        "DATASET": name.upper(),
                        "COLUMN": column,
                        "DETAIL": f"{_record_label(name, frame, i)}{column} {dates[i]:%Y-%m-%d} is after the "
                        f"data cut-off {cutoff:%Y-%m-%d}.",
                    }
                )
    return _findings(rows)


def _aval_days(trial: TrialData) -> pd.DataFrame:
    adtte = trial.adtte
    assert adtte is not None
    in_days = (
        adtte["AVALU"].astype("string").str.strip().str.upper().eq("DAYS").fillna(False).astype(bool)
        if "AVALU" in adtte.columns
        else pd.Series(True, index=adtte.index)
    )
    aval = _number(adtte, "AVAL")
    span = (date_values(adtte, "ADT") - date_values(adtte, "STARTDT")).dt.days.astype(float)
    known = in_days & aval.notna() & span.notna()
    # Both ADaM conventions are accepted: AVAL = ADT - STARTDT, or + 1 when the origin counts as day 1.
    fits = np.isclose(aval, span) | np.isclose(aval, span + 1)
    rows = [
        {
            "USUBJID": str(adtte.at[i, "USUBJID"]),
            "DATASET": "ADTTE",
            "COLUMN": "AVAL",
            "DETAIL": f"{_record_label('adtte', adtte, i)}AVAL {_text(aval[i])} days, but ADT - STARTDT = "
            f"{_text(span[i])} days (AVAL should be {_text(span[i])} or {_text(span[i] + 1)}).",
        }
        for i in adtte.index[known & ~fits]
    ]
    return _findings(rows)


def _nles_vs_adtu(trial: TrialData) -> pd.DataFrame:
    adsl, adtu = trial.adsl, trial.adtu
    assert adtu is not None
    counts = conventional_lesion_count(adtu)
    enrolled = adsl.loc[enrolled_mask(adsl)]
    nles = _number(enrolled, "NLES")
    found = enrolled["USUBJID"].astype(str).map(counts).fillna(0).astype(float)
    hit = nles.notna() & nles.ne(found)
    method = "on conventional imaging" if "TUMETHOD" in adtu.columns else "(TUMETHOD absent: all lesions)"
    rows = [
        {
            "USUBJID": str(enrolled.at[i, "USUBJID"]),
            "DATASET": "ADSL",
            "COLUMN": "NLES",
            "DETAIL": f"NLES {_text(nles[i])}, but ADTU holds {_text(found[i])} lesions {method} "
            "(a local recurrence counted once).",
        }
        for i in enrolled.index[hit]
    ]
    return _findings(rows)


def _not_enrolled_records(trial: TrialData) -> pd.DataFrame:
    adsl = trial.adsl
    not_enrolled = set(adsl.loc[~enrolled_mask(adsl), "USUBJID"].astype(str))
    rows = []
    for name in ENROLLED_ONLY_DATASETS:
        frame = trial.dataset(name)
        if frame is None or "USUBJID" not in frame.columns:
            continue
        ids = frame["USUBJID"].astype(str)
        counts = ids[ids.isin(not_enrolled)].value_counts(sort=False)
        for subject, n in counts.items():
            records = "record" if n == 1 else "records"
            rows.append(
                {
                    "USUBJID": subject,
                    "DATASET": name.upper(),
                    "COLUMN": "USUBJID",
                    "DETAIL": f"{n} {name.upper()} {records} for a subject not enrolled (ENRLFL N).",
                }
            )
    return _findings(rows)


def _enrolled_only_datasets_absent(trial: TrialData) -> list[str]:
    if all(trial.dataset(name) is None for name in ENROLLED_ONLY_DATASETS):
        return ["ADTTE, ADAE, ADTU and ADLB"]
    return []


def _cutoff_needs(trial: TrialData) -> list[str]:
    return [] if data_cutoff(trial) is not None else ["ADSL.DCUTDT"]


_DEATH = Condition(_death_absent)

#: The rules, in the order their findings are listed for a subject.
RULES: tuple[Rule, ...] = (
    Rule(
        "GRADE5_NOT_DEAD",
        "A grade 5 (fatal) adverse event, but ADSL records no death or OS is not an event.",
        (Needs("adae", ("USUBJID", "ATOXGR")), Condition(_death_or_os_absent)),
        _grade5_not_dead,
    ),
    Rule(
        "GRADE_MISMATCH",
        "ATOXGR and AETOXGR of the same adverse event differ.",
        (Needs("adae", ("USUBJID", "ATOXGR", "AETOXGR")),),
        _grade_mismatch,
    ),
    Rule(
        "DTHFL_NO_DTHDT",
        "DTHFL Y without a death date DTHDT.",
        (Needs("adsl", ("DTHFL", "DTHDT")),),
        _dthfl_without_dthdt,
    ),
    Rule(
        "DTHDT_NO_DTHFL",
        "A death date DTHDT without DTHFL Y.",
        (Needs("adsl", ("DTHFL", "DTHDT")),),
        _dthdt_without_dthfl,
    ),
    Rule(
        "OS_EVENT_NOT_DEAD",
        "An OS event (CNSR 0) for a subject ADSL does not record as dead.",
        (_os_needs(), _DEATH),
        _os_event_not_dead,
    ),
    Rule(
        "DEAD_OS_CENSORED",
        "A subject ADSL records as dead whose OS is censored.",
        (_os_needs(), _DEATH),
        _dead_os_censored,
    ),
    Rule(
        "DEATH_DATE_OS",
        "The OS event date ADT differs from the death date DTHDT.",
        (_os_needs(("PARAMCD", "CNSR", "ADT")), Needs("adsl", ("DTHDT",))),
        _death_date_vs_os,
    ),
    Rule(
        "AFTER_CUTOFF",
        "A date after the data cut-off DCUTDT.",
        (Condition(_cutoff_needs),),
        _after_cutoff,
    ),
    Rule(
        "AVAL_DAYS",
        "ADTTE AVAL in days is neither ADT - STARTDT nor ADT - STARTDT + 1.",
        (Needs("adtte", ("USUBJID", "AVAL", "STARTDT", "ADT")),),
        _aval_days,
    ),
    Rule(
        "NLES_ADTU",
        "ADSL.NLES differs from the lesions on conventional imaging in ADTU (enrolled patients).",
        (Needs("adsl", ("NLES",)), Needs("adtu", ("USUBJID", "TULOCCAT"))),
        _nles_vs_adtu,
    ),
    Rule(
        "NOT_ENROLLED_RECORDS",
        "ADTTE, ADAE, ADTU or ADLB records for a subject not enrolled (ENRLFL N).",
        (Needs("adsl", ("ENRLFL",)), Condition(_enrolled_only_datasets_absent)),
        _not_enrolled_records,
    ),
)


def consistency_problems(trial: TrialData) -> pd.DataFrame:
    """List contradictions between the datasets of a trial, one row per finding.

    Rules (RULE code: what is flagged):

    - ``GRADE5_NOT_DEAD``: an ADAE record with ATOXGR 5 (fatal) whose subject ADSL does not record as dead
      (DTHFL not Y and no DTHDT), or who has no OS event in ADTTE (OS censored or no OS record). Either
      source is checked when present.
    - ``GRADE_MISMATCH``: ATOXGR and AETOXGR both given on one ADAE record and different.
    - ``DTHFL_NO_DTHDT``: DTHFL Y without DTHDT. ``DTHDT_NO_DTHFL``: DTHDT without DTHFL Y.
    - ``OS_EVENT_NOT_DEAD``: an OS event (CNSR 0) for a subject ADSL does not record as dead.
    - ``DEAD_OS_CENSORED``: a subject ADSL records as dead whose OS row is censored.
    - ``DEATH_DATE_OS``: an OS event whose ADT differs from ADSL.DTHDT.
    - ``AFTER_CUTOFF``: a date of :data:`CUTOFF_DATE_COLUMNS` after the data cut-off (ADSL.DCUTDT, as
      :func:`medcare_metrics.cuts.data_cutoff` reads it); one row per record and column.
    - ``AVAL_DAYS``: an ADTTE row in days (AVALU DAYS, or no AVALU) whose AVAL is neither ADT - STARTDT nor
      ADT - STARTDT + 1 (the two ADaM conventions). Rows in other units or missing a date are not checked.
    - ``NLES_ADTU``: an enrolled patient's NLES differs from the ADTU lesions on conventional imaging, counted
      as :func:`medcare_metrics.eligibility.conventional_lesion_count` does (no ADTU row counts as 0).
    - ``NOT_ENROLLED_RECORDS``: ADTTE, ADAE, ADTU or ADLB records of a subject with ENRLFL N; one row per
      subject and dataset.

    A progression (PFS) event after a NEST-FS event is not a contradiction and is not flagged. Missing values
    are not contradictions: a rule compares only values that are present.

    Parameters
    ----------
    trial : TrialData
        Loaded trial (possibly filtered or replayed as of a date).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONSISTENCY_COLUMNS` (USUBJID, DATASET and COLUMN of the value in question, RULE,
        DETAIL in words), sorted by USUBJID then rule order. Empty (same columns) when nothing is found.
        Rules whose columns are absent are skipped; :func:`consistency_rules_not_checked` lists them.
    """
    findings = run_rules(RULES, trial).findings
    if findings.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CONSISTENCY_COLUMNS})
    return findings.loc[:, list(CONSISTENCY_COLUMNS)]


def consistency_rules_not_checked(trial: TrialData) -> pd.DataFrame:
    """List the rules of :func:`consistency_problems` skipped because their data are absent.

    Parameters
    ----------
    trial : TrialData
        Loaded trial.

    Returns
    -------
    pandas.DataFrame
        Columns RULE, DESCRIPTION, MISSING (the absent datasets, columns or records, comma separated), in rule
        order; empty (same columns) when every rule could be checked.
    """
    return _not_checked(RULES, trial)
