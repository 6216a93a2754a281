"""dashboard.ingest.parse: the shown message (safe %-formatting, args, msg vs message) and exception summaries."""
from __future__ import annotations

import threading

import pytest
from parse_helpers import ZERO_DIV, fast

from dashboard.ingest.limits import MAX_TEXT, cut
from dashboard.ingest.parse import exception_summary, parse_record


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
    ("%s", "('" + "a" * 1_100_000 + "',)"),       # over the body limit: never parsed
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
    assert r["args"] == cut(args, MAX_TEXT)  # as sent (cut and marked when over the field limit)
    assert r["format_error"]  # and says why


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


def test_parsing_on_many_threads_at_once() -> None:
    """Ingest parses on many threads at once: every message still comes out right."""
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
