"""The background pruner of each worker process: every `interval` seconds, apply the retention policy.

Several processes (workers, instances) share one database, and one of them prunes at a time: on a
SQLite file an exclusive lock file beside it, on PostgreSQL a session advisory lock; the others skip
that round.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text

from .retention import PRUNE_KEY, Policy, prune

log = logging.getLogger(__name__)


class Pruner:
    """The background pruner of one process (see the module docstring)."""

    def __init__(self, engine: Engine, policy: Policy, interval: float = 60.0) -> None:
        self.engine, self.policy, self.interval = engine, policy, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._lock_path = Path(database + "-prunelock") if database and database != ":memory:" else None

    def start(self) -> None:
        """Start the thread (once); nothing to do for a policy that keeps everything."""
        if self.policy and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="logdash-pruner", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the current step."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> int:
        """One round: prune now unless another process is at it; how many records went."""
        with self._exclusive() as mine:
            if not mine:
                return 0
            deleted = prune(self.engine, self.policy, progress=self._check_stop)
        if deleted:
            log.info("retention (%s): pruned %d records", self.policy.describe(), deleted)
        return deleted

    def _check_stop(self, _deleted: int) -> None:
        if self._stop.is_set():
            raise _Stopped

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[bool]:
        if self.engine.dialect.name == "postgresql":  # one pruner per database, whichever instance
            with self.engine.connect() as conn:
                mine = conn.execute(text(f"SELECT pg_try_advisory_lock({PRUNE_KEY})")).scalar_one()
                conn.commit()
                try:
                    yield mine
                finally:
                    if mine:
                        conn.execute(text(f"SELECT pg_advisory_unlock({PRUNE_KEY})"))
                        conn.commit()
            return
        if self._lock_path is None:
            yield True
            return
        with open(self._lock_path, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run(self) -> None:
        delay = min(self.interval, 5.0)  # the first round soon after start
        while not self._stop.wait(delay):
            try:
                self.run_once()
            except _Stopped:
                return
            except Exception:  # a failed round must not end retention
                log.exception("retention round failed")
            delay = self.interval


class _Stopped(Exception):
    """Raised inside a prune to end it early at shutdown."""
