"""Read side for captured requests: lists by cursor, one request, the live feed's reads."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from ..store.feed import Fetched
from ..store.paging import newest_first
from ..store.schema import records, requests
from .filter import RequestFilter
from .serialize import detail_json, summary_json

# What a list needs: everything but the body and our answer (the filter's SQL still reads them).
LIST_COLUMNS = [c for c in requests.c if c.name not in ("body", "response")]


def list_requests(conn: Connection, flt: RequestFilter, *, before: int | None = None,
                  limit: int = 100) -> tuple[list[dict[str, Any]], int | None]:
    """Matching requests newest first, and the cursor for the next (older) page or None."""
    stmt = select(*LIST_COLUMNS).where(flt.clause(conn.dialect.name))
    return newest_first(conn, stmt, requests.c.id, before=before, limit=limit, to_json=summary_json)


def get_request_row(conn: Connection, request_id: int) -> Mapping[str, Any] | None:
    """The stored row of one request, or None (never captured, or pruned)."""
    return conn.execute(select(requests).where(requests.c.id == request_id)).mappings().first()


def record_ids_of(conn: Connection, request_id: int) -> list[int]:
    """Ids of the records a request created, in order."""
    stmt = select(records.c.id).where(records.c.request_id == request_id).order_by(records.c.id)
    return list(conn.execute(stmt).scalars())


def get_request(conn: Connection, request_id: int, scheme: str = "http") -> dict[str, Any] | None:
    """One request in full (the JSON of /api/requests/<id>), or None."""
    row = get_request_row(conn, request_id)
    return detail_json(row, record_ids_of(conn, request_id), scheme) if row else None


def requests_after(conn: Connection, flt: RequestFilter, after: int, limit: int = 500) -> list[dict[str, Any]]:
    """Matching requests with id > after, oldest first, as list entries (the live catch-up)."""
    stmt = (select(*LIST_COLUMNS).where(flt.clause(conn.dialect.name), requests.c.id > after)
            .order_by(requests.c.id).limit(limit))
    return [summary_json(r) for r in conn.execute(stmt).mappings()]


def newest_request_id(conn: Connection) -> int:
    """The highest request id (0 for an empty table)."""
    return conn.execute(select(func.coalesce(func.max(requests.c.id), 0))).scalar_one()


def new_requests(conn: Connection, after: int, limit: int) -> list[Fetched]:
    """Every request with id > after, oldest first, for the feed: the row to filter on and its list entry."""
    stmt = select(requests).where(requests.c.id > after).order_by(requests.c.id).limit(limit)
    return [Fetched(row["id"], dict(row), summary_json(row)) for row in conn.execute(stmt).mappings()]
