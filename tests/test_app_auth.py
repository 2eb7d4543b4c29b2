"""Sign-in in the app (AppTest): nothing but the sign-in before it, roles after it, open access without it.

OIDC cannot be driven end to end here (no identity provider): ``at.user`` stands for what Streamlit's
``st.login`` would have put in ``st.user``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import open_page, tiny_frames, write_source

from medcare_app.access import hash_password
from medcare_app.auth import REFUSAL
from medcare_app.sidebar import OPEN_ACCESS_TEXT, filter_key

PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD, rounds=4)  # bcrypt's minimum cost: these tests check logic, not work factor
PASSWORD_AUTH = {
    "mode": "password",
    "users": [
        {"name": "vera", "role": "viewer", "password_hash": HASH},
        {"name": "pat", "role": "patient", "password_hash": HASH},
    ],
}


@pytest.fixture
def access_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "access.log"
    monkeypatch.setenv("MEDCARE_ACCESS_LOG", str(path))
    return path


@pytest.fixture
def flawed_source(tmp_path: Path) -> Path:
    """The tiny trial with one bad AGE: the Data quality page lists a problem with its USUBJID."""
    frames = tiny_frames()
    frames["adsl"] = frames["adsl"].astype({"AGE": object})
    frames["adsl"].loc[1, "AGE"] = "old"
    return write_source(tmp_path / "flawed", **frames)


def _signed_out(app, data: Path | None = None, auth: dict | None = None, script: str = "dashboard.py"):
    at = app(script, data=data)
    at.secrets["medcare_auth"] = auth or PASSWORD_AUTH
    return at.run()


def _sign_in(at, name: str, password: str = PASSWORD):
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def _pages(at) -> set[str]:
    return {str(info.get("url_pathname")) for info in at._registered_pages.values()}


def _only_sign_in(at) -> None:
    assert not at.exception
    assert [t.value for t in at.title] == ["MEDCARE Monitor"]
    assert len(at.sidebar) == 0 and not at.multiselect and not at.dataframe and not at.metric
    assert [t.label for t in at.text_input] == ["User name", "Password"]


def test_only_the_sign_in_before_authentication(app, access_file: Path) -> None:
    at = _signed_out(app)
    _only_sign_in(at)
    at = _sign_in(at, "vera", "wrong password")
    _only_sign_in(at)
    assert [e.value for e in at.error] == [REFUSAL]
    at = _sign_in(at, "nobody", PASSWORD)
    assert [e.value for e in at.error] == [REFUSAL]  # no hint whether the name or the password was wrong
    assert "event=sign-in-refused user=vera role=-" in access_file.read_text()
    assert "user=nobody" not in access_file.read_text()  # a mistyped name may be a password


def test_patient_role_signs_in_and_out(app, access_file: Path) -> None:
    at = _sign_in(_signed_out(app), "pat")
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "patients" in _pages(at)
    assert "Signed in as **pat**" in at.sidebar.caption[0].value
    at.sidebar.button(key="medcare_sign_out").click().run()
    _only_sign_in(at)
    log = access_file.read_text()
    assert "event=sign-in user=pat role=patient" in log and "event=view user=pat" in log
    assert "event=sign-out user=pat" in log


def test_viewer_sees_no_patients_page_and_no_subject_ids(app, access_file: Path, flawed_source: Path) -> None:
    at = _sign_in(_signed_out(app, data=flawed_source), "vera")
    assert at.title[0].value == "Overview"
    assert "patients" not in _pages(at)
    at.sidebar.multiselect(key=filter_key("SITEID")).set_value(["01"]).run()
    at = open_page(at, "data_quality").run()
    assert not at.exception
    shown = [d.value for d in at.dataframe]
    assert any("AGE" in set(frame.get("column", [])) for frame in shown)  # the problem is listed...
    assert all("USUBJID" not in frame.columns for frame in shown)  # ...without its subject
    assert "T-02" not in "".join(frame.to_csv() for frame in shown)
    # The problems table holds USUBJID: not offered for download, and the page says why.
    assert not at.get("download_button")
    assert any("no download with viewer access" in c.value for c in at.caption)
    log = access_file.read_text()
    assert "event=view user=vera role=viewer page=data_quality" in log and "filters=SITEID" in log
    assert "UZ Leuven" not in log and "T-0" not in log


def test_patient_role_sees_subject_ids(app, flawed_source: Path, access_file: Path) -> None:
    at = open_page(_sign_in(_signed_out(app, data=flawed_source), "pat"), "data_quality").run()
    assert any("USUBJID" in d.value.columns for d in at.dataframe)
    assert len(at.get("download_button")) == 4  # the problems and the site queries, as CSV and Excel


def test_failed_sign_ins_make_the_form_wait(app, access_file: Path) -> None:
    at = _signed_out(app)
    for _ in range(5):
        at = _sign_in(at, "pat", "wrong")
    at = _sign_in(at, "pat")  # the right password, but within the wait
    assert [t.value for t in at.title] == ["MEDCARE Monitor"]
    assert "wait 30 seconds" in at.error[0].value


def test_a_plain_text_password_keeps_the_app_closed(app, access_file: Path) -> None:
    auth = {"mode": "password", "users": [{"name": "pat", "role": "patient", "password_hash": "hunter2"}]}
    at = _signed_out(app, auth=auth)
    assert not at.exception and len(at.sidebar) == 0 and not at.text_input
    assert "has a mistake" in at.error[0].value and "hunter2" not in at.error[0].value


def test_without_configuration_the_sidebar_says_open_access(app, access_file: Path) -> None:
    at = app("dashboard.py").run()
    assert not at.exception and at.title[0].value == "Overview"
    assert OPEN_ACCESS_TEXT in at.sidebar.caption[0].value
    assert "patients" in _pages(at)
    assert "event=view user=open role=patient page=overview" in access_file.read_text()


def test_page_run_on_its_own_requires_sign_in_and_role(app, access_file: Path) -> None:
    at = _signed_out(app, script="pages/patients.py")
    _only_sign_in(at)
    at = _sign_in(at, "vera")
    assert not at.exception and "patient-level data" in at.error[0].value and not at.dataframe


OIDC_AUTH = {"mode": "oidc", "roles": {"pi@hospital.org": "patient"}, "default_role": "none"}
# What st.login needs (never contacted here: at.user stands for a completed sign-in).
AUTH_SECTION = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret",
    "client_id": "medcare",
    "client_secret": "test-only",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"is_logged_in": False}, "sign-in"),
        ({"is_logged_in": True, "email": "PI@hospital.org"}, "Overview"),
        ({"is_logged_in": True, "email": "someone@elsewhere.org"}, "refused"),
    ],
)
def test_oidc_identity_gets_the_role_of_its_email(app, access_file: Path, user: dict, expected: str) -> None:
    at = app("dashboard.py")
    at.secrets["medcare_auth"] = OIDC_AUTH
    at.secrets["auth"] = AUTH_SECTION
    at.user = user
    at.run()
    assert not at.exception
    if expected == "Overview":
        assert at.title[0].value == "Overview" and "patients" in _pages(at)
    else:
        assert len(at.sidebar) == 0 and not at.dataframe
        assert (expected == "refused") == bool(at.error and "no access" in at.error[0].value)
        assert [b.label for b in at.button] == ["Sign out" if expected == "refused" else "Sign in"]


def test_viewer_gets_no_patient_level_figures_on_lesions(app, access_file: Path) -> None:
    from medcare_metrics.loading import example_path
    from medcare_metrics.text.lesions import PATIENT_LEVEL_ONLY

    ids = set(pd.read_csv(example_path() / "adsl.csv", dtype=str, keep_default_na=False)["USUBJID"])
    viewer = open_page(_sign_in(_signed_out(app), "vera"), "lesions").run()
    assert not viewer.exception
    captions = [c.value for c in viewer.caption]
    assert captions.count(PATIENT_LEVEL_ONLY) == 2  # the EQD2 per lesion and the patient x site map
    shown = " ".join([w.value for w in viewer.warning] + captions + [m.value for m in viewer.markdown])
    assert not any(i in shown for i in ids)
    n_viewer = len(viewer.get("plotly_chart"))

    patient = open_page(_sign_in(_signed_out(app), "pat"), "lesions").run()
    assert not patient.exception
    assert PATIENT_LEVEL_ONLY not in [c.value for c in patient.caption]
    assert len(patient.get("plotly_chart")) == n_viewer + 2


def test_viewer_cannot_search_problems_by_subject(app, access_file: Path, flawed_source: Path) -> None:
    viewer = open_page(_sign_in(_signed_out(app, data=flawed_source), "vera"), "data_quality").run()
    assert "dq_search" not in [t.key for t in viewer.text_input]
    patient = open_page(_sign_in(_signed_out(app, data=flawed_source), "pat"), "data_quality").run()
    assert "dq_search" in [t.key for t in patient.text_input]
