"""Shipper shapes at the edges: what is recognised, what passes through untouched, what is never evaluated,
and the learned custom level names (per app, bounded, seeded from the database)."""
from __future__ import annotations

from typing import Any

import pytest
from conftest import store_records
from parse_helpers import RECEIVED, fast

from dashboard.ingest import levels
from dashboard.ingest.level_seed import seed_levels
from dashboard.ingest.parse import parse_record
from dashboard.ingest.shippers import normalise
from dashboard.ingest.tracebacks import render_stacks, summary_of_traceback
from dashboard.store.engine import get_engine_of, make_engine

STOCK_REPR = "(<class 'ZeroDivisionError'>, ZeroDivisionError('division by zero'), <traceback object at 0x7f>)"
TRACEBACK = 'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n    1/0\nZeroDivisionError: x'


@pytest.mark.parametrize("fields", [
    {"name": "app", "msg": "hi", "args": "()", "levelname": "INFO", "exc_info": "None", "created": "1.5"},
    {"msg": "boom", "exc_info": STOCK_REPR, "exc_text": "None"},
    {"msg": "exc_info=True outside an except block", "exc_info": "(None, None, None)"},
    {"message": "json", "level": "INFO", "time": "2026-11-21T00:00:00Z", "logger": "not structlog"},
    {"text": "loguru text only", "level": "INFO", "record": "not a dict"},
    {"message": "m", "level": "(name=__import__('os').system('echo pwned'), no=40)", "time": "x", "function": "f"},
])
def test_other_shapes_pass_through_unchanged(fields: dict[str, Any]) -> None:
    assert normalise(fields) is fields


def test_loguru_reprs_are_read_never_evaluated() -> None:
    r = fast({"message": "m", "time": "2026-11-21 13:38:13.253782+00:00", "elapsed": "0:00:01",
              "level": "(name=__import__('os').system('echo pwned'), no=40, icon='x')"})
    assert (r["levelno"], r["levelname"][:16]) == (20, "(name=__import__")  # not loguru's: shown as it came
    r = fast({"message": "m", "time": "2026-11-21 13:38:13+00:00", "function": "f", "line": 3,
              "level": "(name=\"it's\", no=21, icon='\\u2705')", "file": "(name='a.py', path='/srv/a.py')",
              "process": "(id=12, name='Main')", "thread": "(id=34, name=\"T'1\")", "extra": "{'user': 'ann'}",
              "exception": "(type=<class 'app.Bad'>, value=Bad(\"a'b\", 3), traceback=<traceback object at 0x1f>)"})
    assert (r["levelno"], r["levelname"], r["funcName"], r["lineno"]) == (21, "it's", "f", 3)
    assert (r["pathname"], r["filename"], r["process"], r["processName"]) == ("/srv/a.py", "a.py", 12, "Main")
    assert (r["thread"], r["threadName"], r["extra"]) == (34, "T'1", {"user": "ann"})
    assert (r["exc_text"], r["exc_type"], r["exc_value"]) == ('app.Bad: "a\'b", 3', "app.Bad", '"a\'b", 3')
    assert r["created"] == 1795268293.0


def test_loguru_serialize_without_traceback_text_keeps_the_exception_line() -> None:
    record = {"level": {"name": "ERROR", "no": 40}, "time": {"repr": "x", "timestamp": 1795268293.5},
              "message": "Traceback (most recent call last): in the message", "name": "app",
              "exception": {"type": "ValueError", "value": "bad", "traceback": False}}
    r = fast({"text": "12:00 | ERROR | Traceback (most recent call last): in the message\n", "record": record})
    assert (r["exc_text"], r["exc_type"], r["exc_value"], r["created"]) == ("ValueError: bad", "ValueError", "bad",
                                                                            1795268293.5)


def test_structlog_names_only_with_an_event() -> None:
    r = fast({"event": "e", "logger": "shop", "func_name": "pay", "thread_name": "T", "stack": "Stack:\n  here",
              "exception": "Traceback (most recent call last):\nKeyError: 'k'"})
    assert (r["name"], r["funcName"], r["threadName"], r["stack_info"]) == ("shop", "pay", "T", "Stack:\n  here")
    assert (r["exc_type"], r["exc_value"], r["extra"]) == ("KeyError", "'k'", {})
    r = fast({"message": "m", "logger": "shop", "exception": "text"})
    assert r["name"] == "root" and r["extra"] == {"logger": "shop", "exception": "text"} and r["exc_text"] is None


def test_exc_info_text_becomes_exc_text_but_the_stock_repr_stays() -> None:
    r = fast({"message": "m", "exc_info": TRACEBACK})
    assert (r["exc_info"], r["exc_text"], r["exc_type"], r["exc_value"]) == (None, TRACEBACK, "ZeroDivisionError", "x")
    r = fast({"message": "m", "exc_info": TRACEBACK, "exc_text": TRACEBACK})
    assert (r["exc_info"], r["exc_text"]) == (None, TRACEBACK)
    r = fast({"message": "m", "exc_info": STOCK_REPR, "exc_text": TRACEBACK})
    assert (r["exc_info"], r["exc_text"], r["exc_value"]) == (STOCK_REPR, TRACEBACK, "division by zero")


@pytest.mark.parametrize(("text", "expected"), [
    (TRACEBACK, ("ZeroDivisionError", "x")),
    ('Traceback (most recent call last):\n  File "a.py", line 1\nValueError: two\nlines\n\n',
     ("ValueError", "two\nlines")),
    ("KeyboardInterrupt", ("KeyboardInterrupt", "")),
    ("  File \"a.py\", line 1\nthis is not an exception line", (None, None)),
    ("", (None, None)), (None, (None, None)), (42, (None, None)),
])
def test_summary_of_traceback(text: Any, expected: tuple[str | None, str | None]) -> None:
    assert summary_of_traceback(text) == expected


def test_render_stacks_shapes() -> None:
    assert render_stacks("text") is None and render_stacks([]) is None and render_stacks([1]) is None
    group = [{"exc_type": "ExceptionGroup", "exc_value": "two (2 sub-exceptions)", "frames": [],
              "exc_notes": ["a note"], "exceptions": [[{"exc_type": "ValueError", "exc_value": "v", "frames": "x"}]]},
             {"exc_type": "OSError", "exc_value": "", "is_cause": False, "frames": [{"filename": "f.py", "lineno": 2,
                                                                                      "name": "g", "line": "  go()"}]}]
    text = render_stacks(group)
    assert text is not None
    assert text.splitlines()[:4] == ["Traceback (most recent call last):", '  File "f.py", line 2, in g', "    go()",
                                     "OSError"]
    assert "During handling of the above exception" in text and "ExceptionGroup: two (2 sub-exceptions)\na note" in text
    assert "    ValueError: v" in text


def test_a_zoned_time_beats_a_naive_one() -> None:
    r = fast({"message": "m", "time": "2026-11-21 13:38:21,112", "timestamp": "2026-11-21T13:38:21.5+01:00"})
    assert r["created"] == 1795264701.5 and r["extra"] == {"time": "2026-11-21 13:38:21,112"}
    assert fast({"message": "m", "time": "2026-11-21T00:00:00"})["created"] == 1795219200.0


# --- learned custom level names ---------------------------------------------------------------------

@pytest.fixture
def fresh_levels(monkeypatch) -> dict[tuple[str | None, str], int]:
    """An empty memory of custom names for one test (the process's own is shared by every test)."""
    memory: dict[tuple[str | None, str], int] = {}
    monkeypatch.setattr(levels, "_learned", memory)
    return memory


def level_of(fields: dict[str, Any], app: str | None = None) -> tuple[int, str]:
    r = parse_record(fields, received=RECEIVED, app=app)
    return r["levelno"], r["levelname"]


def test_custom_names_are_learned_per_app_then_from_any(fresh_levels) -> None:
    assert level_of({"msg": "m", "levelname": "NOTICE"}) == (20, "NOTICE")
    assert level_of({"msg": "m", "levelname": "NOTICE", "levelno": "25"}, app="a") == (25, "NOTICE")
    assert level_of({"msg": "m", "levelname": "NOTICE", "levelno": 22}, app="b") == (22, "NOTICE")
    assert level_of({"msg": "m", "levelname": "NOTICE"}, app="a") == (25, "NOTICE")
    assert level_of({"msg": "m", "levelname": "notice"}, app="b") == (22, "notice")
    assert level_of({"msg": "m", "levelname": "NOTICE"}, app="c") == (22, "NOTICE")  # the latest from any app
    assert level_of({"message": "m", "level": "NOTICE"}) == (22, "NOTICE")  # a renamed levelname
    assert level_of({"msg": "m", "levelname": "NOTICE", "levelno": "x"}) == (20, "NOTICE")  # a number was sent
    assert level_of({"msg": "m", "levelname": "INFO", "levelno": 25}) == (25, "INFO")
    assert level_of({"msg": "m", "levelname": "Level 7", "levelno": 7}) == (7, "Level 7")
    assert set(fresh_levels) == {("a", "NOTICE"), ("b", "NOTICE"), (None, "NOTICE")}  # standard names stay out


def test_the_memory_is_bounded(fresh_levels, monkeypatch) -> None:
    monkeypatch.setattr(levels, "MAX_LEARNED", 3)
    for n in range(10):
        levels.learn_level(f"CUSTOM{n}", 30 + n, app=f"app{n}")
    assert len(fresh_levels) == 3 and levels.learned_level("CUSTOM0", "app0") == 30
    levels.learn_level("CUSTOM0", 41)  # a known key still changes
    assert levels.learned_level("CUSTOM0") == 41 and len(fresh_levels) == 3


def test_seeded_from_the_rollup(app, fresh_levels) -> None:
    store_records(app, {"msg": "a", "levelname": "AUDIT", "levelno": "21"}, app_name="billing")
    store_records(app, *[{"msg": "b", "levelname": "AUDIT", "levelno": "23"}] * 3, app_name=None)
    store_records(app, {"msg": "c", "levelname": "AUDIT", "levelno": "22"}, app_name=None)
    fresh_levels.clear()
    assert seed_levels(get_engine_of(app)) == 3
    assert levels.learned_level("AUDIT", "billing") == 21
    assert levels.learned_level("AUDIT") == levels.learned_level("AUDIT", "shop") == 23  # the most frequent


def test_an_unmigrated_database_seeds_nothing(tmp_path, fresh_levels) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert seed_levels(engine) == 0 and fresh_levels == {}
    engine.dispose()
