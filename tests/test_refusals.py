"""Refusals are never silent: one console line each (a flood summarised), and 503s reach the inspector."""
from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import Future
from pathlib import Path

import pytest

from dashboard.ingest.parse import parse_record, to_row
from dashboard.ingest.refusals import RefusalLog
from dashboard.store.writer import QueueFull

TOKEN = "refusal-token"


def serve_log(tmp_path: Path, port: int) -> Path:
    return tmp_path / f"serve-{port}.log"  # where the `serve` fixture sends the server's output


def refused_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines() if "refused /ingest" in line]


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.05)
    return predicate()


def test_a_refusal_is_one_line_on_the_serve_console(serve, db_url, tmp_path: Path) -> None:
    live = serve(db_url, workers=1, env={"LOGDASH_INGEST_TOKEN": TOKEN})
    status, _ = live.post("/ingest?token=leaked-value", b'{"msg": "x"}', "application/json")
    assert status == 401
    [line] = wait_for(lambda: refused_lines(serve_log(tmp_path, live.port)))
    assert "WARNING" in line and "127.0.0.1" in line and "401 token wrong" in line
    assert "/inspector" in line and "leaked-value" not in line


def test_a_flood_of_refusals_is_rate_limited_on_the_console(serve, db_url, tmp_path: Path) -> None:
    live = serve(db_url, workers=1, env={"LOGDASH_INGEST_TOKEN": TOKEN})
    for _ in range(40):
        assert live.post("/ingest", b'{"msg": "x"}', "application/json")[0] == 401
    status, listing = live.get("/api/requests?status=401&limit=100")
    assert status == 200 and len(listing["requests"]) == 40  # every one is in the inspector
    time.sleep(0.5)
    assert len(refused_lines(serve_log(tmp_path, live.port))) == 5


def test_the_summary_counts_what_was_not_shown(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.refusals")
    refusals = RefusalLog(logger, burst=3, window=0.5)
    with caplog.at_level(logging.WARNING, logger="test.refusals"):
        for i in range(10):
            refusals.refused(401, "token missing", f"10.0.0.{i}")
        assert len(caplog.records) == 3  # the rest wait for the window's end
        assert wait_for(lambda: len(caplog.records) == 4, timeout=3)
        assert "and 7 more refusals in the last 0.5 s" in caplog.records[-1].getMessage()
        time.sleep(0.6)  # a new window: lines again
        refusals.refused(400, "bad body", "10.0.0.99")
    assert "10.0.0.99: 400 bad body" in caplog.records[-1].getMessage()
    assert len(caplog.records) == 5


def refused_count(reason: str) -> int:
    """How many refusals a stored row stands for ("12 requests refused ..." or one)."""
    match = re.match(r"(\d+) requests refused", reason)
    return int(match.group(1)) if match else 1


@pytest.mark.parametrize("app_settings", [{"QUEUE_SIZE": 2}])
def test_503s_are_in_the_inspector(live, db_url: str) -> None:
    lock = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the writer now waits for the database and its queue fills
    statuses: list[int] = []

    def send(i: int) -> None:
        req = urllib.request.Request(f"{live.url}/ingest?app=flood", data=json.dumps({"msg": f"m{i}"}).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                statuses.append(resp.status)
        except urllib.error.HTTPError as e:
            statuses.append(e.code)
            e.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
        time.sleep(0.02)
    time.sleep(0.3)
    lock.execute("ROLLBACK")
    lock.close()
    for t in threads:
        t.join(30)
    refused = statuses.count(503)
    assert refused and len(statuses) == 16

    def stored_503s() -> list[dict]:
        status, listing = live.get("/api/requests?status=503&limit=100")
        assert status == 200
        rows = listing["requests"]
        return rows if sum(refused_count(r["reason"]) for r in rows) == refused else []

    rows = wait_for(stored_503s, timeout=10)
    assert rows, live.get("/api/requests?status=503")
    assert all("writer queue full" in r["reason"] and r["path"] == "/ingest" for r in rows)
    status, one = live.get(f"/api/requests/{rows[0]['id']}")
    assert status == 200 and one["query"] == "app=flood" and one["method"] == "POST"


@pytest.mark.parametrize("app_settings", [{"QUEUE_SIZE": 1, "BATCH_SIZE": 1, "INGEST_TOKEN": TOKEN}])
def test_refusals_with_no_room_in_the_queue_are_stored_later(app, db_url: str) -> None:
    """A 401 or a request-bin 503 while the queue is full: tallied, then stored once the writer has room."""
    client, writer = app.test_client(), app.extensions["logdash.writer"]
    lock = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        queued: list[Future] = []
        deadline = time.monotonic() + 10
        while len(queued) < 2 and time.monotonic() < deadline:  # one job waits for the lock, one fills the queue
            try:
                queued.append(writer.submit([to_row(parse_record({"msg": "queued"}, received=time.time()))]))
            except QueueFull:
                time.sleep(0.01)
        assert client.post("/inspect/bin", data=b"hello").status_code == 503
        assert client.post("/ingest", json={"msg": "no token"}).status_code == 401
        assert writer.overflow
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    def stored() -> dict[int, list[str]]:
        rows = client.get("/api/requests?status=failed&limit=100").get_json()["requests"]
        by_status: dict[int, list[str]] = {}
        for row in rows:
            by_status.setdefault(row["status"], []).append(row["reason"])
        return by_status if {401, 503} <= set(by_status) else {}

    by_status = wait_for(stored, timeout=10)
    assert by_status[401] == ["token missing"]
    assert all("writer queue full" in reason for reason in by_status[503])


def test_what_the_client_sent_cannot_drive_the_terminal(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="dashboard.ingest")
    RefusalLog().refused(400, "unsupported Content-Type text/\x1b[31mred\u202e", "10.0.0.1", "/ingest\x07")
    [line] = [r.getMessage() for r in caplog.records]
    assert "unsupported Content-Type text/" in line and "red" in line
    assert not any(ch in line for ch in "\x1b\x07\u202e")


def test_with_log_format_json_every_log_line_is_one_json_object(serve, db_url, tmp_path: Path) -> None:
    live = serve(db_url, workers=1, env={"LOGDASH_INGEST_TOKEN": TOKEN, "LOGDASH_LOG_FORMAT": "json"})
    assert live.post("/ingest", b'{"msg": "x"}', "application/json")[0] == 401
    with socket.create_connection(("127.0.0.1", live.port)) as sock:  # a request gunicorn itself refuses
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n")
        sock.recv(100)
    path = serve_log(tmp_path, live.port)
    lines = wait_for(lambda: [line for line in path.read_text().splitlines() if line.startswith("{")]
                     if "Invalid request" in path.read_text() else None)
    parsed = [json.loads(line) for line in lines]
    assert all(set(p) >= {"time", "level", "logger", "pid", "message"} for p in parsed)
    refused = [p for p in parsed if p["logger"] == "dashboard.ingest"]
    assert refused and refused[0]["level"] == "WARNING" and "401 token missing" in refused[0]["message"]
    assert any(p["logger"] == "gunicorn.error" and "Invalid request" in p["message"] for p in parsed)
