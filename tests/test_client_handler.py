"""DashboardHandler against the real server: what the app formatted arrives as it was, and the app never waits."""
from __future__ import annotations

import datetime
import logging
import re
import statistics
import subprocess
import sys
import threading
import time

import pytest
from client_helpers import delayed, detached, hung_server, record, served_app
from conftest import free_port, http

from dashboard.client import DashboardHandler


def test_importing_the_handler_loads_only_the_standard_library() -> None:
    code = ("import sys; before = set(sys.modules); from dashboard.client import DashboardHandler; "
            "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "print(sorted(new - set(sys.stdlib_module_names) - {'dashboard'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_formatted_message_traceback_and_extras_arrive(live) -> None:
    handler = DashboardHandler(f"{live.url}/ingest", app="shop")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))  # not applied to `message`
    log = detached(handler)
    looped: list = [1]
    looped.append(looped)
    when = datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.UTC)
    log.info("user %s bought %d items", "ann", 3, extra={
        "order": {"id": 7, "items": ["a", "b"], "total": 9.5}, "when": when, "looped": looped,
        "big": "x" * 100_000, "time": "not the record's time"})
    try:
        try:
            {}["coupon"]
        except KeyError as e:
            raise ValueError("no coupon") from e
    except ValueError:
        exc_info = sys.exc_info()
        log.exception("order %d failed", 1042)
    log.warning("100% sure, {literally}")
    log.error("%d items", "three")  # the app's own mistake: the dashboard says why, the app goes on
    log.info("here", stack_info=True)
    assert handler.flush(10)
    handler.close()
    rows = {r["msg"]: record(live, r["id"]) for r in live.records(app="shop")}
    bought = rows["user %s bought %d items"]
    assert bought["message"] == "user ann bought 3 items" and bought["args"] == "('ann', 3)"
    assert bought["name"] == "shop.checkout" and bought["levelname"] == "INFO" and bought["app"] == "shop"
    assert bought["funcName"] == "test_the_formatted_message_traceback_and_extras_arrive"
    assert bought["pathname"] == __file__ and bought["thread"] == threading.get_ident()
    extra = bought["extra"]
    assert extra["order"] == {"id": 7, "items": ["a", "b"], "total": 9.5} and extra["when"] == repr(when)
    assert extra["time"] == "not the record's time" and abs(bought["created"] - time.time()) < 30
    assert isinstance(extra["looped"], list) and isinstance(extra["looped"][1], list)  # bounded, not endless
    assert extra["big"].startswith("x" * 1000) and extra["big"].endswith("[truncated, 100,000 characters]")
    failed = rows["order %d failed"]
    assert failed["message"] == "order 1042 failed" and failed["levelname"] == "ERROR"
    assert failed["exc_text"] == logging.Formatter().formatException(exc_info)
    assert "KeyError: 'coupon'" in failed["exc_text"] and failed["exc_type"] == "ValueError"
    assert rows["100% sure, {literally}"]["message"] == "100% sure, {literally}"
    mistake = rows["%d items"]
    assert mistake["message"] == "%d items" and mistake["format_error"] and mistake["args"] == "('three',)"
    assert rows["here"]["stack_info"].startswith("Stack (most recent call last):")


@pytest.fixture(params=["slow", "down", "hung"])
def troubled_url(request, app):
    """An ingest URL whose server answers slowly, is not there, or accepts and never answers."""
    if request.param == "slow":
        with served_app(delayed(app, delay=0.2)) as url:
            yield request.param, f"{url}/ingest"
    elif request.param == "down":
        yield request.param, f"http://127.0.0.1:{free_port()}/ingest"
    else:
        with hung_server() as port:
            yield request.param, f"http://127.0.0.1:{port}/ingest"


def test_emit_returns_at_once_whatever_the_server_does(troubled_url) -> None:
    state, url = troubled_url
    handler = DashboardHandler(url, app="timed")
    log = detached(handler)
    took = []
    for i in range(1000):
        start = time.perf_counter()
        log.info("request %d served", i, extra={"path": "/cart", "ms": 12.5})
        took.append(time.perf_counter() - start)
    assert statistics.median(took) < 200e-6, f"{state}: median {statistics.median(took) * 1e6:.0f} µs"
    # the slowest call waits for the GIL (the slow server runs in this process), never for the network (5 s)
    assert max(took) < 0.5, f"{state}: slowest {max(took) * 1e3:.1f} ms"
    if state == "slow":  # slow is not lost: all of it arrives
        assert handler.flush(20)
        status, body = http(url.replace("/ingest", "/api/records?app=timed&limit=1"))
        assert status == 200 and body["records"][0]["message"] == "request 999 served"
    started = time.monotonic()
    handler.close(timeout=0.5)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("app_settings", [{"INGEST_TOKEN": "s3cret"}])
def test_a_refused_batch_is_reported_once_and_the_token_goes_as_bearer(live, capsys) -> None:
    wrong = DashboardHandler(f"{live.url}/ingest", app="tok", token="wrong")
    log = detached(wrong)
    for i in range(3):
        log.warning("refused %d", i)
        assert wrong.flush(10)  # refused is settled: no retrying for ever
    wrong.close()
    lines = [line for line in capsys.readouterr().err.splitlines() if "logdash.client" in line]
    assert len(lines) == 1 and "refused 1 records (401: token wrong)" in lines[0] and "s3cret" not in lines[0]
    right = DashboardHandler(f"{live.url}/ingest", app="tok", token="s3cret")
    detached(right).warning("let in")
    assert right.flush(10)
    right.close()
    assert [r["message"] for r in live.records(app="tok")] == ["let in"]


def test_a_flood_keeps_the_queue_bound_and_the_drop_count_arrives(app) -> None:
    gate = threading.Event()  # the server takes nothing until the flood is over
    with served_app(delayed(app, gate)) as url:
        handler = DashboardHandler(f"{url}/ingest", app="flood", capacity=50, batch_size=20)
        log = detached(handler)
        peak = 0
        for i in range(1000):
            log.info("flood %d", i)
            peak = max(peak, handler.queued)
        assert peak == 50
        gate.set()
        assert handler.flush(20)
        handler.close()
        status, body = http(f"{url}/api/records?app=flood&limit=1000")
    assert status == 200
    notices = [r for r in body["records"] if r["name"] == "logdash.client"]
    assert notices and all(r["levelname"] == "WARNING" for r in notices)
    dropped = sum(int(re.fullmatch(r"dropped (\d+) records: queue full.*", r["message"]).group(1)) for r in notices)
    arrived = [r["message"] for r in body["records"] if r["name"] != "logdash.client"]
    assert len(arrived) == len(set(arrived)) and len(arrived) + dropped == 1000
    assert {f"flood {i}" for i in range(950, 1000)} <= set(arrived)  # the oldest go first


@pytest.mark.parametrize("app_settings", [{"MAX_BODY": 4000}])
def test_a_batch_over_the_servers_limit_is_split_and_a_record_over_it_refused(live, capsys) -> None:
    gate = threading.Event()  # held back until all are queued, so they go as one batch of about 12 KB
    with served_app(delayed(live.app, gate)) as url:
        handler = DashboardHandler(f"{url}/ingest", app="split")
        log = detached(handler)
        log.info("warm up")  # taken alone; the rest queue up behind it
        for i in range(40):
            log.info("record %02d %s", i, "x" * 100)
            if i == 25:
                log.info("huge %s", "y" * 10_000)
        gate.set()
        assert handler.flush(20)
        handler.close()
    messages = {r["message"][:9] for r in live.records(app="split", limit="100")}
    assert messages == {"warm up", *(f"record {i:02d}" for i in range(40))}
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "logdash.client" in line]
    assert "refused 1 records (413: body over 4,000 bytes" in line


@pytest.mark.parametrize("app_settings", [{"INGEST_TOKEN": "s3cret"}])
def test_credentials_in_the_url_go_as_basic_auth(live) -> None:
    handler = DashboardHandler(f"http://myapp:s3cret@127.0.0.1:{live.port}/ingest", app="basic")
    detached(handler).info("with credentials")
    assert handler.flush(10)
    handler.close()
    assert [r["message"] for r in live.records(app="basic")] == ["with credentials"]
