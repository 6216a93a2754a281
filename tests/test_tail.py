"""/ws/tail over real sockets: resume without gaps or duplicates, filters, overflow, many workers."""
from __future__ import annotations

import json
import logging
import time
import urllib.parse
from typing import Any

import pytest
import websocket
from conftest import Live, log_with, store_records


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url


def open_tail(live: Live, **args: Any) -> websocket.WebSocket:
    """Connect to /ws/tail with the given arguments."""
    query = urllib.parse.urlencode(args)
    return websocket.create_connection(f"ws://{live.host}:{live.port}/ws/tail?{query}", timeout=10)


def receive(ws: websocket.WebSocket, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    """The next `count` messages (fails if they do not come in time)."""
    messages = []
    deadline = time.monotonic() + timeout
    while len(messages) < count:
        ws.settimeout(max(0.05, deadline - time.monotonic()))
        messages.append(json.loads(ws.recv()))
    return messages


def nothing_more(ws: websocket.WebSocket, wait: float = 0.4) -> bool:
    """True when no message arrives within `wait` seconds."""
    ws.settimeout(wait)
    try:
        ws.recv()
    except websocket.WebSocketTimeoutException:
        return True
    return False


def send(live: Live, *messages: str, level: int = logging.INFO, name: str = "test.app") -> list[int]:
    """Log through the stock HTTPHandler; return the new records' ids (newest last)."""
    handler = live.handler()
    for message in messages:
        log_with(handler, level, message, name=name)
    handler.close()
    found = live.records(limit=str(len(messages)))
    return sorted(r["id"] for r in found)


def ids(messages: list[dict[str, Any]]) -> list[int]:
    assert all(m["type"] == "record" for m in messages), messages
    return [m["record"]["id"] for m in messages]


def test_after_catches_up_oldest_first_then_goes_live(live: Live) -> None:
    first = send(live, "one", "two", "three")
    ws = open_tail(live, after=first[0])
    assert ids(receive(ws, 2)) == first[1:]
    later = send(live, "four", "five")
    assert ids(receive(ws, 2)) == later
    assert nothing_more(ws)
    ws.close()


def test_reconnect_from_the_last_id_has_no_gaps_or_duplicates(live: Live) -> None:
    ws = open_tail(live, after=0)
    first = send(live, "a", "b", "c")
    seen = ids(receive(ws, 3))
    assert seen == first
    ws.close()
    missed = send(live, "d", "e")  # while nobody listens
    ws = open_tail(live, after=seen[-1])
    more = send(live, "f")
    got = ids(receive(ws, 3))
    assert got == missed + more
    assert nothing_more(ws)
    ws.close()


def test_filters_are_honoured_live_and_in_catch_up(live: Live) -> None:
    handler = live.handler()
    log_with(handler, logging.ERROR, "old match", name="shop.db")
    ws = open_tail(live, after=0, level="ERROR", logger="shop", q="MATCH")
    for level, msg, name in [(logging.INFO, "match but info", "shop.db"), (logging.ERROR, "match", "shopping"),
                             (logging.ERROR, "no hit", "shop"), (logging.CRITICAL, "a match", "shop")]:
        log_with(handler, level, msg, name=name)
    handler.close()
    got = receive(ws, 2)
    assert [m["record"]["message"] for m in got] == ["old match", "a match"]
    assert nothing_more(ws)
    ws.close()


def test_bad_filter_closes_the_socket(live: Live) -> None:
    ws = open_tail(live, level="LOUD")
    opcode, frame = ws.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], "big") == 1008 and b"level" in frame.data
    ws.shutdown()


def test_overflow_says_skipped_and_resume_fetches_the_rest(live: Live, monkeypatch) -> None:
    monkeypatch.setattr(live.app.extensions["logdash.record_feed"], "queue_size", 1)
    ws = open_tail(live, after=0)
    assert nothing_more(ws, 0.2)  # subscribed
    stored = store_records(live.app, *[{"msg": f"burst {i}"} for i in range(300)])
    got: list[int] = []
    skipped = 0
    ws.settimeout(5)
    while True:
        message = json.loads(ws.recv())
        if message["type"] == "skipped":
            skipped = message["count"]
            break
        got.append(message["record"]["id"])
    assert skipped > 0
    ws.close()
    ws = open_tail(live, after=got[-1] if got else 0)  # what the page does on "skipped"
    got += ids(receive(ws, len(stored) - len(got)))
    assert got == stored
    ws.close()


def test_every_tail_of_every_worker_gets_every_record_once(db_url: str, serve) -> None:  # the server stops first
    live = serve(db_url, workers=2)
    tails = [open_tail(live, after=0) for _ in range(6)]
    handler = live.handler()
    for i in range(20):  # each emit is its own connection, so gunicorn spreads them over the workers
        log_with(handler, logging.WARNING, "record %d", i, name="multi")
    handler.close()
    expected = sorted(r["id"] for r in live.records(limit="100"))
    assert len(expected) == 20
    for ws in tails:
        got = ids(receive(ws, 20, timeout=15))
        assert got == expected
        assert nothing_more(ws, 0.3)
        ws.close()


def test_live_frames_carry_messages_of_every_length_intact(live: Live) -> None:
    """Live records go out as frames built here: 7-, 16- and 64-bit lengths, non-ASCII text."""
    ws = open_tail(live)
    assert nothing_more(ws, 0.2)  # subscribed
    texts = ["é" * 10, "x" * 120, "y" * 126, "z" * 65_535, "ü" * 40_000, "w" * 70_000]
    stored = store_records(live.app, *({"msg": text} for text in texts))
    got = receive(ws, len(texts))
    assert ids(got) == stored and [m["record"]["message"] for m in got] == texts
    ws.close()
