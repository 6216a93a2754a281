"""What one writer batch does in its transaction: insert the captures and the records (ids in
order, see commit_order), index them for search, keep the rollups, cut old captures."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam, func, select

from . import commit_order, nul, rollup, search
from .schema import records, requests


@dataclass
class Stored:
    """What a job left in the database."""
    request_id: int | None
    record_ids: list[int]


Jobs = list[tuple[list[dict[str, Any]], "dict[str, Any] | None"]]  # (records, capture) of each job


@dataclass
class Prepared:
    """A batch made ready outside the write lock: rows as stored (search text folded), the extras to
    index. Under the lock only the statements run, since every writer waits for that part."""
    jobs: Jobs
    captures: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    extras: list[tuple[int, str, str]]  # (position in rows, key, value text)


def prepare(dialect: str, jobs: Jobs) -> Prepared:
    """The rows of every job of a batch as the database will hold them (no NUL on PostgreSQL)."""
    keep = nul.storable if dialect == "postgresql" else dict
    captures = [keep(capture) for _, capture in jobs if capture is not None]
    rows = []
    for recs, _ in jobs:
        for rec in recs:
            row = keep(rec)
            row["search_text"] = search.search_text(row)
            rows.append(row)
    return Prepared(jobs, captures, rows, search.extras_of(rows))


def insert(conn: Connection, batch: Prepared, request_retention: int) -> list[Stored]:
    """Insert the (records, capture) of every job of a batch: two statements, not one per job; then
    keep the newest `request_retention` captures of each kind (0: all)."""
    results = _insert(conn, batch)
    _prune_requests(conn, results, request_retention)
    return results


def _insert(conn: Connection, batch: Prepared) -> list[Stored]:
    capture_ids = iter(_insert_returning_ids(conn, requests, batch.captures))
    request_ids = [next(capture_ids) if capture is not None else None for _, capture in batch.jobs]
    rows = iter(batch.rows)
    for (recs, _), rid in zip(batch.jobs, request_ids, strict=True):
        for _ in recs:
            next(rows)["request_id"] = rid
    ids = _insert_returning_ids(conn, records, batch.rows)
    commit_order.announce(conn, *(name for name, new in (("records", batch.rows), ("requests", batch.captures))
                                  if new))
    if ids and _consecutive(ids):
        search.index_range(conn, ids[0], ids[-1], batch.extras)
        rollup.add_range(conn, ids[0], ids[-1])
    elif ids:  # RETURNING elsewhere may hand out ids with gaps
        search.index(conn, records.c.id.in_(ids))
        rollup.change(conn, records.c.id.in_(ids))
    results, start = [], 0
    for (recs, _), rid in zip(batch.jobs, request_ids, strict=True):
        results.append(Stored(rid, ids[start:start + len(recs)]))
        start += len(recs)
    return results


def _consecutive(ids: list[int]) -> bool:
    return ids[-1] - ids[0] == len(ids) - 1


# Built once (the writer runs these for every batch): SQLAlchemy then only looks up its compiled form.
_MAX_ID = {t.name: select(func.max(t.c.id)) for t in (records, requests)}


@lru_cache(maxsize=16)
def _insert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """SQLite's INSERT for these columns, compiled by SQLAlchemy once: its text and the order of its
    positional parameters."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    return compiled.string, tuple(compiled.positiontup or ())


@lru_cache(maxsize=4)
def _defaults(table: Table) -> dict[str, Any]:
    """The defaults of the columns an INSERT fills that a row may leave out."""
    return {c.name: c.default.arg for c in table.c if c.default is not None and c.default.is_scalar}


def _insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` with one executemany; return their ids in the order of `rows`.

    SQLite: SQLAlchemy's ordered RETURNING would run one statement per row there. Instead, as
    this transaction holds the write lock since its first insert, the new rowids are the
    consecutive ones ending at max(id). PostgreSQL: RETURNING, through psycopg's own executemany.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        return _pg_insert_returning_ids(conn, table, rows)
    (sql, order), defaults = _insert_sql(conn.dialect, table, tuple(rows[0])), _defaults(table)  # to the driver
    conn.exec_driver_sql(sql, _values(rows, order, defaults))
    last = conn.execute(_MAX_ID[table.name]).scalar_one()
    return list(range(last - len(rows) + 1, last + 1))


def _values(rows: list[dict[str, Any]], order: tuple[str, ...], defaults: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each row's values in `order`: picked in C when every row has every column (a batch from ingest),
    else one by one with the columns' defaults."""
    pick = itemgetter(*order)
    try:
        return [pick(row) for row in rows] if len(order) > 1 else [(pick(row),) for row in rows]
    except KeyError:
        return [tuple(row.get(c, defaults.get(c)) for c in order) for row in rows]


def _pg_insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """PostgreSQL: psycopg's own executemany with RETURNING (one statement prepared once, pipelined),
    about 4x the rows per second of SQLAlchemy's multi-row VALUES, which psycopg re-parses per batch.
    The ids come back in the order of `rows`."""
    columns, defaults = tuple(rows[0]), _defaults(table)
    cursor = conn.connection.driver_connection.cursor()  # the transaction's own connection
    cursor.executemany(pg_insert_sql(conn.dialect, table, columns, returning=True),
                       _values(rows, columns, defaults), returning=True)
    ids = []
    while True:
        ids.append(cursor.fetchone()[0])
        if not cursor.nextset():
            return ids


@lru_cache(maxsize=16)
def pg_insert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...], returning: bool = False) -> str:
    """`INSERT INTO table (columns) VALUES (%s, ...)` for psycopg's executemany, names quoted by the dialect."""
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    return sql + " RETURNING id" if returning else sql


REQUEST_KINDS = ("ingest", "bin")  # /ingest captures and request-bin captures: each kept on its own


def _prune_requests(conn: Connection, results: list[Stored], retention: int) -> None:
    """Keep the newest `retention` captures of each kind (0: all): a bin flood never evicts /ingest's.
    Cheap: every retention/100 captures (up to 1% more kept meanwhile), an indexed cut-off and range delete."""
    ids = [r.request_id for r in results if r.request_id is not None]
    if retention <= 0 or not ids:
        return
    step = max(1, retention // 100)
    if max(ids) // step == (min(ids) - 1) // step:
        return  # no step boundary crossed by this batch
    for kind in REQUEST_KINDS:
        cutoff = conn.execute(_CUTOFF, {"kind": kind, "keep": retention}).scalar()
        if cutoff is not None:
            conn.execute(requests.delete().where(requests.c.kind == kind, requests.c.id <= cutoff))


# the id of the newest row of a kind that is no longer kept (None: all are kept)
_CUTOFF = (select(requests.c.id).where(requests.c.kind == bindparam("kind")).order_by(requests.c.id.desc())
           .limit(1).offset(bindparam("keep")))
