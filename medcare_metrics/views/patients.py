"""Views of the Patients page, one per tab: swimmer plot, PSA waterfall, one patient's profile, changes since.

Each tab has its own controls and its own view function, so that a change in one tab recomputes only that
tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from medcare_metrics.cuts import Changes, SinceWindow, changes_since, data_cutoff, since_window
from medcare_metrics.patients import (
    DATE_FIELDS,
    PatientProfile,
    adverse_event_table,
    baseline_table,
    lesion_table,
    patient_ids,
    patient_profile,
    psa_response_count,
    psa_waterfall,
    status_counts,
    swimmer_plot,
    time_to_event_table,
)
from medcare_metrics.subjects import first_entry_date
from medcare_metrics.text import patients as text
from medcare_metrics.views.scope import ViewScope

#: How the swimmer plot can be sorted: ``(label, order)`` for :func:`medcare_metrics.patients.swimmer_data`.
SWIMMER_ORDERS: tuple[tuple[str, str], ...] = (
    ("Follow-up length", "follow_up"),
    ("NEST-FS time", "nestfs"),
)


@dataclass(frozen=True)
class PatientsChoices:
    """What the page's controls offer on this data.

    Attributes
    ----------
    ids : tuple of str
        The enrolled patients' USUBJIDs, sorted (the patient picker); empty when nobody is selected.
    has_adtte : bool
        Whether the selection has ADTTE (the waterfall can stop at a NEST start).
    has_adlb : bool
        Whether the selection has ADLB (PSA).
    since : SinceWindow or None
        Bounds and default of the "changes since" date (shared with the Overview); None when the data hold no
        date.
    """

    ids: tuple[str, ...]
    has_adtte: bool
    has_adlb: bool
    since: SinceWindow | None


@dataclass(frozen=True)
class SwimmerControls:
    """The swimmer tab's widget values.

    Attributes
    ----------
    order : str
        ``"follow_up"`` (longest follow-up first) or ``"nestfs"`` (longest NEST-FS time first).
    """

    order: str = "follow_up"


@dataclass(frozen=True)
class SwimmerView:
    """The swimmer tab.

    Attributes
    ----------
    patients : pandas.DataFrame
        One row per patient (:func:`medcare_metrics.patients.swimmer_data`); empty when nobody has a
        registration date.
    events : pandas.DataFrame
        The markers (:func:`medcare_metrics.patients.swimmer_events`).
    summary : str
        Patients by status (Markdown).
    caption : str
        How the plot is drawn.
    missing_adtte : bool
        True when the selection has no ADTTE (no progression or NEST markers).
    no_patient : str
        Said when the filters match no enrolled patient; else empty.
    """

    patients: pd.DataFrame
    events: pd.DataFrame
    summary: str
    caption: str
    missing_adtte: bool
    no_patient: str = ""


@dataclass(frozen=True)
class WaterfallControls:
    """The PSA waterfall tab's widget values.

    Attributes
    ----------
    stop_at_nest : bool
        Leave out PSA values after the start of a next-line systemic treatment (needs ADTTE).
    """

    stop_at_nest: bool = True


@dataclass(frozen=True)
class WaterfallView:
    """The PSA waterfall tab.

    Attributes
    ----------
    missing_adlb : bool
        True when the selection has no ADLB: nothing else applies.
    waterfall : pandas.DataFrame
        Best PSA change per patient (:func:`medcare_metrics.patients.psa_waterfall`); empty when no patient
        is evaluable.
    responders, evaluable : int
        Patients with a decline of at least 50%, and patients drawn.
    sentence, title, caption : str
        The response count (Markdown), the figure's title and how the best change is taken.
    unavailable : str
        Why no waterfall is drawn (ADLB present, no patient evaluable); else empty.
    """

    missing_adlb: bool
    waterfall: pd.DataFrame
    responders: int = 0
    evaluable: int = 0
    sentence: str = ""
    title: str = ""
    caption: str = ""
    unavailable: str = ""


@dataclass(frozen=True)
class ProfileControls:
    """The profile tab's widget values.

    Attributes
    ----------
    usubjid : str
        The patient shown.
    """

    usubjid: str


@dataclass(frozen=True, eq=False)
class ProfileView:
    """One patient's profile as the page shows it.

    Attributes
    ----------
    profile : PatientProfile or None
        Everything recorded about the patient (figure inputs: ``events``, ``adverse_events``, ``psa``); None
        when the patient is not in the selection.
    baseline, dates : pandas.DataFrame
        Baseline characteristics and key dates (ITEM, VALUE).
    lesions, adverse_events, time_to_event : pandas.DataFrame or None
        The readable tables; None when the dataset is absent.
    """

    profile: PatientProfile | None
    baseline: pd.DataFrame
    dates: pd.DataFrame
    lesions: pd.DataFrame | None
    adverse_events: pd.DataFrame | None
    time_to_event: pd.DataFrame | None


@dataclass(frozen=True)
class ChangesControls:
    """The changes tab's widget values.

    Attributes
    ----------
    since : datetime.date or None
        Start of the window (excluded); None, or a date outside the bounds, means the default of
        :func:`medcare_metrics.cuts.since_window`.
    """

    since: date | None = None


@dataclass(frozen=True)
class ChangeListing:
    """One listing of the changes tab.

    Attributes
    ----------
    name : str
        ``"enrolled"``, ``"events"``, ``"deaths"``, ``"severe_aes"`` or ``"upgrades"`` (names the download).
    title : str
        Its heading.
    table : pandas.DataFrame
        The rows; empty when nothing changed.
    """

    name: str
    title: str
    table: pd.DataFrame


@dataclass(frozen=True)
class ChangesView:
    """What changed in the window ``(since, until]`` among the selected patients.

    Attributes
    ----------
    changes : Changes or None
        The listings (:func:`medcare_metrics.cuts.changes_since`); None when the data hold no date.
    sentence : str
        The window in words (Markdown).
    counts : tuple of (str, int)
        ``(label, count)`` per kind the data can answer.
    notes : tuple of str
        Why a kind cannot be listed.
    listings : tuple of ChangeListing
        The listings the data can answer, in the page's order.
    unavailable : str
        Why nothing can be shown (no date in the data); else empty.
    """

    changes: Changes | None
    sentence: str
    counts: tuple[tuple[str, int], ...]
    notes: tuple[str, ...]
    listings: tuple[ChangeListing, ...]
    unavailable: str = ""


def patients_choices(scope: ViewScope) -> PatientsChoices:
    """Return what the page's controls offer on this data.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    PatientsChoices
        Patients to pick, which datasets exist, and the "changes since" window.
    """
    trial = scope.trial
    window = None
    if scope.as_of is not None:
        window = since_window(first_entry_date(scope.full.adsl), scope.as_of)
    return PatientsChoices(
        ids=tuple(patient_ids(trial)),
        has_adtte=trial.adtte is not None,
        has_adlb=trial.adlb is not None,
        since=window,
    )


def _cutoff_label(scope: ViewScope) -> str:
    # As the sidebar names it: ADSL.DCUTDT, else the latest date of the data stands in.
    return "cut-off" if data_cutoff(scope.full) is not None else "latest date in the data"


def swimmer_view(scope: ViewScope, controls: SwimmerControls) -> SwimmerView:
    """Return the swimmer tab: one bar per enrolled patient and its markers.

    Parameters
    ----------
    scope : ViewScope
        The view.
    controls : SwimmerControls
        How the patients are sorted.

    Returns
    -------
    SwimmerView
        The bars, the markers and the sentences.

    Raises
    ------
    ValueError
        For an unknown sort order.
    """
    order = controls.order
    if order not in ("follow_up", "nestfs"):
        raise ValueError(f"order must be 'follow_up' or 'nestfs', got {order!r}")
    # Bars and markers share their steps: computed together, once per view.
    plot = swimmer_plot(scope.trial, order="follow_up" if order == "follow_up" else "nestfs")
    patients = plot.patients
    return SwimmerView(
        patients=patients,
        events=plot.events,
        summary=text.swimmer_summary(len(patients), status_counts(patients)),
        caption=text.swimmer_caption(_cutoff_label(scope)),
        missing_adtte=scope.trial.adtte is None,
        no_patient=scope.no_patient_text,
    )


#: Patients per page of the swimmer plot: a page stays legible, and the browser draws a few hundred marks
#: instead of one per event of thousands of patients.
SWIMMER_PAGE_SIZE = 50


@dataclass(frozen=True, eq=False)
class SwimmerPage:
    """One page of the swimmer plot.

    Attributes
    ----------
    patients, events : pandas.DataFrame
        The page's rows of :attr:`SwimmerView.patients` (ORDER kept) and their markers.
    page, pages : int
        This page (1 = the first patients in the chosen order) and the number of pages.
    caption : str
        Which patients the page shows; empty when one page holds them all.
    """

    patients: pd.DataFrame
    events: pd.DataFrame
    page: int
    pages: int
    caption: str


def swimmer_page_count(n_patients: int, per_page: int = SWIMMER_PAGE_SIZE) -> int:
    """Return the number of swimmer pages for ``n_patients`` (at least 1).

    Parameters
    ----------
    n_patients : int
        Patients of the swimmer plot.
    per_page : int, default SWIMMER_PAGE_SIZE
        Patients per page.

    Returns
    -------
    int
        ``ceil(n_patients / per_page)``, 1 for no patient.
    """
    return max(1, -(-n_patients // per_page))


def swimmer_page(view: SwimmerView, page: int, per_page: int = SWIMMER_PAGE_SIZE) -> SwimmerPage:
    """Return one page of the swimmer plot: a run of patients in plot order, and their markers.

    Page ``page`` holds the patients with ORDER ``(page - 1) * per_page + 1`` to ``page * per_page``.

    Parameters
    ----------
    view : SwimmerView
        The swimmer tab (all patients, in the chosen order).
    page : int
        The page, 1-based; clamped to the pages there are (a filter change may leave fewer).
    per_page : int, default SWIMMER_PAGE_SIZE
        Patients per page.

    Returns
    -------
    SwimmerPage
        The page's bars and markers.
    """
    n = len(view.patients)
    pages = swimmer_page_count(n, per_page)
    page = min(max(int(page), 1), pages)
    first, last = (page - 1) * per_page + 1, min(page * per_page, n)
    patients = view.patients.loc[view.patients["ORDER"].between(first, last)]
    events = view.events.loc[view.events["USUBJID"].isin(set(patients["USUBJID"]))]
    caption = "" if pages == 1 else f"Patients {first:,} to {last:,} of {n:,} (page {page} of {pages})."
    return SwimmerPage(patients.reset_index(drop=True), events.reset_index(drop=True), page, pages, caption)


def waterfall_view(scope: ViewScope, controls: WaterfallControls) -> WaterfallView:
    """Return the PSA waterfall tab: each patient's best PSA change and the PCWG3 response count.

    Parameters
    ----------
    scope : ViewScope
        The view.
    controls : WaterfallControls
        Whether PSA values after a NEST start are left out (only when ADTTE exists).

    Returns
    -------
    WaterfallView
        The waterfall and its sentences; only :attr:`WaterfallView.missing_adlb` without ADLB.
    """
    trial = scope.trial
    if trial.adlb is None:
        return WaterfallView(missing_adlb=True, waterfall=pd.DataFrame())
    stop = controls.stop_at_nest and trial.adtte is not None
    waterfall = psa_waterfall(trial.adlb, trial.adsl, trial.adtte if stop else None)
    if waterfall.empty:
        reason = scope.no_patient_text or text.NO_WATERFALL  # filters matching nobody: the common words
        return WaterfallView(missing_adlb=False, waterfall=waterfall, unavailable=reason)
    responders, evaluable = psa_response_count(waterfall)
    return WaterfallView(
        missing_adlb=False,
        waterfall=waterfall,
        responders=responders,
        evaluable=evaluable,
        sentence=text.waterfall_sentence(responders, evaluable),
        title=text.waterfall_title(responders, evaluable),
        caption=text.waterfall_caption(stop),
    )


def profile_view(scope: ViewScope, controls: ProfileControls) -> ProfileView:
    """Return one patient's profile: baseline, dates, lesions, AEs, PSA series and time-to-event records.

    Parameters
    ----------
    scope : ViewScope
        The view.
    controls : ProfileControls
        The patient.

    Returns
    -------
    ProfileView
        The profile and its tables; an empty view (``profile`` None) when the patient is not in the
        selection.
    """
    trial = scope.trial
    if not trial.adsl["USUBJID"].eq(controls.usubjid).any():
        empty = pd.DataFrame(columns=["ITEM", "VALUE"])
        return ProfileView(None, empty, empty, None, None, None)
    profile = patient_profile(trial, controls.usubjid)
    return ProfileView(
        profile=profile,
        baseline=baseline_table(profile),
        dates=baseline_table(profile, DATE_FIELDS),
        lesions=lesion_table(profile),
        adverse_events=adverse_event_table(profile),
        time_to_event=time_to_event_table(profile),
    )


def changes_view(scope: ViewScope, controls: ChangesControls) -> ChangesView:
    """Return what changed between the chosen date (excluded) and the view's date (included).

    Parameters
    ----------
    scope : ViewScope
        The view (the selected patients, as of the chosen date).
    controls : ChangesControls
        The start of the window; clamped to :func:`medcare_metrics.cuts.since_window`.

    Returns
    -------
    ChangesView
        Counts, notes and listings; only :attr:`ChangesView.unavailable` when the data hold no date.
    """
    if scope.as_of is None:
        return ChangesView(None, "", (), (), (), unavailable=text.NO_DATE)
    window = since_window(first_entry_date(scope.full.adsl), scope.as_of)
    changes = changes_since(scope.trial, window.clamp(controls.since), until=scope.as_of)
    tables = {
        "enrolled": changes.enrolled,
        "events": changes.events,
        "deaths": changes.deaths,
        "severe_aes": changes.severe_aes,
        "upgrades": changes.upgrades,
    }
    listings = []
    for name, title in text.CHANGE_TITLES.items():
        keys = ("NESTFS", "PFS") if name == "events" else (name,)
        if all(k in changes.missing for k in keys):
            continue
        listings.append(ChangeListing(name, title, tables[name]))
    return ChangesView(
        changes=changes,
        sentence=text.changes_sentence(changes.since, changes.until),
        counts=tuple(changes.counts().items()),
        notes=changes.notes,
        listings=tuple(listings),
    )
