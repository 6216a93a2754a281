"""How record values are shown in the records' pages, beyond the shared twins in web.format."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..ingest.levels import level_class
from ..web.format import printable


def extra_value(value: Any) -> str:
    """An extra's value as one readable string: text as is, anything else as JSON."""
    if isinstance(value, str):
        return printable(value)
    return printable(json.dumps(value, ensure_ascii=False))


def traceback_not_sent(record: Mapping[str, Any]) -> bool:
    """Whether to say how to send the traceback: only the stock handler's exc_info repr arrived.

    Any traceback text (exc_text, or what a JSON client sent as exc_info) is shown instead; an
    exc_info that is not the stock repr says nothing about the stock handler.
    """
    return not record.get("exc_text") and bool(record.get("exc_type"))


def logger_parts(name: str) -> tuple[str, str]:
    """A logger name split so its last part always shows (`worker.queue.`, `consumer`): the page elides the first
    part, the middle of the name, when the column is narrow. Twin of loggerParts in static/js/logs/format.js."""
    at = name.rfind(".")
    return (name[:at + 1], name[at + 1:]) if 0 < at < len(name) - 1 else ("", name)


HELPERS: dict[str, Any] = {"level_class": level_class, "extra_value": extra_value,
                           "traceback_not_sent": traceback_not_sent, "logger_parts": logger_parts}
