"""What search sees of a record, kept in step with the records.

A record's searchable text (message, exception text, exc_info, args) is case folded once, at
ingest, into the `search_text` column; the SQLite full-text index (trigram, case sensitive: the
text is folded already) covers that column, and each extra's value is kept as text in the
`record_extras` table. The live predicate folds with the same functions, so SQL and the tail agree.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, Executable, bindparam, column, select, table, update

from ..json_in import loads
from .nul import SHOWN
from .schema import FTS_TABLE, SEARCH_SOURCES, records

MAX_EXTRA = 512  # characters: longer extra keys and values are not indexed (`key=value` refuses longer values)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(value: str) -> str:
    """Lower-case ASCII letters only: exactly what SQLite's lower() and LIKE do (the inspector's search)."""
    return value.translate(_ASCII_LOWER)


def fold(text: str) -> str:
    """Unicode full case folding (CHLOÉ is chloé, STRASSE is straße): how search compares text."""
    return text.casefold()


def searchable(message: str | None, exc_text: str | None, exc_info: str | None, args: str | None) -> str:
    """The text words, phrases and regexes search: each source up to its first NUL (a NUL ends
    text for SQLite's full-text index), the non-empty ones joined by newlines, as written."""
    parts = [p.partition("\0")[0] if "\0" in p else p for p in (message, exc_text, exc_info, args) if p]
    return "\n".join(p for p in parts if p)


def search_text(row: Mapping[str, Any]) -> str:
    """The folded searchable text of a record (a row or its JSON): the `search_text` column."""
    return searchable(row.get("message"), row.get("exc_text"), row.get("exc_info"), row.get("args")).casefold()


MAX_TRIGRAMS = 16  # a longer needle asks for this many of its trigrams, spread over it: enough to narrow


def trigram_query(needle: str) -> str:
    """The full-text query for records whose folded text may hold `needle` (3 characters or more): all of
    its distinct trigrams, each quoted. The index keeps no positions (detail=none), so this narrows to
    candidates and the caller confirms each with the text itself."""
    grams = list(dict.fromkeys(needle[i:i + 3] for i in range(len(needle) - 2)))
    if len(grams) > MAX_TRIGRAMS:
        step = (len(grams) - 1) / (MAX_TRIGRAMS - 1)
        grams = [grams[round(i * step)] for i in range(MAX_TRIGRAMS)]
    return " AND ".join('"' + g.replace('"', '""') + '"' for g in grams)


def value_text(value: Any) -> str:
    """An extra's value as `key=value` compares it: text as is, anything else as JSON, a whole float
    as an integer (5.0 is "5", as a browser writes it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


def extra_pairs(extra: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (key, value text) pairs of an extras dict that the index holds (both up to MAX_EXTRA)."""
    out = []
    for key, value in extra.items():
        text = value_text(value)
        if len(key) <= MAX_EXTRA and len(text) <= MAX_EXTRA:
            out.append((key, text))
    return out


def _extras_rows(pairs: Iterable[tuple[int, str | None]]) -> list[tuple[int, str, str]]:
    """(id, key, value text) of each extra the index holds, from (id, extras as JSON text) pairs."""
    rows = []
    for record_id, text in pairs:
        if not text or text == "{}":
            continue
        try:
            extra = loads(text)
        except ValueError:
            continue
        if isinstance(extra, dict):
            rows.extend((record_id, k, v) for k, v in extra_pairs(extra))
    return rows


_ADD_EXTRAS = "INSERT INTO record_extras (record_id, key, value) VALUES (?, ?, ?)"


def _add(conn: Connection, rows: list[tuple[int, str, str]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "sqlite":  # straight to the driver: a batch has thousands of them
        conn.exec_driver_sql(_ADD_EXTRAS, rows)
    else:  # PostgreSQL: psycopg's executemany (prepared once, pipelined); no NUL in text (store.nul)
        cursor = conn.connection.driver_connection.cursor()
        cursor.executemany(_ADD_EXTRAS.replace("?", "%s"),
                           [(i, k.replace("\0", SHOWN), v.replace("\0", SHOWN)) for i, k, v in rows])


def extras_of(rows: list[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """(position in `rows`, key, value text) of the extras to index for a batch of rows: worked out by
    the writer before it takes the write lock, so only the insert waits for it (`index_range`)."""
    return _extras_rows(enumerate(r.get("extra") for r in rows))


def _fts_index(where: ColumnElement[bool]) -> Executable:
    fts = table(FTS_TABLE, column("rowid"), column("search_text"))
    return fts.insert().from_select(["rowid", "search_text"], select(records.c.id, records.c.search_text).where(where))


_INDEX_RANGE = _fts_index(records.c.id.between(bindparam("lo"), bindparam("hi")))  # built once: the writer's


def index(conn: Connection, where: ColumnElement[bool]) -> None:
    """Make the records matching `where` searchable, in the caller's transaction: fill a missing
    `search_text`, add them to the full-text index (one set-based statement, about 4x cheaper than a
    trigger row by row) and index their extras. For rows put in without the writer (tests, migrations)."""
    missing = conn.execute(select(records.c.id, *(records.c[c] for c in SEARCH_SOURCES))
                           .where(where, records.c.search_text.is_(None))).mappings().all()
    if missing:
        conn.execute(update(records).where(records.c.id == bindparam("rid")).values(search_text=bindparam("text")),
                     [{"rid": r["id"], "text": search_text(r)} for r in missing])
    if conn.dialect.name == "sqlite":
        conn.execute(_fts_index(where))
    _add(conn, _extras_rows(conn.execute(select(records.c.id, records.c.extra).where(where)).all()))


def index_range(conn: Connection, lo: int, hi: int, extras: list[tuple[int, str, str]]) -> None:
    """`index` for a batch the writer just inserted with ids lo..hi, whose `extras_of` are `extras`."""
    if conn.dialect.name == "sqlite":
        conn.execute(_INDEX_RANGE, {"lo": lo, "hi": hi})
    _add(conn, [(lo + i, k, v) for i, k, v in extras])
