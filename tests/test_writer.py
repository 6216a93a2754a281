"""The writer: batches commit together, and every job learns exactly which rows are its own."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager

import pytest
from flask import Flask, request
from sqlalchemy import Engine, select

from dashboard.ingest.parse import parse_record, to_row
from dashboard.inspector.capture import capture as capture_request
from dashboard.store import engine as store_engine
from dashboard.store.engine import make_engine
from dashboard.store.schema import records, requests
from dashboard.store.writer import QueueFull, StoreUnavailable, Writer


def row(msg: str) -> dict:
    """A record row as ingest stores it."""
    return to_row(parse_record({"msg": msg, "name": "w", "created": "1.0"}, received=1.0))


CAPTURING = Flask(__name__)  # one app for every thread: building apps on two threads at once trips CPython 3.11's
# compiler ("AST constructor recursion depth mismatch") inside Werkzeug's rule compilation


def capture(marker: str) -> dict:
    """A captured-request row as the inspector stores it."""
    with CAPTURING.test_request_context(f"/ingest/{marker}", method="POST"):
        return capture_request(request, b"", 0, status=200, reason=None, body_cap=1024)


def test_ids_belong_to_their_job_while_another_process_writes(db_url: str) -> None:
    engine, rival = make_engine(db_url), make_engine(db_url)
    writer = Writer(engine, queue_size=10_000, batch_size=50)
    stop = threading.Event()

    def interfere() -> None:  # another worker process's writer, committing all the time
        while not stop.is_set():
            with rival.begin() as conn:
                conn.execute(records.insert(), [row("rival")] * 3)
                conn.execute(requests.insert(), [capture("rival")])
            time.sleep(0.002)  # hundreds of commits a second; zero gaps would starve any SQLite writer

    thread = threading.Thread(target=interfere)
    thread.start()
    try:
        futures = [(i, writer.submit([row(f"job{i}-{k}") for k in range(i % 4)],
                                     capture(f"job{i}") if i % 3 else None)) for i in range(300)]
        stored = [(i, f.result(30)) for i, f in futures]
    finally:
        stop.set()
        thread.join()
    with engine.connect() as conn:
        messages = dict(conn.execute(select(records.c.id, records.c.message)).all())
        paths = dict(conn.execute(select(requests.c.id, requests.c.path)).all())
        linked = dict(conn.execute(select(records.c.id, records.c.request_id)).all())
    for i, result in stored:
        assert [messages[r] for r in result.record_ids] == [f"job{i}-{k}" for k in range(i % 4)]
        if i % 3:
            assert paths[result.request_id] == f"/ingest/job{i}"
            assert all(linked[r] == result.request_id for r in result.record_ids)
        else:
            assert result.request_id is None
    engine.dispose()
    rival.dispose()


@contextmanager
def write_lock(db_url: str) -> Iterator[None]:
    """Another connection holds SQLite's write lock (BEGIN IMMEDIATE): the writer's commits wait for it."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def stored_messages(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(records.c.message).order_by(records.c.id)).scalars())


def new_writer_thread(before: set[threading.Thread]) -> threading.Thread:
    """The writer thread started since `before` was taken."""
    (thread,) = [t for t in set(threading.enumerate()) - before if t.name == "logdash-writer"]
    return thread


def fill(writer: Writer) -> list[Future]:
    """Submit until the queue is full while the write lock is held elsewhere: with batch_size=1, once two jobs
    are in, one is waiting for the lock and the other fills the queue (queue_size=1), and both stay there."""
    futures: list[Future] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            futures.append(writer.submit([row(f"queued {len(futures)}")]))
        except QueueFull:
            if len(futures) >= 2:
                return futures
            time.sleep(0.01)  # the thread has not taken the first job yet
    raise AssertionError("the queue never filled")


def test_an_error_outside_the_insert_does_not_stop_the_only_writer_thread(db_url: str, caplog) -> None:
    engine = make_engine(db_url)
    calls: list[int] = []

    def on_commit() -> None:  # e.g. waking the feeds, which fails once
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("hook failed")

    writer = Writer(engine, queue_size=100, batch_size=10, on_commit=on_commit)
    first = writer.submit([row("before")]).result(10)  # committed before the hook raised: still a success
    later = [writer.submit([row(f"after {i}")]).result(10) for i in range(3)]
    assert len(first.record_ids) == 1 and all(len(s.record_ids) == 1 for s in later)
    assert stored_messages(engine) == ["before", "after 0", "after 1", "after 2"] and len(calls) == 4
    assert any(r.exc_info and "hook failed" in str(r.exc_info[1]) for r in caplog.records)  # logged, not hidden
    writer.close()
    engine.dispose()


def test_a_job_the_database_refuses_fails_alone(db_url: str) -> None:
    engine = make_engine(db_url)
    writer = Writer(engine, queue_size=100, batch_size=100)
    with write_lock(db_url):  # the jobs queue up meanwhile and meet in one batch
        jobs = [writer.submit([row("good 1")]), writer.submit([dict(row("bad"), name=None)]),  # name: NOT NULL
                writer.submit([row("good 2")], capture("good2")), writer.submit([row("good 3")])]
        time.sleep(0.1)
    good = [jobs[0], jobs[2], jobs[3]]
    assert all(len(f.result(30).record_ids) == 1 for f in good)
    with pytest.raises(RuntimeError, match="refused"):
        jobs[1].result(30)
    assert stored_messages(engine) == ["good 1", "good 2", "good 3"]
    writer.close()
    engine.dispose()


def test_close_commits_what_is_queued_then_stops_the_thread(db_url: str) -> None:
    engine = make_engine(db_url)
    writer = Writer(engine, queue_size=100, batch_size=2)
    before = set(threading.enumerate())
    lock = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    lock.execute("BEGIN IMMEDIATE")
    futures = [writer.submit([row(f"queued {i}")]) for i in range(7)]
    thread = new_writer_thread(before)
    time.sleep(0.1)
    assert not any(f.done() for f in futures)  # all waiting: one batch for the lock, the rest queued
    release = threading.Timer(0.3, lambda: (lock.execute("ROLLBACK"), lock.close()))
    release.start()
    writer.close()  # returns once every queued job is committed and the thread has ended
    release.join()
    assert not thread.is_alive()
    assert all(f.done() and len(f.result().record_ids) == 1 for f in futures)
    assert stored_messages(engine) == [f"queued {i}" for i in range(7)]
    engine.dispose()


def test_a_full_queue_is_store_unavailable_retry_after_1(db_url: str) -> None:
    engine = make_engine(db_url)
    writer = Writer(engine, queue_size=1, batch_size=1)
    with write_lock(db_url):
        accepted = fill(writer)
        with pytest.raises(StoreUnavailable) as refused:
            writer.store([row("refused")], timeout=5)
        assert refused.value.retry_after == 1 and "queue full" in str(refused.value)
    assert all(len(f.result(30).record_ids) == 1 for f in accepted)  # what was accepted is stored
    assert stored_messages(engine) == [f"queued {i}" for i in range(len(accepted))]
    writer.close()
    engine.dispose()


@pytest.mark.parametrize("app_settings", [{"QUEUE_SIZE": 1, "BATCH_SIZE": 1}])
def test_a_full_queue_answers_503_with_retry_after(app, db_url: str) -> None:
    client = app.test_client()
    with write_lock(db_url):
        accepted = fill(app.extensions["logdash.writer"])
        ingest = client.post("/ingest", json={"msg": "refused"})
        inspect = client.post("/inspect/x", data=b"hello", content_type="text/plain")
    for resp in (ingest, inspect):
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "1"
        assert "retry later" in resp.get_json()["error"]
    assert all(len(f.result(30).record_ids) == 1 for f in accepted)
    assert client.post("/ingest", json={"msg": "later"}).status_code == 200  # the writer lives on
    with app.extensions["logdash.engine"].connect() as conn:
        assert "refused" not in conn.execute(select(records.c.message)).scalars().all()


def test_the_write_lock_holds_across_processes(db_url: str, tmp_path) -> None:
    """One writer at a time on the file, whatever process it is in; the next gets in when it is let go."""
    engine = make_engine(db_url)
    path = db_url.removeprefix("sqlite:///")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from dashboard.store.engine import make_engine, write_lock\n"
        f"lock = write_lock(make_engine('sqlite:///{path}'))\n"
        "with lock:\n    print('held', flush=True); time.sleep(0.6)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with store_engine.write_lock(engine):
            waited = time.monotonic() - started
    finally:
        holder.wait(10)
        holder.stdout.close()
    assert 0.3 < waited < 5, waited
    engine.dispose()
