"""The request inspector's pages: /inspector and /inspector/<id> (with their JSON twins), the raw download.

Both URLs render the same two-pane page (list + one request's tabs) from the
same data; the page works before its script runs, and the script then keeps it
live over /ws/requests.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection

from ..store.engine import get_engine
from ..web.errors import get_or_404
from ..web.twin import page_or_twin
from .filter import RequestFilter
from .queries import get_request, get_request_row, list_requests, newest_request_id, requests_after
from .replay import raw_request
from .serialize import header_list

bp = Blueprint("inspector", __name__)
PAGE_SIZE = 200
NEWER = 20  # requests listed above a picked one that is older than the newest page
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
STATUSES = (("", "any status"), ("failed", "≥ 400"), ("2xx", "2xx"), ("3xx", "3xx"),
            ("4xx", "4xx"), ("5xx", "5xx"))


def _missing(request_id: int) -> str:
    return f"request {request_id} is not stored (pruned, or never captured)"


def _page_around(conn: Connection, flt: RequestFilter,
                 request_id: int) -> tuple[list[dict[str, Any]], int | None, bool]:
    """The list page that holds `request_id` (a few newer requests above it), its older cursor, and
    whether still newer ones exist above the page (the live list must not join onto it)."""
    newer = requests_after(conn, flt, request_id, limit=NEWER + 1)
    older, cursor = list_requests(conn, flt, before=request_id + 1, limit=PAGE_SIZE - min(len(newer), NEWER))
    return newer[:NEWER][::-1] + older, cursor, len(newer) > NEWER


def inspector_data(selected_id: int | None) -> dict[str, Any]:
    """Everything the page shows: the filtered list (holding the picked request), the selected request, the filter."""
    flt = RequestFilter.from_args(request.args)
    with get_engine().connect() as conn:
        page, cursor = list_requests(conn, flt, limit=PAGE_SIZE)
        gap = False
        if selected_id is not None and page and selected_id < page[-1]["id"]:
            page, cursor, gap = _page_around(conn, flt, selected_id)
        shown_id = selected_id if selected_id is not None else (page[0]["id"] if page else None)
        selected = get_request(conn, shown_id, request.scheme) if shown_id is not None else None
        newest = newest_request_id(conn)
    if selected_id is not None:
        get_or_404(selected, _missing(selected_id))
    return {"requests": page, "next": cursor, "selected": selected, "picked": selected_id is not None,
            "filters": flt.to_args(), "page_size": PAGE_SIZE, "newer_above": gap, "newest_id": newest}


def script_state(data: dict[str, Any]) -> dict[str, Any]:
    """What the page's script needs beside the rendered list and detail (which it adopts as they are)."""
    selected = data["selected"]
    return {"filters": data["filters"], "next": data["next"], "picked": data["picked"],
            "selected": selected["id"] if selected else None, "pageSize": data["page_size"],
            "newerAbove": data["newer_above"], "newestId": data["newest_id"]}


@bp.get("/inspector")
@bp.get("/inspector/<int:request_id>")
def inspector_page(request_id: int | None = None) -> ResponseReturnValue:
    """Captured requests, newest first, with the picked one (else the newest) open."""
    data = inspector_data(request_id)
    return page_or_twin("inspector.html", data, active="inspector", data=data, state=script_state(data),
                        methods=METHODS, statuses=STATUSES)


@bp.get("/inspector/<int:request_id>/raw")
def inspector_raw(request_id: int) -> Response:
    """The request as reconstructed bytes, as a download."""
    with get_engine().connect() as conn:
        row = get_or_404(get_request_row(conn, request_id), _missing(request_id))
    return Response(raw_request(row, header_list(row)), mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="request-{request_id}.http"'})
