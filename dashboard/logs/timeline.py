"""Matching records in time order (`created`, then id), a page at a time from a place, either way.

Every list reads along the index on `created` (on SQLite it holds the rowid, so the order
(created, id) is its order and no sort is needed). A filter that matches often (a common
logger or word, a level) fills a page from the next few thousand rows along that index at
once, while another index would first collect every match and sort them; a rare one is what
the other indexes (the full-text one too) are for. So on SQLite the rows next to the start
are read first, along the time index and checked one by one, in a window of a few thousand,
unless a logger, app or level condition alone is rare (counted through its index, up to a
bound): then that index finds the candidates and their few matches are sorted. When the first
window does not fill the page, a second, larger one follows if the first one's rate of matches
promises a page; else text the full-text index finds rare goes the way of a rare logger. An app
that logged nothing in the rows read (another app's burst came after it) is looked up in the
per-minute counts by app the writer keeps: the windows start again at the nearest minute that
holds its records, past every row that cannot match (or the list ends there when no minute
does), with or without a search beside it (text rare enough for the full-text index went that
way already). What is left after that goes to the other indexes.

(SQLAlchemy renders no table hints for SQLite, so `INDEXED BY` is not at hand: inside a window
the filter is wrapped in a function, which no index can serve, and the time index is the one left.)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, func, select

from ..store.paging import Position, beyond, time_order
from ..store.rollup import MINUTE
from ..store.schema import FTS_TABLE, records
from .filter import RecordFilter
from .serialize import records_json

FEW = 2_000  # one indexed condition matching no more: its index finds them all and sorting them is quick
WINDOWS = (2_000, 18_000)  # rows read along the time index, one window after the other
_C = records.c
SHOWN = [c for c in records.c if c.name != "search_text"]  # a list shows the record, not its folded copy


def _row_by_row(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The same condition, out of reach of every index (a function of it): checked on each row read."""
    return func.coalesce(condition, false())


def place_of_id(conn: Connection, record_id: int) -> Position | None:
    """Where a plain-id cursor points: that record's place, or, once it is gone (pruned), the place
    it had just after the nearest older id that remains; None when no record has an id that low."""
    created = conn.execute(select(_C.created).where(_C.id <= record_id)
                           .order_by(_C.id.desc()).limit(1)).scalar()
    return None if created is None else Position(created, record_id)


def _stmt(where: Any, start: Position | None, older: bool, inclusive: bool, by_sort: bool = False) -> Select:
    """The matching rows past `start` in time order; `by_sort`: their order from a sort of the few found
    through another index (neither the place nor the order may then lead SQLite to the time index)."""
    stmt = select(*SHOWN).where(where)
    if start is not None:
        past = beyond(_C.created, _C.id, start, older, inclusive)
        stmt = stmt.where(_row_by_row(past) if by_sort else past)
    created, ident = (_C.created + 0, _C.id + 0) if by_sort else (_C.created, _C.id)  # + 0: no index order
    return stmt.order_by(*time_order(created, ident, older))


def _edge(conn: Connection, flt: RecordFilter, start: Position | None, older: bool, inclusive: bool,
          size: int) -> Position | None:
    """The place of the size-th row from `start` within the filter's time range (any other condition
    aside), or None when fewer rows remain: the far end of a window, from the time index alone."""
    bounds = RecordFilter(since=flt.since, until=flt.until).clause(conn.dialect.name)
    stmt = _stmt(bounds, start, older, inclusive).with_only_columns(_C.created, _C.id)
    row = conn.execute(stmt.offset(size - 1).limit(1)).first()
    return None if row is None else Position(row.created, row.id)


def _rare_condition(conn: Connection, flt: RecordFilter, names: tuple[str, ...]) -> ColumnElement[bool] | None:
    """One of these conditions of the filter (logger, app, level, or text the full-text index narrows) that
    alone matches at most FEW records, or None: counted through its own index, up to FEW + 1 (a bound)."""
    dialect = conn.dialect.name
    for name in names:
        if getattr(flt, name) is not None:
            alone = RecordFilter(**{name: getattr(flt, name)}).clause(dialect)
            if name == "q" and FTS_TABLE not in str(alone):  # short words: no index would bound the count
                continue
            counted = select(func.count()).select_from(select(_C.id).where(alone).limit(FEW + 1).subquery())
            if conn.execute(counted).scalar_one() <= FEW:
                return alone
    return None


def _rows(conn: Connection, stmt: Select, limit: int) -> tuple[list[dict[str, Any]], bool]:
    result = conn.execute(stmt.limit(limit + 1))
    rows = result.all()
    return records_json(result.keys(), rows[:limit]), len(rows) > limit


def _window(conn: Connection, flt: RecordFilter, checked: ColumnElement[bool], start: Position | None, older: bool,
            inclusive: bool, size: int, limit: int) -> tuple[list[dict[str, Any]], bool, Position | None]:
    """Matches among the next `size` rows along the time index: (found, more, the window's far end or
    None when it held every row left). `checked`: the whole filter, row by row.

    The window's two ends are the only bounds on `created` the time index may use: SQLite takes one
    lower and one upper bound for its range, and given the time range's far end too it may take
    that one and read every row of the range (a day: 140,000) when the window holds under a page."""
    edge = _edge(conn, flt, start, older, inclusive, size)
    if edge is None:  # the window reaches the range's far end
        bounds = RecordFilter(since=flt.since, until=flt.until).clause(conn.dialect.name)
        return *_rows(conn, _stmt(and_(bounds, checked), start, older, inclusive), limit), None
    near = RecordFilter(until=flt.until) if older else RecordFilter(since=flt.since)  # where the range begins
    where = checked if start is not None else and_(near.clause(conn.dialect.name), checked)
    window = _stmt(where, start, older, inclusive).where(beyond(_C.created, _C.id, edge, not older, inclusive=True))
    return *_rows(conn, window, limit), edge


_NONE_LEFT = Position(-1.0, -1)  # no minute past the place holds a record of the app


def _where_app_logged(conn: Connection, app: str, place: Position, older: bool) -> Position | None:
    """Past `place`, where the nearest minute holding records of `app` begins (its end, going older), from the
    per-minute counts by app: when that minute lies past the one `place` is in (the rows between hold none of
    the app's records); None when the app has records in `place`'s own minute; _NONE_LEFT when in none past it."""
    t, seconds = MINUTE.table, MINUTE.unit
    here = int(place.created // seconds)
    nearest = func.max(t.c.unit) if older else func.min(t.c.unit)
    beyond_here = t.c.unit <= here if older else t.c.unit >= here
    unit = conn.execute(select(nearest).where(t.c.app == app, t.c.n > 0, beyond_here)).scalar()
    if unit is None:
        return _NONE_LEFT
    if unit == here:
        return None
    return Position(float((unit + 1) * seconds), 0) if older else Position(float(unit * seconds), 0)


def walk(conn: Connection, flt: RecordFilter, start: Position | None, *, older: bool, limit: int,
         inclusive: bool = False, jump: bool = True) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` matching records past `start` (from the newest, or the oldest, when None),
    nearest first, and whether more match beyond them. `jump`: an app absent from the windows read may
    send them on to the nearest minute holding its records (once)."""
    dialect = conn.dialect.name
    where = flt.clause(dialect, conn=conn)
    if dialect != "sqlite" or flt.without("since", "until") == RecordFilter():
        return _rows(conn, _stmt(where, start, older, inclusive), limit)  # the time index, or the planner's pick
    if flt.trace_id is not None or flt.span_id is not None:  # a trace is a few rows: its index, then a sort
        return _rows(conn, _stmt(where, start, older, inclusive, by_sort=True), limit)
    checked = _row_by_row(flt.clause(dialect, text_index=False))  # time bounds included: _window adds its own
    found: list[dict[str, Any]] = []
    read = 0
    for size in WINDOWS:
        # A rare condition's index: a logger, app or level at once (counting on their index is cheap);
        # text only when the windows so far find matches too seldom to fill the page in the next one
        # (counting a common word is not cheap).
        seldom = read > 0 and len(found) * (read + size) < limit * read
        if seldom and not found and jump and flt.app is not None:
            break  # none of the app's records in the rows read: where it logged is cheaper to find than text
        rare = _rare_condition(conn, flt, ("q",) if seldom else () if read else ("logger", "app", "level"))
        if rare is not None:
            page, more = _rows(conn, _stmt(and_(rare, _row_by_row(where)), start, older, inclusive, by_sort=True),
                               limit - len(found))
            return found + page, more
        if seldom:
            break

        page, more, edge = _window(conn, flt, checked, start, older, inclusive, size, limit - len(found))
        found += page
        if more or edge is None:  # a full page and more, or the window held every row left
            return found, more
        start, inclusive, read = edge, False, read + size  # what comes next goes on from the window's end
    if jump and flt.app is not None and not found and start is not None:
        place = _where_app_logged(conn, flt.app, start, older)
        if place is _NONE_LEFT:
            return found, False
        if place is not None:
            return walk(conn, flt, place, older=older, limit=limit, jump=False)
    page, more = _rows(conn, _stmt(where, start, older, inclusive), limit - len(found))
    return found + page, more


def older_page(conn: Connection, flt: RecordFilter, before: Position | None, limit: int,
               inclusive: bool = False) -> tuple[list[dict[str, Any]], Position | None]:
    """Matching records older than `before` (all, from the newest, when None), newest first, and the
    cursor of the next older page or None."""
    page, more = walk(conn, flt, before, older=True, limit=limit, inclusive=inclusive)
    return page, (Position.of(page[-1]) if more else None)


def newer_page(conn: Connection, flt: RecordFilter, after: Position | None, limit: int
               ) -> tuple[list[dict[str, Any]], Position | None]:
    """The `limit` matching records just newer than `after`, newest first (as every list), and the
    cursor of the next newer page or None when these reach the newest."""
    page, more = walk(conn, flt, after, older=False, limit=limit)
    page.reverse()
    return page, (Position.of(page[0]) if more else None)


def first_place(records_shown: list[Mapping[str, Any]], fallback: Position | None) -> Position | None:
    """The place just newer than a page (its first record's), for the `newer` cursor."""
    return Position.of(records_shown[0]) if records_shown else fallback
