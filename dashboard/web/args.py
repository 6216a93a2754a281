"""Reading URL arguments: one error type that names the argument, and the readers every list shares."""
from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import request

MAX_LIMIT = 1000
INT64_MAX = 2**63 - 1        # ids, cursors and sizes past this cannot reach the database
MAX_EPOCH = 253_402_300_800  # 10000-01-01: the same bound ingest puts on `created`


class BadArgument(ValueError):
    """A URL argument that cannot be understood; names the argument (answered 400 by web.errors)."""

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"{argument}: {problem}")
        self.argument = argument


def parse_time(argument: str, value: str) -> float:
    """Epoch seconds from epoch seconds or ISO 8601 (a time without zone is UTC), within 1970..9999:
    times outside it match nothing stored and would overflow bucket and SQL arithmetic."""
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T", 1))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            seconds = moment.timestamp()
        except (ValueError, OverflowError):
            raise BadArgument(argument, f"{value[:100]!r} is neither ISO 8601 nor epoch seconds") from None
    if not math.isfinite(seconds):
        raise BadArgument(argument, f"{value[:100]!r} is not a finite time")
    if not 0 <= seconds < MAX_EPOCH:
        raise BadArgument(argument, f"{value[:100]!r} is out of range (1970-01-01 to 9999-12-31, "
                                    f"or 0 to {MAX_EPOCH - 1} epoch seconds)")
    return seconds


def int_arg(name: str, default: int | None = None, *, low: int = 0, high: int | None = None) -> int | None:
    """A whole-number URL argument within [low, high] (high: at most INT64_MAX, what the database
    holds), or BadArgument naming it."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    high = INT64_MAX if high is None else min(high, INT64_MAX)
    if len(raw) > 25:  # int() of a huge digit string is slow, and out of range anyway
        raise BadArgument(name, f"{raw[:30]!r}... is not a whole number in range ({low}..{high})")
    try:
        value = int(raw)
    except ValueError:
        raise BadArgument(name, f"{raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise BadArgument(name, f"{value} is out of range ({low}..{high})")
    return value


def cursor_args() -> tuple[int | None, int]:
    """The `before` cursor and `limit` (1..MAX_LIMIT, default 100) every list takes."""
    return int_arg("before"), int_arg("limit", 100, low=1, high=MAX_LIMIT)  # type: ignore[return-value]
