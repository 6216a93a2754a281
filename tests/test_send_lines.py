"""The line reader of `logdash send`: levels, loggers and times from the usual prefixes; tracebacks kept whole."""
from __future__ import annotations

import io
import json
import logging
import traceback
from datetime import datetime, timedelta

import pytest

from dashboard.client.lines import LineParser, parse_plain

NOW = datetime(2026, 11, 21, 12, 0, 0).timestamp()  # local noon


def local(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize(("line", "level", "name", "message"), [
    ("WARNING:root:disk low", "WARNING", "root", "disk low"),
    ("ERROR:app.db:query: failed", "ERROR", "app.db", "query: failed"),
    ("DEBUG:__main__:x", "DEBUG", "__main__", "x"),
    ("[ERROR] boom", "ERROR", None, "boom"),
    ("[warn] careful", "WARNING", None, "careful"),
    ("Error: file missing", "ERROR", None, "file missing"),
    ("INFO:     Started server process [42]", "INFO", None, "Started server process [42]"),
    ("FATAL: db gone", "CRITICAL", None, "db gone"),
    ("crit: hot", "CRITICAL", None, "hot"),
    ("ERR: nope", "ERROR", None, "nope"),
    ("trace: deep", "TRACE", None, "deep"),
    ("notice: fyi", "NOTICE", None, "fyi"),
    ("just text", "INFO", None, "just text"),
    ("info about the weather", "INFO", None, "info about the weather"),   # no colon, no brackets: text
    ("errors: 3 found", "INFO", None, "errors: 3 found"),                 # a word that starts like a level
    ("2026-11-21 10:00:00,123 ERROR shop.db: lost", "ERROR", "shop.db", "lost"),
    ("2026-11-21 10:00:00,123 ERROR Failed: reason", "ERROR", None, "Failed: reason"),  # not a logger name
    ("2026-11-21 10:00:00,123 - shop.web - INFO - served", "INFO", "shop.web", "served"),
    ("2026-11-21 10:00:00,123:DEBUG:asyncio:Using selector: Epoll", "DEBUG", "asyncio", "Using selector: Epoll"),
    ("2026-11-21T10:00:00Z [error] msg", "ERROR", None, "msg"),
    ("10:00:00 WARN msg", "WARNING", None, "msg"),
    ("2026-11-21 10:00:00 something happened", "INFO", None, "something happened"),
    ("[2026-11-21 10:00:00 +0000] [123] [INFO] Starting gunicorn", "INFO", None, "Starting gunicorn"),
    ("[2026-11-21 10:00:00,123] ERROR in app: Exception on / [GET]", "ERROR", None, "Exception on / [GET]"),
    ("2026-11-21 10:00:00.123 | ERROR    | __main__:<module>:5 - from loguru", "ERROR", "__main__", "from loguru"),
])
def test_the_usual_prefixes(line: str, level: str, name: str | None, message: str) -> None:
    fields = parse_plain(line, NOW)
    assert (fields["levelname"], fields.get("name"), fields["message"]) == (level, name, message)
    assert fields["msg"] == message
    assert fields["levelno"] == ({"TRACE": 5, "NOTICE": 25}.get(level) or logging.getLevelName(level))


@pytest.mark.parametrize(("line", "created"), [
    ("2026-11-21 10:00:00,123 INFO x", local("2026-11-21T10:00:00.123")),   # asctime: local time
    ("2026-11-21T10:00:00Z [info] x", datetime.fromisoformat("2026-11-21T10:00:00+00:00").timestamp()),
    ("2026-11-21T10:00:00.5+02:00 INFO x", datetime.fromisoformat("2026-11-21T10:00:00.5+02:00").timestamp()),
    ("[2026-11-21 10:00:00 +0000] [1] [INFO] x", datetime.fromisoformat("2026-11-21T10:00:00+00:00").timestamp()),
    ("10:00:00 WARN x", local("2026-11-21T10:00:00")),                        # today
    ("23:59:59 WARN x", local("2026-11-20T23:59:59")),                        # hours ahead: yesterday
    ("WARNING:root:x", NOW),                                                   # no time: when it was read
])
def test_times_become_created(line: str, created: float) -> None:
    assert parse_plain(line, NOW)["created"] == pytest.approx(created)


def feed_all(text: str, parser: LineParser | None = None) -> list[dict]:
    parser = parser or LineParser()
    out = [record for line in io.StringIO(text) for record in parser.feed(line, NOW)]
    return out + parser.end()


def logged(fmt: str, log: callable) -> str:
    """What a real app's logging prints with `fmt` while `log(logger)` runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    logger = logging.Logger("shop.db", level=logging.DEBUG)
    logger.addHandler(handler)
    log(logger)
    return stream.getvalue()


def chained(logger: logging.Logger) -> None:
    logger.info("starting")
    try:
        try:
            {}["coupon"]
        except KeyError as e:
            raise ValueError("no coupon") from e
    except ValueError:
        logger.exception("order %d failed", 7)
    try:
        try:
            int("x")
        except ValueError:
            raise OSError("disk")  # noqa: B904 (the other chain: during handling)
    except OSError:
        logger.error("second", exc_info=True)
    logger.warning("multi\n  line")


@pytest.mark.parametrize("fmt", [logging.BASIC_FORMAT, "%(asctime)s %(levelname)s %(name)s: %(message)s"])
def test_a_logged_traceback_stays_with_its_line(fmt: str) -> None:
    text = logged(fmt, chained)
    records = feed_all(text)
    assert [(r["levelname"], r["name"], r["message"]) for r in records] == [
        ("INFO", "shop.db", "starting"), ("ERROR", "shop.db", "order 7 failed"), ("ERROR", "shop.db", "second"),
        ("WARNING", "shop.db", "multi\n  line")]
    first, second = records[1]["exc_text"], records[2]["exc_text"]
    assert first.startswith("Traceback (most recent call last):") and first.endswith("ValueError: no coupon")
    assert "KeyError: 'coupon'\n\nThe above exception was the direct cause of the following exception:" in first
    assert "During handling of the above exception, another exception occurred:" in second
    assert second.endswith("OSError: disk") and first + "\n" in text and second + "\n" in text  # exactly as printed


def test_a_traceback_of_its_own_is_an_error_named_by_its_last_line() -> None:
    try:
        int("x")
    except ValueError as e:
        block = "".join(traceback.format_exception(e))
    # nothing before it, a blank line between, or just after an INFO line or a print (then the app crashed)
    for text in (block, "ERROR:x:done\n\n" + block, "INFO:x:done\n" + block, "a print\n" + block):
        records = feed_all(text + "after\n")
        alone = records[-2]
        assert alone["levelname"] == "ERROR" and alone["message"] == block.rstrip().splitlines()[-1]
        assert alone["message"].startswith("ValueError: invalid literal")
        assert alone["exc_text"] == block.rstrip() and alone["created"] == NOW
        assert records[-1]["message"] == "after" and "exc_text" not in records[-1]


def test_an_exception_group_is_one_block() -> None:
    try:
        raise ExceptionGroup("many", [ValueError("a"), TypeError("b")])
    except ExceptionGroup:
        text = logged(logging.BASIC_FORMAT, lambda log: log.exception("grouped"))
    records = feed_all(text + "INFO:x:next\n")
    assert [r["message"] for r in records] == ["grouped", "next"]
    assert "ValueError: a" in records[0]["exc_text"] and "TypeError: b" in records[0]["exc_text"]


def test_json_lines_go_as_they_are() -> None:
    shipped = {"event": "paid", "level": "info", "logger": "billing", "timestamp": "2026-11-21T10:00:00Z"}
    records = feed_all(json.dumps(shipped) + '\n{"no": "message"}\n[1, 2]\n{broken\n')
    assert records[0] == shipped
    assert [r["message"] for r in records[1:]] == ['{"no": "message"}', "[1, 2]", "{broken"]


def test_idle_hands_over_a_waiting_line_but_not_half_a_traceback() -> None:
    parser = LineParser()
    assert parser.feed("ERROR:x:boom\n", NOW) == []
    assert [r["message"] for r in parser.idle()] == ["boom"]
    parser.feed("ERROR:x:again\n", NOW)
    parser.feed("Traceback (most recent call last):\n", NOW)
    parser.feed('  File "a.py", line 1, in <module>\n', NOW)
    assert parser.idle() == []  # the rest of the traceback is on its way
    parser.feed("KeyError: 'k'\n", NOW)
    (record,) = parser.idle()
    assert record["message"] == "again" and record["exc_text"].endswith("KeyError: 'k'")


def test_colours_and_carriage_returns_are_dropped() -> None:
    (record,) = feed_all("\x1b[31mERROR\x1b[0m:app:red\r\n")
    assert (record["levelname"], record["name"], record["message"]) == ("ERROR", "app", "red")


def test_a_time_an_hour_ahead_is_yesterday_only_without_a_date() -> None:
    later = (datetime.fromtimestamp(NOW) + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    assert parse_plain(f"{later} INFO x", NOW)["created"] == pytest.approx(NOW + 3 * 3600)
