"""Record counts per minute and per hour, kept exact by the writer and by retention.

Each rollup table holds, per time unit, how many records have each combination of
its key columns. The writer adds a batch's counts in the batch's transaction;
retention subtracts what it deletes in the delete's transaction. Readers (the
histogram, the logger tree) sum whole units from here and count only the ragged
edges of a range from the records themselves.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, Table, cast, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .schema import counts_hour, counts_minute, records


@dataclass(frozen=True)
class Rollup:
    """One rollup table: its time unit in seconds and the record columns it is keyed by."""
    table: Table
    unit: int
    keys: tuple[str, ...]

    def covers(self, columns: Iterable[str]) -> bool:
        """Whether every one of `columns` is a key here (so it can be grouped or filtered on)."""
        return set(columns) <= set(self.keys)


MINUTE = Rollup(counts_minute, 60, ("app", "levelno", "levelname"))
HOUR = Rollup(counts_hour, 3600, ("app", "name", "levelno", "levelname"))
ROLLUPS = (HOUR, MINUTE)  # coarsest first: the fewest rows to read for the same answer


def time_unit(column: ColumnElement[Any], seconds: int, dialect: str) -> ColumnElement[int]:
    """floor(column / seconds) as an integer (times are >= 0, so SQLite's CAST floors)."""
    scaled = column / seconds
    return cast(scaled, BigInteger) if dialect == "sqlite" else cast(func.floor(scaled), BigInteger)


def _key(rollup: Rollup, row: Mapping[str, Any]) -> tuple[Any, ...]:
    unit = int(row["created"] // rollup.unit)
    return (unit, *(row[k] if row[k] is not None else "" for k in rollup.keys))


def _upsert(conn: Connection, rollup: Rollup, counts: Counter[tuple[Any, ...]]) -> None:
    """Add each count to its row (negative counts subtract), then drop rows that reached zero."""
    if not counts:
        return
    columns = ("unit", *rollup.keys)
    rows = [dict(zip(columns, key, strict=True), n=n) for key, n in counts.items() if n]
    insert = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(rollup.table)
    stmt = insert.on_conflict_do_update(index_elements=list(columns),
                                        set_={"n": rollup.table.c.n + insert.excluded.n})
    conn.execute(stmt, rows)
    if any(n < 0 for n in counts.values()):
        conn.execute(rollup.table.delete().where(rollup.table.c.n <= 0))


def add(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Count newly inserted record rows into every rollup (call inside their transaction)."""
    rows = list(rows)
    for rollup in ROLLUPS:
        _upsert(conn, rollup, Counter(_key(rollup, row) for row in rows))


def subtract(conn: Connection, where: ColumnElement[bool]) -> None:
    """Take the records matching `where` out of every rollup (call just before deleting them)."""
    for rollup in ROLLUPS:
        unit = time_unit(records.c.created, rollup.unit, conn.dialect.name)
        keys = [func.coalesce(records.c[k], "") if k == "app" else records.c[k] for k in rollup.keys]
        stmt = select(unit, *keys, func.count()).where(where).group_by(unit, *keys)
        _upsert(conn, rollup, Counter({tuple(row[:-1]): -row[-1] for row in conn.execute(stmt)}))
