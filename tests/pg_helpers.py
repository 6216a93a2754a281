"""The PostgreSQL server the scale-out tests use: 127.0.0.1:5432, user postgres, trust auth, database
`test` (LOGDASH_TEST_PG overrides). Each test gets its own database, dropped afterwards."""
from __future__ import annotations

import itertools
import os

from sqlalchemy import make_url

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


TABLES = ("records", "record_extras", "counts_minute", "counts_hour", "requests")


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
