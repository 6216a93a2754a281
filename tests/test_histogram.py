"""/api/histogram: round bucket sizes, one GROUP BY per level, the same filter as the list."""
from __future__ import annotations

import math
import time

import pytest
from conftest import store_records
from hypothesis import given
from hypothesis import strategies as st

from dashboard.logs.filter import RecordFilter
from dashboard.logs.histogram import MAX_BARS, NICE_BUCKETS, bucket_range, histogram, pick_bucket


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url

T0 = 1_800_000_000.0  # a multiple of 60 (and of 3600)


@pytest.mark.parametrize(("span", "bucket"), [
    (60, 1), (900, 10), (3600, 30), (86400, 900), (7 * 86400, 7200), (30 * 86400, 21600), (1, 1),
])
def test_pick_bucket_for_the_quick_ranges(span: float, bucket: int) -> None:
    assert pick_bucket(span) == bucket
    if span >= 900:
        assert 60 <= math.ceil(span / bucket) <= MAX_BARS


@given(st.floats(min_value=1, max_value=5e8))
def test_pick_bucket_is_the_smallest_round_size_that_fits(span: float) -> None:
    size = pick_bucket(span)
    assert size in NICE_BUCKETS and math.ceil(span / size) <= MAX_BARS
    smaller = [b for b in NICE_BUCKETS if b < size]
    assert not smaller or math.ceil(span / smaller[-1]) > MAX_BARS


def test_bucket_range_aligns_to_multiples() -> None:
    assert bucket_range(T0 + 5, T0 + 125, 60) == (T0 // 60, T0 // 60 + 2)
    assert bucket_range(T0, T0 + 120, 60) == (T0 // 60, T0 // 60 + 1)
    assert bucket_range(T0, T0 + 120, 60, open_end=True) == (T0 // 60, T0 // 60 + 2)


def test_counts_per_bucket_and_level(live) -> None:
    store_records(live.app,
                  {"msg": "a", "created": T0 + 1, "levelname": "INFO"},
                  {"msg": "b", "created": T0 + 59.999, "levelname": "INFO"},
                  {"msg": "c", "created": T0 + 61, "levelname": "ERROR"},
                  {"msg": "d", "created": T0 + 61, "levelname": "DEBUG"},
                  {"msg": "e", "created": T0 + 150, "levelname": "NOTICE", "levelno": "25"},
                  {"msg": "f", "created": T0 + 400, "levelname": "INFO"},  # outside [since, until)
                  now=T0)
    store_records(live.app, {"msg": "g", "created": T0 + 70, "levelname": "ERROR"}, app_name="billing", now=T0)
    status, body = live.get(f"/api/histogram?since={T0}&until={T0 + 180}&app=shop&bucket=60")
    assert status == 200
    assert body == {
        "bucket": 60, "since": T0, "until": T0 + 180, "levels": ["DEBUG", "INFO", "NOTICE", "ERROR"],
        "buckets": [{"start": T0, "counts": {"INFO": 2}},
                    {"start": T0 + 60, "counts": {"ERROR": 1, "DEBUG": 1}},
                    {"start": T0 + 120, "counts": {"NOTICE": 1}}],
    }
    status, body = live.get(f"/api/histogram?since={T0}&until={T0 + 180}&bucket=60&level=ERROR")
    assert [b["counts"] for b in body["buckets"]] == [{}, {"ERROR": 2}, {}]


def test_default_range_runs_from_the_oldest_match_to_now(live) -> None:
    now = time.time()
    store_records(live.app, {"msg": "x", "created": now - 3 * 3600}, {"msg": "y", "created": now - 10}, now=now)
    status, body = live.get("/api/histogram")
    assert status == 200
    bars = len(body["buckets"])
    assert body["bucket"] == 120 and 60 <= bars <= MAX_BARS + 1
    assert body["since"] <= now - 3 * 3600 and body["until"] >= now
    assert sum(sum(b["counts"].values()) for b in body["buckets"]) == 2
    assert [b["start"] for b in body["buckets"]] == [body["since"] + i * body["bucket"] for i in range(bars)]


def test_empty_store_draws_the_last_hour(app) -> None:
    from dashboard.store.engine import get_engine_of
    with get_engine_of(app).connect() as conn:
        body = histogram(conn, RecordFilter(), now=T0)
    assert body["bucket"] == 30 and body["levels"] == []
    assert body["since"] == T0 - 3600 and body["until"] == T0 + 30
    assert all(b["counts"] == {} for b in body["buckets"])


@pytest.mark.parametrize(("query", "argument"), [
    ("bucket=0", "bucket"), ("bucket=ten", "bucket"), ("level=LOUD", "level"),
    (f"since={T0}&until={T0 + 10**7}&bucket=1", "bucket"),
])
def test_bad_arguments_are_named(live, query: str, argument: str) -> None:
    status, body = live.get(f"/api/histogram?{query}")
    assert status == 400 and body["argument"] == argument
