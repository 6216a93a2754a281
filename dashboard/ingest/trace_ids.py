"""Trace and span ids: which values are real W3C/OpenTelemetry ids, and where clients put them.

OTLP carries them as fields of each log record; Python apps instrumented with
opentelemetry-instrumentation-logging carry them as the LogRecord attributes `otelTraceID` and
`otelSpanID` (so the stock handler and JSON clients send them as plain fields), and other JSON
clients say `trace_id` / `span_id`. Each becomes a filterable column; a value that is not an id
(the wrong length, not hex, or all zeros: "no trace") stays where it came, as an extra.
"""
from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

__all__ = ["SPAN_KEYS", "TRACE_KEYS", "span_id", "take_ids", "trace_id"]

TRACE_KEYS = ("trace_id", "otelTraceID")
SPAN_KEYS = ("span_id", "otelSpanID")
_TRACE = re.compile(r"[0-9a-fA-F]{32}")
_SPAN = re.compile(r"[0-9a-fA-F]{16}")


def _valid(value: Any, pattern: re.Pattern[str]) -> str | None:
    if not isinstance(value, str) or not pattern.fullmatch(value) or not value.strip("0"):
        return None
    return value.lower()


def trace_id(value: Any) -> str | None:
    """A trace id as stored (32 lowercase hex digits), or None when `value` is not one."""
    return _valid(value, _TRACE)


def span_id(value: Any) -> str | None:
    """A span id as stored (16 lowercase hex digits), or None when `value` is not one."""
    return _valid(value, _SPAN)


def _take(places: list[MutableMapping[str, Any]], keys: tuple[str, ...], read: Any) -> str | None:
    for place in places:
        for key in keys:
            found = read(place.get(key))
            if found is not None:
                del place[key]
                return found
    return None


def take_ids(fields: MutableMapping[str, Any], packed: Any = None) -> tuple[str | None, str | None]:
    """(trace id, span id) found in a record's fields, else in its packed `extra` object; the keys
    used are removed (they become columns), anything else is left as it was."""
    places = [fields] + ([packed] if isinstance(packed, MutableMapping) else [])
    return _take(places, TRACE_KEYS, trace_id), _take(places, SPAN_KEYS, span_id)
