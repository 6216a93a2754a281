"""The database engine: one per process, SQLite tuned for one writer and many readers."""
from __future__ import annotations

import fcntl
import os
import threading

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout, relaxed fsync (WAL keeps it safe) and
    incremental auto-vacuum (for new files)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=20, max_overflow=40)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect on a new file: retention can shrink it
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)


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
