"""Read side for records: lists by cursor, one record, logger counts."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from ..store.feed import Fetched
from ..store.paging import newest_first
from ..store.schema import records
from .filter import RecordFilter
from .serialize import record_json


def list_records(conn: Connection, flt: RecordFilter, *, before: int | None = None,
                 limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
    """Matching records newest first, and the cursor for the next (older) page or None."""
    stmt = select(records).where(flt.clause(conn.dialect.name))
    return newest_first(conn, stmt, records.c.id, before=before, limit=limit, to_json=record_json)


def records_after(conn: Connection, flt: RecordFilter, after: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Matching records with id > after, oldest first (the live tail's catch-up)."""
    stmt = (select(records).where(flt.clause(conn.dialect.name), records.c.id > after)
            .order_by(records.c.id).limit(limit))
    return [record_json(r) for r in conn.execute(stmt).mappings()]


def get_record(conn: Connection, record_id: int) -> dict[str, Any] | None:
    """One record by id, or None."""
    row = conn.execute(select(records).where(records.c.id == record_id)).mappings().first()
    return record_json(row) if row else None


def logger_counts(conn: Connection, flt: RecordFilter) -> list[dict[str, Any]]:
    """Record count per logger name among the matching records, by name."""
    stmt = (select(records.c.name, func.count().label("count")).where(flt.clause(conn.dialect.name))
            .group_by(records.c.name).order_by(records.c.name))
    return [{"name": name, "count": count} for name, count in conn.execute(stmt)]


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


def app_names(conn: Connection) -> list[str]:
    """Every app name that has records, sorted."""
    stmt = select(records.c.app).where(records.c.app.is_not(None)).distinct().order_by(records.c.app)
    return list(conn.execute(stmt).scalars())


def has_records(conn: Connection) -> bool:
    """Whether any record is stored at all (the empty state shows how to connect)."""
    return conn.execute(select(records.c.id).limit(1)).first() is not None


def count_matching(conn: Connection, flt: RecordFilter, cap: int = 10_000) -> int:
    """How many records match, counting at most `cap` (enough to say "10k+")."""
    inner = select(records.c.id).where(flt.clause(conn.dialect.name)).limit(cap).subquery()
    return conn.execute(select(func.count()).select_from(inner)).scalar_one()
