"""Who may see what: the access configuration, password checks, roles and what each role may see.

Nothing here imports Streamlit, so every rule is unit-tested on plain values; :mod:`medcare_app.auth` reads
the configuration from ``st.secrets`` and draws the sign-in. The configuration is the ``[medcare_auth]``
section of ``.streamlit/secrets.toml``::

    [medcare_auth]
    mode = "password"                 # or "oidc" (Streamlit's st.login, configured in [auth])

    [[medcare_auth.users]]            # mode "password": a short list of users
    name = "an.investigator"
    role = "patient"                  # "viewer" (aggregates only) or "patient" (patient level)
    password_hash = "$2b$12$..."      # bcrypt; make one with `python3 -m medcare_app.access hash`

    [medcare_auth.roles]              # mode "oidc": e-mail address -> role
    "an.investigator@hospital.org" = "patient"

Without the section the app runs open (patient level, as before), and the sidebar says so.

A password is never stored or compared in plain text: a ``password_hash`` that is not a bcrypt hash is a
configuration error, not a password.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import bcrypt
import pandas as pd

#: Role that sees aggregates only: no Patients page, no subject identifiers in tables or downloads.
VIEWER = "viewer"
#: Role that also sees patient-level data: the Patients page, listings and downloads with subject ids.
PATIENT = "patient"
#: Every role, least privilege first.
ROLES: tuple[str, ...] = (VIEWER, PATIENT)
#: What each role may see, in words (the README and the sign-in help quote it).
ROLE_DESCRIPTIONS: dict[str, str] = {
    VIEWER: "aggregates only: no Patients page, no subject identifiers in tables or downloads",
    PATIENT: "patient level: the Patients page, listings and downloads with subject identifiers",
}
#: Sign-in modes of ``[medcare_auth] mode``.
MODES: tuple[str, ...] = ("password", "oidc")
#: Pages (URL path) only a patient-level role may open.
PATIENT_LEVEL_PAGES: frozenset[str] = frozenset({"patients"})
#: Columns that hold subject identifiers (ADaM USUBJID / SUBJID, any case).
SUBJECT_COLUMNS: frozenset[str] = frozenset({"USUBJID", "SUBJID"})
#: Failed sign-ins in a session before the form waits, and how long it waits (seconds).
MAX_FAILURES = 5
LOCKOUT_SECONDS = 30.0
#: bcrypt reads at most this many bytes of a password; longer ones are refused rather than cut silently.
MAX_PASSWORD_BYTES = 72
#: bcrypt hash prefixes (``$2b$`` is what the bcrypt package writes; the others are older spellings).
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# Checked against when the user name is unknown, so that a refusal takes as long for an unknown user as for a
# wrong password (the time does not tell which user names exist). Cost 12, as hash_password uses.
_DUMMY_HASH = b"$2b$12$OMfbhUCX53DTdO5kVXqjXObjkrlwUvwdDIsvGI/0adsHYM/c9lhci"


class AccessConfigError(ValueError):
    """The ``[medcare_auth]`` section is wrong; the message says where, and never quotes a secret."""


@dataclass(frozen=True)
class PasswordUser:
    """One user of password sign-in.

    Attributes
    ----------
    name : str
        User name typed in the sign-in form (compared exactly, after trimming spaces).
    role : str
        ``"viewer"`` or ``"patient"``.
    password_hash : str
        bcrypt hash of the password (kept out of ``repr`` so that it never reaches a log or a message).
    """

    name: str
    role: str
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class AccessConfig:
    """The access configuration, checked.

    Attributes
    ----------
    mode : str
        ``"open"`` (no ``[medcare_auth]``), ``"password"`` or ``"oidc"``.
    users : tuple of PasswordUser
        Mode ``"password"``: who may sign in.
    roles : tuple of (str, str)
        Mode ``"oidc"``: (e-mail address in lower case, role) pairs.
    default_role : str or None
        Mode ``"oidc"``: role of a signed-in identity not in :attr:`roles`; None refuses it.
    provider : str or None
        Mode ``"oidc"``: the provider name of ``[auth.<provider>]`` passed to ``st.login``; None for a single
        provider configured directly in ``[auth]``.
    """

    mode: Literal["open", "password", "oidc"] = "open"
    users: tuple[PasswordUser, ...] = ()
    roles: tuple[tuple[str, str], ...] = ()
    default_role: str | None = VIEWER
    provider: str | None = None

    @property
    def is_open(self) -> bool:
        """True when no sign-in is configured."""
        return self.mode == "open"

    def user(self, name: str) -> PasswordUser | None:
        """Return the password user called ``name`` (spaces around it ignored), or None."""
        wanted = name.strip()
        return next((u for u in self.users if u.name == wanted), None)

    def role_for_email(self, email: str | None) -> str | None:
        """Return the role of an OIDC identity by e-mail address (any case), else :attr:`default_role`.

        Parameters
        ----------
        email : str or None
            The address the identity provider returned (``st.user.email``); None when it returned none.

        Returns
        -------
        str or None
            The role, or None when the identity may not sign in.
        """
        if email:
            wanted = email.strip().lower()
            for address, role in self.roles:
                if address == wanted:
                    return role
        return self.default_role


#: The configuration of an app without ``[medcare_auth]``.
OPEN = AccessConfig()


def _role(value: object, where: str) -> str:
    role = str(value).strip().lower() if value is not None else ""
    if role not in ROLES:
        raise AccessConfigError(f"{where}: unknown role {value!r}; use one of {', '.join(ROLES)}.")
    return role


def is_bcrypt_hash(text: str) -> bool:
    """Return True when ``text`` looks like a bcrypt hash (``$2b$12$`` and 53 more characters).

    Parameters
    ----------
    text : str
        The configured ``password_hash``.

    Returns
    -------
    bool
        False for anything else, a plain-text password above all.
    """
    return len(text) == 60 and text.startswith(_BCRYPT_PREFIXES) and text[4:6].isdigit() and text[6] == "$"


def _users(entries: object) -> tuple[PasswordUser, ...]:
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        raise AccessConfigError(
            'mode "password" needs at least one [[medcare_auth.users]] entry with name, role and '
            "password_hash."
        )
    users: list[PasswordUser] = []
    for number, entry in enumerate(entries, start=1):
        where = f"[[medcare_auth.users]] entry {number}"
        if not isinstance(entry, Mapping):
            raise AccessConfigError(f"{where}: expected name, role and password_hash.")
        unknown = sorted(set(entry) - {"name", "role", "password_hash"})
        if "password" in unknown:
            raise AccessConfigError(
                f"{where}: plain-text passwords are not accepted; write its bcrypt hash as password_hash "
                "(`python3 -m medcare_app.access hash`)."
            )
        if unknown:
            raise AccessConfigError(f"{where}: unknown key(s) {', '.join(unknown)}.")
        name = str(entry.get("name") or "").strip()
        if not name:
            raise AccessConfigError(f"{where}: name is missing.")
        where = f"user {name!r}"
        if any(u.name == name for u in users):
            raise AccessConfigError(f"{where} is listed twice.")
        role = _role(entry.get("role"), where)
        password_hash = str(entry.get("password_hash") or "").strip()
        if not is_bcrypt_hash(password_hash):
            # The value is not quoted: it may be a password someone typed in by mistake.
            raise AccessConfigError(
                f"{where}: password_hash is not a bcrypt hash (plain-text passwords are not accepted); "
                "make one with `python3 -m medcare_app.access hash`."
            )
        users.append(PasswordUser(name, role, password_hash))
    return tuple(users)


def _oidc(section: Mapping[str, object]) -> AccessConfig:
    mapping = section.get("roles", {})
    if not isinstance(mapping, Mapping):
        raise AccessConfigError(
            '[medcare_auth.roles] must map e-mail addresses to roles: "a@b.org" = "patient".'
        )
    roles = tuple(
        (str(email).strip().lower(), _role(role, f"[medcare_auth.roles] {email!r}"))
        for email, role in mapping.items()
    )
    default = section.get("default_role", VIEWER)
    default_role = None if str(default).strip().lower() in ("", "none") else _role(default, "default_role")
    provider = section.get("provider")
    return AccessConfig(
        mode="oidc",
        roles=roles,
        default_role=default_role,
        provider=str(provider).strip() if provider else None,
    )


def parse_config(section: Mapping[str, object] | None) -> AccessConfig:
    """Check the ``[medcare_auth]`` secrets section and return it as an :class:`AccessConfig`.

    Parameters
    ----------
    section : mapping or None
        The section as ``st.secrets`` holds it; None (or empty) when absent.

    Returns
    -------
    AccessConfig
        :data:`OPEN` when the section is absent or empty.

    Raises
    ------
    AccessConfigError
        For an unknown mode or role, a user without a bcrypt hash (a plain-text password above all), a user
        listed twice, or an unknown key. The message names the entry and never quotes a hash or password.
    """
    if not section:
        return OPEN
    if not isinstance(section, Mapping):
        raise AccessConfigError("[medcare_auth] must be a table (a section of secrets.toml).")
    mode = str(section.get("mode", "")).strip().lower()
    if mode not in MODES:
        raise AccessConfigError(f"[medcare_auth] mode must be one of {', '.join(MODES)}, not {mode!r}.")
    if mode == "oidc":
        return _oidc(section)
    return AccessConfig(mode="password", users=_users(section.get("users")))


def hash_password(password: str, rounds: int = 12) -> str:
    """Return the bcrypt hash of ``password`` (what ``password_hash`` holds).

    Parameters
    ----------
    password : str
        The password.
    rounds : int, default 12
        bcrypt cost (log2 of the work); tests use the minimum, 4.

    Returns
    -------
    str
        ``$2b$12$...`` (60 characters).

    Raises
    ------
    ValueError
        When the password is empty or longer than bcrypt reads (72 bytes).
    """
    encoded = password.encode()
    if not encoded or len(encoded) > MAX_PASSWORD_BYTES:
        raise ValueError(f"a password must have 1 to {MAX_PASSWORD_BYTES} bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    """Return True when ``password`` matches the bcrypt hash ``password_hash``.

    Parameters
    ----------
    password : str
        What was typed.
    password_hash : str
        The configured bcrypt hash.

    Returns
    -------
    bool
        False for a wrong password, an over-long one and a malformed hash; never raises.
    """
    encoded = password.encode()
    if not encoded or len(encoded) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode())
    except ValueError:
        return False


def authenticate(config: AccessConfig, name: str, password: str) -> PasswordUser | None:
    """Return the user whose name and password these are, or None (no hint which one was wrong).

    Parameters
    ----------
    config : AccessConfig
        A ``"password"`` configuration.
    name : str
        User name as typed.
    password : str
        Password as typed.

    Returns
    -------
    PasswordUser or None
        None for an unknown user and for a wrong password alike; both cost one bcrypt check.
    """
    user = config.user(name)
    if user is None:
        verify_password(password, _DUMMY_HASH.decode())
        return None
    return user if verify_password(password, user.password_hash) else None


def can_see_subjects(role: str) -> bool:
    """Return True when ``role`` may see subject identifiers (listings, patient-level downloads).

    Parameters
    ----------
    role : str
        ``"viewer"`` or ``"patient"``; anything else is treated as the least privileged role.

    Returns
    -------
    bool
        True for ``"patient"`` only.
    """
    return role == PATIENT


def page_allowed(role: str, url_path: str) -> bool:
    """Return True when ``role`` may open the page at ``url_path`` (``"patients"``, ``"overview"``, ...).

    Parameters
    ----------
    role : str
        The signed-in role.
    url_path : str
        The page's URL path (its file stem).

    Returns
    -------
    bool
        False for a patient-level page (:data:`PATIENT_LEVEL_PAGES`) and a role that cannot see subjects.
    """
    return can_see_subjects(role) or url_path not in PATIENT_LEVEL_PAGES


def subject_columns(columns: Iterable[object]) -> list[str]:
    """Return the columns among ``columns`` that hold subject identifiers (USUBJID, SUBJID; any case).

    Parameters
    ----------
    columns : iterable
        Column names.

    Returns
    -------
    list of str
        Those names, in order.
    """
    return [str(c) for c in columns if str(c).upper() in SUBJECT_COLUMNS]


def without_subjects(frame: pd.DataFrame, role: str) -> pd.DataFrame:
    """Return ``frame`` as ``role`` may see it: without subject-identifier columns unless patient level.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table about to be shown or downloaded.
    role : str
        The signed-in role.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when nothing is dropped, else a copy without the USUBJID / SUBJID columns (an
        index named so is dropped too).
    """
    if can_see_subjects(role):
        return frame
    drop = subject_columns(frame.columns)
    index_names = [n for n in frame.index.names if n is not None and str(n).upper() in SUBJECT_COLUMNS]
    if not drop and not index_names:
        return frame
    shown = frame.drop(columns=drop)
    if index_names:
        shown = shown.reset_index(level=index_names, drop=True)
    return shown


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins of one browser session and when the form opens again.

    Attributes
    ----------
    failures : int
        Failures since the last wait.
    locked_until : float
        Time (``time.monotonic()``) before which the form refuses to check a password.
    """

    failures: int = 0
    locked_until: float = 0.0

    def wait_seconds(self, now: float) -> float:
        """Return how many seconds the form still waits at ``now`` (0 when it is open)."""
        return max(0.0, self.locked_until - now)

    def failed(self, now: float) -> Throttle:
        """Return the throttle after one more failure at ``now``: the :data:`MAX_FAILURES` th one locks."""
        failures = self.failures + 1
        if failures >= MAX_FAILURES:
            return Throttle(0, now + LOCKOUT_SECONDS)
        return replace(self, failures=failures)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the bcrypt hash of a password read from the terminal (``python3 -m medcare_app.access hash``).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0, or 1 when the two passwords typed differ or are unusable.
    """
    parser = argparse.ArgumentParser(prog="python3 -m medcare_app.access", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["hash"], help="hash: print the bcrypt hash of a password")
    parser.parse_args(argv)
    # Read twice from the terminal (never an argument: it would stay in the shell history).
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        print("The two passwords differ.", file=sys.stderr)
        return 1
    try:
        print(hash_password(password))
    except ValueError as exc:
        print(f"Unusable password: {exc}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
