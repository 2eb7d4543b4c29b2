"""Words of the Survival page: formatted times, medians, landmarks, test results, captions and notes.

Nothing here computes a statistic: the functions put the results of :mod:`medcare_metrics.survival` into words
and tables for people.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from medcare_metrics.survival import (
    MISSING_GROUP,
    CoxResult,
    KMOptions,
    LogRankResult,
    convert_time,
    normalize_unit,
)
from medcare_metrics.survival.comparison import SMALL_GROUP, PermutationResult
from medcare_metrics.text.common import escape_markdown
from medcare_metrics.variables import VARIABLE_LABELS

#: Decimals shown for times in each unit.
UNIT_DECIMALS: dict[str, int] = {"DAYS": 1, "WEEKS": 1, "MONTHS": 1, "YEARS": 2}
NOT_REACHED = "not reached"


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


def median_summary(
    medians: pd.DataFrame,
    options: KMOptions,
    unit: str,
    at_risk: Sequence[int] | None = None,
    threshold: int = 0,
) -> pd.DataFrame:
    """Return the median table in words, as the survival page shows it.

    Parameters
    ----------
    medians : pandas.DataFrame
        :func:`medcare_metrics.survival.km_medians` output.
    options : KMOptions
        Options the medians were computed with (named in the CI method column).
    unit : str
        Time unit of the medians.
    at_risk : sequence of int, optional
        Per row, the patients at risk the median rests on (``KMFit.median_at_risk``).
    threshold : int
        The small-numbers threshold: a row whose ``at_risk`` is below it is marked in "Small numbers".

    Returns
    -------
    pandas.DataFrame
        Columns Group, Patients, Events, Censored, "Median (<unit>)", "<level>% CI", "CI method",
        "Small numbers"; "not reached" where R gives NA.
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
            SMALL_NUMBERS: small_numbers_flag(None if at_risk is None else int(at_risk[i]), threshold),
        }
        for i, r in enumerate(medians.itertuples(index=False))
    ]
    columns = ["Group", "Patients", "Events", "Censored", f"Median ({name})", level, "CI method"]
    return pd.DataFrame(rows, columns=[*columns, SMALL_NUMBERS])


#: Column of the median and landmark tables that marks an estimate resting on few patients at risk.
SMALL_NUMBERS = "Small numbers"


def small_numbers_flag(at_risk: int | None, threshold: int) -> str:
    """Return the mark of an estimate resting on fewer patients at risk than ``threshold`` (else empty).

    Parameters
    ----------
    at_risk : int or None
        Patients at risk the estimate rests on; None: unknown (no mark).
    threshold : int
        The small-numbers threshold (the figure's tail threshold).

    Returns
    -------
    str
        For example ``"2 at risk (fewer than 3)"``.
    """
    if at_risk is None or at_risk >= threshold:
        return ""
    return f"{at_risk} at risk (fewer than {threshold})"


def _percent(value: float) -> str:
    return "—" if not np.isfinite(value) else f"{100 * value:.1f}%"


def landmark_summary(
    landmarks: pd.DataFrame, options: KMOptions, label: str, threshold: int = 0, exact_no_event: bool = False
) -> pd.DataFrame:
    """Return landmark survival in words.

    Parameters
    ----------
    landmarks : pandas.DataFrame
        :func:`medcare_metrics.survival.survival_at` output (``extend=False``).
    options : KMOptions
        Options the estimates were computed with.
    label : str
        Heading of the landmark column, e.g. ``"Landmark (months)"``; the values are written as given in
        ``landmarks.TIME``.
    threshold : int
        The small-numbers threshold: a known estimate with fewer patients at risk is marked in
        "Small numbers".
    exact_no_event : bool
        The limits where no event has happened (S = 1) are the exact binomial ones
        (``survival_at(..., no_event_ci=True)``): the interval says "(exact)".

    Returns
    -------
    pandas.DataFrame
        Columns Group, ``label``, "At risk", Survival, "<level>% CI", "Small numbers"; "beyond follow-up"
        where the estimate is unknown, "—" where a limit is not defined (for example log-log at S = 1).
    """
    level = f"{100 * options.conf_level:g}% CI"
    rows = []
    for r in landmarks.itertuples(index=False):
        known = np.isfinite(r.SURV)
        interval = f"{_percent(r.LOWER)} to {_percent(r.UPPER)}" if known else "—"
        if known and exact_no_event and r.SURV == 1.0 and r.N_RISK > 0:
            interval += " (exact)"
        rows.append(
            {
                "Group": r.GROUP,
                label: _fmt(float(r.TIME), 2),
                "At risk": int(r.N_RISK),
                "Survival": _percent(r.SURV) if known else "beyond follow-up",
                level: interval,
                SMALL_NUMBERS: small_numbers_flag(int(r.N_RISK), threshold) if known else "",
            }
        )
    columns = ["Group", label, "At risk", "Survival", level, SMALL_NUMBERS]
    return pd.DataFrame(rows, columns=columns)


def logrank_text(result: LogRankResult) -> str:
    """Return the log-rank test in one sentence.

    Parameters
    ----------
    result : LogRankResult
        :func:`medcare_metrics.survival.logrank_test` output.

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
        :func:`medcare_metrics.survival.logrank_test` output.

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
        :func:`medcare_metrics.survival.cox_hazard_ratio` output.

    Returns
    -------
    str
        ``"Hazard ratio Surgery vs SBRT 0.59 (95% CI 0.07 to 4.64), Wald p = 0.613; Cox model, Efron
        ties ..."``, or why it is not estimable.
    """
    # Group names come from the data and the sentence is Markdown.
    what = f"Hazard ratio {escape_markdown(result.comparator)} vs {escape_markdown(result.reference)}"
    if not np.isfinite(result.hr):
        return f"{what}: not estimable ({result.note})."
    level = f"{100 * result.conf_level:g}%"
    text = (
        f"{what} {result.hr:.2f} ({level} CI {result.lower:.2f} to {result.upper:.2f}), "
        f"Wald {_p_phrase(result.p)}; Cox model, Efron ties "
        f"({result.events} events in {result.n} patients)"
    )
    return text


def column_label(column: str) -> str:
    """Return how the survival page names a stratifying column: ``"Centre (SITEID)"``, or the bare name.

    Parameters
    ----------
    column : str
        ADSL or ADTTE column.

    Returns
    -------
    str
        ``"<name> (<COLUMN>)"`` when the column has a name
        (:data:`medcare_metrics.variables.VARIABLE_LABELS`), else ``column``.
    """
    name = VARIABLE_LABELS.get(column)
    return f"{name} ({column})" if name else column


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
    values = [float(convert_time(float(m), "MONTHS", key)) for m in months]
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
    """Return :func:`medcare_metrics.survival.pairwise_logrank` output in words.

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`medcare_metrics.survival.pairwise_logrank` output.

    Returns
    -------
    pandas.DataFrame
        Columns Comparison, Patients, Events, Chi-square, df, "p (unadjusted)", "p (Holm)" (adjusted over the
        testable pairs, as R's ``p.adjust(method = "holm")``); "not testable" where no test is possible.
    """
    rows = [
        {
            "Comparison": f"{r.GROUP_A} vs {r.GROUP_B}",
            "Patients": int(r.N),
            "Events": int(r.EVENTS),
            "Chi-square": round(float(r.CHISQ), 3),
            "df": int(r.DF),
            "p (unadjusted)": format_p(r.P) if np.isfinite(r.P) else "not testable",
            "p (Holm)": format_p(r.P_HOLM) if np.isfinite(r.P_HOLM) else "not testable",
        }
        for r in pairs.itertuples(index=False)
    ]
    return pd.DataFrame(
        rows, columns=["Comparison", "Patients", "Events", "Chi-square", "df", "p (unadjusted)", "p (Holm)"]
    )


def tail_note(threshold: int, mode: str) -> str:
    """Return the sentence explaining how the thinly populated tail of the curves is drawn.

    Parameters
    ----------
    threshold : int
        At-risk threshold of :func:`medcare_metrics.survival.km_curve`.
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


# --------------------------------------------------------------------------------------------------
# The Survival page: widget labels, captions and notes
# --------------------------------------------------------------------------------------------------

INTRO = (
    "Kaplan-Meier curves of the time-to-event endpoints, with medians, landmark survival and group "
    "comparisons. Numbers agree with R's survival package (survfit, survdiff, coxph)."
)
#: What the page cannot show without ADTTE.
NEEDED_FOR = "the survival curves"
NO_ADTTE = f"This data source has no ADTTE, so {NEEDED_FOR} cannot be shown."
#: Said when ADTTE is there but holds no row at all (a header only), whatever the filters.
NO_ENDPOINT = f"ADTTE has no rows, so there is no endpoint and {NEEDED_FOR} cannot be shown."
#: The time units the page offers, with their names.
UNIT_LABELS: dict[str, str] = {"MONTHS": "Months", "WEEKS": "Weeks", "DAYS": "Days"}
#: The confidence interval transforms the page offers, with their names.
CONF_LABELS: dict[str, str] = {"log": "log (R default)", "log-log": "log-log", "plain": "plain"}
CONF_HELP = (
    "Pointwise 95% CI of the curve, transform as R's survfit(conf.type=). The median's CI is where "
    "this band crosses 0.5."
)
#: How the tail of the curves can be drawn, with their names.
TAIL_LABELS: dict[str, str] = {"grey": "Grey", "truncate": "Truncate", "show": "Show"}
NO_GROUPING = "No grouping (all patients)"
LANDMARK_HELP = "Times separated by commas."
CENSOR_NOTE = "Ticks on the curves: censored patients."
BENCHMARK_NOTE = (
    "Black markers at 50%: historical medians with their 95% CI (retrospective series, not a "
    "comparison group)."
)
LANDMARK_CAPTION = (
    "Survival at each time with its pointwise CI and the patients still at risk, as R's "
    "summary(fit, times = ...); 'beyond follow-up' after a group's last observed time."
)
ONE_GROUP = "Only one group with these filters: nothing to compare."
PAIRWISE_CAPTION = (
    "Each pair tested on its own. 'p (unadjusted)' is not adjusted for multiple comparisons; 'p (Holm)' is "
    "adjusted by Holm's step-down method over the testable pairs, as R's p.adjust(method = \"holm\")."
)
COMPARISON_CAPTION = (
    "Log-rank test as R's survdiff; hazard ratio (two groups) from a Cox model with Efron ties and a "
    "Wald interval, as R's coxph. With few patients these tests have little power."
)
AT_RISK_CAPTION = (
    "At each tick of the time axis: patients at risk; events and censorings since the previous tick "
    "(N_EVENT, N_CENSOR) and so far (CUM_EVENT, CUM_CENSOR)."
)


def unit_word(unit: str) -> str:
    """Return a time unit as a lower-case word for headings: ``"months"``, ``"days"``.

    Parameters
    ----------
    unit : str
        Any unit :func:`medcare_metrics.survival.normalize_unit` accepts.

    Returns
    -------
    str
        The plural unit in lower case.
    """
    return normalize_unit(unit).lower()


def landmark_label(unit: str) -> str:
    """Return the heading of the landmark column: ``"Landmark (months)"``."""
    return f"Landmark ({unit_word(unit)})"


def landmarks_input_label(unit: str) -> str:
    """Return the label of the landmark times box: ``"Landmarks (months)"``."""
    return f"Landmarks ({unit_word(unit)})"


def unavailable_endpoint(error: str) -> str:
    """Return why an endpoint cannot be shown with the sidebar's filters.

    Parameters
    ----------
    error : str
        The message of :func:`medcare_metrics.survival.time_to_event`'s ValueError, or a whole sentence
        (ending in a full stop, such as :data:`NO_ENDPOINT`) that the filters do not change.

    Returns
    -------
    str
        The message, saying that the filters apply; a whole sentence as it is.
    """
    if error.endswith("."):
        return error
    return f"{error} (with the filters in the sidebar)."


def no_benchmark(paramcd: str, benchmark_endpoints: Sequence[str]) -> str:
    """Return why no historical benchmark can be drawn for ``paramcd``.

    Parameters
    ----------
    paramcd : str
        The endpoint shown.
    benchmark_endpoints : sequence of str
        The endpoints that have one (:func:`medcare_metrics.survival.benchmark_endpoints`).

    Returns
    -------
    str
        One sentence, starting in lower case (it follows "Not available: ").
    """
    if not benchmark_endpoints:
        return f"no historical benchmark for {paramcd}; the study file names none."
    return (
        f"no historical benchmark for {paramcd}; the retrospective series gives medians for "
        f"{' and '.join(benchmark_endpoints)} only."
    )


def benchmark_help(source: str, study_file: str = "built-in") -> str:
    """Return the help of the benchmark switch: where the medians come from and where they are kept."""
    where = "medcare_metrics/study/medcare.toml" if study_file == "built-in" else study_file
    return f"{source}. The values live in the study file ({where}, key benchmarks)."


def benchmark_other_study(studyid: str) -> str:
    """Return why the benchmark is off by default on another study's data.

    Parameters
    ----------
    studyid : str
        The study file's study id (``"MEDCARE"``).

    Returns
    -------
    str
        One sentence.
    """
    return (
        f"The benchmark is the {studyid} historical series; these data are not {studyid} "
        "(ADSL.STUDYID), so it is off by default."
    )


def figure_caption(
    options: KMOptions, show_ci: bool, tail: str, show_benchmark: bool, missing_column: str | None
) -> str:
    """Return the notes under the Kaplan-Meier figure: band, censor ticks, tail, benchmark, missing group.

    Parameters
    ----------
    options : KMOptions
        Options of the curves (the band's interval).
    show_ci : bool
        Whether the pointwise bands are drawn.
    tail : str
        :func:`tail_note` of the figure (empty when the tail is not marked).
    show_benchmark : bool
        Whether the historical benchmark medians are drawn.
    missing_column : str or None
        The grouping column when some patients have no value in it (group "Missing"), else None.

    Returns
    -------
    str
        The notes in one paragraph.
    """
    notes = [
        f"Shaded: pointwise {options.label}." if show_ci else "",
        CENSOR_NOTE,
        tail,
        BENCHMARK_NOTE if show_benchmark else "",
        f"Group {MISSING_GROUP}: patients without a value in {missing_column}." if missing_column else "",
    ]
    return " ".join(n for n in notes if n)


def median_caption(options: KMOptions) -> str:
    """Return the caption of the median table: how the median and its interval are read off the curve."""
    return (
        "Median = the first time the curve reaches 50% (midpoint of a step lying exactly at 50%); "
        "'not reached' = the curve or its confidence band does not fall to 50% within follow-up. "
        f"The median's {options.label}: the times where the pointwise band crosses 50% "
        "(Brookmeyer-Crowley, as R's print(survfit))."
    )


def median_ci_heading(column: str, conf_type: str) -> str:
    """Return the on-screen heading of the median's interval column: ``"95% CI, log"``."""
    return f"{column}, {conf_type}"


def ignored_landmarks(bad: Sequence[str]) -> str:
    """Return the warning on landmark entries that are not times (empty when there are none)."""
    return f"Ignored (not a time): {', '.join(bad)}" if bad else ""


def km_table_caption(unit: str) -> str:
    """Return the caption of the Kaplan-Meier table, times in ``unit``."""
    return (
        f"Every distinct time ({unit_word(unit)}): patients at risk, events, censored, survival, standard "
        "error of log survival (Greenwood) and the pointwise CI, as R's survfit."
    )


# --------------------------------------------------------------------------------------------------
# Statistics for small numbers: exact intervals, permutation p-value, Cox tests, patients left out
# --------------------------------------------------------------------------------------------------

NO_EVENT_CI_NOTE = (
    "Where no event has happened yet (survival 100%), the interval is the exact binomial (Clopper-Pearson) "
    "one over the patients still at risk, as R's binom.test(n, n): the usual intervals would read 100% to "
    "100%."
)
NO_EVENT_BAND_NOTE = (
    "Before a curve's first event, the band is the exact binomial (Clopper-Pearson) interval over the "
    "patients at risk."
)
COX_TESTS_CAPTION = (
    "Three tests of a hazard ratio of 1, as R's summary(coxph) prints them: Wald (coefficient over its "
    "standard error), score (log-rank; Efron's ties, so it can differ slightly from the log-rank test above "
    "when event times are tied) and likelihood ratio. With few events the score and likelihood-ratio tests "
    "are more trustworthy than the Wald test."
)


def small_numbers_note(threshold: int, what: str) -> str:
    """Return the note on the "Small numbers" column of the median or landmark table.

    Parameters
    ----------
    threshold : int
        The small-numbers threshold (empty note below 1).
    what : {"median", "landmark"}
        Which table.

    Returns
    -------
    str
        One sentence.
    """
    if threshold < 1:
        return ""
    rests = (
        "the patients at risk when the curve reaches 50% (the whole group when the median is not reached)"
        if what == "median"
        else "the patients at risk at the landmark"
    )
    return (
        f"'{SMALL_NUMBERS}' marks an estimate resting on fewer than {threshold} patients at risk ({rests}), "
        "as the figure fades its tail."
    )


def landmark_caption(threshold: int) -> str:
    """Return the caption of the landmark table: how it is read, the exact interval, small numbers."""
    notes = (LANDMARK_CAPTION, NO_EVENT_CI_NOTE, small_numbers_note(threshold, "landmark"))
    return " ".join(n for n in notes if n)


def excluded_text(excluded: int, column: str | None) -> str:
    """Return why patients without a grouping value are not in the tests (empty when there are none).

    Parameters
    ----------
    excluded : int
        Patients of group "Missing".
    column : str or None
        The grouping column.

    Returns
    -------
    str
        One or two sentences.
    """
    if excluded < 1:
        return ""
    who = "1 patient" if excluded == 1 else f"{excluded} patients"
    without = f"without a value in {column}" if column else "without a group"
    return (
        f"{who} {without} left out of the tests, as R's survdiff and coxph leave out missing values; "
        f"the curves still show them as group {MISSING_GROUP}."
    )


def permutation_text(result: PermutationResult) -> str:
    """Return the permutation p-value of the log-rank test in one or two sentences.

    Parameters
    ----------
    result : PermutationResult
        :func:`medcare_metrics.survival.comparison.permutation_logrank` output.

    Returns
    -------
    str
        The exact p-value with the number of re-assignments, or the Monte Carlo one with its standard error,
        draws and seed; and why it is shown.
    """
    why = (
        f"Shown because a group has fewer than {SMALL_GROUP} patients, where the chi-square approximation of "
        "the log-rank test is poor."
    )
    if result.exact:
        return (
            f"Exact permutation log-rank test: {_p_phrase(result.p)}, over all {result.n_permutations:,} "
            f"re-assignments of the group labels (group sizes kept). {why}"
        )
    return (
        f"Permutation log-rank test (Monte Carlo): {_p_phrase(result.p)}, Monte Carlo standard error "
        f"{result.mc_error:.4f}, from {result.n_permutations:,} random re-assignments of the group labels "
        f"(group sizes kept; {result.n_possible:,} possible, more than can be enumerated; "
        f"seed {result.seed}). {why}"
    )


def cox_tests(result: CoxResult) -> pd.DataFrame:
    """Return the Wald, score (log-rank) and likelihood-ratio tests of a Cox fit, as ``summary(coxph)``.

    Parameters
    ----------
    result : CoxResult
        :func:`medcare_metrics.survival.cox_hazard_ratio` output.

    Returns
    -------
    pandas.DataFrame
        Columns Test, Chi-square, df, p; "—" where a test does not exist (the Wald test of a ratio that is not
        estimable).
    """
    rows = [
        ("Wald", result.wald_chisq, result.p),
        ("Score (log-rank)", result.score_chisq, result.score_p),
        ("Likelihood ratio", result.lr_chisq, result.lr_p),
    ]
    return pd.DataFrame(
        [
            {
                "Test": name,
                "Chi-square": f"{chisq:.3f}" if np.isfinite(chisq) else "—",
                "df": int(result.df),
                "p": format_p(p),
            }
            for name, chisq, p in rows
        ],
        columns=["Test", "Chi-square", "df", "p"],
    )
