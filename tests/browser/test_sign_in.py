"""Password sign-in in a real browser: only the form before it, a refusal, then the dashboard."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcare_app.access import hash_password
from medcare_app.auth import REFUSAL

from .conftest import REPO, STARTUP_TIMEOUT, _free_port

pytestmark = pytest.mark.browser

PASSWORD = "browser test password"


@pytest.fixture(scope="module")
def signed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard with a temporary secrets file (one viewer); yields its URL and access log."""
    folder = tmp_path_factory.mktemp("sign_in")
    secrets = folder / "secrets.toml"
    secrets.write_text(
        '[medcare_auth]\nmode = "password"\n\n[[medcare_auth.users]]\nname = "vera"\nrole = "viewer"\n'
        f'password_hash = "{hash_password(PASSWORD, rounds=4)}"\n'
    )
    log = folder / "access.log"
    env = {k: v for k, v in os.environ.items() if k != "MEDCARE_DATA"}
    env["MEDCARE_ACCESS_LOG"] = str(log)
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--secrets.files", str(secrets),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"streamlit exited with {process.returncode}:\n{output}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer on {url} within {STARTUP_TIMEOUT} s")
            time.sleep(0.5)
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _submit(page: object, name: str, password: str) -> None:
    page.get_by_role("textbox", name="User name").fill(name)  # type: ignore[attr-defined]
    page.get_by_role("textbox", name="Password").fill(password)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]


def test_sign_in_refuses_then_opens_the_linked_page(page, signed_server: tuple[str, Path]) -> None:
    url, log = signed_server
    page.goto(f"{url}/survival")
    page.wait_for_selector("h1:has-text('MEDCARE Monitor')")
    # Nothing but the sign-in: no sidebar (no navigation, no filters), no trial.
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0

    _submit(page, "vera", "not the password")
    page.wait_for_selector(f"text={REFUSAL}")
    assert page.locator('[data-testid="stSidebar"] [data-testid="stElementContainer"]').count() == 0

    _submit(page, "vera", PASSWORD)
    page.wait_for_selector("h1:has-text('Survival')")
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Signed in as").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert sidebar.get_by_role("link", name="Overview").count() == 1
    assert sidebar.get_by_role("link", name="Patients").count() == 0  # a viewer's navigation has none

    sidebar.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="User name").wait_for()
    # The signed-in page's elements go once the run ends: then nothing but the form is left (the browser
    # sometimes keeps an empty, collapsible sidebar frame, with neither navigation nor content).
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state')
                === 'notRunning'
            && document.querySelector('[data-testid="stSidebarNav"]') === null
            && document.querySelector('[data-testid="stSidebar"] [data-testid="stElementContainer"]') === null
            && document.querySelector('[data-testid="stMetric"], [data-testid="stDataFrame"]') === null"""
    )
    lines = log.read_text()
    for event in ("sign-in-refused user=vera", "sign-in user=vera", "view user=vera", "sign-out user=vera"):
        assert f"event={event}" in lines
