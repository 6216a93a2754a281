"""/ws/tail: matching records with id > after, then each new matching record as it commits."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from ..web.sockets import live_view, sock
from .filter import RecordFilter
from .queries import records_after

bp = Blueprint("live", __name__)


@sock.route("/ws/tail", bp=bp)
def tail(ws: Any) -> None:
    """Stream records: first those after `after` (oldest first), then live ones."""
    live_view(ws, current_app.extensions["logdash.record_feed"], RecordFilter.from_args, records_after)
