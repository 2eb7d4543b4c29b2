"""Pages on broken sources: every view on every broken source that still loads, and each page on the nastiest.

Fast part (no Streamlit): for each case of tests/broken_sources.py whose load gives a trial, every view of
every page runs with the controls its choices offer; it returns or raises the project's own error
(:class:`~medcare_metrics.errors.MedcareError`), nothing else.

Page part (AppTest, kept to a handful of cases since each run costs about a second): each page on six of the
nastiest sources draws without an exception and says in one sentence what is missing.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest
from broken_sources import NAMES, build
from conftest import in_each_tab, tiny_frames, write_source
from test_properties import app_scope

from medcare_metrics import cuts
from medcare_metrics.errors import DataUnavailable, MedcareError
from medcare_metrics.filters import Filters, filter_options, filterable_columns
from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.views.data_quality import DataQualityControls, data_quality_choices, data_quality_view
from medcare_metrics.views.enrollment import EnrollmentControls, enrollment_choices, enrollment_view
from medcare_metrics.views.lesions import LesionsControls, lesions_choices, lesions_view
from medcare_metrics.views.overview import OverviewControls, overview_choices, overview_view
from medcare_metrics.views.patients import (
    SWIMMER_ORDERS,
    ChangesControls,
    ProfileControls,
    SwimmerControls,
    WaterfallControls,
    changes_view,
    patients_choices,
    profile_view,
    swimmer_view,
    waterfall_view,
)
from medcare_metrics.views.scope import ViewScope
from medcare_metrics.views.survival import UNITS, SurvivalControls, survival_choices, survival_view
from medcare_metrics.views.toxicity import ToxicityControls, toxicity_choices, toxicity_view
from pages.patients import TAB_KEY as PATIENT_TABS_KEY
from pages.patients import TABS as PATIENT_TABS
from pages.toxicity import TAB_KEY as TOXICITY_TABS_KEY

T = TypeVar("T")


def attempt(function: Callable[..., T], *args: Any) -> T | None:
    """Call ``function``; None when it raises the project's own error."""
    try:
        return function(*args)
    except MedcareError:
        return None


#: The parts of :func:`run_every_view` with more controls to try, and the datasets their views read (None:
#: every dataset). A part's other controls add nothing on data its views have already seen.
THOROUGH_PARTS: dict[str, tuple[str, ...] | None] = {
    "patients": None,
    "survival": ("adsl", "adtte"),
    "lesions": ("adsl", "adtu"),
    "toxicity": ("adsl", "adae"),
}


def run_every_view(scope: ViewScope, thorough: Collection[str] = tuple(THOROUGH_PARTS)) -> None:
    """Run every view of every page with the controls its choices offer.

    Parameters
    ----------
    scope : ViewScope
        The view.
    thorough : collection of str, optional
        Parts of :data:`THOROUGH_PARTS` whose other controls run too: each swimmer order ("patients"), each
        time unit and interval of each endpoint and each grouping ("survival"), the other lesion controls
        ("lesions"), a split of the toxicity counts ("toxicity"). Every view runs once with its default
        controls in any case (the cheap part).
    """
    overview = attempt(overview_choices, scope)
    since = None if overview is None or overview.since is None else overview.since.default
    attempt(overview_view, scope, OverviewControls(since))
    attempt(data_quality_choices, scope)
    attempt(data_quality_view, scope, DataQualityControls())
    attempt(enrollment_choices, scope)
    attempt(enrollment_view, scope, EnrollmentControls())
    patients = attempt(patients_choices, scope)
    for _, order in SWIMMER_ORDERS if "patients" in thorough else SWIMMER_ORDERS[:1]:
        attempt(swimmer_view, scope, SwimmerControls(order))
    attempt(waterfall_view, scope, WaterfallControls())
    for usubjid in () if patients is None else patients.ids[:1]:
        attempt(profile_view, scope, ProfileControls(usubjid))
    attempt(changes_view, scope, ChangesControls())
    survival = attempt(survival_choices, scope)
    for code in () if survival is None else survival.codes:
        endpoint = survival.endpoint(code)  # type: ignore[union-attr]
        attempt(survival_view, scope, SurvivalControls(code))
        if "survival" not in thorough:
            continue
        # Each unit and interval once, then each grouping: a Kaplan-Meier fit per call is the cost here.
        for unit, conf_type in zip(UNITS[1:], ("log-log", "plain"), strict=True):
            attempt(survival_view, scope, SurvivalControls(code, unit=unit, conf_type=conf_type))
        for by in endpoint.columns:
            attempt(survival_view, scope, SurvivalControls(code, by=by, pairwise=True))
    attempt(lesions_choices, scope)
    attempt(lesions_view, scope, LesionsControls())
    toxicity = attempt(toxicity_choices, scope)
    attempt(toxicity_view, scope, ToxicityControls())
    if "lesions" in thorough:
        lesions = LesionsControls(basis="conventional", site_level="site", site_stack="patient")
        attempt(lesions_view, scope, lesions)
    if "toxicity" in thorough:
        split = "None" if toxicity is None else toxicity.splits[-1]
        controls = ToxicityControls(split=split, value="N", teae_only=False, acute_window_days=0)
        attempt(toxicity_view, scope, controls)


def _digest(trial: TrialData, names: tuple[str, ...] | None = None) -> str:
    """A hash of the columns and values of the datasets ``names`` (None: every dataset of the trial)."""
    digest = hashlib.sha256()
    for name in trial.available if names is None else names:
        frame = trial.dataset(name)
        if frame is None:
            digest.update(f"{name}: absent".encode())
            continue
        digest.update(f"{name}:{list(frame.columns)}:{list(frame.dtypes.astype(str))}".encode())
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


#: Contents (whole trials, and the datasets of each thorough part) whose views already ran in this process
#: (each xdist worker keeps its own; with ``--dist worksteal`` the cases mostly run on one worker).
_SEEN: set[str] = set()


def _scopes(full: TrialData, problems: pd.DataFrame) -> list[ViewScope]:
    """Return the scopes of a trial: as the app builds it, and replayed half-way to the cut-off and filtered.

    The plain scope (:meth:`ViewScope.of`) and each on its own are left to tests/test_properties.py: a
    scope costs about a third of a second here, times every case.
    """
    scopes = [app_scope(full, problems, Filters(), None)]
    cut = cuts.data_cutoff(full) or cuts.latest_date(full)
    first = pd.to_datetime(full.adsl.get("SCRNDT", pd.Series(dtype=object)), errors="coerce").min()
    halfway = (
        (first + (cut - first) / 2).date() if cut is not None and pd.notna(first) and first < cut else None
    )
    centre = filter_options(full.adsl, "SITEID")[:1] if "SITEID" in filterable_columns(full.adsl) else ()
    if halfway is not None or centre:
        scopes.append(app_scope(full, problems, Filters.from_mapping({"SITEID": centre}), halfway))
    return scopes


def _new_parts(scope: ViewScope) -> list[str]:
    """The thorough parts whose datasets (and dates) this process has not run yet; marks them as run."""
    new = []
    for part, names in THOROUGH_PARTS.items():
        key = f"{part}:{scope.as_of}:{scope.cutoff}:{_digest(scope.trial, names)}"
        if key not in _SEEN:
            _SEEN.add(key)
            new.append(part)
    return new


@pytest.mark.parametrize("name", NAMES)
def test_every_view_on_a_broken_source_that_loads(name: str, tmp_path: Path) -> None:
    case = build(name, tmp_path)
    try:
        result = load_trial(case.path, case.limits)
    except FileNotFoundError:  # the documented error of a path that does not exist: no trial to view
        return
    if result.trial is None:
        return
    content = _digest(result.trial)
    if content in _SEEN:  # the same data as a case already run here (an encoding or container variant)
        return
    _SEEN.add(content)
    # Every view on each scope with its default controls; the other controls where their data are new.
    for i, scope in enumerate(_scopes(result.trial, result.problems)):
        run_every_view(scope, thorough=_new_parts(scope) if i == 0 else ())


# --- pages (AppTest) -------------------------------------------------------------------------------------

PAGES: tuple[str, ...] = (
    "overview",
    "enrollment",
    "patients",
    "survival",
    "lesions",
    "toxicity",
    "data_quality",
)


def _blank(frame: pd.DataFrame, columns: tuple[str, ...], rows: slice = slice(None)) -> pd.DataFrame:
    out = frame.astype({c: object for c in columns})
    out.loc[rows, list(columns)] = ""
    return out


def _nasty_source(name: str, tmp_path: Path) -> Path:
    """Build one of the six nastiest sources: from the broken-source builder, or from the tiny frames."""
    if name in ("header_only_adsl", "header_only_adtte"):
        return build(name, tmp_path).path
    frames = tiny_frames()
    adsl, adtte, adae = frames["adsl"], frames["adtte"], frames["adae"]
    if name == "no_enrolled_patient":
        frames["adsl"] = _blank(adsl, ("ENRLDT",)).assign(ENRLFL="N")
    elif name == "required_adsl_blank":
        frames["adsl"] = _blank(adsl, ("STUDYID", "USUBJID", "SITEID"))
    elif name == "aval_inf_nan":
        adtte = adtte.astype({"AVAL": object})
        adtte.loc[0, "AVAL"], adtte.loc[2, "AVAL"] = "inf", "NaN"
        frames["adtte"] = adtte
    elif name == "dates_9999_0001":
        adsl = adsl.copy()
        adsl.loc[0, "SCRNDT"], adsl.loc[1, "TRTSDT"] = "0001-01-01", "9999-12-31"
        frames["adsl"] = adsl
        frames["adtte"] = adtte.assign(ADT=["0001-01-01", *adtte["ADT"][1:]])
        frames["adae"] = adae.assign(ASTDT=[adae["ASTDT"][0], "9999-12-31", *adae["ASTDT"][2:]])
    else:
        raise ValueError(f"unknown case {name!r}")
    return write_source(tmp_path / name, **frames)


NASTY: tuple[str, ...] = (
    "header_only_adsl",
    "header_only_adtte",
    "no_enrolled_patient",
    "required_adsl_blank",
    "aval_inf_nan",
    "dates_9999_0001",
)


def shown_text(at: object) -> str:
    """Return every sentence the page shows: markdown, captions, notices, metrics and tables."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]  # type: ignore[attr-defined]
    parts += [frame.value.to_string() for frame in at.dataframe]  # type: ignore[attr-defined]
    return "\n".join(parts)


_ADTTE_ROWS_LEFT_OUT = "**ADTTE** (adtte.csv): 2 errors; rows with errors are left out"
_ADSL_DATES_SET_MISSING = "**ADSL** (adsl.csv): 2 warnings; those values are set missing"

#: What each page must say on each case: the sentence naming what is missing, or (where the page does not use
#: the broken part) a number it still shows.
EXPECTED: dict[str, dict[str, str]] = {
    "header_only_adsl": {
        "overview": "Screened: 0",
        "enrollment": "No subject in the selection (ADSL has no row for it)",
        "patients": "No enrolled patient to show.",
        "survival": "has no ADTTE",
        "lesions": "has no ADTU",
        "toxicity": "has no ADAE",
        "data_quality": "ADSL has no rows: no subject to check other datasets against",
    },
    "header_only_adtte": {
        "overview": "Not available: ADTTE has no NESTFS (NEST-free survival) records.",
        "enrollment": "Not available: ADTTE has no NEST-free survival (NESTFS) rows.",
        "patients": "Not available: ADTTE has no PARAMCD NESTFS.",
        "survival": "Not available: ADTTE has no rows, so there is no endpoint",
        "lesions": "has no ADTU",
        "toxicity": "**2 of 4 patients** (50.0%) in the safety population",
        "data_quality": "ADTTE has no rows (a header only)",
    },
    "no_enrolled_patient": {
        "overview": "Enrolled: 0 of 18",
        "enrollment": "No enrolled patient in the selection",
        "patients": "No enrolled patient to show.",
        # ADTTE as delivered (rows of subjects not enrolled): a curve is drawn, the header counts 0 enrolled.
        "survival": "**0 of 0 patients**",
        "lesions": "has no ADTU",
        "toxicity": "Not available: ADAE has no AEREL column",
        "data_quality": "No enrolled patient breaks a checked rule",
    },
    "required_adsl_blank": {
        "overview": "Screened: 0",
        "enrollment": "No subject in the selection (ADSL has no row for it)",
        "patients": "No enrolled patient to show.",
        "survival": "has no ADTTE",
        "lesions": "has no ADTU",
        "toxicity": "has no ADAE",
        "data_quality": "USUBJID is missing but required; row excluded",
    },
    "aval_inf_nan": {
        "overview": _ADTTE_ROWS_LEFT_OUT,
        "enrollment": _ADTTE_ROWS_LEFT_OUT,
        "patients": _ADTTE_ROWS_LEFT_OUT,
        "survival": _ADTTE_ROWS_LEFT_OUT,
        "lesions": "has no ADTU",
        "toxicity": "**2 of 4 patients** (50.0%) in the safety population",
        "data_quality": "AVAL inf is longer than 100 years",
    },
    "dates_9999_0001": {
        "overview": _ADSL_DATES_SET_MISSING,
        "enrollment": _ADSL_DATES_SET_MISSING,
        "patients": _ADSL_DATES_SET_MISSING,
        "survival": "**ADTTE** (adtte.csv): 1 warning; those values are set missing",
        "lesions": _ADSL_DATES_SET_MISSING,
        "toxicity": "**ADAE** (adae.csv): 1 warning; those values are set missing",
        "data_quality": "ASTDT '9999-12-31' is outside the dates that can be held",
    },
}


def test_expectations_cover_every_page_and_case() -> None:
    assert set(EXPECTED) == set(NASTY)
    assert all(set(pages) == set(PAGES) for pages in EXPECTED.values())


@pytest.mark.parametrize("case", NASTY)
def test_pages_on_the_nastiest_sources(case: str, tmp_path: Path, app: Callable[..., Any]) -> None:
    # One source per case, every page on it: the pages' runs cost about a second each, a rebuild nothing.
    source = _nasty_source(case, tmp_path)
    for page in PAGES:
        at = app(f"pages/{page}.py", data=source)
        at.run()
        assert not at.exception, f"{case} / {page}: {[e.value for e in at.exception]}"
        shown = shown_text(at)
        if page in TAB_KEYS and at.tabs:  # the page draws only the open tab: every tab, in turn
            labels = [tab.label for tab in at.tabs]
            shown = "\n".join([shown, *in_each_tab(at, TAB_KEYS[page], labels, shown_text)])
        assert EXPECTED[case][page] in shown, f"{case} / {page}"


#: Session-state key of the tab group of pages that draw only their open tab.
TAB_KEYS: dict[str, str] = {"patients": PATIENT_TABS_KEY, "toxicity": TOXICITY_TABS_KEY}


#: The view each page draws most of, by page.
MAIN_VIEWS: dict[str, str] = {
    "overview": "overview_view",
    "enrollment": "enrollment_view",
    "patients": "swimmer_view",
    "survival": "survival_view",
    "lesions": "lesions_view",
    "toxicity": "toxicity_view",
    "data_quality": "data_checks",
}
UNAVAILABLE = "ADXX lacks what this measure needs"


def unavailable_view(*args: object) -> object:
    """Stand in for a view whose data cannot give the measure (module level: the page cache keys by name)."""
    raise DataUnavailable(UNAVAILABLE)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_says_what_its_view_cannot_compute(
    page: str, tiny_source: Path, app: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page imports its view at each run, so the stand-in is what it calls.
    monkeypatch.setattr(
        importlib.import_module(f"medcare_metrics.views.{page}"), MAIN_VIEWS[page], unavailable_view
    )
    at = app(f"pages/{page}.py", data=tiny_source)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Not available: {UNAVAILABLE}" in shown_text(at)
    if page == "patients":  # the other tabs keep working
        texts = in_each_tab(at, PATIENT_TABS_KEY, PATIENT_TABS, shown_text)
        assert not any("Not available: the data hold no date" in t for t in texts)
        in_each_tab(at, PATIENT_TABS_KEY, ["Patient profile"], shown_text)
        assert at.selectbox(key="patient").value == "T-01"
