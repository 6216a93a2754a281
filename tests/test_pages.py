"""The logs page and the record page, read through their JSON twins from a real SQLite file.

The twin is built by the same function as the page, so the tests assert on data; they read
the HTML only where the HTML itself is the point: escaping, the page rendering at all.
"""
from __future__ import annotations

import ast
import json
import re
import time
from typing import Any

import pytest
from conftest import store_records

from dashboard.logs.page_state import chips, page_url, read_page_filter
from dashboard.logs.tree import build_tree, opened
from dashboard.web.format import abbreviate, printable


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url

NOW = time.time()
ZERO_DIV = "(<class 'ZeroDivisionError'>, ZeroDivisionError('division by zero'), <traceback object at 0x7f3a>)"
JSON = {"Accept": "application/json"}


@pytest.fixture
def client(app):
    return app.test_client()


def twin(client, url: str, **kw: Any) -> dict[str, Any]:
    """The JSON twin of the page at `url`."""
    resp = client.get(url, headers=JSON, **kw)
    assert resp.status_code == 200 and resp.mimetype == "application/json", resp.get_data(as_text=True)
    return resp.get_json()


def messages(data: dict[str, Any]) -> list[str]:
    return [r["message"] for r in data["records"]]


def test_lists_newest_first(app, client) -> None:
    ids = store_records(app, {"msg": "first"}, {"msg": "second"}, {"msg": "third", "levelname": "ERROR"})
    data = twin(client, "/")
    assert [r["id"] for r in data["records"]] == ids[::-1]
    assert data["records"][0]["levelname"] == "ERROR" and messages(data) == ["third", "second", "first"]
    assert data["next"] is None and data["stored"] and data["page"]["args"] == {} and data["chips"] == []
    assert data["apps"] == ["shop"] and data["snippet"] is None and data["hints"] == []


def test_page_renders_with_the_state_for_its_script(app, client) -> None:
    ids = store_records(app, {"msg": "first"}, {"msg": "second", "levelname": "ERROR"})
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert 'class="level level-error">ERROR<' in html and ">second<" in html
    state = page_state(html)
    assert [r["id"] for r in state["records"]] == ids[::-1] and state["records"] == twin(client, "/")["records"]
    assert state["filter"] == {} and state["next"] is None


def page_state(html: str) -> dict[str, Any]:
    """The JSON block the page's script starts from (the HTML is the point: it must stay inert)."""
    raw = re.search(r'<script type="application/json" id="logs-state">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


def test_hostile_text_is_escaped_everywhere(app, client) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> \x1b[31mred\x1b[0m \u202eevil'
    store_records(app, {"msg": hostile, "name": "<b>logger</b>"}, app_name="<i>app</i>")
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>logger" not in html
    assert "<i>app" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\x1b[31mred" in html and "\\u202eevil" in html  # escapes shown, not interpreted
    assert page_state(html)["records"][0]["message"] == hostile  # the JSON block stays inert
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    data = twin(client, "/")
    assert messages(data) == [hostile] and data["apps"] == ["<i>app</i>"]  # the twin has the text as sent


@pytest.mark.parametrize(("query", "expected"), [
    ("level=ERROR", {"boom"}),
    ("level=warning", {"boom", "careful"}),
    ("logger=shop", {"careful", "boom"}),
    ("logger=shop.db", {"boom"}),
    ("q=BOO", {"boom"}),
    ("app=billing", {"bill"}),
    ("last=15m", {"careful", "boom", "bill"}),
    ("last=1h&level=ERROR", {"boom"}),
])
def test_each_filter_narrows_the_list(app, client, query: str, expected: set[str]) -> None:
    store_records(app, {"msg": "old", "name": "shopping", "created": str(NOW - 7200)})
    store_records(app, {"msg": "careful", "name": "shop", "levelname": "WARNING"},
                  {"msg": "boom", "name": "shop.db", "levelname": "ERROR"})
    store_records(app, {"msg": "bill", "name": "billing"}, app_name="billing")
    assert set(messages(twin(client, f"/?{query}"))) == expected


def test_filter_chips_and_export_links_follow_the_url(app, client) -> None:
    data = twin(client, "/?level=ERROR&logger=shop&q=boom&app=shop&until=1800000000")
    assert data["page"]["args"] == {"level": "ERROR", "logger": "shop", "q": "boom", "app": "shop",
                                    "until": "1800000000"}
    assert [(c["name"], c["remove_url"]) for c in data["chips"]] == [
        ("level", "/?logger=shop&q=boom&app=shop&until=1800000000"),
        ("logger", "/?level=ERROR&q=boom&app=shop&until=1800000000"),
        ("q", "/?level=ERROR&logger=shop&app=shop&until=1800000000"),
        ("app", "/?level=ERROR&logger=shop&q=boom&until=1800000000"),
        ("until", "/?level=ERROR&logger=shop&q=boom&app=shop")]
    assert data["chips"][-1]["epoch"] == 1_800_000_000
    assert data["export"] == {
        fmt: f"/api/export?level=40&logger=shop&q=boom&app=shop&until=1800000000.0&format={fmt}"
        for fmt in ("ndjson", "csv")}


def test_last_becomes_a_since(app, client) -> None:
    page = twin(client, "/?last=1h")["page"]
    assert page["args"] == {"last": "1h"} and abs(page["flt"]["since"] - (time.time() - 3600)) < 60


def test_bad_argument_shows_the_page_with_its_problems(app, client) -> None:
    store_records(app, {"msg": "still here"})
    data = twin(client, "/?level=LOUD&since=yesterday&q=still")
    problems = data["page"]["problems"]
    assert len(problems) == 2
    assert any(p.startswith("level:") and "LOUD" in p for p in problems)
    assert any(p.startswith("since:") for p in problems)
    assert data["page"]["args"] == {"q": "still"} and messages(data) == ["still here"]
    resp = client.get("/?level=LOUD&since=yesterday&q=still")
    assert resp.status_code == 200 and "LOUD" in resp.get_data(as_text=True)  # said in a banner, not a 400


def test_empty_database_shows_how_to_connect(client) -> None:
    data = twin(client, "/", base_url="http://127.0.0.1:8123")
    assert not data["stored"] and data["records"] == [] and data["hints"] == []
    ast.parse(data["snippet"])
    assert 'HTTPHandler(\n    "127.0.0.1:8123", "/ingest?app=myapp", method="POST")' in data["snippet"]
    html = client.get("/", base_url="http://127.0.0.1:8123").get_data(as_text=True)
    assert 'id="snippet"' in html and 'id="send-test"' in html


@pytest.mark.parametrize("app_settings", [{"INGEST_TOKEN": "s3cret", "ALLOWED_HOSTS": "logs.example"}])
def test_snippet_names_the_token_and_tls_when_needed(client) -> None:
    snippet = twin(client, "/", base_url="https://logs.example:8443")["snippet"]
    assert 'secure=True, credentials=("myapp", "YOUR_INGEST_TOKEN")' in snippet
    assert '"logs.example:8443"' in snippet and "s3cret" not in snippet


def test_no_match_says_which_filter_to_loosen(app, client) -> None:
    store_records(app, {"msg": "alpha", "levelname": "ERROR"}, {"msg": "beta"})
    data = twin(client, "/?q=beta&level=ERROR")
    assert data["records"] == [] and data["stored"]
    hints = sorted((h["chip"]["remove_url"], h["chip"]["label"], h["count"]) for h in data["hints"])
    assert hints == [("/?level=ERROR", "search “beta”", 1), ("/?q=beta", "level ≥ ERROR", 1)]
    data = twin(client, "/?q=gamma&level=ERROR&app=billing")
    assert [h["count"] for h in data["hints"]] == [0, 0, 0]  # no single filter is to blame


def test_logger_tree_counts_prefixes_whatever_the_logger_filter(app, client) -> None:
    store_records(app, *[{"name": n} for n in ("shop", "shop.db", "shop.db", "shop.web", "shopping", "auth")])
    data = twin(client, "/?logger=shop.db")

    def walk(nodes: list[dict[str, Any]]) -> dict[str, int]:
        return {k: v for n in nodes for k, v in {n["name"]: n["count"], **walk(n["children"])}.items()}

    assert walk(data["tree"]) == {"auth": 1, "shop": 4, "shop.db": 2, "shop.web": 1, "shopping": 1}
    assert [n["label"] for n in data["tree"][1]["children"]] == ["db", "web"]
    assert data["page"]["flt"]["logger"] == "shop.db" and len(data["records"]) == 2


def test_record_page_shows_fields_extras_and_recovered_exception(app, client) -> None:
    (rid,) = store_records(app, {
        "msg": "order %d failed", "args": "(7,)", "levelname": "ERROR", "exc_info": ZERO_DIV,
        "pathname": "/srv/shop.py", "lineno": "42", "funcName": "pay", "order": "7",
        "customer": "<b>ann</b>", "stack_info": "Stack (most recent call last):\n  here"})
    record = twin(client, f"/records/{rid}")["record"]
    assert (record["id"], record["message"], record["msg"], record["args"]) == (rid, "order 7 failed",
                                                                                 "order %d failed", "(7,)")
    assert (record["exc_type"], record["exc_value"]) == ("ZeroDivisionError", "division by zero")
    assert record["exc_text"] is None and record["extra"] == {"order": "7", "customer": "<b>ann</b>"}
    assert (record["pathname"], record["lineno"], record["funcName"]) == ("/srv/shop.py", 42, "pay")
    assert record["stack_info"].startswith("Stack (most recent call last)")
    resp = client.get(f"/records/{rid}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<b>ann" not in html and "&lt;b&gt;ann&lt;/b&gt;" in html
    assert "The traceback was not sent." in html and "def mapLogRecord" in html  # how to send it


def test_record_page_shows_a_sent_traceback(app, client) -> None:
    text = "Traceback (most recent call last):\nZeroDivisionError: division by zero"
    (rid,) = store_records(app, {"msg": "boom", "exc_info": ZERO_DIV, "exc_text": text})
    assert twin(client, f"/records/{rid}")["record"]["exc_text"] == text
    html = client.get(f"/records/{rid}").get_data(as_text=True)
    assert "Traceback (most recent call last):" in html and "The traceback was not sent" not in html


def test_record_page_links_neighbours_within_the_filter(app, client) -> None:
    ids = store_records(app, {"msg": "a", "levelname": "ERROR"}, {"msg": "b"}, {"msg": "c", "levelname": "ERROR"})
    data = twin(client, f"/records/{ids[2]}?level=ERROR")
    assert (data["older_id"], data["newer_id"]) == (ids[0], None)
    assert (data["older_url"], data["newer_url"]) == (f"/records/{ids[0]}?level=ERROR", None)
    assert data["back_url"] == "/?level=ERROR"
    data = twin(client, f"/records/{ids[1]}")
    assert (data["older_url"], data["newer_url"], data["back_url"]) == (f"/records/{ids[0]}", f"/records/{ids[2]}",
                                                                        "/")


def test_unknown_record_is_a_404(client) -> None:
    resp = client.get("/records/999", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and "no record 999" in resp.get_data(as_text=True)
    resp = client.get("/records/999", headers=JSON)
    assert resp.status_code == 404 and "no record 999" in resp.get_json()["error"]


def test_page_filter_helpers() -> None:
    page = read_page_filter({"level": "30", "last": "1h", "since": "0", "logger": "a.b", "until": "nope"}, now=10_000)
    assert page.args == {"level": "30", "logger": "a.b", "last": "1h"}
    assert page.flt.since == 10_000 - 3600 and page.flt.until is None
    assert page.problems == ["until: 'nope' is neither ISO 8601 nor epoch seconds"]
    assert page_url(page.args, logger=None) == "/?level=30&last=1h"
    assert [c.label for c in chips(page)] == ["level ≥ WARNING", "logger a.b", "last 1h"]
    assert read_page_filter({"last": "3w"}).problems == ["last: '3w' is not one of 15m, 1h, 24h, 7d"]


def test_tree_and_text_helpers() -> None:
    tree = build_tree([{"name": "a", "count": 1}, {"name": "a.b.c", "count": 2}, {"name": "b", "count": 3}])
    assert [(n.name, n.count) for n in tree[0].walk()] == [("a", 3), ("a.b", 2), ("a.b.c", 2)]
    a, ab, abc = tree[0].walk()
    assert opened(a, None) and not opened(ab, None) and opened(ab, "a.b.c") and opened(abc, "a.b.c")
    assert not opened(ab, "a.bc")
    assert [abbreviate(n) for n in (999, 1234, 12_345, 2_500_000)] == ["999", "1.2k", "12k", "2.5M"]
    assert printable("a\x1b[0m\x00\t\n\x7f\u202e") == "a\\x1b[0m\\x00\t\n\\x7f\\u202e"
