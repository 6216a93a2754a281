"""Database rows to the JSON shapes of DESIGN.md (records and captured requests)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from .parse import exception_summary

RECORD_FIELDS = (
    "id", "created", "time", "app", "name", "levelno", "levelname", "message", "msg", "args",
    "pathname", "filename", "module", "lineno", "funcName", "process", "processName", "thread",
    "threadName", "taskName", "exc_info", "exc_text", "stack_info", "extra", "source", "request_id",
)


def iso_time(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-21T12:04:05.123Z."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def record_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One record as the API, the pages and the live tail show it."""
    out = {key: row[key] for key in RECORD_FIELDS if key in row and key not in ("extra", "time")}
    out["time"] = iso_time(row["created"])
    out["extra"] = json.loads(row["extra"] or "{}")
    exc_type, exc_value = exception_summary(row["exc_info"])
    out["exc_type"], out["exc_value"] = exc_type, exc_value
    return {key: out.get(key) for key in (*RECORD_FIELDS, "exc_type", "exc_value")}
