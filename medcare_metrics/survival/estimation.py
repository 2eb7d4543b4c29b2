"""Kaplan-Meier estimation as R's ``survfit``: the analysis frame, table, medians, landmarks, numbers at risk.

Each group's curve is computed once (:func:`km_fit`); the table, the medians, the survival at given times, the
numbers at risk and the curve to draw are all read off that one fit. The module-level functions
(:func:`km_table`, :func:`km_medians`, ...) fit and read in one call, for callers that need one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.rules import is_event, unit_days
from medcare_metrics.survival._frame import ALL, MISSING_GROUP, TOL, arrays, whole_numbers
from medcare_metrics.survival.endpoints import normalize_unit, param_rows, time_unit

CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
KM_TABLE_COLUMNS: tuple[str, ...] = (
    "GROUP",
    "TIME",
    "N_RISK",
    "N_EVENT",
    "N_CENSOR",
    "SURV",
    "STD_ERR",
    "LOWER",
    "UPPER",
)
MEDIAN_COLUMNS: tuple[str, ...] = ("GROUP", "N", "EVENTS", "MEDIAN", "LOWER", "UPPER")
SURVIVAL_AT_COLUMNS: tuple[str, ...] = (
    "GROUP",
    "TIME",
    "N_RISK",
    "N_EVENT",
    "N_CENSOR",
    "SURV",
    "LOWER",
    "UPPER",
)
CURVE_COLUMNS: tuple[str, ...] = (
    "GROUP",
    "TIME",
    "N_RISK",
    "N_EVENT",
    "N_CENSOR",
    "SURV",
    "LOWER",
    "UPPER",
    "AT_RISK_AFTER",
    "TAIL",
)
#: Most times :func:`at_risk_times` returns after 0, whatever ``max_ticks`` asks for.
MAX_AT_RISK_TICKS = 30


@dataclass(frozen=True)
class KMOptions:
    """Options of the Kaplan-Meier estimate.

    Attributes
    ----------
    conf_type : {"log", "log-log", "plain"}
        Confidence interval transform, as R's ``survfit(conf.type=)``. ``"log"`` is R's default.
    conf_level : float
        Confidence level of the pointwise intervals and of the median's interval.
    """

    conf_type: str = "log"
    conf_level: float = 0.95

    def __post_init__(self) -> None:
        if self.conf_type not in CONF_TYPES:
            raise ValueError(f"conf_type must be one of {', '.join(CONF_TYPES)}, not {self.conf_type!r}")
        if not 0.0 < self.conf_level < 1.0:
            raise ValueError(f"conf_level must lie strictly between 0 and 1, not {self.conf_level!r}")

    @property
    def z(self) -> float:
        """Standard normal quantile of the two-sided interval."""
        return float(stats.norm.ppf(1.0 - (1.0 - self.conf_level) / 2.0))

    @property
    def method(self) -> str:
        """The interval's transform in words, e.g. ``"log transform (R default)"``."""
        names = {
            "log": "log transform (R default)",
            "log-log": "log-log transform",
            "plain": "plain (linear) scale",
        }
        return names[self.conf_type]

    @property
    def label(self) -> str:
        """Short description of the interval, e.g. ``"95% CI, log transform (R default)"``."""
        return f"{100 * self.conf_level:g}% CI, {self.method}"


def no_event_interval(n_risk: np.ndarray | float, conf_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial (Clopper-Pearson) interval of survival when none of ``n_risk`` patients had an event.

    With no event the Kaplan-Meier estimate is 1 and its Greenwood standard error 0, so the usual intervals
    collapse to "1 to 1" (or are undefined on the log-log scale). Among ``n`` patients followed that far
    without an event, the exact interval of the event-free proportion is R's ``binom.test(n, n)$conf.int``:
    lower ``(alpha / 2) ** (1 / n)``, upper 1.

    Parameters
    ----------
    n_risk : numpy.ndarray or float
        Patients known to be event-free at the time (at risk there).
    conf_level : float
        Confidence level (two-sided).

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        Lower and upper limits; NaN where ``n_risk`` is not positive.
    """
    n = np.asarray(n_risk, dtype=float)
    alpha = 1.0 - conf_level
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(n > 0, (alpha / 2.0) ** (1.0 / n), np.nan)
    return lower, np.where(n > 0, 1.0, np.nan)


# --------------------------------------------------------------------------------------------------
# The analysis frame
# --------------------------------------------------------------------------------------------------


def _group_labels(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Return string labels and their order: numbers in numeric order, text sorted as R sorts levels."""
    present = values.dropna()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    # Each distinct value is labelled once and the labels taken by code: a Python call per row was the
    # cost of the Survival page at 10,000 patients.
    codes, uniques = pd.factorize(values)
    if numeric:
        as_float = present.astype(float)
        integral = bool(np.all(np.equal(np.mod(as_float, 1), 0)))
        order = sorted(pd.unique(as_float))
        fmt = (lambda v: str(int(v))) if integral else (lambda v: f"{v:g}")
        mapping = {v: fmt(v) for v in order}
        distinct = [mapping[float(v)] for v in uniques]
        levels = [mapping[v] for v in order]
    elif values.dtype != object or all(isinstance(v, str) for v in uniques):
        # Equal values of one type print alike; in an object column 1, 1.0 and True are equal but print
        # differently, so those are labelled row by row below.
        distinct = [str(v) for v in uniques]
        levels = sorted(set(distinct))
    else:
        labels = values.map(lambda v: str(v) if pd.notna(v) else MISSING_GROUP)
        levels = sorted({str(v) for v in present})
        if values.isna().any():
            levels.append(MISSING_GROUP)
        return labels.astype(object), levels
    # Code -1 (a missing value) takes the last entry.
    table = np.array([*distinct, MISSING_GROUP], dtype=object)
    labels = pd.Series(table[codes], index=values.index, dtype=object)
    if (codes < 0).any():
        levels.append(MISSING_GROUP)
    return labels, levels


def _days_per_row(units: pd.Series) -> np.ndarray:
    """Days per AVALU unit of each row (missing read as days); ValueError naming the first unknown unit."""
    filled = units.fillna("DAYS")
    codes, uniques = pd.factorize(filled)
    try:
        per_unit = np.array([unit_days(u) for u in uniques], dtype=float)
    except ValueError:
        # Row by row, so that the error names the first unknown unit in row order, as it always has.
        return filled.map(unit_days).to_numpy(float)
    if (codes < 0).any():  # a missing value fillna could not fill (never for text): row by row
        return filled.map(unit_days).to_numpy(float)
    return per_unit[codes]


def _subjects(adsl: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """Return ADSL's first row per USUBJID and those USUBJIDs as text (the index to look values up in)."""
    subjects = adsl.drop_duplicates("USUBJID")
    return subjects, pd.Index(subjects["USUBJID"].astype(str).to_numpy())


def _by_values(
    rows: pd.DataFrame,
    ids: pd.Series,
    adsl: pd.DataFrame | None,
    by: str,
    subjects: tuple[pd.DataFrame, pd.Index] | None = None,
) -> pd.Series:
    """Return the ``by`` value of each row of ``rows`` (ADTTE's own column, else ADSL's by USUBJID).

    ``subjects`` is :func:`_subjects` of ``adsl`` when the caller looks up several columns (computed here
    otherwise).
    """
    if by in rows.columns:
        return rows[by].reset_index(drop=True)
    if adsl is not None and by in adsl.columns:
        first, index = _subjects(adsl) if subjects is None else subjects
        return ids.map(pd.Series(first[by].array, index=index)).reset_index(drop=True)
    where = "ADTTE or ADSL" if adsl is not None else "ADTTE (no ADSL given)"
    raise ValueError(f"column {by!r} not found in {where}")


def time_to_event(
    adtte: pd.DataFrame,
    paramcd: str,
    adsl: pd.DataFrame | None = None,
    by: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """Return the analysis frame of one endpoint: one row per subject with time, event flag and group.

    This is the one place where ADaM's ``CNSR`` becomes an event flag (:func:`medcare_metrics.rules.is_event`:
    ``CNSR = 0`` is an event, any other value or a missing one censored).

    Parameters
    ----------
    adtte : pandas.DataFrame
        Validated ADTTE.
    paramcd : str
        Parameter code, e.g. ``"NESTFS"``.
    adsl : pandas.DataFrame, optional
        Validated ADSL, needed when ``by`` is an ADSL column that ADTTE does not carry.
    by : str, optional
        Column to stratify by, taken from ADTTE when ADTTE has it, else from ADSL (joined on USUBJID).
        None gives one group, ``"ALL"``.
    unit : str, optional
        Convert times to this unit (``"DAYS"``, ``"WEEKS"``, ``"MONTHS"``, ``"YEARS"``). None keeps AVAL in
        its own unit (AVALU), which must then be the same on every row of the parameter.

    Returns
    -------
    pandas.DataFrame
        Columns USUBJID, TIME (float), EVENT (bool), GROUP (str), sorted by group order then USUBJID.
        Groups are ordered as R orders factor levels (sorted text, numbers in numeric order); a subject whose
        ``by`` value is missing is in group ``"Missing"``, listed last.

    Raises
    ------
    ValueError
        When ``paramcd`` has no rows, ``by`` is in neither dataset, a unit is unknown, or units are mixed and
        ``unit`` is None.
    """
    rows = param_rows(adtte, paramcd)
    if unit is None:
        time_unit(adtte, paramcd)  # raises on mixed units
        times = rows["AVAL"].to_numpy(dtype=float)
    else:
        src_units = rows["AVALU"] if "AVALU" in rows.columns else pd.Series("DAYS", index=rows.index)
        factors = _days_per_row(src_units)
        times = rows["AVAL"].to_numpy(dtype=float) * factors / unit_days(unit)
    ids = rows["USUBJID"].astype(str).to_numpy()
    event = is_event(rows["CNSR"]).to_numpy(dtype=bool)
    if by is None:
        group = np.full(len(ids), ALL, dtype=object)
        rank = np.zeros(len(ids), dtype=np.int64)
    else:
        labels, levels = _group_labels(_by_values(rows, pd.Series(ids), adsl, by))
        group = labels.to_numpy()
        # A label printed alike for two numbers ranks where its last level stands, as the dict did.
        position = {g: i for i, g in enumerate(levels)}
        codes, uniques = pd.factorize(group)
        rank = np.array([position[g] for g in uniques], dtype=np.int64)[codes]
    # Stable, by group order then USUBJID (Python's string order, as pandas' sort_values).
    order = np.lexsort((ids, rank))
    return pd.DataFrame(
        {"USUBJID": ids[order], "TIME": times[order], "EVENT": event[order], "GROUP": group[order]}
    )


def group_counts(
    adtte: pd.DataFrame, paramcd: str, adsl: pd.DataFrame | None, columns: Iterable[str]
) -> tuple[int, ...]:
    """Return, per column, the groups other than "Missing" that :func:`time_to_event` forms by it.

    The same as ``time_to_event(adtte, paramcd, adsl, by=c)["GROUP"]`` without the "Missing" group, counted
    for each ``c``, with the endpoint's rows read once.

    Parameters
    ----------
    adtte : pandas.DataFrame
        Validated ADTTE.
    paramcd : str
        Parameter code.
    adsl : pandas.DataFrame, optional
        Validated ADSL, for the columns ADTTE does not carry.
    columns : iterable of str
        Columns to split by.

    Returns
    -------
    tuple of int
        Number of distinct group labels per column, ``"Missing"`` not counted.

    Raises
    ------
    ValueError
        When ``paramcd`` has no rows or a column is in neither dataset.
    """
    rows = param_rows(adtte, paramcd)
    ids = pd.Series(rows["USUBJID"].astype(str).to_numpy())
    subjects = None if adsl is None else _subjects(adsl)
    counts = []
    for column in columns:
        labels, _ = _group_labels(_by_values(rows, ids, adsl, column, subjects))
        counts.append(int(labels.loc[labels != MISSING_GROUP].nunique()))
    return tuple(counts)


# --------------------------------------------------------------------------------------------------
# Kaplan-Meier core (numpy; one pass per group)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KMCurve:
    """Kaplan-Meier arrays of one group at every distinct time, as R's survfit object.

    Attributes
    ----------
    group : str
        The group.
    n : int
        Subjects in the group.
    time : numpy.ndarray
        Distinct times (events and censorings), ascending.
    n_risk, n_event, n_censor : numpy.ndarray
        At risk, events and censorings at each time.
    surv, std_err, lower, upper : numpy.ndarray
        Survival, standard error of log survival (Greenwood) and the pointwise limits.
    """

    group: str
    n: int
    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    surv: np.ndarray
    std_err: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _confint(surv: np.ndarray, se: np.ndarray, options: KMOptions) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits exactly as R's survfit_confint with logse = TRUE and conf.lower = "usual"."""
    z = options.z
    with np.errstate(divide="ignore", invalid="ignore"):
        # R scales the lower limit by selow/se, which is 1 except 0/0 -> 1 and Inf/Inf -> NaN.
        scale = np.where(se == 0, 1.0, se / se)
        if options.conf_type == "plain":
            half = se * surv * z
            return np.maximum(surv - half * scale, 0.0), np.minimum(surv + half, 1.0)
        if options.conf_type == "log":
            xx = np.where(surv == 0, np.nan, surv)
            half = z * se
            return np.exp(np.log(xx) - half * scale), np.minimum(np.exp(np.log(xx) + half), 1.0)
        xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
        half = z * se / np.log(xx)
        loglog = np.log(-np.log(xx))
        return np.exp(-np.exp(loglog - half * scale)), np.exp(-np.exp(loglog + half))


def _counts(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct times (ascending), subjects and events at each; counting for whole numbers, else sorting."""
    if whole_numbers(time):
        whole = time.astype(np.int64)
        at_time = np.bincount(whole)
        events = np.bincount(whole[event], minlength=at_time.size)
        distinct = np.flatnonzero(at_time)
        return distinct.astype(float), at_time[distinct].astype(float), events[distinct].astype(float)
    ordered = np.sort(time)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    distinct = ordered[starts]
    at_time = np.diff(np.append(starts, ordered.size)).astype(float)
    event_times = np.sort(time[event])
    events = np.diff(np.append(np.searchsorted(event_times, distinct, side="left"), event_times.size))
    return distinct, at_time, events.astype(float)


def _curve(group: str, time: np.ndarray, event: np.ndarray, options: KMOptions) -> KMCurve:
    """Kaplan-Meier arrays of one group from its (merged) times and event flags, in any order."""
    n = time.size
    if n == 0:
        empty = np.empty(0)
        return KMCurve(group, 0, empty, empty, empty, empty, empty, empty, empty, empty)
    distinct, at_time, d = _counts(time, event)
    n_risk = n - np.concatenate(([0.0], np.cumsum(at_time)[:-1]))
    surv = np.cumprod(1.0 - d / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood; a step to zero (n_risk == n_event) gives an infinite variance, as in R.
        term = np.where(d > 0, d / (n_risk * (n_risk - d)), 0.0)
    std_err = np.sqrt(np.cumsum(term))
    lower, upper = _confint(surv, std_err, options)
    return KMCurve(
        group=group,
        n=n,
        time=distinct,
        n_risk=n_risk,
        n_event=d,
        n_censor=at_time - d,
        surv=surv,
        std_err=std_err,
        lower=lower,
        upper=upper,
    )


def _first_below_half(values: np.ndarray, time: np.ndarray) -> float:
    """Time where a curve first reaches 0.5, by R's rule (survmean's minmin).

    The first time with value < 0.5 + tol; when that value is 0.5 (within tol) and the curve later drops below
    it, the midpoint between that time and the time of the drop. NaN (not reached) when never reached.
    """
    keep = ~np.isnan(values) & (values < 0.5 + TOL)
    if not keep.any():
        return float("nan")
    y = values[keep]
    x = time[keep]
    if abs(y[0] - 0.5) < TOL:
        lower = np.flatnonzero(y < y[0])
        if lower.size:
            return float((x[0] + x[lower[0]]) / 2.0)
    return float(x[0])


@dataclass(frozen=True, eq=False)
class KMFit:
    """The Kaplan-Meier curves of every group of a time-to-event frame, fitted once.

    Every table below is read off these curves, so a page that shows the table, the medians, landmarks and
    the numbers at risk fits each curve once.

    Attributes
    ----------
    curves : tuple of KMCurve
        One per group, in the order of the frame.
    options : KMOptions
        Confidence interval type and level of the fit.
    """

    curves: tuple[KMCurve, ...]
    options: KMOptions

    def table(self) -> pd.DataFrame:
        """Return the estimate at every distinct time, as R's ``survfit`` (see :func:`km_table`)."""
        curves = self.curves
        if not curves:
            empty = pd.DataFrame({c: pd.Series(dtype=float) for c in KM_TABLE_COLUMNS})
            return empty.astype({"GROUP": object})
        return pd.DataFrame(
            {
                "GROUP": np.concatenate([np.full(c.time.size, c.group, dtype=object) for c in curves]),
                "TIME": np.concatenate([c.time for c in curves]),
                "N_RISK": np.concatenate([c.n_risk for c in curves]).astype(np.int64),
                "N_EVENT": np.concatenate([c.n_event for c in curves]).astype(np.int64),
                "N_CENSOR": np.concatenate([c.n_censor for c in curves]).astype(np.int64),
                "SURV": np.concatenate([c.surv for c in curves]),
                "STD_ERR": np.concatenate([c.std_err for c in curves]),
                "LOWER": np.concatenate([c.lower for c in curves]),
                "UPPER": np.concatenate([c.upper for c in curves]),
            }
        )

    def medians(self) -> pd.DataFrame:
        """Return the median with its confidence interval per group, as R's ``print(survfit)``.

        See :func:`km_medians`.
        """
        rows = [
            {
                "GROUP": c.group,
                "N": c.n,
                "EVENTS": int(c.n_event.sum()),
                "MEDIAN": _first_below_half(c.surv, c.time),
                "LOWER": _first_below_half(c.lower, c.time),
                "UPPER": _first_below_half(c.upper, c.time),
            }
            for c in self.curves
        ]
        return pd.DataFrame(rows, columns=list(MEDIAN_COLUMNS)).astype({"N": "int64", "EVENTS": "int64"})

    def median_at_risk(self) -> pd.DataFrame:
        """Return, per group, the patients at risk on whom the median rests.

        Returns
        -------
        pandas.DataFrame
            Columns GROUP, N_RISK: the patients at risk at the time the curve reaches 50% (the median's time;
            for a step lying exactly at 50%, its start); the whole group when the median is not reached.
        """
        rows = []
        for c in self.curves:
            keep = np.flatnonzero(~np.isnan(c.surv) & (c.surv < 0.5 + TOL))
            rows.append({"GROUP": c.group, "N_RISK": int(c.n_risk[keep[0]]) if keep.size else int(c.n)})
        return pd.DataFrame(rows, columns=["GROUP", "N_RISK"]).astype({"N_RISK": "int64"})

    def survival_at(
        self, times: Iterable[float], extend: bool = False, no_event_ci: bool = False
    ) -> pd.DataFrame:
        """Return survival, limits and numbers at risk at ``times``, as ``summary(fit, times=)``.

        See :func:`survival_at`.
        """
        wanted = np.sort(np.asarray([float(t) for t in times], dtype=float))
        wanted = wanted[np.isfinite(wanted)]
        frames = []
        for c in self.curves:
            if c.n == 0 or wanted.size == 0:
                continue
            # survfit0: a row at time 0 with S = 1 and limits 1, unless the first time already is 0.
            if c.time[0] != 0:
                time = np.concatenate(([0.0], c.time))
                surv, lower, upper = (np.concatenate(([1.0], a)) for a in (c.surv, c.lower, c.upper))
                n_risk = np.concatenate(([c.n_risk[0]], c.n_risk))
                n_event = np.concatenate(([0.0], c.n_event))
                n_censor = np.concatenate(([0.0], c.n_censor))
            else:
                time, surv, lower, upper = c.time, c.surv, c.lower, c.upper
                n_risk, n_event, n_censor = c.n_risk, c.n_event, c.n_censor
            idx1 = np.searchsorted(time, wanted, side="right")  # rows with time <= t
            idx2 = np.searchsorted(time, wanted, side="left")  # first row with time >= t
            row = np.maximum(idx1, 1) - 1
            cum_events = np.concatenate(([0.0], np.cumsum(n_event)))[idx1]
            cum_censored = np.concatenate(([0.0], np.cumsum(n_censor)))[idx1]
            beyond = wanted > time[-1]
            s, lo, up = surv[row], lower[row], upper[row]
            at_risk = np.append(n_risk, 0.0)[idx2]
            if no_event_ci:
                # No event up to t among the patients followed to t: the exact binomial interval.
                none = (cum_events == 0) & (at_risk > 0)
                exact_lo, exact_up = no_event_interval(at_risk, self.options.conf_level)
                lo, up = np.where(none, exact_lo, lo), np.where(none, exact_up, up)
            if not extend:
                s, lo, up = (np.where(beyond, np.nan, a) for a in (s, lo, up))
            frames.append(
                pd.DataFrame(
                    {
                        "GROUP": c.group,
                        "TIME": wanted,
                        "N_RISK": at_risk.astype(np.int64),
                        "N_EVENT": np.diff(np.concatenate(([0.0], cum_events))).astype(np.int64),
                        "N_CENSOR": np.diff(np.concatenate(([0.0], cum_censored))).astype(np.int64),
                        "SURV": s,
                        "LOWER": lo,
                        "UPPER": up,
                    }
                )
            )
        if not frames:
            return pd.DataFrame(columns=list(SURVIVAL_AT_COLUMNS))
        return pd.concat(frames, ignore_index=True)

    def at_risk(self, times: Iterable[float]) -> pd.DataFrame:
        """Return the numbers under a Kaplan-Meier plot at ``times`` (see :func:`at_risk_table`)."""
        table = self.survival_at(times, extend=True)
        if table.empty:
            return pd.DataFrame(columns=[*SURVIVAL_AT_COLUMNS, "CUM_EVENT", "CUM_CENSOR"])
        grouped = table.groupby("GROUP", sort=False)
        table["CUM_EVENT"] = grouped["N_EVENT"].cumsum().astype(np.int64)
        table["CUM_CENSOR"] = grouped["N_CENSOR"].cumsum().astype(np.int64)
        return table

    def curve(self, at_risk_threshold: int = 0, no_event_ci: bool = False) -> pd.DataFrame:
        """Return the table ready to draw, the thinly populated tail marked (see :func:`km_curve`)."""
        table = self.table()
        frames = []
        for group, rows in table.groupby("GROUP", sort=False):
            origin = pd.DataFrame(
                {
                    "GROUP": [group],
                    "TIME": [0.0],
                    "N_RISK": [int(rows["N_RISK"].iloc[0])],
                    "N_EVENT": [0],
                    "N_CENSOR": [0],
                    "SURV": [1.0],
                    "LOWER": [1.0],
                    "UPPER": [1.0],
                }
            )
            frames.append(origin)
            frames.append(rows.drop(columns="STD_ERR"))
        if not frames:
            return pd.DataFrame(columns=list(CURVE_COLUMNS))
        curve = pd.concat(frames, ignore_index=True)
        # The start row has no event or censoring, so its step keeps the whole group at risk.
        curve["AT_RISK_AFTER"] = (curve["N_RISK"] - curve["N_EVENT"] - curve["N_CENSOR"]).astype(np.int64)
        curve["TAIL"] = curve["AT_RISK_AFTER"] < at_risk_threshold
        if no_event_ci:
            # Before a group's first event the band is the exact binomial one, over the patients at risk
            # during the step (at its very end, after the last time, those at risk at that time).
            none = (curve.groupby("GROUP", sort=False)["N_EVENT"].cumsum() == 0).to_numpy()
            after = curve["AT_RISK_AFTER"].to_numpy(dtype=float)
            n = np.where(after > 0, after, curve["N_RISK"].to_numpy(dtype=float))
            lower, upper = no_event_interval(n, self.options.conf_level)
            curve["LOWER"] = np.where(none & (n > 0), lower, curve["LOWER"].to_numpy(dtype=float))
            curve["UPPER"] = np.where(none & (n > 0), upper, curve["UPPER"].to_numpy(dtype=float))
        return curve[list(CURVE_COLUMNS)]


def km_fit(tte: pd.DataFrame, options: KMOptions | None = None) -> KMFit:
    """Fit the Kaplan-Meier curve of each group of ``tte`` once.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).

    Returns
    -------
    KMFit
        The curves; read the table, medians, landmarks and numbers at risk off it.

    Raises
    ------
    ValueError
        When ``tte`` lacks a column or has a missing TIME or GROUP.
    """
    options = options or KMOptions()
    time, event, codes, levels = arrays(tte)
    if len(levels) == 1:
        return KMFit((_curve(levels[0], time, event, options),), options)
    order = np.argsort(codes, kind="stable")  # small integers: a radix sort
    time, event, codes = time[order], event[order], codes[order]
    bounds = np.searchsorted(codes, np.arange(len(levels) + 1))
    curves = tuple(
        _curve(g, time[bounds[i] : bounds[i + 1]], event[bounds[i] : bounds[i + 1]], options)
        for i, g in enumerate(levels)
    )
    return KMFit(curves, options)


def km_table(tte: pd.DataFrame, options: KMOptions | None = None) -> pd.DataFrame:
    """Kaplan-Meier estimate at every distinct time (events and censorings), as R's ``survfit``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).

    Returns
    -------
    pandas.DataFrame
        Columns GROUP, TIME, N_RISK, N_EVENT, N_CENSOR (int), SURV, STD_ERR (standard error of log S,
        Greenwood; infinite where S drops to 0), LOWER, UPPER. The limits are NaN where R gives NA: S = 0
        for every type, and S = 1 for log-log. Plain limits are clipped to [0, 1]; the log upper limit to 1.
    """
    return km_fit(tte, options).table()


def km_medians(tte: pd.DataFrame, options: KMOptions | None = None) -> pd.DataFrame:
    """Median survival with its confidence interval per group, exactly as R's ``print(survfit)``.

    The median is the first time the curve reaches 0.5; where the curve is flat at exactly 0.5, the midpoint
    of that flat step. The lower (upper) limit is where the lower (upper) pointwise confidence band reaches
    0.5, by the same rule.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).

    Returns
    -------
    pandas.DataFrame
        Columns GROUP, N, EVENTS (int), MEDIAN, LOWER, UPPER. NaN means not reached.
    """
    return km_fit(tte, options).medians()


def survival_at(
    tte: pd.DataFrame,
    times: Iterable[float],
    options: KMOptions | None = None,
    extend: bool = False,
    no_event_ci: bool = False,
) -> pd.DataFrame:
    """Survival with its confidence interval and number at risk at given times, as ``summary(fit, times=)``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    times : iterable of float
        Times in the unit of ``tte.TIME``; sorted ascending in the output (as R does); non-finite ones are
        dropped.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).
    extend : bool
        As R's ``extend``. False: at times after a group's last follow-up the estimate is unknown, so SURV,
        LOWER and UPPER are NaN (R omits those rows). True: the last estimate is carried forward, as R does.
    no_event_ci : bool
        False (R's ``summary``): where no event has happened up to TIME, the limits are those of the curve
        (1 and 1 for "log" and "plain", NaN for "log-log"). True: there, with N_RISK > 0, the exact binomial
        interval of :func:`no_event_interval` over the N_RISK patients followed to TIME.

    Returns
    -------
    pandas.DataFrame
        Columns GROUP, TIME, N_RISK (subjects with time >= TIME), N_EVENT and N_CENSOR (events and censorings
        after the previous requested time up to and including TIME), SURV, LOWER, UPPER. Before the first
        observed time S = 1 with limits 1.
    """
    return km_fit(tte, options).survival_at(times, extend=extend, no_event_ci=no_event_ci)


def at_risk_table(
    tte: pd.DataFrame, times: Iterable[float], options: KMOptions | None = None
) -> pd.DataFrame:
    """Return the numbers under a Kaplan-Meier plot: at risk, events and censorings so far, at given times.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    times : iterable of float
        Times (usually the axis ticks) in the unit of ``tte.TIME``.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).

    Returns
    -------
    pandas.DataFrame
        :func:`survival_at` with ``extend=True`` (columns GROUP, TIME, N_RISK, N_EVENT, N_CENSOR, SURV, LOWER,
        UPPER), plus CUM_EVENT and CUM_CENSOR: events and censorings at or before TIME.
    """
    return km_fit(tte, options).at_risk(times)


def km_curve(
    tte: pd.DataFrame,
    options: KMOptions | None = None,
    at_risk_threshold: int = 0,
    no_event_ci: bool = False,
) -> pd.DataFrame:
    """Return the Kaplan-Meier table ready to draw: a start at S = 1 and the thinly populated tail marked.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).
    at_risk_threshold : int
        A step belongs to the tail when fewer than this many patients remain at risk after it.
    no_event_ci : bool
        Before a group's first event, replace the band (1 to 1) by the exact binomial interval of
        :func:`no_event_interval` over the patients at risk during each step (AT_RISK_AFTER; N_RISK on a
        last row with nobody left).

    Returns
    -------
    pandas.DataFrame
        The :func:`km_table` rows of each group preceded by a row at time 0 (S = 1, limits 1, N_RISK = group
        size), with AT_RISK_AFTER (patients at risk just after TIME, during the step that starts there) and
        TAIL (AT_RISK_AFTER < ``at_risk_threshold``). Draw each row as the level from TIME to the next TIME.
    """
    return km_fit(tte, options).curve(at_risk_threshold, no_event_ci)


def at_risk_times(max_time: float, unit: str, max_ticks: int = 8) -> list[float]:
    """Return evenly spaced times for a number-at-risk table: 0 and round steps up to ``max_time``.

    Parameters
    ----------
    max_time : float
        Longest follow-up shown.
    unit : str
        Time unit; steps are round in that unit (6 or 12 months, 30 or 90 days, ...). Beyond the longest
        round step, the step is that step times a power of 10.
    max_ticks : int
        Most times returned after 0 while the longest round step allows it (at least 1, at most
        :data:`MAX_AT_RISK_TICKS`).

    Returns
    -------
    list of float
        ``[0, step, 2 step, ...]`` not beyond ``max_time``: never more than ``MAX_AT_RISK_TICKS + 1`` times,
        whatever ``max_time`` (``[0.0]`` when it is not a positive finite number).
    """
    steps = {
        "DAYS": (7, 14, 30, 60, 90, 180, 365, 730, 1461),
        "WEEKS": (1, 2, 4, 8, 13, 26, 52, 104, 208),
        "MONTHS": (1, 2, 3, 6, 12, 24, 48),
        "YEARS": (0.25, 0.5, 1, 2, 5, 10),
    }[normalize_unit(unit)]
    max_ticks = int(min(max(max_ticks, 1), MAX_AT_RISK_TICKS))
    if not np.isfinite(max_time) or max_time <= 0:
        return [0.0]
    step = float(next((s for s in steps if max_time / s <= max_ticks), steps[-1]))
    if max_time / step > MAX_AT_RISK_TICKS:
        # Far longer than the longest round step covers (an implausible time): that step times a power of
        # 10, so that the number of times stays bounded whatever max_time.
        with np.errstate(over="ignore"):
            step *= 10.0 ** max(np.ceil(np.log10(max_time / (step * max_ticks))), 1.0)
            while max_time / step > max_ticks:  # rounding in log10
                step *= 10.0
        if not np.isfinite(step):  # within a few powers of 10 of the largest float
            return [0.0]
    count = min(int(np.floor(max_time / step + 1e-9)), MAX_AT_RISK_TICKS)
    return [float(step * i) for i in range(count + 1)]
