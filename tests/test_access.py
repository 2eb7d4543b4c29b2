"""Access control without Streamlit: configuration, passwords, roles, the throttle and the access log."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pandas as pd
import pytest

from medcare_app import access_log
from medcare_app.access import (
    LOCKOUT_SECONDS,
    MAX_FAILURES,
    OPEN,
    PATIENT,
    VIEWER,
    AccessConfigError,
    Throttle,
    authenticate,
    can_see_subjects,
    hash_password,
    is_bcrypt_hash,
    page_allowed,
    parse_config,
    verify_password,
    without_subjects,
)

# Cost 4, bcrypt's minimum: the tests check the logic, not the work factor.
HASH = hash_password("correct horse", rounds=4)


def _password_section(**user: object) -> dict[str, object]:
    entry = {"name": "vera", "role": "viewer", "password_hash": HASH, **user}
    return {"mode": "password", "users": [entry]}


def test_no_section_means_open_access() -> None:
    assert parse_config(None) is OPEN
    assert parse_config({}) is OPEN
    assert OPEN.is_open


def test_password_section_is_parsed() -> None:
    config = parse_config(
        {
            "mode": "password",
            "users": [
                {"name": " vera ", "role": "Viewer", "password_hash": HASH},
                {"name": "pat", "role": "patient", "password_hash": HASH},
            ],
        }
    )
    assert config.mode == "password"
    assert [(u.name, u.role) for u in config.users] == [("vera", VIEWER), ("pat", PATIENT)]
    assert config.user("vera ") is config.users[0]
    assert config.user("nobody") is None
    assert HASH not in repr(config)  # the hash never reaches a log line or a message


def test_plain_text_password_is_refused_without_quoting_it() -> None:
    with pytest.raises(AccessConfigError, match="user 'vera': password_hash is not a bcrypt hash") as caught:
        parse_config(_password_section(password_hash="hunter2-secret"))
    assert "hunter2-secret" not in str(caught.value)
    with pytest.raises(AccessConfigError, match="plain-text passwords are not accepted"):
        parse_config({"mode": "password", "users": [{"name": "vera", "role": "viewer", "password": "x"}]})


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (_password_section(role="admin"), "unknown role 'admin'; use one of viewer, patient"),
        ({"mode": "ldap"}, "mode must be one of password, oidc"),
        ({"mode": "password", "users": []}, "at least one"),
        ({"mode": "password", "users": [{"role": "viewer", "password_hash": HASH}]}, "name is missing"),
        (
            {"mode": "oidc", "roles": {"a@b.org": "superuser"}},
            r"\[medcare_auth.roles\] 'a@b.org': unknown role",
        ),
        ({"mode": "oidc", "default_role": "admin"}, "default_role: unknown role"),
    ],
)
def test_configuration_mistakes_are_named(section: dict[str, object], message: str) -> None:
    with pytest.raises(AccessConfigError, match=message):
        parse_config(section)


def test_a_user_listed_twice_is_refused() -> None:
    entry = {"name": "vera", "role": "viewer", "password_hash": HASH}
    with pytest.raises(AccessConfigError, match="listed twice"):
        parse_config({"mode": "password", "users": [entry, entry]})


def test_oidc_roles_by_email_with_a_default() -> None:
    config = parse_config({"mode": "oidc", "roles": {"PI@Hospital.org": "patient"}, "provider": "microsoft"})
    assert config.mode == "oidc" and config.provider == "microsoft"
    assert config.role_for_email("pi@hospital.ORG") == PATIENT
    assert config.role_for_email("someone@hospital.org") == VIEWER  # default: least privilege
    assert config.role_for_email(None) == VIEWER
    closed = parse_config({"mode": "oidc", "roles": {"pi@hospital.org": "viewer"}, "default_role": "none"})
    assert closed.role_for_email("someone@hospital.org") is None


def test_bcrypt_verification() -> None:
    assert is_bcrypt_hash(HASH) and not is_bcrypt_hash("correct horse")
    assert verify_password("correct horse", HASH)
    assert not verify_password("correct horse ", HASH)
    assert not verify_password("", HASH)
    assert not verify_password("x" * 100, HASH)  # longer than bcrypt reads: refused, not cut
    assert not verify_password("correct horse", "not a hash")
    with pytest.raises(ValueError, match="1 to 72 bytes"):
        hash_password("")


def test_authenticate_gives_no_hint_which_part_was_wrong() -> None:
    config = parse_config(_password_section())
    assert authenticate(config, "vera", "correct horse") == config.users[0]
    assert authenticate(config, "vera", "wrong") is None
    assert authenticate(config, "nobody", "correct horse") is None


def test_roles_and_pages() -> None:
    assert can_see_subjects(PATIENT) and not can_see_subjects(VIEWER) and not can_see_subjects("other")
    assert page_allowed(PATIENT, "patients") and not page_allowed(VIEWER, "patients")
    assert page_allowed(VIEWER, "overview") and page_allowed(VIEWER, "data_quality")


def test_subject_columns_are_dropped_for_a_viewer_only() -> None:
    frame = pd.DataFrame({"USUBJID": ["T-01"], "subjid": ["01"], "AEDECOD": ["Fatigue"]})
    assert without_subjects(frame, PATIENT) is frame
    assert list(without_subjects(frame, VIEWER).columns) == ["AEDECOD"]
    indexed = frame.set_index("USUBJID")
    assert "T-01" not in without_subjects(indexed, VIEWER).to_csv()


def test_throttle_waits_after_too_many_failures() -> None:
    throttle = Throttle()
    for _ in range(MAX_FAILURES - 1):
        throttle = throttle.failed(100.0)
        assert throttle.wait_seconds(100.0) == 0
    throttle = throttle.failed(100.0)
    assert throttle.wait_seconds(100.0) == LOCKOUT_SECONDS
    assert throttle.wait_seconds(100.0 + LOCKOUT_SECONDS) == 0


def test_access_log_line_has_column_names_never_values() -> None:
    line = access_log.format_entry(
        "view",
        "vera",
        VIEWER,
        page="data_quality",
        source="cut 2025-06",
        fingerprint="3fa2c1d0e9b8",
        filter_columns=("SITEID", "USUBJID"),
        when=datetime(2025, 6, 2, 10, 15, tzinfo=timezone.utc),
    )
    assert line == (
        "2025-06-02T10:15:00+00:00 event=view user=vera role=viewer page=data_quality source=cut_2025-06 "
        "fingerprint=3fa2c1d0e9b8 filters=SITEID,USUBJID"
    )
    # A field cannot break the line or forge another entry.
    forged = access_log.format_entry("sign-in-refused", "x\n2025 event=sign-in user=admin", "-")
    assert "\n" not in forged and " user=admin" not in forged


def test_access_log_file_rotates(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "logs" / "access.log"
    monkeypatch.setenv(access_log.LOG_ENV, str(path))
    access_log.log_event("sign-in", "vera", VIEWER)
    handler = next(h for h in access_log.access_logger().handlers)
    assert handler.maxBytes == access_log.MAX_BYTES and handler.backupCount == access_log.BACKUP_COUNT  # type: ignore[attr-defined]
    assert path.read_text().strip().endswith("event=sign-in user=vera role=viewer")


def test_server_log_gets_the_exception_type_not_its_text(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("medcare.test.redaction")
    access_log.withhold_exception_text([logger.name])
    # The value comes from the data, not the code: the frames quote code lines, the message would quote it.
    subject = "-".join(["T", "99"])
    with caplog.at_level(logging.ERROR, logger=logger.name):
        try:
            pd.DataFrame({"USUBJID": ["T-01"]}).set_index("USUBJID").loc[subject]
        except KeyError as exc:
            logger.error("Uncaught app execution", exc_info=exc)
    text = caplog.text
    assert "KeyError (message withheld" in text and "test_access.py" in text
    assert "T-99" not in text
