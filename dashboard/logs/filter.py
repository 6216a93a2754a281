"""RecordFilter: the single definition of "which records".

Built from URL arguments, it compiles to a SQL clause (lists, API, export,
histogram) and to a Python predicate (live tail). Both must agree: the tests
check that with generated records and filters.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, not_, true

from ..ingest.levels import level_number
from ..ingest.trace_ids import span_id, trace_id
from ..store.schema import records
from ..store.search import search_text
from ..web.args import BadArgument, parse_time
from . import regex_scan
from .query import QueryError, parse
from .terms import Condition, Logger, Regex, Text, conditions, logger_clause


def _id_arg(name: str, value: str | None) -> str | None:
    """A trace_id/span_id argument as stored (lowercase hex), or BadArgument naming what an id looks like."""
    if value is None:
        return None
    read, digits = (trace_id, 32) if name == "trace_id" else (span_id, 16)
    found = read(value.strip())
    if found is None:
        raise BadArgument(name, f"{value[:80]!r} is not a {name.replace('_', ' ')} ({digits} hex digits, not all 0)")
    return found


@dataclass(frozen=True)
class RecordFilter:
    """Which records: minimum level, logger prefix, the search `q`, app, time range [since, until), trace, span."""
    level: int | None = None
    logger: str | None = None
    q: str | None = None
    app: str | None = None
    since: float | None = None
    until: float | None = None
    trace_id: str | None = None
    span_id: str | None = None

    @cached_property
    def terms(self) -> tuple[Condition, ...]:
        """The conditions of the search `q` (QueryError when it cannot be read)."""
        return conditions(parse(self.q)) if self.q else ()

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
        flt = cls(
            level=level_no,
            logger=arg("logger"),
            q=arg("q"),
            app=arg("app"),
            since=parse_time("since", since) if since else None,
            until=parse_time("until", until) if until else None,
            trace_id=_id_arg("trace_id", arg("trace_id")),
            span_id=_id_arg("span_id", arg("span_id")),
        )
        try:
            return flt if flt.terms or flt.q is None else replace(flt, q=None)  # a search of spaces is none
        except QueryError as e:  # read now: a search that cannot be read is a 400 naming q
            raise BadArgument("q", str(e)) from None

    def to_args(self) -> dict[str, str]:
        """The URL arguments that rebuild this filter."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    def without(self, *names: str) -> RecordFilter:
        """The same filter with some conditions dropped (e.g. the logger tree ignores `logger`)."""
        return RecordFilter(**{f.name: None if f.name in names else getattr(self, f.name) for f in fields(self)})

    def rollup_keys(self) -> set[str] | None:
        """The record columns a rollup must key to count these records (None: only the records can)."""
        if self.trace_id is not None or self.span_id is not None:
            return None
        keys = {col for name, col in (("app", "app"), ("logger", "name"), ("level", "levelno"))
                if getattr(self, name) is not None}
        for term in self.terms:
            if term.rollup_keys is None:
                return None
            keys.update(term.rollup_keys)
        return keys

    def without_logger_terms(self) -> RecordFilter:
        """The filter without its logger (argument and logger=/-logger= terms): what the logger tree counts."""
        kept = [t for t, cond in zip(parse(self.q or ""), self.terms, strict=True) if not isinstance(cond, Logger)]
        q = " ".join(self.q[t.span[0]:t.span[1]] for t in kept) if self.q else None
        return RecordFilter(**{f.name: getattr(self, f.name) for f in fields(self)} | {"logger": None, "q": q or None})

    def clause(self, dialect: str = "sqlite", target: Table = records, text_index: bool = True,
               conn: Connection | None = None) -> ColumnElement[bool]:
        """The SQL condition on the records table (or on a rollup table, for the conditions it keys).

        `text_index=False` leaves the full-text and extras indexes out (each row is tested on its
        own): quicker than collecting every hit of a common word when only the newest few are wanted.
        On PostgreSQL a /regex/ is matched in Python over the rows the other conditions select
        (logs.regex_scan), which needs `conn`."""
        c = target.c
        parts: list[ColumnElement[bool]] = []
        if self.level is not None:
            parts.append(c.levelno >= self.level)
        if self.logger is not None:
            parts.append(logger_clause(c.name, self.logger, dialect))
        if self.app is not None:
            parts.append(c.app == self.app)
        if self.since is not None:
            parts.append(c.created >= self.since)
        if self.until is not None:
            parts.append(c.created < self.until)
        if self.trace_id is not None:
            parts.append(c.trace_id == self.trace_id)
        if self.span_id is not None:
            parts.append(c.span_id == self.span_id)
        parts.extend(term.clause(c, dialect, text_index) for term in self.terms if not isinstance(term, Regex))
        # a regex last: SQLite tests AND-ed conditions in order, and a regex costs a call into Python per row
        for term in (t for t in self.terms if isinstance(t, Regex)):
            if dialect != "postgresql":
                parts.append(term.clause(c, dialect, text_index))
                continue
            if conn is None:
                raise ValueError("a /regex/ on PostgreSQL is matched over the rows: pass conn")
            found = regex_scan.among(regex_scan.matching_ids(conn, and_(true(), *parts), term.pattern))
            parts.append(not_(found) if term.exclude else found)
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
        if self.trace_id is not None and record.get("trace_id") != self.trace_id:
            return False
        if self.span_id is not None and record.get("span_id") != self.span_id:
            return False
        if self.terms:
            text = search_text(record) if any(isinstance(t, Text) for t in self.terms) else ""
            return all(term.matches(record, text) for term in self.terms)
        return True
