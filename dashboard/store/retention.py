"""Retention: how much to keep (an age, a record count, a database size), and pruning in small steps.

Pruning deletes the oldest records a few hundred at a time, each step its own
short transaction that also takes the records out of the rollups, so the writer
and readers never wait long behind it; freed pages go back to the file system
when the SQLite file uses incremental auto-vacuum (new databases do).
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Engine, func, select, text

from . import rollup
from .engine import write_lock
from .schema import record_extras, records

log = logging.getLogger(__name__)
STEP = 500            # records deleted per transaction
SHARE = 3             # while others write, rest 3x as long as a step held the lock: it is ours a quarter of the time
PAUSE = 0.025         # ... and at least this long (0: never rest)
PRUNE_KEY = 0x6C6F6765      # PostgreSQL advisory locks: one pruner per database, one prune step at a time
_PG_STEP_TURN = text(f"SELECT pg_advisory_xact_lock({PRUNE_KEY + 1})")
_AGE = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_SIZE = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
         "tib": 2**40}
_ITEM = re.compile(r"(?i)^(\d+(?:\.\d+)?)\s*([a-z]*)$")


@dataclass(frozen=True)
class Policy:
    """What to keep; None means no bound of that kind. Empty: keep everything."""
    max_age: float | None = None     # seconds
    max_records: int | None = None
    max_bytes: int | None = None     # used database pages, SQLite only

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.max_age, self.max_records, self.max_bytes))

    def describe(self) -> str:
        """"7 days, 1,000,000 records, 2 GB" (or "everything")."""
        parts = []
        if self.max_age is not None:
            parts.append(_age_text(self.max_age))
        if self.max_records is not None:
            parts.append(f"{self.max_records:,} records")
        if self.max_bytes is not None:
            parts.append(f"{self.max_bytes / 1e9:g} GB" if self.max_bytes >= 10**9 else f"{self.max_bytes / 1e6:g} MB")
        return ", ".join(parts) or "everything"


def _age_text(seconds: float) -> str:
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds:g} seconds"


def parse_policy(text: str) -> Policy:
    """Read "7d", "1000000", "2GB" or several, separated by commas or spaces; ValueError says why."""
    age = count = size = None
    for item in re.split(r"[,\s]+", text.strip()):
        if not item or item.lower() in ("none", "all", "0"):
            continue
        match = _ITEM.match(item)
        number, unit = (float(match.group(1)), match.group(2).lower()) if match else (None, "")
        if number is None or number <= 0:
            raise ValueError(f"retention {item!r}: use an age (7d, 12h), a record count (1000000) or a size (2GB)")
        if unit in _AGE:
            age = number * _AGE[unit]
        elif unit in _SIZE or unit == "b":
            size = int(number * _SIZE.get(unit, 1))
        elif unit == "" and number.is_integer():
            count = int(number)
        else:
            raise ValueError(f"retention {item!r}: unknown unit {unit!r} (ages: s m h d w; sizes: MB GB ...)")
    return Policy(age, count, size)


def check_backend(policy: Policy, backend: str) -> None:
    """Refuse a size bound outside SQLite (ValueError): it measures the file, and PostgreSQL keeps the
    space deleted rows leave for its own reuse, so the size would not drop and the bound would delete
    every record."""
    if policy.max_bytes is not None and backend != "sqlite":
        raise ValueError(f"a size bound ({policy.describe()}) needs SQLite; on {backend} bound by age or count "
                         "(e.g. 30d or 5000000) and watch the server's disk")


def used_bytes(conn: Connection) -> int | None:
    """Bytes of the SQLite file in use (free pages excluded); None for other databases."""
    if conn.dialect.name != "sqlite":
        return None
    page_size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
    pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    free = conn.exec_driver_sql("PRAGMA freelist_count").scalar_one()
    return (pages - free) * page_size


def _step(conn: Connection, where: ColumnElement[bool]) -> tuple[int, float]:
    """Delete up to STEP of the oldest records matching `where`: (how many went, seconds the write
    lock was ours; time spent waiting for it does not count against the writers' share)."""
    with write_lock(conn.engine):
        held = time.monotonic()
        with conn.begin():
            if conn.dialect.name == "postgresql":  # one step at a time across instances: a step's rollup
                conn.execute(_PG_STEP_TURN)       # change must be read after the previous step's delete
            n = _delete_oldest(conn, where)
        return n, time.monotonic() - held


def _delete_oldest(conn: Connection, where: ColumnElement[bool]) -> int:
    ids = conn.execute(select(records.c.id).where(where).order_by(records.c.id).limit(STEP)).scalars().all()
    if not ids:
        return 0
    # bounded on both sides: with only `id <= last`, SQLite may read the condition's own index (every
    # old record matches `created < cutoff`) from the start for each step, and each step costs more
    chunk = records.c.id.between(ids[0], ids[-1]) & where
    rollup.change(conn, chunk, sign=-1)
    conn.execute(record_extras.delete().where(record_extras.c.record_id.in_(select(records.c.id).where(chunk))))
    return conn.execute(records.delete().where(chunk)).rowcount


class _Others:
    """Whether anyone else committed since the last look: SQLite's data_version changes for every
    commit by another connection, in any process, and not for this connection's own."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.seen = self._version()

    def _version(self) -> int | None:
        if not self.sqlite:
            return None
        version = self.conn.exec_driver_sql("PRAGMA data_version").scalar_one()
        self.conn.commit()  # end the transaction SQLAlchemy began for it: each step begins its own
        return version

    def wrote(self) -> bool:
        """True if another connection committed since the last call (always, where it cannot tell)."""
        if not self.sqlite:
            return True
        now = self._version()
        changed, self.seen = now != self.seen, now
        return changed


def _shrink(engine: Engine) -> None:
    """Give free pages back to the file system (a no-op unless auto_vacuum is incremental)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        while conn.exec_driver_sql("PRAGMA freelist_count").scalar_one():
            before = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
            conn.exec_driver_sql("PRAGMA incremental_vacuum(2000)")  # 8 MB a step at 4 KiB pages
            conn.commit()
            if conn.exec_driver_sql("PRAGMA page_count").scalar_one() == before:  # not incremental mode
                break


def prunable(engine: Engine, policy: Policy, now: float | None = None) -> int:
    """About how many records the age and count bounds would delete now (for a progress line)."""
    now = time.time() if now is None else now
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(records)).scalar_one()
        old = 0
        if policy.max_age is not None:
            old = conn.execute(select(func.count()).where(records.c.created < now - policy.max_age)).scalar_one()
    over = max(0, total - policy.max_records) if policy.max_records is not None else 0
    return min(total, max(old, over))


def prune(engine: Engine, policy: Policy, *, now: float | None = None,
          progress: Callable[[int], None] = lambda n: None, pause: float = PAUSE) -> int:
    """Delete what the policy does not keep, oldest first, in small steps; how many records went.

    While others write, each step is followed by a rest (at least SHARE times the step, at least
    `pause`), so the writers keep most of the lock; while nobody else writes, the steps follow each
    other at once (a prune at a quiet hour ends in seconds, not minutes)."""
    now = time.time() if now is None else now
    deleted = 0
    with engine.connect() as conn:
        others = _Others(conn)

        def rest(held: float) -> None:
            if pause and others.wrote():
                time.sleep(max(pause, SHARE * held))

        def run(where: ColumnElement[bool]) -> None:
            nonlocal deleted
            while True:
                n, held = _step(conn, where)
                deleted += n
                if n:
                    progress(deleted)
                if n < STEP:
                    break
                rest(held)

        if policy.max_age is not None:
            run(records.c.created < now - policy.max_age)
        if policy.max_records is not None:
            keep_from = conn.execute(select(records.c.id).order_by(records.c.id.desc())
                                     .offset(policy.max_records - 1).limit(1)).scalar()
            conn.commit()
            if keep_from is not None:
                run(records.c.id < keep_from)
        if policy.max_bytes is not None:
            while True:
                used = used_bytes(conn)
                oldest = conn.execute(select(func.min(records.c.id))).scalar()
                conn.commit()
                if used is None or used <= policy.max_bytes or oldest is None:
                    break
                n, held = _step(conn, records.c.id < oldest + STEP)
                if not n:
                    break
                deleted += n
                progress(deleted)
                rest(held)
    if deleted:
        _shrink(engine)
    return deleted
