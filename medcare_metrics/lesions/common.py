"""What every lesion summary shares: labels, options, the required ADTU columns and the enrolled patients.

Patients are the enrolled subjects of the ADSL given (:func:`medcare_metrics.rules.enrolled_mask`: ENRLFL =
"Y", every ADSL subject when ADSL has no ENRLFL; the page passes the filtered ADSL). Lesions of other subjects
(screen failures, filtered out) are left out. Without ADSL every ADTU subject counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from medcare_metrics import protocol
from medcare_metrics.errors import DataUnavailable
from medcare_metrics.protocol import DEFAULT_SETTINGS
from medcare_metrics.rules import enrolled_mask

#: Label of a missing value in groupings (site, MDT type, detection).
NOT_RECORDED = "Not recorded"

#: TUMETHOD value of lesions seen on PSMA PET-CT only.
PSMA_ONLY = "PSMA PET-CT only"

CONVENTIONAL = "Conventional"

#: Lesion-count categories of :func:`lesion_count_distribution`.
COUNT_CATEGORIES: tuple[str, ...] = ("0", "1", "2", "3", f">{protocol.MAX_LESIONS}")


#: ADTU columns every lesion summary needs.
REQUIRED_COLUMNS: tuple[str, ...] = ("USUBJID", "TULNKID", "TULOC", "TULOCCAT")


@dataclass(frozen=True)
class LesionOptions:
    """Options of the lesion summaries.

    Attributes
    ----------
    alpha_beta_gy : float
        Alpha/beta ratio in Gy for BED and EQD2.
    max_lesions : int
        More lesions than this is polyprogression (the protocol's limit is 3).
    """

    alpha_beta_gy: float = DEFAULT_SETTINGS.alpha_beta_gy
    max_lesions: int = protocol.MAX_LESIONS


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
    return adsl.loc[enrolled_mask(adsl)].drop_duplicates("USUBJID")


def enrolled_lesions(adtu: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    """Return the lesions of the enrolled ADSL subjects, with missing grouping values labelled."""
    out = adtu.copy()
    patients = enrolled_patients(adsl)
    if patients is not None:
        out = out.loc[out["USUBJID"].isin(patients["USUBJID"])]
    for col in ("TULOC", "TULOCCAT", "TUMETHOD", "MDTLES"):
        if col in out.columns:
            out[col] = out[col].astype(object).where(out[col].notna(), NOT_RECORDED)
    return out.reset_index(drop=True)


def ordered(values: pd.Series, known: tuple[str, ...]) -> list[str]:
    """Return the distinct values: the known ones in protocol order, then the others sorted."""
    present = set(values.dropna().astype(str))
    return [v for v in known if v in present] + sorted(present - set(known))


def with_mdttype(lesions: pd.DataFrame, adsl: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``lesions`` with the patient's MDTTYPE from ADSL ("Not recorded" when absent)."""
    out = lesions.copy()
    if adsl is not None and "MDTTYPE" in adsl.columns:
        mdt = adsl.drop_duplicates("USUBJID").set_index("USUBJID")["MDTTYPE"]
        out["MDTTYPE"] = out["USUBJID"].map(mdt).astype(object)
        out["MDTTYPE"] = out["MDTTYPE"].where(out["MDTTYPE"].notna(), NOT_RECORDED)
    else:
        out["MDTTYPE"] = NOT_RECORDED
    return out
