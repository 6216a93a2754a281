"""/regex/ on PostgreSQL: matched by the same engine as on SQLite and in the live tail, in Python.

PostgreSQL's own regexes are another dialect (POSIX classes, and `~*` folds case letter by
letter where Python folds STRASSE to straße), so the same pattern would pick other records there
than the tail does. Instead the records that meet the filter's other conditions are read newest
first through a server-side cursor and tested here with store.regexp, within the same time budget
as a SQLite statement; the regex then stands in SQL as `id = ANY(the ids that matched)`.
"""
from __future__ import annotations

import re
import time

from sqlalchemy import BigInteger, ColumnElement, Connection, and_, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from ..store import regexp
from ..store.schema import SEARCH_SOURCES, records
from ..web.args import BadArgument
from .terms import like_escaped

YIELD = 2000  # rows fetched per round trip


def matching_ids(conn: Connection, where: ColumnElement[bool], pattern: str) -> list[int]:
    """Ids of the records meeting `where` whose searchable text `pattern` finds (BadArgument naming q
    once the budget is spent, as on SQLite). Only rows holding the pattern's longest required literal
    are read, when it has one (the trigram index finds them); the text is joined by the server."""
    rx = regexp.compiled(pattern)
    until = regexp.deadline()
    c = records.c
    text = func.concat_ws("\n", *(func.nullif(c[name], "") for name in SEARCH_SOURCES))  # as store.search.searchable
    literal = required_literal(pattern)
    if literal is not None:  # the folded text holds the literal folded wherever the regex matches
        where = and_(where, c.search_text.like(f"%{like_escaped(literal.casefold())}%", escape="\\"))
    stmt = select(c.id, text).where(where).order_by(c.id.desc())
    ids = []
    result = conn.execution_options(stream_results=True, yield_per=YIELD).execute(stmt)
    try:
        for ident, found in result:
            left = until - time.monotonic()
            if left <= 0:
                raise BadArgument("q", regexp.too_slow(pattern))
            if regexp.hit(rx, found or "", min(regexp.PER_RECORD, left)):
                ids.append(ident)
    finally:
        result.close()
    return ids


def required_literal(pattern: str) -> str | None:
    """The longest run of ASCII characters (3 or more) every match of `pattern` contains, else None.

    Read with the stdlib's parser (the `regex` module's syntax is a superset): a pattern it cannot
    read, or one with a `{` it reads as a literal (the `regex` module's fuzzy matching, `{e<=1}`), has
    none, and so has one with a POSIX class (`[[:alpha:]]`: a class there, a set and a `]` here).
    ASCII only: a non-ASCII letter may match text that folds to something else (İ, ı)."""
    if "[:" in pattern:
        return None
    try:
        parsed = re._parser.parse(pattern, re.IGNORECASE | re.MULTILINE)  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    runs: list[str] = []

    def walk(items: object) -> None:
        run = ""
        for op, av in items:  # type: ignore[attr-defined]
            name = str(op)
            if name == "LITERAL" and av < 128 and chr(av) != "{":
                run += chr(av)
                continue
            if name == "LITERAL" and chr(av) == "{":
                raise ValueError("fuzzy")
            runs.append(run)
            run = ""
            if name == "SUBPATTERN":  # a group: what it must match is required too
                walk(av[-1])
        runs.append(run)

    try:
        walk(parsed)
    except ValueError:
        return None
    best = max(runs, key=len, default="")
    return best if len(best) >= 3 else None


def among(ids: list[int]) -> ColumnElement[bool]:
    """`id = ANY(:ids)`: one array parameter however many ids (a statement takes at most 65,535)."""
    return records.c.id == any_(bindparam("regex_ids", ids, type_=ARRAY(BigInteger), unique=True))
