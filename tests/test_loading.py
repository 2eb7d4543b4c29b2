"""Loading: every source format, the real conformance data, the dtype contract, derivations, and that the
source is never written to. Validation rules themselves are in tests/test_validation.py."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from conftest import CONFORMANCE, tiny_frames, write_source

from medcare_metrics.loading import example_path, fingerprint, load_trial, summarise_problems

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small"
PILOT = CONFORMANCE / "cdiscpilot01"
PHARMAVERSE = CONFORMANCE / "pharmaverseadam"


def read_small(name: str) -> pd.DataFrame:
    return pd.read_csv(SMALL / f"{name}.csv", dtype=str, keep_default_na=False)


def snapshot(path: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``path`` (or ``path`` itself) with its mtime and bytes."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes()) for p in files}


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give the small source's text frame real types, as a Parquet or Excel export would have."""
    out = frame.replace("", None)
    for col in out.columns:
        if col.endswith("DT"):
            out[col] = pd.to_datetime(out[col])
        elif col in ("AGE", "BTESTO", "BPSA", "AVAL", "RTDOSE", "BASE", "CHG", "PCHG"):
            out[col] = out[col].astype(float)
        elif col in ("WHOPS", "NLES", "CNSR", "ATOXGR", "AETOXGR", "AESEQ", "ASTDY", "RTFX", "ADY"):
            out[col] = out[col].astype(float).astype("Int64")
    return out


# --------------------------------------------------------------------------------------------------------
# Real ADaM data (written by others)


@pytest.mark.parametrize(
    ("folder", "rows"),
    [
        (PILOT, {"adsl": 254, "adtte": 254, "adae": 1191}),
        (PHARMAVERSE, {"adsl": 306, "adtte": 512, "adae": 1191}),
    ],
)
def test_conformance_csv_folders_load(folder: Path, rows: dict[str, int]) -> None:
    result = load_trial(folder)
    assert result.trial is not None
    assert result.trial.available == ("adsl", "adtte", "adae")
    assert {n: len(result.trial.dataset(n)) for n in rows} == rows
    assert result.n_errors == 0, result.problems.to_string()
    assert result.trial.name == folder.name


def test_region1_na_is_a_value_not_missing() -> None:
    adsl = load_trial(PHARMAVERSE).trial.adsl
    assert (adsl["REGION1"] == "NA").all()


def test_enrlfl_derived_from_randdt_in_pharmaverse() -> None:
    raw = pd.read_csv(PHARMAVERSE / "adsl.csv", keep_default_na=False, na_values=[""])
    trial = load_trial(PHARMAVERSE).trial
    assert int((trial.adsl["ENRLFL"] == "Y").sum()) == int(raw["RANDDT"].notna().sum())
    assert any("ENRLFL" in n and "RANDDT" in n for n in trial.notes)
    assert any("adrs.csv" in n for n in trial.notes)  # present in the folder, not a MEDCARE dataset


def test_xpt_matches_the_csv_export_of_the_same_data() -> None:
    xpt = load_trial(PILOT / "xpt")
    assert xpt.problems.empty, xpt.problems.to_string()
    trial = xpt.trial
    assert {n: len(trial.dataset(n)) for n in trial.available} == {"adsl": 254, "adtte": 254, "adae": 1191}
    csv_adsl = pd.read_csv(PILOT / "adsl.csv", keep_default_na=False, na_values=[""])
    assert trial.adsl["USUBJID"].tolist() == csv_adsl["USUBJID"].tolist()
    # SAS DATE-formatted numbers arrive as dates and must equal the ISO text of the CSV export.
    assert trial.adsl["TRTSDT"].dtype == "datetime64[ns]"
    assert trial.adsl["TRTSDT"].equals(pd.to_datetime(csv_adsl["TRTSDT"]))
    csv_adtte = pd.read_csv(PILOT / "adtte.csv")
    assert trial.adtte["AVAL"].tolist() == csv_adtte["AVAL"].astype(float).tolist()
    assert trial.adtte["CNSR"].dtype == "Int64"
    assert trial.adtte["CNSR"].tolist() == csv_adtte["CNSR"].tolist()
    assert (trial.adsl["SITEID"] == csv_adsl["SITEID"].astype(str)).all()


def test_xpt_problem_row_is_the_record_number(tmp_path: Path) -> None:
    folder = tmp_path / "xpt"
    folder.mkdir()
    adsl = read_small("adsl")[["STUDYID", "USUBJID", "SITEID", "SEX"]]
    adsl.loc[1, "SEX"] = "Male"
    pyreadstat.write_xport(adsl, str(folder / "adsl.xpt"))
    p = load_trial(folder).problems
    assert p[["file", "row", "USUBJID", "column"]].values.tolist() == [["adsl.xpt", 2, "S2", "SEX"]]


# --------------------------------------------------------------------------------------------------------
# Other formats


def test_sas7bdat_fixture_loads() -> None:
    """tests/data/sas7bdat was written by ReadStat (see its README): dates are plain SAS day numbers."""
    result = load_trial(DATA / "sas7bdat")
    assert result.problems.empty, result.problems.to_string()
    adsl, adtte = result.trial.adsl, result.trial.adtte
    assert adsl["SITEID"].tolist() == ["001", "001", "002"]
    assert adsl["REGION1"].tolist() == ["NA", "NA", "NA"]
    assert adsl["ENRLDT"].tolist()[0] == pd.Timestamp("2023-01-05")
    assert pd.isna(adsl["ENRLDT"].iloc[1])
    assert adsl["ENRLDT"].iloc[2] == pd.Timestamp("2023-03-02")
    assert (adsl["DCUTDT"] == pd.Timestamp("2024-06-30")).all()
    assert adsl["WHOPS"].dtype == "Int64" and adsl["WHOPS"].tolist() == [0, 1, 1]
    assert adtte["AVAL"].tolist() == [300.0, 120.5, 90.0]
    assert adtte["CNSR"].tolist() == [1, 0, 0]
    assert adtte["STARTDT"].tolist() == [pd.Timestamp(d) for d in ("2023-01-05", "2023-03-02", "2023-03-02")]


def test_parquet_folder_with_typed_and_text_columns(tmp_path: Path) -> None:
    folder = tmp_path / "pq"
    folder.mkdir()
    typed(read_small("adsl")).to_parquet(folder / "adsl.parquet")
    adtte = typed(read_small("adtte"))
    adtte["STARTDT"] = read_small("adtte")["STARTDT"]  # dates as text are read too
    adtte.loc[2, "AVAL"] = -5.0
    adtte.to_parquet(folder / "ADTTE.parquet")
    result = load_trial(folder)
    assert result.trial.adsl["SITEID"].tolist() == ["01", "01", "02"]
    assert result.trial.adsl["TRTSDT"].iloc[0] == pd.Timestamp("2023-01-20")
    assert result.trial.adtte["STARTDT"].tolist() == [pd.Timestamp("2023-01-10")] * 2
    p = result.problems
    assert p[["file", "row", "USUBJID", "column", "severity"]].values.tolist() == [
        ["ADTTE.parquet", 3, "S2", "AVAL", "error"]
    ]


def test_excel_workbook_with_a_sheet_per_dataset(tmp_path: Path) -> None:
    workbook = tmp_path / "cut 2024.xlsx"
    adsl = read_small("adsl")
    adsl.loc[2, "WHOPS"] = "high"
    with pd.ExcelWriter(workbook) as writer:
        adsl.replace("", None).to_excel(writer, sheet_name="adsl", index=False)
        typed(read_small("adtte")).to_excel(writer, sheet_name="Adtte", index=False)
        read_small("adae").to_excel(writer, sheet_name="Notes", index=False)  # not a dataset name
    result = load_trial(workbook)
    trial = result.trial
    assert trial.name == "cut 2024"
    assert trial.available == ("adsl", "adtte")
    assert trial.adsl["SITEID"].tolist() == ["01", "01", "02"]
    assert trial.adsl["REGION1"].tolist() == ["NA"] * 3
    assert trial.adsl["TRTSDT"].iloc[1] == pd.Timestamp("2023-02-20")
    assert trial.adtte["CNSR"].tolist() == [1, 0, 0]
    assert result.problems[["file", "row", "USUBJID", "column"]].values.tolist() == [
        ["cut 2024.xlsx [adsl]", 4, "S3", "WHOPS"]
    ]


def test_excel_file_per_dataset_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    read_small("adsl").replace("", None).to_excel(folder / "ADSL.xlsx", index=False)
    shutil.copy(SMALL / "adae.csv", folder / "adae.csv")
    result = load_trial(folder)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial.available == ("adsl", "adae")
    assert len(result.trial.adsl) == 3


def test_zip_of_a_folder(tmp_path: Path) -> None:
    archive = tmp_path / "cut.zip"
    adtte = read_small("adtte")
    adtte.loc[0, "CNSR"] = "censored"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("adsl", "adae", "adtu", "adlb"):
            zf.write(SMALL / f"{name}.csv", f"cut/{name}.csv")
        zf.writestr("cut/adtte.csv", adtte.to_csv(index=False))
        zf.writestr("__MACOSX/cut/._adsl.csv", b"\x00junk")
    before = snapshot(tmp_path)
    result = load_trial(archive)
    assert snapshot(tmp_path) == before
    assert result.trial.name == "cut"
    assert result.trial.available == ("adsl", "adtte", "adae", "adtu", "adlb")
    assert result.problems[["file", "row", "USUBJID", "column"]].values.tolist() == [
        ["cut.zip:cut/adtte.csv", 2, "S1", "CNSR"]
    ]


def test_file_and_column_names_are_case_insensitive(tmp_path: Path) -> None:
    folder = tmp_path / "upper"
    folder.mkdir()
    adsl = read_small("adsl")
    adsl.columns = [c.lower() if i % 2 else c for i, c in enumerate(adsl.columns)]
    adsl.to_csv(folder / "ADSL.CSV", index=False)
    shutil.copy(SMALL / "adtte.csv", folder / "AdTtE.csv")
    trial = load_trial(folder).trial
    assert trial.available == ("adsl", "adtte")
    assert list(trial.adsl.columns) == list(read_small("adsl").columns)


def test_csv_from_european_excel_semicolons_bom_cp1252(tmp_path: Path) -> None:
    folder = tmp_path / "eu"
    shutil.copytree(SMALL, folder)
    adsl = read_small("adsl")
    adsl.loc[2, "SITENAME"] = "CHU Liège"
    adsl.to_csv(folder / "adsl.csv", index=False, sep=";", encoding="cp1252")
    adtte = read_small("adtte")
    (folder / "adtte.csv").write_bytes(b"\xef\xbb\xbf" + adtte.to_csv(index=False).encode("utf-8"))
    result = load_trial(folder)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial.adsl["SITENAME"].tolist() == ["UZ Leuven", "UZ Leuven", "CHU Liège"]
    assert result.trial.adtte["USUBJID"].tolist() == ["S1", "S1", "S2"]


def test_bare_number_in_a_date_column_is_reported_outside_sas(tmp_path: Path) -> None:
    folder = tmp_path / "pq"
    shutil.copytree(SMALL, folder)
    (folder / "adlb.csv").unlink()
    adlb = typed(read_small("adlb"))
    adlb["ADT"] = [45000.0, 45100.0, 45200.0]  # Excel serial days: ambiguous, so not guessed
    adlb.to_parquet(folder / "adlb.parquet")
    result = load_trial(folder)
    assert result.trial.adlb.empty
    assert result.problems["column"].tolist() == ["ADT"] * 3
    assert result.problems["row"].tolist() == [1, 2, 3]


def test_several_files_for_one_dataset_warns_and_prefers_csv(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    shutil.copytree(SMALL, folder)
    typed(read_small("adae")).head(1).to_parquet(folder / "adae.parquet")
    result = load_trial(folder)
    assert len(result.trial.adae) == 3
    assert result.problems[["dataset", "check", "severity"]].values.tolist() == [
        ["ADAE", "one file per dataset", "warning"]
    ]


# --------------------------------------------------------------------------------------------------------
# Contract: dtypes, derivations, errors that are not exceptions


def test_dtype_contract(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adsl = read_small("adsl")
    adsl.loc[0, "TRTSDT"] = "2023-01-20T13:45:00"
    adsl.to_csv(folder / "adsl.csv", index=False)
    trial = load_trial(folder).trial
    adsl, adtte, adae, adtu, adlb = trial.adsl, trial.adtte, trial.adae, trial.adtu, trial.adlb
    assert adsl["TRTSDT"].dtype == "datetime64[ns]"
    assert adsl["TRTSDT"].iloc[0] == pd.Timestamp("2023-01-20")  # normalised to midnight
    for frame, cols in [
        (adsl, ["WHOPS", "NLES"]),
        (adtte, ["CNSR"]),
        (adae, ["ATOXGR", "AETOXGR", "AESEQ", "ASTDY"]),
        (adtu, ["RTFX"]),
        (adlb, ["ADY"]),
    ]:
        assert all(frame[c].dtype == "Int64" for c in cols)
    assert adsl["AGE"].dtype == "float64" and adsl["AGE"].tolist() == [70.0, 65.5, 80.0]
    assert adtte["AVAL"].dtype == "float64"
    assert adsl["SITEID"].tolist() == ["01", "01", "02"]  # leading zeros kept
    assert adsl["ENRLFL"].tolist() == ["Y", "Y", "N"]
    assert pd.isna(adsl["SCRFCRIT"].iloc[0])  # empty text is missing
    assert adsl.index.equals(pd.RangeIndex(3))
    assert adtu["RTFX"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("drop", "extra", "expected", "note_word"),
    [
        (["ENRLFL"], {}, ["Y", "Y", "N"], "ENRLDT"),
        (["ENRLFL", "ENRLDT"], {"RANDDT": ["", "2023-02-10", ""]}, ["N", "Y", "N"], "RANDDT"),
        (["ENRLFL", "ENRLDT"], {}, ["Y", "Y", "N"], "ITTFL"),
        (["ENRLFL", "ENRLDT", "ITTFL"], {"SAFFL": ["Y", "N", "N"]}, ["Y", "N", "N"], "SAFFL"),
        (["ENRLFL", "ENRLDT", "ITTFL", "SAFFL"], {}, ["Y", "Y", "Y"], "every subject"),
    ],
)
def test_enrlfl_derivation_order(
    tmp_path: Path, drop: list[str], extra: dict[str, list[str]], expected: list[str], note_word: str
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    adsl = read_small("adsl").drop(columns=drop)
    for col, values in extra.items():
        adsl[col] = values
    adsl.to_csv(folder / "adsl.csv", index=False)
    result = load_trial(folder)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial.adsl["ENRLFL"].tolist() == expected
    assert [n for n in result.trial.notes if "ENRLFL" in n and note_word in n]


def test_atoxgr_from_aetoxgr_and_avalu_default(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    adae = read_small("adae").drop(columns="ATOXGR")
    adae["AETOXGR"] = ["2", "Grade 3", "1"]
    adae.to_csv(folder / "adae.csv", index=False)
    read_small("adtte").drop(columns="AVALU").to_csv(folder / "adtte.csv", index=False)
    result = load_trial(folder)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial.adae["ATOXGR"].tolist() == [2, 3, 1]
    assert result.trial.adtte["AVALU"].tolist() == ["DAYS"] * 3
    notes = " ".join(result.trial.notes)
    assert "ATOXGR" in notes and "AETOXGR" in notes and "AVALU" in notes


def test_unreadable_files_become_problems(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    (folder / "adtte.csv").unlink()
    (folder / "adtte.xpt").write_bytes(b"this is not a SAS transport file")
    result = load_trial(folder)
    assert result.trial is not None and result.trial.adtte is None
    assert result.problems[["dataset", "file", "check", "severity"]].values.tolist() == [
        ["ADTTE", "adtte.xpt", "readable", "error"]
    ]
    (folder / "adsl.csv").unlink()
    (folder / "adsl.parquet").write_bytes(b"PAR1 broken")
    result = load_trial(folder)
    assert result.trial is None
    assert "ADSL" in result.problems["dataset"].tolist()


def test_unsupported_single_file_is_a_problem(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    result = load_trial(notes)
    assert result.trial is None
    assert result.problems.loc[0, "check"] == "readable"


def test_missing_source_raises_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="data source not found"):
        load_trial(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError):
        fingerprint(tmp_path / "nowhere")


def test_loading_never_writes_to_the_source(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(SMALL, folder)
    shutil.copy(PILOT / "xpt" / "adae.xpt", folder / "adae.xpt")  # two ADAE files: a warning, no write
    workbook = tmp_path / "wb.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        read_small("adsl").to_excel(writer, sheet_name="ADSL", index=False)
    archive = tmp_path / "src.zip"
    shutil.make_archive(str(tmp_path / "src"), "zip", tmp_path, "src")
    before = snapshot(tmp_path)
    for source in (folder, workbook, archive, PILOT / "xpt"):
        load_trial(source)
        fingerprint(source)
    assert snapshot(tmp_path) == before


def test_fingerprint(tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(SMALL, copy)
    (copy / "README.txt").write_text("not a dataset")
    fp = fingerprint(SMALL)
    assert re.fullmatch(r"[0-9a-f]{12}", fp)
    assert fingerprint(copy) == fp  # same dataset files, same relative names
    assert load_trial(copy).trial.fingerprint == fp
    data = (copy / "adlb.csv").read_bytes()
    (copy / "adlb.csv").write_bytes(data.replace(b"0.4", b"0.5"))
    assert fingerprint(copy) != fp
    (copy / "adlb.csv").write_bytes(data)
    (copy / "adlb.csv").rename(copy / "adtu_old.csv")
    assert fingerprint(copy) != fp


def test_example_path_is_inside_the_package() -> None:
    import medcare_metrics

    assert example_path() == Path(medcare_metrics.__file__).parent / "example_data"


def test_shipped_example_validates_without_errors() -> None:
    result = load_trial(example_path())
    assert result.n_errors == 0, result.problems.to_string()
    assert result.trial.available == ("adsl", "adtte", "adae", "adtu", "adlb")
    assert int((result.trial.adsl["ENRLFL"] == "Y").sum()) == 18


def test_summarise_problems_counts_each_kind() -> None:
    problems = pd.DataFrame(
        {
            "dataset": ["ADSL", "ADTTE", "ADTTE", "ADTTE", "ADAE"],
            "file": ["adsl.csv", "adtte.csv", "adtte.csv", "adtte.csv", "adae.csv"],
            "row": pd.array([2, 3, 4, 5, None], dtype="Int64"),
            "USUBJID": ["S1", "S1", "S1", "S2", None],
            "column": ["WHOPS", "USUBJID", "USUBJID", "USUBJID", None],
            "check": ["range", "in ADSL", "in ADSL", "in ADSL", "readable"],
            "problem": ["WHOPS 7", "USUBJID 'S1' ...", "USUBJID 'S1' again", "USUBJID 'S2'", "unreadable"],
            "severity": ["warning", "error", "error", "error", "error"],
        }
    )
    out = summarise_problems(problems)
    # Errors first, then by count (3 ADTTE before 1 ADAE), then the warning; a missing column is a group.
    assert out[["dataset", "check", "severity", "count", "subjects"]].values.tolist() == [
        ["ADTTE", "in ADSL", "error", 3, 2],
        ["ADAE", "readable", "error", 1, 0],
        ["ADSL", "range", "warning", 1, 1],
    ]
    assert out["example"].tolist() == ["USUBJID 'S1' ...", "unreadable", "WHOPS 7"]
    by_file = summarise_problems(problems, by=("file",))
    assert dict(zip(by_file["file"], by_file["count"], strict=True)) == {
        "adtte.csv": 3,
        "adsl.csv": 1,
        "adae.csv": 1,
    }
    assert summarise_problems(problems.iloc[0:0]).empty
    with pytest.raises(ValueError, match="severity"):
        summarise_problems(problems.drop(columns="severity"))


# --- reliability regressions: values beyond what pandas holds, formulas, links -----------------------------


def test_dates_beyond_nanoseconds_in_parquet_and_xpt_are_problems(tmp_path: Path) -> None:
    import pyreadstat

    folder = write_source(tmp_path / "src", adsl=tiny_frames()["adsl"])
    adae = tiny_frames()["adae"]
    adae.assign(
        ASTDT=np.array(["2022-02-01", "9999-12-31", "0001-01-01", "2023-03-20"], dtype="datetime64[s]")
    ).to_parquet(folder / "adae.parquet")
    pyreadstat.write_xport(
        tiny_frames()["adtte"].assign(ADT=[22000.0, 1e9, np.inf, -1e7, 22100.0, 0, 1, 2]),
        str(folder / "adtte.xpt"),
    )
    result = load_trial(folder)  # used to raise OutOfBoundsDatetime / OverflowError
    shown = result.problems.set_index(["dataset", "row"])["problem"]
    assert (
        shown["ADAE", 2]
        == "ASTDT 9999-12-31 is outside the dates that can be held (1677-09-22 to 2262-04-11); "
        "value set missing"
    )
    assert shown["ADAE", 3].startswith("ASTDT 0001-01-01 is outside")
    assert [shown["ADTTE", r].split(" is ")[0] for r in (2, 3, 4)] == [
        "ADT 1000000000",
        "ADT inf",
        "ADT -10000000",
    ]
    assert result.trial.adae["ASTDT"].isna().tolist() == [False, True, True, False]
    assert len(result.trial.adtte) == 8


def test_infinite_and_huge_whole_numbers_are_problems(tmp_path: Path) -> None:
    adae = tiny_frames()["adae"].astype({"ATOXGR": object})
    adae.loc[[0, 1], "ATOXGR"] = ["inf", "1e19"]
    result = load_trial(write_source(tmp_path / "src", **{**tiny_frames(), "adae": adae}))  # used to raise
    assert result.problems["column"].tolist() == ["ATOXGR", "ATOXGR"]
    assert result.trial.adae["ATOXGR"].isna().tolist() == [True, True, False, False]


def test_formula_with_a_saved_value_reads_the_value(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ADSL"
    adsl = tiny_frames()["adsl"]
    sheet.append(list(adsl.columns))
    for row in adsl.itertuples(index=False):
        sheet.append(list(row))
    sheet["H3"] = "=60+6"
    written = tmp_path / "written.xlsx"
    workbook.save(written)
    # Excel saves the formula's result next to it; openpyxl cannot compute one, so add it by hand.
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                assert b"<f>60+6</f><v />" in data
                data = data.replace(b"<f>60+6</f><v />", b"<f>60+6</f><v>66</v>")
            dst.writestr(info, data)
    result = load_trial(saved)
    assert result.problems.empty, result.problems.to_string()
    assert result.trial.adsl["AGE"].tolist()[1] == 66
    unsaved = load_trial(written)
    assert unsaved.problems["check"].tolist() == ["formula"]
    assert np.isnan(unsaved.trial.adsl["AGE"].tolist()[1])


def test_links_outside_the_folder_are_neither_read_nor_fingerprinted(tmp_path: Path) -> None:
    folder = write_source(tmp_path / "src", **tiny_frames())
    fp = fingerprint(folder)
    outside = write_source(tmp_path / "outside", adlb=pd.DataFrame({"USUBJID": ["T-01"], "PARAMCD": ["PSA"]}))
    (folder / "adlb.csv").symlink_to(outside / "adlb.csv")
    (folder / "adtu.csv").symlink_to(folder / "adae.csv")  # inside the folder: followed as before
    assert fingerprint(folder) != fp  # adtu.csv is a new dataset file
    (folder / "adtu.csv").unlink()
    assert fingerprint(folder) == fp
    result = load_trial(folder)
    assert result.problems[["dataset", "file", "check"]].values.tolist() == [["ADLB", "adlb.csv", "readable"]]
    assert result.trial.adlb is None
