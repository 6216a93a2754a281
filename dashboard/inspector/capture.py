"""Turn an incoming request into the inspector's row: exactly what came, minus secrets.

Pure helpers (httpbin's get_dict in spirit): the views call `capture` and hand
the row to the writer together with the records the request carried.
"""
from __future__ import annotations

import json
import time
from functools import lru_cache
from typing import Any

from flask import Request, current_app

from .redact import REDACTED, Redactor, parse_names

__all__ = ["REDACTED", "capture", "redact_header", "redact_query", "redactor"]
KINDS = ("ingest", "bin")  # each kind of capture has its own retention (LOGDASH_REQUEST_RETENTION each)


@lru_cache(maxsize=8)
def _redactor(extra: str) -> Redactor:
    return Redactor(parse_names(extra))


def redactor() -> Redactor:
    """The redactor for this app: the built-in secret names plus LOGDASH_REDACT."""
    try:
        extra = current_app.config.get("REDACT", "")
    except RuntimeError:  # outside an app (pure helpers in tests)
        extra = ""
    return _redactor(extra or "")


def redact_header(name: str, value: str) -> str:
    """A header value as stored: the secret hidden, the auth scheme kept."""
    return redactor().header(name, value)


def redact_query(query: str) -> str:
    """A query string as stored: values of secret parameters (names compared decoded) replaced."""
    return redactor().query(query)


def kind_of(path: str) -> str:
    """Which retention a capture counts against: the request bin's or /ingest's."""
    return "bin" if path == "/inspect" or path.startswith("/inspect/") else "ingest"


def wire_text(value: str) -> str:
    """A header value as sent: servers hand over bytes as latin-1; show UTF-8 when it is UTF-8."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def request_headers(request: Request) -> list[tuple[str, str]]:
    """Headers in the order received when the server kept it, else as the WSGI environ has them."""
    raw = request.environ.get("logdash.raw_headers")
    pairs = list(raw) if raw is not None else list(request.headers.items())
    return [(name, wire_text(value)) for name, value in pairs]


def capture(request: Request, body: bytes, body_size: int, *, status: int, reason: str | None,
            response: Any = None, body_cap: int) -> dict[str, Any]:
    """The row stored for one request; `body` is what was read, `body_size` its full length."""
    redact = redactor()
    headers = [[name, redact.header(name, value)] for name, value in request_headers(request)]
    kept = redact.body(request.headers.get("Content-Type"), body, body_cap)
    return {
        "time": time.time(),
        "kind": kind_of(request.path),
        "method": request.method,
        "path": request.path,
        "query": redact.query(request.query_string.decode("latin-1")),
        "http_version": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        "remote_addr": request.remote_addr,
        "headers": json.dumps(headers, ensure_ascii=False),
        "body": kept,
        "body_size": body_size,
        "truncated": body_size > body_cap,
        "status": status,
        "reason": reason,
        "response": None if response is None else json.dumps(response),
    }
