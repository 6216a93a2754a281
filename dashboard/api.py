"""JSON API for records: /api/records, /api/records/<id>, /api/loggers, /healthz."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import text

from .db import get_engine
from .filters import BadArgument, RecordFilter
from .queries import get_record, list_records, logger_counts

bp = Blueprint("api", __name__)
MAX_LIMIT = 1000


def int_arg(name: str, default: int | None = None, *, low: int = 0, high: int | None = None) -> int | None:
    """A whole-number URL argument within [low, high], or BadArgument naming it."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadArgument(name, f"{raw!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        upper = f"..{high}" if high is not None else " or more"
        raise BadArgument(name, f"{value} is out of range ({low}{upper})")
    return value


def cursor_args() -> tuple[int | None, int]:
    """The `before` cursor and `limit` (1..MAX_LIMIT, default 100) every list takes."""
    return int_arg("before"), int_arg("limit", 100, low=1, high=MAX_LIMIT)  # type: ignore[return-value]


@bp.errorhandler(BadArgument)
def bad_argument(e: BadArgument):  # noqa: ANN201
    """400 naming the argument."""
    return jsonify(error=str(e), argument=e.argument), 400


@bp.get("/api/records")
def records_list():  # noqa: ANN201
    """Matching records, newest first, with a cursor for the next page."""
    flt = RecordFilter.from_args(request.args)
    before, limit = cursor_args()
    with get_engine().connect() as conn:
        page, cursor = list_records(conn, flt, before=before, limit=limit)
    return jsonify(records=page, next=cursor)


@bp.get("/api/records/<int:record_id>")
def record_one(record_id: int):  # noqa: ANN201
    """One record with every field."""
    with get_engine().connect() as conn:
        record = get_record(conn, record_id)
    if record is None:
        abort(404, description=f"no record {record_id}")
    return jsonify(record)


@bp.get("/api/loggers")
def loggers():  # noqa: ANN201
    """Counts per logger for the logger tree (the `logger` filter itself is ignored)."""
    flt = RecordFilter.from_args(request.args).without("logger")
    with get_engine().connect() as conn:
        return jsonify(loggers=logger_counts(conn, flt))


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """200 when the store answers and takes writes."""
    try:
        with get_engine().begin() as conn:
            conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS _health (x INTEGER)")
                         if conn.dialect.name == "sqlite" else text("SELECT 1"))
            conn.execute(text("SELECT count(*) FROM records"))
    except Exception as e:  # noqa: BLE001
        return jsonify(status="error", error=type(e).__name__), 503
    return jsonify(status="ok")
