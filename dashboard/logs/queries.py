"""Read side for records: lists by cursor, one record, logger counts."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select, text

from ..store.feed import Fetched
from ..store.paging import newest_first
from ..store.schema import records
from .counts import count_groups
from .filter import RecordFilter
from .serialize import record_json

WINDOWS = (5_000, 50_000)  # newest rows read in id order, without the indexes, before they are asked


def list_records(conn: Connection, flt: RecordFilter, *, before: int | None = None,
                 limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
    """Matching records newest first, and the cursor for the next (older) page or None.

    A filter that matches often (a common logger or word, a level) fills a page from the newest
    few thousand rows at once, while an index would first collect every match and sort them; a rare
    one is what the indexes are for. So on SQLite the newest rows are read first, in id order and
    without the indexes, in two growing windows; only when they hold too few do the indexes answer."""
    dialect = conn.dialect.name
    if dialect == "sqlite" and flt != RecordFilter() and flt.until is None:  # a past range: the time index
        top = before if before is not None else newest_record_id(conn) + 1
        where = flt.clause(dialect, text_index=False)
        unindexed = select(records).with_hint(records, "NOT INDEXED", "sqlite").where(where)
        for size in WINDOWS[:1] if flt.q else WINDOWS:  # the text index is quick for a rare word
            window = unindexed.where(records.c.id >= top - size)
            page, cursor = newest_first(conn, window, records.c.id, before=top, limit=limit, to_json=record_json)
            if cursor is not None:  # a full page and more: these are the newest matches
                return page, cursor
            if top - size <= 1:  # the window held every row there is
                return page, None
    stmt = select(records).where(flt.clause(dialect))
    return newest_first(conn, stmt, records.c.id, before=before, limit=limit, to_json=record_json)


def records_after(conn: Connection, flt: RecordFilter, after: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Matching records with id > after, oldest first (the live tail's catch-up)."""
    stmt = (select(records).where(flt.clause(conn.dialect.name), records.c.id > after)
            .order_by(records.c.id).limit(limit))
    return [record_json(r) for r in conn.execute(stmt).mappings().all()]  # one fetch, not a row at a time


def get_record(conn: Connection, record_id: int) -> dict[str, Any] | None:
    """One record by id, or None."""
    row = conn.execute(select(records).where(records.c.id == record_id)).mappings().first()
    return record_json(row) if row else None


def logger_counts(conn: Connection, flt: RecordFilter) -> list[dict[str, Any]]:
    """Record count per logger name among the matching records, by name."""
    counts = count_groups(conn, flt, ("name",))
    return [{"name": name, "count": n} for (name,), n in sorted(counts.items()) if n]


def newest_record_id(conn: Connection) -> int:
    """The highest record id (0 for an empty table)."""
    return conn.execute(select(func.coalesce(func.max(records.c.id), 0))).scalar_one()


def new_records(conn: Connection, after: int, limit: int) -> list[Fetched]:
    """Every record with id > after, oldest first (what the feed fans out; filters test the JSON)."""
    return [Fetched(r["id"], r, r) for r in records_after(conn, RecordFilter(), after, limit)]


def neighbour_ids(conn: Connection, flt: RecordFilter, record_id: int) -> tuple[int | None, int | None]:
    """The ids of the matching records just older and just newer than `record_id` (None at the ends)."""
    where = flt.clause(conn.dialect.name)
    older = conn.execute(select(func.max(records.c.id)).where(where, records.c.id < record_id)).scalar()
    newer = conn.execute(select(func.min(records.c.id)).where(where, records.c.id > record_id)).scalar()
    return older, newer


# One index seek per distinct app (a skip scan), instead of reading every row's app.
_APP_NAMES = text("""
    WITH RECURSIVE apps(app) AS (
        SELECT min(app) FROM records
        UNION ALL
        SELECT (SELECT min(app) FROM records WHERE app > apps.app) FROM apps WHERE apps.app IS NOT NULL)
    SELECT app FROM apps WHERE app IS NOT NULL""")


def app_names(conn: Connection) -> list[str]:
    """Every app name that has records, sorted."""
    return list(conn.execute(_APP_NAMES).scalars())


def has_records(conn: Connection) -> bool:
    """Whether any record is stored at all (the empty state shows how to connect)."""
    return conn.execute(select(records.c.id).limit(1)).first() is not None


def count_matching(conn: Connection, flt: RecordFilter, cap: int = 10_000) -> int:
    """How many records match, counting at most `cap` (enough to say "10k+")."""
    inner = select(records.c.id).where(flt.clause(conn.dialect.name)).limit(cap).subquery()
    return conn.execute(select(func.count()).select_from(inner)).scalar_one()
