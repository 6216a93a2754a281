"""DashboardHandler: a logging handler that never makes the app wait for the dashboard.

`emit` takes the record's fields on the caller's thread (see `fields`), puts them on a bounded
queue and returns; one daemon thread per handler sends NDJSON batches and retries through
restarts (see `transport`). A full queue drops its oldest record and the count reaches the
dashboard as a WARNING from `logdash.client`. The handler's own troubles go to stderr, never
through logging (it could be the handler reporting on itself). Stdlib only.
"""
from __future__ import annotations

import atexit
import logging
import os
import ssl
import sys
import threading
import time
import weakref
from collections import deque
from typing import Any

from .checked import public_url
from .fields import record_fields
from .transport import Backoff, Refused, Transport, Unreachable, deliver, encode_record

__all__ = ["DashboardHandler"]

IDLE_CLOSE = 1.0  # seconds without records before the connection is closed (the server keeps idle ones 5 s)
_LIVE: weakref.WeakSet[DashboardHandler] = weakref.WeakSet()


class DashboardHandler(logging.Handler):
    """Send records to logdash's /ingest in the background; `url` is the ingest URL, `app` tags them."""

    def __init__(self, url: str, app: str | None = None, token: str | None = None, *, level: int | str = 0,
                 capacity: int = 10_000, batch_size: int = 500, batch_bytes: int = 1024 * 1024,
                 timeout: float = 5.0, close_timeout: float = 2.0, max_backoff: float = 5.0,
                 context: ssl.SSLContext | None = None) -> None:
        super().__init__(level)
        self.transport = Transport(url, app, token, context)
        self.url = public_url(self.transport.url)
        self.capacity, self.batch_size, self.batch_bytes = max(1, capacity), max(1, batch_size), batch_bytes
        self.timeout, self.close_timeout = timeout, close_timeout
        self.backoff = Backoff(cap=max_backoff)
        self._reset()
        _LIVE.add(self)

    def _reset(self) -> None:
        """Fresh queue, counters and thread state (at start, and in a forked child)."""
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[dict[str, Any]] = deque()
        self._carry: list[tuple[bytes, int]] = []  # taken from the queue, not yet sent (over a batch's bytes)
        self._wake, self._nudge = threading.Event(), threading.Event()
        self._submitted = self._settled = self._dropped = 0
        self._closing, self._cutoff, self._grace = False, None, 0.25
        self._abandoned = False  # the closer gave up waiting on the sender and reported what was left
        self._thread: threading.Thread | None = None
        self._sender_ident: int | None = None
        self._reported: set[int] = set()

    @property
    def queued(self) -> int:
        """Records waiting to be sent (at most `capacity`)."""
        return len(self._queue)

    # --- the app's side ------------------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record's fields and return at once; never raises, never blocks on the network."""
        try:
            if self._closing or threading.get_ident() == self._sender_ident:
                return  # nothing the sender thread logs comes back through us
            fields = record_fields(record, self.formatter)
            with self._cond:
                if self._thread is None:
                    self._start()
                if len(self._queue) >= self.capacity:
                    self._queue.popleft()
                    self._dropped += 1
                    self._settled += 1
                self._queue.append(fields)
                self._submitted += 1
            if not self._wake.is_set():
                self._wake.set()
        except Exception:
            self.handleError(record)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record emitted so far was sent (or refused, or dropped), at most `timeout`
        seconds (default close_timeout); True when it was."""
        deadline = time.monotonic() + (self.close_timeout if timeout is None else timeout)
        if self._cutoff is not None:  # closing: no flush waits past the close's own bound
            deadline = min(deadline, self._cutoff)
        self._nudge.set()  # a sender waiting out a back-off tries again now
        with self._cond:
            target = self._submitted
            while self._settled < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._thread is None or not self._thread.is_alive():
                    return False
                self._cond.wait(min(remaining, 0.5))
        return True

    def close(self, timeout: float | None = None) -> None:
        """Send what is queued for at most `timeout` seconds (default close_timeout), then stop the sender."""
        self._begin_close(time.monotonic() + (self.close_timeout if timeout is None else timeout))
        self._finish_close()
        super().close()

    def _begin_close(self, cutoff: float) -> None:
        with self._cond:
            if self._closing:
                return
            self._closing, self._cutoff = True, cutoff
        self._wake.set()
        self._nudge.set()

    def _finish_close(self) -> None:
        thread, cutoff = self._thread, self._cutoff or time.monotonic()
        if thread is not None and thread is not threading.current_thread():
            grace, self._grace = self._grace, 0.0  # a request in flight ends by the cutoff, or just after
            thread.join(max(0.0, cutoff - time.monotonic()) + grace)
            with self._cond:
                reported, unsent = self._abandoned, self._submitted - self._settled
                self._abandoned = reported or thread.is_alive()
            if self._abandoned and not reported and unsent:  # stuck on a silent server: say so, it will not
                _warn(f"{unsent} records not sent to {self.url}: no answer before the close's time was up")

    # --- the sender thread ---------------------------------------------------------------------------

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="logdash-sender", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._sender_ident = threading.get_ident()
        try:
            while True:
                self._wake.clear()
                batch = self._next_batch()
                if batch:
                    if not self._send(batch):
                        return
                elif self._closing:
                    return
                elif not self._wake.wait(IDLE_CLOSE):
                    self.transport.close()  # an idle keep-alive would hold up a server's graceful restart
        finally:
            self.transport.close()

    def _next_batch(self) -> list[tuple[bytes, int]]:
        """Up to batch_size records and batch_bytes (at least one record), the drop count's notice first."""
        lines, self._carry = self._carry, []
        with self._cond:
            items = [self._queue.popleft() for _ in range(min(len(self._queue), self.batch_size - len(lines)))]
            dropped, self._dropped = self._dropped, 0
        if dropped:
            lines.insert(0, (encode_record(_dropped_notice(dropped, self.capacity)), 0))
        lines.extend((encode_record(fields), 1) for fields in items)
        size = 0
        for i, (line, _) in enumerate(lines):
            size += len(line)
            if size > self.batch_bytes and i:
                lines, self._carry = lines[:i], lines[i:]
                break
        return lines

    def _send(self, batch: list[tuple[bytes, int]]) -> bool:
        """Deliver one batch (retrying until the close cutoff); False when the sender should stop."""
        count = sum(n for _, n in batch)
        try:
            deliver(self.transport, b"".join(line for line, _ in batch), timeout=self.timeout, retry_for=None,
                    backoff=self.backoff, pause=self._pause, cutoff=lambda: self._cutoff)
        except Refused as e:
            if e.status not in self._reported:
                self._reported.add(e.status)
                _warn(f"{self.url} refused {e.count} records ({e}); further {e.status} refusals are not reported")
        except Unreachable as e:  # only once closing: the cutoff passed
            with self._cond:
                count += len(self._queue) + sum(n for _, n in self._carry)
                self._queue.clear()
                self._carry = []
            if not self._abandoned:
                _warn(f"{count} records not sent to {self.url}: {e}")
            self._settle(count)
            return False
        except Exception as e:  # a bug here must not end the thread and leave the queue to fill
            _warn(f"{count} records not sent to {self.url}: {type(e).__name__}: {e}")
        self._settle(count)
        return True

    def _settle(self, count: int) -> None:
        with self._cond:
            self._settled += count
            self._cond.notify_all()

    def _pause(self, seconds: float) -> None:
        if self._nudge.wait(seconds):
            self._nudge.clear()


def _dropped_notice(count: int, capacity: int) -> dict[str, Any]:
    message = f"dropped {count} records: queue full ({capacity} waiting to be sent)"
    return {"name": "logdash.client", "levelname": "WARNING", "levelno": logging.WARNING, "msg": message,
            "message": message, "created": time.time(), "process": os.getpid(), "extra": {"dropped": count}}


def _warn(text: str) -> None:
    """One line on stderr: the handler's own news never goes through logging."""
    try:
        print(f"logdash.client: {text}", file=sys.stderr, flush=True)
    except Exception:
        pass


def _close_all() -> None:
    """At exit: every handler sends what it can, together, each for at most its close_timeout."""
    handlers = list(_LIVE)
    for handler in handlers:
        handler._begin_close(time.monotonic() + handler.close_timeout)
    for handler in handlers:
        handler.close()


def _after_fork() -> None:
    """A forked child starts empty: the parent sends what it queued, the child its own (its own thread)."""
    for handler in list(_LIVE):
        handler.transport.close()  # the child's copy of the parent's socket; the parent's stays open
        handler._reset()


atexit.register(_close_all)  # registered after logging's own: runs first, so logging.shutdown finds us closed
os.register_at_fork(after_in_child=_after_fork)
