"""POST NDJSON batches to /ingest with a timeout, and retry what a retry can fix.

Shared by `DashboardHandler` (a background thread) and `logdash send` (the command's own loop), so
both agree on what a failure means: a connection error, a timeout, a 5xx or a 429 is passing (a
restart, an overload: wait with capped exponential back-off, or the server's Retry-After, and send
again); any other 4xx is the server refusing this batch (a wrong token, a body over its limit) and
will not change by sending it again. A 413 is first split in halves, since a smaller body may fit.
A 500 is retried only a few times: a server bug this batch sets off must not stop every later one.
Stdlib only: the handler runs inside the user's app.
"""
from __future__ import annotations

import base64
import http.client
import json
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = ["Refused", "Transport", "Unreachable", "deliver", "encode_record"]

MAX_ANSWER = 64 * 1024  # bytes of an answer read; a longer one is not ours and its connection is dropped
PASSING = frozenset({429, 502, 503, 504})  # busy, or a proxy before a server that is restarting
SERVER_ERRORS = 3       # attempts at a batch answered with another 5xx (a bug that may be this batch's) before refusing


class Refused(Exception):
    """The server refused `count` records of the batch (a 4xx, or a repeated 500): sending them again would not help."""

    def __init__(self, status: int, error: str, count: int = 1) -> None:
        super().__init__(f"{status}" + (f": {error}" if error else ""))
        self.status, self.error, self.count = status, error, count


class Unreachable(Exception):
    """No answer that stored the batch before the retry window closed; `reason` is the last failure."""

    def __init__(self, reason: BaseException | str) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    status: int
    error: str
    retry_after: float | None


class Transport:
    """One keep-alive connection to one ingest URL; `post` is a single attempt."""

    def __init__(self, url: str, app: str | None = None, token: str | None = None,
                 context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        query = parse_qsl(parts.query, keep_blank_values=True)
        if app:
            query = [(k, v) for k, v in query if k != "app"] + [("app", app)]
        self.url = url
        self.target = (parts.path or "/ingest") + (f"?{urlencode(query)}" if query else "")
        self.host, self.port, self.secure = parts.hostname, parts.port, parts.scheme == "https"
        self.context = context
        self.headers = {"Content-Type": "application/x-ndjson", "User-Agent": "logdash-client"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif parts.username is not None:  # http://app:TOKEN@host/ingest, like the stock handler's credentials
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        self._conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes, timeout: float) -> Answer:
        """Send `body` once; OSError or http.client.HTTPException when no answer came."""
        reused = self._conn is not None
        try:
            return self._exchange(body, timeout)
        except ConnectionError:  # includes RemoteDisconnected: perhaps an idle keep-alive the server closed
            if not reused:
                raise
        return self._exchange(body, timeout)  # so once more, on a fresh connection

    def _exchange(self, body: bytes, timeout: float) -> Answer:
        try:
            return self._exchange_on(self._connection(timeout), body)
        except BaseException:
            self.close()
            raise

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = (http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.context)
                          if self.secure else http.client.HTTPConnection(self.host, self.port, timeout=timeout))
        conn = self._conn
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _exchange_on(self, conn: http.client.HTTPConnection, body: bytes) -> Answer:
        conn.request("POST", self.target, body, self.headers)
        with conn.getresponse() as resp:
            raw = resp.read(MAX_ANSWER)
            if not resp.isclosed() or resp.will_close:  # unread rest, or the server said close
                self.close()
            return Answer(resp.status, _error_of(raw), _seconds(resp.getheader("Retry-After")))

    def close(self) -> None:
        """Drop the connection (the next post opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _error_of(raw: bytes) -> str:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return raw[:200].decode("utf-8", "replace").strip()
    return str(value.get("error") or "") if isinstance(value, dict) else ""


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds (the delay form; an HTTP date is ignored and the back-off used instead)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def encode_record(fields: dict[str, Any]) -> bytes:
    """One NDJSON line: UTF-8, and \\u-escaped where a lone surrogate would make it invalid UTF-8."""
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=repr)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(fields, separators=(",", ":"), default=repr).encode("ascii") + b"\n"


@dataclass
class Backoff:
    """Delays between attempts: doubling from `first` up to `cap`, with jitter so clients do not march in step."""
    first: float = 0.2
    cap: float = 5.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(retry_after, 60.0)
        return min(self.cap, self.first * 2 ** min(attempt, 30)) * random.uniform(0.5, 1.0)


def deliver(transport: Transport, body: bytes, *, timeout: float = 5.0, retry_for: float | None = 30.0,
            backoff: Backoff | None = None, pause: Callable[[float], object] = time.sleep,
            cutoff: Callable[[], float | None] = lambda: None) -> None:
    """Send `body` (NDJSON lines) until stored; raise Refused, or Unreachable once failures have gone on for
    `retry_for` seconds (None: for ever) or the monotonic `cutoff()` time has passed. `pause(s)` waits between
    attempts (it may return early: the cutoff is checked again)."""
    backoff = backoff or Backoff()
    first_failure: float | None = None
    attempt = server_errors = 0
    problem: BaseException | str = "no answer"
    while True:
        limit = cutoff()
        now = time.monotonic()
        if limit is not None and now >= limit and attempt:
            raise Unreachable(problem)
        try:
            answer = transport.post(body, max(0.05, min(timeout, limit - now)) if limit is not None else timeout)
        except (OSError, http.client.HTTPException) as e:
            if isinstance(e, ssl.SSLCertVerificationError):
                raise Unreachable(e) from None  # a certificate that does not verify will not verify later
            answer, problem = None, e
        if answer is not None:
            if answer.status < 300:
                return
            if answer.status == 413 and body.count(b"\n") > 1:
                _split(transport, body, timeout=timeout, retry_for=retry_for, backoff=backoff, pause=pause,
                       cutoff=cutoff)
                return
            server_errors += answer.status >= 500 and answer.status not in PASSING
            if (answer.status < 500 and answer.status not in PASSING) or server_errors >= SERVER_ERRORS:
                raise Refused(answer.status, answer.error, body.count(b"\n"))
            problem = f"{answer.status}" + (f": {answer.error}" if answer.error else "")
        now = time.monotonic()
        first_failure = now if first_failure is None else first_failure
        delay = backoff.delay(attempt, answer.retry_after if answer is not None else None)
        attempt += 1
        if retry_for is not None and now + delay > first_failure + retry_for:
            raise Unreachable(problem)
        limit = cutoff()
        if limit is not None and now + delay >= limit:
            delay = max(0.0, limit - now)
        pause(delay)


def _split(transport: Transport, body: bytes, **how: Any) -> None:
    """Deliver a body too large for the server in halves (each halved again as needed); a record too large on
    its own is refused without holding up the others."""
    lines = [line + b"\n" for line in body.split(b"\n") if line]
    refused: list[Refused] = []
    for half in (lines[:len(lines) // 2], lines[len(lines) // 2:]):
        try:
            deliver(transport, b"".join(half), **how)
        except Refused as e:
            refused.append(e)
    if refused:
        raise Refused(refused[0].status, refused[0].error, sum(e.count for e in refused))
