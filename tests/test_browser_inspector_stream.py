"""The inspector in Debian's chromium while requests stream in: /inspector/<id> shows its request's line
highlighted even when it is older than the newest page, following the newest fetches its detail at most
about once a second (not once per request), and refusal reasons read whole. One server for the module;
each test keeps to its own path (the inspector's path filter)."""
from __future__ import annotations

import http.client
import re
import threading
import time
from typing import Any

from conftest import Live
from conftest import http as exchange
from playwright.sync_api import expect

from dashboard.inspector import pages


def hit(live: Live, paths: list[str], pause: float = 0.0) -> None:
    """GET each path on one keep-alive connection, `pause` seconds apart."""
    conn = http.client.HTTPConnection(live.host, live.port, timeout=30)
    try:
        for path in paths:
            conn.request("GET", path)
            conn.getresponse().read()
            time.sleep(pause)
    finally:
        conn.close()


def test_a_picked_request_older_than_the_newest_page_is_listed_and_highlighted(shared_live: Live,
                                                                               shared_page: Any) -> None:
    page = shared_page
    hit(shared_live, [f"/inspect/many/{n}" for n in range(pages.PAGE_SIZE + 30)])
    ids = [r["id"] for r in shared_live.get("/api/requests?path=/inspect/many&limit=1000")[1]["requests"]]
    picked = ids[-5]  # far below the newest page
    status, twin = exchange(f"{shared_live.url}/inspector/{picked}?path=/inspect/many",
                            headers={"Accept": "application/json"})
    assert status == 200 and picked in [r["id"] for r in twin["requests"]] and twin["newer_above"]
    page.goto(f"{shared_live.url}/inspector/{picked}?path=/inspect/many")
    line = page.locator("#req-list .req.selected")
    expect(line).to_have_attribute("data-id", str(picked))
    expect(line).to_be_in_viewport()
    expect(line.locator("a")).to_have_attribute("aria-current", "true")
    expect(page.locator("#live-state")).to_have_attribute("data-state", re.compile("live|paused"))
    shown = page.locator("#req-list .req").count()
    hit(shared_live, ["/inspect/many/late"])  # newer than the page: counted, not joined onto it
    expect(page.locator("#new-bar")).to_have_text("1 new request · show")
    assert page.locator("#req-list .req").count() == shown
    page.click("#new-bar")  # the newest page, the picked request still open
    expect(page.locator("#req-list .req .p").first).to_have_text("/inspect/many/late")
    expect(page.locator(".req-detail")).to_have_attribute("data-id", str(picked))


def test_following_the_newest_does_not_refetch_per_request(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    hit(shared_live, ["/inspect/storm/0"])
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if re.search(r"/api/requests/\d+$", r.url) else None)
    page.goto(f"{shared_live.url}/inspector?path=/inspect/storm")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    sender = threading.Thread(target=hit, args=(shared_live, [f"/inspect/storm/{n}" for n in range(1, 41)], 0.05))
    started = time.monotonic()
    sender.start()
    sender.join()
    seconds = time.monotonic() - started
    expect(page.locator("#req-list .req")).to_have_count(41)
    newest = page.locator("#req-list .req").first.get_attribute("data-id")
    expect(page.locator(".req-detail")).to_have_attribute("data-id", newest)  # it still follows
    assert len(fetched) <= seconds + 3, f"{len(fetched)} detail fetches for 40 requests in {seconds:.1f} s"
    assert page.locator("#req-list .req.selected").get_attribute("data-id") == newest


def test_refusal_reasons_read_whole(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    status, _ = exchange(f"{shared_live.url}/ingest?app=reasons", b'{"msg": "cut', {"Content-Type": "application/json"})
    assert status == 400
    reason = "invalid JSON at line 1 column 9: Unterminated string starting at: line 1 column 9 (char 8)"
    page.goto(f"{shared_live.url}/inspector?path=/ingest")
    expect(page.locator(".req-detail .answer .reason").first).to_have_text(reason)
    assert page.locator("#req-list .req .s").first.get_attribute("title") == f"Bad Request: {reason}"
