"""Names for people of ADaM variables, once: tables, filters, the filter line and figure axes use them.

Words from docs/data-dictionary.md. Downloads keep the ADaM names, which the data dictionary defines; a
variable not named here is shown by its ADaM name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Label per ADaM variable (and per derived column the pages' tables share).
VARIABLE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "STUDYID": "Study",
        "USUBJID": "Patient",
        "SUBJID": "Patient (site number)",
        "SITEID": "Centre",
        "SITENAME": "Centre name",
        "AGE": "Age",
        "ARM": "Arm",
        "SEX": "Sex",
        "ENRLFL": "Enrolled",
        "ENRLDT": "Enrolled on",
        "RANDDT": "Randomised on",
        "SCRNDT": "Screened on",
        "TRTSDT": "MDT start",
        "TRTEDT": "MDT end",
        "DCUTDT": "Data cut-off",
        "EOSSTT": "Study status",
        "EOSDT": "End of study date",
        "DTHFL": "Died",
        "DTHDT": "Date of death",
        "SAFFL": "Safety population",
        "MDTTYPE": "MDT type",
        "MDTDETL": "MDT (detail)",
        "MDTLES": "MDT of the lesion",
        "SYSTHER": "Ongoing systemic therapy",
        "PRIMTRT": "Primary treatment",
        "NLES": "Number of lesions",
        "WHOPS": "WHO PS",
        "PSMAFL": "PSMA PET-CT done",
        "PSMACHFL": "PSMA changed plan",
        "SCRFCRIT": "Screen failure criterion",
        "SCRFREAS": "Screen failure reason",
        "PARAM": "Parameter",
        "PARAMCD": "Endpoint",
        "AVAL": "Value",
        "AVALU": "Unit",
        "CNSR": "Censored (1) / event (0)",
        "STARTDT": "Start",
        "ADT": "Date",
        "ADY": "Study day",
        "AEDECOD": "Term",
        "AETERM": "Reported term",
        "AEBODSYS": "System organ class",
        "AESEQ": "Seq",
        "ATOXGR": "Grade",
        "AETOXGR": "Grade",
        "AESEV": "Severity",
        "AESER": "Serious",
        "AEREL": "Relationship",
        "ASTDT": "Onset",
        "AENDT": "End",
        "TRTEMFL": "TEAE",
        "TULOCCAT": "Site category",
        "TULOC": "Site",
        "TUMETHOD": "Detected by",
        "DOSE": "Dose (Gy)",
        "FRACTIONS": "Fractions",
        "N": "N",
        "PCT": "%",
        "GROUP": "Group",
        "LABEL": "Label",
        "DEFINITION": "Definition",
        "TIME": "Time",
        "N_RISK": "At risk",
        "N_EVENT": "Events",
        "N_CENSOR": "Censored",
        "EVENTS": "Events",
        "SURV": "Survival",
        "STD_ERR": "Standard error",
        "MEDIAN": "Median",
        "LOWER": "Lower 95% CI",
        "UPPER": "Upper 95% CI",
        "ON_STUDY": "On study",
        "DUE": "Due",
        "OVERDUE": "Overdue",
        "QUERIES": "Queries",
        "ITTFL": "Intention to treat",
        "RACE": "Race",
        "AGEGR1": "Age group",
        "DCSREAS": "Reason for discontinuation",
        "LSTALVDT": "Last known alive",
        "TRT01P": "Planned treatment",
        "TRT01A": "Actual treatment",
        "ACTARM": "Actual arm",
    }
)


def variable_label(column: str) -> str:
    """Return the name for people of column ``column`` (any case), else the column's own name.

    Parameters
    ----------
    column : str
        ADaM variable or derived column.

    Returns
    -------
    str
        Its label, or ``column`` unchanged.
    """
    return VARIABLE_LABELS.get(str(column).upper(), str(column))
