"""/healthz: 200 when the store answers and takes writes (for load balancers and uptime checks)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from ..store.engine import get_engine
from ..store.writer import get_writer

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the store answers and takes writes; 503 with the reason otherwise (as the writer last
    met it: a full disk, a locked or read-only file)."""
    problem = get_writer().health()
    if problem is not None:
        return jsonify(status="error", error=problem), 503
    try:
        with get_engine().begin() as conn:
            conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS _health (x INTEGER)")
                         if conn.dialect.name == "sqlite" else text("SELECT 1"))
            conn.execute(text("SELECT count(*) FROM records"))
    except Exception as e:
        return jsonify(status="error", error=str(getattr(e, "orig", None) or type(e).__name__)), 503
    return jsonify(status="ok")
