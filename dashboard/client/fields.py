"""A LogRecord as the JSON fields /ingest reads, taken on the logging thread.

Taken at emit time because a record's args and extras may change once the call returns. The
formatted `message` and the traceback text are sent, so the dashboard shows exactly what the app
would print and never formats `msg % args` again; `args` goes as its repr, for display. Extras go
packed under `extra` (a name such as `time` or `level` cannot be mistaken for a record field) and
are made JSON-safe within bounds: a value too deep, too large or not JSON becomes its repr, cut.
"""
from __future__ import annotations

import logging
import math
import reprlib
from typing import Any

__all__ = ["json_safe", "record_fields"]

MAX_DEPTH = 6            # containers inside containers
MAX_ITEMS = 200          # items of one list or dict
MAX_NODES = 2000         # values walked for one extra
MAX_TEXT = 64 * 1024     # characters of one string kept
MAX_REPR = 2000          # characters of a repr kept
_INT64 = 2**63
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_PLAIN = ("name", "levelname", "levelno", "created", "pathname", "filename", "module", "lineno", "funcName",
          "process", "processName", "thread", "threadName", "taskName", "stack_info")
_DEFAULT_FORMATTER = logging.Formatter()
_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlevel = MAX_REPR, MAX_REPR, MAX_DEPTH
_repr.maxtuple = _repr.maxlist = _repr.maxdict = _repr.maxset = _repr.maxfrozenset = _repr.maxdeque = 100


def record_fields(record: logging.LogRecord, formatter: logging.Formatter | None = None) -> dict[str, Any]:
    """The record as /ingest fields: LogRecord names, `message` and `exc_text` formatted, extras JSON-safe."""
    fields: dict[str, Any] = {key: getattr(record, key, None) for key in _PLAIN}
    fields["msg"] = _text(record.msg)
    if record.args:
        fields["args"] = short_repr(record.args, MAX_TEXT)
    try:
        fields["message"] = record.getMessage()
    except Exception:  # "%d" with text: the dashboard formats msg % args safely and says why it failed
        pass
    exc_text = record.exc_text
    if not exc_text and record.exc_info and record.exc_info[0] is not None:
        try:
            exc_text = (formatter or _DEFAULT_FORMATTER).formatException(record.exc_info)
        except Exception:
            exc_text = _DEFAULT_FORMATTER.formatException(record.exc_info)
    if exc_text:
        fields["exc_text"] = exc_text
    extra = {key: json_safe(value) for key, value in vars(record).items() if key not in _STANDARD}
    if extra:
        fields["extra"] = extra
    return fields


def json_safe(value: Any) -> Any:
    """A JSON-safe copy of `value`, bounded in depth, size and work (see the module docstring)."""
    return _safe(value, 0, [MAX_NODES])


def short_repr(value: Any, limit: int = MAX_REPR) -> str:
    """repr() bounded in size (each string inside cut in its middle, at most 100 items a container), never failing."""
    try:
        return _cut(_repr.repr(value), limit)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"


def _safe(value: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if value is None or isinstance(value, (bool, str)):
        return _cut(value, MAX_TEXT) if isinstance(value, str) else value
    if isinstance(value, int):
        return value if -_INT64 <= value < _INT64 else short_repr(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple, dict)):
        if depth >= MAX_DEPTH or len(value) > MAX_ITEMS or budget[0] - len(value) < 0:
            return short_repr(value)
        if isinstance(value, dict):
            return {_key(k): _safe(v, depth + 1, budget) for k, v in value.items()}
        return [_safe(v, depth + 1, budget) for v in value]
    return short_repr(value)


def _key(key: Any) -> str:
    return _cut(key, MAX_REPR) if isinstance(key, str) else short_repr(key)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return short_repr(value)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…[truncated, {len(text):,} characters]"
