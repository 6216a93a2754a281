"""How record values are shown in pages: visible control characters, level classes, short numbers.

The logs page's JavaScript mirrors these (static/js/logs/format.js) so that a
server-rendered row and a live row look the same.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls, bidi overrides/isolates/marks.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LEVEL_CLASSES = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "WARN": "warning",
                  "ERROR": "error", "CRITICAL": "critical", "FATAL": "critical"}


def _picture(match: re.Match[str]) -> str:
    """The visible stand-in for one invisible character, spelled as in Python: \\x1b, \\u202e.

    (Unicode's control pictures such as U+241B are missing from common monospace fonts.)"""
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: Any) -> str:
    """Text with terminal escapes and invisible direction marks made visible (never interpreted)."""
    if text is None:
        return ""
    return _INVISIBLE.sub(_picture, str(text))


def level_class(levelname: str | None) -> str:
    """CSS classes of a level badge; custom levels are neutral."""
    return "level level-" + _LEVEL_CLASSES.get(str(levelname or "").upper(), "custom")


def abbreviate(n: int) -> str:
    """1234 -> "1.2k", 2500000 -> "2.5M" (same as common.js abbreviate)."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1e3:.{1 if n < 10_000 else 0}f}".removesuffix(".0") + "k"
    return f"{n / 1e6:.{1 if n < 10_000_000 else 0}f}".removesuffix(".0") + "M"


def utc_clock(epoch: float) -> str:
    """HH:MM:SS.mmm in UTC (the page's script switches it to local time)."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def utc_date(epoch: float) -> str:
    """MM-DD in UTC, shown before the clock when a list spans several days."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%m-%d")


def utc_stamp(epoch: float) -> str:
    """YYYY-MM-DD HH:MM:SS UTC, for chips and headings."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def extra_value(value: Any) -> str:
    """An extra's value as one readable string: text as is, anything else as JSON."""
    if isinstance(value, str):
        return printable(value)
    return printable(json.dumps(value, ensure_ascii=False))


HELPERS = {"printable": printable, "level_class": level_class, "abbreviate": abbreviate,
           "utc_clock": utc_clock, "utc_date": utc_date, "utc_stamp": utc_stamp,
           "extra_value": extra_value}
