"""Words of the decision-support sections: the outlook against the benchmark and the toxicity boundary."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from medcare_metrics.survival.predictive import PredictiveResult
from medcare_metrics.text.common import format_date, plural
from medcare_metrics.toxicity.monitoring import Boundary, MonitoringOptions, MonitoringResult

#: Heading of the Survival page's section.
OUTLOOK_HEADING = "Outlook: chance of beating the benchmark"
#: Said under every outlook number.
OUTLOOK_CAVEAT = (
    "A model, not a formal test: it says what the data so far and the assumptions below suggest about the "
    "final analysis. The trial's planned analysis decides."
)
#: Help of the prior weight control.
PRIOR_HELP = (
    "How much the prior, centred on the historical median, weighs: as many events as this number. "
    "Small: the data speak; large: the trial is assumed to resemble the historical series."
)
#: Help of the piecewise control.
PIECEWISE_HELP = (
    "A separate constant event rate in 0-6, 6-12, 12-24 and after 24 months, instead of one rate."
)
#: Help of the follow-up control.
FOLLOW_UP_HELP = (
    "Months from the close of accrual to the final analysis. Every patient can then be followed at least "
    "this long. The study file names no planned follow-up; the default is the endpoint's longest historical "
    "median, so that the final median can be compared with it."
)
#: Labels of the model column.
MODEL_LABELS: dict[bool, str] = {False: "Exponential", True: "Piecewise exponential"}
#: Heading of the Toxicity page's section.
MONITORING_HEADING = "Monitoring boundary"
#: Said under the toxicity boundary.
MONITORING_CAVEAT = (
    "A monitoring aid, not a formal test: crossing the boundary means the count is too high for the limit "
    "under the rule's assumptions (patients independent, the same rate for each); the steering committee "
    "decides."
)
#: Method names for the method control.
METHOD_LABELS: dict[str, str] = {
    "pocock": "Pocock-type boundary (Ivanova et al. 2005)",
    "bayesian": "Bayesian beta-binomial",
}
#: The controls' choice that keeps the study file's value.
AS_STUDY_FILE = "As the study file says"
#: Help of the unacceptable rate control.
RATE_HELP = "A rate of patients with the event above this one is unacceptable; the boundary is built for it."


def percent(value: float, decimals: int = 0) -> str:
    """Return ``0.623`` as ``"62%"`` (``decimals`` after the point)."""
    return f"{100 * value:.{decimals}f}%"


def probability_text(result: PredictiveResult) -> str:
    """Return the predictive probability with its Monte Carlo error: ``"62% (Monte Carlo error ±0.8%)"``.

    Parameters
    ----------
    result : PredictiveResult
        The probability.

    Returns
    -------
    str
        The share and its error; "none of" / "all" of the simulated trials at 0 and 1.
    """
    if result.probability in (0.0, 1.0):
        which = "none" if result.probability == 0.0 else "all"
        return f"{percent(result.probability)} ({which} of {result.draws:,} simulated trials)"
    return f"{percent(result.probability)} (Monte Carlo error ±{percent(result.mc_se, 1)})"


def benchmark_label(population: str, median: float) -> str:
    """Return ``"21 months (SBRT or metastasectomy)"``."""
    return f"{median:g} months ({population})" if population else f"{median:g} months"


def outlook_headline(endpoint: str, rows: Sequence[tuple[str, PredictiveResult]]) -> str:
    """Return the outlook in one sentence (Markdown).

    Parameters
    ----------
    endpoint : str
        The endpoint's name.
    rows : sequence of (str, PredictiveResult)
        Each benchmark's population and result.

    Returns
    -------
    str
        "Chance that the final Kaplan-Meier median of ... exceeds ...: ...".
    """
    parts = [
        f"{benchmark_label(population, r.benchmark_median)}: **{probability_text(r)}**"
        for population, r in rows
    ]
    return (
        f"Chance that the Kaplan-Meier median of {endpoint} at the final analysis exceeds the historical "
        f"median of " + "; ".join(parts) + "."
    )


def _final_median_range(medians: np.ndarray) -> str:
    # Not reached is beyond every reached median: infinite for the quantiles.
    values = np.where(np.isnan(medians), np.inf, medians)
    low, mid, high = np.quantile(values, [0.25, 0.5, 0.75], method="inverted_cdf")

    def show(v: float) -> str:
        return "not reached" if not np.isfinite(v) else f"{v:.1f}"

    return f"{show(mid)} ({show(low)} to {show(high)})"


def outlook_table(rows: Sequence[tuple[str, PredictiveResult]]) -> pd.DataFrame:
    """Return one row per benchmark: the chance of exceeding it and the simulated final median.

    Parameters
    ----------
    rows : sequence of (str, PredictiveResult)
        Each benchmark's population and result.

    Returns
    -------
    pandas.DataFrame
        Population, Historical median (months), Chance of exceeding, Monte Carlo error, Final median
        (months, 50% interval), Not reached (share of simulated trials).
    """
    return pd.DataFrame(
        {
            "Population": [population for population, _ in rows],
            "Historical median (months)": [r.benchmark_median for _, r in rows],
            "Chance of exceeding": [percent(r.probability) for _, r in rows],
            "Monte Carlo error": [f"±{percent(r.mc_se, 1)}" for _, r in rows],
            "Final median, months (50% interval)": [_final_median_range(r.medians) for _, r in rows],
            "Final median not reached": [percent(r.not_reached) for _, r in rows],
        }
    )


def sensitivity_table(cells: Sequence[tuple[float, bool, str, PredictiveResult]]) -> pd.DataFrame:
    """Return the chance of exceeding each benchmark per prior weight and model.

    Parameters
    ----------
    cells : sequence of (float, bool, str, PredictiveResult)
        Prior weight, piecewise or not, population, result.

    Returns
    -------
    pandas.DataFrame
        Prior weight (events), Model, then one column per benchmark ("> 21 months (SBRT or
        metastasectomy)"), each "62% ±0.8%".
    """
    records: dict[tuple[float, bool], dict[str, object]] = {}
    for weight, piecewise, population, result in cells:
        row = records.setdefault(
            (weight, piecewise), {"Prior weight (events)": f"{weight:g}", "Model": MODEL_LABELS[piecewise]}
        )
        row[f"> {benchmark_label(population, result.benchmark_median)}"] = (
            f"{percent(result.probability)} ±{percent(result.mc_se, 1)}"
        )
    ordered = sorted(records, key=lambda key: (key[1], key[0]))
    return pd.DataFrame([records[key] for key in ordered])


SENSITIVITY_CAPTION = (
    "The same simulation with other priors and the other model (same seed): where the chance moves a lot, "
    "the answer rests on the assumptions more than on the data."
)


def simulation_sentence(result: PredictiveResult) -> str:
    """Return how the numbers were simulated."""
    return (
        f"{result.draws:,} simulated trials with a fixed seed ({result.options.seed}): the page shows the "
        "same numbers on every rerun. The Monte Carlo error is the standard error of the share, "
        "sqrt(p (1 - p) / trials)."
    )


def so_far_sentence(result: PredictiveResult) -> str:
    """Return what the outlook starts from: patients, events, patients followed on and still to come."""
    parts = [
        f"So far {plural(result.n_patients, 'patient')} with {plural(result.n_events, 'event')}",
        f"{result.n_continuing} censored and still on study",
    ]
    if result.n_future:
        parts.append(f"{result.n_future} still to be enrolled")
    when = result.analysis_months
    timing = f"in about {when:.0f} months" if when >= 0.5 else "now"
    return ", ".join(parts) + f". The final analysis falls {timing} (median of the simulated trials)."


def no_benchmark_text(endpoint: str, available: Sequence[str]) -> str:
    """Say that the study names no historical median for ``endpoint``."""
    others = f" (it names one for {', '.join(available)})" if available else ""
    return f"The study file names no historical median for {endpoint}{others}: there is no benchmark to beat."


NEUTRAL_STUDY = "No study file describes these data: there is no historical benchmark to beat."
FILTERS_IGNORED = (
    "The outlook is for the whole trial: the sidebar's filters do not apply, since the target enrollment and "
    "the benchmark refer to all patients."
)
FIGURE_CAPTION = (
    "Final Kaplan-Meier medians of the simulated trials, per prior (each centred on its benchmark); the "
    "dashed lines are the historical medians. Simulated trials whose median is not reached are left out of "
    "the bars and counted in the table."
)


# ----- Toxicity monitoring -----


def event_description(options: MonitoringOptions) -> str:
    """Return which events the rule counts: ``"a grade ≥ 3 MDT-related adverse event within 90 days..."``."""
    related = " MDT-related" if options.related_only else ""
    window = f" within {options.acute_window_days} days of the MDT start" if options.acute_only else ""
    return f"a grade ≥ {options.min_grade}{related} adverse event{window}"


def rule_sentence(options: MonitoringOptions, boundary: Boundary) -> str:
    """Return the rule in words: what is counted, the limit, the method and its crossing probability.

    Parameters
    ----------
    options : MonitoringOptions
        The rule.
    boundary : Boundary
        Its boundary.

    Returns
    -------
    str
        Two or three sentences.
    """
    head = (
        f"Among the first n patients treated (in order of MDT start), count those with "
        f"{event_description(options)}; a rate above {percent(options.unacceptable_rate)} is unacceptable. "
    )
    crossing = percent(boundary.crossing, 1)
    n_max = boundary.n_max
    if options.method == "pocock":
        how = (
            f"Pocock-type boundary (Ivanova, Qaqish and Schell 2005) for {n_max} patients: the same binomial "
            f"tail probability ({boundary.level:.4f}) at every n, the largest for which the chance of ever "
            f"crossing at a true rate of {percent(options.unacceptable_rate)} is at most "
            f"{percent(options.alpha, 1)} (exactly {crossing})."
        )
    else:
        how = (
            f"Bayesian boundary for {n_max} patients: with a Beta({options.prior_a:g}, {options.prior_b:g}) "
            f"prior, stop when the posterior probability that the rate exceeds "
            f"{percent(options.unacceptable_rate)} is above {percent(options.posterior_threshold)}. At a "
            f"true rate of {percent(options.unacceptable_rate)} the boundary is crossed at some point with "
            f"probability {crossing}."
        )
    return head + how


def status_sentence(result: MonitoringResult) -> str:
    """Return whether and when the boundary was crossed, in one or two sentences (Markdown).

    Parameters
    ----------
    result : MonitoringResult
        The boundary and the course.

    Returns
    -------
    str
        The state, the count and the boundary at the last patient.
    """
    what = event_description(result.options)
    if result.n_treated == 0:
        return "No patient has been treated yet."
    course = result.course
    if result.crossed:
        row = course.loc[course["N"] == result.crossed_at].iloc[0]
        text = (
            f"**Boundary crossed** at patient {result.crossed_at}: {row['CUM_EVENTS']} of the first "
            f"{result.crossed_at} had {what} (boundary {row['BOUNDARY']}), known on "
            f"{format_date(result.crossed_on)}."
        )
    else:
        last = course.iloc[-1]
        n = int(last["N"])
        if pd.isna(last["BOUNDARY"]):
            at = (
                "beyond the patients the boundary is built for"
                if n > result.boundary.n_max
                else "not yet reachable"
            )
            bound = f"the boundary at {n} is {at}"
        else:
            bound = f"the boundary at {n} is {last['BOUNDARY']}"
        text = f"**Not crossed**: {last['CUM_EVENTS']} of {n} patients treated so far had {what}; {bound}."
    if result.n_in_window:
        text += (
            f" {plural(result.n_in_window, 'patient')} treated less than {result.options.acute_window_days} "
            "days before the data date: an acute event may still come."
        )
    if result.n_untimed:
        untimed = plural(result.n_untimed, "patient")
        text += f" {untimed} of the safety population without an MDT start are left out."
    return text


def _boundary(value: object) -> str:
    return "–" if pd.isna(value) else str(value)  # type: ignore[arg-type]


def _date(value: object) -> str:
    return "" if value is None or pd.isna(value) else format_date(pd.Timestamp(value))  # type: ignore[arg-type]


def _per_distinct(values: pd.Series, text: Callable[[object], str]) -> np.ndarray | list[str]:
    """Return ``[text(v) for v in values]``, calling ``text`` once per distinct value (dates repeat)."""
    if values.empty:
        return []  # as the list was: an empty column of no particular type
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # Code -1 is a missing value: text() of one (NaT, <NA>, None) is the same for every kind of missing.
    missing = values[values.isna()]
    table = [text(v) for v in uniques] + [text(missing.iloc[0]) if len(missing) else ""]
    return np.asarray(table, dtype=object)[codes]


def course_table(course: pd.DataFrame) -> pd.DataFrame:
    """Return the course for the page: one row per treated patient, in words where it helps.

    Parameters
    ----------
    course : pandas.DataFrame
        :attr:`MonitoringResult.course`.

    Returns
    -------
    pandas.DataFrame
        n, USUBJID, MDT start, Event (Yes/No), First event onset, Patients with the event, Boundary
        ("–" where none), Crossed (Yes/No), In window (Yes/No).
    """
    yes_no = {True: "Yes", False: "No"}
    return pd.DataFrame(
        {
            "n": course["N"].to_numpy(),
            "USUBJID": course["USUBJID"].to_numpy(),
            "MDT start": _per_distinct(course["TRTSDT"], _date),
            "Event": course["EVENT"].map(yes_no).to_numpy(),
            "First event onset": _per_distinct(course["EVENT_DATE"], _date),
            "Patients with the event": course["CUM_EVENTS"].to_numpy(),
            "Boundary": _per_distinct(course["BOUNDARY"], _boundary),
            "Crossed": course["CROSSED"].map(yes_no).to_numpy(),
            "Within the acute window": course["IN_WINDOW"].map(yes_no).to_numpy(),
        }
    )


def operating_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the chance of stopping by N at several true rates, in words."""
    return pd.DataFrame(
        {
            "True rate": [percent(r) for r in frame["RATE"]],
            "Chance of crossing by the last patient": [percent(p, 1) for p in frame["P_STOP"]],
        }
    )


OPERATING_CAPTION = (
    "Exact chance of ever crossing the boundary, by the last patient it is built for, if every patient had "
    "the event with the given probability."
)
NO_RULE = (
    "The study file names no toxicity stopping rule, so no boundary is drawn. A rule is a [toxicity_rule] "
    "table in the study file (unacceptable rate, method)."
)
NO_PATIENTS_FOR_RULE = (
    "The toxicity rule names no number of patients and the study no target enrollment: the boundary needs "
    "one."
)
WHOLE_TRIAL = (
    "Counted over the whole trial in order of MDT start: the sidebar's filters do not apply to the boundary."
)
