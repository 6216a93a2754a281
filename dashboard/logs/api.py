"""JSON API for records: /api/records, /api/records/<id>, /api/loggers."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..store.engine import get_engine
from ..web.listing import list_answer, one_answer
from .filter import RecordFilter
from .queries import get_record, list_records, logger_counts

bp = Blueprint("api", __name__)


@bp.get("/api/records")
def records_list() -> ResponseReturnValue:
    """Matching records, newest first, with a cursor for the next page."""
    return list_answer("records", RecordFilter.from_args, list_records)


@bp.get("/api/records/<int:record_id>")
def record_one(record_id: int) -> ResponseReturnValue:
    """One record with every field."""
    return one_answer(lambda conn: get_record(conn, record_id), f"no record {record_id}")


@bp.get("/api/loggers")
def loggers() -> ResponseReturnValue:
    """Counts per logger for the logger tree (the `logger` filter itself is ignored)."""
    flt = RecordFilter.from_args(request.args).without("logger")
    with get_engine().connect() as conn:
        return jsonify(loggers=logger_counts(conn, flt))
