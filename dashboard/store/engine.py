"""The database engine: one per process, SQLite tuned for one writer and many readers."""
from __future__ import annotations

import fcntl
import os
import threading

from flask import Flask, current_app
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from . import regexp

PG_POOL, PG_OVERFLOW = 5, 10
EXAMPLES = "sqlite:///logdash.db, sqlite:////abs/path.db or postgresql+psycopg://user:pass@host/db"


class DatabaseUrlError(ValueError):
    """A database URL that cannot work, with what to do instead (one line, shown as is)."""


def check_url(url: str) -> URL:
    """Parse `url` and check what can be checked before connecting, so a mistake costs one clear line
    rather than a driver's traceback: the URL's shape, the SQLite file's folder, the driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"{url!r} is not a database URL (examples: {EXAMPLES})") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername in ("postgres", "postgresql"):
        fixed = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
        raise DatabaseUrlError(f"{shown}: use the psycopg driver: {fixed}")
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite(parsed, shown)
    elif parsed.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise DatabaseUrlError(f"{shown}: the PostgreSQL driver is not installed: "
                                   "pip install 'logdash[postgres]'") from None
    return parsed


def _check_sqlite(parsed: URL, shown: str) -> None:
    if parsed.host:
        raise DatabaseUrlError(f"{shown}: a SQLite URL has no host; write sqlite:///{parsed.host} "
                               f"(three slashes: relative path) or sqlite:////abs/{parsed.host} (four: absolute)")
    if not parsed.database or parsed.database == ":memory:":
        return
    path = os.path.abspath(parsed.database)
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise DatabaseUrlError(f"database {path}: folder {folder} does not exist; create it or pick another --db")
    if os.path.isdir(path):
        raise DatabaseUrlError(f"database {path} is a folder; name a file inside it, e.g. {path}/logdash.db")
    if not os.path.exists(path) and not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUrlError(f"database {path}: cannot create it, folder {folder} is not writable; "
                               "pick another --db")
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseUrlError(f"database {path} is not readable and writable by this user")


def describe_url(url: str | URL) -> str:
    """The URL as people should see it: a SQLite file's absolute path, any password hidden."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return os.path.abspath(parsed.database)
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout, relaxed fsync (WAL keeps it safe) and
    incremental auto-vacuum (for new files). A URL that cannot work raises DatabaseUrlError."""
    parsed = check_url(url)
    try:
        return _create(url, parsed)
    except NoSuchModuleError:
        raise DatabaseUrlError(f"{parsed.render_as_string(hide_password=True)}: unknown database kind "
                               f"{parsed.drivername!r} (examples: {EXAMPLES})") from None
    except ImportError as e:
        fix = f"install it, or use SQLite or PostgreSQL ({EXAMPLES})"
        if parsed.get_backend_name() == "postgresql":
            psycopg = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
            fix = "pip install 'logdash[postgres]'" + ("" if parsed.get_driver_name() == "psycopg" else
                                                        f" and use {psycopg}")
        raise DatabaseUrlError(f"{parsed.render_as_string(hide_password=True)}: the driver {e.name or e} is "
                               f"not installed; {fix}") from None


def _create(url: str, parsed: URL) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=20, max_overflow=40)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect on a new file: retention can shrink it
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA temp_store=MEMORY")  # sorts and temp tables never need the disk (it may be full)
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            regexp.register(dbapi_conn)  # `/regex/` in the search box

        return engine
    # a server's connections are shared by every worker of every instance (100 by default): at most
    # PG_POOL + PG_OVERFLOW per worker process, plus its listener's one
    return create_engine(url, pool_size=PG_POOL, max_overflow=PG_OVERFLOW, pool_pre_ping=True)


def init_app(app: Flask) -> None:
    """Create this app's engine from DATABASE_URL."""
    app.extensions["logdash.engine"] = make_engine(app.config["DATABASE_URL"])


def get_engine_of(app: Flask) -> Engine:
    """The engine of `app`."""
    return app.extensions["logdash.engine"]


def get_engine() -> Engine:
    """The current app's engine."""
    return get_engine_of(current_app)


class WriteLock:
    """One writer at a time on a SQLite file, across the worker processes, without SQLite's busy wait.

    SQLite makes a second writer sleep and retry (1, 2, 5 ... 100 ms); with a writer per worker
    process those sleeps, not the work, set the pace. An exclusive lock on a file beside the
    database (flock: the kernel wakes the next waiter at once), plus a thread lock within the
    process, lets the writers take turns without sleeping.
    """

    def __init__(self, path: str | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = path
        self._handle: int | None = None

    def __enter__(self) -> WriteLock:
        self._thread_lock.acquire()
        if self._path is not None:
            try:
                if self._handle is None:
                    self._handle = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(self._handle, fcntl.LOCK_EX)
            except OSError:  # a read-only folder: SQLite's own locking still holds
                self._path = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._path is not None and self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._thread_lock.release()


_LOCKS: dict[str, WriteLock] = {}
_LOCKS_GUARD = threading.Lock()


def write_lock(engine: Engine) -> WriteLock:
    """The write lock of the database behind `engine` (shared by every engine on the same file)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    path = os.path.abspath(database) + "-writelock" if database and database != ":memory:" else None
    key = path or f"engine-{id(engine)}"
    with _LOCKS_GUARD:
        if key not in _LOCKS:
            _LOCKS[key] = WriteLock(path)
        return _LOCKS[key]
