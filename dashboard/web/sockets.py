"""Websocket plumbing shared by the live views: the extension, the refusal, and the one shape
every live socket has (subscribe, catch up, forward, unsubscribe in `finally`).

The fan-out itself lives in store.feed.Feed, which encodes each message once.
"""
from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify, request
from flask_sock import Sock
from sqlalchemy import Connection

from ..store.engine import get_engine
from ..store.feed import Feed, Predicate, encode, text_frame
from .args import BadArgument, int_arg
from .security import foreign_origin

sock = Sock()
POLICY_VIOLATION = 1008
GOING_AWAY = 1001  # the server is stopping; the page reconnects to the next one
CATCH_UP_PAGE = 500


def end_connection(ws: Any) -> None:
    """After the close handshake, end the TCP connection too: Werkzeug's dev server would
    otherwise write an HTTP response after the close frame, which browsers report as a bad frame."""
    if not ws.connected:
        with contextlib.suppress(OSError):
            ws.sock.shutdown(socket.SHUT_RDWR)


def check_handshake() -> Response | None:
    """`before_request`: a websocket handshake from a page elsewhere (a foreign `Origin`) gets a real
    403 before any upgrade. The Host allowlist and the UI token are checked before this, the same way."""
    rule = request.url_rule
    if rule is None or not rule.websocket:
        return None
    origin = foreign_origin(request)
    if origin is None:
        return None
    resp = jsonify(error=f"websocket from origin {origin[:100]!r} refused: only this dashboard's own pages may open it")
    resp.status_code = 403
    return resp


def refuse(ws: Any, reason: str) -> None:
    """Close with a policy-violation code and a short reason: for what only the view finds out after
    the upgrade (a bad filter argument)."""
    ws.close(POLICY_VIOLATION, reason[:120])
    # Let the socket's reader thread finish first: started late on a socket already gone, it would
    # die registering it (simple_websocket catches only ValueError there).
    thread = getattr(ws, "thread", None)
    if thread is not None:
        thread.join(2)
    end_connection(ws)


class SerialSocket:
    """The websocket's TCP socket with whole, serialised writes.

    The stream thread writes many frames at once while simple_websocket's reader thread
    answers pings on the same socket: one lock keeps frames from interleaving, and
    `send` writes everything (a plain send may write only part under backpressure).
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()

    def send(self, data: bytes) -> int:
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    sendall = send

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def stream(ws: Any, feed: Feed, *, predicate: Predicate,
           catch_up: Callable[[int], list[dict[str, Any]]] | None, after: int) -> None:
    """Send `{"type": kind, kind: ...}` for every item after `after` (oldest first, when `catch_up`
    is given), then for each new item of `feed` that satisfies `predicate`; never one twice.

    Live items go out as the feed's once-built frames, all that is waiting in one write: the
    cost per subscriber is a copy, not a trip through wsproto."""
    sub = feed.subscribe(predicate)  # before the catch-up, so nothing falls in between
    ws.sock = out = SerialSocket(ws.sock)
    try:
        last = after
        if catch_up is not None:
            while True:
                page = catch_up(last)
                for payload in page:
                    ws.send(encode({"type": feed.kind, feed.kind: payload}).decode())
                    last = payload["id"]
                if len(page) < CATCH_UP_PAGE:
                    break
        while ws.connected and not sub.closed:
            items = sub.get(timeout=1.0)
            frames = []
            skipped = sub.take_skipped()
            if skipped:
                frames.append(text_frame(encode({"type": "skipped", "count": skipped})))
            for item in items:
                if item.id > last:
                    frames.append(item.frame)
                    last = item.id
            if frames and ws.connected:
                out.send(b"".join(frames))
        if sub.closed and ws.connected:
            ws.close(GOING_AWAY, "server shutting down")
    except OSError:
        pass  # the browser went away mid-write
    finally:
        feed.unsubscribe(sub)
        end_connection(ws)


def live_view(ws: Any, feed: Feed, read_filter: Callable[[Any], Any],
              after_query: Callable[[Connection, Any, int, int], list[dict[str, Any]]]) -> None:
    """A live socket from its URL: the filter (`read_filter(request.args)`, with a `matches` predicate),
    `after` for a catch-up through `after_query(conn, filter, after, limit)`, then the feed.

    Host, Origin and the UI token were checked before the upgrade (hosts, check_handshake, auth)."""
    try:
        flt = read_filter(request.args)
        after = int_arg("after", 0) or 0
    except BadArgument as e:
        return refuse(ws, str(e))

    def catch_up(last: int) -> list[dict[str, Any]]:
        with get_engine().connect() as conn:
            return after_query(conn, flt, last, CATCH_UP_PAGE)

    stream(ws, feed, predicate=flt.matches, catch_up=catch_up if "after" in request.args else None, after=after)
