"""/ws/tail: matching records with id > after, then each new matching record as it commits."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request

from .db import get_engine
from .feed import Feed
from .filters import BadArgument, RecordFilter
from .queries import records_after
from .sockets import POLICY_VIOLATION, foreign_origin, send_json, sock

bp = Blueprint("live", __name__)
CATCH_UP_PAGE = 500


def record_feed() -> Feed:
    """This process's feed of newly committed records."""
    return current_app.extensions["logdash.record_feed"]


@sock.route("/ws/tail", bp=bp)
def tail(ws: Any) -> None:
    """Stream records: first those after `after` (oldest first), then live ones; dedupe by id."""
    if foreign_origin(request):
        ws.close(POLICY_VIOLATION, "foreign origin refused")
        return
    try:
        flt = RecordFilter.from_args(request.args)
        after = int(request.args.get("after") or 0)
    except (BadArgument, ValueError) as e:
        ws.close(POLICY_VIOLATION, str(e)[:120])
        return
    feed = record_feed()
    sub = feed.subscribe(flt.matches)  # before the catch-up, so nothing falls in between
    try:
        last = after
        if "after" in request.args:
            with get_engine().connect() as conn:
                while True:
                    page = records_after(conn, flt, last, CATCH_UP_PAGE)
                    for record in page:
                        send_json(ws, {"type": "record", "record": record})
                        last = record["id"]
                    if len(page) < CATCH_UP_PAGE:
                        break
        while ws.connected:
            items = sub.get(timeout=1.0)
            skipped = sub.take_skipped()
            if skipped:
                send_json(ws, {"type": "skipped", "count": skipped})
            for record in items:
                if record["id"] > last:
                    send_json(ws, {"type": "record", "record": record})
                    last = record["id"]
    finally:
        feed.unsubscribe(sub)
