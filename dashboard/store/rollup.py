"""Record counts per minute and per hour, kept exact by the writer and by retention.

Each rollup table holds, per time unit, how many records have each combination of
its key columns. The writer adds a batch's counts in the batch's transaction (one
set-based statement per table over the batch's ids); retention subtracts what it
deletes in the delete's transaction. Readers (the histogram, the logger tree) sum
whole units from here and count only the ragged edges of a range from the records.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, Executable, Table, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .schema import counts_hour, counts_hour_app, counts_minute, counts_quarter, counts_quarter_app, records


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
QUARTER_APP = Rollup(counts_quarter_app, 900, ("app", "levelno", "levelname"))
QUARTER = Rollup(counts_quarter, 900, ("app", "name", "levelno", "levelname"))
HOUR = Rollup(counts_hour, 3600, ("app", "name", "levelno", "levelname"))
HOUR_APP = Rollup(counts_hour_app, 3600, ("app", "levelno", "levelname"))
# The fewest rows to read for the same answer first: the coarsest unit, then the fewest keys.
ROLLUPS = (HOUR_APP, HOUR, QUARTER_APP, QUARTER, MINUTE)


def time_unit(column: ColumnElement[Any], seconds: int, dialect: str) -> ColumnElement[int]:
    """floor(column / seconds) as an integer (times are >= 0, so SQLite's CAST floors)."""
    scaled = column / seconds
    return cast(scaled, BigInteger) if dialect == "sqlite" else cast(func.floor(scaled), BigInteger)


def _upserts(dialect: str, where: ColumnElement[bool], sign: int) -> list[Executable]:
    """One INSERT ... SELECT ... GROUP BY ... ON CONFLICT per rollup, adding `sign` x the counts."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statements: list[Executable] = []
    for rollup in ROLLUPS:
        t = rollup.table
        keys = [func.coalesce(records.c[k], "") if k == "app" else records.c[k] for k in rollup.keys]
        unit = time_unit(records.c.created, rollup.unit, dialect)
        grouped = select(unit, *keys, sign * func.count()).where(where).group_by(unit, *keys)
        columns = ["unit", *rollup.keys]
        stmt = insert(t).from_select([*columns, "n"], grouped)
        statements.append(stmt.on_conflict_do_update(index_elements=columns, set_={"n": t.c.n + stmt.excluded.n}))
    return statements


@lru_cache(maxsize=4)
def _range_upserts(dialect: str) -> list[Executable]:
    """The writer's statements, built once: its batches are id ranges (`lo`, `hi`)."""
    return _upserts(dialect, records.c.id.between(bindparam("lo"), bindparam("hi")), 1)


def add_range(conn: Connection, lo: int, hi: int) -> None:
    """Count the records with lo <= id <= hi (a batch just inserted) into every rollup."""
    for stmt in _range_upserts(conn.dialect.name):
        conn.execute(stmt, {"lo": lo, "hi": hi})


def change(conn: Connection, where: ColumnElement[bool], sign: int = 1) -> None:
    """Add (sign=1) the records matching `where` to every rollup, or take them out (sign=-1) just
    before they are deleted, in the caller's transaction."""
    for stmt in _upserts(conn.dialect.name, where, sign):
        conn.execute(stmt)
    if sign < 0:
        for rollup in ROLLUPS:
            conn.execute(rollup.table.delete().where(rollup.table.c.n <= 0))
