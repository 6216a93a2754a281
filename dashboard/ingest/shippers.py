"""Restate the JSON shapes of common log shippers in LogRecord field names, before parsing.

`parse_record` reads the stdlib names (name, levelno, created, message, exc_text, ...). loguru,
structlog and python-json-logger send the same facts nested or under other names; `normalise`
moves them where the parser looks and passes every other mapping through unchanged. The README's
field table lists each mapping. Pure, and nothing is evaluated: loguru's reprs such as
`(name='ERROR', no=40, icon='❌')` are read with linear regexes and the bounded `safe_literal`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .safe_format import safe_literal
from .tracebacks import render_stacks

__all__ = ["exception_text", "exception_value", "normalise"]

# key=value inside a loguru repr: a quoted str, an int, or None (a key starts a word: no quadratic rescans)
MAX_REPR = 10_000
_REPR_FIELD = re.compile(r"(?<!\w)(\w+)=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|-?[0-9]{1,20}|None)", re.S)
_CLASS = re.compile(r"<class '([^']+)'>")
_LOGURU_EXC = re.compile(r"\(type=<class '([^']+)'>, value=(.*), traceback=(?:<traceback object at 0x[0-9a-fA-F]+>"
                         r"|None)\)", re.S)
_EXC_CALL = re.compile(r"[A-Za-z_][\w.]*\((.*)\)", re.S)
_TRACEBACK_HEAD = "Traceback (most recent call last):"
_STRUCTLOG_NAMES = (("logger", "name"), ("func_name", "funcName"), ("process_name", "processName"),
                    ("thread_name", "threadName"), ("stack", "stack_info"))
_ABSENT = (None, "", "None")
_STOCK_EXC_INFO = ("", "None", "(None, None, None)")  # exc_info=True outside an except block


def normalise(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """`fields` in stdlib names when a known shipper's shape is recognised, else `fields` itself."""
    record = fields.get("record")
    if isinstance(record, Mapping) and "text" in fields and "level" in record and "time" in record:
        return _loguru_serialized(fields, record)
    if "time" in fields and ("elapsed" in fields or "function" in fields) and _loguru_level(fields.get("level")):
        return _loguru_record(fields)
    if "event" in fields and "msg" not in fields and "message" not in fields:
        fields = _structlog(fields)
    return _traceback_in_exc_info(fields)


def exception_text(type_name: str, value: str) -> str:
    """The last line of a traceback, `Type: value` (or `Type` alone), as Python prints it."""
    return f"{type_name}: {value}" if value else type_name


def exception_value(value_repr: str) -> str:
    """An exception's value from its repr: the one string argument of `X('text')`, else the repr as it came."""
    call = _EXC_CALL.fullmatch(value_repr)
    if call is None:                    # a custom __repr__: show it as it came
        return value_repr
    parsed = safe_literal(call.group(1))
    return parsed if isinstance(parsed, str) else call.group(1)  # no args, several, or non-literal args


# --- loguru --------------------------------------------------------------------------------------

def _loguru_serialized(fields: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """`logger.add(sink, serialize=True)`: {"text": formatted line, "record": {...}}; the facts are in record."""
    out = {k: v for k, v in fields.items() if k not in ("text", "record")}
    out.update(_loguru_fields(record))
    exc = record.get("exception")
    if isinstance(exc, Mapping):
        summary = exception_text(str(exc.get("type") or "Exception"), str(exc.get("value") or ""))
        out["exc_text"] = _traceback_of(fields.get("text"), record.get("message"), exc.get("traceback")) or summary
    return out


def _loguru_record(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A sink posting `message.record` (json.dumps with default=str, or urlencoded): reprs for nested values."""
    out = _loguru_fields(fields)
    exc = fields.get("exception")
    type_name = value = None
    if isinstance(exc, (list, tuple)) and len(exc) == 3:   # RecordException is a namedtuple: a JSON array
        match = _CLASS.fullmatch(str(exc[0]))
        type_name, value = (match.group(1) if match else str(exc[0])), str(exc[1])
    elif isinstance(exc, Mapping):
        type_name, value = str(exc.get("type") or "Exception"), str(exc.get("value") or "")
    elif isinstance(exc, str) and (match := _LOGURU_EXC.fullmatch(exc.strip())):
        type_name, value = match.group(1), exception_value(match.group(2))
    if type_name is not None:
        out["exc_text"] = exception_text(type_name, value or "")
    return out


def _loguru_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The fields both loguru shapes share; keys not listed here stay as extras."""
    out = {k: v for k, v in record.items() if k not in (
        "level", "time", "message", "function", "line", "file", "process", "thread", "exception")}
    level = _loguru_level(record.get("level"))
    if level is not None:
        out["levelname"], out["levelno"] = level
    moment = record.get("time")
    if isinstance(moment, Mapping):
        moment = moment.get("timestamp", moment.get("repr"))
    out["created"] = moment
    out["message"] = record.get("message")
    out["funcName"], out["lineno"] = record.get("function"), record.get("line")
    file, process, thread = (_repr_fields(record.get(k)) for k in ("file", "process", "thread"))
    out["filename"], out["pathname"] = file.get("name"), file.get("path")
    out["process"], out["processName"] = process.get("id"), process.get("name")
    out["thread"], out["threadName"] = thread.get("id"), thread.get("name")
    return {k: v for k, v in out.items() if v is not None}


def _loguru_level(value: Any) -> tuple[str, int] | None:
    """(name, number) of a RecordLevel as a dict, a [name, no, icon] array or its `(name=…, no=…)` repr."""
    if isinstance(value, Mapping):
        name, number = value.get("name"), value.get("no")
    elif isinstance(value, (list, tuple)) and len(value) >= 2:
        name, number = value[0], value[1]
    elif isinstance(value, str) and value.startswith("(name="):
        parts = _repr_fields(value)
        name, number = parts.get("name"), parts.get("no")
    else:
        return None
    if not isinstance(name, str) or isinstance(number, bool) or not isinstance(number, int):
        return None
    return name, number


def _repr_fields(value: Any) -> dict[str, Any]:
    """The fields of a loguru record part: a dict as it came, or its `(id=1, name='x')` repr read literally."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str) or len(value) > MAX_REPR or not (value.startswith("(") and value.endswith(")")):
        return {}
    out: dict[str, Any] = {}
    for key, text in _REPR_FIELD.findall(value):
        out[key] = None if text == "None" else int(text) if text[0] not in "'\"" else safe_literal(text)
    return out


def _traceback_of(text: Any, message: Any, has_traceback: Any) -> str | None:
    """The traceback loguru wrote under the formatted line (after the message, so the message cannot fake it)."""
    if not isinstance(text, str) or not has_traceback:
        return None
    start = 0
    if isinstance(message, str) and message and (at := text.find(message)) >= 0:
        start = at + len(message)
    at = text.find(_TRACEBACK_HEAD, start)
    return text[at:].rstrip("\n") if at >= 0 else None


# --- structlog and any JSON client --------------------------------------------------------------

def _structlog(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """structlog's JSONRenderer: `logger` (add_logger_name) is the name, `exception` the traceback.

    `event`, `level` and `timestamp` are aliases the parser reads for any client.
    """
    out = dict(fields)
    for ours, stdlib in _STRUCTLOG_NAMES:
        if stdlib not in out and ours in out:
            out[stdlib] = out.pop(ours)
    exc = out.get("exception")
    if out.get("exc_text") in _ABSENT and exc not in _ABSENT:
        text = exc if isinstance(exc, str) else render_stacks(exc)  # format_exc_info, or dict_tracebacks
        if text:
            out["exc_text"] = text
            del out["exception"]
    return out


def _traceback_in_exc_info(fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """python-json-logger (and others) put the formatted traceback in `exc_info`: it is `exc_text`.

    Only the stock handler's tuple repr, `(<class '...'>, ...)` or `(None, None, None)`, stays `exc_info`.
    """
    exc_info = fields.get("exc_info")
    if not isinstance(exc_info, str) or exc_info.strip() in _STOCK_EXC_INFO or exc_info.lstrip().startswith("(<class "):
        return fields
    out = dict(fields)
    exc_text = out.get("exc_text")
    if exc_text in _ABSENT or (isinstance(exc_text, str) and exc_text.strip() == exc_info.strip()):
        out["exc_text"] = out.pop("exc_info")
    return out
