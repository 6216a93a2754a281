"""How the inspector page shows values; static/js/inspector/format.js mirrors these for live rows."""
from __future__ import annotations

from typing import Any

from .present import printable

FOLD_LINES = 200      # a long body shows this many lines, then "show all"
FOLD_CHARS = 20_000   # ... or this many characters, whichever comes first


def byte_size(n: int | None) -> str:
    """1234 -> "1.2 kB"; sizes in the list and the headers of the detail pane."""
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


def status_class(status: int) -> str:
    """CSS class of a status: s2xx ... s5xx; failures (>= 400) also get `failed`."""
    return f"s{status // 100}xx" + (" failed" if status >= 400 else "")


def line_count(text: str) -> int:
    """Lines in a text (a trailing newline does not start one)."""
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


HELPERS: dict[str, Any] = {"printable": printable, "byte_size": byte_size, "fold": fold,
                           "status_class": status_class, "line_count": line_count}
