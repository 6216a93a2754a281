"""Every page's JSON twin: the same URL answers JSON to `Accept: application/json`, HTML to everyone else.

The twin is built by the same function as the page, so it must hold what the page shows and
agree with the JSON API that serves the same data.
"""
from __future__ import annotations

from typing import Any

import pytest
from conftest import store_records

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
JSON = {"Accept": "application/json"}
LOGS_KEYS = {"page", "records", "next", "newer", "around", "tail_after", "stored", "chips", "apps", "tree", "muted",
             "hits", "hints", "multi_day", "export", "snippet", "retention"}
RECORD_KEYS = {"record", "back_url", "around_url", "older_id", "newer_id", "older_url", "newer_url", "hits"}
INSPECTOR_KEYS = {"requests", "next", "selected", "picked", "filters", "page_size", "newer_above", "newest_id"}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def stored(app, client) -> dict[str, int]:
    """Two records (one carried by a captured /ingest request) and a request-bin capture; their ids."""
    (record_id,) = store_records(app, {"msg": "direct", "name": "shop.db"})
    assert client.post("/ingest?app=web", data={"msg": "via http", "levelname": "ERROR"}).status_code == 200
    resp = client.post("/inspect/hook?x=1", data=b"\x00\xffbinary", content_type="application/octet-stream")
    return {"record": record_id, "request": int(resp.headers["X-Logdash-Inspector"].rsplit("/", 1)[1])}


def pages(ids: dict[str, int]) -> list[str]:
    return ["/", f"/records/{ids['record']}", "/inspector", f"/inspector/{ids['request']}"]


@pytest.mark.parametrize("accept", [BROWSER, "*/*", None, "text/html", "application/json;q=0.5, text/html"],
                         ids=["browser", "curl", "none", "html", "html-preferred"])
def test_browsers_curl_and_no_accept_get_the_page(client, stored, accept: str | None) -> None:
    for url in pages(stored):
        resp = client.get(url, headers={"Accept": accept} if accept else {})
        assert resp.status_code == 200 and resp.mimetype == "text/html", url
        assert "Accept" in resp.vary and "Content-Security-Policy" in resp.headers
        assert resp.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")


@pytest.mark.parametrize("accept", ["application/json", "application/json, text/plain, */*",
                                    "text/html;q=0.5, application/json"])
def test_json_clients_get_the_twin(client, stored, accept: str) -> None:
    for url in pages(stored):
        resp = client.get(url, headers={"Accept": accept})
        assert resp.status_code == 200 and resp.mimetype == "application/json", url
        assert "Accept" in resp.vary and resp.headers["X-Content-Type-Options"] == "nosniff"
        assert isinstance(resp.get_json(), dict)


def twin(client, url: str) -> dict[str, Any]:
    resp = client.get(url, headers=JSON)
    assert resp.status_code == 200 and resp.mimetype == "application/json", resp.get_data(as_text=True)
    return resp.get_json()


def test_logs_twin_holds_what_the_page_shows(client, stored) -> None:
    data = twin(client, "/?level=INFO")
    assert set(data) == LOGS_KEYS
    api = client.get("/api/records?level=INFO").get_json()
    assert data["records"] == api["records"] and data["next"] == api["next"]  # the same rows as the API
    assert [r["message"] for r in data["records"]] == ["via http", "direct"]
    assert data["page"] == {"args": {"level": "INFO"}, "problems": [], "flt": {
        "level": 20, "logger": None, "q": None, "app": None, "since": None, "until": None, "trace_id": None,
        "span_id": None}}
    assert data["chips"] == [{"name": "level", "label": "level ≥ INFO", "remove_url": "/", "epoch": None,
                              "q_left": None}]
    assert data["apps"] == ["shop", "web"] and data["stored"] and not data["multi_day"]
    assert data["tree"] == [
        {"name": "root", "label": "root", "count": 1, "children": []},
        {"name": "shop", "label": "shop", "count": 1, "children": [
            {"name": "shop.db", "label": "db", "count": 1, "children": []}]}]
    assert data["export"] == {"ndjson": "/api/export?level=20&format=ndjson", "csv": "/api/export?level=20&format=csv"}
    assert data["hints"] == [] and data["snippet"] is None and isinstance(data["retention"], str)


def test_logs_twin_pages_with_the_cursor(app, client) -> None:
    ids = store_records(app, *[{"msg": f"m{i}"} for i in range(101)])
    data = twin(client, "/")
    last = data["records"][-1]
    assert [r["id"] for r in data["records"]] == ids[:0:-1] and data["next"] == f"{last['created']!r}_{ids[1]}"
    rest = client.get(f"/api/records?before={data['next']}").get_json()
    assert [r["id"] for r in rest["records"]] == ids[:1] and rest["next"] is None


def test_record_twin_is_the_record_with_its_neighbours(client, stored) -> None:
    data = twin(client, f"/records/{stored['record']}")
    assert set(data) == RECORD_KEYS
    assert data["record"] == client.get(f"/api/records/{stored['record']}").get_json()
    newer = data["newer_id"]
    assert data["older_id"] is None and data["older_url"] is None and newer > stored["record"]
    assert data["newer_url"] == f"/records/{newer}" and data["back_url"] == "/"
    assert twin(client, f"/records/{newer}?app=web")["older_id"] is None  # neighbours within the filter


def test_inspector_twin_lists_selects_and_filters(client, stored) -> None:
    data = twin(client, "/inspector")
    assert set(data) == INSPECTOR_KEYS
    assert data["requests"] == client.get("/api/requests").get_json()["requests"]
    assert [r["path"] for r in data["requests"]] == ["/inspect/hook", "/ingest"]
    assert data["selected"]["id"] == stored["request"] and not data["picked"]  # the newest is open
    assert data["filters"] == {} and data["page_size"] == 200 and data["next"] is None
    picked = twin(client, f"/inspector/{stored['request']}?path=/ingest")
    assert picked["picked"] and picked["filters"] == {"path": "/ingest"}
    assert picked["selected"] == client.get(f"/api/requests/{stored['request']}").get_json()
    assert picked["selected"]["body_base64"] and picked["selected"]["view"]["body"]["kind"] == "binary"
    assert [r["path"] for r in picked["requests"]] == ["/ingest"]  # the picked one need not be listed


def test_inspector_twin_of_nothing_matching(client, stored) -> None:
    data = twin(client, "/inspector?status=failed&method=put")
    assert data["requests"] == [] and data["selected"] is None and data["filters"] == {
        "method": "PUT", "status": "failed"}


@pytest.mark.parametrize(("url", "status", "says"), [
    ("/records/424242", 404, "no record 424242"),
    ("/inspector/424242", 404, "request 424242 is not stored"),
    ("/inspector?status=7xx", 400, "status: '7xx'"),
])
def test_twin_errors_are_json(client, url: str, status: int, says: str) -> None:
    resp = client.get(url, headers=JSON)
    assert resp.status_code == status and resp.mimetype == "application/json"
    assert says in resp.get_json()["error"]
    resp = client.get(url, headers={"Accept": BROWSER})
    assert resp.status_code == status and resp.mimetype == "text/html"
