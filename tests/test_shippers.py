"""Real shippers' JSON, produced by the libraries themselves and posted to a running server, stored as the
logging records they describe: level, logger, the app's time, message and a searchable exception."""
from __future__ import annotations

import io
import json
import logging
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import structlog
from conftest import Live, http
from loguru import logger as loguru_logger


def post_json(live: Live, body: str | bytes, content_type: str = "application/json") -> None:
    data = body.encode() if isinstance(body, str) else body
    status, answer = live.post("/ingest", data, content_type)
    assert status == 200, answer


@pytest.fixture
def loguru_sink() -> Iterator[Any]:
    """Add a loguru sink for one test (removed after); loguru's own stderr output is left as it is."""
    ids: list[int] = []

    def add(sink: Any, **kw: Any) -> None:
        ids.append(loguru_logger.add(sink, **kw))

    yield add
    for handler_id in ids:
        loguru_logger.remove(handler_id)


def pay(order: int) -> float:
    return order / 0


def by_message(live: Live, **args: str) -> dict[str, dict[str, Any]]:
    return {r["message"]: r for r in live.records(**args)}


# --- loguru ----------------------------------------------------------------------------------------

def test_loguru_serialize_lines_are_their_records(serve, db_url, loguru_sink) -> None:
    live = serve(db_url, workers=2)  # as deployed: gunicorn workers
    seen: list[dict[str, Any]] = []
    loguru_sink(lambda message: (seen.append(message.record), post_json(live, str(message), "application/x-ndjson")),
                serialize=True, level="TRACE")
    log = loguru_logger.bind(user="ann")
    log.info("order {} placed", 7)
    try:
        pay(7)
    except ZeroDivisionError:
        log.exception("order {} failed", 7)
    log.success("order {} shipped", 7)
    records = by_message(live)
    assert set(records) == {r["message"] for r in seen} == {"order 7 placed", "order 7 failed", "order 7 shipped"}
    for sent in seen:
        stored = records[sent["message"]]
        assert (stored["levelno"], stored["levelname"]) == (sent["level"].no, sent["level"].name)
        assert stored["created"] == pytest.approx(sent["time"].timestamp(), abs=1e-6)
        assert (stored["name"], stored["funcName"], stored["lineno"]) == (sent["name"], sent["function"], sent["line"])
        assert (stored["pathname"], stored["filename"]) == (sent["file"].path, sent["file"].name)
        assert (stored["process"], stored["thread"]) == (sent["process"].id, sent["thread"].id)
        assert stored["extra"]["user"] == "ann" and "text" not in stored["extra"]
    failed = records["order 7 failed"]
    assert (failed["exc_type"], failed["exc_value"]) == ("ZeroDivisionError", "division by zero")
    assert failed["exc_text"].startswith("Traceback (most recent call last):")
    assert "in pay" in failed["exc_text"] and failed["exc_text"].endswith("ZeroDivisionError: division by zero")
    assert records["order 7 shipped"]["levelname"] == "SUCCESS"  # loguru's own level 25
    assert [r["message"] for r in live.records(level="ERROR")] == ["order 7 failed"]
    assert [r["message"] for r in live.records(q="ZeroDivisionError")] == ["order 7 failed"]


def test_a_sink_posting_message_record_as_json_or_form(live, loguru_sink) -> None:
    seen: list[dict[str, Any]] = []

    def as_json(message: Any) -> None:  # also what requests.post(json=json.loads(...default=str)) sends
        seen.append(message.record)
        post_json(live, json.dumps(message.record, default=str))

    def as_form(message: Any) -> None:  # also what requests.post(data=message.record) sends
        seen.append(message.record)
        post_json(live, urllib.parse.urlencode(message.record), "application/x-www-form-urlencoded")

    for sink in (as_json, as_form):
        loguru_sink(sink, level="DEBUG", filter=lambda r, sink=sink: r["extra"].get("via") == sink.__name__)
        log = loguru_logger.bind(via=sink.__name__)
        log.warning("low stock via {}", sink.__name__)
        try:
            pay(1)
        except ZeroDivisionError:
            log.exception("payment failed via {}", sink.__name__)
    records = by_message(live)
    assert len(records) == len(seen) == 4
    for sent in seen:
        stored = records[sent["message"]]
        assert (stored["levelno"], stored["levelname"]) == (sent["level"].no, sent["level"].name)
        assert stored["created"] == pytest.approx(sent["time"].timestamp(), abs=1e-6)
        assert (stored["name"], stored["funcName"], stored["lineno"]) == (sent["name"], sent["function"], sent["line"])
        assert stored["pathname"] == sent["file"].path and stored["processName"] == sent["process"].name
        assert (stored["process"], stored["thread"]) == (sent["process"].id, sent["thread"].id)
        assert stored["extra"]["via"] in ("as_json", "as_form")
        if sent["exception"] is None:
            assert stored["exc_type"] is None and stored["exc_text"] is None
        else:
            assert (stored["exc_type"], stored["exc_value"]) == ("ZeroDivisionError", "division by zero")
            assert stored["exc_text"] == "ZeroDivisionError: division by zero"  # loguru sends no traceback here
    assert len(live.records(level="ERROR")) == 2 and len(live.records(level="WARNING")) == 4


# --- structlog ---------------------------------------------------------------------------------------

def structlog_lines(exception_processor: Any, emit: Any) -> list[str]:
    """What structlog's JSONRenderer writes through a stdlib logger named shop.pay, one line per event."""
    out = io.StringIO()
    std = logging.Logger("shop.pay", level=logging.DEBUG)
    std.addHandler(logging.StreamHandler(out))
    log = structlog.wrap_logger(std, processors=[
        structlog.stdlib.add_logger_name, structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"), exception_processor, structlog.processors.JSONRenderer()])
    emit(log)
    return out.getvalue().splitlines()


def test_structlog_json_with_format_exc_info(live) -> None:
    def emit(log: Any) -> None:
        log.info("order_placed", order=7)
        try:
            pay(7)
        except ZeroDivisionError:
            log.error("payment_failed", order=7, exc_info=True)  # log.exception would reach the stdlib logger

    lines = structlog_lines(structlog.processors.format_exc_info, emit)
    post_json(live, "\n".join(lines), "application/x-ndjson")
    sent = {e["event"]: e for e in map(json.loads, lines)}
    records = by_message(live)
    for event, stored in records.items():
        assert stored["name"] == sent[event]["logger"] == "shop.pay"
        assert stored["levelname"] == sent[event]["level"].upper()
        assert stored["created"] == datetime.fromisoformat(sent[event]["timestamp"]).timestamp()
        assert stored["extra"] == {"order": 7}
    failed = records["payment_failed"]
    assert failed["levelno"] == logging.ERROR and failed["exc_text"] == sent["payment_failed"]["exception"]
    assert (failed["exc_type"], failed["exc_value"]) == ("ZeroDivisionError", "division by zero")
    assert [r["message"] for r in live.records(q="ZeroDivisionError")] == ["payment_failed"]
    assert [r["message"] for r in live.records(level="ERROR")] == ["payment_failed"]


def test_structlog_dict_tracebacks_are_rendered_as_text(live) -> None:
    def emit(log: Any) -> None:
        try:
            try:
                pay(1)
            except ZeroDivisionError as e:
                raise KeyError("order 1") from e
        except KeyError:
            log.error("lookup_failed", exc_info=True)

    lines = structlog_lines(structlog.processors.dict_tracebacks, emit)
    post_json(live, lines[0])
    (stacks,) = [json.loads(line)["exception"] for line in lines]
    (stored,) = live.records()
    assert stored["levelname"] == "ERROR" and stored["name"] == "shop.pay" and "exception" not in stored["extra"]
    text = stored["exc_text"]
    assert text.index("ZeroDivisionError: division by zero") < text.index("direct cause") < text.index("KeyError")
    for stack in stacks:  # every frame of every exception in the chain
        for frame in stack["frames"]:
            assert f'File "{frame["filename"]}", line {frame["lineno"]}, in {frame["name"]}' in text
    assert (stored["exc_type"], stored["exc_value"]) == ("KeyError", stacks[0]["exc_value"])
    assert [r["message"] for r in live.records(q="ZeroDivisionError")] == ["lookup_failed"]


# --- python-json-logger ---------------------------------------------------------------------------

class JsonPoster(logging.Handler):
    """What an app does with python-json-logger and an HTTP endpoint: POST each formatted line."""

    def __init__(self, live: Live) -> None:
        super().__init__()
        self.live = live
        self.sent: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.sent.append(record)
        post_json(self.live, self.format(record))


@pytest.fixture
def notice_level() -> Iterator[int]:
    """logging.addLevelName(25, "NOTICE") in this process, as the app does, undone afterwards."""
    names, numbers = dict(logging._levelToName), dict(logging._nameToLevel)  # no public way to undo it
    logging.addLevelName(25, "NOTICE")
    yield 25
    logging._levelToName.clear()
    logging._levelToName.update(names)
    logging._nameToLevel.clear()
    logging._nameToLevel.update(numbers)


def json_logger(live: Live, fmt: str) -> tuple[logging.Logger, JsonPoster]:
    from pythonjsonlogger.json import JsonFormatter

    handler = JsonPoster(live)
    handler.setFormatter(JsonFormatter(fmt))
    log = logging.Logger("shop.mail", level=1)
    log.addHandler(handler)
    return log, handler


def test_python_json_logger_custom_level_is_learned(serve, db_url, notice_level) -> None:
    live = serve(db_url, workers=1)  # a fresh process: NOTICE is not known yet
    bare, bare_handler = json_logger(live, "%(levelname)s %(name)s %(message)s %(created)f")
    full, _ = json_logger(live, "%(levelname)s %(levelno)s %(name)s %(message)s %(created)f")
    bare.log(notice_level, "before any number")
    full.log(notice_level, "with its number")
    bare.log(notice_level, "name alone again")
    records = by_message(live)
    assert {m: (r["levelno"], r["levelname"]) for m, r in records.items()} == {
        "before any number": (20, "NOTICE"), "with its number": (25, "NOTICE"), "name alone again": (25, "NOTICE")}
    last = records["name alone again"]
    assert last["name"] == "shop.mail" and last["created"] == pytest.approx(bare_handler.sent[-1].created, abs=1e-6)

    again = serve(db_url, workers=2)  # another start: every worker is seeded from what was stored
    bare, _ = json_logger(again, "%(levelname)s %(name)s %(message)s")
    for n in range(4):
        bare.log(notice_level, f"after restart {n}")
    after = [r for r in again.records() if r["message"].startswith("after restart")]
    assert len(after) == 4 and {(r["levelno"], r["levelname"]) for r in after} == {(25, "NOTICE")}
    assert len(again.records(level="25")) == 6


def test_python_json_logger_traceback_in_exc_info_is_shown(live) -> None:
    log, handler = json_logger(live, "%(levelname)s %(levelno)s %(name)s %(message)s %(created)f")
    try:
        pay(3)
    except ZeroDivisionError:
        log.exception("payment failed")
    sent = json.loads(handler.format(handler.sent[0]))
    (stored,) = live.records(q="ZeroDivisionError")
    assert stored["exc_text"] == sent["exc_info"] and stored["exc_info"] is None
    assert (stored["exc_type"], stored["exc_value"]) == ("ZeroDivisionError", "division by zero")
    assert (stored["levelno"], stored["name"]) == (40, "shop.mail")
    status, html = http(f"{live.url}/records/{stored['id']}", headers={"Accept": "text/html"})
    assert status == 200 and 'id="traceback"' in html and "ZeroDivisionError: division by zero" in html
    assert "The traceback was not sent" not in html
