"""Newest-first pages by id cursor: the one way every list (records, requests) is paged."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Select


def newest_first(conn: Connection, stmt: Select, id_column: Column, *, before: int | None, limit: int,
                 to_json: Callable[[Mapping[str, Any]], dict[str, Any]]) -> tuple[list[dict[str, Any]], int | None]:
    """Rows of `stmt` with id < before, newest first, and the cursor of the next (older) page or None."""
    if before is not None:
        stmt = stmt.where(id_column < before)
    rows = conn.execute(stmt.order_by(id_column.desc()).limit(limit + 1)).mappings().all()
    page = [to_json(r) for r in rows[:limit]]
    return page, (page[-1]["id"] if len(rows) > limit else None)
