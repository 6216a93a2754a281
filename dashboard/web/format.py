"""How values are shown, for both features' pages: the Python twin of static/js/format.js.

Server-rendered rows and rows the scripts add live must look the same, so each
rule here has a JS twin of the same name; tests/test_browser_format.py runs both
on the same inputs in the browser and compares.
"""
from __future__ import annotations

import math
import re
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

FOLD_LINES = 200      # a long text shows this many lines, then "show all"
FOLD_CHARS = 20_000   # ... or this many characters, whichever comes first

# C0 controls except tab and newline, DEL, C1 controls, the soft hyphen, bidi overrides/isolates/marks,
# zero-width and invisible characters (U+180E, U+200B-U+200D, U+2060-U+2064, U+FEFF, U+FFF9-U+FFFB),
# the line and paragraph separators, and the tag characters U+E0000-U+E007F: `pay\u200bments` is not `payments`.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")


INVISIBLE = _INVISIBLE  # also what exports escape


def _picture(match: re.Match[str]) -> str:
    """The visible stand-in for one invisible character, spelled as in Python: \\x1b, \\u202e, \\U000e0041.

    (Unicode's control pictures such as U+241B are missing from common monospace fonts.)"""
    code = ord(match.group())
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: Any) -> str:
    """Text with terminal escapes and invisible direction marks made visible (never interpreted)."""
    if text is None:
        return ""
    return _INVISIBLE.sub(_picture, str(text))


def abbreviate(n: int) -> str:
    """1234 -> "1.2k", 2500000 -> "2.5M"."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1e3:.{1 if n < 10_000 else 0}f}".removesuffix(".0") + "k"
    return f"{n / 1e6:.{1 if n < 10_000_000 else 0}f}".removesuffix(".0") + "M"


def byte_size(n: int | None) -> str:
    """1234 -> "1.2 kB"; sizes in the request list and the detail pane."""
    if n is None:
        return ""
    if n < 1000:
        return f"{n} B"
    for unit, scale in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if n < scale * 1000 or unit == "GB":
            value = n / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{n} B"  # pragma: no cover


def fold(text: str, lines: int = FOLD_LINES, chars: int = FOLD_CHARS) -> tuple[str, str]:
    """Split a long text into what is shown and what "show all" reveals ("" when it all fits)."""
    cut = len(text)
    at = -1
    for _ in range(lines):
        at = text.find("\n", at + 1)
        if at < 0:
            break
    if at >= 0:
        cut = at + 1
    cut = min(cut, chars)
    return text[:cut], text[cut:]


def line_count(text: str) -> int:
    """Lines in a text (a trailing newline does not start one)."""
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def status_class(status: int) -> str:
    """CSS class of an HTTP status: s2xx ... s5xx; failures (>= 400) also get `failed`."""
    return f"s{status // 100}xx" + (" failed" if status >= 400 else "")


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def iso_time(epoch: float) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-21T12:04:05.123Z (the JSON `time` field): what
    `datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")` spells, with the date and
    time of each second worked out once (records come many to a second: a page, the feed, an export)."""
    frac, whole = math.modf(epoch)
    micros = round(frac * 1e6)  # as datetime rounds a timestamp: to the microsecond, half to even
    if micros >= 1_000_000:
        whole, micros = whole + 1, micros - 1_000_000
    elif micros < 0:
        whole, micros = whole - 1, micros + 1_000_000
    return f"{_iso_second(int(whole))}.{micros // 1000:03d}Z"


@lru_cache(maxsize=8192)
def _iso_second(whole: int) -> str:
    return _utc(whole).isoformat()[:19]


def _is_utc(zone: tzinfo) -> bool:
    return zone is UTC or getattr(zone, "key", None) == "UTC"


def clock(epoch: float, zone: tzinfo = UTC) -> str:
    """HH:MM:SS.mmm in `zone` (the one the browser asked for: web.zone)."""
    return datetime.fromtimestamp(epoch, tz=zone).time().isoformat(timespec="milliseconds")


def date_label(epoch: float, zone: tzinfo = UTC) -> str:
    """MM-DD in `zone`, shown before the clock when a list spans several days."""
    return datetime.fromtimestamp(epoch, tz=zone).strftime("%m-%d")


def stamp(epoch: float, zone: tzinfo = UTC) -> str:
    """YYYY-MM-DD HH:MM:SS in `zone`, with " UTC" in UTC, for chips and headings."""
    return datetime.fromtimestamp(epoch, tz=zone).strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if _is_utc(zone) else "")


def long_time(epoch: float, zone: tzinfo = UTC) -> str:
    """YYYY-MM-DD HH:MM:SS.mmm in `zone`, with " UTC" in UTC: one record's or one request's own time."""
    return stamp(epoch, zone)[:19] + "." + clock(epoch, zone)[9:] + (" UTC" if _is_utc(zone) else "")


# What templates of either feature may call.
HELPERS: dict[str, Any] = {"printable": printable, "abbreviate": abbreviate, "byte_size": byte_size,
                           "fold": fold, "line_count": line_count, "status_class": status_class,
                           "clock": clock, "date_label": date_label, "stamp": stamp, "long_time": long_time}
