"""/ws/tail: matching records with id > after, then each new matching record as it commits."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from .db import get_engine
from .filters import BadArgument, RecordFilter
from .queries import records_after
from .sockets import CATCH_UP_PAGE, foreign_origin, refuse, sock, stream

bp = Blueprint("live", __name__)


@sock.route("/ws/tail", bp=bp)
def tail(ws: Any) -> None:
    """Stream records: first those after `after` (oldest first), then live ones."""
    if foreign_origin(request):
        return refuse(ws, "foreign origin refused")
    try:
        flt = RecordFilter.from_args(request.args)
        after = int(request.args.get("after") or 0)
    except (BadArgument, ValueError) as e:
        return refuse(ws, str(e))

    def catch_up(last: int) -> list[dict[str, Any]]:
        with get_engine().connect() as conn:
            return records_after(conn, flt, last, CATCH_UP_PAGE)

    stream(ws, current_app.extensions["logdash.record_feed"], kind="record", predicate=flt.matches,
           catch_up=catch_up if "after" in request.args else None, after=after)
