"""Every real capture in tests/wire/, replayed byte for byte (and re-sent with the other method)."""
from __future__ import annotations

import ast
import re
from datetime import datetime
from decimal import Decimal
from pathlib import PurePosixPath
from uuid import UUID

import pytest
from wire_replay import OTHERS, STOCK, WIRE, as_get, as_post, fields_of, send_raw

CASES = [pytest.param(p, id=f"{p.parent.name}/{p.stem}") for p in STOCK]


def expected_message(case: str, fields: dict[str, str]) -> str:
    """What LogRecord.getMessage gave in the app, rebuilt from the capture (the test data is trusted)."""
    if case == "bytesmsg":  # invalid UTF-8 escapes are kept as sent, not replaced: nothing is lost
        return "%FF%FE raw bytes"
    if "message" in fields:
        return fields["message"]
    args = fields["args"]
    if case in ("args", "dictargs", "get", "exception", "formatted_first"):
        return fields["msg"] % ast.literal_eval(args)
    if case == "objargs":  # the app's values behind these reprs, made here (the test data is trusted)
        foo = re.search(r"<__main__\.Foo object at 0x[0-9a-f]+>", args).group()
        return fields["msg"] % (datetime(2024, 1, 2, 3, 4, 5), Decimal("1.5"), UUID(int=1), PurePosixPath("/x"),
                                foo, float("nan"))
    return fields["msg"]


def newest(live) -> dict:
    return live.records(limit="1")[0]


@pytest.mark.parametrize("path", CASES)
@pytest.mark.parametrize("resend", [False, True], ids=["as-captured", "other-method"])
def test_stock_capture_is_stored_faithfully(live, path, resend) -> None:
    raw = path.read_bytes()
    if resend:
        raw = as_post(raw) if raw.startswith(b"GET") else as_get(raw)
    status, body = send_raw(live.port, raw)
    assert status == 200, body
    fields = fields_of(raw)
    record = newest(live)
    assert record["message"] == expected_message(path.stem, fields)
    assert record["name"] == fields["name"]
    assert record["levelno"] == int(fields["levelno"]) and record["levelname"] == fields["levelname"]
    assert record["created"] == float(fields["created"])
    assert record["lineno"] == int(fields["lineno"])
    assert record["process"] == int(fields["process"]) and record["thread"] == int(fields["thread"])
    assert record["taskName"] is None
    assert "msecs" not in record["extra"] and "relativeCreated" not in record["extra"]
    if path.stem == "exception":
        assert (record["exc_type"], record["exc_value"]) == ("ZeroDivisionError", "division by zero")
        assert record["exc_text"] is None
    if path.stem == "formatted_first":
        assert record["exc_text"].startswith("Traceback (most recent call last)")
        assert record["exc_text"].endswith("ZeroDivisionError: division by zero")
    if path.stem == "extra":
        assert record["extra"] == {"user": "x"}
    if path.stem == "stack":
        assert record["stack_info"].startswith("Stack (most recent call last)")
    if path.stem == "objargs":
        assert record["args"] == fields["args"] and record["format_error"] is None  # args shown beside
    if path.stem == "unicode":
        assert "<script>alert(1)</script>" in record["message"] and "\x1b[31m" in record["message"]
        assert "\r\nFAKE line" in record["message"]


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in OTHERS])
def test_other_clients_are_stored(live, path) -> None:
    status, body = send_raw(live.port, path.read_bytes())
    assert status == 200, body
    record = newest(live)
    if path.stem == "jsonlogger_requests":
        assert (record["message"], record["levelname"], record["extra"]) == (
            "json via requests", "WARNING", {"user": "alice"})
    if path.stem == "loguru_requests":
        assert record["message"].startswith("2026-11-21 00:35:40.036 | INFO")
        assert record["levelno"] == 20 and record["extra"] == {"user": "alice"}
        assert record["time"] == "2026-11-21T00:35:40.036Z"
    if path.stem == "loguru_handler":
        assert record["exc_type"] == "ZeroDivisionError" and record["extra"]["user"] == "alice"
    if path.stem == "structlog_render":
        assert '"event": "user_login"' in record["message"]


def test_twice_is_two_records(live) -> None:
    for name in ("twice1", "twice2"):
        assert send_raw(live.port, (WIRE / "py3.11.7" / f"{name}.bin").read_bytes())[0] == 200
    assert len(live.records()) == 2


def test_pickle_from_sockethandler_is_refused_never_unpickled(serve, db_url) -> None:
    live = serve(db_url, workers=1)
    status, _ = send_raw(live.port, (WIRE / "other-clients" / "sockethandler.bin").read_bytes())
    assert status == 400
    assert live.records() == []
    assert live.get("/healthz")[0] == 200
