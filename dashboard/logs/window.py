"""Which stretch of the time order a list shows: the newest, older or newer than a cursor, or around
one record; and the answer every records list gives (`records`, `next`, `newer`).

`/api/records` and the logs page (`/?around=<id>`) read the same arguments and answer the same
shape, so the page's JSON twin and the API agree.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from werkzeug.exceptions import NotFound

from ..store.paging import Position
from ..web.args import INT64_MAX, MAX_LIMIT, BadArgument
from .cursor import encode_or_none, read_cursor
from .filter import RecordFilter
from .queries import get_record
from .timeline import first_place, newer_page, older_page, place_of_id

DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Window:
    """At most one of `before` and `after` (a cursor: a place, or a plain record id) and `around` (an id)."""
    before: Position | int | None = None
    after: Position | int | None = None
    around: int | None = None
    limit: int = DEFAULT_LIMIT


def _whole(args: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not raw.isdigit() or len(raw) > 19 or not low <= int(raw) <= high:
        raise BadArgument(name, f"{raw[:30]!r} is not a whole number in range ({low}..{high})")
    return int(raw)


def read_window(args: Mapping[str, str], default_limit: int = DEFAULT_LIMIT) -> Window:
    """`before`, `after`, `around` and `limit` from URL arguments; BadArgument naming the wrong one."""
    given = [name for name in ("before", "after", "around") if args.get(name, "").strip()]
    if len(given) > 1:
        raise BadArgument(given[1], f"give only one of before, after and around (got {', '.join(given)})")
    limit = _whole(args, "limit", default_limit, 1, MAX_LIMIT)
    cursors = {name: read_cursor(name, args[name]) for name in ("before", "after") if name in given}
    around = _whole(args, "around", None, 1, INT64_MAX)
    return Window(**cursors, around=around, limit=limit)  # type: ignore[arg-type]


def _place(conn: Connection, cursor: Position | int) -> Position | None:
    return place_of_id(conn, cursor) if isinstance(cursor, int) else cursor


def records_page(conn: Connection, flt: RecordFilter, window: Window) -> dict[str, Any]:
    """`{"records": [...newest first], "next": older cursor or null, "newer": newer cursor or null}`,
    plus `"around": id` when the window is around a record (which 404s when there is none)."""
    newer: Position | None = None
    if window.around is not None:
        found = get_record(conn, window.around)
        if found is None:
            raise NotFound(description=f"There is no record {window.around} (it may have been pruned).")
        place = Position.of(found)
        above = window.limit // 2
        shown, newer = newer_page(conn, flt, place, above) if above else ([], place)
        below, cursor = older_page(conn, flt, place, window.limit - above, inclusive=True)
        shown += below
        if not above:
            newer = first_place(shown, place)
        return {"records": shown, "next": encode_or_none(cursor), "newer": encode_or_none(newer),
                "around": window.around}
    if window.after is not None:
        place = _place(conn, window.after)
        shown, newer = newer_page(conn, flt, place, window.limit)
        older = Position.of(shown[-1]) if shown else place
        return {"records": shown, "next": encode_or_none(older), "newer": encode_or_none(newer)}
    if window.before is not None:
        place = _place(conn, window.before)
        if place is None:  # an id lower than every stored one: nothing is older
            return {"records": [], "next": None, "newer": None}
        shown, cursor = older_page(conn, flt, place, window.limit)
        return {"records": shown, "next": encode_or_none(cursor), "newer": encode_or_none(first_place(shown, place))}
    shown, cursor = older_page(conn, flt, None, window.limit)
    return {"records": shown, "next": encode_or_none(cursor), "newer": None}
