"""High-grade adverse events: every event, each patient, and the one count of patients every page shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from medcare_metrics.rules import HIGH_GRADE, PopulationRule, is_high_grade
from medcare_metrics.toxicity.counts import CountSteps, ToxicityOptions
from medcare_metrics.toxicity.phases import add_onset_phase

_LISTING_COLUMNS: tuple[str, ...] = (
    "USUBJID", "GROUP", "AESEQ", "AEBODSYS", "AEDECOD", "AETERM", "ATOXGR", "AETOXGR", "AESEV", "GRADE",
    "GRADE_LABEL", "AESER", "AEREL", "ASTDT", "AENDT", "ASTDY", "ONSET_DAYS", "PHASE", "TRTEMFL",
)  # fmt: skip
#: ADSL columns :func:`high_grade_patients` adds to say where and how a patient was treated.
_PATIENT_CONTEXT: tuple[str, ...] = ("SITEID", "SITENAME", "MDTTYPE")
#: Who :func:`high_grade_patient_count` counts over without ADSL.
NO_ADSL_POPULATION = PopulationRule("patients with an adverse event", "no ADSL")


def high_grade_events(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    by: str | None = None,
    options: ToxicityOptions | None = None,
) -> pd.DataFrame:
    """List every event at or above ``options.high_grade`` in the safety population.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level (safety population, TRTSDT for the onset phase).
    by : str or None
        Split column shown as GROUP.
    options : ToxicityOptions or None
        Threshold, acute window and TEAE filter.

    Returns
    -------
    pandas.DataFrame
        The listing columns present among USUBJID, GROUP, AESEQ, AEBODSYS, AEDECOD, AETERM, ATOXGR, AETOXGR,
        AESEV, GRADE, GRADE_LABEL, AESER, AEREL, ASTDT, AENDT, ASTDY, ONSET_DAYS, PHASE, TRTEMFL; sorted by
        subject and onset.
    """
    return high_grade_events_of(CountSteps(adae, adsl, options or ToxicityOptions()), by)


def high_grade_events_of(steps: CountSteps, by: str | None = None) -> pd.DataFrame:
    """Return :func:`high_grade_events` from shared steps (:class:`CountSteps`); made once per ``by``.

    The returned frame is shared: copy it before changing it.
    """
    return steps.memo(("high_grade_events", by), lambda: _high_grade_events(steps, by))


def _high_grade_events(steps: CountSteps, by: str | None) -> pd.DataFrame:
    options = steps.options
    events, scale, _, _ = steps.events(by)
    # The onset phase is a function of each row, so the high-grade rows are phased alone.
    events = events.loc[is_high_grade(events["GRADE"], options.high_grade).to_numpy()]
    events = add_onset_phase(events, steps.adsl, options.acute_window_days)
    events["GRADE_LABEL"] = events["GRADE"].map(scale.label, na_action=None).astype(object)
    cols = [c for c in _LISTING_COLUMNS if c in events.columns and (c != "GROUP" or by is not None)]
    order = [c for c in ("USUBJID", "ASTDT", "ASTDY", "AESEQ") if c in events.columns]
    return events.sort_values(order, na_position="last")[cols].reset_index(drop=True)


def high_grade_patients(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    by: str | None = None,
    options: ToxicityOptions | None = None,
) -> pd.DataFrame:
    """Return one row per subject with at least one event at or above ``options.high_grade``.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame or None
        Subject level (safety population).
    by : str or None
        Split column shown as GROUP (an ADAE column can give a subject one row per group).
    options : ToxicityOptions or None
        Threshold and TEAE filter.

    Returns
    -------
    pandas.DataFrame
        USUBJID, GROUP (when ``by``), the subject's centre and MDT type (those of SITEID, SITENAME, MDTTYPE
        that ADSL has, and not ``by`` itself), WORST_GRADE (Int64), WORST_LABEL, N_EVENTS (events at or
        above the threshold), TERMS (their AEDECOD, distinct, sorted, joined by "; ") and FIRST_ONSET
        (earliest ASTDT of those events, when ADAE has ASTDT); sorted by worst grade (highest first) and
        subject.
    """
    return high_grade_patients_of(CountSteps(adae, adsl, options or ToxicityOptions()), by)


def high_grade_patients_of(steps: CountSteps, by: str | None = None) -> pd.DataFrame:
    """Return :func:`high_grade_patients` from shared steps (:class:`CountSteps`)."""
    adsl = steps.adsl
    events = high_grade_events_of(steps, by)
    keys = ["USUBJID", "GROUP"] if by is not None else ["USUBJID"]
    scale = steps.graded()[1]
    context = [
        c for c in _PATIENT_CONTEXT if adsl is not None and c in adsl.columns and c != by and c not in keys
    ]
    cols = [*keys, *context, "WORST_GRADE", "WORST_LABEL", "N_EVENTS", "TERMS"]
    if "ASTDT" in events.columns:
        cols.append("FIRST_ONSET")
    if events.empty:
        return pd.DataFrame(columns=cols)
    grouped = events.groupby(keys, sort=True)
    out = grouped.agg(WORST_GRADE=("GRADE", "max"), N_EVENTS=("GRADE", "size"))
    out["TERMS"] = _joined_terms(events, keys, out.index)
    if "ASTDT" in events.columns:
        out["FIRST_ONSET"] = grouped["ASTDT"].min()
    out = out.reset_index()
    if context:
        info = adsl.drop_duplicates("USUBJID").set_index("USUBJID")[context]  # type: ignore[union-attr]
        out = out.join(info, on="USUBJID")
    out["WORST_GRADE"] = out["WORST_GRADE"].astype("Int64")
    out["WORST_LABEL"] = out["WORST_GRADE"].map(scale.label).astype(object)
    out = out.sort_values(["WORST_GRADE", *keys], ascending=[False] + [True] * len(keys))
    return out[cols].reset_index(drop=True)


def _joined_terms(events: pd.DataFrame, keys: list[str], index: pd.Index) -> np.ndarray:
    """Each group's distinct AEDECOD as text, sorted and joined by "; " ("" when none), in ``index`` order.

    The terms are made distinct and sorted once for all groups, then joined per group: the same text as
    ``"; ".join(sorted({str(v) for v in group.dropna()}))`` for each group.
    """
    terms = events.loc[events["AEDECOD"].notna(), keys].copy()
    terms["TERM"] = [str(v) for v in events["AEDECOD"].dropna()]
    terms = terms.drop_duplicates()
    text = terms["TERM"].tolist()
    terms = terms.iloc[sorted(range(len(text)), key=text.__getitem__)]  # str order, as sorted() gives
    joined: dict[object, str] = {}
    for key, values in terms.groupby(keys if len(keys) > 1 else keys[0], sort=False)["TERM"]:
        joined[key] = "; ".join(values)
    return np.array([joined.get(k, "") for k in index], dtype=object)


@dataclass(frozen=True)
class HighGradeCount:
    """Patients with at least one high-grade adverse event, and whom and which events that counts over.

    Attributes
    ----------
    n_patients : int
        Patients of the population with at least one event of grade >= :attr:`high_grade`.
    n_population : int
        The denominator: patients in the population.
    population : PopulationRule
        Whom the count is over (the safety population, :func:`medcare_metrics.rules.safety_mask`).
    teae_only : bool
        Whether only treatment-emergent events (TRTEMFL = "Y") were counted.
    has_trtemfl : bool
        Whether ADAE records treatment emergence at all.
    high_grade : int
        The lowest grade counted (:data:`medcare_metrics.rules.HIGH_GRADE`).
    uses_severity : bool
        True when ADAE has no CTCAE grade and the AESEV rank stands in (SEVERE for grade >= 3).
    """

    n_patients: int
    n_population: int
    population: PopulationRule
    teae_only: bool
    has_trtemfl: bool
    high_grade: int = HIGH_GRADE
    uses_severity: bool = False

    @property
    def share(self) -> float | None:
        """``n_patients / n_population``; None when the population is empty."""
        return self.n_patients / self.n_population if self.n_population else None


def high_grade_patient_count(
    adae: pd.DataFrame,
    adsl: pd.DataFrame | None,
    teae_only: bool | None = None,
    high_grade: int = HIGH_GRADE,
) -> HighGradeCount:
    """Count the patients with at least one high-grade adverse event, as the Toxicity page counts them.

    The one rule every page uses for "grade >= 3 patients": events of the safety population
    (:func:`safety_population`), graded on :func:`grade_scale` (CTCAE grade, else the AESEV rank), at or above
    ``high_grade``; treatment-emergent events only when asked.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events with USUBJID, AEBODSYS, AEDECOD and a grade.
    adsl : pandas.DataFrame or None
        Subject level (the safety population). None counts over the subjects with an adverse event.
    teae_only : bool or None, default None
        True: treatment-emergent events only (TRTEMFL = "Y"); False: every event; None: treatment-emergent
        events when ADAE has TRTEMFL, else every event (the Toxicity page's default).
    high_grade : int, default :data:`medcare_metrics.rules.HIGH_GRADE`
        The lowest grade counted.

    Returns
    -------
    HighGradeCount
        The count, its denominator, the population rule and the events counted.

    Raises
    ------
    ValueError
        When ADAE has no grade (ATOXGR, AETOXGR or AESEV) or lacks USUBJID, AEBODSYS or AEDECOD, or when
        ``teae_only`` is True and ADAE has no TRTEMFL.
    """
    teae = "TRTEMFL" in adae.columns if teae_only is None else bool(teae_only)
    return high_grade_patient_count_of(CountSteps(adae, adsl, ToxicityOptions(teae, high_grade=high_grade)))


def high_grade_patient_count_of(steps: CountSteps) -> HighGradeCount:
    """Return :func:`high_grade_patient_count` from shared steps (:class:`CountSteps`).

    The TEAE filter and the threshold are those of ``steps.options`` (the acute window plays no part).
    """
    adae, adsl, options = steps.adae, steps.adsl, steps.options
    events, scale, _, _ = steps.events(None)
    # The listing's patients: its rows are these events at or above the threshold (the phase adds columns).
    high = events.loc[is_high_grade(events["GRADE"], options.high_grade).to_numpy(), "USUBJID"]
    if adsl is not None:
        population = steps.population()
        rule, n_population = population.population_rule, len(population.subjects)
    else:
        # As toxicity_by_grade without ADSL: the subjects with a counted event.
        rule, n_population = NO_ADSL_POPULATION, int(events["USUBJID"].nunique())
    return HighGradeCount(
        n_patients=int(high.nunique()),
        n_population=n_population,
        population=rule,
        teae_only=options.teae_only,
        has_trtemfl="TRTEMFL" in adae.columns,
        high_grade=options.high_grade,
        uses_severity=scale.uses_severity,
    )
