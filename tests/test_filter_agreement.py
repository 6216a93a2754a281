"""RecordFilter compiled to SQL and as a predicate must pick the same records.

The list, export and histogram use `clause()`; the live tail uses `matches()`. If they
disagreed, the live page would show records a reload hides (or miss some). Hypothesis
generates records and filters, including search terms with LIKE and FTS metacharacters.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from dashboard.ingest.parse import parse_record, to_row
from dashboard.logs.filter import RecordFilter
from dashboard.logs.serialize import record_json
from dashboard.store import search
from dashboard.store.engine import make_engine
from dashboard.store.migrate import upgrade
from dashboard.store.schema import records

NAMES = ["a", "a.b", "a.b.c", "ab", "a.bc", "b", "b.a", "root", "A.b", "a_b", "a%b"]
CONTROLS = ["\0", "\x01", "\x1b", "\x7f", "\x85", "\t", "\r", "\x1c", "\u2028", "\u202e", "\ufeff"]
TEXT = st.text(alphabet=st.sampled_from([*"abcAB _%\\\"'*.:-()[]^$é É ßẞİı😀\n", *CONTROLS]), max_size=12)
T0 = 1_800_000_000.0


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """One migrated SQLite file for the module; each example replaces the rows."""
    path: Path = tmp_path_factory.mktemp("agree") / "logdash.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    yield eng
    eng.dispose()


record_st = st.fixed_dictionaries({
    "created": st.sampled_from([T0 + i * 0.5 for i in range(6)]),
    "name": st.sampled_from(NAMES),
    "levelno": st.sampled_from([0, 5, 10, 20, 25, 30, 40, 50]),
    "app": st.sampled_from([None, "shop", "Shop", "billing"]),
    "message": TEXT,
    "exc_text": st.none() | TEXT,
    "exc_info": st.none() | TEXT,
    "args": st.none() | TEXT,
})

filter_st = st.builds(
    RecordFilter,
    level=st.none() | st.sampled_from([0, 10, 20, 25, 30, 50]),
    logger=st.none() | st.sampled_from([*NAMES, "a.", "c", "a.b.c.d"]),
    q=st.none() | st.lists(TEXT.filter(lambda t: t.strip() != ""), min_size=1, max_size=3).map(" ".join),
    app=st.none() | st.sampled_from(["shop", "billing", "nope"]),
    since=st.none() | st.sampled_from([T0 + i * 0.5 for i in range(-1, 7)]),
    until=st.none() | st.sampled_from([T0 + i * 0.5 for i in range(-1, 7)]),
)


def stored_row(fields: dict[str, Any]) -> dict[str, Any]:
    """A generated record as ingest stores it: through the real parse_record and to_row."""
    sent = {k: v for k, v in fields.items() if k != "app"}
    return to_row(parse_record(sent, received=T0, app=fields["app"]))


def insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Replace every record by `rows`, indexed for text search as the writer does."""
    with engine.begin() as conn:
        conn.execute(records.delete())
        if rows:
            conn.execute(records.insert(), [stored_row(r) for r in rows])
            search.index(conn, records.c.id.is_not(None))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(record_st, max_size=12), filters=st.lists(filter_st, min_size=1, max_size=4))
def test_sql_clause_and_predicate_agree(engine: Engine, rows: list[dict[str, Any]],
                                        filters: list[RecordFilter]) -> None:
    insert(engine, rows)
    with engine.connect() as conn:
        stored = [record_json(r) for r in conn.execute(select(records)).mappings()]
        for flt in filters:
            by_sql = set(conn.execute(select(records.c.id).where(flt.clause("sqlite"))).scalars())
            by_predicate = {r["id"] for r in stored if flt.matches(r)}
            assert by_sql == by_predicate, flt


@pytest.mark.parametrize("q", ['"', "%", "_", "\\", "a%", "b_", '"a"', "*", "AND", "NEAR(", "É", "ß",
                               "\0", "sure\0", "a\0b", "b\0sure", "\x01", "say\x1b", "NEAR\x00("])
def test_odd_search_terms_agree_on_fixed_records(engine: Engine, q: str) -> None:
    rows = [{"created": T0, "name": "a", "levelno": 20, "app": None, "exc_text": None, "exc_info": None,
             "message": m} for m in ['say "a" AND b', "100% sure", "a_b", "back\\slash", "*star*",
                                     "NEAR(x y)", "é É ß", "plain", "nul\0sure", "esc\x1bsay"]]
    insert(engine, rows)
    flt = RecordFilter(q=q)
    with engine.connect() as conn:
        by_sql = set(conn.execute(select(records.c.id).where(flt.clause("sqlite"))).scalars())
        by_predicate = {r["id"] for r in (record_json(m) for m in conn.execute(select(records)).mappings())
                        if flt.matches(r)}
    assert by_sql == by_predicate
