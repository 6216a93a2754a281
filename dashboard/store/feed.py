"""Live fan-out across processes: a feeder thread reads newly committed rows and hands them out.

Every worker process runs one Feed per table it streams (records, captured
requests). The feeder reads rows with `id > last seen` from the database, so a
row committed by any process reaches the websocket subscribers of every
process (ids commit in id order: store.commit_order). It is woken at once by
a local commit and by other processes' commits: on PostgreSQL through
LISTEN/NOTIFY (store.listen), under `serve` also by a nudge from the sibling
worker that committed (workers.py); its poll every `interval` seconds is then
only a fallback (other programs writing the file). Each row is serialised once per feed, into the websocket
frame every subscriber writes as is; each subscriber has a bounded queue, and
a subscriber that falls behind is told how much it missed instead of growing
without bound.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine

from .. import json_out

log = logging.getLogger(__name__)


class Fetched(NamedTuple):
    """One new row as a feed's fetch returns it."""
    id: int
    subject: Mapping[str, Any]  # what a subscriber's predicate tests (the stored row, or its JSON)
    payload: dict[str, Any]     # what the browser receives


@dataclass(frozen=True)
class LiveItem:
    """One new row as subscribers get it: the message encoded (UTF-8 JSON) and framed, once."""
    id: int
    subject: Mapping[str, Any]
    data: bytes   # the websocket message
    frame: bytes  # the same message as a websocket text frame, what a subscriber writes


Fetch = Callable[[Connection, int, int], list[Fetched]]  # (conn, after_id, limit) -> rows oldest first
Latest = Callable[[Connection], int]                     # newest id now (0 when empty)
Predicate = Callable[[Mapping[str, Any]], bool]


def _live_item(kind: str, row: Fetched) -> LiveItem:
    data = encode({"type": kind, kind: row.payload})
    return LiveItem(row.id, row.subject, data, text_frame(data))


def text_frame(data: bytes) -> bytes:
    """One unmasked, unfragmented websocket text frame (server to browser), per RFC 6455."""
    n = len(data)
    if n < 126:
        return bytes((0x81, n)) + data
    if n < 1 << 16:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + data
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + data


def encode(message: dict[str, Any]) -> bytes:
    """A websocket message as UTF-8 JSON (the one encoding every live message goes through)."""
    return json_out.dumps(message, default=str)


def _same_test(predicate: Predicate) -> Any:
    """What identifies a predicate's test: the (hashable, equal) object a bound method belongs to and
    the method (two sockets with the same filter), else the predicate itself."""
    owner, method = getattr(predicate, "__self__", None), getattr(predicate, "__func__", None)
    if owner is None or method is None:
        return predicate
    try:
        hash(owner)
    except TypeError:
        return predicate
    return (method, owner)


class Subscription:
    """One websocket's view of a feed: items it wants, in id order, at most `size` waiting.

    `close` (the feed stopping) wakes a waiting `get` at once, so a socket can say goodbye
    without waiting out its poll."""

    def __init__(self, predicate: Predicate, size: int) -> None:
        self.predicate = predicate
        self.key = _same_test(predicate)
        self._size = size
        self._items: deque[LiveItem] = deque()
        self._ready = threading.Condition()
        self._skipped = 0
        self.closed = False

    def wanted(self, items: list[LiveItem]) -> list[LiveItem]:
        """The items this subscription's predicate takes."""
        return [item for item in items if self.predicate(item.subject)]

    def offer(self, wanted: list[LiveItem]) -> None:
        """Called by the feeder with the items of a new batch this subscription wants; never blocks:
        what a full queue cannot take is counted as skipped. One lock and one wake-up per batch."""
        if not wanted:
            return
        with self._ready:
            room = max(0, self._size - len(self._items))
            self._items.extend(wanted[:room])
            self._skipped += max(0, len(wanted) - room)
            self._ready.notify()

    def get(self, timeout: float) -> list[LiveItem]:
        """Wait up to `timeout` for items; returns what is waiting (maybe nothing, at once when closed)."""
        with self._ready:
            if not self._items and not self.closed:
                self._ready.wait(timeout)
            items = list(self._items)
            self._items.clear()
        return items

    def take_skipped(self) -> int:
        """How many items were dropped since the last call (0 when none)."""
        with self._ready:
            skipped, self._skipped = self._skipped, 0
        return skipped

    def close(self) -> None:
        """No more items: wake the waiting socket so it can close."""
        with self._ready:
            self.closed = True
            self._ready.notify_all()


class Feed:
    """Reads new rows of one table and offers them to this process's subscribers."""

    def __init__(self, engine: Engine, fetch: Fetch, latest: Latest, *, kind: str, interval: float = 0.05,
                 batch: int = 500, queue_size: int = 2000, on_start: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.on_start = on_start  # called as the feeder starts (after a fork: gunicorn's worker), e.g. to listen
        self.fetch, self.latest, self.kind = fetch, latest, kind
        self.interval, self.batch, self.queue_size = interval, batch, queue_size
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self.last_seen = 0

    def subscribe(self, predicate: Predicate = lambda subject: True) -> Subscription:
        """Start receiving rows committed from now on that satisfy `predicate`."""
        sub = Subscription(predicate, self.queue_size)
        with self._lock:
            if self._closed.is_set():  # stopping: the socket is told at once
                sub.close()
                return sub
            if not self._subs:  # nobody listened meanwhile: skip past what was committed, unread
                with self.engine.connect() as conn:
                    self.last_seen = max(self.last_seen, self.latest(conn))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="logdash-feed", daemon=True)
                self._thread.start()
                if self.on_start is not None:
                    self.on_start()
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop offering to `sub` (call it in a finally)."""
        with self._lock:
            self._subs.discard(sub)

    def wake(self) -> None:
        """A local commit happened: read now rather than at the next tick."""
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the feeder thread (shutdown, tests); subscribers get nothing more and are woken."""
        self._closed.set()
        self._wake.set()
        with self._lock:
            thread, subs = self._thread, list(self._subs)
        for sub in subs:
            sub.close()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(self.interval)
            if self._closed.is_set():
                return
            self._wake.clear()
            try:
                self._poll()
            except Exception:
                log.exception("feed poll failed")

    def _poll(self) -> None:
        with self._lock:  # nobody listening (every tab closed): nothing to read; `subscribe` skips ahead
            if not self._subs:
                return
        while True:
            with self.engine.connect() as conn:
                rows = self.fetch(conn, self.last_seen, self.batch)
            if not rows:
                return
            self.last_seen = rows[-1].id
            items = [_live_item(self.kind, row) for row in rows]
            with self._lock:
                subs = list(self._subs)
            tested: dict[Any, list[LiveItem]] = {}  # tabs showing the same filter: one test per item
            for sub in subs:
                wanted = tested.get(sub.key)
                if wanted is None:
                    wanted = tested[sub.key] = sub.wanted(items)
                sub.offer(wanted)
            if len(rows) < self.batch:
                return
