"""`/regex/` search, bounded in cost, the same in SQL and in the live predicate.

One engine for both sides: the `regex` module (Python's syntax, full Unicode case folding), run
on a record's searchable text. SQLite calls it through `logdash_regexp`, a function registered on
every connection. Cost is bounded three ways: the pattern's length, a time limit per record (a
record that takes longer counts as no match, on both sides), and a time budget per SQL statement
(past it the statement fails, and the API answers 400 naming `q`).
"""
from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Any

import regex

from .search import searchable

MAX_PATTERN = 300     # characters
PER_RECORD = 0.02     # seconds one record may take; longer is no match
BUDGET = 2.0          # seconds of regex work one SQL statement may spend
SQL_FUNCTION = "logdash_regexp"
FLAGS = regex.IGNORECASE | regex.FULLCASE | regex.MULTILINE  # ^ and $ at each line (tracebacks)

_overrun = threading.local()  # the pattern whose budget ran out in this thread's last statement


class RegexError(ValueError):
    """A pattern that cannot be used: too long, or not a valid regex (the message says why)."""


class RegexBudgetSpent(Exception):
    """A statement spent its regex budget; raised inside SQLite, reported by `take_overrun`."""


@lru_cache(maxsize=64)
def compiled(pattern: str) -> regex.Pattern:
    """The compiled pattern, or RegexError saying what is wrong with it."""
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"a regex may have up to {MAX_PATTERN} characters, this one has {len(pattern)}")
    try:
        return regex.compile(pattern, FLAGS)
    except (regex.error, OverflowError, RecursionError) as e:
        raise RegexError(f"/{pattern}/ is not a valid regex: {e}") from None


def hit(pattern: regex.Pattern, text: str, timeout: float = PER_RECORD) -> bool:
    """Whether `pattern` occurs in `text`; a search that runs out of time is no match."""
    try:
        return pattern.search(text, timeout=timeout) is not None
    except TimeoutError:
        return False


def matches(pattern: str, record: Any) -> bool:
    """The predicate's side: the pattern on a record's (or its JSON's) searchable text."""
    return hit(compiled(pattern), searchable(record.get("message"), record.get("exc_text"),
                                             record.get("exc_info"), record.get("args")))


def too_slow(pattern: str) -> str:
    """What a search whose regex spent the budget is told (a 400 naming q)."""
    return (f"the regex /{pattern[:80]}/ took over {BUDGET:g} s; narrow the search with a word, a field or "
            "a time range")


def deadline() -> float:
    """The end of a new statement's budget (a bound parameter of the SQL that uses the function)."""
    return time.monotonic() + BUDGET


def _sql_regexp(pattern: str, until: float, message: Any, exc_text: Any, exc_info: Any, args: Any) -> int:
    limit = min(PER_RECORD, until - time.monotonic())
    if limit > 0:
        text = searchable(*(v if v is None else str(v) for v in (message, exc_text, exc_info, args)))
        try:
            return int(compiled(pattern).search(text, timeout=limit) is not None)
        except TimeoutError:
            if limit >= PER_RECORD:
                return 0  # this record took too long: no match, as in the predicate
    _overrun.pattern = pattern
    raise RegexBudgetSpent(pattern)


def register(dbapi_conn: Any) -> None:
    """Give a new SQLite connection the function (the engine's connect hook calls this)."""
    dbapi_conn.create_function(SQL_FUNCTION, 6, _sql_regexp)


def take_overrun() -> str | None:
    """The pattern whose budget ran out in this thread's last failed statement (once), else None."""
    pattern = getattr(_overrun, "pattern", None)
    _overrun.pattern = None
    return pattern
