"""The example trial as a REDCap project would export it: a records CSV, its data dictionary, for a mapping.

The ADaM example (``medcare_metrics/example_data/*.csv``) is turned into what a site's REDCap project for
MEDCARE holds: one row per record and event (``screening_arm_1``, ``registration_arm_1``, ``treatment_arm_1``,
``follow_up_arm_1``, ``study_end_arm_1``), repeating instruments (lesions, adverse events, PSA samples,
outcomes; one row per ``redcap_repeat_instance``), coded radio and dropdown fields, a checkbox field
(``mdt_detail___1`` ...), dates as ``DD/MM/YYYY`` and calculated fields (study days, PSA change). The mapping
``medcare_metrics/example_data/redcap/mapping.yaml`` turns it back into the same datasets; the tests check
that every number agrees.

Re-made from the repository root with::

    python -m medcare_metrics.synthetic.redcap

(reads ``medcare_metrics/example_data``, writes ``medcare_metrics/example_data/redcap``), or with
``python -m medcare_metrics generate --out DIR --redcap`` for a newly generated trial.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Names of the files written: REDCap's own pattern, ``<project>_DATA_<date>_<time>.csv``.
RECORDS_NAME = "MEDCARE_DATA_{date}_1200.csv"
DICTIONARY_NAME = "MEDCARE_DataDictionary_{date}.csv"
#: The 18 columns of a REDCap data dictionary, in REDCap's order.
DICTIONARY_COLUMNS: tuple[str, ...] = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
#: Date format of the export (REDCap's "DD/MM/YYYY" export option; fields validated as ``date_dmy``).
DATE_FORMAT = "%d/%m/%Y"
EVENTS: tuple[str, ...] = (
    "screening_arm_1",
    "registration_arm_1",
    "treatment_arm_1",
    "follow_up_arm_1",
    "study_end_arm_1",
)
YES_NO = (("1", "Y"), ("0", "N"))


@dataclass(frozen=True)
class Field:
    """One REDCap field: its form, type and label, the choices (code, value in ADaM) and the ADaM column."""

    name: str
    form: str
    kind: str  # text, radio, dropdown, yesno, checkbox, calc, notes
    label: str
    column: str | None  # the ADaM column it holds (None: record_id, handled apart)
    choices: tuple[tuple[str, str], ...] = ()  # (code, value); REDCap shows value as its label
    validation: str = ""
    calculation: str = ""
    branching: str = ""

    @property
    def choices_text(self) -> str:
        """The dictionary's "Choices, Calculations" cell."""
        if self.kind == "calc":
            return self.calculation
        if self.kind == "yesno":
            return ""
        return " | ".join(f"{code}, {label}" for code, label in self.choices)


def _numbered(values: Sequence[str], start: int = 1) -> tuple[tuple[str, str], ...]:
    return tuple((str(i), v) for i, v in enumerate(values, start))


SITES = _numbered(("UZ Leuven", "UZ Gent", "AZ Groeninge Kortrijk", "GZA Antwerpen"))
CRITERIA = _numbered((*(f"INC{i:02d}" for i in range(1, 11)), *(f"EXC{i:02d}" for i in range(1, 6)), "OTHER"))
MDT_LESION_TYPES = _numbered(
    ("SBRT", "Conventional RT", "Metastasectomy", "Salvage lymphadenectomy", "Salvage prostatectomy")
)
_DAYS = 'datediff([treatment_arm_1][mdt_start],[{d}],"d","dmy",true)'
#: REDCap calculation of an ADaM study day (day 1 = first MDT, no day 0); {d} is the date field.
_STUDY_DAY = f"if({_DAYS}>=0,{_DAYS}+1,{_DAYS})"
_BASE = "[screening_arm_1][psa_baseline]"

#: The project's fields in form order. Repeating forms: lesions, adverse_events, psa, outcomes.
FIELDS: tuple[Field, ...] = (
    Field("record_id", "screening", "text", "Subject number (centre-patient)", None),
    Field("site", "screening", "dropdown", "Centre", "SITENAME", SITES),
    Field("consent_date", "screening", "text", "Date of informed consent", "RFICDT", validation="date_dmy"),
    Field("screening_date", "screening", "text", "Screening date", "SCRNDT", validation="date_dmy"),
    Field("age", "screening", "text", "Age at screening (years)", "AGE", validation="integer"),
    Field("sex", "screening", "radio", "Sex", "SEX", (("1", "M"), ("2", "F"))),
    Field(
        "who_ps",
        "screening",
        "radio",
        "WHO performance status",
        "WHOPS",
        tuple((str(i), str(i)) for i in range(5)),
    ),
    Field("testosterone", "screening", "text", "Serum testosterone (ng/dL)", "BTESTO", validation="number"),
    Field("psa_baseline", "screening", "text", "PSA at screening (ng/mL)", "BPSA", validation="number"),
    Field(
        "systemic_therapy",
        "screening",
        "radio",
        "Ongoing systemic therapy",
        "SYSTHER",
        _numbered(("ADT", "ADT + abiraterone", "ADT + enzalutamide", "ADT + docetaxel", "ADT + radium-223")),
    ),
    Field(
        "primary_treatment",
        "screening",
        "radio",
        "Treatment of the primary tumour",
        "PRIMTRT",
        _numbered(("Radiotherapy", "Radical prostatectomy", "Untreated")),
    ),
    Field(
        "n_lesions",
        "screening",
        "text",
        "Progressing lesions on CT + bone scan",
        "NLES",
        validation="integer",
    ),
    Field("psma_done", "screening", "yesno", "PSMA PET-CT done at baseline", "PSMAFL", YES_NO),
    Field(
        "screening_outcome", "screening", "radio", "Outcome of screening", "ENRLFL", (("1", "Y"), ("2", "N"))
    ),
    Field(
        "failed_criterion",
        "screening",
        "dropdown",
        "Eligibility criterion not met",
        "SCRFCRIT",
        CRITERIA,
        branching="[screening_outcome] = '2'",
    ),
    Field(
        "failure_reason",
        "screening",
        "notes",
        "Reason for screen failure",
        "SCRFREAS",
        branching="[screening_outcome] = '2'",
    ),
    Field("registration_date", "registration", "text", "Registration date", "ENRLDT", validation="date_dmy"),
    Field("lesion_site", "lesions", "text", "Anatomical site", "TULOC"),
    Field(
        "lesion_category",
        "lesions",
        "radio",
        "Site category",
        "TULOCCAT",
        _numbered(("Bone", "Lymph node", "Visceral", "Local recurrence")),
    ),
    Field(
        "lesion_detection",
        "lesions",
        "radio",
        "Seen on",
        "TUMETHOD",
        (("1", "Conventional"), ("2", "PSMA PET-CT only")),
    ),
    Field(
        "lesion_status",
        "lesions",
        "radio",
        "Status at registration",
        "LESSTAT",
        (("1", "New"), ("2", "Progressing")),
    ),
    Field(
        "lesion_mdt",
        "lesions",
        "dropdown",
        "MDT of this lesion",
        "MDTLES",
        (*MDT_LESION_TYPES, ("9", "None")),
    ),
    Field("lesion_mdt_date", "lesions", "text", "Date of that MDT", "MDTDT", validation="date_dmy"),
    Field("rt_dose", "lesions", "text", "Total dose (Gy)", "RTDOSE", validation="number"),
    Field("rt_fractions", "lesions", "text", "Fractions", "RTFX", validation="integer"),
    Field("mdt_received", "mdt", "yesno", "MDT received", "SAFFL", YES_NO),
    Field(
        "mdt_type",
        "mdt",
        "radio",
        "MDT received, by category",
        "MDTTYPE",
        _numbered(("SBRT", "Surgery", "SBRT + surgery")),
    ),
    Field("mdt_detail", "mdt", "checkbox", "MDT received, types", "MDTDETL", MDT_LESION_TYPES),
    Field("psma_changed_plan", "mdt", "yesno", "PSMA PET-CT changed the MDT plan", "PSMACHFL", YES_NO),
    Field("mdt_start", "mdt", "text", "First MDT date", "TRTSDT", validation="date_dmy"),
    Field("mdt_end", "mdt", "text", "Last MDT date", "TRTEDT", validation="date_dmy"),
    Field("ae_term", "adverse_events", "text", "Adverse event, as reported", "AETERM"),
    Field("ae_decod", "adverse_events", "text", "CTCAE v5 term", "AEDECOD"),
    Field("ae_soc", "adverse_events", "text", "System organ class", "AEBODSYS"),
    Field(
        "ae_grade",
        "adverse_events",
        "radio",
        "CTCAE grade",
        "ATOXGR",
        tuple((str(g), str(g)) for g in range(1, 6)),
    ),
    Field(
        "ae_severity",
        "adverse_events",
        "radio",
        "Severity",
        "AESEV",
        (("1", "MILD"), ("2", "MODERATE"), ("3", "SEVERE")),
    ),
    Field("ae_serious", "adverse_events", "yesno", "Serious", "AESER", YES_NO),
    Field(
        "ae_relation",
        "adverse_events",
        "radio",
        "Relationship to MDT",
        "AEREL",
        (("1", "RELATED"), ("2", "POSSIBLY RELATED"), ("3", "NOT RELATED")),
    ),
    Field("ae_start", "adverse_events", "text", "Onset date", "ASTDT", validation="date_dmy"),
    Field("ae_end", "adverse_events", "text", "End date", "AENDT", validation="date_dmy"),
    Field(
        "ae_study_day",
        "adverse_events",
        "calc",
        "Onset day (day 1 = first MDT)",
        "ASTDY",
        calculation=_STUDY_DAY.replace("{d}", "ae_start"),
    ),
    Field(
        "ae_emergent",
        "adverse_events",
        "calc",
        "Treatment emergent (1 = yes)",
        "TRTEMFL",
        YES_NO,
        calculation="if([ae_study_day]>=1,1,0)",
    ),
    Field("psa_date", "psa", "text", "Sample date", "ADT", validation="date_dmy"),
    Field("psa_value", "psa", "text", "PSA (ng/mL)", "AVAL", validation="number"),
    Field("psa_timing", "psa", "radio", "Sample", "ABLFL", (("1", "Y"), ("2", "N"))),
    Field(
        "psa_study_day",
        "psa",
        "calc",
        "Study day (day 1 = first MDT)",
        "ADY",
        calculation=_STUDY_DAY.replace("{d}", "psa_date"),
    ),
    Field(
        "psa_change",
        "psa",
        "calc",
        "Change from baseline (ng/mL)",
        "CHG",
        calculation=f"round([psa_value]-{_BASE},2)",
    ),
    Field(
        "psa_pct_change",
        "psa",
        "calc",
        "Change from baseline (%)",
        "PCHG",
        calculation=f"round(100*([psa_value]-{_BASE})/{_BASE},1)",
    ),
    Field(
        "endpoint", "outcomes", "radio", "Endpoint", "PARAMCD", (("1", "NESTFS"), ("2", "PFS"), ("3", "OS"))
    ),
    Field("outcome_status", "outcomes", "radio", "Status", "CNSR", (("1", "0"), ("2", "1"))),
    Field(
        "outcome_date", "outcomes", "text", "Date of the event or of censoring", "ADT", validation="date_dmy"
    ),
    Field(
        "event_type",
        "outcomes",
        "dropdown",
        "Event",
        "EVNTDESC",
        _numbered(("Start of next-line systemic treatment", "Radiographic progression (PCWG3)", "Death")),
        branching="[outcome_status] = '1'",
    ),
    Field(
        "censor_reason",
        "outcomes",
        "dropdown",
        "Censored at",
        "CNSDTDSC",
        _numbered(("Data cut-off", "Lost to follow-up", "Withdrawal by subject")),
        branching="[outcome_status] = '2'",
    ),
    Field(
        "eos_status",
        "study_end",
        "radio",
        "Study status",
        "EOSSTT",
        _numbered(("ONGOING", "COMPLETED", "DISCONTINUED")),
    ),
    Field(
        "eos_reason",
        "study_end",
        "dropdown",
        "Reason for discontinuation",
        "DCSREAS",
        _numbered(("Screen failure", "Death", "Lost to follow-up", "Withdrawal by subject")),
        branching="[eos_status] = '3'",
    ),
    Field("eos_date", "study_end", "text", "End-of-study date", "EOSDT", validation="date_dmy"),
    Field("death", "study_end", "yesno", "Died", "DTHFL", YES_NO),
    Field(
        "death_date",
        "study_end",
        "text",
        "Date of death",
        "DTHDT",
        validation="date_dmy",
        branching="[death] = '1'",
    ),
    Field("last_alive_date", "study_end", "text", "Last date known alive", "LSTALVDT", validation="date_dmy"),
)
#: Form -> (event, ADaM dataset it feeds, repeating).
FORMS: dict[str, tuple[str, str, bool]] = {
    "screening": ("screening_arm_1", "adsl", False),
    "registration": ("registration_arm_1", "adsl", False),
    "lesions": ("registration_arm_1", "adtu", True),
    "mdt": ("treatment_arm_1", "adsl", False),
    "adverse_events": ("follow_up_arm_1", "adae", True),
    "psa": ("follow_up_arm_1", "adlb", True),
    "outcomes": ("follow_up_arm_1", "adtte", True),
    "study_end": ("study_end_arm_1", "adsl", False),
}
#: Form -> the ADSL column whose presence says the record has that form's event (None: every record).
_EVENT_PRESENT: dict[str, str | None] = {
    "screening": None,
    "registration": "ENRLDT",
    "mdt": "TRTSDT",
    "study_end": None,
}


def _checkbox_columns(field: Field) -> list[str]:
    return [f"{field.name}___{code}" for code, _ in field.choices]


def export_columns() -> list[str]:
    """Return the columns of the records export, in REDCap's order (fields by form, then ``<form>_complete``).

    Returns
    -------
    list of str
        ``record_id``, ``redcap_event_name``, ``redcap_repeat_instrument``, ``redcap_repeat_instance``, the
        fields (a checkbox as one column per choice) and each form's ``_complete`` after its fields.
    """
    columns = ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    for form in FORMS:
        for field in FIELDS:
            if field.form != form or field.name == "record_id":
                continue
            columns.extend(_checkbox_columns(field) if field.kind == "checkbox" else [field.name])
        columns.append(f"{form}_complete")
    return columns


def _code(field: Field, value: str) -> str:
    """Return the REDCap code of an ADaM value (raises when the project has no such choice)."""
    for code, choice in field.choices:
        if choice == value:
            return code
    raise ValueError(
        f"{field.name}: {value!r} is not one of the REDCap choices {[c for _, c in field.choices]}"
    )


def _cell(field: Field, value: object) -> str:
    """Return the export cell of a field for an ADaM value (as read from the ADaM CSV; '' when missing)."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if field.validation == "date_dmy":
        return pd.Timestamp(text).strftime(DATE_FORMAT)
    if field.kind in ("radio", "dropdown", "yesno") or (field.kind == "calc" and field.choices):
        return _code(field, text)
    return text


def _form_cells(form: str, record: pd.Series) -> dict[str, str]:
    cells: dict[str, str] = {}
    for field in FIELDS:
        if field.form != form or field.name == "record_id":
            continue
        if field.kind == "checkbox":
            chosen = set(str(record.get(field.column, "") or "").split("; ")) - {""}
            for (_, value), column in zip(field.choices, _checkbox_columns(field), strict=True):
                cells[column] = "1" if value in chosen else "0"
            unknown = chosen - {v for _, v in field.choices}
            if unknown:
                raise ValueError(f"{field.name}: {sorted(unknown)} not among the REDCap choices")
        else:
            cells[field.name] = _cell(field, record.get(str(field.column), ""))
    cells[f"{form}_complete"] = "2"
    return cells


def redcap_records(adam: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the REDCap records export of an ADaM trial.

    Parameters
    ----------
    adam : dict of str to pandas.DataFrame
        ``adsl``, ``adtte``, ``adae``, ``adtu``, ``adlb`` as read from the ADaM CSV files with every cell as
        text (``dtype=str``, missing as ``""``), in their file order.

    Returns
    -------
    pandas.DataFrame
        One row per record and event, and per repeat instance of a repeating form; records in ADSL order.

    Raises
    ------
    ValueError
        When a value has no code among the project's choices, or USUBJID is not ``MEDCARE-<record_id>``.
    """
    adsl = adam["adsl"]
    rows: list[dict[str, str]] = []
    for subject in adsl.to_dict("records"):
        usubjid = subject["USUBJID"]
        record_id = subject["SUBJID"]
        if usubjid != f"MEDCARE-{record_id}" or subject["SITENAME"] != dict(SITES).get(
            subject["SITEID"].lstrip("0")
        ):
            raise ValueError(
                f"{usubjid}: USUBJID, SUBJID, SITEID and SITENAME do not follow the project's rules"
            )
        for event in EVENTS:
            forms = [f for f, (e, _, repeating) in FORMS.items() if e == event and not repeating]
            present = [f for f in forms if _EVENT_PRESENT[f] is None or subject.get(_EVENT_PRESENT[f] or "")]
            if present:
                row = {"record_id": record_id, "redcap_event_name": event}
                for form in present:
                    row |= _form_cells(form, pd.Series(subject))
                rows.append(row)
            for form, (e, dataset, repeating) in FORMS.items():
                if e != event or not repeating:
                    continue
                frame = adam[dataset]
                mine = frame.loc[frame["USUBJID"] == usubjid]
                for instance, record in enumerate(mine.to_dict("records"), start=1):
                    row = {
                        "record_id": record_id,
                        "redcap_event_name": event,
                        "redcap_repeat_instrument": form,
                        "redcap_repeat_instance": str(instance),
                    }
                    rows.append(row | _form_cells(form, pd.Series(record)))
    return pd.DataFrame(rows, columns=export_columns()).fillna("")


def redcap_dictionary() -> pd.DataFrame:
    """Return the project's REDCap data dictionary (the 18 standard columns, one row per field).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DICTIONARY_COLUMNS`.
    """
    rows = []
    for field in FIELDS:
        rows.append(
            {
                "Variable / Field Name": field.name,
                "Form Name": field.form,
                "Field Type": field.kind,
                "Field Label": field.label,
                "Choices, Calculations, OR Slider Labels": field.choices_text,
                "Text Validation Type OR Show Slider Number": field.validation,
                "Branching Logic (Show field only if...)": field.branching,
                "Field Annotation": f"ADaM: {field.column}"
                if field.column
                else "ADaM: SUBJID (USUBJID = MEDCARE-<record_id>)",
            }
        )
    return pd.DataFrame(rows, columns=list(DICTIONARY_COLUMNS)).fillna("")


def read_adam_text(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Read the ADaM CSV files of a folder with every cell as text (missing as ``""``).

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder with ``adsl.csv``, ``adtte.csv``, ``adae.csv``, ``adtu.csv``, ``adlb.csv``.

    Returns
    -------
    dict of str to pandas.DataFrame
        The datasets by name.
    """
    return {
        name: pd.read_csv(Path(folder) / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("adsl", "adtte", "adae", "adtu", "adlb")
    }


def write_redcap_export(adam_folder: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the REDCap records export and data dictionary of the ADaM CSV files in ``adam_folder``.

    Parameters
    ----------
    adam_folder : str or pathlib.Path
        The ADaM example (``generate --format csv`` output).
    out_dir : str or pathlib.Path
        Where to write; created when absent. The mapping file is not written (it is kept by hand, with its
        comments); ``medcare_metrics/example_data/redcap/mapping.yaml`` fits what this writes.

    Returns
    -------
    list of pathlib.Path
        The records export and the data dictionary.
    """
    adam = read_adam_text(adam_folder)
    cutoff = adam["adsl"]["DCUTDT"].iloc[0]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    records = out / RECORDS_NAME.format(date=cutoff)
    dictionary = out / DICTIONARY_NAME.format(date=cutoff)
    redcap_records(adam).to_csv(records, index=False, lineterminator="\n")
    redcap_dictionary().to_csv(dictionary, index=False, lineterminator="\n")
    return [records, dictionary]


def main(argv: Sequence[str] | None = None) -> int:
    """Write the REDCap export of an ADaM folder (default: the shipped example, into its ``redcap`` folder).

    Parameters
    ----------
    argv : sequence of str, optional
        ``[--adam DIR] [--out DIR]``.

    Returns
    -------
    int
        0.
    """
    from medcare_metrics.loading.sources import example_path

    parser = argparse.ArgumentParser(prog="python -m medcare_metrics.synthetic.redcap", description=__doc__)
    parser.add_argument("--adam", default=str(example_path()), help="folder of ADaM CSV files")
    parser.add_argument("--out", default=str(example_path() / "redcap"), help="folder to write to")
    args = parser.parse_args(argv)
    for path in write_redcap_export(args.adam, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
