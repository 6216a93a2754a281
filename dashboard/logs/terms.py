"""What each search term means: one condition that compiles to SQL and tests a record the same way.

- text (a word or a phrase): a substring of the searchable text, Unicode case folded (`search_text`);
- /regex/: store.regexp on the searchable text (bounded, case-insensitive with full folding);
- logger=a.b (or name=): the logger a.b and the loggers below it, as the `logger` URL argument;
- level=warning (or levelname=, levelno=): exactly that level (a number, a known name, else the stored name);
- app=, funcName=, pathname=, filename=, module=, processName=, threadName=, taskName=, exc_type=,
  lineno=, process=, thread=, trace_id=, span_id=: the record field equals the value (field keys
  are read case-insensitively);
- any other key (or extra.KEY, for an extra named like a field): the extra's value, as text, equals
  the value (store.search.value_text), exactly.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
)

from ..ingest.levels import level_number
from ..ingest.trace_ids import span_id, trace_id
from ..store import regexp
from ..store.schema import FTS_TABLE, record_extras
from ..store.search import MAX_EXTRA, fold, trigram_query, value_text
from ..web.args import INT64_MAX
from .query import QueryError, Term

_TEXT_FIELDS = {k.lower(): k for k in ("app", "funcName", "pathname", "filename", "module", "processName",
                                       "threadName", "taskName", "exc_type")}
_INT_FIELDS = {"lineno", "process", "thread"}
_ID_FIELDS = {"trace_id": trace_id, "span_id": span_id}
_LEVEL_KEYS = {"level", "levelname", "levelno"}
_LOGGER_KEYS = {"logger", "name"}

SEARCH_FIELDS = sorted({*_LOGGER_KEYS, *_LEVEL_KEYS, *_TEXT_FIELDS, *_INT_FIELDS, *_ID_FIELDS})  # lower case


def search_key(extra_key: str) -> str:
    """The key that names an extra in a search: itself, or extra.KEY when a field has its name."""
    lower = extra_key.lower()
    return f"extra.{extra_key}" if lower in SEARCH_FIELDS or lower.startswith("extra.") else extra_key


def _negated(cond: ColumnElement[bool], exclude: bool) -> ColumnElement[bool]:
    return not_(cond) if exclude else cond


@dataclass(frozen=True)
class Text:
    """A word or phrase: `needle` (folded) is in the folded searchable text."""
    needle: str
    exclude: bool = False
    rollup_keys = None  # no rollup holds text

    def clause(self, c: Any, dialect: str, text_index: bool) -> ColumnElement[bool]:
        if dialect == "postgresql" and "\0" in self.needle:
            return true() if self.exclude else false()  # PostgreSQL stores no NUL (store.nul): no text holds one
        find = func.instr if dialect == "sqlite" else func.strpos
        found = func.coalesce(find(c.search_text, self.needle), 0) > 0
        if self.exclude:
            return not_(found)
        if text_index and len(self.needle) >= 3:  # the trigram index narrows first
            if dialect == "sqlite":
                fts = table(FTS_TABLE, column("rowid"))
                grams = trigram_query(self.needle)
                return and_(c.id.in_(select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(grams))), found)
            if dialect == "postgresql":  # LIKE reaches the pg_trgm index, which PostgreSQL rechecks: exact
                return c.search_text.like(f"%{like_escaped(self.needle)}%", escape="\\")
        return found

    def matches(self, record: Mapping[str, Any], text: str) -> bool:
        return (self.needle in text) != self.exclude


@dataclass(frozen=True)
class Regex:
    """/pattern/ on the searchable text (store.regexp: one engine for SQL and the tail)."""
    pattern: str
    exclude: bool = False
    rollup_keys = None

    def clause(self, c: Any, dialect: str, text_index: bool) -> ColumnElement[bool]:
        """SQLite's (PostgreSQL's is built by RecordFilter.clause, from the ids logs.regex_scan finds)."""
        hit = func.logdash_regexp(self.pattern, literal(regexp.deadline()), c.message, c.exc_text, c.exc_info,
                                  c.args) == 1
        return _negated(hit, self.exclude)

    def matches(self, record: Mapping[str, Any], text: str) -> bool:
        return regexp.matches(self.pattern, record) != self.exclude


@dataclass(frozen=True)
class Logger:
    """logger=a.b: the logger a.b and every logger below it."""
    prefix: str
    exclude: bool = False
    rollup_keys = ("name",)

    def clause(self, c: Any, dialect: str, text_index: bool) -> ColumnElement[bool]:
        return _negated(logger_clause(c.name, self.prefix, dialect), self.exclude)

    def matches(self, record: Mapping[str, Any], text: str) -> bool:
        name = record["name"]
        return (name == self.prefix or name.startswith(self.prefix + ".")) != self.exclude


def logger_clause(name: Any, prefix: str, dialect: str) -> ColumnElement[bool]:
    """`name` is `prefix` or below it (hierarchical: app matches app and app.db, not apple)."""
    below = prefix + "."
    if dialect == "sqlite":  # 'a.' <= name < 'a/' is "starts with a." in byte order, and uses the index
        return or_(name == prefix, and_(name >= below, name < prefix + "/"))
    if "\0" in prefix:
        return false()  # PostgreSQL stores no NUL (store.nul)
    # PostgreSQL: LIKE 'a.%' reaches the text_pattern_ops index (a range on name would need C collation)
    return or_(name == prefix, name.like(like_escaped(below) + "%", escape="\\"))


def like_escaped(text: str) -> str:
    """`text` for a LIKE pattern with backslash as the escape: its % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Field:
    """A record column equals a value (a missing value equals nothing)."""
    column: str
    value: Any
    exclude: bool = False

    @property
    def rollup_keys(self) -> tuple[str, ...] | None:
        """Rollups key app and the level (a missing app kept as "", so "" cannot be asked of them)."""
        keyed = self.column in ("levelno", "levelname") or (self.column == "app" and self.value != "")
        return (self.column,) if keyed else None

    def clause(self, c: Any, dialect: str, text_index: bool) -> ColumnElement[bool]:
        col = c[self.column]
        return col.is_distinct_from(self.value) if self.exclude else col == self.value

    def matches(self, record: Mapping[str, Any], text: str) -> bool:
        return (record.get(self.column) == self.value) != self.exclude


@dataclass(frozen=True)
class Extra:
    """An extra's value, as text, equals `value` (store.search.value_text; the record_extras table)."""
    key: str
    value: str
    exclude: bool = False
    rollup_keys = None

    def clause(self, c: Any, dialect: str, text_index: bool) -> ColumnElement[bool]:
        x = record_extras.c
        if text_index and not self.exclude:  # rare values: their ids from the (key, value) index at once
            return c.id.in_(select(x.record_id).where(x.key == self.key, x.value == self.value))
        # a few rows (the newest window) or an exclusion: one index probe per row
        found = exists().where(x.record_id == c.id, x.key == self.key, x.value == self.value)
        return _negated(found, self.exclude)

    def matches(self, record: Mapping[str, Any], text: str) -> bool:
        extra = record.get("extra") or {}
        found = self.key in extra and value_text(extra[self.key]) == self.value
        return found != self.exclude


Condition = Text | Regex | Logger | Field | Extra


def _int(key: str, value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise QueryError(f"{key}={value[:80]!r}: {key} is a whole number") from None
    if not -INT64_MAX <= number <= INT64_MAX:
        raise QueryError(f"{key}={value[:80]!r} is out of range")
    return number


def _field(term: Term) -> Condition:
    key, value, exclude = term.key or "", term.value, term.exclude
    lower = key.lower()
    if lower.startswith("extra.") and len(key) > 6:
        key, lower = key[6:], ""
    if lower in _LOGGER_KEYS:
        return Logger(value, exclude)
    if lower in _LEVEL_KEYS:
        try:
            return Field("levelno", level_number(value), exclude)
        except ValueError:  # a custom name no number is known for: the name as stored
            return Field("levelname", value, exclude)
    if lower in _TEXT_FIELDS:
        return Field(_TEXT_FIELDS[lower], value, exclude)
    if lower in _INT_FIELDS:
        return Field(lower, _int(key, value), exclude)
    if lower in _ID_FIELDS:
        found = _ID_FIELDS[lower](value.strip())
        if found is None:
            digits = 32 if lower == "trace_id" else 16
            raise QueryError(f"{key}={value[:80]!r} is not a {lower.replace('_', ' ')} ({digits} hex digits)")
        return Field(lower, found, exclude)
    if len(key) > MAX_EXTRA or len(value) > MAX_EXTRA:
        raise QueryError(f"extra {key[:40]!r}: keys and values over {MAX_EXTRA} characters are not indexed; "
                         "search a phrase of the value instead")
    return Extra(key, value, exclude)


def conditions(terms: tuple[Term, ...]) -> tuple[Condition, ...]:
    """The condition of each term; QueryError for a value a field cannot hold or a bad regex."""
    out: list[Condition] = []
    for term in terms:
        if term.kind == "text":
            out.append(Text(fold(term.value), term.exclude))
        elif term.kind == "regex":
            try:
                regexp.compiled(term.value)
            except regexp.RegexError as e:
                raise QueryError(str(e)) from None
            out.append(Regex(term.value, term.exclude))
        else:
            out.append(_field(term))
    return tuple(out)
