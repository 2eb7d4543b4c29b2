"""Sign-in: nothing but a sign-in is drawn until the visitor is signed in, when ``[medcare_auth]`` says so.

``dashboard.py`` and :func:`medcare_app.shell.run_standalone` call :func:`require_sign_in` first. It reads the
``[medcare_auth]`` section of the secrets (:mod:`medcare_app.access` checks it):

- absent: the app runs open, patient level as before (the sidebar says "Open access");
- ``mode = "password"``: a form checks a user name and password against the bcrypt hashes listed;
- ``mode = "oidc"``: Streamlit's own OpenID Connect sign-in (``st.login``, configured in ``[auth]``), with a
  role per e-mail address.

A secrets file that exists but cannot be read, or a ``[medcare_auth]`` section with a mistake, stops the app
with a message: a broken configuration never falls back to open access.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

import streamlit as st

from medcare_app import access_log
from medcare_app.access import (
    OPEN,
    PATIENT,
    ROLE_DESCRIPTIONS,
    AccessConfig,
    AccessConfigError,
    Throttle,
    authenticate,
    can_see_subjects,
    parse_config,
)

#: The secrets section of the access configuration.
AUTH_SECTION = "medcare_auth"
#: Session-state keys: the signed-in password user's name, the failed-sign-in throttle, the role of the run.
SIGNED_IN_KEY = "medcare_signed_in_user"
THROTTLE_KEY = "medcare_sign_in_throttle"
ROLE_KEY = "medcare_role"
#: Session-state key set once an OIDC identity's sign-in has been logged.
OIDC_LOGGED_KEY = "medcare_oidc_sign_in_logged"
#: The refusal, the same for an unknown user and a wrong password (no hint which).
REFUSAL = "Unknown user or wrong password."

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedIn:
    """Who uses this session.

    Attributes
    ----------
    name : str
        User name, e-mail address of an OIDC identity, or ``"open"`` without sign-in.
    role : str
        ``"viewer"`` or ``"patient"``.
    method : str
        ``"open"``, ``"password"`` or ``"oidc"``.
    """

    name: str
    role: str
    method: Literal["open", "password", "oidc"]

    @property
    def is_open(self) -> bool:
        """True when no sign-in is configured."""
        return self.method == "open"

    @property
    def can_see_subjects(self) -> bool:
        """True when the role sees patient-level data (the Patients page, subject identifiers)."""
        return can_see_subjects(self.role)

    @property
    def role_text(self) -> str:
        """Return the role and what it sees, in words (``"viewer: aggregates only: ..."``)."""
        return f"{self.role}: {ROLE_DESCRIPTIONS.get(self.role, self.role)}"


#: The visitor of an app without sign-in: patient level, as the app was before sign-in existed.
OPEN_ACCESS = SignedIn("open", PATIENT, "open")


def _plain(value: object) -> object:
    """Return ``value`` with Streamlit's secrets wrappers turned into dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _secrets_files_exist() -> bool:
    from streamlit import config

    return any(Path(p).exists() for p in config.get_option("secrets.files") or ())


def _config_error_screen(detail: str) -> Callable[[], None]:
    # The visitor is not signed in: the details (user names) go to the server log, not the screen.
    _LOGGER.error("access configuration refused: %s", detail)

    def draw() -> None:
        st.title("MEDCARE Monitor")
        st.error(
            "The sign-in configuration (`[medcare_auth]` in `.streamlit/secrets.toml`) has a mistake, so the "
            "dashboard stays closed. The server log says what is wrong.",
            icon=":material/lock:",
        )

    return draw


def read_config() -> AccessConfig:
    """Return the access configuration from ``st.secrets``.

    Returns
    -------
    AccessConfig
        :data:`medcare_app.access.OPEN` when there is no secrets file or no ``[medcare_auth]`` section.

    Raises
    ------
    AccessConfigError
        When a secrets file exists but cannot be read, when ``[medcare_auth]`` has a mistake, or when mode
        ``"oidc"`` has no ``[auth]`` section: a broken configuration never means open access.
    """
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        section = st.secrets.get(AUTH_SECTION) if AUTH_SECTION in st.secrets else None
    except StreamlitSecretNotFoundError:
        # Raised both for "no secrets file" (open access) and for a file that does not parse (closed).
        if _secrets_files_exist():
            raise AccessConfigError("a secrets file exists but could not be read") from None
        return OPEN
    config = parse_config(_plain(section) if section is not None else None)  # type: ignore[arg-type]
    if config.mode == "oidc" and "auth" not in st.secrets:
        raise AccessConfigError('mode "oidc" needs the [auth] section st.login reads (redirect_uri, ...)')
    return config


def _show_only(draw: Callable[[], None], url_paths: Sequence[str]) -> NoReturn:
    """Draw ``draw`` as the only page, with no navigation, and end the script run.

    Every page address of the app opens it, so that a link to a page (``/survival?SITEID=01``) keeps its
    address through the sign-in and opens that page afterwards. Calling ``st.navigation`` also replaces the
    list of ``pages/`` files Streamlit would otherwise show in the sidebar of a fresh server.
    """
    paths = list(dict.fromkeys(url_paths)) or ["sign_in"]
    pages = [st.Page(draw, title="Sign in", url_path=path, default=i == 0) for i, path in enumerate(paths)]
    st.navigation(pages, position="hidden").run()
    st.stop()
    raise AssertionError("unreachable: st.stop() raises")


def session_role() -> str:
    """Return the role :func:`require_sign_in` set for this run (patient level when it has not run).

    Returns
    -------
    str
        ``"viewer"`` or ``"patient"``.
    """
    return str(st.session_state.get(ROLE_KEY, PATIENT))


def _sign_in_form(config: AccessConfig) -> None:
    """Draw the password form; on the right name and password remember the user and rerun."""
    st.title("MEDCARE Monitor")
    st.caption("Sign in to see the trial.")
    throttle: Throttle = st.session_state.get(THROTTLE_KEY, Throttle())
    with st.form("medcare_sign_in", clear_on_submit=True, enter_to_submit=True, width=420):
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    now = time.monotonic()
    wait = throttle.wait_seconds(now)
    if submitted and wait == 0:
        user = authenticate(config, name, password)
        if user is not None:
            st.session_state[SIGNED_IN_KEY] = user.name
            st.session_state.pop(THROTTLE_KEY, None)
            access_log.log_event("sign-in", user.name, user.role)
            st.rerun()
        throttle = throttle.failed(now)
        st.session_state[THROTTLE_KEY] = throttle
        # A typed name that is no user is not logged: it may be a password typed in the wrong field.
        known = config.user(name)
        access_log.log_event("sign-in-refused", known.name if known else "unknown", "-")
        wait = throttle.wait_seconds(now)
        if not wait:
            st.error(REFUSAL, icon=":material/block:")
    if wait:
        st.error(
            f"{REFUSAL} Too many failed sign-ins: wait {math.ceil(wait)} seconds before trying again.",
            icon=":material/timer:",
        )


def _password_user(config: AccessConfig, url_paths: Sequence[str]) -> SignedIn:
    name = st.session_state.get(SIGNED_IN_KEY)
    # Looked up again on every run, so that a user removed from the secrets (or given another role) is
    # affected at once.
    user = config.user(str(name)) if name else None
    if user is not None:
        return SignedIn(user.name, user.role, "password")
    st.session_state.pop(SIGNED_IN_KEY, None)
    _show_only(lambda: _sign_in_form(config), url_paths)


def _oidc_sign_in(config: AccessConfig) -> None:
    st.title("MEDCARE Monitor")
    st.caption("Sign in with your hospital account to see the trial.")
    st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login, args=(config.provider,))


def _oidc_refused() -> None:
    st.title("MEDCARE Monitor")
    st.error(
        "Your account has no access to this dashboard. Ask the trial's data manager for access.",
        icon=":material/block:",
    )
    st.button("Sign out", on_click=st.logout, icon=":material/logout:")


def _oidc_user(config: AccessConfig, url_paths: Sequence[str]) -> SignedIn:
    user: Mapping[str, Any] = st.user.to_dict()
    if not user.get("is_logged_in"):
        _show_only(lambda: _oidc_sign_in(config), url_paths)
    email = user.get("email")
    name = str(email or user.get("name") or user.get("sub") or "unknown")
    role = config.role_for_email(str(email) if email else None)
    first = not st.session_state.get(OIDC_LOGGED_KEY)
    st.session_state[OIDC_LOGGED_KEY] = True
    if role is None:
        if first:
            access_log.log_event("sign-in-refused", name, "-")
        _show_only(_oidc_refused, url_paths)
    if first:
        access_log.log_event("sign-in", name, role)
    return SignedIn(name, role, "oidc")


def require_sign_in(url_paths: Sequence[str] = ()) -> SignedIn:
    """Return who is signed in; otherwise draw only the sign-in (no navigation) and end the script run.

    Parameters
    ----------
    url_paths : sequence of str, optional
        URL paths of the app's pages, default page first: each opens the sign-in, so that a link to a page
        opens that page once signed in.

    Returns
    -------
    SignedIn
        :data:`OPEN_ACCESS` when no sign-in is configured. The role is also kept in the session
        (:func:`session_role`) for helpers that are not given the page context.
    """
    access_log.withhold_exception_text()
    try:
        config = read_config()
    except AccessConfigError as exc:
        _show_only(_config_error_screen(str(exc)), url_paths)
    if config.is_open:
        user = OPEN_ACCESS
    elif config.mode == "password":
        user = _password_user(config, url_paths)
    else:
        user = _oidc_user(config, url_paths)
    st.session_state[ROLE_KEY] = user.role
    return user


def sign_out(user: SignedIn) -> None:
    """Sign ``user`` out (a button callback): forget the session, and end the OIDC session.

    Every session value goes, filters included: the next person at the same browser starts afresh, and
    a filter can hold subject identifiers.

    Parameters
    ----------
    user : SignedIn
        Who is signed in.
    """
    access_log.log_event("sign-out", user.name, user.role)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if user.method == "oidc":
        st.logout()
