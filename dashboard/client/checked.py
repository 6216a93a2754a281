"""The stock HTTPHandler, with the server's answer kept: the demo must know whether anything arrived.

`logging.handlers.HTTPHandler.emit` reads the response and throws it away, and reports a failed
connection through `handleError` (a "--- Logging error ---" block per record). The handler here
sends exactly what the stock one sends (it only swaps the connection for one that remembers the
status, and keeps the error instead of printing it), so the demo still tests the real wire format.
"""
from __future__ import annotations

import http.client
import json
import logging
import logging.handlers
import sys
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .demo_errors import DemoFailed


class _Remembering:
    """An HTTP connection that keeps the status and error text of the last answer it read."""

    status: int | None = None
    error: str = ""

    def getresponse(self) -> http.client.HTTPResponse:
        resp = super().getresponse()  # type: ignore[misc]
        self.status = resp.status
        try:
            self.error = str(json.loads(resp.read(4096) or b"{}").get("error") or "")
        except (ValueError, AttributeError):
            self.error = ""
        return resp


class _HTTPConnection(_Remembering, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Remembering, http.client.HTTPSConnection):
    pass


class CheckedMixin:
    """Mixed into a stock HTTPHandler (or a subclass): remember each answer and each failure."""

    connection: _Remembering | None = None
    failure: BaseException | None = None

    def getConnection(self, host: str, secure: bool) -> http.client.HTTPConnection:
        """The stock handler's connection, but one that remembers the answer."""
        context = getattr(self, "context", None)
        conn = _HTTPSConnection(host, context=context) if secure else _HTTPConnection(host)
        self.connection = conn
        return conn

    def handleError(self, record: logging.LogRecord) -> None:
        """Keep the error for the caller to report once, instead of a traceback per record."""
        self.failure = sys.exc_info()[1]

    def take_answer(self) -> tuple[int | None, str, BaseException | None]:
        """(status, error text, exception) of the last emit; then forget them."""
        conn, failure = self.connection, self.failure
        self.connection, self.failure = None, None
        return (conn.status if conn else None), (conn.error if conn else ""), failure


class CheckedHTTPHandler(CheckedMixin, logging.handlers.HTTPHandler):
    """The stock HTTPHandler that remembers the server's answer."""


def public_url(url: str) -> str:
    """`url` fit to print: no `token=` parameter, no password."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "token"])
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def address(url: str) -> str:
    """host:port of `url`, with the scheme's default port filled in."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def check_health(url: str, timeout: float = 5.0) -> None:
    """GET /healthz beside the ingest URL; DemoFailed (one line) when the dashboard is not there."""
    parts = urlsplit(url)
    health = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], "/healthz", "", ""))
    try:
        with urllib.request.urlopen(health, timeout=timeout):
            return
    except urllib.error.HTTPError as e:
        e.close()
        if e.code == 503:
            raise DemoFailed(f"the dashboard at {address(url)} answers 503: its database is not available "
                             "(see the server's output)") from None
        return  # not our /healthz, perhaps; the first record will tell
    except urllib.error.URLError as e:
        raise DemoFailed(connection_problem(url, e.reason)) from None
    except OSError as e:
        raise DemoFailed(connection_problem(url, e)) from None


def connection_problem(url: str, error: Any) -> str:
    """One line for a connection that failed."""
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused at {address(url)}: is `logdash serve` running there?"
    return f"cannot reach {address(url)}: {error}"


def answer_problem(url: str, status: int, error: str, token_given: bool) -> str:
    """One line naming why the dashboard refused a record."""
    shown = public_url(url)
    if status == 401:
        if token_given:
            return f"401 from {shown}: the ingest token was refused ({error or 'token wrong'}): check --token"
        return f"401 from {shown}: needs the ingest token: pass --token (or set LOGDASH_INGEST_TOKEN)"
    if status == 404:
        origin = public_url(urlunsplit((*urlsplit(url)[:2], "", "", "")))
        return f"404 from {shown}: no /ingest at this URL; try {origin}/ingest"
    if status == 503:
        return f"503 from {shown}: {error or 'server busy'}; retry in a moment"
    return f"{status} from {shown}" + (f": {error}" if error else "")
