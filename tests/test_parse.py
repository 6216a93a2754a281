"""Unit tests of dashboard.ingest.parse against real captured requests and hostile input."""
from __future__ import annotations

import json
import math
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ingest.levels import LEVELS, level_number
from dashboard.ingest.parse import MAX_FIELDS, RecordError, exception_summary, parse_record

WIRE = Path(__file__).parent / "wire"
STOCK_DIRS = ("py3.8.18", "py3.11.7", "py3.13.0")
RECEIVED = 1_800_000_000.25
KEYS = {"created", "app", "source", "name", "levelno", "levelname", "message", "msg", "args",
        "pathname", "filename", "module", "funcName", "processName", "threadName", "taskName",
        "lineno", "process", "thread", "exc_info", "exc_text", "stack_info", "extra", "exc_type", "exc_value"}
ZERO_DIV = ("ZeroDivisionError", "division by zero")


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
    assert r["message"] == r["msg"] == "%s %s %s %s %s %s"  # reprs are not literals: shown as sent
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


# --- hostile and edge input ----------------------------------------------------------------------

def fast(fields: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    r = parse_record(fields, received=RECEIVED)
    assert time.perf_counter() - start < 1.0
    assert set(r) == KEYS
    return r


@pytest.mark.parametrize("msg,args", [
    ("%500000000s", "('x',)"),
    ("%.500000000f", "(1.5,)"),
    ("%(a(b))500000000s", "{'a(b)': 1}"),       # nested parens in the key must not hide the width
    ("%*d", "(5, 3)"),
    ("%.*f", "(2, 1.5)"),
    ("%(a)10000s" * 500, "{'a': 'x'}"),          # each allowed, but 5 MB in total
    ("%s", "(" * 100_000),
    ("%s", "[" * 60 + "]" * 60),
    ("%s", "-" * 9_999 + "1"),
    ("%s", "1+" * 4_999 + "1"),
    ("%s", "('" + "a" * 200_000 + "',)"),
    ("%s", "9" * 5_000),
    ("%d %d", "('x', 1)"),
    ("%(missing)s", "{'a': 1}"),
    ("no conversions", "('x',)"),
    ("%s", "5"),                                 # a single non-tuple literal is not formatted
    ("%s", "__import__('os').system('echo pwned')"),
])
def test_refused_or_failed_formatting_shows_msg(msg: str, args: str) -> None:
    r = fast({"msg": msg, "args": args})
    assert r["message"] == msg
    assert r["args"] == args


def test_allowed_width_is_formatted() -> None:
    assert fast({"msg": "[%5s|%-4d|%.3f]", "args": "('ab', 7, 2.0)"})["message"] == "[   ab|7   |2.000]"
    assert fast({"msg": "%10000s", "args": "('x',)"})["message"] == " " * 9_999 + "x"


@pytest.mark.parametrize("args", ["()", "None", "{}", "[]", "", None])
def test_empty_args_never_format(args: str | None) -> None:
    r = fast({"msg": "100% done", "args": args})
    assert r["message"] == "100% done" and r["args"] is None


def test_single_dict_in_tuple_is_the_mapping() -> None:
    assert fast({"msg": "%(a)s/%(b)s", "args": "({'a': 1, 'b': 2},)"})["message"] == "1/2"
    assert fast({"msg": "%s", "args": "({'a': 1},)"})["message"] == "{'a': 1}"
    assert fast({"msg": "%s!", "args": "(5,)"})["message"] == "5!"


def test_json_args() -> None:
    r = fast({"msg": "%s-%d", "args": ["a", 2]})
    assert (r["message"], r["args"]) == ("a-2", "('a', 2)")
    r = fast({"msg": "%(a)s", "args": [{"a": 1}]})
    assert (r["message"], r["args"]) == ("1", "({'a': 1},)")
    r = fast({"msg": "%(user)s in", "args": {"user": "bob"}})
    assert (r["message"], r["args"]) == ("bob in", "{'user': 'bob'}")
    r = fast({"msg": "50% off", "args": []})
    assert (r["message"], r["args"]) == ("50% off", None)


def test_message_wins_over_msg() -> None:
    r = fast({"msg": "raw %s", "args": "('x',)", "message": "already formatted"})
    assert (r["message"], r["msg"], r["args"]) == ("already formatted", "raw %s", "('x',)")
    assert fast({"message": 42})["message"] == "42"


def test_non_string_msg() -> None:
    r = fast({"msg": {"event": "login", "ok": True}})
    assert r["message"] == r["msg"] == "{'event': 'login', 'ok': True}"
    assert fast({"msg": 3.5})["message"] == "3.5"
    r = fast({})
    assert (r["message"], r["msg"], r["name"], r["levelno"], r["levelname"]) == ("", None, "root", 20, "INFO")


def test_levels() -> None:
    r = fast({"levelno": "25", "levelname": "NOTICE"})
    assert (r["levelno"], r["levelname"]) == (25, "NOTICE")
    r = fast({"levelno": 25})
    assert (r["levelno"], r["levelname"]) == (25, "Level 25")
    r = fast({"levelno": "40"})
    assert (r["levelno"], r["levelname"]) == (40, "ERROR")
    r = fast({"levelname": "warning"})
    assert (r["levelno"], r["levelname"]) == (30, "warning")
    r = fast({"levelno": "abc", "levelname": "ERROR"})
    assert (r["levelno"], r["levelname"], r["extra"]) == (40, "ERROR", {"levelno": "abc"})
    r = fast({"levelno": "abc"})
    assert (r["levelno"], r["levelname"], r["extra"]) == (20, "INFO", {"levelno": "abc"})
    r = fast({"levelno": 2.5, "levelname": "NOTICE"})
    assert (r["levelno"], r["levelname"], r["extra"]) == (20, "NOTICE", {"levelno": 2.5})
    r = fast({"level": "CRITICAL"})
    assert (r["levelno"], r["levelname"], r["extra"]) == (50, "CRITICAL", {})
    r = fast({"level": 10})
    assert (r["levelno"], r["levelname"]) == (10, "DEBUG")
    r = fast({"level": "info", "levelname": "ERROR"})  # alias only when no real level is given
    assert (r["levelno"], r["extra"]) == (40, {"level": "info"})


def test_level_number() -> None:
    assert LEVELS["WARN"] == LEVELS["WARNING"] == 30 and LEVELS["FATAL"] == 50 and LEVELS["NOTSET"] == 0
    for value in ("warning", "WARN", "30", 30, " Warning "):
        assert level_number(value) == 30
    assert level_number("25") == 25
    for bad in ("loud", "", "-5", "3.5", True, None, 2.0):
        with pytest.raises(ValueError):
            level_number(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("created", ["nan", "inf", "-inf", "None", "", "soon", "1e300", float("nan"), True])
def test_unusable_created_falls_back_to_received(created: Any) -> None:
    assert fast({"created": created})["created"] == RECEIVED


def test_created_forms() -> None:
    assert fast({})["created"] == RECEIVED
    assert fast({"created": "1795221256.4165785"})["created"] == 1795221256.4165785
    assert fast({"created": 1795221256})["created"] == 1795221256.0
    utc = datetime(2026, 11, 21, 0, 34, 17, 642000, tzinfo=UTC).timestamp()
    assert fast({"created": "2026-11-21T00:34:17.642Z"})["created"] == utc
    assert fast({"created": "2026-11-21T00:34:17.642"})["created"] == utc  # naive = UTC
    assert fast({"created": "2026-11-21T01:34:17.642+01:00"})["created"] == utc
    r = fast({"time": "2026-11-21T00:34:17.642Z", "timestamp": "other"})
    assert (r["created"], r["extra"]) == (utc, {"timestamp": "other"})
    r = fast({"created": "1.5", "time": "x"})  # alias ignored when created is present
    assert (r["created"], r["extra"]) == (1.5, {"time": "x"})
    r = fast({"time": "not a time"})
    assert (r["created"], r["extra"]) == (RECEIVED, {"time": "not a time"})
    assert fast({"timestamp": 1700000000.5})["created"] == 1700000000.5


def test_int_fields() -> None:
    r = fast({"lineno": "37", "process": 12, "thread": "140429088025472"})
    assert (r["lineno"], r["process"], r["thread"]) == (37, 12, 140429088025472)
    r = fast({"lineno": "abc", "process": "None", "thread": str(2**70)})
    assert (r["lineno"], r["process"], r["thread"]) == (None, None, None)
    assert r["extra"] == {"lineno": "abc", "thread": str(2**70)}


def test_optional_text_fields() -> None:
    r = fast({"pathname": "", "funcName": "None", "taskName": "Task-1", "exc_info": True, "name": ""})
    assert (r["pathname"], r["funcName"], r["taskName"], r["exc_info"], r["name"]) == (None, None, "Task-1", "True", "root")
    assert exception_summary(r["exc_info"]) == (None, None)


def test_too_many_fields() -> None:
    with pytest.raises(RecordError, match=r"^record has 5000 fields; the limit is 1000$"):
        parse_record({f"f{i}": "x" for i in range(5000)}, received=RECEIVED)
    r = parse_record({f"f{i}": "x" for i in range(MAX_FIELDS)}, received=RECEIVED)
    assert len(r["extra"]) == MAX_FIELDS


@pytest.mark.parametrize("value,kind", [(3, "int"), ([], "list"), ("x", "str"), (None, "NoneType")])
def test_not_an_object(value: Any, kind: str) -> None:
    with pytest.raises(RecordError, match=f"^a record must be an object, not {kind}$"):
        parse_record(value, received=RECEIVED)


def test_packed_extra() -> None:
    assert fast({"extra": {"user": "alice", "n": 3}})["extra"] == {"user": "alice", "n": 3}
    r = fast({"user": "top", "extra": "{'user': 'inner', 'k': (1, 2)}"})
    assert r["extra"] == {"user": "top", "k": [1, 2]}  # existing keys win; tuples become lists
    assert fast({"extra": "[1, 2]"})["extra"] == {"extra": "[1, 2]"}
    assert fast({"extra": "{1: 2}"})["extra"] == {"extra": "{1: 2}"}
    assert fast({"extra": "{" * 100_000})["extra"] == {"extra": "{" * 100_000}
    assert fast({"extra": [1]})["extra"] == {"extra": [1]}


def test_json_extra_values_stay_json_safe() -> None:
    deep: Any = "leaf"
    for _ in range(500):
        deep = [deep]
    r = fast({"a": deep, "b": float("nan"), "c": 2**80, "d": {"e": "\ud800"}})
    json.dumps(r, allow_nan=False)
    assert r["extra"]["b"] == "nan" and r["extra"]["c"] == str(2**80) and r["extra"]["d"] == {"e": "\ufffd"}


def test_surrogates_are_replaced() -> None:
    r = parse_record({"msg": "a\ud800b %s", "args": "('\\udcff',)", "name": "\udc80", "x\ud800": "y"},
                     received=RECEIVED, app="\ud83d")
    assert r["message"] == "a\ufffdb \ufffd" and r["msg"] == "a\ufffdb %s"
    assert r["name"] == r["app"] == "\ufffd"
    assert r["extra"] == {"x\ufffd": "y"}
    json.dumps(r, ensure_ascii=False).encode("utf-8")


# --- exception_summary ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("(<class 'ZeroDivisionError'>, ZeroDivisionError('division by zero'), <traceback object at 0x7f1b69ad9f40>)",
     ZERO_DIV),
    ("(<class 'json.decoder.JSONDecodeError'>, JSONDecodeError('Expecting value: line 1 column 1 (char 0)'), "
     "<traceback object at 0x7f00>)", ("json.decoder.JSONDecodeError", "Expecting value: line 1 column 1 (char 0)")),
    ("(<class 'FileNotFoundError'>, FileNotFoundError(2, 'No such file or directory'), <traceback object at 0x1>)",
     ("FileNotFoundError", "2, 'No such file or directory'")),
    ("(<class 'KeyboardInterrupt'>, KeyboardInterrupt(), <traceback object at 0x1>)", ("KeyboardInterrupt", "")),
    ("(<class '__main__.Err'>, Err(<object object at 0x7f>), <traceback object at 0x1>)",
     ("__main__.Err", "<object object at 0x7f>")),
    ("(<class 'KeyError'>, KeyError('k'), None)", ("KeyError", "k")),
    ("(<class 'ValueError'>, ValueError('a, b), <c'), <traceback object at 0xab>)", ("ValueError", "a, b), <c")),
    ("(<class 'ValueError'>, ValueError('line1\\nline2'), <traceback object at 0xab>)", ("ValueError", "line1\nline2")),
    ("(<class 'app.Custom'>, <custom repr>, <traceback object at 0xab>)", ("app.Custom", "<custom repr>")),
    ("True", (None, None)),
    ("None", (None, None)),
    ("(None, None, None)", (None, None)),
    ("garbage", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
])
def test_exception_summary(text: str | None, expected: tuple[str | None, str | None]) -> None:
    assert exception_summary(text) == expected


def test_exception_summary_never_evaluates() -> None:
    text = "(<class 'X'>, X(__import__('os').system('echo pwned')), <traceback object at 0x1>)"
    assert exception_summary(text) == ("X", "__import__('os').system('echo pwned')")
    huge = "(<class 'X'>, X('" + "(" * 200_000 + "'), <traceback object at 0x1>)"
    assert exception_summary(huge)[0] == "X"


# --- property ---------------------------------------------------------------------------------------

FIELD_NAMES = sorted(KEYS | {"msecs", "relativeCreated", "level", "time", "timestamp", "text", "event"})
TEXTS = st.one_of(st.text(max_size=40), st.sampled_from(
    ["None", "", "()", "{}", "%s", "%(a)s", "%d%%", "('x',)", "{'a': 1}", "({'a': 1},)", "30", "nan",
     "inf", "2026-11-21T00:00:00Z", "{'user': 'x'}", "%*d", "(((", "WARN", "-1", "1e999"]))


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=20)), TEXTS, max_size=50))
def test_parse_record_never_raises_on_text(fields: dict[str, str]) -> None:
    r = parse_record(fields, received=RECEIVED)
    assert set(r) == KEYS
    assert isinstance(r["created"], float) and math.isfinite(r["created"])
    assert isinstance(r["levelno"], int) and isinstance(r["message"], str) and isinstance(r["name"], str)
    assert json.dumps(r, ensure_ascii=False, allow_nan=False).encode("utf-8")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=20)), JSON_VALUES, max_size=30))
def test_parse_record_never_raises_on_json(fields: dict[str, Any]) -> None:
    r = parse_record(fields, received=RECEIVED)
    assert set(r) == KEYS
    assert isinstance(r["levelno"], int) and isinstance(r["message"], str)
    assert json.dumps(r, ensure_ascii=False, allow_nan=False).encode("utf-8")


def test_parsing_on_many_threads_at_once() -> None:
    """Ingest parses on many threads at once: every message still comes out right."""
    import threading

    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(300):
                rec = parse_record({"msg": "%s-%d %.1f", "args": f"('t{n}', {i}, 1.5)"}, received=0.0)
                assert rec["message"] == f"t{n}-{i} 1.5"
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
