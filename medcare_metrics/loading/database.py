"""ADaM tables from a database named by a URL: a DuckDB file or a schema of a PostgreSQL server.

- ``duckdb:///data/medcare/trial.duckdb``: the file (what follows ``duckdb://`` up to ``?``; relative to the
  working folder unless it starts with ``/``), schema ``main`` unless ``?schema=`` says otherwise;
- ``postgresql://user@host:port/database?schema=medcare`` (``postgres://`` too): schema ``public`` unless
  ``?schema=`` says otherwise; other query parameters are libpq's (``sslmode=require``, ...).

The tables (or views) ``adsl``, ``adtte``, ``adae``, ``adtu`` and ``adlb`` of the schema, names in any case,
are read in one read-only transaction into the same frames the file readers produce, so the same coercion and
validation run on them; a problem names the table as its file and the row in the order the table was read.
Only ADSL is required: a dataset without a table is absent. Nothing is ever written: DuckDB opens the file
read-only, PostgreSQL sessions run with ``default_transaction_read_only`` and a ``READ ONLY`` transaction.

The password is the URL's (accepted, never shown), else one :func:`hide_password` remembered for the URL,
else ``MEDCARE_DB_PASSWORD`` in the environment or at the top of ``.streamlit/secrets.toml``, else libpq's own
``PGPASSWORD`` and ``~/.pgpass``. No message, fingerprint or log line holds it: URLs are shown
:func:`redacted` and every known password is masked in the text of a database's errors.

The fingerprint of a database is a hash of its tables' contents computed by the database itself (an MD5 of
each row's text, sorted, then hashed), their column names and types and row counts: exact, independent of
row order, and cheap for a trial's hundreds of rows.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote, unquote, urlsplit

import pandas as pd

from medcare_metrics.loading.limits import LoadLimits
from medcare_metrics.loading.validation import _Collector
from medcare_metrics.model import DATASETS

#: URL schemes read, and the engine each names.
SCHEMES: dict[str, Literal["duckdb", "postgresql"]] = {
    "duckdb": "duckdb",
    "postgresql": "postgresql",
    "postgres": "postgresql",
}
#: Environment variable (and top-level key of ``.streamlit/secrets.toml``) holding the database password.
PASSWORD_ENV = "MEDCARE_DB_PASSWORD"
#: What a password is replaced with wherever a URL or message is shown.
MASK = "***"
#: Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT = 10
#: Longest a PostgreSQL query may run, in milliseconds: a stuck server must not hang the app.
STATEMENT_TIMEOUT_MS = 120_000
#: Schema read when the URL names none.
DEFAULT_SCHEMA: dict[str, str] = {"duckdb": "main", "postgresql": "public"}

_URL_START = re.compile(r"^\s*(duckdb|postgresql|postgres)://", re.IGNORECASE)

#: Passwords given inside URLs that :func:`hide_password` took out, by the URL without them.
_REMEMBERED: dict[str, str] = {}


class DatabaseSourceError(Exception):
    """A database source that cannot be used at all: a malformed URL, a server or file that cannot be opened.

    The message names the source by its :func:`redacted` URL and holds no password.
    """


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL.

    Attributes
    ----------
    engine : {"duckdb", "postgresql"}
        Which database.
    shown : str
        The URL with its password masked (:func:`redacted`): how messages name the source.
    schema : str
        Schema holding the tables.
    path : pathlib.Path or None
        The DuckDB file; None for PostgreSQL.
    host, user, database : str or None
        PostgreSQL connection parameters (None: libpq's defaults).
    port : int or None
        PostgreSQL port.
    password : str or None
        Password given in the URL (never shown).
    options : tuple of (str, str)
        Further libpq parameters from the query string.
    key : str
        The URL without its password: what :func:`hide_password` returns and remembers the password under.
    """

    engine: Literal["duckdb", "postgresql"]
    shown: str
    schema: str
    key: str
    path: Path | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    database: str | None = None
    password: str | None = field(default=None, repr=False)
    options: tuple[tuple[str, str], ...] = ()

    @property
    def display_name(self) -> str:
        """Return a short name for the sidebar: the file stem, or the database (and schema unless public)."""
        if self.path is not None:
            return self.path.stem
        name = self.database or self.user or "postgresql"
        return name if self.schema == DEFAULT_SCHEMA["postgresql"] else f"{name}.{self.schema}"


@dataclass(frozen=True)
class DatabaseTable:
    """One dataset's table as read, before coercion.

    Attributes
    ----------
    name : str
        The table's name as the database spells it (problems show it as the file).
    frame : pandas.DataFrame
        Its rows in the order read; SQL NULL is None or NaN, dates are ``datetime.date``, numbers floats.
    """

    name: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class DatabaseRead:
    """What :func:`read_database` read.

    Attributes
    ----------
    tables : dict of str to DatabaseTable
        The table read for each dataset present, by lower-case dataset name.
    name : str
        Display name of the source (:attr:`DatabaseURL.display_name`).
    label : str
        The redacted URL: the "file" of problems about the whole source.
    fingerprint : str
        The fingerprint, from the same snapshot as the tables; empty when the database could not be read.
    """

    tables: dict[str, DatabaseTable]
    name: str
    label: str
    fingerprint: str


# --- URLs and passwords ---------------------------------------------------------------------------------


def is_database_url(source: object) -> bool:
    """Return whether ``source`` is a database URL (``duckdb://...``, ``postgresql://...``), not a path.

    Parameters
    ----------
    source : object
        A source as given (str or pathlib.Path; a Path is never a URL).

    Returns
    -------
    bool
        True for a string starting with ``duckdb://``, ``postgresql://`` or ``postgres://`` (any case).
    """
    return isinstance(source, str) and _URL_START.match(source) is not None


def _split(url: str) -> tuple[str, str | None, str]:
    """Split a URL into scheme, user information (None when absent) and the rest (host, path, query).

    The user information ends at the last ``@`` before the query, so a password holding ``/``, ``:`` or ``@``
    that was not percent-encoded is still taken (and masked) whole; so is one holding ``?``, when no ``/``
    comes before it.
    """
    scheme, _, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if SCHEMES.get(scheme) == "duckdb":  # a DuckDB URL is a file path, which may hold "@"
        return scheme, None, rest
    query_at = rest.find("?")
    end = query_at if query_at >= 0 else len(rest)
    at = rest.rfind("@", 0, end)
    if at < 0 and query_at >= 0 and "/" not in rest[:query_at]:
        # "?" before any "/" and an "@" after it: a "?" in the password, not the start of the query.
        slash = rest.find("/", query_at)
        at = rest.rfind("@", 0, slash if slash >= 0 else len(rest))
    if at < 0:
        return scheme, None, rest
    return scheme, rest[:at], rest[at + 1 :]


def _query_items(query: str) -> list[tuple[str, str, str]]:
    """Return ``(raw item, decoded key, decoded value)`` for each ``key=value`` of a query string."""
    items = []
    for item in query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        items.append((item, unquote(key).strip().lower(), unquote(value)))
    return items


def _rebuild(url: str, password: str | None) -> str:
    """Return ``url`` with its password replaced by ``password``, or left out when ``password`` is None."""
    scheme, userinfo, rest = _split(url)
    head, _, query = rest.partition("?")
    items = [
        item if key != "password" else f"{item.partition('=')[0]}={password}"
        for item, key, _ in _query_items(query)
        if key != "password" or password is not None
    ]
    user, has_password, _ = (userinfo or "").partition(":")
    if has_password and password is not None:
        user = f"{user}:{password}"
    return f"{scheme}://{user + '@' if user else ''}{head}" + (f"?{'&'.join(items)}" if items else "")


def redacted(url: str) -> str:
    """Return ``url`` with any password in it replaced by ``***``: how a database URL is shown.

    Parameters
    ----------
    url : str
        A database URL, with or without a password (``postgresql://user:secret@host/db`` or
        ``...?password=secret``).

    Returns
    -------
    str
        The URL with the password masked (``postgresql://user:***@host/db``); unchanged when it holds none
        or is not a database URL (a folder or file path).
    """
    if not is_database_url(url):
        return url
    return _rebuild(url, MASK)


def hide_password(url: str) -> str:
    """Return ``url`` without its password, which this process remembers and uses for that URL.

    The app calls it on the source it is given, so the URL it shows, caches on and logs never holds the
    password while the connection still gets it.

    Parameters
    ----------
    url : str
        A database URL.

    Returns
    -------
    str
        The URL without password (``postgresql://user@host/db``); ``url`` itself when it holds none.
    """
    parsed = parse_url(url)
    if parsed.password is not None:
        _REMEMBERED[parsed.key] = parsed.password
    return parsed.key


def parse_url(url: str) -> DatabaseURL:
    """Parse a database URL.

    Parameters
    ----------
    url : str
        ``duckdb:///path/trial.duckdb[?schema=S]`` or ``postgresql://[user[:password]@]host[:port]/database
        [?schema=S&libpq-parameter=value...]``.

    Returns
    -------
    DatabaseURL
        The parts.

    Raises
    ------
    DatabaseSourceError
        When the URL is not one of these (the message shows it redacted).
    """
    shown = redacted(url)
    scheme, userinfo, rest = _split(url)
    engine = SCHEMES.get(scheme)
    if engine is None:
        raise DatabaseSourceError(f"{shown}: not a duckdb:// or postgresql:// URL")
    head, _, query = rest.partition("?")
    params = _query_items(query)
    schema = next((v for _, k, v in params if k == "schema"), "") or DEFAULT_SCHEMA[engine]
    key = _rebuild(url, None)
    if engine == "duckdb":
        unknown = sorted({k for _, k, _ in params} - {"schema"})
        if unknown:
            raise DatabaseSourceError(
                f"{shown}: unknown parameter {', '.join(unknown)} (a DuckDB URL takes schema)"
            )
        text = unquote(head)
        if not text:
            raise DatabaseSourceError(f"{shown}: no file named (expected duckdb:///path/to/trial.duckdb)")
        # "duckdb:////abs" gives "//abs", which POSIX would keep as a distinct root.
        path = Path(re.sub(r"^/+", "/", text)).expanduser()
        return DatabaseURL("duckdb", shown, schema, key, path=path)
    user, has_password, password = (userinfo or "").partition(":")
    from_query = next((v for _, k, v in params if k == "password"), None)
    try:
        parts = urlsplit(f"//{head}")
        port = parts.port
    except ValueError:
        raise DatabaseSourceError(f"{shown}: the host or port cannot be read") from None
    options = tuple((k, v) for _, k, v in params if k not in ("schema", "password"))
    return DatabaseURL(
        "postgresql",
        shown,
        schema,
        key,
        host=unquote(parts.hostname) if parts.hostname else None,
        port=port,
        user=unquote(user) if user else None,
        database=unquote(parts.path.lstrip("/")) or None,
        password=unquote(password) if has_password else from_query,
        options=options,
    )


def _secrets_password() -> str | None:
    """Return ``MEDCARE_DB_PASSWORD`` from Streamlit's secrets files, the working folder's winning."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the environment variable is the way there
        return None
    found = None
    for path in (Path.home() / ".streamlit" / "secrets.toml", Path.cwd() / ".streamlit" / "secrets.toml"):
        try:
            value = tomllib.loads(path.read_text(encoding="utf-8")).get(PASSWORD_ENV)
        except (OSError, ValueError, UnicodeDecodeError):
            # Missing, unreadable or broken: the sign-in module says so; a password is simply not found.
            continue
        if isinstance(value, str) and value:
            found = value
    return found


def _password(url: DatabaseURL) -> str | None:
    """Return the password to connect with; None leaves it to libpq (``PGPASSWORD``, ``~/.pgpass``)."""
    if url.password is not None:
        return url.password
    if url.key in _REMEMBERED:
        return _REMEMBERED[url.key]
    return os.environ.get(PASSWORD_ENV) or _secrets_password()


def _known_passwords(url: DatabaseURL) -> list[str]:
    """Return every password that could reach a message about ``url``, longest first, also percent-encoded."""
    found = {
        url.password,
        _REMEMBERED.get(url.key),
        os.environ.get(PASSWORD_ENV),
        os.environ.get("PGPASSWORD"),
        _secrets_password(),
    }
    plain = {p for p in found if p}
    return sorted(plain | {quote(p, safe="") for p in plain}, key=len, reverse=True)


def _clean(text: str, url: DatabaseURL) -> str:
    """Return a driver's message with every known password masked and its lines joined."""
    for secret in _known_passwords(url):
        text = text.replace(secret, MASK)
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return "; ".join(line for line in lines if line)


# --- sessions -----------------------------------------------------------------------------------------------


def _identifier(name: str) -> str:
    """Quote an SQL identifier (both engines follow the standard)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """Quote an SQL string literal (standard-conforming strings in both engines)."""
    return "'" + text.replace("'", "''") + "'"


class _Session(Protocol):
    """A read-only connection to one database."""

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run ``sql`` and return column names and rows."""
        ...

    def row_digest(self, alias: str) -> str:
        """Return the SQL expression of one row's MD5 (hex) over its full text, the row as ``alias``."""
        ...


class _DuckSession:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self._connection.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()

    def row_digest(self, alias: str) -> str:
        # JSON escapes every value, so two different rows never give the same text.
        return f"md5(to_json({alias})::VARCHAR)"


class _PostgresSession:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        # A savepoint each: a table that cannot be read must not abort the reads of the others.
        with self._connection.transaction(), self._connection.cursor() as cursor:
            cursor.execute(sql)
            return [d.name for d in cursor.description], cursor.fetchall()

    def row_digest(self, alias: str) -> str:
        # A row's text form quotes and escapes its values, so it is unambiguous.
        return f"md5({alias}::text)"


@contextmanager
def _duckdb_session(url: DatabaseURL) -> Iterator[_Session]:
    import duckdb

    assert url.path is not None  # a DuckDB URL always names a file
    if not url.path.is_file():
        raise FileNotFoundError(f"data source not found: {url.path} ({url.shown})")
    try:
        connection = duckdb.connect(str(url.path), read_only=True)
    except duckdb.Error as exc:  # locked by a writer, not a DuckDB file, a newer storage version
        raise DatabaseSourceError(f"could not open {url.shown}: {_clean(str(exc), url)}") from None
    try:
        yield _DuckSession(connection)
    finally:
        connection.close()


@contextmanager
def _postgres_session(url: DatabaseURL) -> Iterator[_Session]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = dict(url.options)
    options = " ".join(
        part
        for part in (
            params.pop("options", ""),
            "-c default_transaction_read_only=on",
            f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        )
        if part
    )
    params.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
    params.setdefault("application_name", "medcare-monitor")
    try:
        conninfo = make_conninfo(
            "",
            host=url.host,
            port=url.port,
            user=url.user,
            dbname=url.database,
            password=_password(url),
            options=options,
            **params,
        )
        connection = psycopg.connect(conninfo)
    except (psycopg.Error, ValueError, TypeError) as exc:
        # "from None": the driver's exception would carry the connection parameters in its chain.
        raise DatabaseSourceError(f"could not connect to {url.shown}: {_clean(str(exc), url)}") from None
    try:
        connection.read_only = True
        # One snapshot for every table and the fingerprint: a cut committed meanwhile is wholly in or out.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.transaction():
            yield _PostgresSession(connection)
    finally:
        connection.close()


@contextmanager
def _session(url: DatabaseURL) -> Iterator[_Session]:
    """Open a read-only session on ``url``'s database; DatabaseSourceError when that fails."""
    opener = _duckdb_session if url.engine == "duckdb" else _postgres_session
    with opener(url) as session:
        yield session


# --- reading ------------------------------------------------------------------------------------------------


def _schema_exists(session: _Session, schema: str) -> bool:
    _, rows = session.query(
        f"SELECT 1 FROM information_schema.schemata WHERE catalog_name = current_database() "
        f"AND schema_name = {_literal(schema)}"
    )
    return bool(rows)


def _tables(session: _Session, schema: str) -> list[str]:
    """Return the tables and views of ``schema``, sorted."""
    _, rows = session.query(
        f"SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        f"AND table_schema = {_literal(schema)}"
    )
    return sorted(str(r[0]) for r in rows)


def _choose(tables: Sequence[str]) -> dict[str, list[str]]:
    """Return, for each dataset with a table, the tables named like it (any case), the one read first."""
    chosen: dict[str, list[str]] = {}
    for dataset in DATASETS:
        named = [t for t in tables if t.lower() == dataset]
        if named:
            # The lower-case spelling first, as files and sheets are named.
            chosen[dataset] = sorted(named, key=lambda t: (t != dataset, t))
    return chosen


def _frame(columns: list[str], rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Return rows as a frame; NUMERIC and DECIMAL values become floats, as in a file."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in frame.select_dtypes(include="object").columns:
        values = frame[column]
        if values.map(lambda v: isinstance(v, Decimal)).any():
            frame[column] = pd.to_numeric(values.map(lambda v: float(v) if isinstance(v, Decimal) else v))
    return frame


def _table_digest(session: _Session, schema: str, table: str) -> bytes:
    """Return the table's columns, row count and content hash, as the database computes them."""
    _, columns = session.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_catalog = current_database() AND table_schema = {_literal(schema)} "
        f"AND table_name = {_literal(table)} ORDER BY ordinal_position"
    )
    digest = session.row_digest("t")
    # Row hashes sorted then hashed: independent of the order rows are stored in, exact for their contents.
    _, rows = session.query(
        f"SELECT count(*), md5(coalesce(string_agg({digest}, '' ORDER BY {digest}), '')) "
        f"FROM {_identifier(schema)}.{_identifier(table)} AS t"
    )
    count, content = rows[0]
    described = ";".join(f"{name} {kind}" for name, kind in columns)
    return f"{table.lower()}\0{described}\0{count}\0{content}\0".encode()


def _fingerprint(session: _Session, schema: str, chosen: dict[str, list[str]]) -> str:
    digest = hashlib.sha256()
    for names in chosen.values():
        digest.update(_table_digest(session, schema, names[0]))
    return digest.hexdigest()[:12]


def database_fingerprint(source: str) -> str:
    """Return the fingerprint of a database source, computed by the database from the tables' contents.

    Parameters
    ----------
    source : str
        A database URL.

    Returns
    -------
    str
        First 12 hex characters of a SHA-256 over each dataset table's name, columns, row count and content
        hash. A missing schema or table counts as empty (loading then says what is missing).

    Raises
    ------
    FileNotFoundError
        When a DuckDB file does not exist.
    DatabaseSourceError
        When the URL is malformed or the database cannot be opened (server down, login refused); the message
        holds no password.
    """
    url = parse_url(source)
    try:
        with _session(url) as session:
            if not _schema_exists(session, url.schema):
                return hashlib.sha256().hexdigest()[:12]
            return _fingerprint(session, url.schema, _choose(_tables(session, url.schema)))
    except (DatabaseSourceError, FileNotFoundError):
        raise
    except Exception as exc:  # a query refused mid-way (privileges, timeout): the same kind of failure
        raise DatabaseSourceError(
            f"could not read {url.shown} ({type(exc).__name__}: {_clean(str(exc), url)})"
        ) from None


def database_file(source: str) -> Path | None:
    """Return the file a DuckDB URL names; None for a server database.

    Parameters
    ----------
    source : str
        A database URL.

    Returns
    -------
    pathlib.Path or None
        The DuckDB file (not checked to exist), or None for PostgreSQL.

    Raises
    ------
    DatabaseSourceError
        When the URL is malformed.
    """
    return parse_url(source).path


def read_database(source: str, out: _Collector, limits: LoadLimits) -> DatabaseRead:
    """Read the dataset tables of a database source; every failure becomes a problem.

    Parameters
    ----------
    source : str
        A database URL.
    out : _Collector
        Where problems go: one ADSL problem when the database cannot be opened or the schema or ADSL table
        is missing; one per table that cannot be read or is past the row limit.
    limits : LoadLimits
        :attr:`LoadLimits.max_rows` applies to each table (read with ``LIMIT max_rows + 1``).

    Returns
    -------
    DatabaseRead
        The tables read, the source's name and label, and the fingerprint of the same snapshot.

    Raises
    ------
    FileNotFoundError
        When a DuckDB file does not exist.
    """
    try:
        url = parse_url(source)
    except DatabaseSourceError as exc:
        label = redacted(source)
        out.add("adsl", label, f"{exc}; no trial can be shown", check="readable")
        return DatabaseRead({}, label, label, "")
    tables: dict[str, DatabaseTable] = {}
    fingerprint = ""
    try:
        with _session(url) as session:
            if not _schema_exists(session, url.schema):
                where = f"database {url.database}" if url.database else url.shown
                out.add(
                    "adsl",
                    url.shown,
                    f"schema {url.schema} not found in {where}; no trial can be shown (name the schema "
                    "with ?schema=NAME)",
                    check="readable",
                )
                return DatabaseRead({}, url.display_name, url.shown, "")
            chosen = _choose(_tables(session, url.schema))
            if "adsl" not in chosen:
                out.add(
                    "adsl",
                    url.shown,
                    f"no table named adsl (any case) in schema {url.schema}; no trial can be shown",
                    check="required dataset",
                )
            for dataset, names in chosen.items():
                table = names[0]
                if len(names) > 1:
                    out.add(
                        dataset,
                        table,
                        f"several tables for {dataset.upper()} ({', '.join(names)}); read {table} and "
                        "ignored the others",
                        check="one file per dataset",
                        severity="warning",
                    )
                try:
                    columns, rows = session.query(
                        f"SELECT * FROM {_identifier(url.schema)}.{_identifier(table)} "
                        # One row more than the limit is enough to know a table is past it.
                        f"LIMIT {limits.max_rows + 1}"
                    )
                except Exception as exc:  # no privilege on it, a broken view: a problem, the others go on
                    out.add(
                        dataset,
                        table,
                        f"table could not be read ({type(exc).__name__}: {_clean(str(exc), url)})",
                        check="readable",
                    )
                    continue
                if len(rows) > limits.max_rows:
                    out.add(dataset, table, limits.rows_refusal(dataset), check="size limit")
                    continue
                tables[dataset] = DatabaseTable(table, _frame(columns, rows))
            fingerprint = _fingerprint(session, url.schema, chosen)
    except DatabaseSourceError as exc:
        out.add("adsl", url.shown, f"{exc}; no trial can be shown", check="readable")
        return DatabaseRead({}, url.display_name, url.shown, "")
    except FileNotFoundError:
        raise
    except Exception as exc:  # the snapshot's own queries refused (privileges on the catalog, a timeout)
        out.add(
            "adsl",
            url.shown,
            f"could not read {url.shown} ({type(exc).__name__}: {_clean(str(exc), url)}); "
            "no trial can be shown",
            check="readable",
        )
        return DatabaseRead({}, url.display_name, url.shown, "")
    return DatabaseRead(tables, url.display_name, url.shown, fingerprint)
