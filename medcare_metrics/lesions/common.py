"""What every lesion summary shares: labels, options, the required ADTU columns and the enrolled patients.

Patients are the enrolled subjects of the ADSL given (:func:`medcare_metrics.rules.enrolled_mask`: ENRLFL =
"Y", every ADSL subject when ADSL has no ENRLFL; the page passes the filtered ADSL). Lesions of other subjects
(screen failures, filtered out) are left out. Without ADSL every ADTU subject counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from medcare_metrics.errors import DataUnavailable
from medcare_metrics.rules import enrolled_mask
from medcare_metrics.study import StudyDefinition, default_study

#: Label of a missing value in groupings (site, MDT type, detection).
NOT_RECORDED = "Not recorded"

#: TUMETHOD value of lesions seen on PSMA PET-CT only.
PSMA_ONLY = "PSMA PET-CT only"

CONVENTIONAL = "Conventional"

#: Lesion-count categories of :func:`lesion_count_distribution` under MEDCARE's limit (3).
COUNT_CATEGORIES: tuple[str, ...] = (
    *(str(k) for k in range(int(default_study().eligibility.max_lesions or 3) + 1)),
    f">{default_study().eligibility.max_lesions or 3}",
)


#: ADTU columns every lesion summary needs.
REQUIRED_COLUMNS: tuple[str, ...] = ("USUBJID", "TULNKID", "TULOC", "TULOCCAT")


def _default(name: str) -> object:
    """Return a field of MEDCARE's built-in study (the options' defaults)."""
    return field(default_factory=lambda: getattr(default_study(), name))


@dataclass(frozen=True)
class LesionOptions:
    """Options of the lesion summaries; the defaults are MEDCARE's (:meth:`from_study` for another study).

    Attributes
    ----------
    alpha_beta_gy : float
        Alpha/beta ratio in Gy for BED and EQD2.
    max_lesions : int
        More lesions than this is polyprogression (MEDCARE's limit is 3).
    mdt_types : tuple of str
        Patient-level MDT categories (ADSL.MDTTYPE), in display order.
    mdt_lesion_types : tuple of str
        Lesion-level MDT (ADTU.MDTLES), in display order.
    radiotherapy_types : tuple of str
        Lesion MDT types that are radiotherapy (carry dose and fractions).
    site_categories : tuple of str
        Lesion site categories (ADTU.TULOCCAT), in display order.
    """

    alpha_beta_gy: float = _default("alpha_beta_gy")  # type: ignore[assignment]
    max_lesions: int = field(default_factory=lambda: int(default_study().eligibility.max_lesions or 3))
    mdt_types: tuple[str, ...] = _default("mdt_types")  # type: ignore[assignment]
    mdt_lesion_types: tuple[str, ...] = _default("mdt_lesion_types")  # type: ignore[assignment]
    radiotherapy_types: tuple[str, ...] = _default("radiotherapy_types")  # type: ignore[assignment]
    site_categories: tuple[str, ...] = _default("site_categories")  # type: ignore[assignment]

    @classmethod
    def from_study(cls, study: StudyDefinition, alpha_beta_gy: float | None = None) -> LesionOptions:
        """Return the options a study definition gives.

        Parameters
        ----------
        study : StudyDefinition
            The trial's study (``TrialData.study``).
        alpha_beta_gy : float, optional
            Alpha/beta ratio; the study's by default.

        Returns
        -------
        LesionOptions
            Categories of the study; the polyprogression limit is the study's ``eligibility.max_lesions``,
            MEDCARE's when the study names none (lesion counts then group above it).
        """
        limit = study.eligibility.max_lesions
        return cls(
            alpha_beta_gy=study.alpha_beta_gy if alpha_beta_gy is None else alpha_beta_gy,
            max_lesions=int(limit if limit is not None else default_study().eligibility.max_lesions or 3),
            mdt_types=study.mdt_types,
            mdt_lesion_types=study.mdt_lesion_types,
            radiotherapy_types=study.radiotherapy_types,
            site_categories=study.site_categories,
        )


def check_adtu(adtu: pd.DataFrame, extra: tuple[str, ...] = ()) -> None:
    """Raise ValueError naming the columns of :data:`REQUIRED_COLUMNS` (and ``extra``) that ADTU lacks.

    Parameters
    ----------
    adtu : pandas.DataFrame
        Lesions.
    extra : tuple of str, optional
        Further columns the caller needs (TUMETHOD, MDTLES, RTDOSE, ...).

    Raises
    ------
    DataUnavailable
        ``"ADTU lacks column(s) ..."`` (a ValueError).
    """
    missing = [c for c in (*REQUIRED_COLUMNS, *extra) if c not in adtu.columns]
    if missing:
        raise DataUnavailable(f"ADTU lacks column(s) {', '.join(missing)}")


def enrolled_patients(adsl: pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the enrolled ADSL subjects (all subjects when ADSL has no ENRLFL)."""
    if adsl is None:
        return None
    # One take of the chosen rows (the first of each USUBJID among the enrolled), not a take then another.
    return adsl.take(_enrolled_rows(adsl))


def _enrolled_rows(adsl: pd.DataFrame) -> np.ndarray:
    """Positions of :func:`enrolled_patients`' rows in ``adsl``: enrolled, the first row of each USUBJID."""
    rows = np.flatnonzero(enrolled_mask(adsl).to_numpy(dtype=bool))
    return rows[~adsl["USUBJID"].take(rows).duplicated().to_numpy()]


def enrolled_ids(adsl: pd.DataFrame) -> pd.Series:
    """Return ``enrolled_patients(adsl)["USUBJID"]`` without taking the other columns of ADSL.

    Parameters
    ----------
    adsl : pandas.DataFrame
        Subject-level data.

    Returns
    -------
    pandas.Series
        USUBJID of the enrolled subjects, once each, with their ADSL row labels.
    """
    return adsl["USUBJID"].take(_enrolled_rows(adsl))


def enrolled_lesions(adtu: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    """Return the lesions of the enrolled ADSL subjects, with missing grouping values labelled."""
    if adsl is None:
        out = adtu.copy()
    else:
        out = adtu.take(np.flatnonzero(adtu["USUBJID"].isin(enrolled_ids(adsl)).to_numpy(dtype=bool)))
    for col in ("TULOC", "TULOCCAT", "TUMETHOD", "MDTLES"):
        if col in out.columns:
            out[col] = out[col].astype(object).where(out[col].notna(), NOT_RECORDED)
    return out.reset_index(drop=True)


def ordered(values: pd.Series, known: tuple[str, ...]) -> list[str]:
    """Return the distinct values: the known ones in the study's order, then the others sorted."""
    present = set(values.dropna().astype(str))
    return [v for v in known if v in present] + sorted(present - set(known))


def with_mdttype(lesions: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``lesions`` with the patient's MDTTYPE from ADSL ("Not recorded" when absent)."""
    out = lesions.copy()
    if adsl is not None and "MDTTYPE" in adsl.columns:
        # The two columns only: dropping duplicates of the whole ADSL copied every column.
        mdt = adsl[["USUBJID", "MDTTYPE"]].drop_duplicates("USUBJID").set_index("USUBJID")["MDTTYPE"]
        out["MDTTYPE"] = out["USUBJID"].map(mdt).astype(object)
        out["MDTTYPE"] = out["MDTTYPE"].where(out["MDTTYPE"].notna(), NOT_RECORDED)
    else:
        out["MDTTYPE"] = NOT_RECORDED
    return out
