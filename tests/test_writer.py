"""The writer: batches commit together, and every job learns exactly which rows are its own."""
from __future__ import annotations

import json
import threading

from sqlalchemy import select

from dashboard.db import make_engine
from dashboard.models import records, requests
from dashboard.writer import Writer


def row(msg: str) -> dict:
    return {"created": 1.0, "app": None, "name": "w", "levelno": 20, "levelname": "INFO", "message": msg,
            "msg": msg, "args": None, "pathname": None, "filename": None, "module": None, "lineno": None,
            "funcName": None, "process": None, "processName": None, "thread": None, "threadName": None,
            "taskName": None, "exc_info": None, "exc_text": None, "stack_info": None, "extra": "{}",
            "source": None}


def capture(marker: str) -> dict:
    return {"time": 1.0, "method": "POST", "path": f"/ingest/{marker}", "query": "", "http_version": "HTTP/1.1",
            "remote_addr": None, "headers": json.dumps([]), "body": b"", "body_size": 0, "truncated": False,
            "status": 200, "reason": None, "response": None}


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
