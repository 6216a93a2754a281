"""Live fan-out across processes: a feeder thread reads newly committed rows and hands them out.

Every worker process runs one Feed per table it streams (records, captured
requests). The feeder reads rows with `id > last seen` from the database, so a
row committed by any process reaches the websocket subscribers of every
process. It is woken at once by a local commit and otherwise polls every
`interval` seconds. Each row is serialised once; each subscriber has a bounded
queue, and a subscriber that falls behind is told how much it missed instead
of growing without bound.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

Fetch = Callable[[Connection, int, int], list[dict[str, Any]]]  # (conn, after_id, limit) -> rows oldest first
Latest = Callable[[Connection], int]                            # newest id now (0 when empty)


class Subscription:
    """One websocket's view of a feed: items it wants, in id order, at most `size` waiting."""

    def __init__(self, predicate: Callable[[dict[str, Any]], bool], size: int) -> None:
        self.predicate = predicate
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=size)
        self._lock = threading.Lock()
        self._skipped = 0

    def offer(self, item: dict[str, Any]) -> None:
        """Called by the feeder; never blocks: a full queue counts a skip."""
        if not self.predicate(item):
            return
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            with self._lock:
                self._skipped += 1

    def get(self, timeout: float) -> list[dict[str, Any]]:
        """Wait up to `timeout` for items; returns what is waiting (maybe nothing)."""
        items: list[dict[str, Any]] = []
        try:
            items.append(self._queue.get(timeout=timeout))
            while True:
                items.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return items

    def take_skipped(self) -> int:
        """How many items were dropped since the last call (0 when none)."""
        with self._lock:
            skipped, self._skipped = self._skipped, 0
        return skipped


class Feed:
    """Reads new rows of one table and offers them to this process's subscribers."""

    def __init__(self, engine: Engine, fetch: Fetch, latest: Latest, *, interval: float = 0.05,
                 batch: int = 500, queue_size: int = 2000) -> None:
        self.engine = engine
        self.fetch, self.latest = fetch, latest
        self.interval, self.batch, self.queue_size = interval, batch, queue_size
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_seen = 0

    def subscribe(self, predicate: Callable[[dict[str, Any]], bool] = lambda item: True) -> Subscription:
        """Start receiving rows committed from now on that satisfy `predicate`."""
        sub = Subscription(predicate, self.queue_size)
        with self._lock:
            if self._thread is None:
                with self.engine.connect() as conn:
                    self.last_seen = self.latest(conn)
                self._thread = threading.Thread(target=self._run, name="logdash-feed", daemon=True)
                self._thread.start()
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop offering to `sub` (call it in a finally)."""
        with self._lock:
            self._subs.discard(sub)

    def wake(self) -> None:
        """A local commit happened: read now rather than at the next tick."""
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self._poll()
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the feed
                log.exception("feed poll failed")

    def _poll(self) -> None:
        while True:
            with self.engine.connect() as conn:
                rows = self.fetch(conn, self.last_seen, self.batch)
            if not rows:
                return
            self.last_seen = rows[-1]["id"]
            with self._lock:
                subs = list(self._subs)
            for row in rows:
                for sub in subs:
                    sub.offer(row)
            if len(rows) < self.batch:
                return
