"""/api/histogram: how many matching records fell in each time bucket, per level.

Counts per (bucket, level) come from the rollups for whole minutes or hours and
from the records only at the ragged edges (logs.counts); buckets are aligned to
multiples of the bucket size, so bars stay put as the range moves.
"""
from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection

from ..store.engine import get_engine
from ..web.args import BadArgument, int_arg
from .counts import count_groups, data_range
from .filter import RecordFilter

bp = Blueprint("histogram", __name__)

NICE_BUCKETS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 365 * 86400)
MAX_BARS = 120
MAX_BUCKETS = 10_000
DEFAULT_SPAN = 3600.0
MAX_BUCKET = 100 * 365 * 86400  # a century: wider bars draw nothing new, and keep bucket arithmetic small


def pick_bucket(span: float, max_bars: int = MAX_BARS) -> int:
    """The smallest round bucket (seconds) that covers `span` in at most `max_bars` bars."""
    for size in NICE_BUCKETS:
        if math.ceil(span / size) <= max_bars:
            return size
    return NICE_BUCKETS[-1]


def bucket_range(since: float, until: float, bucket: int, open_end: bool = False) -> tuple[int, int]:
    """First and last bucket index covering [since, until), or [since, until] when `open_end`."""
    first = math.floor(since / bucket)
    last = math.floor(until / bucket) if open_end else math.ceil(until / bucket) - 1
    return first, max(first, last)


def time_range(conn: Connection, flt: RecordFilter, now: float) -> tuple[float, float]:
    """The range to draw: the filter's own, else from the oldest matching record to now."""
    oldest, newest = (None, None) if flt.since is not None and flt.until is not None else data_range(conn, flt)
    until = flt.until if flt.until is not None else max(now, newest or now)
    since = flt.since if flt.since is not None else min(oldest or until - DEFAULT_SPAN, until - 60)
    return since, max(until, since + 1)


def histogram(conn: Connection, flt: RecordFilter, bucket: int | None = None,
              now: float | None = None) -> dict[str, Any]:
    """The histogram JSON: bucket size, range, the levels present (by number), every bucket's counts."""
    since, until = time_range(conn, flt, time.time() if now is None else now)
    size = bucket or pick_bucket(until - since)
    first, last = bucket_range(since, until, size, open_end=flt.until is None)
    if last - first + 1 > MAX_BUCKETS:
        raise BadArgument("bucket", f"{size} s makes more than {MAX_BUCKETS} buckets over this range")
    bars: dict[int, dict[str, int]] = {i: {} for i in range(first, last + 1)}
    level_order: dict[str, int] = {}
    for (index, levelno, levelname), count in count_groups(conn, flt, ("levelno", "levelname"), size).items():
        if index in bars:
            bars[index][levelname] = bars[index].get(levelname, 0) + count
            level_order[levelname] = min(level_order.get(levelname, levelno), levelno)
    return {"bucket": size, "since": first * size, "until": (last + 1) * size,
            "levels": sorted(level_order, key=lambda name: (level_order[name], name)),
            "buckets": [{"start": i * size, "counts": c} for i, c in bars.items()]}


@bp.get("/api/histogram")
def histogram_json() -> ResponseReturnValue:
    """Counts per time bucket per level for the filter args; `bucket` (seconds) is optional."""
    flt = RecordFilter.from_args(request.args)
    bucket = int_arg("bucket", None, low=1, high=MAX_BUCKET)
    with get_engine().connect() as conn:
        return jsonify(histogram(conn, flt, bucket))
