"""/regex/ on PostgreSQL: matched by the same engine as on SQLite and in the live tail, in Python.

PostgreSQL's own regexes are another dialect (POSIX classes, and `~*` folds case letter by
letter where Python folds STRASSE to straße), so the same pattern would pick other records there
than the tail does. Instead the records that meet the filter's other conditions are read newest
first through a server-side cursor and tested here with store.regexp, within the same time budget
as a SQLite statement; the regex then stands in SQL as `id = ANY(the ids that matched)`.
"""
from __future__ import annotations

import time

from sqlalchemy import BigInteger, ColumnElement, Connection, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from ..store import regexp
from ..store.schema import records
from ..store.search import searchable
from ..web.args import BadArgument

YIELD = 2000  # rows fetched per round trip


def matching_ids(conn: Connection, where: ColumnElement[bool], pattern: str) -> list[int]:
    """Ids of the records meeting `where` whose searchable text `pattern` finds (BadArgument naming q
    once the budget is spent, as on SQLite)."""
    rx = regexp.compiled(pattern)
    until = regexp.deadline()
    c = records.c
    stmt = select(c.id, c.message, c.exc_text, c.exc_info, c.args).where(where).order_by(c.id.desc())
    ids = []
    result = conn.execution_options(stream_results=True, yield_per=YIELD).execute(stmt)
    try:
        for row in result:
            left = until - time.monotonic()
            if left <= 0:
                raise BadArgument("q", regexp.too_slow(pattern))
            if regexp.hit(rx, searchable(row.message, row.exc_text, row.exc_info, row.args),
                          min(regexp.PER_RECORD, left)):
                ids.append(row.id)
    finally:
        result.close()
    return ids


def among(ids: list[int]) -> ColumnElement[bool]:
    """`id = ANY(:ids)`: one array parameter however many ids (a statement takes at most 65,535)."""
    return records.c.id == any_(bindparam("regex_ids", ids, type_=ARRAY(BigInteger), unique=True))
