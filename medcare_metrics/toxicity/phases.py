"""Onset phase after the MDT start (acute, late), relationship to MDT, events the TEAE filter leaves out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.rules import treatment_emergent_mask
from medcare_metrics.toxicity.counts import CountSteps, ToxicityCounts, ToxicityOptions


def add_onset_phase(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    window_days: int = DEFAULT_SETTINGS.acute_window_days,
) -> pd.DataFrame:
    """Return ADAE with the onset day after MDT start and the phase: acute, late, before MDT or unknown.

    Days after MDT start = ASTDT - TRTSDT (ADSL). When that is missing, ASTDY is used: ADaM has no day 0, so
    days after = ASTDY - 1 for ASTDY >= 1 and ASTDY for ASTDY < 0. Acute: 0 <= days <= ``window_days``; late:
    after; "Before MDT": negative; "Unknown onset": neither date nor day available.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events; ASTDT and/or ASTDY used when present.
    adsl : pandas.DataFrame or None
        Subject level with TRTSDT (MDT start); optional.
    window_days : int
        The acute window in days.

    Returns
    -------
    pandas.DataFrame
        A copy of ``adae`` with ONSET_DAYS (Int64, days after MDT start) and PHASE.

    Raises
    ------
    ValueError
        When ``window_days`` is negative.
    """
    if window_days < 0:
        raise ValueError(f"acute window must be >= 0 days, got {window_days}")
    out = adae.copy()
    days = pd.Series(pd.NA, index=out.index, dtype="Float64")
    if adsl is not None and "TRTSDT" in adsl.columns and "ASTDT" in out.columns:
        start = _datetimes(out["USUBJID"].map(adsl.drop_duplicates("USUBJID").set_index("USUBJID")["TRTSDT"]))
        onset = _datetimes(out["ASTDT"])
        days = ((onset - start).dt.days).astype("Float64")
    if "ASTDY" in out.columns:
        dy = pd.to_numeric(out["ASTDY"], errors="coerce").astype("Float64")
        dy_days = dy.where(dy < 0, dy - 1)
        days = days.fillna(dy_days)
    out["ONSET_DAYS"] = days.round().astype("Int64")
    phase = np.select(
        [
            days.isna().to_numpy(dtype=bool),
            (days < 0).fillna(False).to_numpy(dtype=bool),
            (days <= window_days).fillna(False).to_numpy(dtype=bool),
        ],
        ["Unknown onset", "Before MDT", "Acute"],
        default="Late",
    )
    out["PHASE"] = pd.Series(phase, index=out.index, dtype=object)
    return out


def _datetimes(values: pd.Series) -> pd.Series:
    """``pd.to_datetime(values)``, skipped for datetimes (it returns them unchanged after a slow scan)."""
    return values if values.dtype == "datetime64[ns]" else pd.to_datetime(values)


def _without(adsl: pd.DataFrame | None, column: str) -> pd.DataFrame | None:
    """ADSL without ``column``, so that a split by that name comes from ADAE."""
    return adsl.drop(columns=column) if adsl is not None and column in adsl.columns else adsl


def phase_steps(steps: CountSteps) -> CountSteps:
    """Return the shared steps of :func:`toxicity_by_phase`: the events with their onset phase, made once.

    Parameters
    ----------
    steps : CountSteps
        The steps of ADAE, ADSL and the options.

    Returns
    -------
    CountSteps
        Steps of ADAE with ONSET_DAYS and PHASE (:func:`add_onset_phase`), over ADSL without a PHASE column.
    """

    def make() -> CountSteps:
        phased = add_onset_phase(steps.adae, steps.adsl, steps.options.acute_window_days)
        return CountSteps(phased, _without(steps.adsl, "PHASE"), steps.options)

    return steps.memo("phase", make)


def by_phase(steps: CountSteps, level: str = "overall") -> ToxicityCounts:
    """Return :func:`toxicity_by_phase` from shared steps (:class:`CountSteps`)."""
    return phase_steps(steps).by_grade(level, "PHASE")


def by_relationship(steps: CountSteps, level: str = "overall") -> ToxicityCounts:
    """Return :func:`toxicity_by_relationship` from shared steps (:class:`CountSteps`)."""
    if "AEREL" not in steps.adae.columns:
        raise DataUnavailable("ADAE has no AEREL column: relationship to MDT is not recorded")
    if steps.adsl is not None and "AEREL" in steps.adsl.columns:
        steps = steps.memo(
            "relationship", lambda: CountSteps(steps.adae, _without(steps.adsl, "AEREL"), steps.options)
        )
    return steps.by_grade(level, "AEREL")


def toxicity_by_phase(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    level: str = "overall",
    options: ToxicityOptions | None = None,
) -> ToxicityCounts:
    """Count subjects by worst grade in the acute and late phase (GROUP = PHASE).

    A subject with events in both phases counts in both. Denominators: the whole safety population in each
    phase. Events with onset before the MDT start are neither acute nor late toxicity of MDT: they form the
    group "Before MDT" (kept, not dropped; with ``teae_only`` they drop out when TRTEMFL = "N"). Events with
    neither an onset date nor a study day form "Unknown onset".

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level (TRTSDT, safety population).
    level : str
        ``"term"``, ``"soc"`` or ``"overall"``.
    options : ToxicityOptions or None
        The acute window and TEAE filter.

    Returns
    -------
    ToxicityCounts
        As :func:`toxicity_by_grade`, with GROUP one of :data:`~medcare_metrics.toxicity.groups.PHASES` and
        ``by`` = ``"PHASE"``.
    """
    return by_phase(CountSteps(adae, adsl, options or ToxicityOptions()), level)


def toxicity_by_relationship(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    level: str = "overall",
    options: ToxicityOptions | None = None,
) -> ToxicityCounts:
    """Count subjects by worst grade per relationship to MDT (GROUP = AEREL as recorded, or "Missing").

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with AEREL.
    adsl : pandas.DataFrame or None
        Subject level (safety population).
    level : str
        ``"term"``, ``"soc"`` or ``"overall"``.
    options : ToxicityOptions or None
        TEAE filter.

    Returns
    -------
    ToxicityCounts
        As :func:`toxicity_by_grade` with ``by`` = ``"AEREL"``.

    Raises
    ------
    DataUnavailable
        When ADAE has no AEREL (a ValueError).
    """
    return by_relationship(CountSteps(adae, adsl, options or ToxicityOptions()), level)


@dataclass(frozen=True)
class CountedEvents:
    """Which adverse events the counts include: what the treatment-emergent filter keeps and leaves out.

    Attributes
    ----------
    has_trtemfl : bool
        Whether ADAE records treatment emergence (TRTEMFL).
    teae_only : bool
        Whether only treatment-emergent events are counted.
    n_not_teae : int
        Events of the safety population with TRTEMFL not "Y" (0 without TRTEMFL).
    n_before_mdt : int
        Of those, events that began before the patient's MDT start (:func:`add_onset_phase`).
    """

    has_trtemfl: bool
    teae_only: bool
    n_not_teae: int = 0
    n_before_mdt: int = 0


def counted_events(
    adae: pd.DataFrame, adsl: pd.DataFrame | None, options: ToxicityOptions | None = None
) -> CountedEvents:
    """Return which adverse events the counts include.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level: only events of the safety population are counted, and TRTSDT tells which of the
        events that are not treatment-emergent began before the MDT start.
    options : ToxicityOptions or None
        The TEAE filter.

    Returns
    -------
    CountedEvents
        Whether ADAE has TRTEMFL, whether the filter applies, and the events that are not treatment-emergent.
    """
    return counted_events_of(CountSteps(adae, adsl, options or ToxicityOptions()))


def counted_events_of(steps: CountSteps) -> CountedEvents:
    """Return :func:`counted_events` from shared steps (:class:`CountSteps`)."""
    adae, adsl, options = steps.adae, steps.adsl, steps.options
    if "TRTEMFL" not in adae.columns:
        return CountedEvents(has_trtemfl=False, teae_only=False)
    events = adae
    if adsl is not None and "USUBJID" in adsl.columns:
        events = adae.loc[adae["USUBJID"].isin(steps.population().subjects["USUBJID"])]
    not_teae = events.loc[~treatment_emergent_mask(events)]
    n_before = int((add_onset_phase(not_teae, adsl)["PHASE"] == "Before MDT").sum()) if len(not_teae) else 0
    return CountedEvents(True, options.teae_only, len(not_teae), n_before)
