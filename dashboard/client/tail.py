"""`logdash tail`'s connection: the newest records over HTTP, then /ws/tail, resumed after every drop.

Nothing is missed or shown twice: /api/records gives the last N matching records and the newest
id among them; /ws/tail?after=<that id> then sends every matching record stored since (its catch-up
runs after it subscribed to new ones, so nothing falls in between). After a drop, or a
`{"type": "skipped"}` (the server dropped records for this socket only, it was too slow), the tail
reconnects with after=<last id shown>, and the catch-up fills the gap. Ids grow in commit order on
SQLite (see DESIGN.md), so "id > last shown" is exactly "not shown yet".

websocket-client is the socket: unlike simple_websocket's Client it has a connect timeout, sends
`Host` with the port (and IPv6 brackets) that the Host allowlist checks, can leave `Origin` out,
and keeps the refusal's body, whose `error` we show.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import websocket

from .checked import connection_problem, public_url

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT = 10.0          # seconds to connect or get an answer
SILENCE = 60.0          # the server pings every 25 s: this long without a byte means the connection is dead
SETTLE = 0.5            # a new connection open this long (or with a message) is up
RETRY_FIRST, RETRY_MAX = 0.2, 5.0  # back-off between reconnects, doubling
POLICY_VIOLATION = 1008  # how /ws/tail refuses a filter it cannot read


class TailFailed(Exception):
    """Why the tail cannot go on, in one line a person can act on."""


class _Unreachable(Exception):
    """A connection attempt that failed in a way worth retrying (refused, reset, 5xx)."""


@dataclass(frozen=True)
class Dashboard:
    """Where the dashboard is (base URL, any path prefix kept) and the UI token to show it."""
    base: str
    token: str | None = None

    @classmethod
    def from_url(cls, url: str, token: str | None = None) -> Dashboard:
        """Read what a user types: `host:port`, the base URL, or the ingest URL (`.../ingest` is dropped)."""
        text = url.strip()
        if "://" not in text:
            text = "http://" + text
        parts = urlsplit(text)
        scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise TailFailed(f"--url {url!r}: the port is not a number") from None
        if scheme not in ("http", "https") or not parts.hostname:
            raise TailFailed(f"--url {url!r} is not the dashboard's address (http://host:port)")
        path = parts.path.rstrip("/").removesuffix("/ingest").rstrip("/")
        netloc = parts.netloc.rpartition("@")[2]  # the UI token goes in a header, never in the URL
        return cls(urlunsplit((scheme, netloc, path, "", "")), token or None)

    @property
    def shown(self) -> str:
        return public_url(self.base)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def http_url(self, path: str, args: Mapping[str, str]) -> str:
        return f"{self.base}{path}?{urlencode(args)}"

    def ws_url(self, args: Mapping[str, str]) -> str:
        scheme, rest = self.base.split("://", 1)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws/tail?{urlencode(args)}"


def _error_text(body: bytes | None) -> str:
    """The `error` of a JSON refusal (the first line of anything else), short."""
    try:
        text = str(json.loads(body or b"{}").get("error") or "")
    except (ValueError, AttributeError):
        text = (body or b"").decode("utf-8", "replace").strip().partition("\n")[0]
    return " ".join(text.split())[:300]


def refusal(dash: Dashboard, status: int, error: str) -> str:
    """One line for an HTTP refusal, with the fix where we know it."""
    if status == 401:
        if dash.token:
            return f"401 from {dash.shown}: the UI token was refused: check --token (or LOGDASH_UI_TOKEN)"
        return f"401 from {dash.shown}: this dashboard needs its UI token: pass --token (or set LOGDASH_UI_TOKEN)"
    if status == 404:
        return f"404 from {dash.shown}: no logdash dashboard at this URL (check --url)"
    if status == 400 and error:
        return error  # a filter argument, named by the server ("level: 'LOUD' is not a level name or number")
    return f"{status} from {dash.shown}" + (f": {error}" if error else "")


def last_records(dash: Dashboard, filters: Mapping[str, str], count: int) -> tuple[list[dict[str, Any]], int]:
    """The newest `count` matching records, oldest first, and the id the live stream goes on after
    (the newest matching id; 0 when none matches). The server checks the filter and the token here."""
    url = dash.http_url("/api/records", {**filters, "limit": str(max(count, 1))})
    request = urllib.request.Request(url, headers={**dash.headers(), "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as resp:
            records = json.load(resp)["records"]
    except urllib.error.HTTPError as e:
        with e:
            raise TailFailed(refusal(dash, e.code, _error_text(e.read(4096)))) from None
    except urllib.error.URLError as e:
        raise TailFailed(connection_problem(dash.base, e.reason)) from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TailFailed(f"{dash.shown} did not answer as a logdash dashboard: {e}") from None
    after = records[0]["id"] if records else 0
    return list(reversed(records[:count])), after


def _open(dash: Dashboard, args: Mapping[str, str]) -> websocket.WebSocket:
    """The websocket, or TailFailed for a refusal that retrying will not change, _Unreachable otherwise."""
    try:
        ws = websocket.create_connection(dash.ws_url(args), timeout=TIMEOUT, header=dash.headers(),
                                         suppress_origin=True)  # a program, not a page: no Origin
    except websocket.WebSocketBadStatusException as e:
        status, error = e.status_code, _error_text(e.resp_body)
        if 400 <= status < 500 and status not in (408, 429):
            raise TailFailed(refusal(dash, status, error)) from None
        if status < 300:
            raise TailFailed(f"{dash.shown} answered {status} to the websocket handshake: does a proxy in "
                             "front of it pass websockets on (Upgrade)?") from None
        raise _Unreachable(f"{status} from {dash.shown}" + (f": {error}" if error else "")) from None
    except (websocket.WebSocketException, OSError) as e:
        raise _Unreachable(connection_problem(dash.base, e)) from None
    ws.settimeout(SILENCE)
    return ws


def _messages(ws: websocket.WebSocket, came_up: Callable[[], None]) -> Iterator[dict[str, Any]]:
    """The socket's messages until it ends (closed, reset or silent too long); TailFailed when the
    server refuses the stream (a policy-violation close names the reason).

    `came_up` is called once the connection proves itself: a first message, or SETTLE seconds open.
    (A server that is stopping may still accept, then close at once: that is not "reconnected".)"""
    up = False
    ws.settimeout(SETTLE)
    while True:
        try:
            opcode, data = ws.recv_data()
        except websocket.WebSocketTimeoutException:
            if up:
                return  # silent past the server's pings: dead
            opcode, data = None, b""
        except (websocket.WebSocketException, OSError):
            return
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            if int.from_bytes(data[:2], "big") == POLICY_VIOLATION:
                raise TailFailed(data[2:].decode("utf-8", "replace") or "the dashboard refused the tail")
            return
        if not up:
            up = True
            came_up()
            ws.settimeout(SILENCE)
        if opcode == websocket.ABNF.OPCODE_TEXT:
            try:
                yield json.loads(data)
            except ValueError:
                continue


def _hang_up(ws: websocket.WebSocket) -> None:
    """End the connection without waiting on a server that may be gone."""
    try:
        ws.shutdown()
    except OSError:
        pass


class _Outage:
    """One notice when the connection is lost and one when it is back; the back-off in between."""

    def __init__(self, notice: Callable[[str], None], sleep: Callable[[float], None]) -> None:
        self.notice, self.sleep = notice, sleep
        self.lost, self.delay = False, RETRY_FIRST

    def up(self) -> None:
        if self.lost:
            self.notice("reconnected")
        self.lost, self.delay = False, RETRY_FIRST

    def down(self) -> None:
        if not self.lost:
            self.notice("connection lost; retrying…")
        self.lost = True

    def wait(self) -> None:
        self.sleep(self.delay)
        self.delay = min(self.delay * 2, RETRY_MAX)


def follow(dash: Dashboard, filters: Mapping[str, str], after: int,
           notice: Callable[[str], None], sleep: Callable[[float], None] = time.sleep) -> Iterator[dict[str, Any]]:
    """Every matching record with id > `after`, oldest first, as it is stored; forever.

    The first connection failing is TailFailed (nothing to resume). Later drops are retried with
    back-off, with one `notice` when the connection is lost and one when it is back."""
    last, first, outage = after, True, _Outage(notice, sleep)
    while True:
        try:
            ws = _open(dash, {**filters, "after": str(last)})
        except _Unreachable as e:
            if first:
                raise TailFailed(str(e)) from None
            outage.wait()
            continue
        first, was_lost = False, outage.lost
        try:
            for message in _messages(ws, outage.up):
                if message.get("type") == "record":
                    record = message["record"]
                    if record["id"] > last:
                        last = record["id"]
                        yield record
                elif message.get("type") == "skipped":
                    notice(f"… {message.get('count', 'some')} records skipped (too slow); reconnecting to catch up")
                    break  # records after this message are past the gap: resume from `last` instead
            else:
                if was_lost and outage.lost:  # closed before it came up: the server is still going away
                    outage.wait()
                outage.down()
        finally:
            _hang_up(ws)


def since_arg(text: str, now: float) -> str:
    """`--since`: an age (15m, 2h, 7d, as retention reads it) becomes the moment it reaches back to;
    ISO 8601 and epoch seconds go to the server as they are, and it names what it cannot read."""
    from ..store.retention import parse_policy

    try:
        policy = parse_policy(text)
    except ValueError:
        return text
    if policy.max_age is not None and policy.max_records is None and policy.max_bytes is None:
        return repr(now - policy.max_age)
    return text
