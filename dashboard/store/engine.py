"""The database engine: one per process, SQLite tuned for one writer and many readers."""
from __future__ import annotations

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
