"""The writer: batches commit together, and every job learns exactly which rows are its own."""
from __future__ import annotations

import threading

from flask import Flask, request
from sqlalchemy import select

from dashboard.ingest.parse import parse_record, to_row
from dashboard.inspector.capture import capture as capture_request
from dashboard.store.engine import make_engine
from dashboard.store.schema import records, requests
from dashboard.store.writer import Writer


def row(msg: str) -> dict:
    """A record row as ingest stores it."""
    return to_row(parse_record({"msg": msg, "name": "w", "created": "1.0"}, received=1.0))


def capture(marker: str) -> dict:
    """A captured-request row as the inspector stores it."""
    with Flask(__name__).test_request_context(f"/ingest/{marker}", method="POST"):
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
