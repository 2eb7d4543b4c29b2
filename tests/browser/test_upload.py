"""The sidebar's upload in a real browser: shown to its session only, capped, and never written to a disk.

One server, started with a small data source (6 patients) and an upload limit of 1.6 MB. A zip of the
example trial (with a 1.2 MB member that is not a dataset, so that the request body is above the 1 MB at
which Starlette would spool it to a temporary file) is uploaded in one browser context; a second context on
the same server keeps seeing the configured source. A Python audit hook in the server process
(``sitecustomize``) records every file opened for writing and every temporary file or folder made.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_frames, write_source

from medcare_metrics.loading import example_path
from medcare_metrics.loading.upload import MAX_UPLOAD_BYTES_ENV, upload_fingerprint

from .conftest import PAGE_TIMEOUT_MS, serve
from .test_browser import HEADER, _header, _open, _wait_until_idle

pytestmark = pytest.mark.browser

#: The server's upload limit in the test.
LIMIT = 1_600_000
NOTICE = "for this session only"
#: Records the server's file writes (Python audit events), one line each, into MEDCARE_TEST_AUDIT_LOG.
SITECUSTOMIZE = """
import os, sys

_LOG = os.environ.get("MEDCARE_TEST_AUDIT_LOG")
if _LOG:
    _OUT = open(_LOG, "a", buffering=1)
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC | getattr(os, "O_TMPFILE", 0)

    def _hook(event, args):
        if event == "open":
            path, mode, flags = args
            writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE)
            if writing:
                _OUT.write(f"open {path!r}\\n")
        elif event in ("tempfile.mkstemp", "tempfile.mkdtemp", "os.mkdir", "os.rename", "os.remove"):
            _OUT.write(f"{event} {args[0]!r}\\n")

    sys.addaudithook(_hook)
"""


def _trial_zip(padding: int) -> bytes:
    """The example trial zipped, with ``padding`` random bytes in a member that is not a dataset."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(example_path().glob("*.csv")):
            zf.write(path, f"trial/{path.name}")
        # Random bytes do not compress: the zip is as large as the padding.
        zf.writestr("trial/scans.bin", random.Random(7).randbytes(padding))
    return buffer.getvalue()


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path, Path]]:
    """The app on a 6-patient source with a 1.6 MB upload limit: ``(url, data, temp dir, audit log)``."""
    root = tmp_path_factory.mktemp("upload")
    data = write_source(root / "data", **tiny_frames())
    site = root / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    temp = root / "tmp"
    temp.mkdir()
    audit = root / "audit.log"
    env = {
        MAX_UPLOAD_BYTES_ENV: str(LIMIT),
        "MEDCARE_TEST_AUDIT_LOG": str(audit),
        "MEDCARE_ACCESS_LOG": str(root / "logs" / "access.log"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(temp),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        with serve(data) as url:
            mp.undo()  # the server has its environment; the tests' own stays as it was
            yield url, data, temp, audit


def _upload(page: object, name: str, data: bytes) -> None:
    sidebar = page.locator('[data-testid="stSidebar"]')  # type: ignore[attr-defined]
    expander = sidebar.locator('[data-testid="stExpander"]').filter(has_text="Upload data")
    if not expander.locator('[data-testid="stFileUploaderDropzoneInput"]').is_visible():
        expander.get_by_text("Upload data").click()
    expander.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "application/zip", "buffer": data}]
    )


def _enrolled_example() -> int:
    adsl = pd.read_csv(example_path() / "adsl.csv", dtype=str, keep_default_na=False)
    return int((adsl["ENRLFL"] == "Y").sum())


def test_upload_is_shown_to_its_session_only_and_never_written(
    browser: object, upload_server: tuple[str, Path, Path, Path]
) -> None:
    url, data_folder, temp, audit = upload_server
    data = _trial_zip(1_200_000)
    assert 1_000_000 < len(data) < LIMIT
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1100}) for _ in range(2)]  # type: ignore[attr-defined]
    try:
        mine, other = (context.new_page() for context in contexts)
        for tab in (mine, other):
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            _open(tab, url)
        assert HEADER.search(_header(mine)).groups() == ("4", "4")  # the configured 6-patient source
        before = _snapshot(data_folder), _snapshot(temp), audit.read_text(encoding="utf-8").splitlines()

        _upload(mine, "trial.zip", data)
        mine.wait_for_function("text => document.body.innerText.includes(text)", arg=NOTICE)
        _wait_until_idle(mine)
        sidebar = mine.locator('[data-testid="stSidebar"]')
        notice = sidebar.locator('[data-testid="stAlert"]').filter(has_text=NOTICE).inner_text()
        fingerprint = upload_fingerprint("trial.zip", data)
        assert f"Showing upload trial.zip (fingerprint {fingerprint}) for this session only" in notice
        enrolled = _enrolled_example()
        assert HEADER.search(_header(mine)).groups() == (str(enrolled), str(enrolled))
        values = mine.locator('[data-testid="stMetric"]').filter(has_text="Enrolled").first.inner_text()
        assert re.search(rf"\b{enrolled}\b", values)
        assert mine.locator('[data-testid="stException"]').count() == 0

        # Another session on the same server still sees the configured source, and no upload.
        other.reload()
        other.wait_for_selector("h1")
        _wait_until_idle(other)
        assert HEADER.search(_header(other)).groups() == ("4", "4")
        assert NOTICE not in other.locator("body").inner_text()

        # The upload stays across pages of its session.
        sidebar.get_by_role("link", name="Data quality").click()
        mine.wait_for_selector("h1:has-text('Data quality')")
        _wait_until_idle(mine)
        assert HEADER.search(_header(mine)).groups() == (str(enrolled), str(enrolled))
        assert NOTICE in sidebar.inner_text()

        # Nothing was written: not in the data folder, not in the temporary folder, not anywhere else.
        after = _snapshot(data_folder), _snapshot(temp), audit.read_text(encoding="utf-8").splitlines()
        assert after[0] == before[0]
        assert after[1] == before[1]
        written = [line for line in after[2][len(before[2]) :] if "access.log" not in line]
        assert written == [], written

        sidebar.get_by_role("button", name="Back to the configured data").click()
        mine.wait_for_function("text => !document.body.innerText.includes(text)", arg=NOTICE)
        _wait_until_idle(mine)
        assert HEADER.search(_header(mine)).groups() == ("4", "4")
    finally:
        for context in contexts:
            context.close()


def test_upload_over_the_limit_names_the_file_and_the_limit(
    page: object, upload_server: tuple[str, Path, Path, Path]
) -> None:
    url = upload_server[0]
    data = _trial_zip(1_700_000)
    assert len(data) > LIMIT
    _open(page, url)
    _upload(page, "big-trial.zip", data)
    page.wait_for_function(  # type: ignore[attr-defined]
        "text => document.body.innerText.includes(text)", arg="more than the 1.6 MB upload limit"
    )
    _wait_until_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')  # type: ignore[attr-defined]
    message = sidebar.locator('[data-testid="stAlert"]').filter(has_text="upload limit").inner_text()
    assert re.search(r"big-trial\.zip is 1\.7\d* MB, more than the 1\.6 MB upload limit; not read\.", message)
    assert MAX_UPLOAD_BYTES_ENV in message
    assert NOTICE not in sidebar.inner_text()
    assert HEADER.search(_header(page)).groups() == ("4", "4")
