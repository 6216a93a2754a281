"""Copy a whole database to another (SQLite or PostgreSQL, either way): ids kept, resumable, one history.

Captured requests, then records, are copied in id order, a batch per target transaction. A records
batch fills the target's derived data for its id range in the same transaction (search text, the
SQLite full-text index, record_extras, the rollups), so whatever an interruption leaves is a
consistent prefix of the source, and a re-run carries on after the target's newest id. A target
whose rows are not such a prefix (its own records, another source) is refused before anything is
written: two histories never mix. On PostgreSQL each batch takes the writers' turn (commit_order)
and moves the id sequence past what it inserted, so the target can ingest at once.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from . import commit_order, nul, rollup, search
from .engine import describe_url, write_lock
from .migrate import alembic_config, current_revision, upgrade
from .schema import records, requests

BATCH = 2000
REQUEST_BATCH = 200  # captures carry bodies (up to LOGDASH_REQUEST_BODY_CAP each): fewer per transaction
# what must agree between the target's newest row and the source's row of that id (the prefix check)
IDENTITY = {"records": ("created", "name", "message"), "requests": ("time", "method", "path")}
Progress = Callable[[str, int, int], None]  # (table, rows in the target so far, rows to have in all)


class CopyRefused(Exception):
    """The copy cannot start: str() says why and what to do, on one line."""


@dataclass
class Copied:
    """What one table's copy did: rows the target held before (earlier runs), rows this run added."""
    table: str
    before: int
    copied: int


@contextlib.contextmanager
def side(name: str) -> Iterator[None]:
    """Tag a driver error with the side it came from ("source" or "target"), so it can name that database."""
    try:
        yield
    except DBAPIError as e:
        if not hasattr(e, "logdash_side"):
            e.logdash_side = name  # type: ignore[attr-defined]
        raise


def head_revision() -> str | None:
    """The newest schema revision this version of logdash knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def check_source(source: Engine) -> None:
    """Refuse a source that is missing or not at head: copying never writes to the source, not even to
    create or upgrade it."""
    where, database = describe_url(source.url), source.url.database
    if source.dialect.name == "sqlite" and database and database != ":memory:" and not os.path.exists(database):
        raise CopyRefused(f"source {where} does not exist")
    with side("source"):
        at = current_revision(source)
    head = head_revision()
    if at is None:
        raise CopyRefused(f"source {where} holds no logdash tables: nothing to copy (is it the right database?)")
    if at != head:
        url = source.url.render_as_string(hide_password=True)
        raise CopyRefused(f"source {where} is at schema revision {at}, not {head}: "
                          f"run `logdash db upgrade --db {url}` first, then copy again")


def copy_database(source: Engine, target: Engine, batch: int = BATCH,
                  progress: Progress | None = None) -> list[Copied]:
    """Copy every row of `source` to `target` (upgraded to head first), resuming where an earlier
    run stopped; CopyRefused when the target holds anything but a prefix of the source."""
    if describe_url(source.url) == describe_url(target.url):
        raise CopyRefused(f"source and target are the same database ({describe_url(source.url)})")
    check_source(source)
    starts = {"records": _resume_point(source, target, records)}
    # the source's retention may have cut the captures a re-run finds (5,000 of each kind by default): once
    # the records prove the history, a capture the source no longer holds is no reason to refuse
    starts["requests"] = _resume_point(source, target, requests, proven=starts["records"] > 0)
    with side("target"):
        upgrade(target)
    report = progress or (lambda _table, _done, _total: None)
    with side("source"), source.connect() as conn:  # records first: a record's capture commits with it, so
        # every capture the copied records point to is in the copy too, even while the source is ingesting
        ends = {t.name: conn.execute(select(func.max(t.c.id))).scalar() or 0 for t in (records, requests)}
    done = [_copy_table(source, target, requests, starts["requests"], ends["requests"],
                        min(batch, REQUEST_BATCH), report),
            _copy_table(source, target, records, starts["records"], ends["records"], batch, report)]
    with side("target"), _writing(target) as conn:
        for table in (requests, records):
            _advance_sequence(conn, table, None)
    return done


def _resume_point(source: Engine, target: Engine, table: Table, proven: bool = False) -> int:
    """The target's newest id of `table` (0 when empty), after checking its rows are the source's
    (`proven`: the history is, so a row the source no longer holds will do)."""
    with side("target"):
        if not inspect(target).has_table(table.name):
            return 0  # an empty database: upgraded before the copy
        with target.connect() as conn:
            last = conn.execute(select(func.max(table.c.id))).scalar()
            if last is None:
                if table is records and _holds_counts(conn):
                    raise CopyRefused(f"target {describe_url(target.url)} holds record counts but no records: "
                                      "it is not a copy of the source; copy to an empty database")
                return 0
            there = _identity(conn, table, last)
    with side("source"), source.connect() as conn:
        newest = conn.execute(select(func.max(table.c.id))).scalar()
        here = _identity(conn, table, last)
    if here is not None and target.dialect.name == "postgresql":
        here = nul.storable(here)
    if here == there or (here is None and proven and last <= (newest or 0)):
        return last
    where = f"target {describe_url(target.url)}"
    fix = "copy to an empty database, or to a partial copy of this same source"
    if last > (newest or 0):
        raise CopyRefused(f"{where} holds another history (its {table.name} go up to id {last}, the source's only "
                          f"to {newest or 0}): {fix}")
    if here is None:
        raise CopyRefused(f"{where} cannot be checked against the source, which no longer holds {table.name} row "
                          f"{last} (pruned since the copy began?): copy to an empty database")
    raise CopyRefused(f"{where} holds another history (its {table.name} row {last} differs from the source's): {fix}")


def _identity(conn: Connection, table: Table, row_id: int) -> dict[str, Any] | None:
    columns = [table.c[name] for name in IDENTITY[table.name]]
    row = conn.execute(select(*columns).where(table.c.id == row_id)).mappings().first()
    return dict(row) if row is not None else None


def _holds_counts(conn: Connection) -> bool:
    present = [r.table for r in rollup.ROLLUPS if inspect(conn).has_table(r.table.name)]
    return any(conn.execute(select(t.c.n).limit(1)).first() is not None for t in present)


def _copy_table(source: Engine, target: Engine, table: Table, start: int, newest: int, batch: int,
                report: Progress) -> Copied:
    """Copy the rows of `table` with start < id <= newest (the source's newest as the copy began)."""
    count = select(func.count()).select_from(table)
    with side("target"), target.connect() as conn:
        before = conn.execute(count).scalar_one()  # all of them are up to `start`
    with side("source"), source.connect() as conn:
        total = before + conn.execute(count.where(table.c.id > start, table.c.id <= newest)).scalar_one()
    read = select(table).order_by(table.c.id).limit(batch)
    prepare = _preparer(table, target.dialect.name)
    copied, last = 0, start
    report(table.name, before, total)
    while last < newest:
        with side("source"), source.connect() as conn:
            rows = conn.execute(read.where(table.c.id > last, table.c.id <= newest)).mappings().all()
        if not rows:
            break
        lo, hi = rows[0]["id"], rows[-1]["id"]
        with side("target"), _writing(target) as conn:
            _insert(conn, table, [prepare(row) for row in rows])
            if table is records:  # derived data for exactly this id range: no other target row is in it
                search.index(conn, records.c.id.between(lo, hi))
                rollup.add_range(conn, lo, hi)
            _advance_sequence(conn, table, hi)
            commit_order.announce(conn, table.name)
        copied, last = copied + len(rows), hi
        report(table.name, before + copied, total)
    return Copied(table.name, before, copied)


def _preparer(table: Table, dialect: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Rows as the target's own writer would store them: no NUL in PostgreSQL text (store.nul) and,
    for records, the search text folded from what the target holds (a NUL ends it on SQLite only)."""
    keep = nul.storable if dialect == "postgresql" else dict
    if table is not records:
        return keep

    def prepare(row: Mapping[str, Any]) -> dict[str, Any]:
        out = keep(row)
        out["search_text"] = search.search_text(out)
        return out

    return prepare


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows with their ids, straight to the driver: COPY on PostgreSQL, one executemany on
    SQLite (SQLAlchemy's executemany spends more time on each row's parameters than the database)."""
    names = [c.name for c in table.c]
    columns = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
    if conn.dialect.name == "postgresql":
        sql, driver_error = f"COPY {table.name} ({columns}) FROM STDIN", conn.dialect.loaded_dbapi.Error
        try:
            cursor = conn.connection.driver_connection.cursor()
            with cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row([row[name] for name in names])
        except driver_error as e:  # as SQLAlchemy raises it for its own statements: one line for the CLI
            raise DBAPIError.instance(sql, None, e, driver_error) from e
    else:
        marks = ", ".join("?" * len(names))
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
                             [tuple(row[name] for name in names) for row in rows])


@contextlib.contextmanager
def _writing(target: Engine) -> Iterator[Connection]:
    """A target transaction that takes its turn with any writer there (SQLite's write lock, PostgreSQL's
    commit order), so a server running on the target keeps working between batches."""
    with write_lock(target), target.begin() as conn:
        commit_order.take_turn(conn)
        yield conn


def _advance_sequence(conn: Connection, table: Table, last: int | None) -> None:
    """PostgreSQL: the next id handed out comes after `last` (None: the table's newest), as rows were
    inserted with their ids. SQLite's next rowid already follows the newest row."""
    if conn.dialect.name != "postgresql":
        return
    if last is None:
        last = conn.execute(select(func.max(table.c.id))).scalar()
        if last is None:
            return
    conn.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                 {"table": table.name, "last": last})
