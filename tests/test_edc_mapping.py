"""The EDC mapping engine on tiny hand-built REDCap exports: rows, codes, dates, checkboxes, derivations.

Each export is a few lines of CSV held in memory and read with ``read_export`` (no file written), except where
a test is about files on disk (a single CSV file as the source, a missing file).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from medcare_metrics.loading import PROBLEM_COLUMNS, load_trial
from medcare_metrics.loading.edc import (
    MappingError,
    checkbox_column,
    map_datasets,
    parse_mapping,
    read_export,
)

HEADER = (
    "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,"
    "site,sex,consent,reg_date,mdt___1,mdt___2,mdt___3,status,last_date,ae_term,ae_grade"
)
ROWS = [
    # line 2.. : record 1 screening, registration, two AE instances; record 2 screening only
    "1,screening_arm_1,,,1,1,31/01/2024,,,,,,,,",
    "1,registration_arm_1,,,,,,05/02/2024,1,0,1,1,15/02/2024,,",
    "1,follow_up_arm_1,ae,1,,,,,,,,,,Nausea,1",
    "1,follow_up_arm_1,ae,2,,,,,,,,,,Fatigue,2",
    "2,screening_arm_1,,,2,2,01/03/2024,,,,,,,,",
]

MAPPING = """
version: 1
export:
  files: {records: "export_*.csv"}
date_format: "%d/%m/%Y"
code_lists:
  site: {1: "01", 2: "02"}
  mdt: {1: SBRT, 2: Surgery, 3: Conventional RT}
datasets:
  adsl:
    file: records
    events: [screening_arm_1, registration_arm_1]
    variables:
      STUDYID: {value: TINY}
      USUBJID: {column: record_id, prefix: T-}
      SITEID: {column: site, codes: site}
      SEX: {column: sex, codes: {1: M, 2: F}}
      RFICDT: consent
      ENRLDT: reg_date
      MDTDETL: {checkbox: mdt, codes: mdt, join: "; "}
      SAFFL: {column: mdt___1, codes: {1: Y, 0: N}, default: N}
  adtte:
    file: records
    events: registration_arm_1
    variables:
      USUBJID: {column: record_id, prefix: T-}
      PARAMCD: {value: OS}
      STARTDT: {from_adsl: RFICDT}
      ADT: last_date
      AVAL: {duration: {start: STARTDT, end: ADT, unit: DAYS}}
      CNSR: {event_flag: {column: status, event: [1], censored: [0]}}
  adae:
    file: records
    form: ae
    variables:
      USUBJID: {column: record_id, prefix: T-}
      AESEQ: redcap_repeat_instance
      AETERM: ae_term
      AEDECOD: ae_term
      AEBODSYS: {value: General disorders}
      ATOXGR: ae_grade
"""


def export(rows: list[str] = ROWS, header: str = HEADER) -> dict[str, bytes]:
    return {"export_2024-03-31.csv": ("\n".join([header, *rows]) + "\n").encode("utf-8")}


def load(mapping: str = MAPPING, files: dict[str, bytes] | None = None):
    return read_export(export() if files is None else files, mapping, name="tiny")


def only(problems: pd.DataFrame, check: str) -> pd.DataFrame:
    return problems.loc[problems["check"] == check]


def test_rows_values_codes_and_dates() -> None:
    result = load()
    assert result.problems.empty, result.problems.to_string()
    trial = result.trial
    assert trial is not None
    adsl = trial.adsl
    # One row per record: the registration event's values join the screening row.
    assert list(adsl["USUBJID"]) == ["T-1", "T-2"]
    assert list(adsl["SITEID"]) == ["01", "02"]
    assert list(adsl["SEX"]) == ["M", "F"]
    assert list(adsl["RFICDT"]) == [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-03-01")]
    assert adsl["ENRLDT"].iloc[0] == pd.Timestamp("2024-02-05") and pd.isna(adsl["ENRLDT"].iloc[1])
    assert list(adsl["STUDYID"]) == ["TINY", "TINY"]
    # Checkbox joined in code-list order; nothing ticked is missing. A default fills a record's gap.
    assert adsl["MDTDETL"].iloc[0] == "SBRT; Conventional RT" and pd.isna(adsl["MDTDETL"].iloc[1])
    assert list(adsl["SAFFL"]) == ["Y", "N"]


def test_one_row_per_repeat_instance() -> None:
    adae = load().trial.adae  # type: ignore[union-attr]
    assert list(adae["AESEQ"]) == [1, 2]
    assert list(adae["AETERM"]) == ["Nausea", "Fatigue"]
    assert list(adae["ATOXGR"]) == [1, 2]
    assert set(adae["USUBJID"]) == {"T-1"}


def test_derived_aval_cnsr_and_subject_value() -> None:
    adtte = load().trial.adtte  # type: ignore[union-attr]
    row = adtte.iloc[0]
    assert row["STARTDT"] == pd.Timestamp("2024-01-31")  # copied from ADSL.RFICDT
    assert row["AVAL"] == 15.0  # 2024-01-31 to 2024-02-15
    assert row["AVALU"] == "DAYS"  # set from the duration's unit, since not mapped
    assert row["CNSR"] == 0  # status 1 is an event: CNSR = 0


def test_duration_in_months_uses_the_rules_unit() -> None:
    text = MAPPING.replace("unit: DAYS", "unit: MONTHS")
    adtte = load(text).trial.adtte  # type: ignore[union-attr]
    assert adtte["AVAL"].iloc[0] == pytest.approx(15 / 30.4375)
    assert adtte["AVALU"].iloc[0] == "MONTHS"


def test_checkbox_one_row_per_ticked_box() -> None:
    text = MAPPING.replace(
        "      ATOXGR: ae_grade\n",
        "      ATOXGR: ae_grade\n  adtu:\n    file: records\n    events: registration_arm_1\n"
        "    variables:\n      USUBJID: {column: record_id, prefix: T-}\n      TULNKID: {value: L1}\n"
        "      TULOC: {value: Rib}\n      TULOCCAT: {value: Bone}\n"
        "      MDTLES: {checkbox: mdt, codes: mdt}\n",
    )
    frames, problems = map_datasets(parse_mapping(text), export())
    assert problems.empty
    assert list(frames["adtu"]["MDTLES"]) == ["SBRT", "Conventional RT"]


def test_unmapped_code_names_file_row_column_and_value() -> None:
    rows = [*ROWS]
    rows[4] = rows[4].replace("2,screening_arm_1,,,2,2,", "2,screening_arm_1,,,7,3,")
    result = load(files=export(rows))
    problems = only(result.problems, "code list")
    assert list(result.problems.columns) == list(PROBLEM_COLUMNS)
    site = problems.loc[problems["column"] == "site"].iloc[0]
    assert site["file"] == "export_2024-03-31.csv"
    assert site["row"] == 6  # header is line 1; record 2's screening row is line 6
    assert site["USUBJID"] == "T-2"
    assert "'7'" in site["problem"] and "code list site" in site["problem"]
    assert site["severity"] == "error"  # SITEID is required: the row is then excluded
    sex = problems.loc[problems["column"] == "sex"].iloc[0]
    assert "'3'" in sex["problem"] and sex["severity"] == "warning"
    # Loading excludes the subject without its SITEID and says so too.
    assert list(result.trial.adsl["USUBJID"]) == ["T-1"]  # type: ignore[union-attr]


def test_bad_date_and_unknown_status_code() -> None:
    rows = [*ROWS]
    rows[0] = rows[0].replace("31/01/2024", "2024-01-31")
    rows[1] = rows[1].replace(",1,15/02/2024", ",9,15/02/2024")
    problems = load(files=export(rows)).problems
    date = only(problems, "date format").iloc[0]
    assert (date["column"], date["row"]) == ("consent", 2)
    assert "'2024-01-31'" in date["problem"] and "%d/%m/%Y" in date["problem"]
    status = only(problems, "code list").iloc[0]
    assert (status["column"], status["row"], status["dataset"]) == ("status", 3, "ADTTE")
    assert "'9'" in status["problem"] and "event 1; censored 0" in status["problem"]


def test_unknown_column_in_the_mapping() -> None:
    text = MAPPING.replace("SEX: {column: sex,", "SEX: {column: gender,")
    problems = load(text).problems
    missing = only(problems, "mapping column").iloc[0]
    assert missing["column"] == "gender"
    assert missing["file"] == "export_2024-03-31.csv"
    assert "datasets.adsl.variables.SEX" in missing["problem"]


def test_checkbox_value_that_is_neither_ticked_nor_not() -> None:
    rows = [*ROWS]
    rows[1] = rows[1].replace(",1,0,1,", ",1,x,1,")
    problem = only(load(files=export(rows)).problems, "checkbox").iloc[0]
    assert (problem["column"], problem["row"]) == ("mdt___2", 3)
    assert "'x'" in problem["problem"]


def test_two_events_with_different_values_warn() -> None:
    rows = [*ROWS]
    rows[1] = rows[1].replace("registration_arm_1,,,,2,", "registration_arm_1,,,,2,")
    rows[1] = "1,registration_arm_1,,,2,,,05/02/2024,1,0,1,1,15/02/2024,,"
    result = load(files=export(rows))
    warning = only(result.problems, "one value per record").iloc[0]
    assert warning["severity"] == "warning" and warning["row"] == 2
    assert "(row 2)" in warning["problem"] and "(row 3)" in warning["problem"]
    assert result.trial.adsl["SITEID"].iloc[0] == "01"  # type: ignore[union-attr]


def test_missing_file_and_several_matching_files() -> None:
    # (One file alone is the export whatever its name, as a downloaded file renamed by the browser.)
    result = load(files={"other.csv": b"a\n1\n", "notes.csv": b"b\n2\n"})
    assert result.trial is None
    assert "no file" in result.problems["problem"].iloc[0]
    both = export() | {"export_2024-04-30.csv": export()["export_2024-03-31.csv"]}
    problem = load(files=both).problems["problem"].iloc[0]
    assert "several files" in problem and "export_2024-04-30.csv" in problem


def test_a_single_csv_file_as_the_source(tmp_path: Path) -> None:
    source = tmp_path / "download.csv"
    source.write_bytes(export()["export_2024-03-31.csv"])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = load_trial(source, mapping=mapping)
    assert result.problems.empty and result.trial is not None and len(result.trial.adsl) == 2
    with pytest.raises(FileNotFoundError, match="mapping file not found"):
        load_trial(source, mapping=tmp_path / "absent.yaml")


def test_plain_tables_kind() -> None:
    text = """
version: 1
export: {kind: tables, files: {subjects: subjects.csv}, record_id: id}
datasets:
  adsl:
    file: subjects
    variables:
      USUBJID: id
      STUDYID: {value: X}
      SITEID: centre
"""
    files = {"subjects.csv": b"id;centre\nA;1\nB;2\n"}  # semicolon-separated, as European Excel writes
    trial = read_export(files, text, name="tables").trial
    assert trial is not None and list(trial.adsl["SITEID"]) == ["1", "2"]


def test_checkbox_column_names() -> None:
    assert checkbox_column("mdt", "1") == "mdt___1"
    assert checkbox_column("sites", "Bone-2") == "sites___bone_2"
    assert checkbox_column("x", "-1") == "x___neg1"


def errors_of(text: str) -> pd.DataFrame:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, name="m.yaml")
    frame = caught.value.frame()
    assert list(frame.columns) == list(PROBLEM_COLUMNS)
    assert (frame["file"] == "m.yaml").all() and (frame["check"] == "mapping").all()
    return frame


def test_bad_mapping_names_every_key_path_and_line() -> None:
    text = MAPPING.replace("date_format:", "colour: red\ndate_format:").replace(
        "RFICDT: consent", "RFICDT: {column: consent, date_format: '%Y'}\n      age: age"
    )
    frame = errors_of(text)
    by_path = dict(zip(frame["column"], frame["problem"], strict=True))
    assert "unknown key" in by_path["colour"]
    assert "day, month and year" in by_path["datasets.adsl.variables.RFICDT.date_format"]
    assert "upper-case" in by_path["datasets.adsl.variables.age"]
    line = frame.loc[frame["column"] == "colour", "row"].iloc[0]
    assert text.splitlines()[line - 1].startswith("colour:")
    assert set(frame["dataset"]) == {"ADSL"}


def test_bad_mapping_references() -> None:
    text = MAPPING.replace("codes: site}", "codes: sites}").replace("start: STARTDT", "start: NOPE")
    text = text.replace("file: records\n    form: ae", "file: recs\n    form: ae")
    frame = errors_of(text)
    problems = " | ".join(frame["problem"])
    assert "code list 'sites' is not defined" in problems
    assert "NOPE is not a (non-duration) variable" in problems
    assert "file 'recs' is not one of export.files" in problems
    assert set(frame["dataset"]) == {"ADSL", "ADTTE", "ADAE"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nexport: [\n", "not valid YAML"),
        ("- a\n- b\n", "must be a YAML mapping"),
        ("a: &x [1]\nb: *x\n", "aliases"),
        (
            "version: 1\nexport: {files: {r: x.csv}}\ncode_lists: {yn: {1: yes}}\ndatasets: {}\n",
            "put the value in quotes",
        ),
        ("version: 2\nexport: {files: {r: x.csv}}\ndatasets: {}\n", "version"),
        (
            "version: 1\nexport: {files: {r: x.csv}}\ndatasets:\n  adsl:\n    file: r\n    variables:\n"
            "      USUBJID: {column: a, value: b}\n",
            "exactly one of",
        ),
        (
            "version: 1\nexport: {files: {r: x.csv}}\ndatasets:\n  adxx: {file: r, variables: {A: a}}\n",
            "datasets.adxx",
        ),
    ],
)
def test_bad_mapping_messages(text: str, expected: str) -> None:
    frame = errors_of(text)
    assert expected in " | ".join(frame["problem"]) + " | " + " | ".join(frame["column"].fillna(""))


def test_a_bad_mapping_is_a_problem_table_not_an_exception(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "version: 1\nexport: {files: {r: x.csv}}\ndatasets: {adsl: {file: r}}\n", encoding="utf-8"
    )
    result = load_trial(tmp_path, mapping=mapping)
    assert result.trial is None
    row = result.problems.iloc[0]
    assert (row["file"], row["row"], row["column"]) == ("mapping.yaml", 3, "datasets.adsl.variables")
