"""Our own log lines (the `serve` console): readable text, or one JSON object per line for shippers.

Both the dashboard's loggers and gunicorn's error log go through the same formatter, so a log
collector reading `logdash serve` sees one shape. Text that came from clients is already made
printable where it is logged; the JSON form is ASCII-only on top of that.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "pid", "message"[, "exc_text"]}: one line each, ASCII only."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc_text"] = self.formatException(record.exc_info)
        return json.dumps(line)


def formatter(kind: str) -> logging.Formatter:
    """The formatter of a LOG_FORMAT value; ValueError for anything else."""
    if kind not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {kind!r}")
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT)


def configure(kind: str) -> None:
    """Send our loggers' INFO and above to stderr in `kind` form."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(kind))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


class ServerLog(GunicornLogger):
    """gunicorn's error log in our format (its access log stays off)."""

    kind = "text"

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter(self.kind))
