"""Scale-out on PostgreSQL: two `logdash serve` instances on one database, tails on both.

Records committed through either instance reach every tail of every instance exactly once, in id
order; LISTEN/NOTIFY (not the feeds' slow fallback poll) wakes the other instance, and a listener
whose backend is killed reconnects by itself and catches up.
"""
from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import websocket
from conftest import Live
from sqlalchemy import make_url

from dashboard import close_app, create_app

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need psycopg (pip install '.[test]')")

POSTERS, BATCH = 8, 5  # threads posting at once; records per POST
FALLBACK_POLL = 5.0    # the feeds' own poll on PostgreSQL: anything much faster came by NOTIFY


def sql(pg_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of one statement on the test's database (its own autocommit connection)."""
    conninfo = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


def stored_ids(pg_url: str, after: int = 0) -> list[int]:
    return [row[0] for row in sql(pg_url, "SELECT id FROM records WHERE id > %s ORDER BY id", after)]


def newest(pg_url: str) -> int:
    return sql(pg_url, "SELECT coalesce(max(id), 0) FROM records")[0][0]


def listener_pids(pg_url: str) -> set[int]:
    """Backends of the listeners: connections to this database whose last statement was LISTEN."""
    database = make_url(pg_url).database
    rows = sql(pg_url, "SELECT pid FROM pg_stat_activity WHERE datname = %s AND query ILIKE 'LISTEN%%'", database)
    return {row[0] for row in rows}


def wait_for(condition: Callable[[], bool], timeout: float = 15) -> bool:
    """Poll `condition` until it holds or `timeout` passes; whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Tail:
    """A /ws/tail socket drained by its own thread (a tail that nobody reads would fill its queue)."""

    def __init__(self, live: Live, after: int) -> None:
        query = urllib.parse.urlencode({"after": after})
        self.ws = websocket.create_connection(f"ws://{live.host}:{live.port}/ws/tail?{query}", timeout=60)
        self.messages: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                self.messages.append(json.loads(self.ws.recv()))
        except (websocket.WebSocketException, OSError, ValueError):
            pass  # closed (by close(), or by the server)

    def ids(self) -> list[int]:
        """Record ids received so far, in arrival order (anything but records fails)."""
        messages = list(self.messages)
        assert all(m["type"] == "record" for m in messages), [m for m in messages if m["type"] != "record"]
        return [m["record"]["id"] for m in messages]

    def has(self, record_id: int) -> bool:
        return bool(self.messages) and self.messages[-1].get("record", {}).get("id", 0) >= record_id

    def close(self) -> None:
        """Drop the connection at once (a tab closed mid-stream)."""
        self.ws.abort()
        self._reader.join(5)
        self.ws.shutdown()


def all_reach(tails: Sequence[Tail], record_id: int, timeout: float = 15) -> bool:
    """Every tail has received `record_id` (ids arrive in order: and everything before it)."""
    return wait_for(lambda: all(tail.has(record_id) for tail in tails), timeout)


def post(live: Live, tag: str, count: int = BATCH) -> None:
    """One JSON batch of `count` records to /ingest."""
    body = json.dumps([{"msg": f"{tag} {k}", "levelname": "INFO", "name": "pg.burst"} for k in range(count)])
    assert live.post("/ingest?app=pg", body.encode(), "application/json") == (200, {"accepted": count})


class Burst:
    """POSTERS threads each posting `batches` batches per part, alternating between the instances; part k+1
    starts once gates[k] is set (so a test can act between parts while posting is under way)."""

    def __init__(self, lives: Sequence[Live], batches: int, gates: Sequence[threading.Event] = ()) -> None:
        self.lives, self.batches, self.gates = lives, batches, gates
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._post, args=(t,), daemon=True) for t in range(POSTERS)]
        for thread in self.threads:
            thread.start()

    @property
    def per_part(self) -> int:
        return POSTERS * self.batches * BATCH

    def _post(self, t: int) -> None:
        try:
            for part in range(len(self.gates) + 1):
                if part:
                    assert self.gates[part - 1].wait(30), f"gate {part} never opened"
                for b in range(self.batches):
                    post(self.lives[(t + b) % len(self.lives)], f"poster {t} part {part} batch {b}")
        except BaseException as e:  # reported by join()
            self.errors.append(e)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(60)
        assert not self.errors, self.errors


def serve_logs(tmp_path: Path) -> str:
    return "".join(path.read_text(errors="replace") for path in tmp_path.glob("serve-*.log"))


def notify_latencies(pg_url: str, lives: Sequence[Live], tails: Sequence[Tail], count: int) -> list[float]:
    """Seconds from posting one record (to each instance in turn) until every tail has it."""
    latencies = []
    for i in range(count):
        began = time.monotonic()
        post(lives[i % len(lives)], f"timed {i}", 1)
        assert all_reach(tails, newest(pg_url), timeout=2 * FALLBACK_POLL)
        latencies.append(time.monotonic() - began)
    return latencies


@pytest.fixture
def pair(pg_url: str, serve) -> Iterator[tuple[Live, Live]]:
    """Two instances of two workers each on one PostgreSQL database (pg_url first, so the servers stop before
    the database is dropped). Both stop at once: one after the other took longer than most tests."""
    lives = serve(pg_url, workers=2), serve(pg_url, workers=2)
    yield lives
    procs = [live.proc for live in lives if live.proc is not None]
    for proc in procs:
        proc.terminate()
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):  # the serve fixture kills what is left
            proc.wait(15)


def test_every_tail_of_both_instances_gets_every_record_once_in_order(pair: tuple[Live, Live], pg_url: str) -> None:
    for _ in range(5):
        after = newest(pg_url)
        tails = [Tail(live, after) for live in pair for _ in range(4)]
        Burst(pair, batches=6).join()
        expected = stored_ids(pg_url, after)
        assert len(expected) == POSTERS * 6 * BATCH
        arrived = all_reach(tails, expected[-1])
        for tail in tails:
            tail.close()
        assert arrived, [len(tail.ids()) for tail in tails]
        for tail in tails:
            assert tail.ids() == expected


def test_a_tail_reconnecting_mid_burst_with_after_gets_every_record_once(pair: tuple[Live, Live],
                                                                           pg_url: str) -> None:
    after = newest(pg_url)
    first = Tail(pair[1], after)
    disconnected, reconnected = threading.Event(), threading.Event()
    burst = Burst(pair, batches=4, gates=[disconnected, reconnected])
    assert wait_for(lambda: len(first.ids()) >= 20)  # part 1 is arriving: leave
    first.close()
    seen = first.ids()
    disconnected.set()  # part 2 commits while nobody listens
    assert wait_for(lambda: len(stored_ids(pg_url, after)) >= 2 * burst.per_part)
    second = Tail(pair[0], seen[-1])  # the other instance, as after a load balancer's switch
    reconnected.set()  # part 3 commits during the catch-up
    burst.join()
    expected = stored_ids(pg_url, after)
    assert len(expected) == 3 * burst.per_part
    arrived = all_reach([second], expected[-1])
    second.close()
    assert arrived, len(second.ids())
    assert seen + second.ids() == expected


def test_postgresql_feeds_poll_slowly_and_a_listener_wakes_them(pg_url: str) -> None:
    app = create_app({"DATABASE_URL": pg_url, "RETENTION": "none"})
    try:
        feed = app.extensions["logdash.record_feed"]
        assert feed.interval >= FALLBACK_POLL and app.extensions["logdash.request_feed"].interval >= FALLBACK_POLL
        assert listener_pids(pg_url) == set()  # lazily: nothing listens before a subscriber
        sub = feed.subscribe()
        assert wait_for(lambda: len(listener_pids(pg_url)) == 1, 5)
        feed.unsubscribe(sub)
    finally:
        close_app(app)
    assert wait_for(lambda: listener_pids(pg_url) == set(), 5)  # close() hung up


def test_notify_wakes_the_other_instance_and_listeners_reconnect_after_their_backends_are_killed(
        pair: tuple[Live, Live], pg_url: str, tmp_path: Path) -> None:
    a, b = pair
    after = newest(pg_url)
    tails = [Tail(live, after) for live in pair for _ in range(3)]
    post(a, "warm-up a")
    post(b, "warm-up b")
    assert all_reach(tails, newest(pg_url))  # every worker with a tail has started its listener
    assert wait_for(lambda: len(listener_pids(pg_url)) >= 2, 5)  # at least one per instance
    # each record reaches the other instance's tails by NOTIFY: polling alone would take up to FALLBACK_POLL
    latencies = notify_latencies(pg_url, pair, tails, 6)
    assert max(latencies) < 1.0, latencies
    killed = listener_pids(pg_url)
    sql(pg_url, "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", list(killed))
    began = time.monotonic()
    post(a, "while away a")  # likely committed before the listeners are back: the wake on reconnect reads it
    post(b, "while away b")
    assert all_reach(tails, newest(pg_url), timeout=2 * FALLBACK_POLL)
    catch_up = time.monotonic() - began
    assert catch_up < FALLBACK_POLL / 2, catch_up
    back = wait_for(lambda: listener_pids(pg_url).isdisjoint(killed) and len(listener_pids(pg_url)) >= len(killed), 5)
    assert back, (killed, listener_pids(pg_url))  # new connections, as many as were killed
    latencies = notify_latencies(pg_url, pair, tails, 4)  # NOTIFY works again
    assert max(latencies) < 1.0, latencies
    for tail in tails:
        tail.close()
    expected = stored_ids(pg_url, after)
    assert len(expected) == 4 * BATCH + 10
    for tail in tails:
        assert tail.ids() == expected
    # one line per lost connection, no traceback
    assert wait_for(lambda: serve_logs(tmp_path).count("LISTEN failed") == len(killed), 5), \
        serve_logs(tmp_path)
    assert "Traceback" not in serve_logs(tmp_path)
