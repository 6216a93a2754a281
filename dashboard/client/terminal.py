"""Records as terminal lines for `logdash tail`: pure functions, no I/O.

Log text is attacker-controlled. A terminal obeys escape sequences (clear the screen, set the title,
write the clipboard with OSC 52, make a fake hyperlink with OSC 8) and a bidi override reorders what
follows it, so every such character is spelled out (`\\x1b`, `\\u202e`) by the pages' own rule
(web.format.printable), never written raw. A record's first line starts at column 0 with its time;
every further line of it (a message's newlines, a traceback) is indented, so text inside a record
cannot pass for the next record.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import click

from ..web.format import printable

INDENT = "    "  # continuation lines: never at column 0, where each record starts
LEVEL_WIDTH = 8  # "CRITICAL"

# click.style arguments per level band (a custom number takes the band below it: 25 is INFO's).
_STYLES: tuple[tuple[int, dict[str, Any]], ...] = (
    (50, {"fg": "red", "bold": True, "reverse": True}),
    (40, {"fg": "red", "bold": True}),
    (30, {"fg": "yellow"}),
    (20, {"fg": "green"}),
    (0, {"dim": True}),
)


def level_style(levelno: Any) -> dict[str, Any]:
    """The click.style arguments for a level number (DEBUG dim ... CRITICAL bold inverse red)."""
    number = levelno if isinstance(levelno, int) and not isinstance(levelno, bool) else 0
    return next(style for floor, style in _STYLES if number >= floor)


def clock(created: Any) -> str:
    """HH:MM:SS.mmm in local time, as a person reading a terminal expects; `??` for a time we cannot read."""
    try:
        moment = datetime.fromtimestamp(float(created))
    except (TypeError, ValueError, OverflowError, OSError):
        return "??:??:??.???"
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _continuation(lines: list[str]) -> list[str]:
    """Lines of a record after its first, made printable and indented."""
    return [INDENT + printable(line) for line in lines]


def render(record: Mapping[str, Any], *, color: bool) -> str:
    """One record as terminal text: `time level app logger message`, then indented continuation
    lines (the message's further lines, the traceback, the stack). No trailing newline."""
    level = printable(record.get("levelname") or "").ljust(LEVEL_WIDTH)
    if color:
        level = click.style(level, **level_style(record.get("levelno")))
    message = str(record.get("message") if record.get("message") is not None else record.get("msg") or "")
    first, *rest = message.replace("\r\n", "\n").split("\n")
    head = " ".join([clock(record.get("created")), level, printable(record.get("app") or "-"),
                     printable(record.get("name") or "-"), printable(first)])
    lines = [head, *_continuation(rest)]
    for extra in ("exc_text", "stack_info"):
        text = record.get(extra)
        if text:
            lines.extend(_continuation(str(text).replace("\r\n", "\n").rstrip("\n").split("\n")))
    return "\n".join(lines)


def json_line(record: Mapping[str, Any]) -> str:
    """The record as one NDJSON line: ASCII only, so no control or bidi character reaches the terminal raw."""
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"))


def use_color(flag: bool | None, is_tty: bool, environ: Mapping[str, str]) -> bool:
    """Colour when asked (--color/--no-color), else when the output is a terminal and NO_COLOR is
    unset or empty (no-color.org)."""
    if flag is not None:
        return flag
    return is_tty and not environ.get("NO_COLOR")
