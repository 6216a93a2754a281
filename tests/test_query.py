"""The search language read into terms (pure), what each term means, and terms written back."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.logs.filter import RecordFilter
from dashboard.logs.highlight import hits, marked, spec
from dashboard.logs.query import QueryError, Term, add_term, format_term, parse, quote, without
from dashboard.logs.terms import Extra, Field, Logger, Regex, Text, conditions, search_key
from dashboard.store.search import fold, value_text


def read(q: str) -> list[tuple]:
    return [(t.kind, t.key, t.value, t.exclude) for t in parse(q)]


@pytest.mark.parametrize(("q", "terms"), [
    ("timeout db", [("text", None, "timeout", False), ("text", None, "db", False)]),
    ('"connection  reset" -debug', [("text", None, "connection  reset", False), ("text", None, "debug", True)]),
    ('-"health check"', [("text", None, "health check", True)]),
    ('say "a \\"b\\" c\\\\"', [("text", None, "say", False), ("text", None, 'a "b" c\\', False)]),
    ("request_id=abc123 user:alice", [("field", "request_id", "abc123", False), ("field", "user", "alice", False)]),
    ('-user="Chloé M" -logger=urllib3', [("field", "user", "Chloé M", True), ("field", "logger", "urllib3", True)]),
    ('"with space"=1 a=b=c', [("field", "with space", "1", False), ("field", "a", "b=c", False)]),
    ('k=""', [("field", "k", "", False)]),
    ("/time(d)?out/ -/^GET \\/api/", [("regex", None, "time(d)?out", False), ("regex", None, "^GET /api", True)]),
    ("/a\\\\/", [("regex", None, "a\\\\", False)]),
    ("http://x.org/a 12:30:45 - --x", [("text", None, "http://x.org/a", False), ("text", None, "12:30:45", False),
                                        ("text", None, "-", False), ("text", None, "-x", True)]),
    ("a\0b \t c", [("text", None, "a", False), ("text", None, "b", False), ("text", None, "c", False)]),
    ("", []),
    ('say"hi"', [("text", None, 'say"hi"', False)]),
])
def test_terms_are_read(q: str, terms: list[tuple]) -> None:
    assert read(q) == terms


@pytest.mark.parametrize(("q", "problem"), [
    ('say "hi', "unterminated quote starting at character 5"),
    ("/ab", "unterminated /regex/"), ("/health", 'quote text that starts with /: "/health"'),
    ("/api/users", "put a space after it"), ("//", "empty /regex/"),
    ("=x", "empty key"), (":)", "empty key"), ("-=x", "empty key"),
    ("user=", 'write user="" for an empty value'), ('""', "empty phrase"), ('"a"b', "space after the closing quote"),
    ('k="a"b', "space after the closing quote"),
])
def test_unreadable_searches_say_where_and_what_to_do(q: str, problem: str) -> None:
    with pytest.raises(QueryError, match=problem.replace("(", r"\(").replace("/", "/")):
        parse(q)


def test_each_term_means_what_the_docs_say() -> None:
    got = conditions(parse('CHLOÉ -Straße logger=app.db -name=urllib3 level=warning levelname=NOTICE lineno=12 '
                           'app=shop FUNCNAME=run extra.app=x request_id=abc trace_id=4BF92F3577B34DA6A3CE929D0E0E4736 '
                           '/x+/'))
    assert got == (Text("chloé"), Text("strasse", True), Logger("app.db"), Logger("urllib3", True),
                   Field("levelno", 30), Field("levelname", "NOTICE"), Field("lineno", 12), Field("app", "shop"),
                   Field("funcName", "run"), Extra("app", "x"), Extra("request_id", "abc"),
                   Field("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"), Regex("x+"))


@pytest.mark.parametrize(("q", "problem"), [
    ("lineno=ten", "lineno is a whole number"), ("span_id=zz", "not a span id"), ("/a(/", "not a valid regex"),
    ("/" + "a" * 301 + "/", "up to 300 characters"), ("k=" + "v" * 513, "not indexed"),
])
def test_values_a_field_cannot_hold_are_refused(q: str, problem: str) -> None:
    with pytest.raises(QueryError, match=problem):
        conditions(parse(q))


def test_the_predicate_folds_unicode_case_and_compares_extras_as_text() -> None:
    record = {"name": "app.db", "levelno": 30, "levelname": "WARNING", "app": None, "created": 1.0,
              "message": "Chloé paid 5 €", "exc_text": "Traceback\nKeyError: 'STRASSE'", "exc_info": None,
              "args": None, "extra": {"n": 5.0, "ok": True, "user": "Alice", "tags": ["a", "b"]}}

    def m(q: str) -> bool:
        return RecordFilter.from_args({"q": q}).matches(record)

    assert m("CHLOÉ") and m("straße") and m('"paid 5 €"') and m("chloé -bob") and not m("-strasse")
    assert m("n=5") and m("ok=true") and m("user=Alice") and not m("user=alice")
    assert m(format_term("tags", '["a", "b"]'))
    assert m("-user=bob") and not m("-user=Alice") and m("-missing=x") and not m("missing=x")
    assert m("logger=app") and not m("logger=ap") and m("-logger=urllib3") and m("level=WARNING")
    assert m("/chlo[eé] paid/") and m("/^traceback$/") and m("/^keyerror: /") and not m("/^paid/") and m("-/bob/")


def test_value_text_is_what_a_browser_writes() -> None:
    assert [value_text(v) for v in ("x", 5, 5.0, 5.5, True, None, {"a": "é"})] == \
        ["x", "5", "5", "5.5", "true", "null", '{"a": "é"}']
    assert fold("STRASSE") == fold("straße") and fold("İ") != "i"


def test_terms_are_written_back_quoted_where_needed() -> None:
    assert format_term("user", "alice") == "user=alice"
    assert format_term("user", 'Chloé "M"', exclude=True) == '-user="Chloé \\"M\\""'
    assert format_term("with space", "") == '"with space"=""'
    assert format_term("2fa", "on") == '"2fa"=on'
    assert quote("a\\b") == "a\\b" and quote("a b\\") == '"a b\\\\"'


@settings(max_examples=200, deadline=None)
@given(key=st.text(min_size=1, max_size=8), value=st.text(max_size=8), exclude=st.booleans())
def test_a_written_term_reads_back_as_itself(key: str, value: str, exclude: bool) -> None:
    written = format_term(key, value, exclude)
    (term,) = parse(written)
    assert (term.kind, term.key, term.value, term.exclude) == ("field", key.replace("\0", " "),
                                                               value.replace("\0", " "), exclude)


def test_add_term_keeps_one_and_replaces_its_opposite() -> None:
    assert add_term(None, "-logger=urllib3") == "-logger=urllib3"
    assert add_term("timeout -logger=urllib3", "-logger=urllib3") == "timeout -logger=urllib3"
    assert add_term('"a  b" user=x', "-user=x") == '"a  b" -user=x'
    assert add_term('say "hi', "user=x") == 'say "hi user=x'  # unreadable: appended, the 400 says why
    assert without("a  -logger=x  b", (3, 12)) == "a b"


def test_extras_named_like_fields_are_searched_as_extra_key() -> None:
    assert search_key("request_id") == "request_id"
    assert search_key("Level") == "extra.Level" and search_key("extra.x") == "extra.extra.x"
    assert conditions(parse("extra.extra.x=1")) == (Extra("extra.x", "1"),)


def test_hits_are_marked_in_escaped_text() -> None:
    marks = spec(RecordFilter.from_args({"q": 'chloé -bob user=x "<IMG s" /\\d+/'}))
    assert marks == {"texts": ["chloé", "<img s"], "regexes": ["\\d+"]}
    assert hits("CHLOÉ ß", {"texts": ["ss"]}) == [(6, 7)]
    assert str(marked("<b>CHLOÉ</b> 42 <img src=x>", marks)) == \
        "&lt;b&gt;<mark>CHLOÉ</mark>&lt;/b&gt; <mark>42</mark> <mark>&lt;img s</mark>rc=x&gt;"
    assert str(marked("<i>", None)) == "&lt;i&gt;" and Term("text", "x") == Term("text", "x", quoted=True)
