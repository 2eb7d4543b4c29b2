"""Continuous toxicity monitoring of a single-arm trial: a stopping boundary and the patients treated so far.

The rule: among the first ``n`` patients treated, stop when the number with the event (by default a grade >= 3
MDT-related adverse event within the acute window) reaches the boundary ``b_n``. A rate above the limit ``p``
is unacceptable. Two boundaries:

- Pocock type (Ivanova A, Qaqish BF, Schell MJ. Continuous toxicity monitoring in phase II trials in
  oncology. Biometrics 2005;61:540-545). ``b_n`` is the smallest ``k`` with ``P(X_n >= k) <= c``, ``X_n ~
  Binomial(n, p)``: the same tail probability ``c`` at every ``n``. The constant ``c`` is the largest for
  which the probability of ever crossing the boundary over ``n = 1..N`` when the true rate is ``p`` is at most
  ``alpha`` (the counts are discrete, so exactly ``alpha`` is rarely attainable). That probability is computed
  exactly by recursion over the number of events among the patients not yet stopped
  (:func:`crossing_probability`).
- Bayesian beta-binomial. With a ``Beta(a, b)`` prior on the rate, ``b_n`` is the smallest ``x`` for which
  ``P(rate > p | x events in n) > threshold``.

Where no count among ``n`` patients can cross (``b_n > n``), the boundary is "not yet reachable".
Which adverse events count follows :mod:`medcare_metrics.toxicity`: the safety population, the grade scale
and threshold (:func:`~medcare_metrics.toxicity.high_grade_events`), the onset phase
(:func:`~medcare_metrics.toxicity.add_onset_phase`: acute = 0 to the window's days after the MDT start) and
relationship to MDT as recorded in AEREL (:data:`RELATED_VALUES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.rules import RELATED_AEREL_VALUES, is_related
from medcare_metrics.subjects import date_values
from medcare_metrics.toxicity.counts import ToxicityOptions
from medcare_metrics.toxicity.listings import high_grade_events
from medcare_metrics.toxicity.population import safety_population

#: Boundary methods.
METHODS: tuple[str, ...] = ("pocock", "bayesian")
#: AEREL values that count as related to MDT: the ADaM rule of :mod:`medcare_metrics.rules`.
RELATED_VALUES: frozenset[str] = RELATED_AEREL_VALUES


@dataclass(frozen=True)
class MonitoringOptions:
    """The stopping rule and which adverse events count.

    Attributes
    ----------
    unacceptable_rate : float
        The limit ``p`` in (0, 1): a rate above it is unacceptable.
    max_patients : int
        ``N``, patients the boundary is built for.
    method : str
        ``"pocock"`` or ``"bayesian"``.
    alpha : float
        Pocock: probability of ever crossing when the true rate is ``p``.
    prior_a, prior_b : float
        Bayesian: beta prior.
    posterior_threshold : float
        Bayesian: stop when ``P(rate > p | data)`` exceeds it.
    min_grade : int
        Lowest grade counted.
    related_only : bool
        Count only events related to MDT (:data:`RELATED_VALUES`).
    acute_only : bool
        Count only events in the acute window.
    acute_window_days : int
        The acute window, days after the MDT start.
    teae_only : bool or None
        Treatment-emergent events only; None: when ADAE has TRTEMFL (the Toxicity page's default).
    """

    unacceptable_rate: float
    max_patients: int
    method: str = "pocock"
    alpha: float = 0.05
    prior_a: float = 1.0
    prior_b: float = 1.0
    posterior_threshold: float = 0.9
    min_grade: int = 3
    related_only: bool = True
    acute_only: bool = True
    acute_window_days: int = DEFAULT_SETTINGS.acute_window_days
    teae_only: bool | None = None

    def __post_init__(self) -> None:
        """Reject a rule that defines no boundary."""
        if not 0.0 < self.unacceptable_rate < 1.0:
            raise ValueError(f"the unacceptable rate must be between 0 and 1, got {self.unacceptable_rate!r}")
        if int(self.max_patients) != self.max_patients or self.max_patients < 1:
            raise ValueError(
                f"the number of patients must be a positive whole number, got {self.max_patients!r}"
            )
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha must be between 0 and 1, got {self.alpha!r}")
        if not (self.prior_a > 0 and self.prior_b > 0):
            raise ValueError(
                f"beta prior parameters must be positive, got {self.prior_a!r}, {self.prior_b!r}"
            )
        if not 0.0 < self.posterior_threshold < 1.0:
            raise ValueError(f"posterior threshold must be between 0 and 1, got {self.posterior_threshold!r}")


@dataclass(frozen=True, eq=False)
class Boundary:
    """A stopping boundary for n = 1..N.

    Attributes
    ----------
    method : str
        ``"pocock"`` or ``"bayesian"``.
    rate : float
        The limit ``p``.
    counts : numpy.ndarray
        ``b_n`` for n = 1..N (int); ``n + 1`` where no count among ``n`` patients crosses.
    level : float
        Pocock: the tail probability ``c``; Bayesian: the posterior threshold.
    crossing : float
        Probability of ever crossing over n = 1..N when the true rate is ``p`` (exact).
    """

    method: str
    rate: float
    counts: np.ndarray
    level: float
    crossing: float

    @property
    def n_max(self) -> int:
        """N."""
        return int(self.counts.size)

    def table(self) -> pd.DataFrame:
        """Return N (1..N), BOUNDARY (Int64; <NA> where not yet reachable) and REACHABLE."""
        n = np.arange(1, self.n_max + 1)
        reachable = self.counts <= n
        values = pd.array(np.where(reachable, self.counts, 0), dtype="Int64")
        values[~reachable] = pd.NA
        return pd.DataFrame({"N": n, "BOUNDARY": values, "REACHABLE": reachable})


def binomial_tail(n: int, k: np.ndarray, p: float) -> np.ndarray:
    """Return ``P(X >= k)`` for ``X ~ Binomial(n, p)``.

    Parameters
    ----------
    n : int
        Trials.
    k : numpy.ndarray
        Counts.
    p : float
        Success probability.

    Returns
    -------
    numpy.ndarray
        Upper tail probabilities (1 for ``k <= 0``).
    """
    return np.asarray(stats.binom.sf(np.asarray(k) - 1, n, p), dtype=float)


def crossing_probability(counts: np.ndarray, rate: float) -> float:
    """Return the probability of ever reaching the boundary over n = 1..N at a true rate, exactly.

    The recursion follows the distribution of the number of events among patients not yet stopped: at each
    ``n`` it adds one patient (event with probability ``rate``), then removes (stops) the paths at or above
    ``b_n``.

    Parameters
    ----------
    counts : numpy.ndarray
        ``b_n`` for n = 1..N.
    rate : float
        True event rate in [0, 1].

    Returns
    -------
    float
        P(stop by N).
    """
    counts = np.asarray(counts, dtype=int)
    size = counts.size + 2
    alive = np.zeros(size)
    alive[0] = 1.0
    crossed = 0.0
    for n, bound in enumerate(counts, start=1):
        step = alive * (1.0 - rate)
        step[1:] += alive[:-1] * rate
        stop = min(int(bound), size)
        crossed += float(step[stop:].sum())
        step[stop:] = 0.0
        alive = step
        del n
    return crossed


def tail_table(n_max: int, rate: float) -> np.ndarray:
    """Return ``P(X_n >= k)`` for n = 1..N (rows) and k = 0..N + 1 (columns), ``X_n ~ Binomial(n, rate)``.

    Parameters
    ----------
    n_max : int
        N.
    rate : float
        Event probability.

    Returns
    -------
    numpy.ndarray
        Shape (N, N + 2); 1 at k = 0 and 0 for k > n.
    """
    n = np.arange(1, n_max + 1)[:, None]
    k = np.arange(0, n_max + 2)[None, :]
    return np.asarray(stats.binom.sf(k - 1, n, rate), dtype=float)


def pocock_counts(n_max: int, rate: float, level: float, tails: np.ndarray | None = None) -> np.ndarray:
    """Return ``b_n`` = the smallest ``k`` with ``P(X_n >= k | n, rate) <= level``, for n = 1..N.

    Parameters
    ----------
    n_max : int
        N.
    rate : float
        The limit ``p``.
    level : float
        The tail probability ``c``.
    tails : numpy.ndarray, optional
        :func:`tail_table` of ``n_max`` and ``rate``, when already computed.

    Returns
    -------
    numpy.ndarray
        ``b_n`` (``n + 1`` where no ``k <= n`` qualifies).
    """
    tails = tail_table(n_max, rate) if tails is None else tails
    # The tail falls with k, so the first k at or below the level is the number of k above it.
    return (tails > level).sum(axis=1).astype(int)


def pocock_boundary(rate: float, n_max: int, alpha: float = 0.05) -> Boundary:
    """Return the Pocock-type continuous boundary of Ivanova, Qaqish and Schell (2005).

    Parameters
    ----------
    rate : float
        The limit ``p``.
    n_max : int
        N.
    alpha : float
        Largest probability of ever crossing when the true rate is ``p``.

    Returns
    -------
    Boundary
        ``b_n`` for the largest ``c`` whose crossing probability is at most ``alpha``.
    """
    tails = tail_table(n_max, rate)
    # The boundary only changes where c passes one of the tail probabilities, so the largest admissible c is
    # one of them; the crossing probability grows with c, so a bisection over them finds it.
    n = np.arange(1, n_max + 1)[:, None]
    k = np.arange(0, n_max + 2)[None, :]
    candidates = np.unique(tails[(k >= 1) & (k <= n)])
    low, high = -1, candidates.size - 1  # candidates[low] admissible (-1: none), find the last admissible
    while low < high:
        mid = (low + high + 1) // 2
        if crossing_probability(pocock_counts(n_max, rate, candidates[mid], tails), rate) <= alpha:
            low = mid
        else:
            high = mid - 1
    level = float(candidates[low]) if low >= 0 else 0.0
    counts = pocock_counts(n_max, rate, level, tails) if low >= 0 else np.arange(2, n_max + 2)
    return Boundary("pocock", float(rate), counts, level, crossing_probability(counts, rate))


def posterior_exceedance(x: np.ndarray, n: int, rate: float, prior_a: float, prior_b: float) -> np.ndarray:
    """Return ``P(rate > p | x events in n)`` under a ``Beta(prior_a, prior_b)`` prior.

    Parameters
    ----------
    x : numpy.ndarray
        Events.
    n : int
        Patients.
    rate : float
        The limit ``p``.
    prior_a, prior_b : float
        Beta prior.

    Returns
    -------
    numpy.ndarray
        Posterior probabilities that the rate exceeds ``p``.
    """
    x = np.asarray(x, dtype=float)
    return np.asarray(stats.beta.sf(rate, prior_a + x, prior_b + n - x), dtype=float)


def bayesian_boundary(
    rate: float, n_max: int, prior_a: float = 1.0, prior_b: float = 1.0, threshold: float = 0.9
) -> Boundary:
    """Return the beta-binomial boundary: the smallest ``x`` with ``P(rate > p | x of n) > threshold``.

    Parameters
    ----------
    rate : float
        The limit ``p``.
    n_max : int
        N.
    prior_a, prior_b : float
        Beta prior.
    threshold : float
        Posterior probability above which the trial stops.

    Returns
    -------
    Boundary
        ``b_n`` for n = 1..N and the exact crossing probability at ``p``.
    """
    counts = np.empty(n_max, dtype=int)
    for n in range(1, n_max + 1):
        ok = np.flatnonzero(posterior_exceedance(np.arange(n + 1), n, rate, prior_a, prior_b) > threshold)
        counts[n - 1] = int(ok[0]) if ok.size else n + 1
    return Boundary("bayesian", float(rate), counts, float(threshold), crossing_probability(counts, rate))


def monitoring_boundary(options: MonitoringOptions) -> Boundary:
    """Return the boundary ``options`` describe.

    Parameters
    ----------
    options : MonitoringOptions
        Method, limit, N and the method's constants.

    Returns
    -------
    Boundary
        :func:`pocock_boundary` or :func:`bayesian_boundary`.
    """
    if options.method == "pocock":
        return pocock_boundary(options.unacceptable_rate, int(options.max_patients), options.alpha)
    return bayesian_boundary(
        options.unacceptable_rate,
        int(options.max_patients),
        options.prior_a,
        options.prior_b,
        options.posterior_threshold,
    )


def operating_characteristics(boundary: Boundary, rates: tuple[float, ...]) -> pd.DataFrame:
    """Return the probability of stopping by N at each true rate.

    Parameters
    ----------
    boundary : Boundary
        The boundary.
    rates : tuple of float
        True event rates.

    Returns
    -------
    pandas.DataFrame
        RATE, P_STOP.
    """
    return pd.DataFrame(
        {
            "RATE": [float(r) for r in rates],
            "P_STOP": [crossing_probability(boundary.counts, r) for r in rates],
        }
    )


def qualifying_events(adae: pd.DataFrame, adsl: pd.DataFrame, options: MonitoringOptions) -> pd.DataFrame:
    """Return the adverse events the rule counts (high grade, related and acute as the options say).

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame
        Subject level (safety population, TRTSDT).
    options : MonitoringOptions
        Grade threshold, relationship, window and TEAE filter.

    Returns
    -------
    pandas.DataFrame
        The listing of :func:`~medcare_metrics.toxicity.high_grade_events` restricted to the counted events.

    Raises
    ------
    DataUnavailable
        When only related events count and ADAE has no AEREL.
    """
    teae = "TRTEMFL" in adae.columns if options.teae_only is None else bool(options.teae_only)
    listing = high_grade_events(
        adae,
        adsl,
        None,
        ToxicityOptions(
            teae_only=teae, acute_window_days=options.acute_window_days, high_grade=options.min_grade
        ),
    )
    keep = pd.Series(True, index=listing.index)
    if options.related_only:
        if "AEREL" not in adae.columns:
            raise DataUnavailable("ADAE has no AEREL column: the rule counts MDT-related events only")
        keep &= is_related(listing["AEREL"])
    if options.acute_only:
        keep &= listing["PHASE"].eq("Acute")
    return listing.loc[keep.to_numpy()].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class MonitoringResult:
    """The boundary, the patients treated so far and whether the boundary has been crossed.

    Attributes
    ----------
    options : MonitoringOptions
        The rule.
    boundary : Boundary
        ``b_n`` for n = 1..N.
    course : pandas.DataFrame
        One row per treated patient in order of MDT start: N, USUBJID, TRTSDT, EVENT (bool), EVENT_DATE
        (first counted event's onset), CUM_EVENTS, BOUNDARY (Int64, <NA> beyond N or not yet reachable),
        CROSSED (CUM_EVENTS >= BOUNDARY), IN_WINDOW (treated less than the acute window before the
        reference date: an acute event may still come).
    crossed_at : int or None
        First n at which the count reached the boundary; None when never.
    crossed_on : pandas.Timestamp or None
        When that became known: the later of patient n's MDT start and the onset of the event that reached
        the boundary.
    n_untimed : int
        Patients of the safety population without an MDT start (TRTSDT), not in the course.
    """

    options: MonitoringOptions
    boundary: Boundary
    course: pd.DataFrame
    crossed_at: int | None
    crossed_on: pd.Timestamp | None
    n_untimed: int

    @property
    def crossed(self) -> bool:
        """Whether the boundary has been crossed."""
        return self.crossed_at is not None

    @property
    def n_treated(self) -> int:
        """Patients treated so far."""
        return len(self.course)

    @property
    def n_events(self) -> int:
        """Patients with a counted event."""
        return int(self.course["EVENT"].sum()) if len(self.course) else 0

    @property
    def n_in_window(self) -> int:
        """Patients still inside the acute window (their count may still change)."""
        return int(self.course["IN_WINDOW"].sum()) if len(self.course) else 0


_COURSE_COLUMNS: tuple[str, ...] = (
    "N", "USUBJID", "TRTSDT", "EVENT", "EVENT_DATE", "CUM_EVENTS", "BOUNDARY", "CROSSED", "IN_WINDOW",
)  # fmt: skip


def toxicity_monitoring(
    adae: pd.DataFrame,
    adsl: pd.DataFrame,
    options: MonitoringOptions,
    reference: pd.Timestamp | None = None,
) -> MonitoringResult:
    """Return the boundary, the treated patients in order of MDT start with their count, and any crossing.

    Parameters
    ----------
    adae : pandas.DataFrame
        Adverse events.
    adsl : pandas.DataFrame
        Subject level of the whole trial: the safety population with TRTSDT (MDT start).
    options : MonitoringOptions
        The rule.
    reference : pandas.Timestamp, optional
        The date of the data (as-of date or cut-off), for :attr:`MonitoringResult.n_in_window`.

    Returns
    -------
    MonitoringResult
        Boundary, course and crossing.

    Raises
    ------
    DataUnavailable
        When ADSL has no TRTSDT, or the rule needs AEREL and ADAE has none.
    """
    if "TRTSDT" not in adsl.columns:
        raise DataUnavailable("ADSL has no TRTSDT: patients cannot be put in order of MDT start")
    boundary = monitoring_boundary(options)
    population = set(safety_population(adsl).subjects["USUBJID"])
    subjects = adsl.drop_duplicates("USUBJID")
    subjects = subjects.loc[subjects["USUBJID"].isin(population)]
    start = date_values(subjects, "TRTSDT")
    treated = pd.DataFrame({"USUBJID": subjects["USUBJID"].to_numpy(), "TRTSDT": start.to_numpy()})
    n_untimed = int(treated["TRTSDT"].isna().sum())
    treated = treated.dropna(subset=["TRTSDT"]).sort_values(["TRTSDT", "USUBJID"], kind="stable")

    events = qualifying_events(adae, adsl, options)
    onset = (
        date_values(events, "ASTDT") if "ASTDT" in events.columns else pd.Series(pd.NaT, index=events.index)
    )
    first = (
        onset.groupby(events["USUBJID"].to_numpy()).min()
        if len(events)
        else pd.Series(dtype="datetime64[ns]")
    )
    has_event = set(events["USUBJID"])

    n = np.arange(1, len(treated) + 1)
    course = treated.reset_index(drop=True)
    course.insert(0, "N", n)
    course["EVENT"] = course["USUBJID"].isin(has_event).to_numpy()
    course["EVENT_DATE"] = pd.to_datetime(course["USUBJID"].map(first))
    course["CUM_EVENTS"] = np.cumsum(course["EVENT"].to_numpy(dtype=int))
    bound = np.full(len(course), -1)
    within = n <= boundary.n_max
    bound[within] = boundary.counts[n[within] - 1]
    reachable = within & (bound <= n)
    values = pd.array(np.where(reachable, bound, 0), dtype="Int64")
    values[~reachable] = pd.NA
    course["BOUNDARY"] = values
    course["CROSSED"] = reachable & (course["CUM_EVENTS"].to_numpy() >= bound)
    if reference is not None:
        since = (pd.Timestamp(reference) - course["TRTSDT"]).dt.days
        course["IN_WINDOW"] = (since < options.acute_window_days).to_numpy(dtype=bool)
    else:
        course["IN_WINDOW"] = False

    crossed_at = crossed_on = None
    hits = np.flatnonzero(course["CROSSED"].to_numpy())
    if hits.size:
        row = int(hits[0])
        crossed_at = int(course["N"].iloc[row])
        needed = int(bound[row])
        dates = course["EVENT_DATE"].iloc[: row + 1].dropna().sort_values()
        known = [course["TRTSDT"].iloc[row]]
        if len(dates) >= needed:
            known.append(dates.iloc[needed - 1])
        crossed_on = pd.Timestamp(max(known))
    return MonitoringResult(
        options=options,
        boundary=boundary,
        course=course[list(_COURSE_COLUMNS)],
        crossed_at=crossed_at,
        crossed_on=crossed_on,
        n_untimed=n_untimed,
    )
