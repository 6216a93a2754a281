"""dashboard.ingest.parse: every field restored from text (levels, times, ints, extras) and never a crash."""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parse_helpers import KEYS, RECEIVED, fast

from dashboard.ingest.levels import LEVELS, level_number
from dashboard.ingest.parse import MAX_FIELDS, RecordError, exception_summary, parse_record


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
    got = (r["pathname"], r["funcName"], r["taskName"], r["exc_info"], r["name"])
    assert got == (None, None, "Task-1", "True", "root")
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
