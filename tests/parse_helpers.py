"""What every parse test shares: the fixed receive time, the keys of a parsed record, a timing guard."""
from __future__ import annotations

import time
from typing import Any

from dashboard.ingest.parse import parse_record

RECEIVED = 1_800_000_000.25
KEYS = {"created", "app", "source", "name", "levelno", "levelname", "message", "msg", "args",
        "pathname", "filename", "module", "funcName", "processName", "threadName", "taskName",
        "lineno", "process", "thread", "exc_info", "exc_text", "stack_info", "extra", "exc_type", "exc_value",
        "format_error", "extra_text", "trace_id", "span_id"}
ZERO_DIV = ("ZeroDivisionError", "division by zero")


def fast(fields: dict[str, Any]) -> dict[str, Any]:
    """parse_record(fields), which must take well under a second and give every key."""
    start = time.perf_counter()
    r = parse_record(fields, received=RECEIVED)
    assert time.perf_counter() - start < 1.0
    assert set(r) == KEYS
    return r
