"""Property-based tests: small random trials through loading and every view, without Streamlit.

A strategy builds a small MEDCARE source (0-12 subjects) with random gaps, ties, empty groups and odd values:
ADSL with random ENRLFL, centres, MDT types and dates (missing and tied ones included), ADTTE rows for a
random subset of subjects and endpoints (AVAL 0 and ties, CNSR 0/1, days and months), ADAE with grades 1-5 or
missing and TRTEMFL Y/N/missing, ADTU lesions and ADLB PSA values, optional datasets and columns absent at
random. It is written as CSV and loaded with :func:`load_trial` (validation runs, as in the app); then every
view of every page runs on three scopes (as loaded, replayed at a random date, filtered) with controls taken
from the view's own choices and varied (endpoint, grouping, unit, interval, split, ...).

The property: a view returns, or raises :class:`~medcare_metrics.errors.MedcareError` (the data cannot give
the measure); never any other exception. Examples are derandomized so that CI is reproducible.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from conftest import write_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcare_metrics import cuts
from medcare_metrics.errors import MedcareError
from medcare_metrics.filters import Filters, apply_filters, filter_options, filterable_columns
from medcare_metrics.loading import load_trial
from medcare_metrics.model import TrialData
from medcare_metrics.protocol import DEFAULT_SETTINGS, TrialSettings
from medcare_metrics.views.data_quality import (
    PROBLEM_FILTER_COLUMNS,
    DataQualityControls,
    data_quality_choices,
    data_quality_view,
)
from medcare_metrics.views.enrollment import EnrollmentControls, enrollment_choices, enrollment_view
from medcare_metrics.views.lesions import (
    BASES,
    MAP_ORDERS,
    SITE_LEVELS,
    SITE_STACKS,
    LesionsControls,
    lesions_choices,
    lesions_view,
)
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
from medcare_metrics.views.toxicity import VALUES, ToxicityControls, toxicity_choices, toxicity_view

T = TypeVar("T")

#: Day 0 of every generated date.
BASE = date(2022, 1, 1)
#: Days after :data:`BASE` drawn often, so that dates tie across subjects and datasets.
TIED_DAYS = (0, 30, 100, 365, 400)
CENTRES = (("01", "UZ Leuven"), ("02", "UZ Gent"), ("03", "AZ Groeninge"))
MDT_TYPES = ("SBRT", "Surgery", "SBRT + surgery", "")
#: ADSL columns a source may lack (the required ones, STUDYID, USUBJID and SITEID, are always there).
OPTIONAL_ADSL = (
    "SITENAME",
    "SCRNDT",
    "ENRLFL",
    "ENRLDT",
    "TRTSDT",
    "MDTTYPE",
    "EOSSTT",
    "DTHFL",
    "DTHDT",
    "NLES",
    "AGE",
    "SYSTHER",
    "SAFFL",
    "ITTFL",
    "PSMAFL",
    "SCRFCRIT",
    "EOSDT",
    "LSTALVDT",
    "DCUTDT",
)
TERMS = (
    ("Fatigue", "General disorders and administration site conditions"),
    ("Diarrhea", "Gastrointestinal disorders"),
    ("Proctitis", "Gastrointestinal disorders"),
    ("Made-up term", "Renal and urinary disorders"),
)
SITES = (
    ("Rib", "Bone"),
    ("Pelvic lymph node", "Lymph node"),
    ("Prostate bed", "Local recurrence"),
    ("Liver", "Visceral"),
)
MDT_LESIONS = ("SBRT", "Conventional RT", "Metastasectomy", "None", "")
#: Examples per test: 12 (60 random sources over the five tests, each example loading its own) keeps the suite
#: under its five minutes; MEDCARE_PROPERTY_EXAMPLES=500 searches further (derandomized: the same number
#: of examples gives the same examples in CI and here).
EXAMPLES = int(os.environ.get("MEDCARE_PROPERTY_EXAMPLES", "12"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def _iso(days: int | None) -> str:
    return "" if days is None else (BASE + timedelta(days=days)).isoformat()


#: A day offset: often a tied one, sometimes any (before day 0 too), sometimes missing.
day_offsets = st.one_of(st.sampled_from(TIED_DAYS), st.integers(-60, 900), st.none())
flags = st.sampled_from(("Y", "N", ""))


@st.composite
def adsl_frames(draw: st.DrawFn) -> pd.DataFrame:
    """ADSL of 0-12 subjects with random flags, centres, MDT types and dates; some optional columns absent."""
    n = draw(st.integers(0, 12))
    ids = [f"S-{i:02d}" for i in range(1, n + 1)]
    centres = [draw(st.sampled_from(CENTRES)) for _ in ids]
    cutoff = draw(st.one_of(st.sampled_from(TIED_DAYS[2:]), st.integers(100, 1000), st.none()))
    frame = pd.DataFrame(
        {
            "STUDYID": draw(st.sampled_from(("MEDCARE", "OTHER"))),
            "USUBJID": ids,
            "SITEID": [c[0] for c in centres],
            "SITENAME": [c[1] for c in centres],
            "SCRNDT": [_iso(draw(day_offsets)) for _ in ids],
            "ENRLFL": [draw(st.sampled_from(("Y", "Y", "N", ""))) for _ in ids],
            "ENRLDT": [_iso(draw(day_offsets)) for _ in ids],
            "TRTSDT": [_iso(draw(day_offsets)) for _ in ids],
            "MDTTYPE": [draw(st.sampled_from(MDT_TYPES)) for _ in ids],
            "EOSSTT": [draw(st.sampled_from(("ONGOING", "COMPLETED", "DISCONTINUED", ""))) for _ in ids],
            "DTHFL": [draw(st.sampled_from(("Y", "N", ""))) for _ in ids],
            "DTHDT": [_iso(draw(day_offsets)) for _ in ids],
            "NLES": [draw(st.sampled_from((0, 1, 3, 5, 6, None))) for _ in ids],
            "AGE": [draw(st.sampled_from((0, 59, 70, 70, None))) for _ in ids],
            "SYSTHER": [draw(st.sampled_from(("ADT", "ADT + abiraterone", ""))) for _ in ids],
            "SAFFL": [draw(flags) for _ in ids],
            "ITTFL": [draw(flags) for _ in ids],
            "PSMAFL": [draw(flags) for _ in ids],
            "SCRFCRIT": [draw(st.sampled_from(("INC01", "EXC05", "OTHER", ""))) for _ in ids],
            "EOSDT": [_iso(draw(day_offsets)) for _ in ids],
            "LSTALVDT": [_iso(draw(day_offsets)) for _ in ids],
            # One cut-off per source as a rule; now and then a second one on some rows (loading reports it).
            "DCUTDT": [_iso(draw(st.sampled_from((cutoff, cutoff, cutoff, 500)))) for _ in ids],
        },
        columns=["STUDYID", "USUBJID", "SITEID", *OPTIONAL_ADSL],
    )
    absent = draw(st.sets(st.sampled_from(OPTIONAL_ADSL), max_size=6))
    return frame.drop(columns=sorted(absent))


@st.composite
def adtte_frames(draw: st.DrawFn, ids: list[str]) -> pd.DataFrame:
    """NESTFS, PFS and OS rows for a random subset of subjects: AVAL 0 and ties, days and months."""
    unit = draw(st.sampled_from(("DAYS", "MONTHS", "mixed")))
    rows = []
    for usubjid in ids:
        for paramcd in ("NESTFS", "PFS", "OS", "TTP"):
            if not draw(st.booleans()):
                continue
            rows.append(
                {
                    "USUBJID": usubjid,
                    "PARAMCD": paramcd,
                    "AVAL": draw(
                        st.one_of(
                            st.sampled_from((0, 0, 0.5, 10, 100, 100, 36_500)),
                            st.integers(0, 1000),
                            st.floats(0, 2000, allow_nan=False, allow_infinity=False),
                        )
                    ),
                    "AVALU": draw(st.sampled_from(("DAYS", "MONTHS"))) if unit == "mixed" else unit,
                    "CNSR": draw(st.sampled_from((0, 1, 1, 2))),
                    "PARAM": f"{paramcd} as the sponsor names it",
                    "STARTDT": _iso(draw(day_offsets)),
                    "ADT": _iso(draw(day_offsets)),
                }
            )
    columns = ["USUBJID", "PARAMCD", "PARAM", "AVAL", "AVALU", "CNSR", "STARTDT", "ADT"]
    frame = pd.DataFrame(rows, columns=columns)
    absent = draw(st.sets(st.sampled_from(("PARAM", "AVALU", "STARTDT", "ADT")), max_size=3))
    return frame.drop(columns=sorted(absent))


@st.composite
def adae_frames(draw: st.DrawFn, ids: list[str]) -> pd.DataFrame:
    """0-8 adverse events: grades 1-5 or missing, TRTEMFL Y/N/missing, onset dates missing or tied."""
    rows = []
    for _ in range(draw(st.integers(0, 8)) if ids else 0):
        term, soc = draw(st.sampled_from(TERMS))
        rows.append(
            {
                "USUBJID": draw(st.sampled_from(ids)),
                "AEDECOD": term,
                "AEBODSYS": soc,
                "ATOXGR": draw(st.sampled_from((1, 2, 3, 4, 5, None, "Grade 3"))),
                "AESEV": draw(st.sampled_from(("MILD", "MODERATE", "SEVERE", ""))),
                "AESER": draw(flags),
                "TRTEMFL": draw(flags),
                "AEREL": draw(st.sampled_from(("RELATED", "NOT RELATED", ""))),
                "ASTDT": _iso(draw(day_offsets)),
                "ASTDY": draw(st.sampled_from((None, -3, 1, 90, 91, 400))),
            }
        )
    optional = ("ATOXGR", "AESEV", "AESER", "TRTEMFL", "AEREL", "ASTDT", "ASTDY")
    frame = pd.DataFrame(rows, columns=["USUBJID", "AEDECOD", "AEBODSYS", *optional])
    # Without ATOXGR the grade is AESEV (severity data); without both, ADAE has no grade at all.
    absent = draw(st.sets(st.sampled_from(optional), max_size=3))
    return frame.drop(columns=sorted(absent))


@st.composite
def adtu_frames(draw: st.DrawFn, ids: list[str]) -> pd.DataFrame:
    """0-3 lesions per subject, with or without detection method, MDT and dose."""
    rows = []
    for usubjid in ids:
        for k in range(draw(st.integers(0, 3))):
            loc, category = draw(st.sampled_from(SITES))
            rows.append(
                {
                    "USUBJID": usubjid,
                    "TULNKID": f"L{k + 1}",
                    "TULOC": loc,
                    "TULOCCAT": category,
                    "TUMETHOD": draw(st.sampled_from(("Conventional", "PSMA PET-CT only", ""))),
                    "MDTLES": draw(st.sampled_from(MDT_LESIONS)),
                    "MDTDT": _iso(draw(day_offsets)),
                    "RTDOSE": draw(st.sampled_from((30.0, 24.0, None))),
                    "RTFX": draw(st.sampled_from((1, 3, None))),
                }
            )
    columns = ["USUBJID", "TULNKID", "TULOC", "TULOCCAT", "TUMETHOD", "MDTLES", "MDTDT", "RTDOSE", "RTFX"]
    frame = pd.DataFrame(rows, columns=columns)
    absent = draw(st.sets(st.sampled_from(("TUMETHOD", "MDTLES", "MDTDT", "RTDOSE", "RTFX")), max_size=3))
    return frame.drop(columns=sorted(absent))


@st.composite
def adlb_frames(draw: st.DrawFn, ids: list[str]) -> pd.DataFrame:
    """0-3 lab values per subject (PSA, now and then another test; 0 and ties included)."""
    rows = []
    for usubjid in ids:
        for _ in range(draw(st.integers(0, 3))):
            rows.append(
                {
                    "USUBJID": usubjid,
                    "PARAMCD": draw(st.sampled_from(("PSA", "PSA", "PSA", "HGB"))),
                    "AVAL": draw(st.sampled_from((0.0, 0.5, 1.82, 1.82, 10.0))),
                    "BASE": draw(st.sampled_from((None, 0.0, 1.82))),
                    "ADT": _iso(draw(st.one_of(st.sampled_from(TIED_DAYS), st.integers(0, 900)))),
                    "ABLFL": draw(st.sampled_from(("Y", "N", ""))),
                }
            )
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVAL", "BASE", "ADT", "ABLFL"])
    absent = draw(st.sets(st.sampled_from(("BASE", "ABLFL")), max_size=2))
    return frame.drop(columns=sorted(absent))


@st.composite
def sources(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """A small source: ADSL always, each other dataset present or absent at random."""
    adsl = draw(adsl_frames())
    ids = list(adsl["USUBJID"])
    frames = {"adsl": adsl}
    for name, strategy in (
        ("adtte", adtte_frames),
        ("adae", adae_frames),
        ("adtu", adtu_frames),
        ("adlb", adlb_frames),
    ):
        if draw(st.booleans()):
            frames[name] = draw(strategy(ids))
    return frames


def _load(frames: dict[str, pd.DataFrame]) -> tuple[TrialData, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as folder:
        result = load_trial(write_source(Path(folder) / "src", **frames))
    assert result.trial is not None, result.problems.to_string()  # ADSL always has its required columns
    return result.trial, result.problems


def app_scope(
    full: TrialData,
    problems: pd.DataFrame,
    filters: Filters,
    as_of: date | None,
    settings: TrialSettings = DEFAULT_SETTINGS,
) -> ViewScope:
    """Return the scope as the app builds it (``medcare_app.cache._page_view``): replayed, then filtered.

    Parameters
    ----------
    full : TrialData
        The trial as loaded.
    problems : pandas.DataFrame
        Its validation problems.
    filters : Filters
        Subject filters.
    as_of : datetime.date or None
        The date of the view; None: the cut-off.
    settings : TrialSettings, optional
        Trial settings as the sidebar sets them.

    Returns
    -------
    ViewScope
        The scope a page's view gets.
    """
    cut = cuts.data_cutoff(full)
    if cut is None:
        cut = cuts.latest_date(full)
    cutoff = None if cut is None else cut.date()
    view_date = as_of if as_of is not None else cutoff
    replay = view_date if view_date is not None and cutoff is not None and view_date < cutoff else None
    unfiltered = full if replay is None else cuts.as_of(full, replay)
    return ViewScope(
        trial=apply_filters(unfiltered, filters),
        unfiltered=unfiltered,
        full=full,
        delivered=apply_filters(full, filters),
        problems=problems,
        settings=settings,
        filters=filters,
        as_of=view_date,
        cutoff=cutoff,
    )


@st.composite
def scopes(draw: st.DrawFn) -> ViewScope:
    """A loaded random source, seen as loaded, replayed at a random date, or filtered (or both)."""
    full, problems = _load(draw(sources()))
    kind = draw(st.sampled_from(("plain", "of", "replayed", "filtered", "replayed+filtered")))
    if kind == "of":
        return ViewScope.of(full)
    filters = Filters()
    if "filtered" in kind:
        columns = filterable_columns(full.adsl)
        if columns:
            column = draw(st.sampled_from(columns))
            options = filter_options(full.adsl, column)
            # An empty choice is "no filter"; a value nobody has gives an empty selection.
            chosen = draw(st.lists(st.sampled_from((*options, "no such value")), min_size=1, max_size=2))
            filters = Filters.from_mapping({column: chosen})
    as_of = None
    if "replayed" in kind:
        # Mostly before the cut-off (a replay); sometimes on or after it, which shows the data as delivered.
        cut = cuts.data_cutoff(full) or cuts.latest_date(full)
        last = 1000 if cut is None else (cut.date() - BASE).days
        as_of = BASE + timedelta(days=draw(st.integers(-30, max(last, 0))))
    # The sidebar's trial settings, at their bounds too (medcare_metrics.protocol.check_settings).
    settings = TrialSettings(
        target_enrollment=draw(st.sampled_from((18, 1, 2, 10_000))),
        planned_accrual_months=draw(st.sampled_from((24.0, 1.0, 600.0))),
    )
    return app_scope(full, problems, filters, as_of, settings)


def attempt(function: Callable[..., T], *args: Any) -> T | None:
    """Call ``function``; None when it raises the project's own error (the data cannot give the measure)."""
    try:
        return function(*args)
    except MedcareError:
        return None


@given(scope=scopes(), data=st.data())
@PROPERTY_SETTINGS
def test_overview_and_data_quality_views(scope: ViewScope, data: st.DataObject) -> None:
    choices = attempt(overview_choices, scope)
    since = data.draw(st.one_of(st.none(), st.dates(date(2021, 6, 1), date(2025, 6, 1))))
    attempt(overview_view, scope, OverviewControls(since=since))
    if choices is not None and choices.since is not None:
        attempt(overview_view, scope, OverviewControls(since=choices.since.default))

    dq = attempt(data_quality_choices, scope)
    chosen: dict[str, list[str]] = {}
    if dq is not None:
        for column in PROBLEM_FILTER_COLUMNS:
            values = dq.values(column)
            if values:
                chosen[column] = data.draw(st.lists(st.sampled_from(values), max_size=2))
    search = data.draw(st.sampled_from(("", "S-01", "ADTTE", "zzz")))
    attempt(data_quality_view, scope, DataQualityControls.chosen(chosen, search))


@given(scope=scopes(), data=st.data())
@PROPERTY_SETTINGS
def test_enrollment_view(scope: ViewScope, data: st.DataObject) -> None:
    choices = attempt(enrollment_choices, scope)
    horizons = choices.horizons if choices is not None else (36,)
    controls = EnrollmentControls(
        certainty=data.draw(st.sampled_from((0.0, 0.5, 1.0))),
        horizon_months=data.draw(st.sampled_from(horizons)),
        events_needed=data.draw(st.one_of(st.none(), st.integers(1, 30))),
    )
    attempt(enrollment_view, scope, controls)


@given(scope=scopes(), data=st.data())
@PROPERTY_SETTINGS
def test_patients_views(scope: ViewScope, data: st.DataObject) -> None:
    choices = attempt(patients_choices, scope)
    for _, order in SWIMMER_ORDERS:
        attempt(swimmer_view, scope, SwimmerControls(order=order))
    attempt(waterfall_view, scope, WaterfallControls(stop_at_nest=data.draw(st.booleans())))
    ids = choices.ids if choices is not None else ()
    for usubjid in (*ids[:3], "NOT-A-PATIENT"):
        attempt(profile_view, scope, ProfileControls(usubjid=usubjid))
    since = data.draw(st.one_of(st.none(), st.dates(date(2021, 6, 1), date(2025, 6, 1))))
    attempt(changes_view, scope, ChangesControls(since=since))


@given(scope=scopes(), data=st.data())
@PROPERTY_SETTINGS
def test_survival_views(scope: ViewScope, data: st.DataObject) -> None:
    choices = attempt(survival_choices, scope)
    codes = choices.codes if choices is not None else ()
    for code in (*codes, "NOSUCH"):
        endpoint = choices.endpoint(code) if choices is not None else None
        columns = endpoint.columns if endpoint is not None else ()
        controls = SurvivalControls(
            endpoint=code,
            unit=data.draw(st.sampled_from(UNITS)),
            conf_type=data.draw(st.sampled_from(("log", "log-log", "plain"))),
            by=data.draw(st.sampled_from((None, *columns))),
            at_risk_threshold=data.draw(st.one_of(st.none(), st.integers(0, 5))),
            tail=data.draw(st.sampled_from(("grey", "truncate", "show"))),
            show_benchmark=data.draw(st.booleans()),
            counts=data.draw(st.sampled_from(("N_RISK", "CUM_EVENT", "CUM_CENSOR"))),
            landmarks=data.draw(st.sampled_from((None, "", "0, 6, 12", "3, x, -1, 1e9"))),
            pairwise=data.draw(st.booleans()),
        )
        attempt(survival_view, scope, controls)


@given(scope=scopes(), data=st.data())
@PROPERTY_SETTINGS
def test_lesions_and_toxicity_views(scope: ViewScope, data: st.DataObject) -> None:
    attempt(lesions_choices, scope)
    lesions = LesionsControls(
        basis=data.draw(st.sampled_from([b for _, b in BASES])),
        site_level=data.draw(st.sampled_from([s for _, s in SITE_LEVELS])),
        site_stack=data.draw(st.sampled_from([s for _, s in SITE_STACKS])),
        alpha_beta_gy=data.draw(st.sampled_from((None, 0.5, 3.0, 10.0))),
        map_order=data.draw(st.sampled_from([o for _, o in MAP_ORDERS])),
    )
    attempt(lesions_view, scope, lesions)

    choices = attempt(toxicity_choices, scope)
    splits = choices.splits if choices is not None else ("None",)
    toxicity = ToxicityControls(
        split=data.draw(st.sampled_from(splits)),
        value=data.draw(st.sampled_from([v for _, v in VALUES])),
        teae_only=data.draw(st.booleans()),
        acute_window_days=data.draw(st.sampled_from((0, 90, 10_000))),
    )
    attempt(toxicity_view, scope, toxicity)
