"""Read side for records: lists by cursor, one record, logger counts."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select, text

from ..store.feed import Fetched
from ..store.paging import Position
from ..store.schema import records
from .counts import count_groups
from .filter import RecordFilter
from .serialize import record_json, records_json
from .timeline import SHOWN, older_page, walk


def list_records(conn: Connection, flt: RecordFilter, *, before: Position | None = None,
                 limit: int = 100) -> tuple[list[dict[str, Any]], Position | None]:
    """Matching records newest first (by time, then id), and the cursor for the next (older) page or None."""
    return older_page(conn, flt, before, limit)


def records_after(conn: Connection, flt: RecordFilter, after: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Matching records with id > after, oldest first (the live tail's catch-up)."""
    stmt = (select(*SHOWN).where(flt.clause(conn.dialect.name, conn=conn), records.c.id > after)
            .order_by(records.c.id).limit(limit))
    result = conn.execute(stmt)
    return records_json(result.keys(), result.all())  # one fetch, not a row at a time


def get_record(conn: Connection, record_id: int) -> dict[str, Any] | None:
    """One record by id, or None."""
    row = conn.execute(select(*SHOWN).where(records.c.id == record_id)).mappings().first()
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


def neighbour_ids(conn: Connection, flt: RecordFilter, record: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """The ids of the matching records just older and just newer than `record` in the list's order."""
    place = Position.of(record)
    older, _ = walk(conn, flt, place, older=True, limit=1)
    newer, _ = walk(conn, flt, place, older=False, limit=1)
    return (older[0]["id"] if older else None), (newer[0]["id"] if newer else None)


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
    inner = select(records.c.id).where(flt.clause(conn.dialect.name, conn=conn)).limit(cap).subquery()
    return conn.execute(select(func.count()).select_from(inner)).scalar_one()
