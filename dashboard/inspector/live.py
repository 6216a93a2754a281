"""/ws/requests: matching captured requests with id > after, then each new one as it is stored.

Messages: `{"type": "request", "request": <list entry>}` and `{"type": "skipped", "count": N}`.
Takes the filter arguments of /api/requests; `after` asks for a catch-up first.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from ..web.sockets import live_view, sock
from .filter import RequestFilter
from .queries import requests_after

bp = Blueprint("request_live", __name__)


@sock.route("/ws/requests", bp=bp)
def requests_ws(ws: Any) -> None:
    """Stream list entries: first those after `after` (oldest first), then live ones."""
    live_view(ws, current_app.extensions["logdash.request_feed"], RequestFilter.from_args, requests_after)
