"""The request inspector: /inspector pages, the raw download, and their JSON twins /api/requests.

`/inspector` and `/inspector/<id>` render the same two-pane page (list + one
request's tabs) from the same functions the API answers with; the page works
before its script runs, and the script then keeps it live over /ws/requests.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from .api import cursor_args
from .db import get_engine
from .filters import BadArgument
from .inspector_format import HELPERS
from .replay import raw_request
from .request_filter import RequestFilter
from .request_json import header_list
from .request_queries import get_request, get_request_row, list_requests

bp = Blueprint("inspector", __name__)
PAGE_SIZE = 200
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
STATUSES = (("", "any status"), ("failed", "failed (≥ 400)"), ("2xx", "2xx"), ("3xx", "3xx"),
            ("4xx", "4xx"), ("5xx", "5xx"))


@bp.context_processor
def helpers() -> dict[str, Any]:
    """Formatting helpers for inspector.html."""
    return HELPERS


@bp.errorhandler(BadArgument)
def bad_argument(e: BadArgument):  # noqa: ANN201
    """400 naming the argument: JSON for the API, the error page for a browser."""
    if request.path.startswith("/api/"):
        return jsonify(error=str(e), argument=e.argument), 400
    return render_template("error.html", code=400, name="Bad filter", description=str(e)), 400


def _page(selected_id: int | None) -> dict[str, Any]:
    """Everything the page shows: the filtered list, the selected request, the filter."""
    flt = RequestFilter.from_args(request.args)
    with get_engine().connect() as conn:
        page, cursor = list_requests(conn, flt, limit=PAGE_SIZE)
        if selected_id is None and page:
            selected = get_request(conn, page[0]["id"], request.scheme)
        else:
            selected = get_request(conn, selected_id, request.scheme) if selected_id is not None else None
    if selected_id is not None and selected is None:
        abort(404, description=f"request {selected_id} is not stored (pruned, or never captured)")
    return {"requests": page, "next": cursor, "selected": selected, "picked": selected_id is not None,
            "filters": flt.to_args(), "page_size": PAGE_SIZE}


@bp.get("/inspector")
@bp.get("/inspector/<int:request_id>")
def inspector_page(request_id: int | None = None):  # noqa: ANN201
    """Captured requests, newest first, with the picked one (else the newest) open."""
    return render_template("inspector.html", active="inspector", data=_page(request_id),
                           methods=METHODS, statuses=STATUSES)


@bp.get("/inspector/<int:request_id>/raw")
def inspector_raw(request_id: int) -> Response:
    """The request as reconstructed bytes, as a download."""
    with get_engine().connect() as conn:
        row = get_request_row(conn, request_id)
    if row is None:
        abort(404, description=f"request {request_id} is not stored (pruned, or never captured)")
    return Response(raw_request(row, header_list(row)), mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="request-{request_id}.http"'})


@bp.get("/api/requests")
def requests_list():  # noqa: ANN201
    """Matching requests, newest first, with a cursor for the next page."""
    flt = RequestFilter.from_args(request.args)
    before, limit = cursor_args()
    with get_engine().connect() as conn:
        page, cursor = list_requests(conn, flt, before=before, limit=limit)
    return jsonify(requests=page, next=cursor)


@bp.get("/api/requests/<int:request_id>")
def request_one(request_id: int):  # noqa: ANN201
    """One captured request in full."""
    with get_engine().connect() as conn:
        detail = get_request(conn, request_id, request.scheme)
    if detail is None:
        abort(404, description=f"request {request_id} is not stored (pruned, or never captured)")
    return jsonify(detail)
