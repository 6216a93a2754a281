"""JSON API for records: /api/records, /api/records/<id>, /api/loggers."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..store.engine import get_engine
from ..web.listing import one_answer
from .filter import RecordFilter
from .queries import get_record, logger_counts
from .window import read_window, records_page

bp = Blueprint("api", __name__)


@bp.get("/api/records")
def records_list() -> ResponseReturnValue:
    """Matching records in time order, newest first, with cursors for the older and newer pages."""
    flt = RecordFilter.from_args(request.args)
    window = read_window(request.args)
    with get_engine().connect() as conn:
        return jsonify(records_page(conn, flt, window))


@bp.get("/api/records/<int:record_id>")
def record_one(record_id: int) -> ResponseReturnValue:
    """One record with every field."""
    return one_answer(lambda conn: get_record(conn, record_id), f"no record {record_id}")


@bp.get("/api/loggers")
def loggers() -> ResponseReturnValue:
    """Counts per logger for the logger tree (the `logger` filter and the search's logger terms are ignored)."""
    flt = RecordFilter.from_args(request.args).without_logger_terms()
    with get_engine().connect() as conn:
        return jsonify(loggers=logger_counts(conn, flt))
