"""The PostgreSQL server the scale-out tests use: 127.0.0.1:5432, user postgres, trust auth, database
`test` (LOGDASH_TEST_PG overrides), and its fixtures (a pytest plugin of conftest): one database per
run, emptied for each test, dropped at the end."""
from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url

from dashboard.store.engine import make_engine
from dashboard.store.migrate import upgrade
from dashboard.store.schema import metadata

SERVER = os.environ.get("LOGDASH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_NAMES = itertools.count()


def url_of(database: str) -> str:
    """The URL of another database on the test server."""
    return make_url(SERVER).set(database=database).render_as_string(hide_password=False)


def unavailable() -> str | None:
    """Why the PostgreSQL tests cannot run here (None when they can)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install '.[test]')"
    try:
        psycopg.connect(_conninfo(SERVER), connect_timeout=3).close()
    except psycopg.Error as e:
        return f"no PostgreSQL at {make_url(SERVER).render_as_string(hide_password=True)}: {str(e).strip()[:200]}"
    return None


def _conninfo(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def admin(*statements: str) -> None:
    """Run statements on the server's `test` database, each on its own (CREATE/DROP DATABASE)."""
    import psycopg
    with psycopg.connect(_conninfo(SERVER), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def drop_stale() -> None:
    """Drop the databases of test runs that were killed before their teardown (their pid is gone)."""
    import psycopg
    with psycopg.connect(_conninfo(SERVER), autocommit=True) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'logdash\\_%'")]
    for name in names:
        parts = name.split("_")
        if len(parts) >= 4 and parts[-2].isdigit() and not os.path.exists(f"/proc/{parts[-2]}"):
            drop(name)


def new_name(prefix: str) -> str:
    """A database name no other test of any run uses."""
    return f"logdash_{prefix}_{os.getpid()}_{next(_NAMES)}"


def create(name: str, template: str | None = None) -> str:
    """Create database `name` (a copy of `template`); its URL."""
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
          f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return url_of(name)


TABLES = tuple(t.name for t in metadata.sorted_tables)  # every table the models have (not alembic_version)


def empty(name: str) -> None:
    """Close every other connection to database `name`, then empty its tables, ids restarting at 1."""
    import psycopg
    admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
          "AND pid <> pg_backend_pid()")
    with psycopg.connect(_conninfo(url_of(name)), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")


def drop(name: str) -> None:
    """Drop database `name`, closing whatever still uses it."""
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A PostgreSQL database migrated to head with the real Alembic revisions, once per session: the run's
    database and the modules' own are copies (CREATE DATABASE ... TEMPLATE). Skips where there is no
    server (fails when LOGDASH_TEST_REQUIRE_PG is set, as in CI)."""
    reason = unavailable()
    if reason and os.environ.get("LOGDASH_TEST_REQUIRE_PG"):
        pytest.fail(f"LOGDASH_TEST_REQUIRE_PG is set and {reason}")
    if reason:
        pytest.skip(reason)
    drop_stale()
    name = new_name("template")
    engine = make_engine(create(name))
    upgrade(engine)
    engine.dispose()
    yield name
    drop(name)


@pytest.fixture(scope="session")
def pg_run(pg_template: str) -> Iterator[str]:
    """This run's PostgreSQL database (a copy of the template), dropped at the end of the session."""
    name = new_name("run")
    create(name, template=pg_template)
    yield name
    drop(name)


@pytest.fixture
def pg_url(pg_run: str) -> str:
    """The run's PostgreSQL database, empty for this test: whatever an earlier test left connected is
    closed, then every table is emptied and its ids restart at 1 (a fresh database per test took 0.2 s)."""
    empty(pg_run)
    return url_of(pg_run)
