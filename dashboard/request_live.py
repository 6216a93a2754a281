"""/ws/requests: matching captured requests with id > after, then each new one as it is stored.

Messages: `{"type": "request", "request": <list entry>}` and `{"type": "skipped", "count": N}`.
Takes the filter arguments of /api/requests; `after` asks for a catch-up first.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from .db import get_engine
from .filters import BadArgument
from .request_filter import RequestFilter
from .request_queries import requests_after
from .sockets import CATCH_UP_PAGE, foreign_origin, refuse, sock, stream

bp = Blueprint("request_live", __name__)


@sock.route("/ws/requests", bp=bp)
def requests_ws(ws: Any) -> None:
    """Stream list entries: first those after `after` (oldest first), then live ones."""
    if foreign_origin(request):
        return refuse(ws, "foreign origin refused")
    try:
        flt = RequestFilter.from_args(request.args)
        after = int(request.args.get("after") or 0)
    except (BadArgument, ValueError) as e:
        return refuse(ws, str(e))

    def catch_up(last: int) -> list[dict[str, Any]]:
        with get_engine().connect() as conn:
            return requests_after(conn, flt, last, CATCH_UP_PAGE)

    stream(ws, current_app.extensions["logdash.request_feed"], kind="request",
           predicate=lambda item: flt.matches(item["row"]),
           catch_up=catch_up if "after" in request.args else None, after=after,
           payload=lambda item: item["summary"])
