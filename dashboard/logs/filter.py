"""RecordFilter: the single definition of "which records".

Built from URL arguments, it compiles to a SQL clause (lists, API, export,
histogram) and to a Python predicate (live tail). Both must agree: the tests
check that with generated records and filters.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, column, func, literal_column, or_, select, table, true

from ..ingest.levels import level_number
from ..store.schema import FTS_COLUMNS, FTS_TABLE, records
from ..store.search import ascii_lower
from ..web.args import BadArgument, parse_time


def _terms(q: str) -> list[str]:
    """The words of `q`; NUL separates words too (SQLite's LIKE and full-text query end text at a NUL)."""
    return q.replace("\0", " ").split()


def _searchable(text: str) -> str:
    """The part of a stored text that SQLite's LIKE and full-text index see: up to the first NUL."""
    return text.partition("\0")[0]


@dataclass(frozen=True)
class RecordFilter:
    """Which records: minimum level, logger prefix, text terms, app, time range [since, until)."""
    level: int | None = None
    logger: str | None = None
    q: str | None = None
    app: str | None = None
    since: float | None = None
    until: float | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RecordFilter:
        """Read the filter from URL arguments; blank means no filter; raise BadArgument."""
        def arg(name: str) -> str | None:
            value = args.get(name)
            return value if value not in (None, "") else None

        level = arg("level")
        if level is not None:
            try:
                level_no: int | None = level_number(level)
            except ValueError:
                raise BadArgument("level", f"{level!r} is not a level name or number") from None
        else:
            level_no = None
        since, until = arg("since"), arg("until")
        q = arg("q")
        return cls(
            level=level_no,
            logger=arg("logger"),
            q=q if q and _terms(q) else None,
            app=arg("app"),
            since=parse_time("since", since) if since else None,
            until=parse_time("until", until) if until else None,
        )

    def to_args(self) -> dict[str, str]:
        """The URL arguments that rebuild this filter."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    def without(self, *names: str) -> RecordFilter:
        """The same filter with some conditions dropped (e.g. the logger tree ignores `logger`)."""
        return RecordFilter(**{f.name: None if f.name in names else getattr(self, f.name) for f in fields(self)})

    def clause(self, dialect: str = "sqlite", target: Table = records,
               text_index: bool = True) -> ColumnElement[bool]:
        """The SQL condition on the records table (or on a rollup table, for the conditions it keys).

        `text_index=False` leaves the full-text index out (LIKE alone decides, row by row): quicker
        than collecting every hit of a common word when only the newest few are wanted."""
        c = target.c
        parts: list[ColumnElement[bool]] = []
        if self.level is not None:
            parts.append(c.levelno >= self.level)
        if self.logger is not None:
            prefix = self.logger + "."
            if dialect == "sqlite":  # 'a.' <= name < 'a/' is "starts with a." in byte order, and uses the index
                below = or_(c.name == self.logger, and_(c.name >= prefix, c.name < self.logger + "/"))
            else:
                below = or_(c.name == self.logger, func.substr(c.name, 1, len(prefix)) == prefix)
            parts.append(below)
        if self.app is not None:
            parts.append(c.app == self.app)
        if self.since is not None:
            parts.append(c.created >= self.since)
        if self.until is not None:
            parts.append(c.created < self.until)
        for term in _terms(self.q or ""):
            parts.append(or_(*(c[col].icontains(term, autoescape=True) for col in FTS_COLUMNS)))
            if text_index and dialect == "sqlite" and len(term) >= 3:  # the trigram index narrows; LIKE decides
                phrase = '"' + term.replace('"', '""') + '"'
                fts = table(FTS_TABLE, column("rowid"))
                parts.append(c.id.in_(select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(phrase))))
        return and_(true(), *parts)

    def matches(self, record: Mapping[str, Any]) -> bool:
        """The same condition on a record dict (the live tail's predicate)."""
        if self.level is not None and record["levelno"] < self.level:
            return False
        if self.logger is not None:
            name = record["name"]
            if name != self.logger and not name.startswith(self.logger + "."):
                return False
        if self.app is not None and record.get("app") != self.app:
            return False
        if self.since is not None and record["created"] < self.since:
            return False
        if self.until is not None and record["created"] >= self.until:
            return False
        if self.q:
            texts = [ascii_lower(_searchable(record.get(col) or "")) for col in FTS_COLUMNS]
            for term in _terms(self.q):
                needle = ascii_lower(term)
                if not any(needle in t for t in texts):
                    return False
        return True
