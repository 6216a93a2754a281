"""The JSON `time` field spells what datetime spells for the same timestamp, to the millisecond, for any
moment a record can have (its date and time are cached by the second: the rounding must not move it)."""
from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dashboard.ingest.parse import MAX_EPOCH
from dashboard.web.format import iso_time


def spelled_by_datetime(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


@settings(max_examples=2000, deadline=None)
@given(st.floats(min_value=0, max_value=MAX_EPOCH - 1, allow_nan=False)
       | st.integers(0, 2_000_000_000).map(lambda s: s + 0.9999995)
       | st.integers(0, 2_000_000_000).map(lambda s: s + 0.0004995))
@example(0.0)
@example(1763727845.1235)
@example(1763727845.9999996)
@example(1763727845.0005)
@example(MAX_EPOCH - 1.0000001)
def test_iso_time_is_datetimes(epoch: float) -> None:
    assert iso_time(epoch) == spelled_by_datetime(epoch)
