"""Reading URL arguments: one error type that names the argument, and the readers every list shares."""
from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import request

MAX_LIMIT = 1000


class BadArgument(ValueError):
    """A URL argument that cannot be understood; names the argument (answered 400 by web.errors)."""

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"{argument}: {problem}")
        self.argument = argument


def parse_time(argument: str, value: str) -> float:
    """Epoch seconds from epoch seconds or ISO 8601 (a time without zone is UTC)."""
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            raise BadArgument(argument, f"{value!r} is neither ISO 8601 nor epoch seconds") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    if not math.isfinite(seconds):
        raise BadArgument(argument, f"{value!r} is not a finite time")
    return seconds


def int_arg(name: str, default: int | None = None, *, low: int = 0, high: int | None = None) -> int | None:
    """A whole-number URL argument within [low, high], or BadArgument naming it."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadArgument(name, f"{raw!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        upper = f"..{high}" if high is not None else " or more"
        raise BadArgument(name, f"{value} is out of range ({low}{upper})")
    return value


def cursor_args() -> tuple[int | None, int]:
    """The `before` cursor and `limit` (1..MAX_LIMIT, default 100) every list takes."""
    return int_arg("before"), int_arg("limit", 100, low=1, high=MAX_LIMIT)  # type: ignore[return-value]
