"""The one writer thread per process: a bounded queue, batches, one transaction per batch.

Ingest requests hand their records (and the inspector's capture of the request)
to `Writer.submit` and wait on the returned future: it resolves only after the
batch holding them has committed, so a 200 means stored. Grouping many
requests into one commit is what keeps SQLite fast under load.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from . import batch as batch_sql
from . import commit_order
from .batch import Stored
from .engine import write_lock
from .overflow import Overflow

log = logging.getLogger(__name__)


COMMIT_TIMEOUT = 60.0
PROBLEM_TTL = 10.0  # seconds a failed commit keeps /healthz at 503 unless another one fails
QUEUE_FULL = "server busy: writer queue full, retry later"
_STOP = None  # the queue item that ends the writer thread


class QueueFull(Exception):
    """The writer is behind; the client should retry later (503)."""


class StoreUnavailable(Exception):
    """Nothing was stored (queue full, database refused, commit too slow): answer 503, retry later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Job:
    records: list[dict[str, Any]]
    capture: dict[str, Any] | None
    future: Future = field(default_factory=Future)


class Writer:
    """Owns every write of this process; started on first use."""

    def __init__(self, engine: Engine, queue_size: int, batch_size: int,
                 on_commit: Callable[[], None] | None = None, request_retention: int = 0) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.request_retention = request_retention  # captured requests kept; 0 keeps all
        self.on_commit = on_commit or (lambda: None)
        self._queue: queue.Queue[_Job] = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.overflow = Overflow()  # refusals with no room in the queue, stored later as tallies
        self._problem: tuple[str, float] | None = None  # (why the last commit failed, when)

    def submit(self, records_: list[dict[str, Any]], capture: dict[str, Any] | None = None) -> Future[Stored]:
        """Queue records (and a capture row) for the next batch; raises QueueFull."""
        self._ensure_started()
        job = _Job(records_, capture)
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise QueueFull() from None
        return job.future

    def store(self, records_: list[dict[str, Any]], capture: dict[str, Any] | None = None,
              timeout: float = COMMIT_TIMEOUT) -> Stored:
        """Submit and wait until committed; StoreUnavailable (a 503) when that cannot happen."""
        try:
            return self.submit(records_, capture).result(timeout)
        except QueueFull:
            if capture is not None:
                self.overflow.add(capture, 503, QUEUE_FULL)
            raise StoreUnavailable(QUEUE_FULL, retry_after=1) from None
        except FutureTimeout:
            log.error("not stored: no commit within %.0f s", timeout)
            raise StoreUnavailable("could not be stored in time, retry later", retry_after=5) from None
        except RuntimeError as e:
            raise StoreUnavailable(f"could not be stored ({e}), retry later", retry_after=5) from None

    def health(self) -> str | None:
        """Why the last commit failed, while recent (None once one worked): /healthz reports it."""
        problem = self._problem
        if problem is None or time.monotonic() - problem[1] > PROBLEM_TTL:
            return None
        return problem[0]

    def keep_refused(self, capture: dict[str, Any]) -> None:
        """Capture a refused request (a 4xx answer): queued when there is room, else tallied."""
        try:
            self.submit([], capture)
        except QueueFull:
            self.overflow.add(capture, capture["status"], capture["reason"] or "refused")

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the thread (shutdown, tests)."""
        with self._lock:
            thread, self._closed = self._thread, True
        if thread is not None:
            self._queue.put(_STOP)  # type: ignore[arg-type]
            thread.join(timeout)

    def _ensure_started(self) -> None:
        if self._closed:
            raise RuntimeError("the writer is closed")
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="logdash-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            try:  # with refusals tallied, wake up to store them even if nothing else comes
                first = self._queue.get(timeout=1.0 if self.overflow else None)
            except queue.Empty:
                self._commit_overflow(before=time.time())
                continue
            if first is _STOP:
                self._commit_overflow(before=None)
                return
            batch, stop = [first], False
            count = max(1, len(first.records))  # a capture alone is a row too
            while count < self.batch_size:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is _STOP:
                    stop = True  # after this batch
                    break
                batch.append(job)
                count += max(1, len(job.records))
            batch += [_Job([], row) for row in self.overflow.take(before=time.time())]
            self._commit_safely(batch)
            if stop:
                self._commit_overflow(before=None)
                return

    def _commit_overflow(self, before: float | None) -> None:
        """Store the tallies of refused requests for the seconds before `before` (None: all)."""
        rows = self.overflow.take(before)
        if rows:
            self._commit_safely([_Job([], row) for row in rows])

    def _commit_safely(self, batch: list[_Job]) -> None:
        try:
            self._commit(batch)
        except Exception:
            log.exception("writer failed on a batch of %d jobs", len(batch))
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(RuntimeError("the writer failed"))

    def _commit(self, batch: list[_Job]) -> None:
        try:
            prepared = batch_sql.prepare(self.engine.dialect.name, [(job.records, job.capture) for job in batch])
            with write_lock(self.engine), self.engine.begin() as conn:
                commit_order.take_turn(conn)
                results = batch_sql.insert(conn, prepared, self.request_retention)
        except OperationalError as e:  # the database, not a row: a full disk, a lock, a read-only file
            self._refused(batch, str(e.orig).splitlines()[0] if e.orig else type(e).__name__)
            return
        except Exception:
            if len(batch) == 1:
                log.exception("could not store a batch of %d records", len(batch[0].records))
                batch[0].future.set_exception(RuntimeError("the database refused the records"))
                return
            for job in batch:  # one bad job must not sink the others
                self._commit([job])
            return
        self._problem = None
        for job, result in zip(batch, results, strict=True):
            job.future.set_result(result)
        try:
            self.on_commit()
        except Exception:  # stored is stored: a failing listener must not fail the jobs
            log.exception("on_commit failed")


    def _refused(self, batch: list[_Job], reason: str) -> None:
        """Fail every job of a batch the database refused as a whole; say so once in a while."""
        now = time.monotonic()
        if self._problem is None or self._problem[0] != reason or now - self._problem[1] > PROBLEM_TTL:
            log.error("the database refused a batch of %d jobs: %s", len(batch), reason)
        self._problem = (reason, now)
        for job in batch:
            job.future.set_exception(RuntimeError(f"database: {reason}"))


def get_writer() -> Writer:
    """This process's writer (created by the app factory)."""
    return current_app.extensions["logdash.writer"]


