"""Records are listed in time order (`created`, then id), not arrival order, with cursors on (created, id)
that page both ways without gaps or duplicates, ties and late arrivals included, on the time index."""
from __future__ import annotations

import json
import random
from typing import Any

import pytest
from conftest import store_records
from sqlalchemy import delete, event

from dashboard.logs import timeline
from dashboard.logs.filter import RecordFilter
from dashboard.logs.window import Window, records_page
from dashboard.store.engine import get_engine_of
from dashboard.store.schema import records


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url

BASE = 1_763_700_000.0
JSON = {"Accept": "application/json"}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def stored(app) -> list[dict[str, Any]]:
    """40 records arriving out of time order: a batch sent late, and many sharing one `created`."""
    rng = random.Random(11)
    fields = [{"msg": f"m{i} item{i % 2}", "created": str(BASE + [0, 1, 1, 2.5, 7][i % 5] + (i // 20) * 0.001),
               "levelname": ("INFO", "ERROR")[i % 3 == 0], "name": ("shop.db", "shop.web")[i % 2]} for i in range(40)]
    rng.shuffle(fields)
    ids = store_records(app, *fields[:25]) + store_records(app, *fields[25:])
    return [{**f, "id": i, "created": float(f["created"])} for f, i in zip(fields, ids, strict=True)]


def in_order(stored: list[dict[str, Any]], **flt: str) -> list[int]:
    """The expected ids, newest first by (created, id), computed without the server."""
    kept = [r for r in stored if ("level" not in flt or r["levelname"] == "ERROR")
            and ("logger" not in flt or r["name"] == flt["logger"]) and flt.get("q", "") in r["msg"]]
    return [r["id"] for r in sorted(kept, key=lambda r: (r["created"], r["id"]), reverse=True)]


def get(client, url: str) -> dict[str, Any]:
    resp = client.get(url, headers=JSON)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def walk(client, query: str, start: str | None, key: str, limit: int) -> list[int]:
    """Ids page by page from `start` following `key` ("next": older, "newer": newer), in list order."""
    ids, cursor, arg = [], start, "before" if key == "next" else "after"
    pages = 0
    while True:
        body = get(client, f"/api/records?{query}&limit={limit}" + (f"&{arg}={cursor}" if cursor else ""))
        ids = ids + [r["id"] for r in body["records"]] if key == "next" else [r["id"] for r in body["records"]] + ids
        pages += 1
        assert pages < 100
        if (cursor := body[key]) is None:
            return ids


def test_the_list_is_in_time_order_not_arrival_order(client, stored) -> None:
    body = get(client, "/api/records?limit=1000")
    shown = [(r["created"], r["id"]) for r in body["records"]]
    assert [i for _, i in shown] == in_order(stored) and body["next"] is None and body["newer"] is None
    assert [i for _, i in shown] != sorted((r["id"] for r in stored), reverse=True)  # arrival order differs


PATHS = {"rare": {"WINDOWS": (2, 5)}, "windows": {"FEW": 0}, "windows-then-indexes": {"FEW": 0, "WINDOWS": (2, 5)}}


@pytest.mark.parametrize("path", PATHS)
def test_cursors_walk_both_ways_without_gap_or_duplicate(client, stored, monkeypatch, path) -> None:
    for name, value in PATHS[path].items():  # every way a page is read: a rare condition's index and a sort,
        monkeypatch.setattr(timeline, name, value)  # windows along the time index, then the indexes for the rest
    for flt in ({}, {"level": "ERROR"}, {"logger": "shop.db"}, {"q": "item1"}):
        for limit in (1, 4):
            query = "&".join(f"{k}={v}" for k, v in flt.items())
            older = walk(client, query, None, "next", limit)
            assert older == in_order(stored, **flt), (flt, limit)
            oldest = get(client, f"/api/records?{query}&limit=1&before={older[-2]}")["records"][0]
            assert oldest["id"] == older[-1]
            newer = walk(client, query, f"{oldest['created']!r}_{oldest['id']}", "newer", limit)
            assert newer == older[:-1], (flt, limit)


def test_a_plain_id_cursor_stands_for_that_records_place(app, client, stored) -> None:
    ids = in_order(stored)
    at = ids[10] if ids[10] != min(ids) else ids[11]
    by_id = get(client, f"/api/records?before={at}&limit=5")
    assert [r["id"] for r in by_id["records"]] == ids[11:16]
    assert get(client, f"/api/records?after={at}&limit=5")["records"] == get(client, "/api/records?limit=30")[
        "records"][5:10]
    with get_engine_of(app).begin() as conn:  # pruned: it stands for the place just after the next lower id
        conn.execute(delete(records).where(records.c.id == at))
    nearest = max((r for r in stored if r["id"] < at), key=lambda r: r["id"])
    expected = [r["id"] for r in sorted(stored, key=lambda r: (r["created"], r["id"]), reverse=True)
                if (r["created"], r["id"]) < (nearest["created"], at)][:5]
    assert [r["id"] for r in get(client, f"/api/records?before={at}&limit=5")["records"]] == expected
    assert get(client, "/api/records?before=0&limit=5") == {"records": [], "next": None, "newer": None}


def test_bad_cursors_are_a_400_naming_the_argument(client) -> None:
    for query, argument in [
        ("before=1.5_x", "before"), ("after=nan_3", "after"), ("before=inf_1", "before"), ("after=-1_2", "after"),
        ("before=1e999_2", "before"), ("before=3&after=4", "after"), ("around=x", "around"), ("around=0", "around"),
        ("around=2&before=5", "around"), ("before=" + "9" * 30, "before"),
    ]:
        resp = client.get(f"/api/records?{query}")
        assert resp.status_code == 400 and resp.get_json()["argument"] == argument, query


def test_around_a_record_loads_older_and_newer_and_pages_on_both_ways(client, stored) -> None:
    ids = in_order(stored)
    target = ids[20]
    body = get(client, f"/api/records?around={target}&limit=6")
    assert [r["id"] for r in body["records"]] == ids[17:23] and body["around"] == target
    older = walk(client, "", body["next"], "next", 4)
    newer = walk(client, "", body["newer"], "newer", 4)
    assert newer + [r["id"] for r in body["records"]] + older == ids
    assert client.get("/api/records?around=999999").status_code == 404


def test_the_page_around_a_record_marks_it_with_the_filters_cleared(client, stored) -> None:
    target = in_order(stored)[30]
    page = client.get(f"/?around={target}").get_data(as_text=True)
    assert page.count('class="row marked"') == 1 and 'id="around-bar"' in page
    marked = page[page.index('class="row marked"'):].split(">", 1)[0]
    assert f'data-id="{target}"' in marked and 'aria-current="true"' in marked
    twin = get(client, f"/?around={target}")
    assert twin["around"] == target and target in [r["id"] for r in twin["records"]]
    assert twin["newer"] is None and 'id="load-newer" hidden' in page  # 30 newer: all shown already
    assert get(client, f"/api/records?around={target}&limit=20")["newer"] is not None
    state = json.loads(page.split('id="logs-state">', 1)[1].split("</script>", 1)[0])
    assert state["around"] == target and state["after"] == max(r["id"] for r in stored)
    gone = client.get("/?around=999999").get_data(as_text=True)
    assert "around: there is no record 999999" in gone and 'class="row marked"' not in gone
    record_page = client.get(f"/records/{target}").get_data(as_text=True)
    assert f'href="/?around={target}"' in record_page


def test_rows_and_records_carry_their_place(client, stored) -> None:
    page = client.get("/").get_data(as_text=True)
    for r in stored[:5]:
        assert f'data-id="{r["id"]}" data-created="{r["created"]!r}"' in page
    assert all({"id", "created"} <= set(r) for r in get(client, "/api/records")["records"])


def test_the_record_page_steps_in_time_order(client, stored) -> None:
    ids = in_order(stored, level="ERROR")
    data = get(client, f"/records/{ids[3]}?level=ERROR")
    assert (data["newer_id"], data["older_id"]) == (ids[2], ids[4])
    assert get(client, f"/records/{ids[-1]}?level=ERROR")["older_id"] is None


def test_export_is_in_time_order(client, stored) -> None:
    lines = client.get("/api/export?format=ndjson").get_data(as_text=True).splitlines()
    assert [json.loads(line)["id"] for line in lines] == in_order(stored)


FILTERS = [RecordFilter(), RecordFilter(since=BASE), RecordFilter(since=BASE, until=BASE + 2), RecordFilter(level=40),
           RecordFilter(logger="shop"), RecordFilter(app="shop", level=20), RecordFilter(q="m1")]


def plans(app, stored, flt: RecordFilter) -> list[tuple[str, str]]:
    """(statement, EXPLAIN QUERY PLAN) of every list statement a newest page and cursor pages both ways run."""
    engine = get_engine_of(app)
    seen: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if "ORDER BY records.created" in statement:
            seen.append((statement, parameters))

    middle = in_order(stored)[20]
    event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            for window in (Window(limit=5), Window(before=middle, limit=5), Window(after=middle, limit=5)):
                records_page(conn, flt, window)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        return [(s, " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + s, p))) for s, p in seen]


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)  # SQLite's query plans
def test_lists_read_along_the_time_index_without_a_sort(app, stored, monkeypatch) -> None:
    """Whenever matches may be many, the order comes from the index on `created`, never from a sort."""
    monkeypatch.setattr(timeline, "FEW", 0)  # every condition counts as common
    for flt in FILTERS:
        found = plans(app, stored, flt)
        assert found, flt
        for statement, plan in found:
            assert "TEMP B-TREE" not in plan and "INDEX ix_records_created" in plan, (flt, statement, plan)


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)  # SQLite's query plans
def test_a_rare_condition_is_read_through_its_own_index(app, stored, monkeypatch) -> None:
    """A condition matching few records finds them through its index and sorts those few (text once a first
    window along time did not fill the page)."""
    monkeypatch.setattr(timeline, "WINDOWS", (2, 5))
    for flt, index in [(RecordFilter(level=50), "INDEX ix_records_levelno"),
                       (RecordFilter(logger="shop.db", level=20), "INDEX ix_records_name"),
                       (RecordFilter(app="shop", level=40), "INDEX ix_records_app"),
                       (RecordFilter(q="m13"), "SCAN records_fts VIRTUAL TABLE")]:
        found = plans(app, stored, flt)
        assert found, flt
        sorted_few = [(statement, plan) for statement, plan in found if "ORDER BY records.created +" in statement]
        assert sorted_few, flt
        for statement, plan in sorted_few:
            assert index in plan and "ix_records_created" not in plan, (flt, statement, plan)
