"""Swimmer plot data: one bar per enrolled patient from registration to last contact, and its markers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from medcare_metrics.model import TrialData
from medcare_metrics.patients.common import (
    _aval_days,
    _death_dates,
    _endpoint_events,
    _enrolled,
    _months,
    _reference_date,
)
from medcare_metrics.rules import DAYS_PER_MONTH, is_event, off_study_mask
from medcare_metrics.subjects import date_values

#: Marker kinds of :func:`swimmer_events`, in legend order.
SWIMMER_EVENTS: tuple[str, ...] = ("MDT", "Progression", "NEST start", "Death", "Censored", "Ongoing")
#: Patient status at the end of the swimmer bar; "Unknown": alive, and ADSL has no EOSSTT to tell.
STATUSES: tuple[str, ...] = ("Ongoing", "Off study", "Died", "Unknown")

SwimmerOrder = Literal["follow_up", "nestfs"]


def _mdt_events(trial: TrialData, enrolled: pd.DataFrame) -> pd.DataFrame:
    """One row per subject and MDT date: ADTU lesions when they carry MDTDT, else ADSL TRTSDT."""
    frames = []
    have: set[str] = set()
    adtu = trial.adtu
    if adtu is not None and "MDTDT" in adtu.columns:
        rows = adtu.loc[adtu["MDTDT"].notna() & adtu["USUBJID"].isin(set(enrolled["USUBJID"]))].copy()
        rows["DETAIL"] = _lesion_details(rows)
        keys = ["USUBJID", "MDTDT"]
        # Most patients have one lesion treated per day: only days with several join their texts in
        # Python (a join per group over every day cost most of this function at 10,000 patients).
        shared = rows.duplicated(keys, keep=False)
        joined = _joined_details(rows.loc[shared, [*keys, "DETAIL"]], keys)
        per_date = (
            pd.concat([rows.loc[~shared, [*keys, "DETAIL"]], joined], ignore_index=True)
            .sort_values(keys, kind="mergesort")
            .reset_index(drop=True)
            .rename(columns={"MDTDT": "DATE"})
        )
        frames.append(per_date)
        have = set(per_date["USUBJID"])
    if "TRTSDT" in enrolled.columns:
        rest = enrolled.loc[~enrolled["USUBJID"].isin(have) & enrolled["TRTSDT"].notna()]
        frames.append(
            pd.DataFrame({"USUBJID": rest["USUBJID"], "DATE": rest["TRTSDT"], "DETAIL": rest["MDT"]})
        )
    if not frames:
        return pd.DataFrame({"USUBJID": [], "DATE": pd.Series(dtype="datetime64[ns]"), "DETAIL": []})
    return pd.concat(frames, ignore_index=True)


def _lesion_texts(rows: pd.DataFrame) -> pd.Series:
    """Return each lesion's marker text, ``"<MDTLES> (<TULOC>)"`` (object)."""
    kind = rows["MDTLES"].astype("string") if "MDTLES" in rows.columns else pd.Series("MDT", index=rows.index)
    site = rows["TULOC"].astype("string") if "TULOC" in rows.columns else pd.Series("", index=rows.index)
    return (kind.fillna("MDT") + " (" + site.fillna("?") + ")").astype(object)


def _lesion_details(rows: pd.DataFrame) -> pd.Series:
    """Return :func:`_lesion_texts` of ``rows``, worked out once per distinct pair of MDTLES and TULOC."""
    columns = [c for c in ("MDTLES", "TULOC") if c in rows.columns]
    coded = [pd.factorize(rows[c]) for c in columns]
    # In an object column 1, 1.0 and True are one value to factorize but print differently.
    if not columns or any(
        rows[c].dtype == object and not all(type(v) is str for v in uniques)
        for c, (_, uniques) in zip(columns, coded, strict=True)
    ):
        return _lesion_texts(rows)
    pair = np.zeros(len(rows), dtype=np.int64)
    for codes, uniques in coded:
        pair = pair * (len(uniques) + 1) + (codes + 1)  # -1 (missing) is a value of its own
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    texts = _lesion_texts(rows.iloc[first]).to_numpy()
    return pd.Series(texts[inverse.reshape(-1)], index=rows.index, dtype=object)


def _joined_details(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Return each group's DETAIL texts joined by ``"; "``: the groupby join, without a pandas call per group.

    Equal to ``rows.groupby(keys, sort=False)["DETAIL"].agg("; ".join).reset_index()``: groups in order of
    first appearance, each group's texts in row order, rows with a missing key left out; here with one
    stable sort and a join per group over plain lists.
    """
    group = rows.groupby(keys, sort=False).ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    order = order[group[order] >= 0]  # -1: a missing key, which the groupby drops
    group = group[order]
    if not group.size:
        return rows.groupby(keys, sort=False)["DETAIL"].agg("; ".join).reset_index()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = [*starts[1:].tolist(), group.size]
    details = rows["DETAIL"].to_numpy()[order].tolist()
    firsts = rows.iloc[order[starts]]
    out = pd.DataFrame({key: firsts[key].to_numpy() for key in keys})
    out["DETAIL"] = ["; ".join(details[a:b]) for a, b in zip(starts.tolist(), ends, strict=True)]
    return out


#: Dates that show a patient was seen: (dataset, column).
CONTACT_DATES: tuple[tuple[str, str], ...] = (
    ("adsl", "TRTEDT"),
    ("adtte", "ADT"),
    ("adae", "ASTDT"),
    ("adae", "AENDT"),
    ("adlb", "ADT"),
    ("adtu", "MDTDT"),
)


def _latest_per_subject(trial: TrialData, enrolled: pd.DataFrame) -> pd.Series:
    """Latest of the :data:`CONTACT_DATES` per USUBJID."""
    parts = [pd.Series(dtype="datetime64[ns]")]
    for name, column in CONTACT_DATES:
        frame = enrolled if name == "adsl" else trial.dataset(name)
        if frame is not None and column in frame.columns:
            parts.append(pd.Series(date_values(frame, column).to_numpy(), index=frame["USUBJID"].to_numpy()))
    dates = pd.concat(parts).dropna()
    return dates.groupby(level=0).max()


def _last_contact(
    trial: TrialData, enrolled: pd.DataFrame, reference: pd.Timestamp | None
) -> tuple[pd.Series, pd.Series]:
    """Last contact per enrolled patient (aligned with ``enrolled``) and where it came from.

    ``reference`` is the trial's data cut-off (or latest date), the last resort: passed in so that one
    patient's rows (:func:`medcare_metrics.patients.patient_profile`) end where they end in the whole trial.
    """
    end = pd.Series(pd.NaT, index=enrolled.index, dtype="datetime64[ns]")
    source = pd.Series(pd.NA, index=enrolled.index, dtype="object")
    candidates: list[tuple[str, pd.Series]] = []
    if trial.adtte is not None and "ADT" in trial.adtte.columns:
        os_ = trial.adtte.loc[trial.adtte["PARAMCD"].eq("OS")]
        os_adt = pd.Series(date_values(os_, "ADT").to_numpy(), index=os_["USUBJID"]).groupby(level=0).max()
        candidates.append(("OS date", enrolled["USUBJID"].map(os_adt)))
    candidates.append(("Last known alive", date_values(enrolled, "LSTALVDT")))
    candidates.append(("Death", date_values(enrolled, "DTHDT")))
    candidates.append(("End of study", date_values(enrolled, "EOSDT")))
    # Without a follow-up date in ADSL, the latest date recorded for the patient is the last known contact.
    candidates.append(("Latest date recorded", enrolled["USUBJID"].map(_latest_per_subject(trial, enrolled))))
    if reference is not None:
        candidates.append(("Data cut-off", pd.Series(reference, index=enrolled.index)))
    for label, values in candidates:
        fill = end.isna() & values.notna()
        end = end.where(~fill, values)
        source = source.where(~fill, label)
    return end, source


def _status(enrolled: pd.DataFrame, deaths: pd.Series) -> pd.Series:
    died = enrolled["USUBJID"].isin(set(deaths.index))
    if "EOSSTT" not in enrolled.columns:
        return pd.Series(np.where(died, "Died", "Unknown"), index=enrolled.index)
    off = off_study_mask(enrolled)
    return pd.Series(np.select([died, off], ["Died", "Off study"], "Ongoing"), index=enrolled.index)


def _nestfs_times(trial: TrialData, enrolled: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """NEST-FS time (months) and event flag aligned with ``enrolled``; NaN where there is no NESTFS row."""
    if trial.adtte is None:
        return pd.Series(np.nan, index=enrolled.index), pd.Series(
            pd.NA, index=enrolled.index, dtype="boolean"
        )
    rows = (
        trial.adtte.loc[trial.adtte["PARAMCD"].eq("NESTFS")].drop_duplicates("USUBJID").set_index("USUBJID")
    )
    months = pd.to_numeric(rows["AVAL"], errors="coerce") * _aval_days(rows) / DAYS_PER_MONTH
    # A missing CNSR leaves the outcome unknown rather than censored.
    event = is_event(rows["CNSR"]).astype("boolean").mask(rows["CNSR"].isna())
    return (
        enrolled["USUBJID"].map(months).astype(float),
        enrolled["USUBJID"].map(event).astype("boolean"),
    )


def swimmer_data(trial: TrialData, order: SwimmerOrder = "follow_up") -> pd.DataFrame:
    """Return one row per enrolled patient for a swimmer plot.

    The bar runs from registration to last contact: the OS row's ADT, else LSTALVDT, else DTHDT, else EOSDT,
    else the latest date recorded for the patient (:data:`CONTACT_DATES`: TRTEDT, ADTTE ADT, AE onset and
    end, PSA sample, MDT date), else the data cut-off; it is stretched to the latest marker of
    :func:`swimmer_events` if one falls later.

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered / as-of) trial.
    order : {"follow_up", "nestfs"}
        ``"follow_up"``: longest follow-up first. ``"nestfs"``: longest NEST-FS time (event or censoring)
        first, patients without a NESTFS row last. Ties by USUBJID.

    Returns
    -------
    pandas.DataFrame
        USUBJID, SITEID (when present), MDT (ADSL.MDTTYPE, ``"Not recorded"`` when missing), START, END,
        END_SOURCE, FOLLOWUP_MONTHS, NESTFS_MONTHS, NESTFS_EVENT, STATUS (``"Ongoing"``, ``"Off study"``,
        ``"Died"``, or ``"Unknown"`` for a living patient when ADSL has no EOSSTT), ORDER (1 = first = top of
        the plot). Patients without a registration date are left out.

    Raises
    ------
    ValueError
        If ``order`` is not one of the two choices.
    """
    return swimmer_plot(trial, order).patients


def _registered(adsl: pd.DataFrame) -> pd.DataFrame:
    """Return the enrolled patients with a registration date (the swimmer's rows)."""
    enrolled = _enrolled(adsl)
    return enrolled.loc[enrolled["START"].notna()].reset_index(drop=True)


def _swimmer(trial: TrialData, order: SwimmerOrder, reference: pd.Timestamp | None) -> SwimmerPlot:
    """Bars and markers of ``trial``, with ``reference`` as the data cut-off (see :func:`swimmer_plot`)."""
    if order not in ("follow_up", "nestfs"):
        raise ValueError(f"order must be 'follow_up' or 'nestfs', got {order!r}")
    enrolled = _registered(trial.adsl)
    deaths = _death_dates(trial)
    end, source = _last_contact(trial, enrolled, reference)
    status = _status(enrolled, deaths)
    markers = _markers(trial, enrolled, deaths, end, status)
    latest_marker = markers.groupby("USUBJID")["DATE"].max()
    later = enrolled["USUBJID"].map(latest_marker)
    stretched = later.notna() & (later > end.fillna(pd.Timestamp.min))
    end = end.where(~stretched, later)
    source = source.where(~stretched, "Latest event")
    nest_months, nest_event = _nestfs_times(trial, enrolled)
    columns = ["USUBJID", "SITEID", "MDT"] if "SITEID" in enrolled.columns else ["USUBJID", "MDT"]
    out = enrolled[columns].copy()
    out["START"] = enrolled["START"]
    out["END"] = end
    out["END_SOURCE"] = source
    out["FOLLOWUP_MONTHS"] = _months(end, enrolled["START"]).clip(lower=0.0)
    out["NESTFS_MONTHS"] = nest_months
    out["NESTFS_EVENT"] = nest_event
    out["STATUS"] = status
    key = "FOLLOWUP_MONTHS" if order == "follow_up" else "NESTFS_MONTHS"
    out = out.sort_values([key, "USUBJID"], ascending=[False, True], na_position="last", kind="mergesort")
    out["ORDER"] = np.arange(1, len(out) + 1)
    return SwimmerPlot(patients=out.reset_index(drop=True), events=markers)


@dataclass(frozen=True, eq=False)
class SwimmerPlot:
    """The swimmer plot's bars and markers, computed together.

    Attributes
    ----------
    patients : pandas.DataFrame
        One row per patient, as :func:`swimmer_data` returns.
    events : pandas.DataFrame
        The markers, as :func:`swimmer_events` returns.
    """

    patients: pd.DataFrame
    events: pd.DataFrame


def swimmer_plot(trial: TrialData, order: SwimmerOrder = "follow_up") -> SwimmerPlot:
    """Return the swimmer plot's bars and markers at once (the shared steps run once, not twice).

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered / as-of) trial.
    order : {"follow_up", "nestfs"}
        How the bars are sorted (see :func:`swimmer_data`).

    Returns
    -------
    SwimmerPlot
        ``patients`` equal to ``swimmer_data(trial, order)``, ``events`` equal to ``swimmer_events(trial)``.

    Raises
    ------
    ValueError
        If ``order`` is not one of the two choices.
    """
    return _swimmer(trial, order, _reference_date(trial))


def status_counts(swimmers: pd.DataFrame) -> dict[str, int]:
    """Count the patients of a swimmer plot by status at the end of their bar.

    Parameters
    ----------
    swimmers : pandas.DataFrame
        As :func:`swimmer_data` returns.

    Returns
    -------
    dict of str to int
        ``{"Ongoing": n, "Off study": n, "Died": n, "Unknown": n}`` (every status of :data:`STATUSES`, zeros
        included).
    """
    counts = swimmers["STATUS"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def swimmer_events(trial: TrialData) -> pd.DataFrame:
    """Return the markers of the swimmer plot, one row per patient and event.

    Parameters
    ----------
    trial : TrialData
        Loaded (possibly filtered / as-of) trial.

    Returns
    -------
    pandas.DataFrame
        USUBJID, EVENT (one of :data:`SWIMMER_EVENTS`), DATE, MONTHS (from registration), DETAIL. MDT: each
        ADTU MDTDT (lesions treated on the same day joined in DETAIL), else ADSL TRTSDT. Progression: PFS
        events; NEST start: NESTFS events; both without the events that are deaths (EVNTDESC mentioning
        death, or on the death date). Death: ADSL DTHFL/DTHDT, else OS events. Censored / Ongoing: at the last
        contact of patients alive there, off study (EOSSTT COMPLETED or DISCONTINUED) or whose status is not
        recorded (no EOSSTT) / still followed.
        Sorted by USUBJID and DATE.
    """
    enrolled = _registered(trial.adsl)
    deaths = _death_dates(trial)
    end, _ = _last_contact(trial, enrolled, _reference_date(trial))
    return _markers(trial, enrolled, deaths, end, _status(enrolled, deaths))


def _markers(
    trial: TrialData, enrolled: pd.DataFrame, deaths: pd.Series, end: pd.Series, status: pd.Series
) -> pd.DataFrame:
    """Return the swimmer markers (see :func:`swimmer_events`) from the steps the bars share."""
    ids = set(enrolled["USUBJID"])
    parts = [
        _mdt_events(trial, enrolled).assign(EVENT="MDT"),
        _endpoint_events(trial, "PFS", deaths).assign(EVENT="Progression"),
        _endpoint_events(trial, "NESTFS", deaths).assign(EVENT="NEST start"),
        pd.DataFrame({"USUBJID": deaths.index, "DATE": deaths.to_numpy(), "DETAIL": np.nan}).assign(
            EVENT="Death"
        ),
    ]
    alive = status.ne("Died")
    parts.append(
        pd.DataFrame(
            {
                "USUBJID": enrolled.loc[alive, "USUBJID"],
                "DATE": end[alive],
                "DETAIL": status[alive].map(
                    {
                        "Ongoing": "Follow-up ongoing",
                        "Off study": "Off study",
                        "Unknown": "Last contact (study status not recorded)",
                    }
                ),
                "EVENT": status[alive].map(
                    {"Ongoing": "Ongoing", "Off study": "Censored", "Unknown": "Censored"}
                ),
            }
        )
    )
    events = (
        pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    )
    if events is None:
        return pd.DataFrame(
            {
                "USUBJID": pd.Series(dtype=object),
                "EVENT": pd.Series(dtype=object),
                "DATE": pd.Series(dtype="datetime64[ns]"),
                "MONTHS": pd.Series(dtype=float),
                "DETAIL": pd.Series(dtype=object),
            }
        )
    events = events.loc[events["USUBJID"].isin(ids) & events["DATE"].notna()].copy()
    events["DATE"] = pd.to_datetime(events["DATE"])
    start = events["USUBJID"].map(enrolled.set_index("USUBJID")["START"])
    events["MONTHS"] = _months(events["DATE"], start)
    events["_rank"] = events["EVENT"].map({e: i for i, e in enumerate(SWIMMER_EVENTS)})
    events = events.sort_values(["USUBJID", "DATE", "_rank"], kind="mergesort")
    return events[["USUBJID", "EVENT", "DATE", "MONTHS", "DETAIL"]].reset_index(drop=True)
