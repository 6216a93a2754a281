"""The inspector's script in Debian's chromium: it adopts the server's rendering, builds the same markup
for what comes later, shows times in the zone the logs page uses, and reconnects without gaps."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from browser_helpers import Network, shape
from conftest import Live, http, log_with
from playwright.sync_api import expect

from dashboard.web import format as fmt

ZONE = "Asia/Kathmandu"  # a 45-minute offset: local and UTC can never be confused


def wait_live(page: Any) -> None:
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def capture_variety(live: Live) -> None:
    """Requests that exercise every part of the detail pane."""
    multipart = (b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n' + bytes(range(40)) +
                 b'\r\n--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi \xe2\x80\xae\r\n--B--\r\n')
    http(f"{live.url}/inspect/up?x=1&blank=", multipart, {"Content-Type": "multipart/form-data; boundary=B"})
    long = "".join(f"line {i} {'😀' * (i % 3)}\n" for i in range(300)).encode()
    http(f"{live.url}/inspect/long", long, {"Content-Type": "text/plain", "X-Ctl": "a\x1bb"})
    http(f"{live.url}/inspect/json", b'{"a": [1, 2], "b": "\\u202e"}', {"Content-Type": "application/json"})
    live.post("/ingest", b"{oops", "application/json")
    log_with(live.handler("/ingest?app=shop"), logging.INFO, "hello %s", "there")
    http(f"{live.url}/inspect/form", b"a=1&a=2&empty=", {"Content-Type": "application/x-www-form-urlencoded"})


def test_page_adopts_the_server_rendering_and_fetches_only_what_it_needs(live: Live, page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    http(f"{live.url}/inspect/first")
    http(f"{live.url}/inspect/crlf?q=1", b"a\rb\x1bc\r\nd", {"Content-Type": "text/plain"})
    api: list[str] = []
    page.on("request", lambda r: api.append(r.url) if "/api/" in r.url else None)
    page.goto(live.url + "/inspector")
    wait_live(page)
    expect(page.locator(".req-detail.tabbed")).to_have_attribute("data-id", "2")  # the server's pane, wired
    assert page.locator("#inspector-data").count() == 0
    assert len(page.locator("#inspector-state").text_content()) < 200  # small state, not the request again
    assert api == []  # rows and detail were adopted, not fetched and rebuilt
    view = live.get("/api/requests/2")[1]["view"]
    page.click('button[data-copy="raw"]')
    expect(page.locator('button[data-copy="raw"]')).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == view["raw"]  # as stored, not as shown (\x1b visible)
    assert api == [f"{live.url}/api/requests/2"]
    page.keyboard.press("c")
    expect(page.locator('button[data-copy="curl"]')).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == view["curl"]
    assert len(api) == 1  # fetched once, on demand


def test_details_and_rows_built_by_the_script_match_the_server_rendered_ones(live: Live, page: Any) -> None:
    capture_variety(live)
    ids = [r["id"] for r in live.get("/api/requests")[1]["requests"]]
    for shown in ids:
        page.goto(f"{live.url}/inspector/{shown}")
        served = shape(page.locator(".req-detail.tabbed"))
        other = ids[0] if shown != ids[0] else ids[1]
        page.goto(f"{live.url}/inspector/{other}")
        expect(page.locator(".req-detail.tabbed")).to_have_attribute("data-id", str(other))
        page.click(f'#req-list .req[data-id="{shown}"] a')
        expect(page.locator(".req-detail.tabbed")).to_have_attribute("data-id", str(shown))
        assert shape(page.locator(".req-detail")) == served, shown
    page.goto(live.url + "/inspector")
    wait_live(page)
    served = shape(page.locator("#req-list"))
    page.locator("#req-list .req").evaluate_all("rows => rows.forEach(row => { row.served = true; })")
    page.click("#insp-filter button[type=submit]")  # the same filter again: the script rebuilds the list
    page.wait_for_function("() => ![...document.querySelectorAll('#req-list .req')].some(row => row.served)")
    expect(page.locator("#req-list .req")).to_have_count(len(ids))
    assert shape(page.locator("#req-list")) == served


def test_times_follow_the_zone_chosen_on_either_page(live: Live, browser: Any) -> None:
    http(f"{live.url}/inspect/then")
    context = browser.new_context(timezone_id=ZONE, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(live.url + "/inspector")
        wait_live(page)
        http(f"{live.url}/inspect/now")
        expect(page.locator("#req-list .req")).to_have_count(2)
        created = [r["created"] for r in live.get("/api/requests")[1]["requests"]]
        local = [datetime.fromtimestamp(e, ZoneInfo(ZONE)) for e in created]
        expected = [m.strftime("%H:%M:%S.") + f"{m.microsecond // 1000:03d}" for m in local]
        expect(page.locator("#req-list .req .t")).to_have_text(expected)  # a live row and an adopted one
        expect(page.locator("#tz-toggle")).to_have_text("local")
        page.click("#tz-toggle")
        expect(page.locator("#req-list .req .t")).to_have_text([fmt.clock(e) for e in created])
        stamp = fmt.iso_time(created[0]).replace("T", " ").replace("Z", " UTC")
        expect(page.locator(".req-detail .meta time")).to_have_text(stamp)
        page.goto(live.url + "/")  # the logs page reads the same choice
        expect(page.locator("#tz-toggle")).to_have_text("UTC")
        page.click("#tz-toggle")
        page.goto(live.url + "/inspector")
        expect(page.locator("#req-list .req .t")).to_have_text(expected)
    finally:
        context.close()


def test_forced_websocket_drop_loses_and_duplicates_nothing(live: Live, page: Any, monkeypatch) -> None:
    """The network drops every /ws/requests socket; reconnects fail until it is back."""
    network = Network(monkeypatch)
    http(f"{live.url}/inspect/first")
    page.goto(live.url + "/inspector")
    wait_live(page)
    http(f"{live.url}/inspect/second")
    expect(page.locator("#req-list .req")).to_have_count(2)
    network.cut()
    expect(page.locator("#live-state")).to_contain_text(re.compile(r"RECONNECTING · retry in \ds"))
    for i in range(3):
        http(f"{live.url}/inspect/during-{i}")
    network.restore()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live", timeout=10_000)
    http(f"{live.url}/inspect/after")
    paths = ["/inspect/after", "/inspect/during-2", "/inspect/during-1", "/inspect/during-0", "/inspect/second",
             "/inspect/first"]
    expect(page.locator("#req-list .req .p")).to_have_text(paths)
    expect(page.locator(".req-detail")).to_have_attribute("data-id", "6")  # still following the newest
    assert network.urls[-1] == "/ws/requests?after=2"  # resumed from the last request it had
