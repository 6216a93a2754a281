"""Database rows to the JSON shapes of DESIGN.md (records and captured requests)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..web.format import iso_time

RECORD_FIELDS = (
    "id", "created", "time", "app", "name", "levelno", "levelname", "message", "msg", "args",
    "pathname", "filename", "module", "lineno", "funcName", "process", "processName", "thread",
    "threadName", "taskName", "exc_info", "exc_text", "stack_info", "extra", "source", "request_id",
    "exc_type", "exc_value", "format_error", "extra_text", "trace_id", "span_id",
)


def record_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One record as the API, the pages and the live tail show it."""
    data = dict(row)  # one copy: a database row's lookups by key cost more than a dict's
    out = {key: data.get(key) for key in RECORD_FIELDS}
    out["time"] = iso_time(data["created"])
    out["extra"] = json.loads(data["extra"] or "{}")
    text = data.get("extra_text")
    out["extra_text"] = json.loads(text) if text else None  # restored extras' text
    return out
