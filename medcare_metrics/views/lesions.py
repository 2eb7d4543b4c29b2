"""View of the Lesions page: lesions per patient, sites, detection, MDT and dose, the patient x site map."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from medcare_metrics.lesions import (
    DetectionSummary,
    LesionOptions,
    detection_summary,
    dose_by_modality,
    dose_summary,
    lesion_count_distribution,
    lesion_counts_from_adsl,
    lesions_by_site,
    lesions_per_patient,
    mdt_per_lesion,
    patient_site_matrix,
    radiotherapy_doses,
    site_patterns,
)
from medcare_metrics.model import TrialData
from medcare_metrics.text import lesions as text
from medcare_metrics.views.scope import ViewScope

#: Choices of the "Count" control: label -> basis of the lesion count distribution.
BASES: tuple[tuple[str, str], ...] = (("All lesions", "all"), ("Conventional imaging only", "conventional"))
#: Choices of the "Group by" control: label -> level of :func:`medcare_metrics.lesions.lesions_by_site`.
SITE_LEVELS: tuple[tuple[str, str], ...] = (("Site category", "category"), ("Site", "site"))
#: Choices of the "Stack by" control: label -> stack of :func:`medcare_metrics.lesions.lesions_by_site`.
SITE_STACKS: tuple[tuple[str, str], ...] = (("Lesion MDT", "lesion"), ("Patient MDT type", "patient"))
#: Choices of the "Order patients by" control: label -> order of the patient x site matrix.
MAP_ORDERS: tuple[tuple[str, str], ...] = (("Site pattern", "pattern"), ("Patient", "patient"))
#: Above this many patients the page draws the patient x site map compact (a thin column per patient), as
#: :func:`medcare_metrics.figures.lesions.patient_site_figure` does by default.
MAP_COMPACT_ABOVE = 40
#: Subject-level lesion columns of ADSL, named when a source has neither them nor ADTU.
ADSL_LESION_COLUMNS: tuple[str, ...] = ("NLES", "PSMAFL", "PSMACHFL", "MDTTYPE")
#: ADTU columns of the radiotherapy dose.
DOSE_COLUMNS: tuple[str, ...] = ("RTDOSE", "RTFX")


@dataclass(frozen=True)
class LesionsChoices:
    """What the page's controls need to know of the data before they are drawn.

    Attributes
    ----------
    shows_tabs : bool
        True when the selection has usable lesions (ADTU with its required columns) and an enrolled patient:
        the page then draws its tabs and their controls; else it draws only the view's notice.
    has_dose : bool
        True when ADTU has RTDOSE and RTFX: the page offers the alpha/beta control.
    alpha_beta_gy : float
        The trial settings' alpha/beta ratio (Gy), the control's default.
    alpha_beta_help : str
        Help of the control.
    """

    shows_tabs: bool
    has_dose: bool
    alpha_beta_gy: float
    alpha_beta_help: str


@dataclass(frozen=True)
class LesionsControls:
    """The page's widget values.

    Attributes
    ----------
    basis : str
        Lesions counted per patient: ``"all"`` or ``"conventional"`` (the eligibility count).
    site_level : str
        ``"category"`` (TULOCCAT) or ``"site"`` (TULOCCAT and TULOC).
    site_stack : str
        Lesions per site stacked by the ``"lesion"``'s MDT or the ``"patient"``'s MDT type.
    alpha_beta_gy : float or None
        Alpha/beta ratio (Gy) for BED and EQD2; None takes the trial settings' value.
    map_order : str
        Rows of the patient x site map: ``"pattern"`` or ``"patient"``.
    """

    basis: str = "all"
    site_level: str = "category"
    site_stack: str = "lesion"
    alpha_beta_gy: float | None = None
    map_order: str = "pattern"


@dataclass(frozen=True)
class CountFigure:
    """Inputs of :func:`medcare_metrics.figures.lesions.lesion_count_figure`.

    Attributes
    ----------
    distribution : pandas.DataFrame
        Patients per lesion-count category and MDT type.
    max_lesions : int
        The protocol's limit; the bar above it is shaded.
    limit_label : str or None
        Text on the shaded bar (``"polyprogression"`` for counts on conventional imaging).
    """

    distribution: pd.DataFrame
    max_lesions: int
    limit_label: str | None


@dataclass(frozen=True)
class AdslCounts:
    """What the page shows for a source without ADTU: the counts ADSL.NLES records, if any.

    Attributes
    ----------
    figure : CountFigure or None
        Patients per ADSL.NLES; None when ADSL has no NLES.
    heading : str
        Heading of the figure ("" without it).
    caption : str
        Where the counts come from, or why nothing about lesions can be shown.
    """

    figure: CountFigure | None
    heading: str
    caption: str


@dataclass(frozen=True)
class CountSection:
    """The "Lesions per patient" tab.

    Attributes
    ----------
    figure : CountFigure
        Patients per number of lesions (on the chosen basis).
    per_patient : pandas.DataFrame
        USUBJID, N_LESIONS, N_CONVENTIONAL, POLYPROGRESSION, MDTTYPE.
    warning : str
        Patients with polyprogression, named; "" when none.
    caption : str
        Which lesions count towards polyprogression.
    warning_without_ids : str
        The same warning with a count instead of subject identifiers (for roles that see aggregates only).
    """

    figure: CountFigure
    per_patient: pd.DataFrame
    warning: str
    caption: str
    warning_without_ids: str = ""


@dataclass(frozen=True)
class SiteSection:
    """The "Sites" tab.

    Attributes
    ----------
    by_site : pandas.DataFrame
        Lesions per site (category) and MDT; figure input and table.
    caption : str
        What the bars are stacked by.
    """

    by_site: pd.DataFrame
    caption: str


@dataclass(frozen=True)
class Share:
    """One "n of N" metric.

    Attributes
    ----------
    label : str
        Metric label.
    value : str
        ``"3 of 8"``, or ``"n/a"`` when the data lack the count.
    percent : str or None
        ``"37.5%"`` under the value; None for none.
    help : str or None
        Tooltip.
    """

    label: str
    value: str
    percent: str | None
    help: str | None


@dataclass(frozen=True)
class DetectionSection:
    """The "Detection (PSMA PET-CT)" tab.

    Attributes
    ----------
    unavailable : str
        Why the tab cannot be shown (ADTU without TUMETHOD); "" when it can.
    summary : DetectionSummary or None
        The counts and the figure input; None when unavailable.
    metrics : tuple of Share
        Lesions added by PSMA PET-CT, patients with PSMA-only lesions, PSMA PET-CT done, plan changed.
    caption : str
        What is compared and what the data lack.
    """

    unavailable: str
    summary: DetectionSummary | None
    metrics: tuple[Share, ...]
    caption: str


@dataclass(frozen=True)
class DoseSection:
    """Radiotherapy dose and fractionation, at the chosen alpha/beta ratio.

    Attributes
    ----------
    unavailable : str
        Why it cannot be shown (ADTU without RTDOSE or RTFX); "" when it can.
    alpha_beta_gy : float
        The alpha/beta ratio used (Gy).
    caption : str
        The formulas of BED and EQD2.
    by_modality : pandas.DataFrame
        Median and range of dose, fractions and EQD2 per modality.
    schedules : pandas.DataFrame
        One row per schedule.
    doses : pandas.DataFrame
        One row per irradiated lesion: the EQD2 figure's input and a download.
    figure_caption : str
        Caption of the EQD2 figure.
    """

    unavailable: str
    alpha_beta_gy: float
    caption: str
    by_modality: pd.DataFrame
    schedules: pd.DataFrame
    doses: pd.DataFrame
    figure_caption: str


@dataclass(frozen=True)
class MdtSection:
    """The "MDT and dose" tab.

    Attributes
    ----------
    unavailable : str
        Why the MDT per lesion cannot be shown (ADTU without MDTLES); "" when it can.
    per_lesion : pandas.DataFrame
        Lesions and patients per lesion MDT (empty when unavailable).
    dose : DoseSection
        The radiotherapy dose.
    """

    unavailable: str
    per_lesion: pd.DataFrame
    dose: DoseSection


@dataclass(frozen=True)
class SiteMapFigure:
    """Inputs of :func:`medcare_metrics.figures.lesions.patient_site_figure`.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Lesions per patient (rows, in the order to draw) and site category.
    compact_above : int
        With more patients than this, the map is drawn compact.
    """

    matrix: pd.DataFrame
    compact_above: int


@dataclass(frozen=True)
class MapSection:
    """The "Patient × site" tab.

    Attributes
    ----------
    patterns : pandas.DataFrame
        Patients per combination of site categories, by MDT type (figure input).
    patterns_caption : str
        Its caption.
    map : SiteMapFigure
        The patient x site map.
    map_caption : str
        Its caption.
    """

    patterns: pd.DataFrame
    patterns_caption: str
    map: SiteMapFigure
    map_caption: str


@dataclass(frozen=True)
class LesionsView:
    """Everything the Lesions page shows.

    Without ADTU (:attr:`missing_adtu`) the page shows :attr:`adsl_counts`; with unusable ADTU it says
    :attr:`unavailable`; without an enrolled patient it says :attr:`no_patient`. Otherwise the tab sections
    are set.

    Attributes
    ----------
    missing_adtu : bool
        True when the source has no usable ADTU.
    adsl_counts : AdslCounts or None
        Lesion counts from ADSL.NLES, for a source without ADTU.
    unavailable : str
        Why nothing can be shown (ADTU lacks a required column); else "".
    no_patient : str
        Said when the selection holds no enrolled patient; else "".
    counts, sites, detection, mdt, map : section or None
        The tabs; None when the page shows no tabs.
    """

    missing_adtu: bool
    adsl_counts: AdslCounts | None = None
    unavailable: str = ""
    no_patient: str = ""
    counts: CountSection | None = None
    sites: SiteSection | None = None
    detection: DetectionSection | None = None
    mdt: MdtSection | None = None
    map: MapSection | None = None

    @property
    def shows_tabs(self) -> bool:
        """True when the page draws its tabs."""
        return self.counts is not None


def _options(scope: ViewScope, controls: LesionsControls | None = None) -> LesionOptions:
    """Return the lesion options: the study's categories and limit, the chosen or the settings' alpha/beta."""
    chosen = controls.alpha_beta_gy if controls is not None else None
    alpha_beta = scope.settings.alpha_beta_gy if chosen is None else float(chosen)
    return LesionOptions.from_study(scope.full.study, alpha_beta)


def _per_patient(trial: TrialData, options: LesionOptions) -> tuple[pd.DataFrame | None, str]:
    """Return the lesions per patient, or None and why ADTU cannot be used."""
    assert trial.adtu is not None
    try:
        return lesions_per_patient(trial.adtu, trial.adsl, options), ""
    except ValueError as err:
        return None, str(err)


def lesions_choices(scope: ViewScope) -> LesionsChoices:
    """Return what the page's controls need: whether there are tabs, whether there is a dose, the default α/β.

    Parameters
    ----------
    scope : ViewScope
        The view.

    Returns
    -------
    LesionsChoices
        As the selected trial allows.
    """
    trial = scope.trial
    alpha_beta = scope.settings.alpha_beta_gy
    if trial.adtu is None:
        return LesionsChoices(False, False, alpha_beta, text.alpha_beta_help(alpha_beta))
    per_patient, _ = _per_patient(trial, _options(scope))
    return LesionsChoices(
        shows_tabs=per_patient is not None and not per_patient.empty,
        has_dose=set(DOSE_COLUMNS) <= set(trial.adtu.columns),
        alpha_beta_gy=alpha_beta,
        alpha_beta_help=text.alpha_beta_help(alpha_beta),
    )


def _adsl_counts(adsl: pd.DataFrame, options: LesionOptions) -> AdslCounts:
    if "NLES" not in adsl.columns:
        absent = [c for c in ADSL_LESION_COLUMNS if c not in adsl.columns]
        return AdslCounts(None, "", text.no_lesion_columns(absent))
    figure = CountFigure(lesion_counts_from_adsl(adsl, options), options.max_lesions, "polyprogression")
    return AdslCounts(figure, text.NLES_HEADING, text.nles_caption(options.max_lesions))


def _counts(trial: TrialData, per_patient: pd.DataFrame, basis: str, options: LesionOptions) -> CountSection:
    assert trial.adtu is not None
    distribution = lesion_count_distribution(trial.adtu, trial.adsl, options, basis=basis)
    limit = "polyprogression" if basis == "conventional" else None
    poly = per_patient.loc[per_patient["POLYPROGRESSION"], "USUBJID"].tolist()
    return CountSection(
        figure=CountFigure(distribution, options.max_lesions, limit),
        per_patient=per_patient,
        warning=text.polyprogression_warning(poly, options.max_lesions),
        caption=text.count_caption(options.max_lesions),
        warning_without_ids=text.polyprogression_warning(poly, options.max_lesions, named=False),
    )


def _share(label_help: tuple[str, str | None], n: int | None, total: int | None) -> Share:
    value, percent = text.share(n, total)
    return Share(label_help[0], value, percent, label_help[1])


def _detection(trial: TrialData, options: LesionOptions) -> DetectionSection:
    adtu, adsl = trial.adtu, trial.adsl
    assert adtu is not None
    if "TUMETHOD" not in adtu.columns:
        return DetectionSection(text.NO_TUMETHOD, None, (), "")
    summary = detection_summary(adtu, adsl, options)
    done = summary.n_patients_psma_done
    metrics = (
        _share(text.PSMA_ADDED, summary.n_psma_only, summary.n_lesions),
        _share(text.PSMA_PATIENTS, summary.n_patients_psma_added, summary.n_patients),
        _share(text.PSMA_DONE, done, summary.n_patients),
        _share(text.PLAN_CHANGED, summary.n_patients_plan_changed, done),
    )
    missing_flags = [c for c in ("PSMAFL", "PSMACHFL") if c not in adsl.columns]
    return DetectionSection(
        unavailable="",
        summary=summary,
        metrics=metrics,
        caption=text.detection_caption(missing_flags, summary.n_method_missing),
    )


def _dose(trial: TrialData, options: LesionOptions) -> DoseSection:
    adtu, adsl = trial.adtu, trial.adsl
    assert adtu is not None
    empty = pd.DataFrame()
    if not set(DOSE_COLUMNS) <= set(adtu.columns):
        return DoseSection(text.NO_DOSE, options.alpha_beta_gy, "", empty, empty, empty, "")
    return DoseSection(
        unavailable="",
        alpha_beta_gy=options.alpha_beta_gy,
        caption=text.dose_caption(options.alpha_beta_gy),
        by_modality=dose_by_modality(adtu, adsl, options),
        schedules=dose_summary(adtu, adsl, options),
        doses=radiotherapy_doses(adtu, adsl, options),
        figure_caption=text.DOSE_FIGURE_CAPTION,
    )


def _mdt(trial: TrialData, options: LesionOptions) -> MdtSection:
    assert trial.adtu is not None
    if "MDTLES" not in trial.adtu.columns:
        return MdtSection(text.NO_MDTLES, pd.DataFrame(), _dose(trial, options))
    return MdtSection("", mdt_per_lesion(trial.adtu, trial.adsl, options), _dose(trial, options))


def _map(trial: TrialData, order: str, options: LesionOptions) -> MapSection:
    assert trial.adtu is not None
    matrix = patient_site_matrix(trial.adtu, trial.adsl, order=order, options=options)
    return MapSection(
        patterns=site_patterns(trial.adtu, trial.adsl, options),
        patterns_caption=text.PATTERNS_CAPTION,
        map=SiteMapFigure(matrix, MAP_COMPACT_ABOVE),
        map_caption=text.matrix_caption(len(matrix), MAP_COMPACT_ABOVE),
    )


def lesions_view(scope: ViewScope, controls: LesionsControls) -> LesionsView:
    """Return everything the Lesions page shows.

    Patients are the enrolled patients of the selected trial (replayed as of the chosen date, filtered).

    Parameters
    ----------
    scope : ViewScope
        The view; its settings give the default alpha/beta ratio.
    controls : LesionsControls
        The page's widget values.

    Returns
    -------
    LesionsView
        Tables, figure inputs and sentences of the page.
    """
    trial = scope.trial
    options = _options(scope, controls)
    if trial.adtu is None:
        return LesionsView(missing_adtu=True, adsl_counts=_adsl_counts(trial.adsl, options))
    per_patient, reason = _per_patient(trial, options)
    if per_patient is None:
        return LesionsView(missing_adtu=False, unavailable=reason)
    if per_patient.empty:
        # The filters matching nobody is said in the words every page uses.
        return LesionsView(missing_adtu=False, no_patient=scope.no_patient_text or text.NO_PATIENT)
    by_site = lesions_by_site(
        trial.adtu, trial.adsl, level=controls.site_level, stack=controls.site_stack, options=options
    )
    return LesionsView(
        missing_adtu=False,
        counts=_counts(trial, per_patient, controls.basis, options),
        sites=SiteSection(by_site, text.site_caption(controls.site_stack)),
        detection=_detection(trial, options),
        mdt=_mdt(trial, options),
        map=_map(trial, controls.map_order, options),
    )
