"""Event maturity: events of an endpoint so far and how many to expect by future dates.

The projection is exponential (a constant hazard), with the rate fitted to the data or set from the
historical benchmark median (:func:`maturity_scenarios` gives both).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.enrollment.reference import death_mask, reference_date, require_columns
from medcare_metrics.errors import DataUnavailable
from medcare_metrics.rules import DAYS_PER_MONTH, is_event, off_study_mask
from medcare_metrics.study import Benchmark, StudyDefinition, default_study
from medcare_metrics.subjects import date_values
from medcare_metrics.survival import time_to_event

#: Months after the reference date at which :func:`event_maturity` projects the number of events.
DEFAULT_PROJECTION_MONTHS: tuple[float, ...] = (0.0, 3.0, 6.0, 9.0, 12.0, 18.0, 24.0)


@dataclass(frozen=True, eq=False)
class EventMaturity:
    """Events of an endpoint so far and the expected number by future dates.

    Attributes
    ----------
    paramcd : str
        Endpoint (ADTTE PARAMCD).
    patients : int
        Subjects with a row for the endpoint.
    events : int
        Events so far (CNSR = 0).
    at_risk : int
        Censored subjects still followed (ADSL EOSSTT not COMPLETED or DISCONTINUED, not dead).
    follow_up_ended : int
        Censored subjects whose follow-up ended; they add no expected events.
    exposure_months : float
        Sum of the follow-up times (event or censoring) of all subjects, in months.
    rate_per_month : float
        Event rate used for the projection, per patient-month.
    median_months : float
        Median implied by the rate, ln 2 / rate (inf when the rate is 0).
    rate_source : str
        ``"fitted"`` (events / exposure) or ``"assumed median"`` (from ``assumed_median_months``).
    reference : pandas.Timestamp
        Date the projection starts from.
    projection : pandas.DataFrame
        Columns MONTHS_AHEAD, DATE, EXPECTED_NEW (expected events among the subjects at risk by DATE),
        EXPECTED_TOTAL (events so far + EXPECTED_NEW).
    future : int
        Patients still to enrol who are counted in the projection (see ``future_entries``).
    last_follow_up : pandas.Series
        Date from which each subject at risk is followed event-free: the last follow-up of enrolled subjects
        (index USUBJID), then the entry dates of future patients (index ``FUTURE-1``, ...).
    median_lower_months, median_upper_months : float
        95% confidence interval of the fitted median (exact Poisson interval of the rate, inverted; the upper
        limit is inf without events); NaN when the rate is assumed.
    """

    paramcd: str
    patients: int
    events: int
    at_risk: int
    follow_up_ended: int
    exposure_months: float
    rate_per_month: float
    median_months: float
    rate_source: str
    reference: pd.Timestamp
    projection: pd.DataFrame
    future: int
    last_follow_up: pd.Series
    median_lower_months: float = math.nan
    median_upper_months: float = math.nan

    def expected_events(self, dates: Sequence[object]) -> np.ndarray:
        """Return the expected total number of events by each of ``dates`` (events so far + expected new).

        Parameters
        ----------
        dates : sequence of date-like
            Dates to evaluate.

        Returns
        -------
        numpy.ndarray
            Expected events, one per date.
        """
        stamps = pd.to_datetime(pd.Series(list(dates), dtype=object))
        last = self.last_follow_up.to_numpy(dtype="datetime64[ns]")
        gaps = (stamps.to_numpy(dtype="datetime64[ns]")[:, None] - last[None, :]) / np.timedelta64(1, "D")
        months = np.clip(gaps, 0.0, None) / DAYS_PER_MONTH
        return self.events + (1.0 - np.exp(-self.rate_per_month * months)).sum(axis=1)

    def date_reaching(self, events: int) -> pd.Timestamp | None:
        """Return the first date by which ``events`` events are expected.

        Parameters
        ----------
        events : int
            Number of events wanted (e.g. for the primary analysis).

        Returns
        -------
        pandas.Timestamp or None
            The reference date when already reached; None when it cannot be reached (at least as many events
            as events so far plus patients at risk and future patients, or a rate of 0).
        """
        if events <= self.events:
            return self.reference
        if events >= self.events + self.at_risk + self.future or self.rate_per_month <= 0:
            return None
        low, high = 0, 1
        while self.expected_events([self.reference + pd.Timedelta(days=high)])[0] < events:
            low, high = high, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            if self.expected_events([self.reference + pd.Timedelta(days=middle)])[0] < events:
                low = middle
            else:
                high = middle
        return self.reference + pd.Timedelta(days=high)


def _median_interval(events: int, exposure_months: float, level: float = 0.95) -> tuple[float, float]:
    """Exact Poisson (chi-square) interval of the exponential rate, inverted into one of ln 2 / rate."""
    alpha = 1.0 - level
    rate_low = stats.chi2.ppf(alpha / 2, 2 * events) / (2 * exposure_months) if events > 0 else 0.0
    rate_high = stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / (2 * exposure_months)
    log2 = math.log(2.0)
    return log2 / rate_high, (log2 / rate_low if rate_low > 0 else math.inf)


def event_maturity(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    paramcd: str = "NESTFS",
    as_of: object | None = None,
    months_ahead: Sequence[float] = DEFAULT_PROJECTION_MONTHS,
    assumed_median_months: float | None = None,
    future_entries: Sequence[object] = (),
) -> EventMaturity:
    """Count the events of ``paramcd`` so far and project how many there will be by future dates.

    Each subject still at risk (censored, follow-up not ended) was event-free at their last follow-up date L
    (ADT; else STARTDT + AVAL; else the reference date). Their probability of an event by a date D is
    ``P(T <= t_L + (D - L) | T > t_L)``; the expected number of events by D is the events so far plus the sum
    of these probabilities. The survival model is exponential, ``P = 1 - exp(-rate * (D - L))``, with the
    maximum likelihood rate ``events / total follow-up`` (or ``ln 2 / assumed_median_months``). The
    Kaplan-Meier curve is not used because it is flat after the last observed time: with 18 patients and short
    follow-up it would project no further events past the longest follow-up, however long one waits. The
    exponential uses all follow-up, extrapolates, and its one assumption (a constant hazard) is easy to state;
    compare it with an assumed median such as the historical benchmark. Parameter uncertainty is not
    propagated: the numbers are expectations, not intervals. While enrollment is open, patients still to come
    can be added through ``future_entries`` (for example the predicted enrollment dates): each is event-free
    at entry and contributes ``1 - exp(-rate * (D - entry))`` after it.

    Parameters
    ----------
    adtte : pandas.DataFrame
        Time-to-event data.
    adsl : pandas.DataFrame, optional
        Subject-level data: EOSSTT, DTHFL and DTHDT tell whose follow-up has ended; the reference date
        defaults to its data cut-off. Without ADSL every censored subject counts as at risk.
    paramcd : str
        Endpoint; NEST-free survival by default.
    as_of : date-like, optional
        Reference date (default: ADSL data cut-off, else the latest ADT in ADTTE for the endpoint).
    months_ahead : sequence of float
        Months after the reference date to project to (each >= 0).
    assumed_median_months : float, optional
        Use ``ln 2 / assumed_median_months`` as the rate instead of the fitted one.
    future_entries : sequence of date-like
        Entry dates of patients still to enrol, counted as at risk from that date.

    Returns
    -------
    EventMaturity
        Counts, rate and the projection.

    Raises
    ------
    ValueError
        If ``paramcd`` has no rows, a horizon is negative, the assumed median is not positive, or no reference
        date can be found.
    """
    if assumed_median_months is not None and not assumed_median_months > 0:
        raise ValueError(f"assumed median must be positive, got {assumed_median_months!r} months")
    horizons = np.asarray(list(months_ahead), dtype=float)
    if (horizons < 0).any():
        raise ValueError("months_ahead must be >= 0")
    require_columns(adtte, ["USUBJID", "PARAMCD"], "ADTTE")
    if not adtte["PARAMCD"].eq(paramcd).any():
        name = default_study().endpoint_labels.get(paramcd)
        raise DataUnavailable(f"ADTTE has no rows with PARAMCD {paramcd!r}" + (f" ({name})" if name else ""))
    tte = time_to_event(adtte, paramcd, unit="DAYS")
    rows = adtte.loc[adtte["PARAMCD"].eq(paramcd)].drop_duplicates("USUBJID")
    rows = rows.set_index(rows["USUBJID"].astype(str))
    last = date_values(rows, "ADT")
    implied = date_values(rows, "STARTDT") + pd.to_timedelta(
        tte.set_index("USUBJID")["TIME"].reindex(rows.index), "D"
    )
    last = last.fillna(implied.dt.round("D"))

    reference = None
    if as_of is not None or adsl is not None:
        reference = reference_date(adsl if adsl is not None else pd.DataFrame(), as_of)
    if reference is None:
        latest = last.max()
        reference = None if pd.isna(latest) else pd.Timestamp(latest).normalize()
    if reference is None:
        raise DataUnavailable("no reference date: give as_of, or ADSL with DCUTDT, or ADTTE with ADT")

    ended = pd.Series(False, index=rows.index)
    if adsl is not None and "USUBJID" in adsl.columns:
        status = adsl.drop_duplicates("USUBJID").set_index(adsl["USUBJID"].astype(str).unique())
        if "EOSSTT" in status.columns:
            ended |= off_study_mask(status).reindex(rows.index, fill_value=False)
        died = death_mask(status, None)
        if died is not None:
            ended |= died.reindex(rows.index, fill_value=False)
    ended = ended.fillna(False).astype(bool)

    event = is_event(rows["CNSR"])
    censored = ~event
    at_risk = censored & ~ended
    exposure_days = float(tte["TIME"].sum())
    events = int(event.sum())
    exposure_months = exposure_days / DAYS_PER_MONTH
    median_lower = median_upper = math.nan
    if assumed_median_months is not None:
        rate_month = math.log(2.0) / assumed_median_months
        source = "assumed median"
    else:
        rate_month = events / exposure_months if exposure_days > 0 else 0.0
        source = "fitted"
        if exposure_days > 0:
            median_lower, median_upper = _median_interval(events, exposure_months)
    since = last.where(at_risk).fillna(reference)[at_risk]
    entries = pd.to_datetime(pd.Series(list(future_entries), dtype=object))
    if entries.isna().any():
        raise ValueError("future_entries must be dates")
    entries.index = [f"FUTURE-{i + 1}" for i in range(len(entries))]
    if len(entries):
        since = pd.concat([since, entries])
    dates = [(reference + pd.Timedelta(days=h * DAYS_PER_MONTH)).normalize() for h in horizons]
    result = EventMaturity(
        paramcd=paramcd,
        patients=len(rows),
        events=events,
        at_risk=int(at_risk.sum()),
        follow_up_ended=int((censored & ended).sum()),
        exposure_months=exposure_months,
        rate_per_month=rate_month,
        median_months=math.log(2.0) / rate_month if rate_month > 0 else math.inf,
        rate_source=source,
        reference=reference,
        projection=pd.DataFrame(),
        future=len(entries),
        last_follow_up=since.rename("LAST_FOLLOW_UP"),
        median_lower_months=median_lower,
        median_upper_months=median_upper,
    )
    total = result.expected_events(dates) if dates else np.zeros(0)
    projection = pd.DataFrame(
        {
            "MONTHS_AHEAD": horizons,
            "DATE": pd.to_datetime(pd.Series(dates, dtype=object)),
            "EXPECTED_NEW": total - events,
            "EXPECTED_TOTAL": total,
        }
    )
    return replace(result, projection=projection)


#: Population of the historical benchmark that matches the trial's (SBRT or metastasectomy only).
TRIAL_POPULATION = "SBRT or metastasectomy"
#: Horizons (months after the reference date) offered for the event projection.
MATURITY_HORIZONS: tuple[int, ...] = (12, 24, 36, 48, 60)


def trial_benchmark(
    paramcd: str, population: str | None = TRIAL_POPULATION, study: StudyDefinition | None = None
) -> Benchmark | None:
    """Return the historical benchmark of ``paramcd`` for ``population``, or None when there is none.

    Parameters
    ----------
    paramcd : str
        Endpoint (``"NESTFS"``, ``"PFS"``).
    population : str or None
        Benchmark population (default: MEDCARE's trial population, SBRT or metastasectomy). When the study
        has no benchmark of that population, its last benchmark of the endpoint is taken; None: always that.
    study : StudyDefinition, optional
        The study whose benchmarks apply (``TrialData.study``); MEDCARE's by default.

    Returns
    -------
    Benchmark or None
        From the study file's ``benchmarks``; None when it has none for the endpoint (a neutral study).
    """
    candidates = (default_study() if study is None else study).benchmarks_for(paramcd)
    match = next((b for b in candidates if b.population == population), None)
    return match if match is not None or not candidates else candidates[-1]


#: Scenario codes of :attr:`MaturityScenarios.drawn` and of the SCENARIO column of its projection.
FITTED = "fitted"
BENCHMARK = "benchmark"


@dataclass(frozen=True, eq=False)
class MaturityScenarios:
    """Event maturity of one endpoint under the fitted rate and under the benchmark median.

    Attributes
    ----------
    paramcd : str
        Endpoint (ADTTE PARAMCD).
    fitted : EventMaturity
        Projection with the rate fitted to the data (events / follow-up).
    assumed : EventMaturity or None
        Projection with the rate implied by the benchmark median; None without a benchmark.
    benchmark : Benchmark or None
        The benchmark used for ``assumed``.
    events_needed : int or None
        Events wanted for an analysis, when the user gave a number.
    """

    paramcd: str
    fitted: EventMaturity
    assumed: EventMaturity | None
    benchmark: Benchmark | None
    events_needed: int | None = None

    @property
    def drawn(self) -> tuple[tuple[str, EventMaturity], ...]:
        """Code (:data:`FITTED`, :data:`BENCHMARK`) and projection of each scenario worth drawing.

        The fitted one only when there is an event: without one its rate is 0 and it projects nothing.
        """
        out: list[tuple[str, EventMaturity]] = []
        if self.fitted.events > 0:
            out.append((FITTED, self.fitted))
        if self.assumed is not None and self.benchmark is not None:
            out.append((BENCHMARK, self.assumed))
        return tuple(out)

    def reached(self) -> tuple[tuple[str, pd.Timestamp | None], ...]:
        """Return, per drawn scenario, the date by which ``events_needed`` events are expected.

        Returns
        -------
        tuple of (str, pandas.Timestamp or None)
            Scenario code and date (None when the number cannot be reached); empty without
            ``events_needed``.
        """
        if not self.events_needed:
            return ()
        needed = int(self.events_needed)
        return tuple((code, result.date_reaching(needed)) for code, result in self.drawn)

    @property
    def projection(self) -> pd.DataFrame:
        """All projections in one table: SCENARIO (code), MONTHS_AHEAD, DATE, EXPECTED_NEW, EXPECTED_TOTAL.

        Without a drawn scenario, the fitted projection (no event: nothing expected) with SCENARIO
        :data:`FITTED`.
        """
        pieces = [result.projection.assign(SCENARIO=code) for code, result in self.drawn]
        if not pieces:
            pieces = [self.fitted.projection.assign(SCENARIO=FITTED)]
        out = pd.concat(pieces, ignore_index=True)
        return out.loc[:, ["SCENARIO", "MONTHS_AHEAD", "DATE", "EXPECTED_NEW", "EXPECTED_TOTAL"]]


def maturity_scenarios(
    adtte: pd.DataFrame,
    adsl: pd.DataFrame | None = None,
    paramcd: str = "NESTFS",
    as_of: object | None = None,
    horizon_months: int = 36,
    future_entries: Sequence[object] = (),
    events_needed: int | None = None,
    study: StudyDefinition | None = None,
) -> MaturityScenarios:
    """Project the events of ``paramcd`` month by month, with the fitted rate and with the benchmark median.

    Parameters
    ----------
    adtte : pandas.DataFrame
        Time-to-event data.
    adsl : pandas.DataFrame, optional
        Subject-level data (see :func:`event_maturity`).
    paramcd : str
        Endpoint; NEST-free survival by default.
    as_of : date-like, optional
        Reference date.
    horizon_months : int
        Last month after the reference date to project to (one point per month from 0).
    future_entries : sequence of date-like
        Entry dates of patients still to be enrolled.
    events_needed : int, optional
        Events wanted for an analysis; :meth:`MaturityScenarios.reached` gives the dates.
    study : StudyDefinition, optional
        The study whose benchmark gives the assumed median (:func:`trial_benchmark`); MEDCARE's by default.

    Returns
    -------
    MaturityScenarios
        Both projections and the benchmark used.

    Raises
    ------
    ValueError
        As :func:`event_maturity`, or if ``horizon_months`` is negative or ``events_needed`` below 1.
    """
    if horizon_months < 0:
        raise ValueError(f"horizon must be >= 0 months, got {horizon_months!r}")
    if events_needed is not None and events_needed < 1:
        raise ValueError(f"events needed must be at least 1, got {events_needed!r}")
    steps = [float(m) for m in range(0, int(horizon_months) + 1)]
    fitted = event_maturity(adtte, adsl, paramcd, as_of, steps, future_entries=future_entries)
    benchmark = trial_benchmark(paramcd, study=study)
    assumed = (
        None
        if benchmark is None
        else event_maturity(adtte, adsl, paramcd, as_of, steps, benchmark.median, future_entries)
    )
    return MaturityScenarios(
        paramcd=paramcd,
        fitted=fitted,
        assumed=assumed,
        benchmark=benchmark,
        events_needed=None if events_needed is None else int(events_needed),
    )
