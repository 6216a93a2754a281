"""Per-request and per-field limits on what ingest stores, each with a visible answer.

A field over its limit is cut, not refused: the record is still worth having. The cut text ends
with a marker saying how long it was, and the full lengths are kept in the record's extras under
TRUNCATED_KEY, so a search or an export shows that something is missing and how much.
"""
from __future__ import annotations

from typing import Any

MAX_RECORDS = 10_000       # records in one request; more -> 413
MAX_TEXT = 256 * 1024      # characters kept of a message, traceback, args or extra value
MAX_NAME = 8 * 1024        # characters kept of a logger name, path, function, level name or extra key
TRUNCATED_KEY = "logdash_truncated"  # extras: {field: full length in characters}

TEXT_FIELDS = ("message", "msg", "args", "exc_info", "exc_text", "stack_info", "exc_value", "format_error")
NAME_FIELDS = ("name", "levelname", "app", "source", "pathname", "filename", "module", "funcName",
               "processName", "threadName", "taskName", "exc_type")


def cut(text: str, limit: int) -> str:
    """`text` as kept: whole when it fits, else its first `limit` characters and a marker with its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[truncated, {len(text):,} characters]"


def truncate_fields(record: dict[str, Any]) -> dict[str, Any]:
    """Cut every over-long text of a parsed record in place (see the module docstring); return it."""
    sizes: dict[str, int] = {}
    for fields, limit in ((TEXT_FIELDS, MAX_TEXT), (NAME_FIELDS, MAX_NAME)):
        for key in fields:
            value = record.get(key)
            if isinstance(value, str) and len(value) > limit:
                record[key], sizes[key] = cut(value, limit), len(value)
    for group in ("extra", "extra_text"):
        values = record.get(group)
        if isinstance(values, dict) and any(_long(k, v) for k, v in values.items()):
            record[group] = {_cut_key(group, k, sizes): _cut_value(f"{group}.{k[:100]}", v, sizes)
                             for k, v in values.items()}
    if sizes:
        extra = record.get("extra")
        if isinstance(extra, dict):
            extra[TRUNCATED_KEY] = sizes
    return record


def _long(key: str, value: Any) -> bool:
    return len(key) > MAX_NAME or (isinstance(value, str) and len(value) > MAX_TEXT)


def _cut_key(group: str, key: str, sizes: dict[str, int]) -> str:
    if len(key) > MAX_NAME:
        sizes[f"{group} key {key[:100]}"] = len(key)
    return cut(key, MAX_NAME)


def _cut_value(where: str, value: Any, sizes: dict[str, int]) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        sizes[where] = len(value)
        return cut(value, MAX_TEXT)
    return value
