"""The logs page and the record page, rendered by the real app from a real SQLite file."""
from __future__ import annotations

import ast
import json
import re
import time
from typing import Any

import pytest

from dashboard.ingest.parse import parse_record, to_row
from dashboard.logs.page_state import chips, page_url, read_page_filter
from dashboard.logs.tree import build_tree
from dashboard.web.format import abbreviate, printable

NOW = time.time()
ZERO_DIV = "(<class 'ZeroDivisionError'>, ZeroDivisionError('division by zero'), <traceback object at 0x7f3a>)"


def store(app: Any, *records: dict[str, Any], app_name: str | None = "shop") -> list[int]:
    """Store records through the app's own writer (the ingest path after parsing)."""
    rows = []
    for fields in records:
        row = to_row(parse_record({"created": str(NOW), **fields}, received=NOW, app=app_name, source="127.0.0.1"))
        rows.append(row)
    return app.extensions["logdash.writer"].submit(rows).result(10).record_ids


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="row" role="listitem" data-id="(\d+)"', html)]


def page_state(html: str) -> dict[str, Any]:
    raw = re.search(r'<script type="application/json" id="logs-state">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


@pytest.fixture
def client(app):
    return app.test_client()


def test_lists_newest_first_with_state_for_the_script(app, client) -> None:
    ids = store(app, {"msg": "first"}, {"msg": "second"}, {"msg": "third", "levelname": "ERROR"})
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert row_ids(html) == ids[::-1]
    state = page_state(html)
    assert [r["id"] for r in state["records"]] == ids[::-1]
    assert state["filter"] == {} and state["next"] is None
    assert 'class="level level-error">ERROR<' in html


def test_hostile_text_is_escaped_everywhere(app, client) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> \x1b[31mred\x1b[0m \u202eevil'
    store(app, {"msg": hostile, "name": "<b>logger</b>"}, app_name="<i>app</i>")
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>logger" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\x1b[31mred" in html and "\\u202eevil" in html  # escapes shown, not interpreted
    assert page_state(html)["records"][0]["message"] == hostile  # the JSON block stays inert
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


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
    store(app, {"msg": "old", "name": "shopping", "created": str(NOW - 7200)})
    store(app, {"msg": "careful", "name": "shop", "levelname": "WARNING"},
          {"msg": "boom", "name": "shop.db", "levelname": "ERROR"})
    store(app, {"msg": "bill", "name": "billing"}, app_name="billing")
    state = page_state(client.get(f"/?{query}").get_data(as_text=True))
    assert {r["message"] for r in state["records"]} == expected


def test_last_becomes_a_since_for_the_script(app, client) -> None:
    state = page_state(client.get("/?last=1h").get_data(as_text=True))
    assert abs(float(state["filter"]["since"]) - (time.time() - 3600)) < 60


def test_bad_argument_shows_the_page_with_a_banner(app, client) -> None:
    store(app, {"msg": "still here"})
    resp = client.get("/?level=LOUD&since=yesterday&q=still")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    banners = re.findall(r'class="banner page-banner" role="alert">(.*?)</div>', html)
    assert any("level" in b and "LOUD" in b for b in banners)
    assert any("since" in b for b in banners)
    assert page_state(html)["filter"] == {"q": "still"}
    assert len(row_ids(html)) == 1


def test_empty_database_shows_how_to_connect(client) -> None:
    html = client.get("/", base_url="http://127.0.0.1:8123").get_data(as_text=True)
    snippet = re.search(r'<pre class="snippet" id="snippet">(.*?)</pre>', html, re.S).group(1)
    code = snippet.replace("&#34;", '"').replace("&quot;", '"')
    ast.parse(code)
    assert 'HTTPHandler(\n    "127.0.0.1:8123", "/ingest?app=myapp", method="POST")' in code
    assert 'id="send-test"' in html


def test_no_match_says_which_filter_to_loosen(app, client) -> None:
    store(app, {"msg": "alpha", "levelname": "ERROR"}, {"msg": "beta"})
    html = client.get("/?q=beta&level=ERROR").get_data(as_text=True)
    assert "No records match these filters" in html
    hints = re.findall(r"<li>without <a href=\"([^\"]*)\">(.*?)</a>: (\d+) records?</li>", html)
    assert sorted(hints) == [("/?level=ERROR", "search “beta”", "1"), ("/?q=beta", "level ≥ ERROR", "1")]
    html = client.get("/?q=gamma&level=ERROR&app=billing").get_data(as_text=True)
    assert "No single filter is to blame" in html and 'href="/">Clear all filters' in html


def test_logger_tree_counts_prefixes(app, client) -> None:
    store(app, *[{"name": n} for n in ("shop", "shop.db", "shop.db", "shop.web", "shopping", "auth")])
    html = client.get("/?logger=shop.db").get_data(as_text=True)
    counts = dict(re.findall(r'data-logger="([^"]+)" data-count="(\d+)"', html))
    assert counts == {"auth": "1", "shop": "4", "shop.db": "2", "shop.web": "1", "shopping": "1"}
    assert re.search(r'<li class="tree-node current">\s*<div class="leaf"><a href="/\?logger=shop.db"', html)


def test_record_page_shows_fields_extras_and_recovered_exception(app, client) -> None:
    (rid,) = store(app, {"msg": "order %d failed", "args": "(7,)", "levelname": "ERROR", "exc_info": ZERO_DIV,
                         "pathname": "/srv/shop.py", "lineno": "42", "funcName": "pay", "order": "7",
                         "customer": "<b>ann</b>", "stack_info": "Stack (most recent call last):\n  here"})
    resp = client.get(f"/records/{rid}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert '<pre class="message" id="message">order 7 failed</pre>' in html
    assert "<strong>ZeroDivisionError</strong>: division by zero" in html
    assert "The traceback was not sent." in html and "def mapLogRecord" in html and "exc_text" in html
    extras = dict(re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>',
                             re.search(r'id="extras">(.*?)</table>', html, re.S).group(1)))
    assert extras == {"order": "7", "customer": "&lt;b&gt;ann&lt;/b&gt;"}
    assert "/srv/shop.py:42 in pay()" in html and "Stack (most recent call last)" in html


def test_record_page_shows_a_sent_traceback(app, client) -> None:
    (rid,) = store(app, {"msg": "boom", "exc_info": ZERO_DIV,
                         "exc_text": "Traceback (most recent call last):\nZeroDivisionError: division by zero"})
    html = client.get(f"/records/{rid}").get_data(as_text=True)
    assert '<pre class="traceback" id="traceback">Traceback (most recent call last):' in html
    assert "The traceback was not sent" not in html


def test_record_page_links_neighbours_within_the_filter_and_the_request(app, client) -> None:
    ids = store(app, {"msg": "a", "levelname": "ERROR"}, {"msg": "b"}, {"msg": "c", "levelname": "ERROR"})
    html = client.get(f"/records/{ids[2]}?level=ERROR").get_data(as_text=True)
    assert f'id="older" href="/records/{ids[0]}?level=ERROR"' in html
    assert 'id="newer"' not in html
    assert 'id="back" href="/?level=ERROR"' in html
    html = client.get(f"/records/{ids[1]}").get_data(as_text=True)
    assert f'href="/records/{ids[0]}"' in html and f'href="/records/{ids[2]}"' in html


def test_unknown_record_is_a_404_page(client) -> None:
    resp = client.get("/records/999", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and "no record 999" in resp.get_data(as_text=True)


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
    assert [abbreviate(n) for n in (999, 1234, 12_345, 2_500_000)] == ["999", "1.2k", "12k", "2.5M"]
    assert printable("a\x1b[0m\x00\t\n\x7f\u202e") == "a\\x1b[0m\\x00\t\n\\x7f\\u202e"
