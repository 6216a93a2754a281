"""JSON API for captured requests: /api/requests and /api/requests/<id>."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..store.engine import get_engine
from ..web.args import cursor_args
from ..web.errors import get_or_404
from .filter import RequestFilter
from .queries import get_request, list_requests

bp = Blueprint("request_api", __name__)


@bp.get("/api/requests")
def requests_list() -> ResponseReturnValue:
    """Matching requests, newest first, with a cursor for the next page."""
    flt = RequestFilter.from_args(request.args)
    before, limit = cursor_args()
    with get_engine().connect() as conn:
        page, cursor = list_requests(conn, flt, before=before, limit=limit)
    return jsonify(requests=page, next=cursor)


@bp.get("/api/requests/<int:request_id>")
def request_one(request_id: int) -> ResponseReturnValue:
    """One captured request in full."""
    with get_engine().connect() as conn:
        detail = get_request(conn, request_id, request.scheme)
    return jsonify(get_or_404(detail, f"request {request_id} is not stored (pruned, or never captured)"))
