"""Kaplan-Meier estimates, medians, landmarks, log-rank test and Cox hazard ratio, as R's survival package.

Every number here reproduces R's ``survival`` package (version 3.5): ``survfit`` for the Kaplan-Meier table
and its confidence intervals, ``print(survfit)`` for the median and its confidence interval,
``summary(fit, times=)`` for landmarks and numbers at risk, ``survdiff`` for the log-rank test and ``coxph``
(Efron ties) for the hazard ratio.
The method notes, and where lifelines differs, are in ``docs/statistics.md``.

The input of every estimator is the tidy frame of :func:`time_to_event`: one row per subject with ``USUBJID``,
``TIME``, ``EVENT`` (bool) and ``GROUP``. Groups appear in the order of that frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from medcare_metrics.protocol import DAYS_PER_MONTH, DAYS_PER_WEEK

CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
#: Length of one time unit in days. AVALU values are matched case-insensitively, singular or plural.
DAYS_PER_UNIT: dict[str, float] = {
    "DAYS": 1.0,
    "WEEKS": DAYS_PER_WEEK,
    "MONTHS": DAYS_PER_MONTH,
    "YEARS": 12 * DAYS_PER_MONTH,
}
#: Label of the single group when no stratifying column is given.
ALL = "ALL"
#: Label of the group of subjects whose stratifying value is missing.
MISSING_GROUP = "Missing"
TTE_COLUMNS: tuple[str, ...] = ("USUBJID", "TIME", "EVENT", "GROUP")
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
PAIRWISE_COLUMNS: tuple[str, ...] = ("GROUP_A", "GROUP_B", "N", "EVENTS", "CHISQ", "DF", "P")

# R's default tolerance (sqrt of machine epsilon): for merging nearly equal times (aeqSurv) and for the
# S = 0.5 plateau of the median (survmean).
_TOL = float(np.sqrt(np.finfo(float).eps))


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


@dataclass(frozen=True, eq=False)
class LogRankResult:
    """Log-rank test across groups, as R's ``survdiff`` (rho = 0).

    Attributes
    ----------
    chisq : float
        Chi-square statistic.
    df : int
        Degrees of freedom: groups with expected events > 0, minus one (as ``print.survdiff``).
    p : float
        Upper-tail chi-square p-value; NaN when ``df`` < 1 (nothing to compare).
    table : pandas.DataFrame
        One row per group: GROUP, N, OBSERVED, EXPECTED.
    """

    chisq: float
    df: int
    p: float
    table: pd.DataFrame = field(repr=False)

    @property
    def testable(self) -> bool:
        """Whether at least two groups had expected events (otherwise there is no test)."""
        return self.df >= 1


@dataclass(frozen=True)
class CoxResult:
    """Hazard ratio of one group against a reference group, as R's ``coxph`` with Efron ties.

    Attributes
    ----------
    reference, comparator : str
        Groups; the hazard ratio is comparator versus reference.
    hr, lower, upper : float
        Hazard ratio and its Wald confidence interval; NaN when not estimable.
    p : float
        Wald test p-value; NaN when not estimable.
    coef, se : float
        Log hazard ratio and its standard error.
    n, events : int
        Subjects and events in the two groups.
    conf_level : float
        Level of the interval.
    note : str
        Why the ratio is not estimable (empty when it is).
    """

    reference: str
    comparator: str
    hr: float
    lower: float
    upper: float
    p: float
    coef: float
    se: float
    n: int
    events: int
    conf_level: float = 0.95
    note: str = ""


# --------------------------------------------------------------------------------------------------
# Time units and the analysis frame
# --------------------------------------------------------------------------------------------------


def normalize_unit(unit: str) -> str:
    """Return the canonical name (``DAYS``, ``WEEKS``, ``MONTHS``, ``YEARS``) of a time unit.

    Parameters
    ----------
    unit : str
        Unit as written in AVALU, any case, singular or plural (``"day"``, ``"Months"``).

    Returns
    -------
    str
        Key of :data:`DAYS_PER_UNIT`.
    """
    key = str(unit).strip().upper()
    if not key.endswith("S"):
        key += "S"
    if key not in DAYS_PER_UNIT:
        raise ValueError(f"unknown time unit {unit!r}; expected one of {', '.join(DAYS_PER_UNIT)}")
    return key


def convert_time(values: float | np.ndarray | pd.Series, from_unit: str, to_unit: str) -> np.ndarray | float:
    """Convert durations between days, weeks, months and years.

    A month is ``protocol.DAYS_PER_MONTH`` days (365.25 / 12), a week ``protocol.DAYS_PER_WEEK``, a year
    365.25 days.

    Parameters
    ----------
    values : float, numpy.ndarray or pandas.Series
        Durations in ``from_unit``.
    from_unit, to_unit : str
        Units accepted by :func:`normalize_unit`.

    Returns
    -------
    float or numpy.ndarray
        Durations in ``to_unit``.
    """
    factor = DAYS_PER_UNIT[normalize_unit(from_unit)] / DAYS_PER_UNIT[normalize_unit(to_unit)]
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=float) * factor
    if np.isscalar(values):
        return float(values) * factor
    return np.asarray(values, dtype=float) * factor


def endpoints(adtte: pd.DataFrame, preferred: Sequence[str] = ("NESTFS", "PFS", "OS")) -> list[str]:
    """Return the PARAMCD values of ADTTE, those in ``preferred`` first (in that order), then the rest sorted.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE with a PARAMCD column.
    preferred : sequence of str
        Codes listed first when present.

    Returns
    -------
    list of str
        Parameter codes.
    """
    present = [str(p) for p in pd.unique(adtte["PARAMCD"].dropna())]
    first = [p for p in preferred if p in present]
    return first + sorted(p for p in present if p not in first)


def time_unit(adtte: pd.DataFrame, paramcd: str) -> str:
    """Return the time unit (AVALU) of one parameter, canonical upper case; ``DAYS`` when AVALU is absent.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE.
    paramcd : str
        Parameter code.

    Returns
    -------
    str
        ``DAYS``, ``WEEKS``, ``MONTHS`` or ``YEARS``.

    Raises
    ------
    ValueError
        When the parameter's rows use more than one unit.
    """
    rows = _param_rows(adtte, paramcd)
    if "AVALU" not in rows.columns:
        return "DAYS"
    units = {normalize_unit(u) for u in rows["AVALU"].dropna().unique()}
    if not units:
        return "DAYS"
    if len(units) > 1:
        raise ValueError(f"PARAMCD {paramcd!r} mixes time units {sorted(units)}; give a unit to convert to")
    return units.pop()


def _param_rows(adtte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    for column in ("USUBJID", "PARAMCD", "AVAL", "CNSR"):
        if column not in adtte.columns:
            raise ValueError(f"ADTTE has no {column} column")
    rows = adtte[adtte["PARAMCD"] == paramcd]
    if rows.empty:
        available = ", ".join(endpoints(adtte)) or "none"
        raise ValueError(f"no ADTTE rows for PARAMCD {paramcd!r}; available: {available}")
    return rows


def _group_labels(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Return string labels and their order: numbers in numeric order, text sorted as R sorts levels."""
    present = values.dropna()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric:
        as_float = present.astype(float)
        integral = bool(np.all(np.equal(np.mod(as_float, 1), 0)))
        order = sorted(pd.unique(as_float))
        fmt = (lambda v: str(int(v))) if integral else (lambda v: f"{v:g}")
        mapping = {v: fmt(v) for v in order}
        labels = values.map(lambda v: mapping[float(v)] if pd.notna(v) else MISSING_GROUP)
        levels = [mapping[v] for v in order]
    else:
        labels = values.map(lambda v: str(v) if pd.notna(v) else MISSING_GROUP)
        levels = sorted({str(v) for v in present})
    if values.isna().any():
        levels.append(MISSING_GROUP)
    return labels.astype(object), levels


def time_to_event(
    adtte: pd.DataFrame,
    paramcd: str,
    adsl: pd.DataFrame | None = None,
    by: str | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """Return the analysis frame of one endpoint: one row per subject with time, event flag and group.

    This is the one place where ADaM's ``CNSR`` becomes an event flag: ``CNSR = 0`` is an event, ``CNSR >= 1``
    censored.

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
        When ``paramcd`` has no rows, ``by`` is in neither dataset, or units are mixed and ``unit`` is None.
    """
    rows = _param_rows(adtte, paramcd)
    if unit is None:
        time_unit(adtte, paramcd)  # raises on mixed units
        times = rows["AVAL"].to_numpy(dtype=float)
    else:
        src_units = rows["AVALU"] if "AVALU" in rows.columns else pd.Series("DAYS", index=rows.index)
        factors = src_units.fillna("DAYS").map(lambda u: DAYS_PER_UNIT[normalize_unit(u)]).to_numpy(float)
        times = rows["AVAL"].to_numpy(dtype=float) * factors / DAYS_PER_UNIT[normalize_unit(unit)]
    out = pd.DataFrame(
        {
            "USUBJID": rows["USUBJID"].astype(str).to_numpy(),
            "TIME": times,
            "EVENT": rows["CNSR"].astype("Int64").to_numpy(dtype="int64", na_value=1) == 0,
        }
    )
    if by is None:
        out["GROUP"] = ALL
        levels = [ALL]
    else:
        if by in rows.columns:
            values = rows[by].reset_index(drop=True)
        elif adsl is not None and by in adsl.columns:
            subjects = adsl.drop_duplicates("USUBJID")
            lookup = pd.Series(subjects[by].array, index=subjects["USUBJID"].astype(str).to_numpy())
            values = out["USUBJID"].map(lookup).reset_index(drop=True)
        else:
            where = "ADTTE or ADSL" if adsl is not None else "ADTTE (no ADSL given)"
            raise ValueError(f"column {by!r} not found in {where}")
        labels, levels = _group_labels(values)
        out["GROUP"] = labels.to_numpy()
    rank = {g: i for i, g in enumerate(levels)}
    out = out.assign(_rank=out["GROUP"].map(rank)).sort_values(["_rank", "USUBJID"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Kaplan-Meier core (numpy; one pass per group)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Curve:
    """Kaplan-Meier arrays of one group at every distinct time, as R's survfit object."""

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


def _check_tte(tte: pd.DataFrame) -> None:
    missing = [c for c in TTE_COLUMNS if c not in tte.columns]
    if missing:
        raise ValueError(f"time-to-event frame lacks {', '.join(missing)}; build it with time_to_event()")


def _whole_numbers(time: np.ndarray) -> bool:
    """Whether times are non-negative whole numbers small enough to count with ``bincount`` (usually days)."""
    if time.size == 0:
        return False
    top = time.max()
    return bool(time.min() >= 0 and top <= max(1_000_000, 10 * time.size) and np.all(np.floor(time) == time))


def _merge_close_times(time: np.ndarray) -> np.ndarray:
    """Map nearly equal times onto one value, as R's aeqSurv (``timefix`` in survfit, survdiff, coxph)."""
    if _whole_numbers(time):
        # Distinct whole numbers below 1e7 differ by >= 1, never within R's tolerance: nothing to merge.
        return time
    finite = time[np.isfinite(time)]
    if finite.size < 2:
        return time
    y = np.unique(finite)
    dy = np.diff(y)
    tied = (dy <= _TOL) | (dy / np.mean(np.abs(y)) <= _TOL)
    if not tied.any():
        return time
    cuts = y[np.concatenate(([True], ~tied))]
    return cuts[np.searchsorted(cuts, time, side="right") - 1]


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
    if _whole_numbers(time):
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


def _curve(group: str, time: np.ndarray, event: np.ndarray, options: KMOptions) -> _Curve:
    """Kaplan-Meier arrays of one group from its (merged) times and event flags, in any order."""
    n = time.size
    if n == 0:
        empty = np.empty(0)
        return _Curve(group, 0, empty, empty, empty, empty, empty, empty, empty, empty)
    distinct, at_time, d = _counts(time, event)
    n_risk = n - np.concatenate(([0.0], np.cumsum(at_time)[:-1]))
    surv = np.cumprod(1.0 - d / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood; a step to zero (n_risk == n_event) gives an infinite variance, as in R.
        term = np.where(d > 0, d / (n_risk * (n_risk - d)), 0.0)
    std_err = np.sqrt(np.cumsum(term))
    lower, upper = _confint(surv, std_err, options)
    return _Curve(
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


def _arrays(tte: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Return times (merged as aeqSurv), event flags, group codes and group labels, in the frame's order."""
    _check_tte(tte)
    time = tte["TIME"].to_numpy(dtype=float)
    if np.isnan(time).any():
        raise ValueError("TIME has missing values")
    time = _merge_close_times(time)
    event = tte["EVENT"].to_numpy(dtype=bool)
    codes, levels = pd.factorize(tte["GROUP"], sort=False)
    if (codes < 0).any():
        raise ValueError("GROUP has missing values; time_to_event labels them 'Missing'")
    return time, event, codes, [str(g) for g in levels]


def _prepared(tte: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Return :func:`_arrays` sorted by group, then time."""
    time, event, codes, levels = _arrays(tte)
    order = np.lexsort((time, codes))
    return time[order], event[order], codes[order], levels


def _curves(tte: pd.DataFrame, options: KMOptions) -> list[_Curve]:
    time, event, codes, levels = _arrays(tte)
    if len(levels) == 1:
        return [_curve(levels[0], time, event, options)]
    order = np.argsort(codes, kind="stable")  # small integers: a radix sort
    time, event, codes = time[order], event[order], codes[order]
    bounds = np.searchsorted(codes, np.arange(len(levels) + 1))
    return [
        _curve(g, time[bounds[i] : bounds[i + 1]], event[bounds[i] : bounds[i + 1]], options)
        for i, g in enumerate(levels)
    ]


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
    options = options or KMOptions()
    curves = _curves(tte, options)
    if not curves:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in KM_TABLE_COLUMNS}).astype({"GROUP": object})
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


# --------------------------------------------------------------------------------------------------
# Median, landmarks
# --------------------------------------------------------------------------------------------------


def _first_below_half(values: np.ndarray, time: np.ndarray) -> float:
    """Time where a curve first reaches 0.5, by R's rule (survmean's minmin).

    The first time with value < 0.5 + tol; when that value is 0.5 (within tol) and the curve later drops below
    it, the midpoint between that time and the time of the drop. NaN (not reached) when never reached.
    """
    keep = ~np.isnan(values) & (values < 0.5 + _TOL)
    if not keep.any():
        return float("nan")
    y = values[keep]
    x = time[keep]
    if abs(y[0] - 0.5) < _TOL:
        lower = np.flatnonzero(y < y[0])
        if lower.size:
            return float((x[0] + x[lower[0]]) / 2.0)
    return float(x[0])


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
    options = options or KMOptions()
    rows = []
    for c in _curves(tte, options):
        rows.append(
            {
                "GROUP": c.group,
                "N": c.n,
                "EVENTS": int(c.n_event.sum()),
                "MEDIAN": _first_below_half(c.surv, c.time),
                "LOWER": _first_below_half(c.lower, c.time),
                "UPPER": _first_below_half(c.upper, c.time),
            }
        )
    return pd.DataFrame(rows, columns=list(MEDIAN_COLUMNS)).astype({"N": "int64", "EVENTS": "int64"})


def survival_at(
    tte: pd.DataFrame,
    times: Iterable[float],
    options: KMOptions | None = None,
    extend: bool = False,
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

    Returns
    -------
    pandas.DataFrame
        Columns GROUP, TIME, N_RISK (subjects with time >= TIME), N_EVENT and N_CENSOR (events and censorings
        after the previous requested time up to and including TIME), SURV, LOWER, UPPER. Before the first
        observed time S = 1 with limits 1.
    """
    options = options or KMOptions()
    wanted = np.sort(np.asarray([float(t) for t in times], dtype=float))
    wanted = wanted[np.isfinite(wanted)]
    frames = []
    for c in _curves(tte, options):
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
        if not extend:
            s, lo, up = (np.where(beyond, np.nan, a) for a in (s, lo, up))
        frames.append(
            pd.DataFrame(
                {
                    "GROUP": c.group,
                    "TIME": wanted,
                    "N_RISK": np.append(n_risk, 0.0)[idx2].astype(np.int64),
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
    table = survival_at(tte, times, options, extend=True)
    if table.empty:
        return pd.DataFrame(columns=[*SURVIVAL_AT_COLUMNS, "CUM_EVENT", "CUM_CENSOR"])
    grouped = table.groupby("GROUP", sort=False)
    table["CUM_EVENT"] = grouped["N_EVENT"].cumsum().astype(np.int64)
    table["CUM_CENSOR"] = grouped["N_CENSOR"].cumsum().astype(np.int64)
    return table


# --------------------------------------------------------------------------------------------------
# Log-rank test
# --------------------------------------------------------------------------------------------------


def _logrank(time: np.ndarray, event: np.ndarray, codes: np.ndarray, n_groups: int):
    """Observed, expected and variance matrix of the log-rank statistic (survdiff, rho = 0)."""
    order = np.argsort(time, kind="stable")
    time, event, codes = time[order], event[order], codes[order]
    n = time.size
    starts = np.flatnonzero(np.concatenate(([True], time[1:] != time[:-1])))
    ends = np.append(starts[1:], n)
    # Per distinct time and group: number with exactly that time, and events at that time.
    slot = np.repeat(np.arange(starts.size), ends - starts)
    at_time = np.zeros((starts.size, n_groups))
    np.add.at(at_time, (slot, codes), 1.0)
    deaths_g = np.zeros((starts.size, n_groups))
    np.add.at(deaths_g, (slot[event], codes[event]), 1.0)
    risk = np.cumsum(at_time[::-1], axis=0)[::-1]  # at risk: time >= t
    d = deaths_g.sum(axis=1)
    keep = d > 0
    risk, d, deaths_g = risk[keep], d[keep], deaths_g[keep]
    nr = risk.sum(axis=1)
    frac = risk / nr[:, None]
    observed = deaths_g.sum(axis=0)
    expected = (d[:, None] * frac).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(nr > 1, d * (nr - d) / (nr - 1), 0.0)
    var = np.diag((w[:, None] * frac).sum(axis=0)) - np.einsum("t,tj,tk->jk", w, frac, frac)
    return observed, expected, var


def _chisq(observed: np.ndarray, expected: np.ndarray, var: np.ndarray) -> tuple[float, int, float]:
    used = expected > 0
    df = max(int(used.sum()) - 1, 0)  # R gives -1 when no group has expected events
    if used.sum() < 2:
        return 0.0, df, float("nan")
    diff = (observed - expected)[used][1:]
    vv = var[np.ix_(used, used)][1:, 1:]
    chisq = float(np.sum(np.linalg.solve(vv, diff) * diff))
    return chisq, df, float(stats.chi2.sf(chisq, df))


def logrank_test(tte: pd.DataFrame) -> LogRankResult | None:
    """Log-rank test of equal survival across the groups of ``tte``, as R's ``survdiff``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event` with at least two groups.

    Returns
    -------
    LogRankResult or None
        None when ``tte`` has fewer than two groups. Groups without expected events do not count towards the
        degrees of freedom (as R); when fewer than two groups have expected events the chi-square is 0 and the
        p-value NaN (R prints 1 or NaN there; there is nothing to test).
    """
    time, event, codes, levels = _prepared(tte)
    if len(levels) < 2:
        return None
    observed, expected, var = _logrank(time, event, codes, len(levels))
    chisq, df, p = _chisq(observed, expected, var)
    table = pd.DataFrame(
        {
            "GROUP": levels,
            "N": np.bincount(codes, minlength=len(levels)).astype(np.int64),
            "OBSERVED": observed,
            "EXPECTED": expected,
        }
    )
    return LogRankResult(chisq=chisq, df=df, p=p, table=table)


def pairwise_logrank(tte: pd.DataFrame) -> pd.DataFrame:
    """Log-rank test for each pair of groups (unadjusted for multiple testing).

    Times are merged as R's aeqSurv within each pair's data, as ``survdiff`` on that subset does.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.

    Returns
    -------
    pandas.DataFrame
        Columns GROUP_A, GROUP_B, N, EVENTS, CHISQ, DF, P; one row per pair in group order, empty with fewer
        than two groups.
    """
    _check_tte(tte)
    groups = [str(g) for g in pd.unique(tte["GROUP"])]
    rows = []
    for a, b in itertools.combinations(groups, 2):
        pair = tte[tte["GROUP"].isin([a, b])]
        result = logrank_test(pair)
        assert result is not None  # two groups by construction
        rows.append(
            {
                "GROUP_A": a,
                "GROUP_B": b,
                "N": len(pair),
                "EVENTS": int(pair["EVENT"].sum()),
                "CHISQ": result.chisq,
                "DF": result.df,
                "P": result.p,
            }
        )
    return pd.DataFrame(rows, columns=list(PAIRWISE_COLUMNS))


# --------------------------------------------------------------------------------------------------
# Cox proportional hazards, one binary covariate, Efron ties
# --------------------------------------------------------------------------------------------------


def cox_hazard_ratio(
    tte: pd.DataFrame, reference: str | None = None, conf_level: float = 0.95
) -> CoxResult | None:
    """Cox hazard ratio of two groups, Efron ties, Wald interval, as ``coxph(Surv(TIME, EVENT) ~ GROUP)``.

    Newton-Raphson from 0 with R's step halving and stopping rule (relative change of the log partial
    likelihood at most 1e-9, at most 20 iterations), so the estimate agrees with R's to rounding.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    reference : str, optional
        Reference group; default the first group of ``tte`` (R's first factor level).
    conf_level : float
        Level of the Wald interval.

    Returns
    -------
    CoxResult or None
        None unless ``tte`` has exactly two groups. When a group has no events, or there are no events at all,
        the ratio is not estimable (R warns of an infinite coefficient): hr, limits and p are NaN and ``note``
        says why.
    """
    time, event, codes, levels = _prepared(tte)
    if len(levels) != 2:
        return None
    if reference is None:
        reference = levels[0]
    if reference not in levels:
        raise ValueError(f"reference group {reference!r} is not one of {levels}")
    comparator = levels[1] if reference == levels[0] else levels[0]
    x_raw = (np.asarray(levels)[codes] == comparator).astype(float)
    n, n_events = time.size, int(event.sum())
    events_by = {g: int(event[np.asarray(levels)[codes] == g].sum()) for g in levels}
    nan = float("nan")

    def not_estimable(note: str) -> CoxResult:
        return CoxResult(reference, comparator, nan, nan, nan, nan, nan, nan, n, n_events, conf_level, note)

    if n_events == 0:
        return not_estimable("no events")
    without = [g for g, e in events_by.items() if e == 0]
    if without:
        return not_estimable(f"no events in {without[0]}: the hazard ratio is 0 or infinite")

    order = np.argsort(time, kind="stable")
    time, event = time[order], event[order]
    x = x_raw[order] - x_raw.mean()  # centring, as coxph; the likelihood and Newton path do not depend on it
    starts = np.flatnonzero(np.concatenate(([True], time[1:] != time[:-1])))
    block = np.repeat(np.arange(starts.size), np.diff(np.append(starts, n)))
    ev_pos = np.flatnonzero(event)
    ev_block = block[ev_pos]
    # Rank of each event within its tied set, and the tied-set size.
    tie_size = np.bincount(ev_block, minlength=starts.size)[ev_block].astype(float)
    first_of_block = np.searchsorted(ev_block, ev_block, side="left")
    tie_rank = (np.arange(ev_pos.size) - first_of_block).astype(float)
    risk_start = starts[ev_block]

    def sums(beta: float) -> tuple[float, float, float]:
        r = np.exp(beta * x)
        w0, w1, w2 = r, r * x, r * x * x
        s0, s1, s2 = (np.cumsum(w[::-1])[::-1] for w in (w0, w1, w2))
        # Tied-event sums per time block, then looked up per event.
        d0, d1, d2 = (
            np.bincount(ev_block, weights=w[ev_pos], minlength=starts.size)[ev_block] for w in (w0, w1, w2)
        )
        f = tie_rank / tie_size
        a0 = s0[risk_start] - f * d0
        a1 = s1[risk_start] - f * d1
        a2 = s2[risk_start] - f * d2
        mean = a1 / a0
        loglik = float(beta * x[ev_pos].sum() - np.log(a0).sum())
        score = float(x[ev_pos].sum() - mean.sum())
        info = float((a2 / a0 - mean * mean).sum())
        return loglik, score, info

    eps, max_iter = 1e-9, 20
    beta = 0.0
    loglik, score, info = sums(beta)
    new_beta = beta + score / info
    halving = False
    converged = False
    for iteration in range(1, max_iter + 1):
        new_loglik, new_score, new_info = sums(new_beta)
        if abs(1 - loglik / new_loglik) <= eps and not halving:
            beta, info, converged = new_beta, new_info, True
            break
        if iteration == max_iter:
            break
        if new_loglik < loglik:
            halving = True
            new_beta = (new_beta + beta) / 2
        else:
            halving = False
            loglik, beta = new_loglik, new_beta
            new_beta = new_beta + new_score / new_info
    if not converged:
        return not_estimable("no convergence in 20 iterations: the hazard ratio may be 0 or infinite")
    # R's coxph check for a monotone likelihood: a further Newton step would still be large.
    step = abs(new_score / info)
    if step > eps and step > np.sqrt(eps) * abs(beta):
        return not_estimable("the likelihood keeps rising towards a hazard ratio of 0 or infinity")
    se = float(np.sqrt(1.0 / info))
    z = float(stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    return CoxResult(
        reference=reference,
        comparator=comparator,
        hr=float(np.exp(beta)),
        lower=float(np.exp(beta - z * se)),
        upper=float(np.exp(beta + z * se)),
        p=float(2.0 * stats.norm.sf(abs(beta / se))),
        coef=float(beta),
        se=se,
        n=n,
        events=n_events,
        conf_level=conf_level,
    )


# --------------------------------------------------------------------------------------------------
# Presentation helpers: curves for plotting, tables in words, choices offered on the survival page
# --------------------------------------------------------------------------------------------------

#: Decimals shown for times in each unit.
UNIT_DECIMALS: dict[str, int] = {"DAYS": 1, "WEEKS": 1, "MONTHS": 1, "YEARS": 2}
NOT_REACHED = "not reached"
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


def km_curve(tte: pd.DataFrame, options: KMOptions | None = None, at_risk_threshold: int = 0) -> pd.DataFrame:
    """Return the Kaplan-Meier table ready to draw: a start at S = 1 and the thinly populated tail marked.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    options : KMOptions, optional
        Confidence interval type and level (default: log, 95%).
    at_risk_threshold : int
        A step belongs to the tail when fewer than this many patients remain at risk after it.

    Returns
    -------
    pandas.DataFrame
        The :func:`km_table` rows of each group preceded by a row at time 0 (S = 1, limits 1, N_RISK = group
        size), with AT_RISK_AFTER (patients at risk just after TIME, during the step that starts there) and
        TAIL (AT_RISK_AFTER < ``at_risk_threshold``). Draw each row as the level from TIME to the next TIME.
    """
    table = km_table(tte, options)
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
    return curve[list(CURVE_COLUMNS)]


#: Most times :func:`at_risk_times` returns after 0, whatever ``max_ticks`` asks for.
MAX_AT_RISK_TICKS = 30


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


def _fmt(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_time(value: float, unit: str) -> str:
    """Return a time in words: ``"9.9"``, ``"2.0"`` (months) or ``"300"`` (days), ``"not reached"`` for NaN.

    Parameters
    ----------
    value : float
        Time (NaN = not reached).
    unit : str
        Unit, for the number of decimals (:data:`UNIT_DECIMALS`).

    Returns
    -------
    str
        The number with :data:`UNIT_DECIMALS` decimals (trailing zeros dropped for days), or
        ``"not reached"``.
    """
    if value is None or not np.isfinite(value):
        return NOT_REACHED
    key = normalize_unit(unit)
    if key == "DAYS":
        # Days are usually whole: "300", not "300.0"; a midpoint keeps its half day.
        return _fmt(float(value), UNIT_DECIMALS[key])
    # Months, weeks and years keep their decimals so a column of medians lines up ("2.0", "16.4").
    return f"{float(value):.{UNIT_DECIMALS[key]}f}"


def median_summary(medians: pd.DataFrame, options: KMOptions, unit: str) -> pd.DataFrame:
    """Return the median table in words, as the survival page shows it.

    Parameters
    ----------
    medians : pandas.DataFrame
        :func:`km_medians` output.
    options : KMOptions
        Options the medians were computed with (named in the CI method column).
    unit : str
        Time unit of the medians.

    Returns
    -------
    pandas.DataFrame
        Columns Group, Patients, Events, Censored, "Median (<unit>)", "<level>% CI", "CI method";
        "not reached" where R gives NA.
    """
    name = normalize_unit(unit).lower()
    level = f"{100 * options.conf_level:g}% CI"
    # R's print(survfit) inverts the pointwise band at 0.5: the Brookmeyer-Crowley construction.
    method = f"{options.method}, Brookmeyer-Crowley"
    rows = [
        {
            "Group": r.GROUP,
            "Patients": int(r.N),
            "Events": int(r.EVENTS),
            "Censored": int(r.N - r.EVENTS),
            f"Median ({name})": format_time(r.MEDIAN, unit),
            level: f"{format_time(r.LOWER, unit)} to {format_time(r.UPPER, unit)}",
            "CI method": method,
        }
        for r in medians.itertuples(index=False)
    ]
    return pd.DataFrame(
        rows, columns=["Group", "Patients", "Events", "Censored", f"Median ({name})", level, "CI method"]
    )


def _percent(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{100 * value:.1f}%"


def landmark_summary(landmarks: pd.DataFrame, options: KMOptions, label: str) -> pd.DataFrame:
    """Return landmark survival in words.

    Parameters
    ----------
    landmarks : pandas.DataFrame
        :func:`survival_at` output (``extend=False``).
    options : KMOptions
        Options the estimates were computed with.
    label : str
        Heading of the landmark column, e.g. ``"Landmark (months)"``; the values are written as given in
        ``landmarks.TIME``.

    Returns
    -------
    pandas.DataFrame
        Columns Group, ``label``, "At risk", Survival, "<level>% CI"; "beyond follow-up" where the estimate is
        unknown, "—" where a limit is not defined (for example log-log at S = 1).
    """
    level = f"{100 * options.conf_level:g}% CI"
    rows = []
    for r in landmarks.itertuples(index=False):
        known = np.isfinite(r.SURV)
        rows.append(
            {
                "Group": r.GROUP,
                label: _fmt(float(r.TIME), 2),
                "At risk": int(r.N_RISK),
                "Survival": _percent(r.SURV) if known else "beyond follow-up",
                level: f"{_percent(r.LOWER)} to {_percent(r.UPPER)}" if known else "—",
            }
        )
    return pd.DataFrame(rows, columns=["Group", label, "At risk", "Survival", level])


def logrank_text(result: LogRankResult) -> str:
    """Return the log-rank test in one sentence.

    Parameters
    ----------
    result : LogRankResult
        :func:`logrank_test` output.

    Returns
    -------
    str
        ``"Log-rank chi-square 1.13 on 2 df, p = 0.568"`` or why there is no test.
    """
    if not result.testable:
        return "Log-rank test not possible: fewer than two groups have patients at risk at an event time."
    return f"Log-rank chi-square {result.chisq:.2f} on {result.df} df, {_p_phrase(result.p)}"


def logrank_summary(result: LogRankResult) -> pd.DataFrame:
    """Return the observed and expected events per group of a log-rank test, as R's ``survdiff`` prints them.

    Parameters
    ----------
    result : LogRankResult
        :func:`logrank_test` output.

    Returns
    -------
    pandas.DataFrame
        Columns Group, Patients, "Events observed", "Events expected", "Observed / expected" (expected
        rounded to 2 decimals, the ratio to 2; "—" where no event was expected).
    """
    t = result.table
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = t["OBSERVED"].to_numpy(float) / t["EXPECTED"].to_numpy(float)
    return pd.DataFrame(
        {
            "Group": t["GROUP"].astype(str).to_numpy(),
            "Patients": t["N"].astype(np.int64).to_numpy(),
            "Events observed": t["OBSERVED"].round().astype(np.int64).to_numpy(),
            "Events expected": t["EXPECTED"].round(2).to_numpy(),
            "Observed / expected": [f"{r:.2f}" if np.isfinite(r) else "—" for r in ratio],
        }
    )


def format_p(p: float) -> str:
    """Return a p-value as text: three significant digits, ``"< 0.001"`` below 0.001, ``"—"`` for NaN.

    Parameters
    ----------
    p : float
        The p-value.

    Returns
    -------
    str
        The formatted value.
    """
    if not np.isfinite(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def _p_phrase(p: float) -> str:
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def cox_text(result: CoxResult) -> str:
    """Return the Cox hazard ratio in one sentence.

    Parameters
    ----------
    result : CoxResult
        :func:`cox_hazard_ratio` output.

    Returns
    -------
    str
        ``"Hazard ratio Surgery vs SBRT 0.59 (95% CI 0.07 to 4.64), Wald p = 0.613; Cox model, Efron
        ties ..."``, or why it is not estimable.
    """
    what = f"Hazard ratio {result.comparator} vs {result.reference}"
    if not np.isfinite(result.hr):
        return f"{what}: not estimable ({result.note})."
    level = f"{100 * result.conf_level:g}%"
    text = (
        f"{what} {result.hr:.2f} ({level} CI {result.lower:.2f} to {result.upper:.2f}), "
        f"Wald {_p_phrase(result.p)}; Cox model, Efron ties "
        f"({result.events} events in {result.n} patients)"
    )
    return text


#: ADaM suffixes of dates, times, study days and durations: never categories.
_NOT_CATEGORY_SUFFIXES: tuple[str, ...] = ("DT", "DTM", "DTC", "TM", "DY", "DUR", "DURD", "DURM", "DURY")
#: Treatment columns, offered right after the sidebar's standard filters (arms of a randomized trial).
TREATMENT_COLUMNS: tuple[str, ...] = ("TRT01A", "TRT01P", "ACTARM", "ARM")


#: ADSL columns that record what happened after baseline (outcomes): death (DTHFL, DTHCAUS, LDDTHGR1,
#: DTH30FL, ...), end of study or of treatment (EOSSTT, EOTSTT), discontinuation and completion (DCSREAS,
#: DCDECOD, DCREASCD, DISCONFL, DSRAEFL, COMP24FL), last contact (LSTALVDT, FRVDT), reference end dates and
#: exposure (RFENDTC, TRTEDT, TRTDURD, CUMDOSE, AVGDD). Splitting a survival curve by the outcome makes the
#: log-rank test and the hazard ratio meaningless, so these never stratify.
OUTCOME_PREFIXES: tuple[str, ...] = (
    "DTH", "LDDTH", "EOS", "EOT", "DCS", "DCT", "DCD", "DCREAS", "DISCON", "DSRAE", "COMP", "LSTALV", "FRV",
    "RFEND", "RFXEND", "RFPEND", "TRTE", "TRTDUR", "CUMDOSE", "AVGDD",
)  # fmt: skip
#: Name (or ADaM numeric code) columns that repeat a code column: left out when that column is offered.
DUPLICATE_COLUMNS: dict[str, str] = {
    "SITENAME": "SITEID",
    "ARMCD": "ARM",
    "ACTARMCD": "ACTARM",
    "TRT01AN": "TRT01A",
    "TRT01PN": "TRT01P",
}


def stratification_columns(
    adsl: pd.DataFrame, subjects: Iterable[str] | None = None, max_levels: int = 8
) -> list[str]:
    """Return the ADSL columns a survival curve can be split by: categorical, 2 to ``max_levels`` values.

    Parameters
    ----------
    adsl : pandas.DataFrame
        ADSL.
    subjects : iterable of str, optional
        Count values among these subjects only (those of the endpoint), e.g. ``tte.USUBJID``.
    max_levels : int
        Most distinct values a column may have among ``subjects``.

    Returns
    -------
    list of str
        Text, flag and whole-number columns with 2 to ``max_levels`` values among ``subjects`` and a value for
        at least half of them. Left out: identifiers; dates, times, study days and durations (names ending in
        DT, DTM, DTC, TM, DY, DUR...); numbers with decimals; whole numbers with more than ``max_levels``
        values in the whole of ADSL (ages, counts of days: a filter leaving few patients does not make them
        categories); outcomes and other post-baseline columns (:data:`OUTCOME_PREFIXES`: DTHFL, EOSSTT,
        DCSREAS, ...); a name or numeric code repeating an offered column (:data:`DUPLICATE_COLUMNS`:
        SITENAME beside SITEID, whose names the page shows, and an ADaM ``xxxN`` code beside ``xxx``). Order:
        ``filters.STANDARD_FILTERS``, then :data:`TREATMENT_COLUMNS`, then ADSL order.
    """
    from medcare_metrics.filters import ID_COLUMNS, STANDARD_FILTERS

    wanted = None if subjects is None else {str(s) for s in subjects}
    rows = adsl if wanted is None else adsl[adsl["USUBJID"].astype(str).isin(wanted)]
    found = []
    for column in adsl.columns:
        name = column.upper()
        if column in ID_COLUMNS or name.endswith(_NOT_CATEGORY_SUFFIXES) or name.startswith(OUTCOME_PREFIXES):
            continue
        everywhere = adsl[column]
        if pd.api.types.is_datetime64_any_dtype(everywhere):
            continue
        if pd.api.types.is_numeric_dtype(everywhere) and not pd.api.types.is_bool_dtype(everywhere):
            present = everywhere.dropna().astype(float)
            if not np.all(np.equal(np.mod(present, 1), 0)) or present.nunique() > max_levels:
                continue
        values = rows[column]
        if len(values) == 0 or values.notna().sum() < len(values) / 2:
            continue
        if 2 <= values.nunique(dropna=True) <= max_levels:
            found.append(column)
    duplicates = {c for c in found if DUPLICATE_COLUMNS.get(c) in found}
    duplicates |= {c for c in found if c.endswith("N") and c[:-1] in found}
    found = [c for c in found if c not in duplicates]
    first = [c for c in (*STANDARD_FILTERS, *TREATMENT_COLUMNS) if c in found]
    return first + [c for c in found if c not in first]


#: Names of common ADSL columns the sidebar filters do not name (``filters.FILTER_LABELS`` has the rest).
COLUMN_NAMES: dict[str, str] = {
    "TRT01A": "Actual treatment",
    "TRT01P": "Planned treatment",
    "ACTARM": "Actual arm",
    "ARM": "Planned arm",
    "SEX": "Sex",
    "RACE": "Race",
    "AGEGR1": "Age group",
}


def column_label(column: str) -> str:
    """Return how the survival page names a stratifying column: ``"Centre (SITEID)"``, or the bare name.

    Parameters
    ----------
    column : str
        ADSL or ADTTE column.

    Returns
    -------
    str
        ``"<name> (<COLUMN>)"`` when the column has a name (``filters.FILTER_LABELS`` or
        :data:`COLUMN_NAMES`), else ``column``.
    """
    from medcare_metrics.filters import FILTER_LABELS

    name = FILTER_LABELS.get(column) or COLUMN_NAMES.get(column)
    return f"{name} ({column})" if name else column


def label_groups(tte: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Return ``tte`` with each GROUP code followed by its name, e.g. ``"01"`` -> ``"01 UZ Leuven"``.

    Parameters
    ----------
    tte : pandas.DataFrame
        Frame from :func:`time_to_event`.
    names : mapping of str to str
        Name per group code (for example ``filters.value_labels(adsl)["SITEID"]``); codes not in it, and
        the "Missing" group, keep their label.

    Returns
    -------
    pandas.DataFrame
        A copy with the new GROUP labels, rows and group order unchanged.
    """
    _check_tte(tte)
    out = tte.copy()
    out["GROUP"] = [
        f"{g} {names[g]}" if names.get(g) and names[g] != g else g for g in out["GROUP"].astype(str)
    ]
    return out


def benchmark_endpoints() -> list[str]:
    """Return the endpoints that have a historical benchmark in ``protocol.BENCHMARKS`` (NESTFS and PFS).

    Returns
    -------
    list of str
        Parameter codes in the order of ``protocol.BENCHMARKS``.
    """
    from medcare_metrics.protocol import BENCHMARKS

    return list(dict.fromkeys(b.paramcd for b in BENCHMARKS))


def benchmark_table(paramcd: str, unit: str) -> pd.DataFrame:
    """Return the historical benchmark medians of one endpoint (``protocol.BENCHMARKS``) in ``unit``.

    Parameters
    ----------
    paramcd : str
        Endpoint code.
    unit : str
        Time unit to convert the benchmark months to.

    Returns
    -------
    pandas.DataFrame
        Columns POPULATION, MEDIAN, LOWER, UPPER, SOURCE; empty when the endpoint has no benchmark.
    """
    from medcare_metrics.protocol import BENCHMARKS

    rows = [
        {
            "POPULATION": b.population,
            "MEDIAN": convert_time(b.median, "MONTHS", unit),
            "LOWER": convert_time(b.lower, "MONTHS", unit),
            "UPPER": convert_time(b.upper, "MONTHS", unit),
            "SOURCE": b.source,
        }
        for b in BENCHMARKS
        if b.paramcd == paramcd
    ]
    return pd.DataFrame(rows, columns=["POPULATION", "MEDIAN", "LOWER", "UPPER", "SOURCE"])


def endpoint_label(adtte: pd.DataFrame, paramcd: str, protocol_labels: bool = True) -> str:
    """Return a readable name of an endpoint: the protocol's name, else ADTTE.PARAM, else the code.

    Parameters
    ----------
    adtte : pandas.DataFrame
        ADTTE.
    paramcd : str
        Parameter code.
    protocol_labels : bool, default True
        Use the MEDCARE protocol's names (``protocol.ENDPOINTS``). Pass False for another study
        (:func:`medcare_metrics.protocol.is_protocol_study`): its own PARAM text is used, since the same code
        (PFS) may follow another definition there.

    Returns
    -------
    str
        For example ``"NEST-free survival (NESTFS)"``, or ``"Progression Free Survival (PFS)"`` from PARAM.
    """
    from medcare_metrics.protocol import ENDPOINTS

    name = ENDPOINTS.get(paramcd) if protocol_labels else None
    if name is None and "PARAM" in adtte.columns:
        params = adtte.loc[adtte["PARAMCD"] == paramcd, "PARAM"].dropna()
        name = str(params.iloc[0]) if len(params) else None
    return f"{name} ({paramcd})" if name else paramcd


def default_landmarks(months: Sequence[float], unit: str) -> str:
    """Return landmark times given in months as text in ``unit``, rounded to whole numbers outside months.

    Parameters
    ----------
    months : sequence of float
        Landmarks in months (``TrialSettings.landmark_months``).
    unit : str
        Unit the page shows.

    Returns
    -------
    str
        Comma-separated values, e.g. ``"6, 12, 18, 24"`` or ``"183, 365, 548, 730"`` (days).
    """
    key = normalize_unit(unit)
    values = [convert_time(float(m), "MONTHS", key) for m in months]
    decimals = 2 if key in ("MONTHS", "YEARS") else 0
    return ", ".join(_fmt(round(v, decimals), decimals) for v in values)


def parse_landmarks(text: str) -> tuple[list[float], list[str]]:
    """Read landmark times typed as a list (``"6, 12; 18 24"``).

    Parameters
    ----------
    text : str
        Numbers separated by commas, semicolons or spaces.

    Returns
    -------
    tuple of (list of float, list of str)
        The distinct non-negative numbers in ascending order, and the pieces that are not such numbers.
    """
    values: set[float] = set()
    bad: list[str] = []
    for piece in text.replace(";", ",").replace(",", " ").split():
        try:
            value = float(piece)
        except ValueError:
            bad.append(piece)
            continue
        if np.isfinite(value) and value >= 0:
            values.add(value)
        else:
            bad.append(piece)
    return sorted(values), bad


def pairwise_summary(pairs: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`pairwise_logrank` output in words.

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`pairwise_logrank` output.

    Returns
    -------
    pandas.DataFrame
        Columns Comparison, Patients, Events, Chi-square, df, p (unadjusted); "not testable" where no test
        is possible.
    """
    rows = [
        {
            "Comparison": f"{r.GROUP_A} vs {r.GROUP_B}",
            "Patients": int(r.N),
            "Events": int(r.EVENTS),
            "Chi-square": round(float(r.CHISQ), 3),
            "df": int(r.DF),
            "p (unadjusted)": format_p(r.P) if np.isfinite(r.P) else "not testable",
        }
        for r in pairs.itertuples(index=False)
    ]
    return pd.DataFrame(
        rows, columns=["Comparison", "Patients", "Events", "Chi-square", "df", "p (unadjusted)"]
    )


def tail_note(threshold: int, mode: str) -> str:
    """Return the sentence explaining how the thinly populated tail of the curves is drawn.

    Parameters
    ----------
    threshold : int
        At-risk threshold of :func:`km_curve`.
    mode : {"grey", "truncate", "show"}
        How the figure draws the tail.

    Returns
    -------
    str
        Empty when nothing is marked (threshold below 1 or mode ``"show"``).
    """
    if threshold < 1 or mode == "show":
        return ""
    how = "Dotted and faded" if mode == "grey" else "Not drawn"
    text = f"{how}: the steps where fewer than {threshold} patients remain at risk."
    if threshold >= 2:
        text += (
            f" With at most {threshold - 1} at risk, each event removes at least 1/{threshold - 1} of the "
            "remaining survival, so the curve there says little."
        )
    return text
