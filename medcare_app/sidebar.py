"""The shared sidebar: which data cut is shown, subject filters, the "as of" date and the trial settings.

Widget values live in ``st.session_state`` (so they persist across pages) and are mirrored into the URL query
parameters after every run (so a copied link opens the same view). A new session reads them back from the URL:
``?SITEID=01&MDTTYPE=SBRT&asof=2024-06-30&target=24``. Filter parameters are ADSL column names (upper case)
and values are :func:`medcare_metrics.filters.value_key` text; the as-of date is ``asof`` (absent = the
cut-off); the target enrollment is ``target`` and the planned accrual period ``accrual`` (months), each
absent when it is the value of the loaded source's study file (:meth:`TrialSettings.from_study`).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from medcare_app import cache
from medcare_app.auth import OPEN_ACCESS, SignedIn, sign_out
from medcare_app.context import DataSource, PageContext, data_path_help, is_example
from medcare_app.report_button import render_report_button
from medcare_app.room import apply_style, render_presentation_toggle
from medcare_app.ui import plural, table
from medcare_app.upload import render_upload
from medcare_metrics.filters import (
    STANDARD_FILTERS,
    Filters,
    describe_filters,
)
from medcare_metrics.loading import LoadResult
from medcare_metrics.protocol import (
    DEFAULT_SETTINGS,
    PLANNED_ACCRUAL_MONTHS_BOUNDS,
    TARGET_ENROLLMENT_BOUNDS,
    TrialSettings,
)
from medcare_metrics.study import StudyDefinition
from medcare_metrics.text.common import escape_markdown
from medcare_metrics.text.labels import VARIABLE_LABELS, added_filter_label, option_label, variable_label
from medcare_metrics.views.sidebar import CUTOFF, SourceFacts, ViewCounts

#: Query parameter holding the as-of date (ISO); absent means the cut-off.
AS_OF_PARAM = "asof"
#: Session-state key of the as-of date widget.
AS_OF_KEY = "medcare_as_of"
#: Query parameter and session-state key of the target enrollment (a trial setting).
TARGET_PARAM = "target"
TARGET_KEY = "medcare_target_enrollment"
#: Query parameter and session-state key of the planned accrual period in months (a trial setting).
ACCRUAL_PARAM = "accrual"
ACCRUAL_KEY = "medcare_planned_accrual_months"
#: Session-state key of the study defaults the trial settings were started from (a new study restarts them).
SETTINGS_DEFAULTS_KEY = "medcare_settings_defaults"
#: Session-state key of the "Edit trial settings" tick box: the settings are locked until it is ticked.
SETTINGS_EDIT_KEY = "medcare_edit_settings"
#: Shown while a source is read for the first time (a cold cache), instead of an empty page.
READING_TEXT = "Reading the data..."
#: Key of the "Clear filters" button.
CLEAR_KEY = "medcare_clear_filters"
#: Session-state key of the "add a filter" widget.
EXTRA_KEY = "medcare_filter_columns"
#: Session-state key of the figure download format choice.
DOWNLOAD_FORMAT_KEY = "medcare_download_format"
#: Choices of the figure download format: label -> plotly format.
DOWNLOAD_FORMATS: dict[str, str] = {"PNG": "png", "SVG": "svg"}
#: Key of the "Sign out" button.
SIGN_OUT_KEY = "medcare_sign_out"
#: The sidebar's line when no sign-in is configured.
OPEN_ACCESS_TEXT = "Open access: no sign-in configured"
#: What a failure to read a source was, in words, by exception type (most specific first). The exception's
#: own text is never shown: a reader's message can quote a cell of the data.
READ_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (PermissionError, "the app may not read it (permission denied)"),
    (IsADirectoryError, "a folder was found where a file was expected"),
    (NotADirectoryError, "a file was found where a folder was expected"),
    (zipfile.BadZipFile, "it is not a valid zip file or Excel workbook"),
    (UnicodeError, "a file is not in a text encoding the reader understands"),
    (MemoryError, "it is too large to read into memory"),
    (ValueError, "a file's content could not be parsed"),
    (OSError, "the file system reported an error while reading it"),
)


def _label(labels: Mapping[str, str], counts: Mapping[str, int], value: str) -> str:
    """Return a filter value as listed: its name (a centre's for its SITEID) and its enrolled patients.

    Only the text changes (``format_func``): the stored value, and so the address, stays the raw value.
    """
    return option_label(labels.get(value, value), counts.get(value, 0))


def filter_key(column: str) -> str:
    """Return the session-state key of the filter widget of ``column``."""
    return f"medcare_filter_{column}"


def _stop_with_error(message: str, problems: pd.DataFrame | None = None) -> None:
    """Show why no trial can be shown, in the main area, and end the script run."""
    st.title("No trial to show")
    st.error(message, icon=":material/error:")
    if problems is not None and not problems.empty:
        table(
            None,
            problems,
            hide_index=True,
            column_order=["dataset", "file", "row", "USUBJID", "column", "check", "problem"],
            column_config={"problem": st.column_config.TextColumn("problem", width="large")},
        )
    st.markdown(data_path_help())
    st.stop()


def _load(source: DataSource) -> tuple[LoadResult, str]:
    try:
        fingerprint = cache.source_fingerprint(source.path)
        result = cache.load(source.path, fingerprint)
    except FileNotFoundError:
        _stop_with_error(f"Data source not found: `{source.path}` (from {source.origin}).")
        raise  # unreachable: st.stop() raises
    except Exception as exc:  # any reader failure must reach the user as a message
        # The server log gets the type only, as the screen does: the message can carry data values.
        logging.getLogger(__name__).warning(
            "data source from %s could not be read: %s", source.origin, type(exc).__name__
        )
        _stop_with_error(f"Could not read the data source `{source.path}`: {read_failure_text(exc)}.")
        raise
    if result.trial is None:
        adsl_problems = result.problems.loc[result.problems["dataset"].astype(str).str.upper().eq("ADSL")]
        shown = adsl_problems if not adsl_problems.empty else result.problems
        first = [_problem_line(row) for row in shown.head(3).itertuples(index=False)]
        more = f"\n\n{len(shown) - 3} more below." if len(shown) > 3 else ""
        _stop_with_error(
            f"The subject-level dataset (ADSL) of `{source.path}` could not be loaded, so no trial can be "
            "shown:\n\n" + "\n".join(f"- {line}" for line in first) + more,
            shown,
        )
    return result, fingerprint


def read_failure_text(exc: BaseException) -> str:
    """Say what kind of failure ``exc`` is, without its message (which can quote data values).

    Parameters
    ----------
    exc : BaseException
        What reading the source raised.

    Returns
    -------
    str
        E.g. ``"a file's content could not be parsed (ParserError)"``.
    """
    kind = next((text for base, text in READ_FAILURES if isinstance(exc, base)), "the reader failed")
    return f"{kind} ({type(exc).__name__})"


def _problem_line(problem: object) -> str:
    """Return one problem as ``file, row N, column C: text``."""
    where = [str(problem.file)]  # type: ignore[attr-defined]
    if not pd.isna(problem.row):  # type: ignore[attr-defined]
        where.append(f"row {problem.row}")  # type: ignore[attr-defined]
    if isinstance(problem.column, str) and problem.column:  # type: ignore[attr-defined]
        where.append(f"column {problem.column}")  # type: ignore[attr-defined]
    return f"{', '.join(where)}: {problem.problem}"  # type: ignore[attr-defined]


def _seed_from_url(key: str, values: list[str], options: tuple[str, ...] | list[str]) -> None:
    """Give a widget its first value from the URL, and drop stored values the options no longer hold."""
    if key not in st.session_state:
        st.session_state[key] = [v for v in values if v in options]
    else:
        current = st.session_state[key]
        kept = [v for v in current if v in options]
        if kept != current:
            st.session_state[key] = kept


def _clear_filters(columns: tuple[str, ...]) -> None:
    for column in columns:
        if filter_key(column) in st.session_state:
            st.session_state[filter_key(column)] = []
    st.session_state[EXTRA_KEY] = []


def _filters_from_url(facts: SourceFacts) -> Filters:
    """Return the filters the address holds (presentation mode draws no filter widgets)."""
    params = st.query_params
    selected = {
        column: [v for v in params.get_all(column) if v in facts.options[column]]
        for column in facts.columns
        if column in params
    }
    return Filters.from_mapping(selected)


def _render_filters(facts: SourceFacts, counts: Callable[[str], ViewCounts]) -> Filters:
    """Draw the filters on the source's columns; each value shows its enrolled patients, ``counts(column)``.

    The counts are those of the unfiltered trial as of the view's date, worked out for the columns drawn.
    """
    columns = facts.columns
    names = facts.labels
    params = st.query_params
    st.subheader("Filters")
    standard = [c for c in STANDARD_FILTERS if c in columns]
    others = [c for c in columns if c not in STANDARD_FILTERS]
    _seed_from_url(EXTRA_KEY, [c for c in params if c in others], others)
    selected: dict[str, list[str]] = {}
    for column in standard:
        options = facts.options[column]
        _seed_from_url(filter_key(column), params.get_all(column), options)
        selected[column] = st.multiselect(
            variable_label(column),
            options,
            format_func=partial(_label, names.get(column, {}), counts(column).per_value[column]),
            key=filter_key(column),
            placeholder="All",
        )
    extra = st.multiselect(
        "Add a filter",
        others,
        format_func=added_filter_label,
        key=EXTRA_KEY,
        placeholder="Another ADSL column",
        help="Filter on any other ADSL column with few distinct values.",
    )
    for column in extra:
        options = facts.options[column]
        _seed_from_url(filter_key(column), params.get_all(column), options)
        selected[column] = st.multiselect(
            variable_label(column),
            options,
            format_func=partial(_label, names.get(column, {}), counts(column).per_value[column]),
            key=filter_key(column),
            placeholder="All",
        )
    filters = Filters.from_mapping(selected)
    st.button(
        "Clear filters",
        on_click=_clear_filters,
        args=(columns,),
        disabled=not filters,
        icon=":material/filter_alt_off:",
        key=CLEAR_KEY,
    )
    return filters


def _as_of_from_url(first_day: date | None, cutoff: date) -> date:
    """Return the as-of date the address holds, within the data's dates; the cut-off when it holds none."""
    wanted = cutoff
    text = st.query_params.get(AS_OF_PARAM)
    if text:
        try:
            wanted = pd.Timestamp(text).date()
        except ValueError:
            wanted = cutoff
    if first_day is not None:
        wanted = max(wanted, first_day)
    return min(wanted, cutoff)


def _render_as_of(facts: SourceFacts, presenting: bool = False) -> date | None:
    """Draw the as-of date (not when ``presenting``: the address's); return it, or None at the cut-off."""
    cutoff = facts.cutoff
    if cutoff is None:
        return None
    first_day = facts.first_day
    if presenting:
        chosen_url = _as_of_from_url(first_day, cutoff)
        return None if chosen_url >= cutoff else chosen_url
    if AS_OF_KEY not in st.session_state:
        st.session_state[AS_OF_KEY] = _as_of_from_url(first_day, cutoff)
    chosen = st.date_input(
        "As of",
        min_value=first_day,
        max_value=cutoff,
        key=AS_OF_KEY,
        format="YYYY-MM-DD",
        help="Replay the trial as it stood on this date: later enrollments, events and AEs are hidden and "
        "later events are censored at the date. Default: the data cut-off.",
    )
    if not isinstance(chosen, date) or chosen >= cutoff:
        return None
    return chosen


def _url_number(param: str, default: float | None, integer: bool) -> float | None:
    """Return the number in query parameter ``param``; ``default`` when absent, unreadable or out of bounds.

    The bounds are the protocol's, as the sidebar inputs': ``TARGET_ENROLLMENT_BOUNDS`` for ``target``,
    ``PLANNED_ACCRUAL_MONTHS_BOUNDS`` for ``accrual``.
    """
    low, high = {TARGET_PARAM: TARGET_ENROLLMENT_BOUNDS, ACCRUAL_PARAM: PLANNED_ACCRUAL_MONTHS_BOUNDS}.get(
        param, (1, float("inf"))
    )
    text = st.query_params.get(param)
    if not text and default is None:
        return None  # the study names no value and the address none either
    try:
        value = float(text) if text else float(default)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        return default
    # NaN and infinity fail the bounds test; a fractional patient count is nonsense.
    if not low <= value <= high or (integer and not value.is_integer()):
        return default
    return int(value) if integer else value


def _settings_from_url(defaults: TrialSettings) -> TrialSettings:
    """Return the trial settings the address holds (presentation mode draws no settings)."""
    target = _url_number(TARGET_PARAM, defaults.target_enrollment, True)
    months = _url_number(ACCRUAL_PARAM, defaults.planned_accrual_months, False)
    return replace(
        defaults,
        target_enrollment=None if target is None else int(target),
        planned_accrual_months=None if months is None else float(months),
    )


def _render_settings(defaults: TrialSettings = DEFAULT_SETTINGS) -> TrialSettings:
    """Draw the shared trial settings (target enrollment, planned accrual); return the settings they give.

    ``defaults`` are the loaded source's study file's (:meth:`TrialSettings.from_study`): the inputs start
    from them (or from the address), and start again from them when another study is loaded. An empty
    input is no value: a study without a target shows counts without "of N".
    """
    marker = (defaults.target_enrollment, defaults.planned_accrual_months)
    if st.session_state.get(SETTINGS_DEFAULTS_KEY, marker) != marker:
        # Another study (an upload, a changed study file): its own values, not the previous study's.
        st.session_state.pop(TARGET_KEY, None)
        st.session_state.pop(ACCRUAL_KEY, None)
    st.session_state[SETTINGS_DEFAULTS_KEY] = marker
    if TARGET_KEY not in st.session_state:
        target = _url_number(TARGET_PARAM, defaults.target_enrollment, True)
        st.session_state[TARGET_KEY] = None if target is None else int(target)
    if ACCRUAL_KEY not in st.session_state:
        months = _url_number(ACCRUAL_PARAM, defaults.planned_accrual_months, False)
        st.session_state[ACCRUAL_KEY] = None if months is None else float(months)
    target_default = "none" if defaults.target_enrollment is None else f"{defaults.target_enrollment}"
    months_default = (
        "none" if defaults.planned_accrual_months is None else f"{defaults.planned_accrual_months:g} months"
    )
    # Shown openly (no expander): a changed target must stay visible on every page it alters. Locked until
    # ticked, so a stray click or scroll does not change the target every page measures against.
    st.subheader("Trial settings")
    editing = st.checkbox(
        "Edit trial settings",
        key=SETTINGS_EDIT_KEY,
        help="The settings start from the study file. Tick to change them; a changed setting shows as a "
        "banner on every page.",
    )
    target = st.number_input(
        "Target enrollment (patients)",
        min_value=TARGET_ENROLLMENT_BOUNDS[0],
        max_value=TARGET_ENROLLMENT_BOUNDS[1],
        step=1,
        key=TARGET_KEY,
        disabled=not editing,
        help=f"Study file default: {target_default}. Used by every page (Overview, Enrollment); empty: "
        "no target.",
    )
    months = st.number_input(
        "Planned accrual period (months)",
        min_value=float(PLANNED_ACCRUAL_MONTHS_BOUNDS[0]),
        max_value=float(PLANNED_ACCRUAL_MONTHS_BOUNDS[1]),
        step=1.0,
        key=ACCRUAL_KEY,
        disabled=not editing,
        help=f"Study file default: {months_default}, counted from the first consent or screening; empty: "
        "no planned period.",
    )
    return replace(
        defaults,
        target_enrollment=None if target is None else int(target),
        planned_accrual_months=None if months is None else float(months),
    )


def _sync_url(
    filters: Filters,
    columns: tuple[str, ...],
    as_of: date | None,
    settings: TrialSettings = DEFAULT_SETTINGS,
    defaults: TrialSettings = DEFAULT_SETTINGS,
) -> None:
    """Write filters, as-of date and changed settings into the URL, leaving other pages' parameters alone.

    A setting equal to the study file's (``defaults``) stays out of the address.
    """
    params = st.query_params
    wanted = filters.to_query_params()
    for column in columns:
        if column in wanted:
            if params.get_all(column) != wanted[column]:
                params[column] = wanted[column]
        elif column in params:
            del params[column]
    if as_of is None:
        if AS_OF_PARAM in params:
            del params[AS_OF_PARAM]
    elif params.get(AS_OF_PARAM) != as_of.isoformat():
        params[AS_OF_PARAM] = as_of.isoformat()
    for param, value, default in (
        (TARGET_PARAM, settings.target_enrollment, defaults.target_enrollment),
        (ACCRUAL_PARAM, settings.planned_accrual_months, defaults.planned_accrual_months),
    ):
        if value == default or value is None:
            if param in params:
                del params[param]
        elif params.get(param) != f"{value:g}":
            params[param] = f"{value:g}"


def study_text(study: StudyDefinition) -> str:
    """Return where the study definition comes from, in words (Markdown-escaped file path)."""
    if study.neutral:
        return f"none for {escape_markdown(study.study_id)}: labels from the data, no target, no benchmark"
    where = "built in" if study.source == "built-in" else escape_markdown(study.source)
    return f"{escape_markdown(study.study_id)} ({where})"


def _render_download_format() -> str:
    """Draw the figure download format choice; return the plotly format (``"png"`` or ``"svg"``)."""
    label = st.radio(
        "Figure download format",
        list(DOWNLOAD_FORMATS),
        key=DOWNLOAD_FORMAT_KEY,
        horizontal=True,
        help="What the camera button in a figure's toolbar saves: PNG (picture, for slides) or SVG "
        "(vector, for reports and publications).",
    )
    return DOWNLOAD_FORMATS.get(str(label), "png")


def _render_access(user: SignedIn) -> None:
    """Say who is signed in, with a sign-out button, or that the app runs open."""
    if user.is_open:
        st.caption(f":material/lock_open: {OPEN_ACCESS_TEXT}")
        return
    st.caption(f":material/lock: Signed in as **{escape_markdown(user.name)}** ({user.role_text})")
    st.button("Sign out", on_click=sign_out, args=(user,), icon=":material/logout:", key=SIGN_OUT_KEY)


def render_sidebar(
    source: DataSource, page_datasets: tuple[str, ...] = (), user: SignedIn = OPEN_ACCESS
) -> PageContext:
    """Load ``source`` (cached), draw the sidebar and return the page context.

    Parameters
    ----------
    source : DataSource
        Where the data come from.
    page_datasets : tuple of str, optional
        Datasets the page draws on (see :attr:`PageContext.page_datasets`).
    user : SignedIn, optional
        Who is signed in (:func:`medcare_app.auth.require_sign_in`); default open access.

    Returns
    -------
    PageContext
        What the page shows. Stops the script run with an error message when the data cannot be shown.
    """
    # This session's upload, if any, replaces the configured source (drawn first: a broken one can be left).
    source = render_upload(source)
    # Loaded outside the sidebar so that an error message and its problems table get the main area's width.
    # A cold source can take seconds: say so rather than show an empty page.
    with st.spinner(READING_TEXT):
        result, fingerprint = _load(source)
    with st.sidebar:
        presenting = render_presentation_toggle()
        _render_access(user)
        full = result.trial
        assert full is not None  # _load stops the run otherwise
        # Dates and filter choices of the data cut, worked out once (every click reruns the sidebar).
        facts = cache.sidebar_facts(source.path, fingerprint)
        cutoff, cutoff_label = facts.cutoff, facts.cutoff_label

        name = "Example trial (synthetic)" if is_example(source.path) else (full.name or source.path)
        cut_label = "Data cut-off" if cutoff_label == CUTOFF else "Latest date (no DCUTDT)"
        when = cutoff.isoformat() if cutoff else "unknown"
        st.markdown(
            f"**{escape_markdown(name)}**  \n{cut_label}: **{when}**  \nFingerprint: `{fingerprint}`",
            help=f"Source: {escape_markdown(source.path)}. The fingerprint is a hash of the files: the same "
            f"fingerprint means the same data cut. Study definition: {study_text(full.study)}.",
        )
        if result.n_errors or result.n_warnings:
            st.caption(
                f"{plural(result.n_errors, 'validation error')}, {plural(result.n_warnings, 'warning')}: "
                "see the Data quality page."
            )
        as_of = _render_as_of(facts, presenting)
        defaults = TrialSettings.from_study(full.study)
        if presenting:
            # No editing widgets on a projector: the view is the address's, which every run keeps in step.
            filters = _filters_from_url(facts)
            settings = _settings_from_url(defaults)
            download_format = DOWNLOAD_FORMATS.get(str(st.session_state.get(DOWNLOAD_FORMAT_KEY)), "png")
        else:
            st.divider()
            filters = _render_filters(
                facts,
                lambda column: cache.enrolled_counts(source.path, fingerprint, Filters(), as_of, (column,)),
            )
            st.divider()
            settings = _render_settings(defaults)
            _sync_url(filters, facts.columns, as_of, settings, defaults)
            st.divider()
            download_format = _render_download_format()

    apply_style(presenting)
    trial = cache.view(source.path, fingerprint, filters, as_of)
    assert trial is not None
    ctx = PageContext(
        trial=trial,
        full=full,
        problems=result.problems,
        settings=settings,
        filters=filters,
        # Centre names and other values come from the data: escaped, since the header is Markdown.
        filter_text=describe_filters(
            filters, VARIABLE_LABELS, value_labels=facts.labels, value_format=escape_markdown
        ),
        n_selected=cache.enrolled_counts(source.path, fingerprint, filters, as_of).enrolled,
        n_total=cache.enrolled_counts(source.path, fingerprint, Filters(), as_of).enrolled,
        filter_labels=facts.labels,
        as_of=as_of if as_of is not None else cutoff,
        cutoff=cutoff,
        cutoff_label=cutoff_label,
        source=source.path,
        source_name=full.name or Path(source.path).name,
        fingerprint=fingerprint,
        download_format=download_format,
        page_datasets=page_datasets,
        role=user.role,
        presenting=presenting,
    )
    render_report_button(ctx)  # the meeting report of this view, built on request
    return ctx
