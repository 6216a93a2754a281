"""RecordFilter compiled to SQL and as a predicate must pick the same records.

The list, export and histogram use `clause()` (with the text and extras indexes, and without them
for the newest rows); the live tail uses `matches()`. If they disagreed, the live page would show
records a reload hides (or miss some). Hypothesis generates records (with extras) and filters, with
searches in the whole language: words and phrases with LIKE and FTS metacharacters and Unicode case
(é/É, ß/ẞ/SS, İ/ı), exclusions, fields, extras and regexes.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg_helpers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from dashboard.ingest.parse import parse_record, to_row
from dashboard.logs.filter import RecordFilter
from dashboard.logs.query import format_term, quote
from dashboard.logs.serialize import record_json
from dashboard.store import nul, search
from dashboard.store.engine import make_engine
from dashboard.store.migrate import upgrade
from dashboard.store.schema import record_extras, records
from dashboard.web.args import BadArgument

NAMES = ["a", "a.b", "a.b.c", "ab", "a.bc", "b", "b.a", "root", "A.b", "a_b", "a%b"]
CONTROLS = ["\0", "\x01", "\x1b", "\x7f", "\x85", "\t", "\r", "\x1c", "\u2028", "\u202e", "\ufeff"]
TEXT = st.text(alphabet=st.sampled_from([*"abcAB _%\\\"'*.:-()[]^$é É ßẞİı😀\n", *CONTROLS]), max_size=12)
T0 = 1_800_000_000.0
TRACES = ["4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c", "00000000000000000000000000000001"]
SPANS = ["00f067aa0ba902b7", "b7ad6b7169203331"]
# what clients send: ids in either case, under either name, and values that are no id (kept as extras)
SENT_TRACES = [*TRACES, TRACES[0].upper(), "0" * 32, TRACES[0][:31], "not a trace id"]
SENT_SPANS = [*SPANS, SPANS[1].upper(), "0" * 16, SPANS[0] + "0"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database for the module, on each backend; each example replaces the rows."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("agree") / "logdash.db"
        eng = make_engine(f"sqlite:///{path}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    name = pg_helpers.new_name("agree")
    eng = make_engine(pg_helpers.create(name, template=request.getfixturevalue("pg_template")))
    yield eng
    eng.dispose()
    pg_helpers.drop(name)


EXTRA_KEYS = ["request_id", "user", "n", "flag", "app", "Level", "with space"]
EXTRA_VALUES = ["abc123", "ABC123", "Chloé", "chloé", "a b", "", 'q"uote', 5, 5.5, True, None, [1, "x"], {"k": "v"}]
VALUE_TEXTS = ["abc123", "Chloé", "chloé", "a b", "", 'q"uote', "5", "5.5", "true", "null", '[1, "x"]',
               '{"k": "v"}', "shop", "nope"]
FIELD_KEYS = [*EXTRA_KEYS, "extra.app", "extra.Level", "logger", "name", "app", "funcName", "FUNCNAME"]
WORD = st.text(alphabet=st.sampled_from([*"abcAB_%\\'*.()[]^$éÉßẞİı😀", "\x01", "\x7f", "\u202e"]), min_size=1,
               max_size=6)
REGEXES = ["a", "^a", "b$", "a.b", "[éÉ]", "ß", "STRASSE", "\\d", "a|B", "\\n", "^$", "(?s)a.*b", "😀", "\\\\",
           # with a literal PostgreSQL narrows by first (logs.regex_scan.required_literal)
           "AbC", "b a_", "(?-i:aB)c+", "[[:alpha:]]ab", "%_\\\\"]


def term_st(exclude: bool) -> st.SearchStrategy[str]:
    """One search term as a user types it."""
    sign = "-" if exclude else ""
    return st.one_of(
        WORD.map(lambda w: sign + w),
        TEXT.filter(str.strip).map(lambda t: sign + quote(t if " " in t else t + " ")),
        st.builds(format_term, st.sampled_from(FIELD_KEYS), st.sampled_from(VALUE_TEXTS + NAMES), st.just(exclude)),
        st.builds(format_term, st.sampled_from(["level", "levelname"]),
                  st.sampled_from(["info", "WARNING", "25", "Level 25", "notice"]), st.just(exclude)),
        st.sampled_from(REGEXES).map(lambda r: f"{sign}/{r}/"),
    )


search_st = st.lists(st.booleans().flatmap(term_st), min_size=1, max_size=3).map(" ".join)

record_st = st.fixed_dictionaries({
    "created": st.sampled_from([T0 + i * 0.5 for i in range(6)]),
    "name": st.sampled_from(NAMES),
    "levelno": st.sampled_from([0, 5, 10, 20, 25, 30, 40, 50]),
    "app": st.sampled_from([None, "shop", "Shop", "billing"]),
    "message": TEXT,
    "exc_text": st.none() | TEXT,
    "exc_info": st.none() | TEXT,
    "args": st.none() | TEXT,
    "trace": st.none() | st.tuples(st.sampled_from(["trace_id", "otelTraceID"]), st.sampled_from(SENT_TRACES)),
    "span": st.none() | st.tuples(st.sampled_from(["span_id", "otelSpanID"]), st.sampled_from(SENT_SPANS)),
    "funcName": st.none() | st.sampled_from(["run", "abc123", "Chloé"]),
    "extra": st.dictionaries(st.sampled_from(EXTRA_KEYS), st.sampled_from(EXTRA_VALUES), max_size=3),
})

filter_st = st.builds(
    RecordFilter,
    level=st.none() | st.sampled_from([0, 10, 20, 25, 30, 50]),
    logger=st.none() | st.sampled_from([*NAMES, "a.", "c", "a.b.c.d"]),
    q=st.none() | search_st,
    app=st.none() | st.sampled_from(["shop", "billing", "nope"]),
    since=st.none() | st.sampled_from([T0 + i * 0.5 for i in range(-1, 7)]),
    until=st.none() | st.sampled_from([T0 + i * 0.5 for i in range(-1, 7)]),
    trace_id=st.none() | st.sampled_from(TRACES),
    span_id=st.none() | st.sampled_from(SPANS),
)


def stored_row(fields: dict[str, Any]) -> dict[str, Any]:
    """A generated record as ingest stores it: through the real parse_record and to_row."""
    sent = {k: v for k, v in fields.items() if k not in ("app", "trace", "span", "extra")}
    sent.update(pair for pair in (fields.get("trace"), fields.get("span")) if pair is not None)
    sent["extra"] = fields.get("extra") or {}
    return to_row(parse_record(sent, received=T0, app=fields["app"]))


def insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Replace every record by `rows`, indexed for text search as the writer does."""
    with engine.begin() as conn:
        conn.execute(record_extras.delete())
        conn.execute(records.delete())
        if rows:
            keep = nul.storable if engine.dialect.name == "postgresql" else dict  # as the writer stores them
            conn.execute(records.insert(), [keep(stored_row(r)) for r in rows])
            search.index(conn, records.c.id.is_not(None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(record_st, max_size=12), filters=st.lists(filter_st, min_size=1, max_size=4))
def test_sql_clause_and_predicate_agree(engine: Engine, rows: list[dict[str, Any]],
                                        filters: list[RecordFilter]) -> None:
    insert(engine, rows)
    with engine.connect() as conn:
        stored = [record_json(r) for r in conn.execute(select(records)).mappings()]
        for flt in filters:
            by_predicate = {r["id"] for r in stored if flt.matches(r)}
            for indexed in (True, False):
                where = flt.clause(conn.dialect.name, text_index=indexed, conn=conn)
                by_sql = set(conn.execute(select(records.c.id).where(where)).scalars())
                assert by_sql == by_predicate, (flt, indexed)


@settings(max_examples=100, deadline=None)
@given(q=st.text(alphabet=st.sampled_from([*'ab -"/\\=:.éß', "\0", "\t"]), max_size=12) | search_st)
def test_any_search_reads_or_is_a_400_naming_q(q: str) -> None:
    try:
        flt = RecordFilter.from_args({"q": q})
    except BadArgument as e:
        assert e.argument == "q" and str(e).startswith("q: ")
        return
    flt.clause("sqlite")  # what was read compiles


@pytest.mark.parametrize("q", ["%", "_", "\\", "a%", "b_", '"a"', "*", "AND", "NEAR(", "É", "ß", "SS", "STRASSE",
                               "\0", "sure\0", "a\0b", "b\0sure", "\x01", "say\x1b", "NEAR\x00(", '"a" AND',
                               '"say \\"a\\""', "-plain", '-"100% sure"', "/^n.l/", "/[ßs]{2}/", "-/a_b|star/",
                               '"nul sure"', '"É ß"'])
def test_odd_search_terms_agree_on_fixed_records(engine: Engine, q: str) -> None:
    rows = [{"created": T0, "name": "a", "levelno": 20, "app": None, "exc_text": None, "exc_info": None,
             "message": m} for m in ['say "a" AND b', "100% sure", "a_b", "back\\slash", "*star*",
                                     "NEAR(x y)", "é É ß", "plain", "nul\0sure", "esc\x1bsay", "STRASSE"]]
    insert(engine, rows)
    flt = RecordFilter.from_args({"q": q})
    with engine.connect() as conn:
        by_sql = set(conn.execute(select(records.c.id).where(flt.clause(conn.dialect.name, conn=conn))).scalars())
        by_predicate = {r["id"] for r in (record_json(m) for m in conn.execute(select(records)).mappings())
                        if flt.matches(r)}
    assert by_sql == by_predicate


@pytest.mark.parametrize(("q", "problem"), [
    ('"', "unterminated quote"), ("say \"hi", "unterminated quote"), ("/a(/", "not a valid regex"),
    ("/abc", "unterminated /regex/"), ("/a/b", "put a space after it"), ("=x", "empty key"), (":x", "empty key"),
    ("user=", "no value"), ('""', "empty phrase"), ("lineno=ten", "whole number"), ("trace_id=xyz", "trace id"),
    ("/" + "a" * 301 + "/", "up to 300 characters"), ('"a"b', "space after the closing quote"),
])
def test_unreadable_searches_are_refused_naming_q(q: str, problem: str) -> None:
    with pytest.raises(BadArgument) as caught:
        RecordFilter.from_args({"q": q})
    assert caught.value.argument == "q" and problem in str(caught.value)
