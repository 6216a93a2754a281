"""Text search in the store: case folded exactly as the database does (so SQL and the live
predicate agree), and the SQLite full-text index kept in step with the records."""
from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Executable, bindparam, column, select, table

from .schema import FTS_COLUMNS, FTS_TABLE, records

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(value: str) -> str:
    """Lower-case ASCII letters only: exactly what SQLite's lower() and LIKE do."""
    return value.translate(_ASCII_LOWER)


def _index(where: ColumnElement[bool]) -> Executable:
    fts = table(FTS_TABLE, column("rowid"), *(column(c) for c in FTS_COLUMNS))
    rows = select(records.c.id, *(records.c[c] for c in FTS_COLUMNS)).where(where)
    return fts.insert().from_select(["rowid", *FTS_COLUMNS], rows)


_INDEX_RANGE = _index(records.c.id.between(bindparam("lo"), bindparam("hi")))  # built once: the writer's


def index(conn: Connection, where: ColumnElement[bool]) -> None:
    """Add the records matching `where` to the SQLite full-text index, in one set-based statement
    (about 4x cheaper than a trigger row by row); call it in the transaction that inserted them."""
    if conn.dialect.name == "sqlite":
        conn.execute(_index(where))


def index_range(conn: Connection, lo: int, hi: int) -> None:
    """`index` for the records with lo <= id <= hi (a batch the writer just inserted)."""
    if conn.dialect.name == "sqlite":
        conn.execute(_INDEX_RANGE, {"lo": lo, "hi": hi})
