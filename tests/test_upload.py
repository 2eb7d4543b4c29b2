"""Uploads: read from memory by the same readers as files on disk, capped, nothing unpickled or written."""

from __future__ import annotations

import io
import pickle
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import tomllib
from broken_sources import build

from medcare_metrics.loading import LoadResult, example_path, fingerprint, load_trial
from medcare_metrics.loading.upload import (
    DEFAULT_MAX_UPLOAD_BYTES,
    MAX_UPLOAD_BYTES_ENV,
    base_name,
    load_upload,
    upload_fingerprint,
    upload_limit,
)
from medcare_metrics.model import DATASETS

REPO = Path(__file__).resolve().parents[1]
#: Broken-source cases that exercise each reader and every zip check: an upload of the same bytes must give
#: the same trial and the same problems as the file on disk. (Folder-only cases, such as a symbolic link
#: leaving the folder, have no upload counterpart.)
READER_CASES = (
    "empty_adsl_file",
    "parquet_date_9999",
    "xpt_date_out_of_range",
    "cp1252",
    "utf16_bom",
    "invalid_utf8",
    "truncated_csv",
    "truncated_csv_in_quotes",
    "xlsx_random_bytes",
    "xlsx_without_adsl_sheet",
    "xlsx_formula_without_value",
    "xpt_truncated",
    "sas7bdat_random_bytes",
    "parquet_truncated",
    "zip_truncated",
    "zip_not_a_zip",
    "zip_path_traversal",
    "zip_absolute_path",
    "zip_nested",
    "zip_encrypted",
    "zip_unsupported_method",
    "zip_deflate64",
    "zip_bomb",
    "zip_lying_header",
    "zip_too_many_rows",
    "too_many_rows_csv",
    "too_many_rows_parquet",
    "too_many_rows_xlsx",
    "too_many_rows_xpt",
)


def _example_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(example_path().glob("*.csv")):
            zf.write(path, f"trial/{path.name}")
    return buffer.getvalue()


def _example_workbook() -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for path in sorted(example_path().glob("*.csv")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=path.stem.upper(), index=False)
    return buffer.getvalue()


def _assert_same(upload: LoadResult, disk: LoadResult) -> None:
    """The same problems and, dataset by dataset, the same trial."""
    pd.testing.assert_frame_equal(
        upload.problems.reset_index(drop=True), disk.problems.reset_index(drop=True)
    )
    assert (upload.trial is None) == (disk.trial is None)
    if upload.trial is not None and disk.trial is not None:
        for dataset in DATASETS:
            mine, theirs = getattr(upload.trial, dataset), getattr(disk.trial, dataset)
            assert (mine is None) == (theirs is None), dataset
            if mine is not None:
                pd.testing.assert_frame_equal(mine, theirs, obj=dataset)
        assert upload.trial.notes == disk.trial.notes


def test_example_zip_reads_as_the_same_zip_on_disk(tmp_path: Path) -> None:
    data = _example_zip()
    on_disk = tmp_path / "trial.zip"
    on_disk.write_bytes(data)
    upload = load_upload("trial.zip", data)
    assert upload.trial is not None and upload.problems.empty
    assert upload.trial.name == "trial"
    assert (
        upload.trial.adsl["USUBJID"].tolist() == pd.read_csv(example_path() / "adsl.csv")["USUBJID"].tolist()
    )
    _assert_same(upload, load_trial(on_disk))
    # The same bytes have the same fingerprint, uploaded or on the server.
    assert upload.trial.fingerprint == upload_fingerprint("trial.zip", data) == fingerprint(on_disk)


def test_example_workbook_reads_as_the_same_workbook_on_disk(tmp_path: Path) -> None:
    data = _example_workbook()
    on_disk = tmp_path / "cut.xlsx"
    on_disk.write_bytes(data)
    upload = load_upload("cut.xlsx", data)
    assert upload.trial is not None and len(upload.trial.adsl) == len(
        pd.read_csv(example_path() / "adsl.csv")
    )
    _assert_same(upload, load_trial(on_disk))


def test_several_dataset_files_read_as_a_folder(tmp_path: Path) -> None:
    files = {name: (example_path() / name).read_bytes() for name in ("adsl.csv", "adtte.csv")}
    files["notes.csv"] = b"when,what\n2024-01-31,cut\n"
    folder = tmp_path / "cut"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    upload = load_upload("3 files", files)
    disk = load_trial(folder)
    assert upload.trial is not None and upload.trial.adae is None
    pd.testing.assert_frame_equal(upload.problems, disk.problems)
    pd.testing.assert_frame_equal(upload.trial.adtte, disk.trial.adtte)  # type: ignore[union-attr]
    assert upload.trial.notes == disk.trial.notes  # type: ignore[union-attr]
    assert any(note.startswith("Ignored notes.csv") for note in upload.trial.notes)


@pytest.mark.parametrize("name", READER_CASES)
def test_broken_file_gives_the_same_problems_uploaded(tmp_path: Path, name: str) -> None:
    case = build(name, tmp_path)
    if case.path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(case.path.iterdir()) if p.is_file()}
        upload = load_upload(case.path.name, files, limits=case.limits)
    else:
        upload = load_upload(case.path.name, case.path.read_bytes(), limits=case.limits)
    _assert_same(upload, load_trial(case.path, case.limits))
    if case.expected is None:  # unusual but fine (another encoding): loads without an error
        assert upload.trial is not None and not upload.problems["severity"].eq("error").any()
    else:
        assert case.expected.problem in " ".join(upload.problems["problem"])


def test_bad_zip_says_so() -> None:
    result = load_upload("trial.zip", b"PK\x03\x04 this is not a zip")
    assert result.trial is None
    [problem] = result.problems.itertuples(index=False)
    assert problem.file == "trial.zip" and problem.dataset == "ADSL"
    assert problem.problem.startswith("zip file could not be read (")


def test_too_big_names_the_file_and_the_limit() -> None:
    data = _example_zip()
    result = load_upload("trial.zip", data, max_bytes=len(data) - 1)
    assert result.trial is None
    [problem] = result.problems.itertuples(index=False)
    assert problem.file == "trial.zip" and problem.check == "size limit"
    assert problem.problem.startswith("trial.zip is 7.")  # the example zips to about 8 kB
    assert "more than the " in problem.problem and MAX_UPLOAD_BYTES_ENV in problem.problem
    assert load_upload("trial.zip", data, max_bytes=len(data)).trial is not None


def test_upload_limit_from_the_environment() -> None:
    assert upload_limit({}) == DEFAULT_MAX_UPLOAD_BYTES == 50_000_000
    assert upload_limit({MAX_UPLOAD_BYTES_ENV: "2_000_000"}) == 2_000_000
    assert upload_limit({MAX_UPLOAD_BYTES_ENV: "0"}) == 0  # uploads off
    with pytest.raises(ValueError, match=MAX_UPLOAD_BYTES_ENV):
        upload_limit({MAX_UPLOAD_BYTES_ENV: "fifty megabytes"})


def test_streamlit_upload_cap_is_in_step_with_the_app_limit() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    # Streamlit counts MB of 2**20 bytes: its cap is at or just above the app's, so the app's message shows.
    server_bytes = config["server"]["maxUploadSize"] * 2**20
    assert DEFAULT_MAX_UPLOAD_BYTES <= server_bytes < DEFAULT_MAX_UPLOAD_BYTES * 1.1


UNPICKLED: list[str] = []


def _unpickled() -> None:
    UNPICKLED.append("code ran")


class _Payload:
    """Unpickling this calls :func:`_unpickled`: what a hostile pickle would do with worse code."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_unpickled, ())


def test_pickle_files_are_refused_never_unpickled() -> None:
    payload = pickle.dumps(_Payload())
    alone = load_upload("adsl.pkl", payload)
    assert alone.trial is None
    assert "pickle-based file: never read" in alone.problems.loc[0, "problem"]
    assert alone.problems.loc[0, "file"] == "adsl.pkl"
    files = {"adsl.csv": (example_path() / "adsl.csv").read_bytes(), "adtte.pickle": payload}
    beside = load_upload("2 files", files)
    assert beside.trial is not None and beside.trial.adtte is None  # the CSV is read, the pickle is not
    assert beside.problems.loc[0, "dataset"] == "ADTTE" and beside.problems.loc[0, "check"] == "safe format"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("adsl.pkl", payload)
    assert load_upload("trial.zip", buffer.getvalue()).trial is None  # not a dataset file: not read
    assert UNPICKLED == []


def test_folders_in_a_file_name_are_dropped() -> None:
    assert base_name("../../data/cut.zip") == "cut.zip"
    assert base_name("C:\\Users\\me\\cut.xlsx") == "cut.xlsx"
    assert base_name("/") == "upload"
    result = load_upload("../../trial.zip", _example_zip())
    assert result.source == "trial.zip" and result.trial is not None and result.trial.name == "trial"


#: File-system events (Python's audit events) recorded while :data:`_RECORDING` is set.
_EVENTS: list[tuple[str, str]] = []
_RECORDING: list[bool] = []
_WATCHED = (
    "open",
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.truncate",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _RECORDING and event in _WATCHED:
        _EVENTS.append((event, repr(args[:1])))


sys.addaudithook(_audit)  # dormant outside the test below (an audit hook cannot be removed)


def test_an_upload_opens_and_writes_no_file(tmp_path: Path) -> None:
    """No file is opened, created or written while an upload is read: not even a temporary one."""
    xpt = build("too_many_rows_xpt", tmp_path).path  # ADSL and others as CSV, ADAE as XPT (50 rows)
    uploads: dict[str, bytes | dict[str, bytes]] = {
        "trial.zip": _example_zip(),
        "cut.xlsx": _example_workbook(),
        "xpt": {p.name: p.read_bytes() for p in xpt.iterdir()},  # pyreadstat reads from memory too
    }
    frame = pd.read_csv(example_path() / "adsl.csv")
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    uploads["adsl.parquet"] = buffer.getvalue()
    for name, data in uploads.items():
        load_upload(name, data)  # first: modules imported, caches warmed
    _RECORDING.append(True)
    try:
        results = {name: load_upload(name, data) for name, data in uploads.items()}
    finally:
        _RECORDING.clear()
    assert all(r.trial is not None for r in results.values())
    assert len(results["xpt"].trial.adae) == 50  # type: ignore[union-attr]
    assert _EVENTS == []


def test_edc_export_with_its_mapping_reads_as_the_native_example() -> None:
    folder = example_path() / "redcap"
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".yaml")}
    assert any(name.endswith(".yaml") for name in files) and len(files) >= 2
    upload = load_upload("REDCap export", files)
    native = load_trial(example_path())
    assert upload.trial is not None and native.trial is not None and upload.problems.empty
    for dataset in DATASETS:
        pd.testing.assert_frame_equal(
            getattr(upload.trial, dataset), getattr(native.trial, dataset), obj=dataset
        )
    assert upload.trial.fingerprint == upload_fingerprint("REDCap export", files)


def test_the_app_keys_an_upload_on_the_whole_hash_of_its_bytes() -> None:
    from starlette.formparsers import MultiPartParser

    from medcare_app.upload import is_upload_source, make_upload, upload_name

    data = _example_zip()
    upload = make_upload([("C:\\exports\\trial.zip", data)], ("id-1",))
    assert upload.name == "trial.zip" and upload.fingerprint == upload_fingerprint("trial.zip", data)
    assert upload.source == f"upload://trial.zip?sha256={upload.digest}" and len(upload.digest) == 64
    assert is_upload_source(upload.source) and not is_upload_source(str(example_path()))
    assert upload_name(["export.csv", "mapping.yaml"]) == "export.csv and mapping.yaml"
    assert upload_name(["adsl.csv", "adae.csv", "adtte.csv"]) == "adsl.csv and 2 more files"
    several = make_upload([("adsl.csv", b"a"), ("adtte.csv", b"b")])
    assert several.fingerprint == upload_fingerprint(several.name, {"adsl.csv": b"a", "adtte.csv": b"b"})
    # Importing the module raised Starlette's spool threshold past the upload cap (50 MB): no temporary file.
    assert MultiPartParser.spool_max_size > 50 * 2**20


def test_a_broken_upload_says_why_and_can_be_left(app: Callable[..., Any]) -> None:
    """The app with an upload whose ADSL lacks USUBJID: the reason, the notice, and the way back."""
    from conftest import header

    from medcare_app.upload import BACK_KEY, UPLOAD_KEY, make_upload

    buffer = io.BytesIO()
    adsl = pd.read_csv(example_path() / "adsl.csv", dtype=str, keep_default_na=False)
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("adsl.csv", adsl.drop(columns=["USUBJID"]).to_csv(index=False))
    at = app("dashboard.py")
    at.session_state[UPLOAD_KEY] = make_upload([("broken.zip", buffer.getvalue())])
    at.run()
    assert not at.exception
    assert at.main.title[0].value == "No trial to show"
    reason = at.main.error[0].value
    assert "(ADSL) of `upload://broken.zip?sha256=" in reason and "required column USUBJID missing" in reason
    assert "Showing upload **broken.zip** (fingerprint" in at.sidebar.info[0].value
    at.sidebar.button(key=BACK_KEY).click().run()
    assert not at.exception and not at.sidebar.info
    enrolled = int((adsl["ENRLFL"] == "Y").sum())
    assert f"{enrolled} of {enrolled} patients" in header(at)
