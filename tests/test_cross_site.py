"""Browsers on other origins cannot write into /ingest (GET included); allowed origins get CORS;
request-bin captures never evict /ingest captures."""
from __future__ import annotations

import json
import logging
import sqlite3
import time
import urllib.parse
import urllib.request

import pytest
from alembic import command
from conftest import free_port, http, log_with

from dashboard.store.engine import make_engine
from dashboard.store.migrate import alembic_config, upgrade

ALLOWED = "https://app.example.com"
RECORD = json.dumps({"msg": "from a browser"}).encode()


@pytest.fixture
def app_settings() -> dict:
    return {"INGEST_ORIGINS": f"{ALLOWED}, https://admin.example.com/", "REQUEST_RETENTION": 5}


def captured_statuses(live) -> list[tuple[str, int, str | None]]:
    """The /ingest captures, waiting a little: a refusal is stored without holding up its answer."""
    deadline = time.monotonic() + 5
    while True:
        listed = live.get("/api/requests?path=/ingest&limit=100")[1]["requests"]
        if listed or time.monotonic() > deadline:
            return [(r["method"], r["status"], r["reason"]) for r in listed]
        time.sleep(0.02)


@pytest.mark.parametrize(("method", "headers"), [
    ("GET", {"Sec-Fetch-Site": "same-site"}),                    # <img src> on another port of this host
    ("GET", {"Sec-Fetch-Site": "cross-site"}),                   # <img src> on another site
    ("POST", {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"}),  # a no-cors fetch
    ("POST", {"Origin": "http://localhost:1"}),                  # an older browser: Origin only
    ("GET", {"Origin": "https://evil.example"}),
    ("POST", {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}),
], ids=["img-same-site", "img-cross-site", "fetch-same-site", "origin-only", "get-origin", "post-cross-site"])
def test_cross_origin_browser_requests_are_refused_and_captured(live, method: str, headers: dict) -> None:
    url = live.url + "/ingest" + ("?msg=planted&name=x" if method == "GET" else "")
    body = None if method == "GET" else RECORD
    sent = {**headers, **({"Content-Type": "application/json"} if body else {})}
    status, answer = http(url, body, sent, method=method)
    assert status == 403 and "refused" in answer["error"]
    assert "LOGDASH_INGEST_ORIGINS" in answer["error"]
    assert live.records() == []
    assert [s for _, s, _ in captured_statuses(live)] == [403]


def test_same_origin_pages_typed_urls_and_servers_still_write(live) -> None:
    ours = {"Sec-Fetch-Site": "same-origin", "Origin": live.url, "Content-Type": "application/json"}
    assert http(live.url + "/ingest", RECORD, ours)[0] == 200               # the page's "send a test record"
    assert http(live.url + "/ingest?msg=typed", None, {"Sec-Fetch-Site": "none"})[0] == 200  # the address bar
    log_with(live.handler(), logging.WARNING, "stock POST")                  # no browser headers at all
    log_with(live.handler(method="GET"), logging.WARNING, "stock GET")
    assert [r["message"] for r in live.records()] == ["stock GET", "stock POST", "typed", "from a browser"]


def test_allowed_origin_gets_a_preflight_and_may_post(live) -> None:
    preflight = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    status, headers = options(live, preflight)
    assert status == 204 and headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()
    assert "origin" in headers["vary"].lower()
    status, headers = options(live, {**preflight, "Origin": "https://admin.example.com"})  # listed with a slash
    assert headers["access-control-allow-origin"] == "https://admin.example.com"
    for foreign in ("https://evil.example", "https://app.example.com.evil.example", "http://app.example.com"):
        status, headers = options(live, {**preflight, "Origin": foreign})
        assert not any(k.startswith("access-control-allow") for k in headers), foreign
    browser = {"Origin": ALLOWED, "Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}
    assert http(live.url + "/ingest", RECORD, browser)[0] == 200
    assert http(live.url + "/ingest", RECORD, {**browser, "Origin": "https://evil.example"})[0] == 403
    assert [r["message"] for r in live.records()] == ["from a browser"]


def options(live, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    req = urllib.request.Request(live.url + "/ingest", headers=headers, method="OPTIONS")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}


def test_request_bin_floods_never_evict_ingest_captures(live) -> None:
    """Retention 5 of each kind: 3 /ingest captures survive 30 posts into the bin (cross-site too)."""
    for i in range(3):
        log_with(live.handler(), logging.INFO, f"kept {i}")
    for i in range(30):
        http(f"{live.url}/inspect/flood/{i}", b"x", {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
    ingest = live.get("/api/requests?path=/ingest&limit=100")[1]["requests"]
    bin_ = live.get("/api/requests?path=/inspect&limit=100")[1]["requests"]
    assert len(ingest) == 3 and all(r["status"] == 200 for r in ingest)
    assert [r["path"] for r in bin_] == [f"/inspect/flood/{i}" for i in range(29, 24, -1)]
    for i in range(4):
        log_with(live.handler(), logging.INFO, f"more {i}")
    assert len(live.get("/api/requests?path=/ingest&limit=100")[1]["requests"]) == 5
    assert len(live.get("/api/requests?path=/inspect&limit=100")[1]["requests"]) == 5


def test_prune_is_an_indexed_range_delete(db_url) -> None:
    """The writer's per-kind cut-off lookup is answered from the (kind, id) index, not a table scan."""
    from dashboard.store.batch import _CUTOFF
    engine = make_engine(db_url)
    with engine.connect() as conn:
        compiled = _CUTOFF.compile(dialect=conn.dialect)
        params = compiled.construct_params({"kind": "bin", "keep": 5})
        args = tuple(params[name] for name in compiled.positiontup or ())
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, args))
    engine.dispose()
    assert "ix_requests_kind_id" in plan and "SCAN requests" not in plan.replace("USING COVERING INDEX", "")


def test_0006_marks_existing_bin_captures_and_keeps_every_row(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0005")
    raw = sqlite3.connect(tmp_path / "old.db")
    raw.executemany("INSERT INTO requests (time, method, path, query, http_version, headers, body, body_size, "
                    "truncated, status) VALUES (1, 'POST', ?, '', 'HTTP/1.1', '[]', x'', 0, 0, 200)",
                    [("/ingest",), ("/inspect/hook",), ("/inspect",), ("/inspector-like",)])
    raw.commit()
    raw.close()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    raw = sqlite3.connect(tmp_path / "old.db")
    assert raw.execute("SELECT path, kind FROM requests ORDER BY id").fetchall() == [
        ("/ingest", "ingest"), ("/inspect/hook", "bin"), ("/inspect", "bin"), ("/inspector-like", "ingest")]
    raw.close()
    command.downgrade(alembic_config(url), "0005")
    raw = sqlite3.connect(tmp_path / "old.db")
    assert raw.execute("SELECT count(*) FROM requests").fetchone() == (4,)
    raw.close()


def test_cross_site_refusal_reason_names_the_header(live) -> None:
    port = free_port()
    status, answer = http(live.url + "/ingest?" + urllib.parse.urlencode({"msg": "x"}), None,
                          {"Sec-Fetch-Site": "same-site", "Referer": f"http://127.0.0.1:{port}/"})
    assert status == 403 and "Sec-Fetch-Site: same-site" in answer["error"]
