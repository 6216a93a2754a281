"""/api/export: exactly the filtered view, streamed page by page, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
import json
import urllib.request
from typing import Any

import pytest
from conftest import store_records

from dashboard.logs import export


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url


def download(live: Any, query: str) -> tuple[Any, bytes]:
    """GET /api/export?query over real HTTP; (response headers, body)."""
    with urllib.request.urlopen(f"{live.url}/api/export?{query}", timeout=30) as resp:
        return resp.headers, resp.read()


def all_pages(live: Any, query: str) -> list[dict[str, Any]]:
    """Every record /api/records gives for `query`, following the cursor."""
    out: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, body = live.get(f"/api/records?{query}&limit=1000{cursor}")
        assert status == 200, body
        out += body["records"]
        if body["next"] is None:
            return out
        cursor = f"&before={body['next']}"


def test_ndjson_is_exactly_the_filtered_list_across_pages(live, monkeypatch) -> None:
    monkeypatch.setattr(export, "PAGE", 7)
    store_records(live.app, *[{"msg": f"m{i}", "levelname": "ERROR" if i % 3 == 0 else "INFO",
                               "name": "shop.db" if i % 2 else "auth"} for i in range(50)])
    for query in ("", "level=ERROR", "logger=shop&q=m1", "level=ERROR&logger=auth"):
        headers, body = download(live, f"format=ndjson&{query}")
        exported = [json.loads(line) for line in body.decode().splitlines()]
        assert exported == all_pages(live, query), query
    assert headers["Content-Type"] == "application/x-ndjson"
    assert headers["Content-Disposition"].startswith('attachment; filename="logdash-')
    assert headers["Content-Disposition"].endswith('.ndjson"')


def test_csv_keeps_newlines_and_neutralises_formulas(live) -> None:
    store_records(live.app,
                  {"msg": "=HYPERLINK(\"http://evil\")", "user": "+1", "note": "@SUM(A1)"},
                  {"msg": "-2+3", "name": "billing"},
                  {"msg": "line one\nline two, \"quoted\"", "exc_text": "Traceback\n  boom"},
                  {"msg": "plain ünïcode ✓"})
    headers, body = download(live, "format=csv")
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
    assert [r["message"] for r in rows] == ["plain ünïcode ✓", "line one\nline two, \"quoted\"",
                                            "'-2+3", "'=HYPERLINK(\"http://evil\")"]
    assert rows[1]["exc_text"] == "Traceback\n  boom"
    assert json.loads(rows[3]["extra"]) == {"user": "+1", "note": "@SUM(A1)"}  # JSON text starts with {
    assert rows[3]["levelno"] == "20" and rows[3]["id"].isdigit()
    assert list(rows[0]) == list(export.CSV_COLUMNS)


def test_csv_cell_rules() -> None:
    assert [export.csv_cell(v) for v in ("=1", "+1", "-1", "@a", "\tx", "a=1", -1, 2.5, None, {"a": 1})] == \
        ["'=1", "'+1", "'-1", "'@a", "'\tx", "a=1", -1, 2.5, None, '{"a": 1}']


def test_export_is_streamed(app) -> None:
    store_records(app, {"msg": "x"})
    resp = app.test_client().get("/api/export?format=csv")
    assert resp.is_streamed
    assert resp.get_data(as_text=True).count("\r\n") == 2


def test_empty_export_still_has_the_csv_header(live) -> None:
    _, body = download(live, "format=csv&q=nothing")
    assert body.decode() == ",".join(export.CSV_COLUMNS) + "\r\n"
    _, body = download(live, "format=ndjson")
    assert body == b""


@pytest.mark.parametrize(("query", "argument"), [("format=xml", "format"), ("format=csv&level=LOUD", "level")])
def test_bad_arguments_are_named(live, query: str, argument: str) -> None:
    status, body = live.get(f"/api/export?{query}")
    assert status == 400 and body["argument"] == argument
