"""Websocket plumbing shared by the live views: the extension, JSON send, origin check.

Handlers only subscribe, send and unsubscribe (in `finally`); the fan-out
itself lives in feed.Feed.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import Request
from flask_sock import Sock

sock = Sock()
POLICY_VIOLATION = 1008


def send_json(ws: Any, message: dict[str, Any]) -> None:
    """Send one JSON message."""
    ws.send(json.dumps(message, ensure_ascii=False, default=str))


def foreign_origin(request: Request) -> str | None:
    """The Origin header when it names another site than the one serving us, else None."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    return None if urlsplit(origin).netloc == request.host else origin
