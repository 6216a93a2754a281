"""RequestFilter: the single definition of "which captured requests".

Built from URL arguments, it compiles to a SQL clause (/inspector, /api/requests)
and to a Python predicate on the same stored row (/ws/requests); both must agree.

- `method`: one method or a comma list (`GET,POST`), any case.
- `path`: a value starting with "/" is a prefix (`/inspect/` matches every bin
  request); any other value is a substring (`hook` matches `/inspect/webhook`).
  Case-sensitive, as paths are.
- `status`: an exact code (`401`), a class (`2xx`, `4xx`, `5xx`), or `failed` (>= 400).
- `q`: whitespace-separated terms; each must occur, ASCII case-insensitively, in the
  path, raw query, headers, reason or body bytes.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, true

from ..store.schema import requests
from ..store.search import ascii_lower
from ..web.args import BadArgument

_STATUS = re.compile(r"^(?:[1-5]\d\d|[1-5]xx|failed)$")
_METHOD = re.compile(r"^[A-Z][A-Z0-9_-]{0,19}$")
TEXT_COLUMNS = ("path", "query", "headers", "reason")


def _status_range(status: str) -> tuple[int, int]:
    """The [low, high] status codes a `status` argument means."""
    if status == "failed":
        return 400, 599
    if status.endswith("xx"):
        low = int(status[0]) * 100
        return low, low + 99
    return int(status), int(status)


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()


def _hex_pattern(needle: str) -> str:
    """A PostgreSQL regex finding `needle`'s UTF-8 bytes, ASCII letters in either case, in a body's hex
    (whole bytes only: an even number of hex digits before it)."""
    out = []
    for b in needle.encode():
        out.append(f"(?:{b:02x}|{b - 32:02x})" if 0x61 <= b <= 0x7A else f"{b:02x}")
    return "^(?:..)*?" + "".join(out)


@dataclass(frozen=True)
class RequestFilter:
    """Which requests: methods, path prefix or substring, status code or class, text terms."""
    methods: tuple[str, ...] = ()
    path: str | None = None
    status: str | None = None
    q: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RequestFilter:
        """Read the filter from URL arguments; blank means no filter; raise BadArgument."""
        methods = tuple(m.strip().upper() for m in (args.get("method") or "").split(",") if m.strip())
        for method in methods:
            if not _METHOD.match(method):
                raise BadArgument("method", f"{method!r} is not an HTTP method")
        status = (args.get("status") or "").strip().lower() or None
        if status is not None and not _STATUS.match(status):
            raise BadArgument("status", f"{status!r} is not a code, 2xx/4xx/5xx or 'failed'")
        q = args.get("q") or ""
        return cls(methods=methods, path=args.get("path") or None, status=status, q=q if q.strip() else None)

    def to_args(self) -> dict[str, str]:
        """The URL arguments that rebuild this filter."""
        args = {"method": ",".join(self.methods), "path": self.path, "status": self.status, "q": self.q}
        return {key: value for key, value in args.items() if value}

    def clause(self, dialect: str = "sqlite") -> ColumnElement[bool]:
        """The SQL condition on the requests table."""
        c = requests.c
        postgres = dialect == "postgresql"
        find = func.strpos if postgres else func.instr  # (haystack, needle) -> 1-based or 0
        parts: list[ColumnElement[bool]] = []
        if self.methods:
            parts.append(c.method.in_(self.methods))
        if self.path is not None:
            if postgres and "\0" in self.path:  # PostgreSQL stores no NUL in text (store.nul)
                parts.append(false())
            elif self.path.startswith("/"):
                parts.append(func.substr(c.path, 1, len(self.path)) == self.path)
            else:
                parts.append(find(c.path, self.path) > 0)
        if self.status is not None:
            low, high = _status_range(self.status)
            parts.append(c.status.between(low, high))
        for term in (self.q or "").split():
            needle = ascii_lower(term)
            if postgres:  # its lower() folds all of Unicode, the predicate ASCII only; text holds no NUL
                texts = [false()] if "\0" in needle else [
                    find(func.translate(c[col], _UPPER, _LOWER), needle) > 0 for col in TEXT_COLUMNS]
                body = func.encode(c.body, "hex").op("~")(_hex_pattern(needle))  # bytea has no lower()
            else:  # SQLite: lower() folds ASCII only, of a BLOB too; instr() compares bytes
                texts = [find(func.lower(c[col]), needle) > 0 for col in TEXT_COLUMNS]
                body = func.instr(func.lower(c.body), needle) > 0
            parts.append(or_(*texts, body))
        return and_(true(), *parts)

    def matches(self, row: Mapping[str, Any]) -> bool:
        """The same condition on a stored row (the live feed's predicate)."""
        if self.methods and row["method"] not in self.methods:
            return False
        if self.path is not None:
            path = row["path"]
            if not (path.startswith(self.path) if self.path.startswith("/") else self.path in path):
                return False
        if self.status is not None:
            low, high = _status_range(self.status)
            if not low <= row["status"] <= high:
                return False
        texts = [ascii_lower(row[col] or "") for col in TEXT_COLUMNS]
        body = bytes(row["body"] or b"").lower()
        for term in (self.q or "").split():
            needle = ascii_lower(term)
            if not any(needle in t for t in texts) and needle.encode("utf-8") not in body:
                return False
        return True
