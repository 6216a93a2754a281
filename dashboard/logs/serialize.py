"""Database rows to the JSON shapes of DESIGN.md (records and captured requests)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import json_in
from ..web.format import iso_time

RECORD_FIELDS = (
    "id", "created", "time", "app", "name", "levelno", "levelname", "message", "msg", "args",
    "pathname", "filename", "module", "lineno", "funcName", "process", "processName", "thread",
    "threadName", "taskName", "exc_info", "exc_text", "stack_info", "extra", "source", "request_id",
    "exc_type", "exc_value", "format_error", "extra_text", "trace_id", "span_id",
)
_FIELDS = frozenset(RECORD_FIELDS)


def records_json(keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows of record columns (tuples in the order of `keys`, as a result fetches them) as the API, the pages
    and the live tail show records. Zipping each tuple with the names read once is several times quicker
    than a mapping per row: it is most of the cost of the newest page."""
    names = tuple(keys)
    unknown = [k for k in names if k not in _FIELDS]  # selected but not shown (a folded search copy)
    missing = {k: None for k in RECORD_FIELDS if k not in names}
    loads, shown = json_in.loads, []
    for values in rows:
        out = dict(zip(names, values, strict=True))
        for key in unknown:
            del out[key]
        out.update(missing)
        out["time"] = iso_time(out["created"])
        out["extra"] = loads(out["extra"] or "{}")
        text = out["extra_text"]
        out["extra_text"] = loads(text) if text else None  # restored extras' text
        shown.append(out)
    return shown


def record_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One record (a row as a mapping) as records_json shows it."""
    return records_json(row.keys(), [tuple(row.values())])[0]
