"""Turn an incoming request into the inspector's row: exactly what came, minus secrets.

Pure helpers (httpbin's get_dict in spirit): the views call `capture` and hand
the row to the writer together with the records the request carried.
"""
from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote_plus

from flask import Request

REDACTED = "[redacted]"
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
SECRET_PARAMS = {"token", "access_token", "api_key", "apikey", "password", "secret"}


def redact_header(name: str, value: str) -> str:
    """Keep the auth scheme (Basic, Bearer) so the user sees what was sent, hide the secret."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, secret = value.partition(" ")
    if secret and name.lower().endswith("authorization"):
        return f"{scheme} {REDACTED}"
    return REDACTED


def redact_query(query: str) -> str:
    """Replace the values of token-like parameters; leave everything else byte for byte."""
    if not any(p in query.lower() for p in SECRET_PARAMS):
        return query
    fields = []
    for field in query.split("&"):
        key, sep, value = field.partition("=")
        secret = sep and value and unquote_plus(key).lower() in SECRET_PARAMS
        fields.append(f"{key}={REDACTED}" if secret else field)
    return "&".join(fields)


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
    headers = [[name, redact_header(name, value)] for name, value in request_headers(request)]
    return {
        "time": time.time(),
        "method": request.method,
        "path": request.path,
        "query": redact_query(request.query_string.decode("latin-1")),
        "http_version": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        "remote_addr": request.remote_addr,
        "headers": json.dumps(headers, ensure_ascii=False),
        "body": body[:body_cap],
        "body_size": body_size,
        "truncated": body_size > body_cap,
        "status": status,
        "reason": reason,
        "response": None if response is None else json.dumps(response),
    }
