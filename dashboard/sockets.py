"""Websocket plumbing shared by the live views: the extension, JSON send, origin check, and
the one shape every live socket has (subscribe, catch up, forward, unsubscribe in `finally`).

The fan-out itself lives in feed.Feed.
"""
from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Request
from flask_sock import Sock

from .feed import Feed

sock = Sock()
POLICY_VIOLATION = 1008
CATCH_UP_PAGE = 500


def send_json(ws: Any, message: dict[str, Any]) -> None:
    """Send one JSON message."""
    ws.send(json.dumps(message, ensure_ascii=False, default=str))


def foreign_origin(request: Request) -> str | None:
    """The Origin header when it names another site than the one serving us, else None."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    return None if urlsplit(origin).netloc == request.host else origin


def end_connection(ws: Any) -> None:
    """After the close handshake, end the TCP connection too: Werkzeug's dev server would
    otherwise write an HTTP response after the close frame, which browsers report as a bad frame."""
    if not ws.connected:
        with contextlib.suppress(OSError):
            ws.sock.shutdown(socket.SHUT_RDWR)


def refuse(ws: Any, reason: str) -> None:
    """Close with a policy-violation code and a short reason (a bad filter, a foreign origin)."""
    ws.close(POLICY_VIOLATION, reason[:120])
    end_connection(ws)


def stream(ws: Any, feed: Feed, *, kind: str, predicate: Callable[[dict[str, Any]], bool],
           catch_up: Callable[[int], list[dict[str, Any]]] | None, after: int,
           payload: Callable[[dict[str, Any]], dict[str, Any]] = lambda item: item) -> None:
    """Send `{"type": kind, kind: ...}` for every item after `after` (oldest first, when `catch_up`
    is given), then for each new item of `feed` that satisfies `predicate`; never one twice."""
    sub = feed.subscribe(predicate)  # before the catch-up, so nothing falls in between
    try:
        last = after
        if catch_up is not None:
            while True:
                page = catch_up(last)
                for item in page:
                    send_json(ws, {"type": kind, kind: item})
                    last = item["id"]
                if len(page) < CATCH_UP_PAGE:
                    break
        while ws.connected:
            items = sub.get(timeout=1.0)
            skipped = sub.take_skipped()
            if skipped:
                send_json(ws, {"type": "skipped", "count": skipped})
            for item in items:
                if item["id"] > last:
                    send_json(ws, {"type": kind, kind: payload(item)})
                    last = item["id"]
    finally:
        feed.unsubscribe(sub)
        end_connection(ws)
