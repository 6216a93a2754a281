"""dashboard.ingest.parse on the real captured requests in tests/wire/: every stock case, other clients."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from parse_helpers import KEYS, RECEIVED, ZERO_DIV

from dashboard.ingest.parse import exception_summary, parse_record

WIRE = Path(__file__).parent / "wire"
STOCK_DIRS = ("py3.8.18", "py3.11.7", "py3.13.0")


def read_capture(path: Path) -> dict[str, Any]:
    """Fields of one captured request: query string (GET), urlencoded body, or JSON body.

    Raises ValueError for anything that is not an HTTP request (the SocketHandler pickle),
    which is therefore never unpickled.
    """
    head, sep, body = path.read_bytes().partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")  # binary junk fails here
    method, target, version = lines[0].split(" ")
    if not sep or not version.startswith("HTTP/1."):
        raise ValueError(f"{path.name} is not an HTTP request")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    body = body[: int(headers.get("content-length", len(body)))]
    if method == "GET":
        return dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
    if headers.get("content-type", "").startswith("application/json"):
        return json.loads(body)
    return dict(parse_qsl(body.decode("ascii"), keep_blank_values=True))


def parse_capture(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = read_capture(path)
    return fields, parse_record(fields, received=RECEIVED, app="demo", source="127.0.0.1")


STOCK = sorted(p for d in STOCK_DIRS for p in (WIRE / d).glob("*.bin"))


def test_all_captures_present() -> None:
    assert len(STOCK) == 48
    assert len(list((WIRE / "other-clients").glob("*.bin"))) == 7


# --- stock HTTPHandler, every case on every Python version -------------------------------------

def check_plain(f: dict, r: dict) -> None:
    assert r["message"] == r["msg"] == "hello world"
    assert r["lineno"] == 37


def check_args(f: dict, r: dict) -> None:
    # msg 'user %s logged in from %s (%d tries, %.2f s)', args "('alice', '10.0.0.1', 3, 0.5)"
    assert r["message"] == "user alice logged in from 10.0.0.1 (3 tries, 0.50 s)"
    assert r["msg"] == "user %s logged in from %s (%d tries, %.2f s)"
    assert r["args"] == "('alice', '10.0.0.1', 3, 0.5)"
    assert (r["levelno"], r["levelname"]) == (30, "WARNING")


def check_dictargs(f: dict, r: dict) -> None:
    assert r["msg"] == "%(a)s and %(b)r"
    assert r["message"] == "1 and 'two'"
    assert r["args"] == "{'a': 1, 'b': 'two'}"


def check_objargs(f: dict, r: dict) -> None:
    foo = re.search(r"<__main__\.Foo object at 0x[0-9a-f]+>", f["args"]).group()  # str() in the app, rebuilt
    assert r["message"] == f"2024-01-02 03:04:05 1.5 00000000-0000-0000-0000-000000000001 /x {foo} nan"
    assert (r["msg"], r["format_error"]) == ("%s %s %s %s %s %s", None)
    assert r["args"] == f["args"]
    assert r["args"].startswith("(datetime.datetime(2024, 1, 2, 3, 4, 5), Decimal('1.5'), UUID(")


def check_nonstrmsg(f: dict, r: dict) -> None:
    assert r["message"] == r["msg"] == "{'event': 'login', 'ok': True}"
    assert r["args"] is None


def check_exception(f: dict, r: dict) -> None:
    assert r["message"] == "failed to compute ratio"
    assert (r["levelno"], r["levelname"]) == (40, "ERROR")
    assert r["exc_text"] is None
    assert r["exc_info"].startswith("(<class 'ZeroDivisionError'>")
    assert exception_summary(r["exc_info"]) == ZERO_DIV


def check_extra(f: dict, r: dict) -> None:
    assert r["message"] == "with extra"


def check_stack(f: dict, r: dict) -> None:
    assert r["message"] == "with stack"
    assert r["stack_info"].startswith("Stack (most recent call last)")
    assert 'log.info("with stack", stack_info=True)' in r["stack_info"]


def check_get(f: dict, r: dict) -> None:
    assert r["message"] == "via GET q&a=1"
    assert r["args"] == "('q&a=1',)"


def check_creds(f: dict, r: dict) -> None:
    assert r["message"] == "with creds"


def check_unicode(f: dict, r: dict) -> None:
    assert r["message"] == "café ☃ 😀 <script>alert(1)</script>\x1b[31mred\x1b[0m\r\nFAKE line"


def check_bytesmsg(f: dict, r: dict) -> None:
    assert "\ufffd" in r["message"]
    assert r["message"].endswith(" raw bytes")
    assert r["message"] == "\ufffd\ufffd raw bytes"


def check_twice1(f: dict, r: dict) -> None:
    assert r["message"] == "first"


def check_twice2(f: dict, r: dict) -> None:
    assert r["message"] == "second"


def check_queue(f: dict, r: dict) -> None:
    assert r["message"] == f["message"] == f["msg"]
    assert r["message"].startswith("queued exc\nTraceback (most recent call last):\n")
    assert r["message"].endswith("ZeroDivisionError: division by zero")
    assert r["args"] is None
    assert r["exc_info"] is None


def check_formatted_first(f: dict, r: dict) -> None:
    assert r["message"] == "failed to compute ratio"
    assert r["exc_text"].startswith("Traceback (most recent call last):\n")
    assert r["exc_text"].endswith("ZeroDivisionError: division by zero")
    assert exception_summary(r["exc_info"]) == ZERO_DIV
    assert set(r["extra"]) == {"asctime"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", r["extra"]["asctime"])


EXTRA = {"extra": {"user": "x"}, "formatted_first": {"asctime": ...}}


@pytest.mark.parametrize("path", STOCK, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_stock_capture(path: Path) -> None:
    fields, r = parse_capture(path)
    assert set(r) == KEYS
    assert r["created"] == float(fields["created"]) and r["created"] != RECEIVED
    assert (r["app"], r["source"], r["name"]) == ("demo", "127.0.0.1", "demo.app")
    assert r["filename"] == "client.py" and r["module"] == "client" and r["funcName"] == "<module>"
    assert r["pathname"] in ("client.py", "/srv/demo1/client.py")
    assert (r["processName"], r["threadName"], r["taskName"]) == ("MainProcess", "MainThread", None)
    assert r["process"] == int(fields["process"]) and r["thread"] == int(fields["thread"])
    assert r["lineno"] == int(fields["lineno"])
    if path.stem not in ("args", "exception", "formatted_first", "queue"):
        assert (r["levelno"], r["levelname"]) == (20, "INFO")
    if path.stem not in ("exception", "formatted_first"):
        assert r["exc_info"] is None and r["exc_text"] is None
    if path.stem != "stack":
        assert r["stack_info"] is None
    if path.stem not in EXTRA:  # msecs / relativeCreated dropped, taskName is a column
        assert r["extra"] == {}
    elif path.stem == "extra":
        assert r["extra"] == {"user": "x"}
    globals()[f"check_{path.stem}"](fields, r)
    json.dumps(r)


def test_py38_fractional_msecs_dropped() -> None:
    fields, r = parse_capture(WIRE / "py3.8.18" / "plain.bin")
    assert fields["msecs"] == "758.5632801055908" and "taskName" not in fields
    assert r["extra"] == {} and r["taskName"] is None
    assert r["created"] == 1795221228.7585633


# --- other clients -----------------------------------------------------------------------------

def other(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return parse_capture(WIRE / "other-clients" / f"{name}.bin")


def test_sockethandler_pickle_is_not_a_request() -> None:
    with pytest.raises(ValueError):
        read_capture(WIRE / "other-clients" / "sockethandler.bin")


def test_jsonlogger_httphandler() -> None:
    _, r = other("jsonlogger_httphandler")
    assert r["message"] == "json formatter ignored by HTTPHandler"
    assert (r["name"], r["levelno"], r["levelname"], r["lineno"]) == ("app", 30, "WARNING", 43)
    assert r["extra"] == {} and r["taskName"] is None


def test_jsonlogger_requests() -> None:
    _, r = other("jsonlogger_requests")
    assert set(r) == KEYS
    assert r["message"] == "json via requests" and r["msg"] is None
    assert (r["name"], r["levelno"], r["levelname"]) == ("app", 30, "WARNING")
    assert r["created"] == RECEIVED
    assert r["extra"] == {"user": "alice"}
    assert r["lineno"] is None and r["pathname"] is None


def test_loguru_handler() -> None:
    _, r = other("loguru_handler")
    assert r["name"] == "__main__" and (r["levelno"], r["levelname"]) == (40, "ERROR")
    assert r["message"] == r["msg"]
    assert r["message"].startswith("2026-11-21 00:35:39.794 | ERROR    | __main__:<module>:26 - loguru boom 42\n")
    assert r["message"].endswith("ZeroDivisionError: division by zero\n")
    assert exception_summary(r["exc_info"]) == ZERO_DIV
    assert r["exc_text"] == "\n"
    assert r["extra"] == {"user": "alice"}  # extra="{'user': 'alice'}" unpacked


def test_loguru_requests() -> None:
    f, r = other("loguru_requests")
    assert r["msg"] == r["message"] == f["text"]
    assert r["message"].endswith("- loguru via requests\n")
    assert (r["levelno"], r["levelname"], r["name"]) == (20, "INFO", "root")
    assert r["created"] == datetime(2026, 11, 21, 0, 35, 40, 36159, tzinfo=UTC).timestamp()
    assert r["extra"] == {"user": "alice"}  # text, level, time consumed


def test_structlog_render() -> None:
    f, r = other("structlog_render")
    assert r["message"] == r["msg"] == f["msg"]  # JSON text rendered by structlog, shown as sent
    assert json.loads(r["message"])["event"] == "user_login"
    assert (r["name"], r["levelno"], r["funcName"]) == ("app", 20, "_proxy_to_logger")
    assert r["created"] == 1795221339.5329118
    assert r["extra"] == {}


def test_structlog_wrap() -> None:
    _, r = other("structlog_wrap")
    assert r["message"] == "{'user': 'alice', 'event': 'user_login', 'level': 'info'}"
    assert r["extra"] == {"_logger": "<Logger app (INFO)>", "_name": "info"}


def test_structlog_json_client() -> None:
    r = parse_record({"event": "user_login", "level": "warning", "user": "alice",
                      "timestamp": "2026-11-21T00:35:39.532853Z"}, received=RECEIVED)
    assert (r["msg"], r["message"], r["levelno"], r["levelname"]) == ("user_login", "user_login", 30, "WARNING")
    assert r["created"] == datetime(2026, 11, 21, 0, 35, 39, 532853, tzinfo=UTC).timestamp()
    assert r["extra"] == {"user": "alice"}
