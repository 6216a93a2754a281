"""JSON API for captured requests: /api/requests and /api/requests/<id>."""
from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from ..web.listing import list_answer, one_answer
from .filter import RequestFilter
from .queries import get_request, list_requests

bp = Blueprint("request_api", __name__)


@bp.get("/api/requests")
def requests_list() -> ResponseReturnValue:
    """Matching requests, newest first, with a cursor for the next page."""
    return list_answer("requests", RequestFilter.from_args, list_requests)


@bp.get("/api/requests/<int:request_id>")
def request_one(request_id: int) -> ResponseReturnValue:
    """One captured request in full."""
    return one_answer(lambda conn: get_request(conn, request_id, request.scheme),
                      f"request {request_id} is not stored (pruned, or never captured)")
