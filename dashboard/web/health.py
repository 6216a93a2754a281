"""/healthz: 200 when the store answers and takes writes (for load balancers and uptime checks)."""
from __future__ import annotations

import os

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine, text

from ..store.engine import get_engine
from ..store.writer import get_writer

bp = Blueprint("health", __name__)

MIN_FREE = 1 << 20  # bytes: below this a SQLite file cannot be relied on to take the next commit


def disk_problem(engine: Engine) -> str | None:
    """A full disk under a SQLite file, seen by every worker (a failed commit is seen only by the
    worker whose writer met it, and a rolled-back probe writes nothing to fail on)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    try:
        stat = os.statvfs(os.path.dirname(os.path.abspath(database)))
    except OSError:
        return None
    free = stat.f_bavail * stat.f_frsize
    if free >= MIN_FREE:
        return None
    return f"database or disk is full (only {free // 1024:,} KiB free)"


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the store answers and takes writes; 503 with the reason otherwise (as the writer last
    met it: a full disk, a locked or read-only file)."""
    engine = get_engine()
    problem = get_writer().health() or disk_problem(engine)
    if problem is not None:
        return jsonify(status="error", error=problem), 503
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS _health (x INTEGER)")
                         if conn.dialect.name == "sqlite" else text("SELECT 1"))
            conn.execute(text("SELECT 1 FROM records LIMIT 1"))  # the table answers (a count grows with it)
    except Exception as e:
        return jsonify(status="error", error=str(getattr(e, "orig", None) or type(e).__name__)), 503
    return jsonify(status="ok")
