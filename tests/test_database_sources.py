"""Database sources: the example trial as DuckDB tables and as a PostgreSQL schema loads as the folder does.

DuckDB tests need only the ``duckdb`` package. PostgreSQL tests connect to the server ``.ci/run`` starts
(``MEDCARE_TEST_PG_URL``, password in ``PGPASSWORD``); each test loads the example trial into its own schema
``medcare_<random>`` (xdist workers share the server) and drops it afterwards. With ``CI`` set they fail
when the server is missing; elsewhere they are skipped when ``MEDCARE_TEST_PG_URL`` is unset.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import metrics

from medcare_metrics import schema
from medcare_metrics.__main__ import main
from medcare_metrics.loading import (
    DatabaseSourceError,
    LoadLimits,
    LoadResult,
    database,
    example_path,
    fingerprint,
    hide_password,
    load_trial,
    redacted,
)
from medcare_metrics.model import DATASETS

PAGE = "pages/overview.py"
#: SQL column type per documented column kind; undocumented columns are text.
SQL_TYPES = {
    "text": "VARCHAR",
    "flag": "VARCHAR",
    "number": "DOUBLE PRECISION",
    "integer": "INTEGER",
    "date": "DATE",
}
#: A password planted in URLs and the environment: it must never come out again.
PLANTED = "Pl4nted-s3cret/pw"


def example_frames() -> dict[str, pd.DataFrame]:
    """Return the example trial's CSV files as text, as a statistician would load them into a database."""
    return {
        d: pd.read_csv(example_path() / f"{d}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for d in DATASETS
    }


def create_statements(schema_name: str, frames: dict[str, pd.DataFrame], upper: bool = False) -> list[str]:
    """Return CREATE TABLE statements typing each documented column by its kind (DATE, INTEGER, ...)."""
    statements = []
    for dataset, frame in frames.items():
        specs = schema.column_specs(dataset)
        columns = ", ".join(
            f'"{c}" {SQL_TYPES[specs[c].kind] if c in specs else "VARCHAR"}' for c in frame.columns
        )
        table = dataset.upper() if upper else dataset
        statements.append(f'CREATE TABLE "{schema_name}"."{table}" ({columns})')
    return statements


def rows_of(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]


def assert_same_trial(got: LoadResult, expected: LoadResult) -> None:
    assert got.trial is not None and expected.trial is not None
    assert len(got.problems) == len(expected.problems)
    assert got.trial.available == expected.trial.available
    for dataset in DATASETS:
        left, right = got.trial.dataset(dataset), expected.trial.dataset(dataset)
        if right is None:
            assert left is None
        else:
            pd.testing.assert_frame_equal(left, right)
    assert got.trial.notes == expected.trial.notes


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def assert_same_cli(capsys: pytest.CaptureFixture[str], source: str) -> None:
    folder = str(example_path())
    for command in (
        ["km", "--endpoint", "NESTFS"],
        ["km", "--endpoint", "PFS", "--by", "MDTTYPE"],
        ["toxicity"],
        ["toxicity", "--teae"],
    ):
        assert cli_json(capsys, *command, source) == cli_json(capsys, *command, folder), command


def assert_nowhere(secret: str, *texts: str) -> None:
    for text in texts:
        assert secret not in text


# --- DuckDB -----------------------------------------------------------------------------------------------


def write_duckdb(path: Path, frames: dict[str, pd.DataFrame], schema_name: str = "medcare") -> str:
    import duckdb

    connection = duckdb.connect(str(path))
    try:
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema_name}"')
        # Upper-case table names, as SAS users write them: names are matched in any case.
        for statement in create_statements(schema_name, frames, upper=True):
            connection.execute(statement)
        for dataset, frame in frames.items():
            marks = ", ".join("?" for _ in frame.columns)
            connection.executemany(
                f'INSERT INTO "{schema_name}"."{dataset.upper()}" VALUES ({marks})', rows_of(frame)
            )
    finally:
        connection.close()
    return f"duckdb://{path}?schema={schema_name}"


def duck_execute(path: Path, *statements: str) -> None:
    import duckdb

    connection = duckdb.connect(str(path))
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def duck_source(tmp_path: Path) -> str:
    return write_duckdb(tmp_path / "trial.duckdb", example_frames())


@pytest.fixture(scope="module")
def folder_result() -> LoadResult:
    return load_trial(example_path())


def test_duckdb_loads_like_the_folder(duck_source: str, folder_result: LoadResult) -> None:
    result = load_trial(duck_source)
    assert_same_trial(result, folder_result)
    assert result.source == duck_source
    assert result.trial is not None and result.trial.name == "trial"
    assert result.trial.fingerprint == fingerprint(duck_source)


def test_duckdb_commands_match_the_folder(duck_source: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert_same_cli(capsys, duck_source)
    assert main(["validate", duck_source]) == 0
    assert f"Source: {duck_source}" in capsys.readouterr().out


def test_duckdb_is_opened_read_only(duck_source: str, tmp_path: Path) -> None:
    file = tmp_path / "trial.duckdb"
    before = hashlib.sha256(file.read_bytes()).hexdigest()
    load_trial(duck_source)
    fingerprint(duck_source)
    assert hashlib.sha256(file.read_bytes()).hexdigest() == before
    assert not (tmp_path / "trial.duckdb.wal").exists()


def test_same_size_edit_changes_the_fingerprint(duck_source: str, tmp_path: Path) -> None:
    from medcare_app import cache

    fp, stamp = fingerprint(duck_source), cache.source_stamp(duck_source)
    duck_execute(
        tmp_path / "trial.duckdb", "UPDATE medcare.ADSL SET AGE = AGE + 1 WHERE USUBJID = 'MEDCARE-01-002'"
    )
    assert fingerprint(duck_source) != fp
    assert cache.source_stamp(duck_source) != stamp
    result = load_trial(duck_source)
    assert result.trial is not None
    assert result.trial.adsl.set_index("USUBJID").loc["MEDCARE-01-002", "AGE"] == 79
    duck_execute(
        tmp_path / "trial.duckdb", "UPDATE medcare.ADSL SET AGE = AGE - 1 WHERE USUBJID = 'MEDCARE-01-002'"
    )
    assert fingerprint(duck_source) == fp  # the contents, not the file's bytes


def test_fingerprint_ignores_row_order(tmp_path: Path) -> None:
    frames = example_frames()
    shuffled = {d: f.iloc[::-1].reset_index(drop=True) for d, f in frames.items()}
    first = write_duckdb(tmp_path / "a.duckdb", frames)
    second = write_duckdb(tmp_path / "b.duckdb", shuffled)
    assert fingerprint(first) == fingerprint(second)


def test_problems_name_the_table_and_row(tmp_path: Path) -> None:
    frames = example_frames()
    frames["adsl"].loc[2, "AGE"] = "-5"
    source = write_duckdb(tmp_path / "bad.duckdb", frames)
    problems = load_trial(source).problems
    age = problems.loc[problems["column"] == "AGE"]
    assert len(age) == 1
    assert age.iloc[0]["file"] == "ADSL" and age.iloc[0]["row"] == 3
    assert age.iloc[0]["USUBJID"] == frames["adsl"].loc[2, "USUBJID"]


def test_optional_tables_may_be_absent_and_adsl_may_not(tmp_path: Path) -> None:
    frames = example_frames()
    only_adsl = write_duckdb(tmp_path / "adsl.duckdb", {"adsl": frames["adsl"]})
    result = load_trial(only_adsl)
    assert result.trial is not None and result.trial.available == ("adsl",)
    assert result.problems.empty
    no_adsl = write_duckdb(tmp_path / "none.duckdb", {"adae": frames["adae"]})
    result = load_trial(no_adsl)
    assert result.trial is None
    assert "no table named adsl" in result.problems["problem"].iloc[0]


def test_missing_schema_is_one_problem(duck_source: str) -> None:
    result = load_trial(duck_source.replace("schema=medcare", "schema=elsewhere"))
    assert result.trial is None
    assert result.problems["problem"].tolist() == [
        "schema elsewhere not found in "
        + duck_source.split("?")[0]
        + "?schema=elsewhere; no trial can be shown (name the schema with ?schema=NAME)"
    ]


def test_row_limit_applies_to_tables(duck_source: str) -> None:
    result = load_trial(duck_source, LoadLimits(max_rows=30))
    assert result.trial is not None
    refused = result.problems.loc[result.problems["check"] == "size limit"]
    expected = {d.upper() for d, frame in example_frames().items() if len(frame) > 30}
    assert set(refused["dataset"]) == expected and "ADSL" not in expected
    assert "more than 30 rows" in refused["problem"].iloc[0]
    assert result.trial.adae is None


def test_missing_duckdb_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = f"duckdb://{tmp_path}/nowhere.duckdb"
    with pytest.raises(FileNotFoundError, match=r"nowhere\.duckdb"):
        load_trial(source)
    assert main(["validate", source]) == 1
    assert "data source not found" in capsys.readouterr().out


def test_a_file_that_is_not_duckdb_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "fake.duckdb").write_text("USUBJID\nX\n")
    result = load_trial(f"duckdb://{tmp_path}/fake.duckdb")
    assert result.trial is None
    assert result.problems["problem"].iloc[0].startswith(f"could not open duckdb://{tmp_path}/fake.duckdb")
    with pytest.raises(DatabaseSourceError):
        fingerprint(f"duckdb://{tmp_path}/fake.duckdb")


def test_app_shows_a_duckdb_source_and_its_new_cut(
    app: Callable[..., Any], duck_source: str, tmp_path: Path
) -> None:
    folder = app(PAGE)
    folder.run()
    # The fixture sets MEDCARE_DATA when the test is made, so the folder's run comes first.
    at = app(PAGE, data=duck_source)
    at.run()
    assert not at.exception
    assert metrics(at) == metrics(folder)
    screened = int(metrics(at)["Screened"])
    duck_execute(
        tmp_path / "trial.duckdb",
        "INSERT INTO medcare.ADSL SELECT * REPLACE ('MEDCARE-09-999' AS USUBJID) FROM medcare.ADSL "
        "WHERE ENRLFL = 'N' LIMIT 1",
    )
    at.run()
    assert int(metrics(at)["Screened"]) == screened + 1


# --- URLs and passwords -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://medcare:secret@db:5432/trial", "postgresql://medcare:***@db:5432/trial"),
        ("postgresql://medcare:se/cr@t@db/trial?schema=m", "postgresql://medcare:***@db/trial?schema=m"),
        ("postgres://db/trial?password=secret&schema=m", "postgres://db/trial?password=***&schema=m"),
        ("postgresql://medcare:se?cr@t@db/trial", "postgresql://medcare:***@db/trial"),
        ("postgresql://db/trial?application_name=a@b", "postgresql://db/trial?application_name=a@b"),
        ("postgresql://medcare@db/trial", "postgresql://medcare@db/trial"),
        ("duckdb:///data/a:b@c.duckdb", "duckdb:///data/a:b@c.duckdb"),
    ],
)
def test_redacted(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_parse_url() -> None:
    url = database.parse_url(
        "postgresql://me:p%40ss@127.0.0.1:55432/medcare_test?schema=medcare&sslmode=disable"
    )
    assert (url.engine, url.host, url.port, url.user, url.database) == (
        "postgresql",
        "127.0.0.1",
        55432,
        "me",
        "medcare_test",
    )
    assert url.password == "p@ss" and url.schema == "medcare" and url.options == (("sslmode", "disable"),)
    assert "p@ss" not in repr(url) and "p%40ss" not in url.shown
    duck = database.parse_url("duckdb:///data/trial.duckdb")
    assert duck.path == Path("/data/trial.duckdb") and duck.schema == "main"
    with pytest.raises(DatabaseSourceError, match=r"\*\*\*"):
        database.parse_url("postgresql://me:topsecret@db:port/x")


def test_hidden_password_is_remembered_for_the_url() -> None:
    hidden = hide_password(f"postgresql://medcare:{PLANTED}@db.invalid/trial?schema=medcare")
    assert hidden == "postgresql://medcare@db.invalid/trial?schema=medcare"
    assert database._password(database.parse_url(hidden)) == PLANTED


def test_app_source_never_holds_the_password() -> None:
    from medcare_app.context import resolve_source

    chosen = resolve_source([], {"MEDCARE_DATA": f"postgresql://medcare:{PLANTED}@db.invalid/trial"})
    assert chosen.path == "postgresql://medcare@db.invalid/trial"
    chosen = resolve_source(["--data", f"postgresql://medcare:{PLANTED}@db.invalid/other"], {})
    assert chosen.path == "postgresql://medcare@db.invalid/other"
    assert (
        resolve_source([], {"MEDCARE_DATA": "duckdb:///data/trial.duckdb"}).path
        == "duckdb:///data/trial.duckdb"
    )


def test_password_from_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDCARE_DB_PASSWORD", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'MEDCARE_DB_PASSWORD = "{PLANTED}"\n')
    assert database._password(database.parse_url("postgresql://medcare@db.invalid/x")) == PLANTED
    monkeypatch.setenv("MEDCARE_DB_PASSWORD", "from-env")
    assert database._password(database.parse_url("postgresql://medcare@db.invalid/x")) == "from-env"


def test_unreachable_server_message_holds_no_password(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEDCARE_DB_PASSWORD", PLANTED)
    caplog.set_level(logging.DEBUG)
    # Port 1 on loopback: nothing listens, the refusal is immediate.
    source = f"postgresql://medcare:{PLANTED}@127.0.0.1:1/medcare_test?schema=medcare"
    result = load_trial(source)
    assert result.trial is None and len(result.problems) == 1
    assert "could not connect to postgresql://medcare:***@127.0.0.1:1/" in result.problems["problem"].iloc[0]
    with pytest.raises(DatabaseSourceError) as raised:
        fingerprint(source)
    assert main(["validate", source]) == 1
    assert main(["validate", "--json", source]) == 1
    out = capsys.readouterr()
    assert_nowhere(
        PLANTED,
        result.problems.to_string(),
        result.source,
        str(raised.value),
        repr(raised.value),
        out.out,
        out.err,
        caplog.text,
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


# --- PostgreSQL ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The test server's URL; fails in CI when it is not there, skips elsewhere when none is configured."""
    url = os.environ.get("MEDCARE_TEST_PG_URL", "").strip()
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    if not url:
        if in_ci:
            pytest.fail(
                "MEDCARE_TEST_PG_URL is not set: .ci/run starts the PostgreSQL server these tests need"
            )
        pytest.skip("no PostgreSQL server: set MEDCARE_TEST_PG_URL (and PGPASSWORD), as .ci/run does")
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.Error as exc:
        pytest.fail(f"the PostgreSQL server of MEDCARE_TEST_PG_URL cannot be reached: {exc}")
    return url


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[str]:
    """Load the example trial into a new schema of the test database and return its name."""
    import psycopg

    name = f"medcare_{uuid.uuid4().hex[:10]}"
    frames = example_frames()
    # Taken now: a test may take PGPASSWORD away before the schema is dropped.
    password = os.environ.get("PGPASSWORD")
    with psycopg.connect(pg_url, autocommit=True, password=password) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
        with connection.transaction():
            for statement in create_statements(name, frames):
                connection.execute(statement)
            for dataset, frame in frames.items():
                with connection.cursor().copy(f'COPY "{name}"."{dataset}" FROM STDIN') as copy:
                    for row in rows_of(frame):
                        copy.write_row(row)
    try:
        yield name
    finally:
        with psycopg.connect(pg_url, autocommit=True, password=password) as connection:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')


def pg_execute(pg_url: str, *statements: str) -> None:
    """Run statements in one committed transaction: a new data cut."""
    import psycopg

    with psycopg.connect(pg_url) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture
def pg_source(pg_url: str, pg_schema: str) -> str:
    return f"{pg_url}{'&' if '?' in pg_url else '?'}schema={pg_schema}"


def test_postgres_loads_like_the_folder(pg_source: str, folder_result: LoadResult) -> None:
    result = load_trial(pg_source)
    assert_same_trial(result, folder_result)
    assert result.trial is not None and result.trial.fingerprint == fingerprint(pg_source)


def test_postgres_commands_match_the_folder(pg_source: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert_same_cli(capsys, pg_source)


def test_postgres_new_cut_changes_fingerprint_and_data(pg_url: str, pg_schema: str, pg_source: str) -> None:
    from medcare_app import cache

    before = load_trial(pg_source)
    assert before.trial is not None
    fp = before.trial.fingerprint
    assert cache.source_stamp(pg_source) == cache.source_stamp(pg_source)  # unchanged: the same stamp
    # Same size: one digit of one age.
    pg_execute(pg_url, f'UPDATE "{pg_schema}".adsl SET "AGE" = 79 WHERE "USUBJID" = \'MEDCARE-01-002\'')
    after = load_trial(pg_source)
    assert after.trial is not None
    assert after.trial.fingerprint != fp and fingerprint(pg_source) == after.trial.fingerprint
    assert after.trial.adsl.set_index("USUBJID").loc["MEDCARE-01-002", "AGE"] == 79
    pg_execute(pg_url, f'UPDATE "{pg_schema}".adsl SET "AGE" = 78 WHERE "USUBJID" = \'MEDCARE-01-002\'')
    assert fingerprint(pg_source) == fp


def test_postgres_session_is_read_only(pg_source: str) -> None:
    import psycopg

    with (
        database._session(database.parse_url(pg_source)) as session,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        session.query("CREATE TABLE written (x int)")


def test_postgres_wrong_password_is_redacted(
    pg_source: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("MEDCARE_DB_PASSWORD", PLANTED)
    result = load_trial(pg_source)
    assert result.trial is None
    (problem,) = result.problems["problem"].tolist()
    assert "password authentication failed" in problem
    with pytest.raises(DatabaseSourceError) as raised:
        fingerprint(pg_source)
    in_url = pg_source.replace("://medcare@", f"://medcare:{PLANTED}@")
    in_url_result = load_trial(in_url)
    assert in_url_result.source == pg_source.replace("://medcare@", "://medcare:***@")
    assert main(["validate", in_url]) == 1
    out = capsys.readouterr()
    assert_nowhere(
        PLANTED,
        problem,
        str(raised.value),
        in_url_result.problems.to_string(),
        in_url_result.source,
        out.out,
        out.err,
        caplog.text,
    )


def test_postgres_two_tables_for_one_dataset_warn(pg_url: str, pg_schema: str, pg_source: str) -> None:
    # PostgreSQL, unlike DuckDB, keeps "ADAE" and adae apart.
    pg_execute(pg_url, f'CREATE TABLE "{pg_schema}"."ADAE" AS SELECT * FROM "{pg_schema}".adae LIMIT 0')
    result = load_trial(pg_source)
    warning = result.problems.loc[result.problems["check"] == "one file per dataset"]
    assert warning["problem"].tolist() == [
        "several tables for ADAE (adae, ADAE); read adae and ignored the others"
    ]
    assert result.trial is not None and result.trial.adae is not None and not result.trial.adae.empty


def test_postgres_missing_schema(pg_url: str) -> None:
    result = load_trial(f"{pg_url}?schema=no_such_schema")
    assert result.trial is None
    assert result.problems["problem"].iloc[0].startswith("schema no_such_schema not found in database")


def test_app_shows_a_postgres_cut_on_the_next_interaction(
    app: Callable[..., Any], pg_url: str, pg_schema: str, pg_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medcare_metrics import loading

    loads = {"n": 0}
    real_load = loading.load_trial

    def counted(source: object) -> object:
        loads["n"] += 1
        return real_load(source)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "load_trial", counted)
    at = app(PAGE, data=pg_source)
    at.run()
    assert not at.exception
    screened = int(metrics(at)["Screened"])
    at.run()
    assert loads["n"] == 1  # an unchanged database is not read again
    pg_execute(
        pg_url,
        f'CREATE TEMPORARY TABLE new_subject AS SELECT * FROM "{pg_schema}".adsl '
        "WHERE \"ENRLFL\" = 'N' LIMIT 1",
        "UPDATE new_subject SET \"USUBJID\" = 'MEDCARE-09-999'",
        f'INSERT INTO "{pg_schema}".adsl SELECT * FROM new_subject',
    )
    at.run()
    assert not at.exception
    assert int(metrics(at)["Screened"]) == screened + 1
    assert loads["n"] == 2


def screen_text(node: object) -> str:
    """Return every element of an AppTest's tree as protobuf text: values, labels, help texts."""
    proto = getattr(node, "proto", None)
    own = [str(proto)] if proto is not None else []
    children = getattr(node, "children", {})
    return "\n".join(own + [screen_text(child) for child in children.values()])


def test_app_takes_a_password_from_the_url_and_never_shows_it(
    app: Callable[..., Any], pg_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = os.environ.get("PGPASSWORD", "")
    if not password:
        pytest.skip("the test server takes no password (PGPASSWORD unset)")
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.delenv("MEDCARE_DB_PASSWORD", raising=False)
    at = app(PAGE, data=pg_source.replace("://medcare@", f"://medcare:{password}@"))
    at.run()
    assert not at.exception and not at.error
    assert metrics(at)["Screened"] == "25"
    shown = screen_text(at._tree)
    assert "medcare@127.0.0.1" in shown  # the source is named (in the sidebar's help) ...
    assert password not in shown  # ... without its password


def test_redacted_leaves_file_paths_alone() -> None:
    from medcare_metrics.loading import redacted

    assert redacted("/data/cut 2025/trial.zip") == "/data/cut 2025/trial.zip"
    assert redacted("postgresql://u:pw@h/db?schema=m") == "postgresql://u:***@h/db?schema=m"
