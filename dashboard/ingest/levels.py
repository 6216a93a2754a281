"""Log levels: names, numbers and CSS classes, defined once (the browser gets them from here)."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

# Every name a client may send, with its number (WARN and FATAL are stdlib aliases).
LEVELS: dict[str, int] = {"CRITICAL": 50, "FATAL": 50, "ERROR": 40, "WARNING": 30, "WARN": 30,
                          "INFO": 20, "DEBUG": 10, "NOTSET": 0}
# The canonical name of each standard number.
LEVEL_NAMES: dict[int, str] = {50: "CRITICAL", 40: "ERROR", 30: "WARNING", 20: "INFO", 10: "DEBUG", 0: "NOTSET"}
# The levels a user picks from, lowest first.
CHOICES = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# The badge/bar colour class of each name; any other (custom) level is neutral.
CSS: dict[str, str] = {"DEBUG": "debug", "INFO": "info", "WARNING": "warning", "WARN": "warning",
                       "ERROR": "error", "CRITICAL": "critical", "FATAL": "critical"}
CUSTOM_CSS = "custom"


def level_number(value: str | int) -> int:
    """Read a level given as a name ("warning", "WARN") or a number (30, "30"); ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in LEVELS:
            return LEVELS[text.upper()]
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    raise ValueError(f"not a log level: {value!r}")


def level_name(number: int) -> str:
    """The canonical name of a number: WARNING for 30, "Level 25" for a custom one (as logging says)."""
    return LEVEL_NAMES.get(number, f"Level {number}")


# Custom names ("NOTICE", "SUCCESS") learned from records that carried both name and number, so a later
# record with the name alone keeps the number. Keyed by (app, NAME) and (None, NAME): an app's own meaning
# first, then the latest seen from any app. Process-local: each gunicorn worker is seeded from the rollup
# at start (ingest.level_seed) and learns from what it parses; a pair first seen by another worker since
# then is learned here with the next record that carries its number.
MAX_LEARNED = 10_000  # more distinct (app, name) keys are not remembered: names are client-controlled
_learned: dict[tuple[str | None, str], int] = {}
_learn_lock = threading.Lock()


def learn_level(name: str, number: int, app: str | None = None) -> None:
    """Remember a custom level name's number (standard names and "Level N" are never custom)."""
    key = name.strip().upper()
    if not key or key in LEVELS or key.startswith("LEVEL "):
        return
    keys = [(None, key)] if not app else [(app, key), (None, key)]
    if all(_learned.get(k) == number for k in keys):  # the usual case: nothing new, no lock
        return
    with _learn_lock:
        for k in keys:
            if k in _learned or len(_learned) < MAX_LEARNED:
                _learned[k] = number


def learned_level(name: str, app: str | None = None) -> int | None:
    """The number last seen with this custom name (this app's first), or None when never seen."""
    key = name.strip().upper()
    found = _learned.get((app, key)) if app else None
    return found if found is not None else _learned.get((None, key))


def learn_levels(pairs: Iterable[tuple[str | None, str, int]]) -> None:
    """Learn many (app, name, number) at once, in order (a later pair wins)."""
    for app, name, number in pairs:
        learn_level(name, number, app)


def level_label(number: int) -> str:
    """How a minimum level reads in a chip: WARNING for 30, "25" for a custom level."""
    name = LEVEL_NAMES.get(number)
    return name if name in CHOICES else str(number)


def css_name(levelname: str | None) -> str:
    """The colour class suffix of a level name (debug, info, ..., custom)."""
    return CSS.get(str(levelname or "").upper(), CUSTOM_CSS)


def level_class(levelname: str | None) -> str:
    """CSS classes of a level badge; custom levels are neutral."""
    return "level level-" + css_name(levelname)


def for_browser() -> dict[str, Any]:
    """What the page scripts need to show levels exactly as the server does."""
    return {"css": CSS, "custom": CUSTOM_CSS, "choices": [[name, LEVELS[name]] for name in CHOICES]}
