"""Data cuts: replay the trial as it stood on an earlier date, and list what changed between two dates.

The replay (:func:`as_of`) works on the data of one cut-off. It cannot know what the database held on an
earlier day (late data entry, corrected records), so it answers "what would the data show if everything
recorded with a date after ``date`` had not happened yet". The rules are listed in :func:`as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date as _date
from typing import TypeAlias

import numpy as np
import pandas as pd

from medcare_metrics.model import TrialData

# Kept importable from here for older callers: the table itself is the one of the rules module.
from medcare_metrics.rules import DAYS_PER_UNIT as DAYS_PER_UNIT
from medcare_metrics.rules import (
    days_per_unit,
    enrolled_mask,
    flag_yes,
    is_event,
    is_high_grade,
    per_distinct,
)
from medcare_metrics.subjects import (
    ENTRY_DATE_COLUMNS,
    as_date,
    date_values,
    entry_dates,
    registration_dates,
)

#: CNSDTDSC written on rows censored by the replay.
AS_OF_CENSOR_TEXT = "As-of date"
#: Endpoints whose events :func:`changes_since` lists (deaths are listed from ADSL / OS separately).
CHANGE_ENDPOINTS: tuple[str, ...] = ("NESTFS", "PFS")

DateLike: TypeAlias = str | _date | pd.Timestamp | np.datetime64

#: The dtype of loaded dates.
_NS = np.dtype("datetime64[ns]")
#: Dates and day counts within these bounds cannot overflow when added (Timestamps run from 1677 to 2262):
#: the replay then computes a date from a day count only for the rows that need one.
_SAFE_FIRST, _SAFE_LAST, _SAFE_DAYS = pd.Timestamp("1750-01-01"), pd.Timestamp("2200-01-01"), 20_000.0


def _adds_safely(dates: pd.Series, days: pd.Series) -> bool:
    """Whether ``dates + to_timedelta(days, unit="D")`` is sure not to raise, row by row."""
    if dates.dtype != _NS:
        return False
    span = days.to_numpy(dtype=float)
    if np.any(np.abs(span) > _SAFE_DAYS):  # an infinite day count is caught here too
        return False
    first, last = dates.min(), dates.max()
    return pd.isna(first) or (first >= _SAFE_FIRST and last <= _SAFE_LAST)


def data_cutoff(trial: TrialData) -> pd.Timestamp | None:
    """Return the data cut-off date of ``trial`` (ADSL.DCUTDT), or None when ADSL has no DCUTDT.

    A source should hold one cut-off (loading reports more than one as an error). When it holds several, the
    most frequent wins (the latest among equally frequent ones): one stray row does not move the cut.

    Parameters
    ----------
    trial : TrialData
        Loaded trial.

    Returns
    -------
    pandas.Timestamp or None
        The cut-off date, or None when the column is absent or empty.
    """
    if "DCUTDT" not in trial.adsl.columns:
        return None
    column = trial.adsl["DCUTDT"]
    # Loaded data are datetimes already; to_datetime would still scan them (it is called on every page).
    dates = column if column.dtype == _NS else pd.to_datetime(column, errors="coerce")
    dates = dates.dropna()
    if dates.empty:
        return None
    counts = dates.value_counts()
    cut = counts[counts == counts.max()].index.max()
    return pd.Timestamp(cut).normalize()


def latest_date(trial: TrialData) -> pd.Timestamp | None:
    """Return the latest date recorded anywhere in ``trial`` (all datetime columns of all datasets).

    Parameters
    ----------
    trial : TrialData
        Loaded trial.

    Returns
    -------
    pandas.Timestamp or None
        Latest date, or None when the trial holds no dates.
    """
    latest: pd.Timestamp | None = None
    for name in trial.available:
        frame = trial.dataset(name)
        if frame is None:
            continue
        for column in frame.select_dtypes(include=["datetime64[ns]", "datetime"]).columns:
            value = frame[column].max()
            if pd.notna(value) and (latest is None or value > latest):
                latest = pd.Timestamp(value)
    return None if latest is None else latest.normalize()


def _replay_adsl(adsl: pd.DataFrame, when: pd.Timestamp) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    entry = entry_dates(adsl)
    if entry.isna().any():
        notes.append(
            f"As-of replay: {int(entry.isna().sum())} subject(s) without any of "
            f"{', '.join(ENTRY_DATE_COLUMNS)} kept (screening date unknown)."
        )
    out = adsl.loc[~(entry > when)].copy()
    enrolled = enrolled_mask(out)
    registered = registration_dates(out)
    late = enrolled & (registered > when)
    if "ENRLFL" in out.columns:
        out.loc[late, "ENRLFL"] = "N"
    elif late.any():
        out["ENRLFL"] = np.where(late, "N", "Y")
    for flag in ("ITTFL", "SAFFL"):
        if flag in out.columns:
            out.loc[late, flag] = "N"
    for column in ("ENRLDT", "RANDDT"):
        if column in out.columns:
            out.loc[date_values(out, column) > when, column] = pd.NaT
    if "TRTSDT" in out.columns:
        untreated = date_values(out, "TRTSDT") > when
        out.loc[untreated, "TRTSDT"] = pd.NaT
        if "SAFFL" in out.columns:
            out.loc[untreated, "SAFFL"] = "N"
    if "TRTEDT" in out.columns:
        # MDT still running on the date: its end was not known yet.
        out.loc[date_values(out, "TRTEDT") > when, "TRTEDT"] = pd.NaT
    if "EOSDT" in out.columns:
        reopened = date_values(out, "EOSDT") > when
        out.loc[reopened, "EOSDT"] = pd.NaT
        if "EOSSTT" in out.columns:
            out.loc[reopened, "EOSSTT"] = "ONGOING"
        if "DCSREAS" in out.columns:
            out.loc[reopened, "DCSREAS"] = np.nan
    if "DTHDT" in out.columns:
        alive = date_values(out, "DTHDT") > when
        out.loc[alive, "DTHDT"] = pd.NaT
        if "DTHFL" in out.columns:
            out.loc[alive, "DTHFL"] = "N"
    if "LSTALVDT" in out.columns:
        # Contacts between the date and the cut-off are unknown as of the date; the date itself is the bound.
        out.loc[date_values(out, "LSTALVDT") > when, "LSTALVDT"] = when
    out["DCUTDT"] = when
    return out.reset_index(drop=True), notes


def _day_count_offset(
    adtte: pd.DataFrame, aval_days: pd.Series, start: pd.Series, adt: pd.Series
) -> pd.Series:
    """Return, per row, the days the dataset adds to ADT - STARTDT to get AVAL (0, or 1 when day 1 = origin).

    ADaM producers differ: some set AVAL = ADT - STARTDT, others (admiral, the CDISC pilot) ADT - STARTDT + 1.
    A row censored at the as-of date must follow the convention of the rows left as they are, or a tie
    between an event and a censoring on the same day would be broken the wrong way. The offset is read per
    PARAMCD from the rows whose AVAL is a whole number of days (the most common difference, when it is 0 or
    1), else from all rows, else 0.
    """
    diff = aval_days - (adt - start).dt.days.astype(float)
    usable = diff.notna() & np.isclose(aval_days.fillna(0.5) % 1.0, 0.0)

    def mode(values: pd.Series) -> float:
        counts = values.round().value_counts()
        if counts.empty or counts.index[0] not in (0.0, 1.0):
            return 0.0
        return float(counts.index[0])

    overall = mode(diff[usable])
    per_param = diff[usable].groupby(adtte.loc[usable, "PARAMCD"]).agg(mode)
    return adtte["PARAMCD"].map(per_param).fillna(overall).astype(float)


def _replay_adtte(
    adtte: pd.DataFrame, adsl: pd.DataFrame, when: pd.Timestamp
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    # Membership tests take the USUBJID column itself: a set would be turned back into an array.
    out = adtte.loc[adtte["USUBJID"].isin(adsl.loc[enrolled_mask(adsl), "USUBJID"])]
    start = date_values(out, "STARTDT")
    out = out.loc[~(start > when)].copy()
    start = date_values(out, "STARTDT")
    units = (
        per_distinct(out["AVALU"], lambda u: u.astype("string").str.upper().str.strip())
        if "AVALU" in out.columns
        else pd.Series("DAYS", index=out.index, dtype="string")
    )
    factor = days_per_unit(units)
    unknown_units = sorted(set(units[factor.isna() & units.notna()]))
    if unknown_units:
        notes.append(f"As-of replay: ADTTE AVALU {', '.join(unknown_units)} not understood; read as DAYS.")
    factor = factor.fillna(1.0)
    aval = pd.to_numeric(out["AVAL"], errors="coerce")
    adt = date_values(out, "ADT")
    offset = _day_count_offset(out, aval * factor, start, adt)
    # Without ADT, the event date follows from the origin and the time.
    origin, days = start, aval * factor - offset
    if _adds_safely(origin, days):
        # Only the rows without ADT take the implied date; elsewhere it cannot raise, so skip it.
        undated = adt.isna()
        origin, days = origin[undated], days[undated]
    implied = origin + pd.to_timedelta(days, unit="D").round("D")
    end = adt.fillna(implied)
    unplaced = end.isna()
    if unplaced.any():
        notes.append(
            f"As-of replay: {int(unplaced.sum())} ADTTE row(s) without ADT or STARTDT kept unchanged "
            "(their date cannot be placed before or after the as-of date)."
        )
    cut = end > when
    if cut.any():
        days_after = (end[cut] - when).dt.days.astype(float)
        # Prefer the origin (AVAL = as-of date - STARTDT, plus the dataset's own day count offset); without
        # it, shift AVAL back by the days removed.
        from_start = ((when - start[cut]).dt.days.astype(float) + offset[cut]) / factor[cut]
        shifted = aval[cut] - days_after / factor[cut]
        new_aval = from_start.where(start[cut].notna(), shifted).clip(lower=0.0)
        out["AVAL"] = aval
        out.loc[cut, "AVAL"] = new_aval
        out.loc[cut, "CNSR"] = 1
        out.loc[cut, "ADT"] = when
        if "EVNTDESC" in out.columns:
            out.loc[cut, "EVNTDESC"] = np.nan
        if "CNSDTDSC" not in out.columns:
            out["CNSDTDSC"] = pd.Series(np.nan, index=out.index, dtype=object)
        out.loc[cut, "CNSDTDSC"] = AS_OF_CENSOR_TEXT
    return out.reset_index(drop=True), notes


def _ae_onset(adae: pd.DataFrame, adsl: pd.DataFrame) -> pd.Series:
    onset = date_values(adae, "ASTDT")
    if "ASTDY" in adae.columns and "TRTSDT" in adsl.columns:
        # ASTDY counts from the MDT start (day 1 = TRTSDT, no day 0); used where the onset date is missing.
        # The two columns only: dropping duplicates of the whole ADSL copied every column.
        by_subject = adsl[["USUBJID", "TRTSDT"]].drop_duplicates("USUBJID").set_index("USUBJID")["TRTSDT"]
        study_day = pd.to_numeric(adae["ASTDY"], errors="coerce").astype(float)
        subjects = adae["USUBJID"]
        if by_subject.dtype == _NS:
            if _adds_safely(by_subject, study_day):
                # Where ASTDT is present the sum is not used and cannot raise: compute it where it is used.
                undated = onset.isna()
                subjects, study_day = subjects[undated], study_day[undated]
            trtsdt = subjects.map(by_subject)  # datetimes already: to_datetime would only copy them
        else:
            trtsdt = pd.to_datetime(subjects.map(by_subject))
        offset = pd.to_timedelta(study_day.where(study_day < 0, study_day - 1), unit="D")
        onset = onset.fillna(trtsdt + offset)
    return onset


def _replay_adae(
    adae: pd.DataFrame, adsl: pd.DataFrame, full_adsl: pd.DataFrame, when: pd.Timestamp
) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    out = adae.loc[adae["USUBJID"].isin(adsl["USUBJID"])].copy()
    # The replayed ADSL has lost TRTSDT after the date; onset from ASTDY needs the real MDT start.
    onset = _ae_onset(out, full_adsl)
    if onset.isna().any():
        notes.append(f"As-of replay: {int(onset.isna().sum())} AE(s) without onset date kept.")
    out = out.loc[~(onset > when)].copy()
    if "AENDT" in out.columns:
        out.loc[date_values(out, "AENDT") > when, "AENDT"] = pd.NaT
    return out.reset_index(drop=True), notes


def _replay_adtu(adtu: pd.DataFrame, adsl: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    out = adtu.loc[adtu["USUBJID"].isin(adsl.loc[enrolled_mask(adsl), "USUBJID"])].copy()
    if "MDTDT" in out.columns:
        # Lesions are known at registration; the MDT given after the date was not.
        later = date_values(out, "MDTDT") > when
        out.loc[later, "MDTDT"] = pd.NaT
        for column in ("MDTLES", "RTDOSE", "RTFX"):
            if column in out.columns:
                out.loc[later, column] = pd.NA if column == "RTFX" else np.nan
    return out.reset_index(drop=True)


def _replay_adlb(adlb: pd.DataFrame, adsl: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    out = adlb.loc[adlb["USUBJID"].isin(adsl["USUBJID"]) & ~(date_values(adlb, "ADT") > when)]
    return out.reset_index(drop=True)


def as_of(trial: TrialData, date: DateLike) -> TrialData:
    """Replay ``trial`` as it stood on ``date``.

    Rules (a date at or after the data cut-off returns ``trial`` itself, unchanged):

    - ADSL: subjects screened after the date are dropped (screening = earliest of RFICDT, SCRNDT, ENRLDT,
      RANDDT, TRTSDT; subjects with none of them are kept and noted). Subjects registered after the date
      (ENRLDT, else RANDDT, else TRTSDT) become not enrolled (ENRLFL, ITTFL, SAFFL "N"). Dates after the date
      are removed: ENRLDT, RANDDT, TRTSDT (SAFFL "N"), TRTEDT, EOSDT (EOSSTT "ONGOING", DCSREAS blank), DTHDT
      (DTHFL "N"). LSTALVDT after the date becomes the date. DCUTDT becomes the date.
    - ADTTE: only subjects enrolled as of the date; rows with STARTDT after the date are dropped. An event or
      censoring after the date becomes censored at the date: CNSR 1, ADT the date, EVNTDESC blank, CNSDTDSC
      ``"As-of date"``, AVAL = date - STARTDT in AVALU units, plus one day when the dataset counts the origin
      as day 1 (AVAL = ADT - STARTDT + 1 on most of its rows, as admiral does). Without STARTDT, AVAL is
      shifted back by the days removed; without ADT the event date is STARTDT + AVAL; rows with neither are
      kept unchanged and noted. An event or censoring on the date itself is kept as it is.
    - ADAE: AEs with onset (ASTDT, else TRTSDT + ASTDY) after the date are dropped; AENDT after the date
      becomes missing (ongoing). An AE's grade is the one recorded at the cut-off: a later worsening of the
      same AE record cannot be undone.
    - ADTU: lesions of enrolled subjects kept (they are baseline); MDT after the date (MDTDT, MDTLES, RTDOSE,
      RTFX) blanked.
    - ADLB: samples after the date dropped.

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered) trial.
    date : str, datetime.date or pandas.Timestamp
        The as-of date; a time of day is ignored.

    Returns
    -------
    TrialData
        The replayed trial, with a note describing the replay appended to ``notes``.

    Raises
    ------
    ValueError
        If ``date`` is not a date.
    """
    return _as_of(trial, as_date(date, "date"))


def _as_of(trial: TrialData, when: pd.Timestamp, lesions_and_labs: bool = True) -> TrialData:
    """:func:`as_of` of a parsed date; without ``lesions_and_labs`` ADTU and ADLB are left out (None).

    :func:`changes_since` reads ADSL, ADTTE and ADAE only: replaying the lesions and the laboratory
    samples as well was a third of its time. The other datasets do not depend on them.
    """
    cutoff = data_cutoff(trial)
    if cutoff is None:
        cutoff = latest_date(trial)
    if cutoff is not None and when >= cutoff:
        return trial if lesions_and_labs else replace(trial, adtu=None, adlb=None)
    adsl, notes = _replay_adsl(trial.adsl, when)
    adtte = adae = adtu = adlb = None
    if trial.adtte is not None:
        adtte, more = _replay_adtte(trial.adtte, adsl, when)
        notes += more
    if trial.adae is not None:
        adae, more = _replay_adae(trial.adae, adsl, trial.adsl, when)
        notes += more
    if trial.adtu is not None and lesions_and_labs:
        adtu = _replay_adtu(trial.adtu, adsl, when)
    if trial.adlb is not None and lesions_and_labs:
        adlb = _replay_adlb(trial.adlb, adsl, when)
    cut_text = "unknown" if cutoff is None else f"{cutoff:%Y-%m-%d}"
    notes.insert(
        0,
        f"As of {when:%Y-%m-%d}: data replayed as they stood on that date (data cut-off {cut_text}); "
        "later enrollments, events, AEs, MDT and samples removed, later events censored at the date.",
    )
    return replace(
        trial, adsl=adsl, adtte=adtte, adae=adae, adtu=adtu, adlb=adlb, notes=(*trial.notes, *notes)
    )


#: Labels of :meth:`Changes.counts`, in display order.
CHANGE_LABELS: dict[str, str] = {
    "enrolled": "Patients enrolled",
    "NESTFS": "NEST-FS events",
    "PFS": "PFS events",
    "deaths": "Deaths",
    "severe_aes": "New grade ≥ 3 AEs",
    "upgrades": "Grade upgrades",
}


@dataclass(frozen=True)
class Changes:
    """What happened between two dates: the window is ``(since, until]``.

    Attributes
    ----------
    since, until : pandas.Timestamp
        Window limits; ``since`` excluded, ``until`` included.
    enrolled : pandas.DataFrame
        Patients registered in the window: USUBJID, SITEID, ENRLDT (and MDTTYPE when present).
    events : pandas.DataFrame
        NEST-FS and PFS events in the window: USUBJID, PARAMCD, ADT, EVNTDESC.
    deaths : pandas.DataFrame
        Deaths in the window: USUBJID, DTHDT.
    severe_aes : pandas.DataFrame
        AEs of grade >= 3 with onset in the window: USUBJID, AEDECOD, AEBODSYS, ATOXGR, ASTDT.
    upgrades : pandas.DataFrame
        Subject x term whose worst grade rose: USUBJID, AEDECOD, GRADE_BEFORE, GRADE_NOW.
    missing : tuple of str
        Keys of :data:`CHANGE_LABELS` the data cannot answer (dataset or column absent).
    notes : tuple of str
        Why a listing could not be built.
    """

    since: pd.Timestamp
    until: pd.Timestamp
    enrolled: pd.DataFrame
    events: pd.DataFrame
    deaths: pd.DataFrame
    severe_aes: pd.DataFrame
    upgrades: pd.DataFrame
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Return the number of changes per kind, keyed by the labels of :data:`CHANGE_LABELS`.

        Returns
        -------
        dict of str to int
            Ordered as :data:`CHANGE_LABELS`; a kind the data cannot answer is left out.
        """
        return change_counts(self)


def change_counts(changes: Changes) -> dict[str, int]:
    """Count the changes of each kind.

    Parameters
    ----------
    changes : Changes
        Result of :func:`changes_since`.

    Returns
    -------
    dict of str to int
        ``{"Patients enrolled": n, "NEST-FS events": n, "PFS events": n, "Deaths": n,
        "New grade ≥ 3 AEs": n, "Grade upgrades": n}`` in that order; a kind listed in ``changes.missing``
        is left out (the data cannot tell, which is not zero).
    """
    sizes = {
        "enrolled": len(changes.enrolled),
        "NESTFS": int(changes.events["PARAMCD"].eq("NESTFS").sum()),
        "PFS": int(changes.events["PARAMCD"].eq("PFS").sum()),
        "deaths": len(changes.deaths),
        "severe_aes": len(changes.severe_aes),
        "upgrades": len(changes.upgrades),
    }
    return {label: sizes[key] for key, label in CHANGE_LABELS.items() if key not in changes.missing}


def _grade_column(adae: pd.DataFrame) -> str | None:
    for column in ("ATOXGR", "AETOXGR"):
        if column in adae.columns:
            return column
    return None


def _worst_grades(adae: pd.DataFrame, grade: str) -> pd.Series:
    grades = pd.to_numeric(adae[grade], errors="coerce")
    return grades.groupby([adae["USUBJID"], adae["AEDECOD"]]).max().dropna()


def _pick(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return frame.loc[:, [c for c in columns if c in frame.columns]].reset_index(drop=True)


def changes_since(trial: TrialData, since: DateLike, until: DateLike | None = None) -> Changes:
    """List what changed between ``since`` (excluded) and ``until`` (included).

    Each kind compares the trial replayed as of ``since`` with the trial replayed as of ``until`` (see
    :func:`as_of`), so the two dates follow the same rules as the rest of the dashboard:

    - enrolled: ENRLFL "Y" as of ``until`` but not as of ``since``;
    - events: NESTFS or PFS rows with CNSR 0 as of ``until`` that were not events as of ``since``;
    - deaths: DTHFL "Y" as of ``until`` but not as of ``since`` (without DTHFL in ADSL: OS events);
    - new grade >= 3 AEs: AEs of grade >= 3 (ATOXGR, else AETOXGR) present as of ``until`` with onset after
      ``since``;
    - grade upgrades: subject x AEDECOD whose worst grade as of ``until`` is higher than as of ``since``
      (a term first seen in the window is a new AE, not an upgrade).

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered) trial.
    since : str, datetime.date or pandas.Timestamp
        Start of the window, excluded (for example the last committee meeting).
    until : str, datetime.date or pandas.Timestamp, optional
        End of the window, included; default the data cut-off (else the latest date in the data).

    Returns
    -------
    Changes
        The listings; :func:`change_counts` gives the counts.

    Raises
    ------
    ValueError
        If a date is not a date or ``since`` is after ``until``.
    """
    start = as_date(since, "since")
    if until is None:
        end = data_cutoff(trial) or latest_date(trial) or start
    else:
        end = as_date(until, "until")
    if start > end:
        raise ValueError(f"since ({start:%Y-%m-%d}) is after until ({end:%Y-%m-%d})")
    before = _as_of(trial, start, lesions_and_labs=False)
    after = _as_of(trial, end, lesions_and_labs=False)
    missing: list[str] = []
    notes: list[str] = []

    was_enrolled = set(before.adsl.loc[enrolled_mask(before.adsl), "USUBJID"])
    now_enrolled = after.adsl.loc[enrolled_mask(after.adsl) & ~after.adsl["USUBJID"].isin(was_enrolled)]
    enrolled = _pick(now_enrolled, ("USUBJID", "SITEID", "ENRLDT", "RANDDT", "MDTTYPE"))

    event_columns = ("USUBJID", "PARAMCD", "PARAM", "ADT", "EVNTDESC", "AVAL", "AVALU")
    if after.adtte is None or before.adtte is None:
        events = pd.DataFrame(columns=list(event_columns[:2]))
        missing += ["NESTFS", "PFS"]
        notes.append("No ADTTE: NEST-FS and PFS events cannot be listed.")
    else:

        def event_keys(adtte: pd.DataFrame) -> pd.Series:
            return adtte["USUBJID"].astype(str) + "\x1f" + adtte["PARAMCD"].astype(str)

        old = before.adtte.loc[is_event(before.adtte["CNSR"])]
        new = after.adtte.loc[is_event(after.adtte["CNSR"]) & after.adtte["PARAMCD"].isin(CHANGE_ENDPOINTS)]
        events = _pick(new.loc[~event_keys(new).isin(set(event_keys(old)))], event_columns)
        for paramcd in CHANGE_ENDPOINTS:
            if not after.adtte["PARAMCD"].eq(paramcd).any():
                missing.append(paramcd)
                notes.append(f"ADTTE has no PARAMCD {paramcd}.")

    if "DTHFL" in after.adsl.columns:
        was_dead = set(before.adsl.loc[flag_yes(before.adsl, "DTHFL"), "USUBJID"])
        dead = after.adsl.loc[flag_yes(after.adsl, "DTHFL") & ~after.adsl["USUBJID"].isin(was_dead)]
        deaths = _pick(dead, ("USUBJID", "SITEID", "DTHDT", "DTHCAUS"))
    elif before.adtte is not None and after.adtte is not None and after.adtte["PARAMCD"].eq("OS").any():
        old_os = before.adtte.loc[
            before.adtte["PARAMCD"].eq("OS") & is_event(before.adtte["CNSR"]), "USUBJID"
        ]
        new_os = after.adtte.loc[after.adtte["PARAMCD"].eq("OS") & is_event(after.adtte["CNSR"])]
        dead = new_os.loc[~new_os["USUBJID"].isin(set(old_os))]
        deaths = _pick(dead, ("USUBJID", "ADT")).rename(columns={"ADT": "DTHDT"})
        notes.append("ADSL has no DTHFL: deaths are OS events.")
    else:
        deaths = pd.DataFrame(columns=["USUBJID", "DTHDT"])
        missing.append("deaths")
        notes.append("Neither ADSL.DTHFL nor an OS parameter: deaths cannot be listed.")

    ae_columns = ("USUBJID", "AEDECOD", "AEBODSYS", "ATOXGR", "AETOXGR", "ASTDT", "AESER")
    grade = None if after.adae is None else _grade_column(after.adae)
    if after.adae is None or before.adae is None:
        severe = pd.DataFrame(columns=["USUBJID", "AEDECOD"])
        upgrades = pd.DataFrame(columns=["USUBJID", "AEDECOD", "GRADE_BEFORE", "GRADE_NOW"])
        missing += ["severe_aes", "upgrades"]
        notes.append("No ADAE: AEs cannot be listed.")
    elif grade is None:
        severe = pd.DataFrame(columns=["USUBJID", "AEDECOD"])
        upgrades = pd.DataFrame(columns=["USUBJID", "AEDECOD", "GRADE_BEFORE", "GRADE_NOW"])
        missing += ["severe_aes", "upgrades"]
        notes.append("ADAE has no ATOXGR or AETOXGR (CTCAE grade): grade >= 3 AEs and upgrades not listed.")
    else:
        onset = _ae_onset(after.adae, trial.adsl)
        high = is_high_grade(after.adae[grade])
        # AEs without any onset date cannot be placed in the window, so they are never listed as new.
        severe = _pick(after.adae.loc[high & (onset > start)], ae_columns)
        worst_before = _worst_grades(before.adae, grade).rename("GRADE_BEFORE")
        worst_now = _worst_grades(after.adae, grade).rename("GRADE_NOW")
        both = pd.concat([worst_before, worst_now], axis=1, join="inner")
        rose = both.loc[both["GRADE_NOW"] > both["GRADE_BEFORE"]].reset_index()
        upgrades = rose.astype({"GRADE_BEFORE": "Int64", "GRADE_NOW": "Int64"})
    return Changes(
        since=start,
        until=end,
        enrolled=enrolled,
        events=events,
        deaths=deaths,
        severe_aes=severe,
        upgrades=upgrades,
        missing=tuple(missing),
        notes=tuple(notes),
    )


def default_since(as_of_date: DateLike, days: int = 91) -> _date:
    """Return the default start of a "changes since" window: ``days`` days before ``as_of_date``.

    The overview and the patients page share this default (and the ``since`` URL parameter), so both show
    the same window.

    Parameters
    ----------
    as_of_date : str, datetime.date or pandas.Timestamp
        The date the view shows.
    days : int, default 91
        Days to go back: 13 weeks, about three months, a usual interval between committee meetings.

    Returns
    -------
    datetime.date
        The start date.

    Raises
    ------
    ValueError
        If ``as_of_date`` is not a date or ``days`` is negative.
    """
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    return (as_date(as_of_date, "as_of_date") - pd.Timedelta(days=days)).date()


@dataclass(frozen=True)
class SinceWindow:
    """Bounds and default of a "changes since" date picker.

    Attributes
    ----------
    min : datetime.date or None
        Earliest allowed start: the first entry date, or ``max`` when that comes later; None when the first
        entry date is unknown (no lower bound).
    default : datetime.date
        Default start, between ``min`` and ``max``.
    max : datetime.date
        Latest allowed start: the date the view shows.
    """

    min: _date | None
    default: _date
    max: _date

    def clamp(self, value: DateLike | None) -> _date:
        """Return ``value`` as a date within ``[min, max]``; the default when it is None or not a date."""
        if value is None:
            return self.default
        try:
            day = as_date(value, "value").date()
        except ValueError:
            return self.default
        return min(day if self.min is None else max(day, self.min), self.max)


def since_window(first_entry: DateLike | None, as_of_date: DateLike, days: int = 91) -> SinceWindow:
    """Return the bounds and default of the "changes since" date for a view dated ``as_of_date``.

    The default is ``days`` days before ``as_of_date`` (:func:`default_since`), but not before the first entry
    date of the trial and never after ``as_of_date``. The earliest allowed date is the first entry date, or
    ``as_of_date`` itself when the view's date comes before any entry. The overview and the patients page
    share it (same date picker key and URL parameter ``since``).

    Parameters
    ----------
    first_entry : str, datetime.date, pandas.Timestamp or None
        Earliest entry date of the trial (:func:`medcare_metrics.subjects.first_entry_date`); None if unknown.
    as_of_date : str, datetime.date or pandas.Timestamp
        The date the view shows.
    days : int, default 91
        Days to go back for the default.

    Returns
    -------
    SinceWindow
        ``min <= default <= max``, with ``max`` the view's date (``min`` None when ``first_entry`` is None).

    Raises
    ------
    ValueError
        If a date is not a date or ``days`` is negative.
    """
    until = as_date(as_of_date, "as_of_date").date()
    back = default_since(until, days)
    if first_entry is None or pd.isna(first_entry):
        return SinceWindow(min=None, default=back, max=until)
    lowest = min(as_date(first_entry, "first_entry").date(), until)
    return SinceWindow(min=lowest, default=min(max(back, lowest), until), max=until)
