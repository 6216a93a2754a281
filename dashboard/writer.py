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
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from .models import records, requests

log = logging.getLogger(__name__)


class QueueFull(Exception):
    """The writer is behind; the client should retry later (503)."""


@dataclass
class Stored:
    """What a job left in the database."""
    request_id: int | None
    record_ids: list[int]


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

    def submit(self, records_: list[dict[str, Any]], capture: dict[str, Any] | None = None) -> "Future[Stored]":
        """Queue records (and a capture row) for the next batch; raises QueueFull."""
        self._ensure_started()
        job = _Job(records_, capture)
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise QueueFull() from None
        return job.future

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="logdash-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            count = max(1, len(batch[0].records))  # a capture alone is a row too
            while count < self.batch_size:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(job)
                count += max(1, len(job.records))
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        try:
            with self.engine.begin() as conn:
                results = _insert(conn, batch)
                _prune_requests(conn, results, self.request_retention)
        except Exception:
            if len(batch) == 1:
                log.exception("could not store a batch of %d records", len(batch[0].records))
                batch[0].future.set_exception(RuntimeError("the database refused the records"))
                return
            for job in batch:  # one bad job must not sink the others
                self._commit([job])
            return
        for job, result in zip(batch, results):
            job.future.set_result(result)
        self.on_commit()


def _insert(conn: Connection, batch: list[_Job]) -> list[Stored]:
    """Insert the captures, then the records, of a whole batch: two statements, not one per job."""
    captures = [job.capture for job in batch if job.capture is not None]
    capture_ids = iter(_insert_returning_ids(conn, requests, captures))
    request_ids = [next(capture_ids) if job.capture is not None else None for job in batch]
    rows = [dict(rec, request_id=rid) for job, rid in zip(batch, request_ids) for rec in job.records]
    ids = _insert_returning_ids(conn, records, rows)
    results, start = [], 0
    for job, rid in zip(batch, request_ids):
        results.append(Stored(rid, ids[start:start + len(job.records)]))
        start += len(job.records)
    return results


def _insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` with one executemany; return their ids in the order of `rows`.

    SQLite: SQLAlchemy's ordered RETURNING would run one statement per row there. Instead, as
    this transaction holds the write lock since its first insert, the new rowids are the
    consecutive ones ending at max(id). Elsewhere, RETURNING sorted by parameter order.
    """
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        stmt = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        return list(conn.execute(stmt, rows).scalars())
    conn.execute(table.insert(), rows)
    last = conn.execute(select(func.max(table.c.id))).scalar_one()
    return list(range(last - len(rows) + 1, last + 1))


def _prune_requests(conn: Connection, results: list[Stored], retention: int) -> None:
    """Keep only the newest `retention` captured requests (0 keeps all); cheap: an id range delete."""
    newest = max((r.request_id for r in results if r.request_id is not None), default=None)
    if retention <= 0 or newest is None or newest <= retention:
        return
    conn.execute(requests.delete().where(requests.c.id <= newest - retention))
