"""Paging by keyset: newest first by id (captured requests), and by (time, id) for records.

Records are listed in time order, `created` then id (a batching handler or a slow app
delivers records late, so arrival order is not time order). A cursor is a position in
that order; the conditions below say "beyond it" in a form an index on `created` serves
(SQLite's index on `created` holds the rowid, so (created, id) is its order already).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Select, and_, or_


def newest_first(conn: Connection, stmt: Select, id_column: Column, *, before: int | None, limit: int,
                 to_json: Callable[[Mapping[str, Any]], dict[str, Any]]) -> tuple[list[dict[str, Any]], int | None]:
    """Rows of `stmt` with id < before, newest first, and the cursor of the next (older) page or None."""
    if before is not None:
        stmt = stmt.where(id_column < before)
    rows = conn.execute(stmt.order_by(id_column.desc()).limit(limit + 1)).mappings().all()
    page = [to_json(r) for r in rows[:limit]]
    return page, (page[-1]["id"] if len(rows) > limit else None)


@dataclass(frozen=True, order=True)
class Position:
    """Where a record sits in the time order: its `created`, then its id (ties keep arrival order)."""
    created: float
    id: int

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Position:
        """The position of a record row or record JSON."""
        return cls(float(row["created"]), int(row["id"]))


def beyond(created: Column, ident: Column, pos: Position, older: bool, inclusive: bool = False) -> ColumnElement[bool]:
    """Rows past `pos` going older (or newer), `pos` itself too when inclusive.

    Spelt `created <= c AND (created < c OR id < i)` rather than as a row value, so PostgreSQL
    also takes `created <= c` as an index range."""
    if older:
        tie = ident <= pos.id if inclusive else ident < pos.id
        return and_(created <= pos.created, or_(created < pos.created, tie))
    tie = ident >= pos.id if inclusive else ident > pos.id
    return and_(created >= pos.created, or_(created > pos.created, tie))


def time_order(created: ColumnElement[Any], ident: ColumnElement[Any],
               older: bool) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """ORDER BY terms walking older (newest first) or newer (oldest first)."""
    return (created.desc(), ident.desc()) if older else (created.asc(), ident.asc())
