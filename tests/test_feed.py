"""The live feed on a real SQLite file: one encoding per row for every subscriber, bounded queues, a clean stop."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import Engine

from dashboard.ingest.parse import parse_record, to_row
from dashboard.inspector.capture import capture
from dashboard.inspector.queries import get_request, new_requests, newest_request_id
from dashboard.logs.queries import get_record, new_records, newest_record_id
from dashboard.store.engine import make_engine
from dashboard.store.feed import Feed, LiveItem, Subscription
from dashboard.store.writer import Writer


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def writer(engine: Engine) -> Iterator[Writer]:
    w = Writer(engine, queue_size=100, batch_size=100)
    yield w
    w.close()


def row(msg: str, level: str = "INFO") -> dict[str, Any]:
    """A record row as ingest stores it."""
    return to_row(parse_record({"msg": msg, "levelname": level, "name": "feed"}, received=time.time()))


def captured(path: str) -> dict[str, Any]:
    """A captured-request row as the inspector stores it."""
    with Flask(__name__).test_request_context(path, method="POST", data=b"body"):
        return capture(request, b"body", 4, status=200, reason=None, body_cap=1024)


def receive(sub: Subscription, count: int, timeout: float = 10) -> list[LiveItem]:
    """The next `count` items of a subscription (fails if they do not come in time)."""
    items: list[LiveItem] = []
    deadline = time.monotonic() + timeout
    while len(items) < count:
        assert time.monotonic() < deadline, f"got {len(items)} of {count} items"
        items += sub.get(0.1)
    return items


def test_each_row_is_encoded_once_for_every_subscriber(engine: Engine, writer: Writer) -> None:
    feed = Feed(engine, new_records, newest_record_id, kind="record")
    writer.on_commit = feed.wake
    subs = [feed.subscribe() for _ in range(3)]
    errors_only = feed.subscribe(lambda record: record["levelno"] >= 40)
    ids = writer.store([row("one"), row("two", "ERROR"), row("three")]).record_ids
    got = [receive(sub, 3) for sub in subs]
    assert [[item.id for item in items] for items in got] == [ids] * 3
    for i in range(3):
        assert got[0][i].data is got[1][i].data is got[2][i].data  # one bytes object, shared
    (error,) = receive(errors_only, 1)
    assert error.data is got[0][1].data and errors_only.get(0.2) == []
    with engine.connect() as conn:
        for item in got[0]:
            assert json.loads(item.data) == {"type": "record", "record": get_record(conn, item.id)}
    feed.close()


def test_request_feed_messages_are_typed_by_kind(engine: Engine, writer: Writer) -> None:
    feed = Feed(engine, new_requests, newest_request_id, kind="request")
    writer.on_commit = feed.wake
    first, second = feed.subscribe(), feed.subscribe()
    request_id = writer.store([], captured("/inspect/feed")).request_id
    (a,), (b,) = receive(first, 1), receive(second, 1)
    assert a.data is b.data and a.id == request_id
    message = json.loads(a.data)
    assert set(message) == {"type", "request"} and message["type"] == "request"
    assert message["request"]["id"] == request_id and message["request"]["path"] == "/inspect/feed"
    with engine.connect() as conn:
        detail = get_request(conn, request_id, "http")
    assert {k: v for k, v in detail.items() if k in message["request"]} == message["request"]
    feed.close()


def test_rows_committed_elsewhere_arrive_without_a_wake(engine: Engine, writer: Writer) -> None:
    feed = Feed(engine, new_records, newest_record_id, kind="record", interval=0.05)
    sub = feed.subscribe()
    ids = writer.store([row("polled")]).record_ids  # no on_commit: only the timer finds it
    assert [item.id for item in receive(sub, 1)] == ids
    feed.close()


def test_a_slow_subscriber_counts_skips_instead_of_growing(engine: Engine, writer: Writer) -> None:
    feed = Feed(engine, new_records, newest_record_id, kind="record", queue_size=2)
    writer.on_commit = feed.wake
    sub = feed.subscribe()
    ids = writer.store([row(f"burst {i}") for i in range(5)]).record_ids
    skipped, deadline = 0, time.monotonic() + 10
    while skipped < 3:  # nobody reads: two wait, three are counted
        assert time.monotonic() < deadline, skipped
        skipped += sub.take_skipped()
        time.sleep(0.02)
    assert skipped == 3 and [item.id for item in sub.get(0.1)] == ids[:2]
    feed.close()


def test_close_stops_the_feeder_thread(engine: Engine, writer: Writer) -> None:
    feed = Feed(engine, new_records, newest_record_id, kind="record", interval=0.05)
    before = set(threading.enumerate())
    sub = feed.subscribe()
    (thread,) = [t for t in set(threading.enumerate()) - before if t.name == "logdash-feed"]
    writer.on_commit = feed.wake
    writer.store([row("before close")])
    assert len(receive(sub, 1)) == 1
    feed.close()
    assert not thread.is_alive()
    writer.store([row("after close")])
    feed.wake()
    assert sub.get(0.3) == []  # nothing more once closed


def test_with_nobody_subscribed_the_feed_reads_no_rows_yet_a_new_subscriber_misses_none(
        engine: Engine, writer: Writer) -> None:
    fetched: list[int] = []

    def counting(conn: Any, after: int, limit: int) -> list:
        rows = new_records(conn, after, limit)
        fetched.extend(r.id for r in rows)
        return rows

    feed = Feed(engine, counting, newest_record_id, kind="record", interval=0.02)
    writer.on_commit = feed.wake
    first = feed.subscribe()
    writer.store([row("seen")])
    receive(first, 1)
    feed.unsubscribe(first)
    time.sleep(0.1)
    fetched.clear()
    writer.store([row(f"unheard {i}") for i in range(50)])
    time.sleep(0.2)
    assert fetched == []  # nothing read, nothing serialised for nobody
    second = feed.subscribe()
    ids = writer.store([row("after joining")]).record_ids
    assert [item.id for item in receive(second, 1)] == ids and second.get(0.1) == []
    feed.close()


def test_tabs_showing_the_same_filter_share_one_test_per_record(engine: Engine, writer: Writer) -> None:
    calls: list[int] = []

    @dataclass(frozen=True)
    class Errors:  # equal instances, as two sockets with the same URL make
        level: int

        def matches(self, record: Any) -> bool:
            calls.append(record["id"])
            return record["levelno"] >= self.level

    feed = Feed(engine, new_records, newest_record_id, kind="record")
    writer.on_commit = feed.wake
    same = [feed.subscribe(Errors(40).matches) for _ in range(5)]
    other = feed.subscribe(Errors(20).matches)
    ids = writer.store([row("a"), row("b", "ERROR"), row("c", "ERROR")]).record_ids
    for sub in same:
        assert [item.id for item in receive(sub, 2)] == ids[1:]
    assert [item.id for item in receive(other, 3)] == ids
    assert sorted(calls) == sorted(ids * 2)  # once per record for the five, once for the other
    feed.close()
