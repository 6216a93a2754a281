"""The logs page in Debian's chromium, live: filters, the tail, pause, reconnect, paging, bounded rows."""
from __future__ import annotations

import logging
import re
import time
from typing import Any

import pytest
from browser_helpers import NOW, Network, expect_messages, messages, open_logs, post, row_ids, send
from conftest import Live
from playwright.sync_api import expect

from dashboard.logs import pages

FILTER_DATA = [
    {"msg": "old info", "name": "shop.web", "created": NOW - 7200},
    {"msg": "db warning", "name": "shop.db", "levelname": "WARNING"},
    {"msg": "auth debug", "name": "auth", "levelname": "DEBUG"},
]
ALL = ["payment failed", "auth debug", "db warning", "old info"]


def apply_level(page: Any) -> None:
    page.select_option("#level", "WARNING")


def apply_logger(page: Any) -> None:
    page.locator(".tree a", has_text="shop").first.click()


def apply_search(page: Any) -> None:
    page.keyboard.press("/")
    page.keyboard.type("PAYMENT")
    page.keyboard.press("Enter")


def apply_app(page: Any) -> None:
    page.select_option("#app", "billing")


def apply_time(page: Any) -> None:
    page.get_by_role("link", name="1h", exact=True).click()


@pytest.mark.parametrize(("apply", "arg", "expected"), [
    (apply_level, "level=WARNING", ["payment failed", "db warning"]),
    (apply_logger, "logger=shop", ["db warning", "old info"]),
    (apply_search, "q=PAYMENT", ["payment failed"]),
    (apply_app, "app=billing", ["payment failed"]),
    (apply_time, "last=1h", ["payment failed", "auth debug", "db warning"]),
])
def test_each_filter_narrows_the_list_and_survives_reload(live: Live, page: Any, apply: Any, arg: str,
                                                          expected: list[str]) -> None:
    post(live, *FILTER_DATA)
    post(live, {"msg": "payment failed", "name": "billing.payments", "levelname": "ERROR"}, app="billing")
    open_logs(page, live)
    expect_messages(page, ALL)
    apply(page)
    expect(page).to_have_url(re.compile(re.escape(arg)))
    expect_messages(page, expected)
    page.reload()
    expect_messages(page, expected)
    expect(page.locator(".chip")).to_have_count(1)
    page.go_back()
    expect_messages(page, ALL)
    page.go_forward()
    expect_messages(page, expected)


def test_record_from_the_stock_handler_appears_live_within_a_second(live: Live, page: Any) -> None:
    send(live, "already there")
    open_logs(page, live)
    send(live, "fresh from the handler", logging.WARNING, name="shop.cart")
    row = page.locator("#rows .row").first
    expect(row.locator(".msg")).to_have_text("fresh from the handler", timeout=1000)
    expect(row.locator(".level")).to_have_text("WARNING")
    expect(row.locator(".logger")).to_have_text("shop.cart")
    expect(page.locator("#rows .row")).to_have_count(2)


def test_live_records_honour_the_filter(live: Live, page: Any) -> None:
    open_logs(page, live, "?level=ERROR&logger=shop")
    send(live, "wrong level", logging.INFO, name="shop")
    send(live, "wrong logger", logging.ERROR, name="shopping")
    send(live, "right one", logging.ERROR, name="shop.db")
    expect_messages(page, ["right one"])


def test_pause_and_resume_lose_and_duplicate_nothing(live: Live, page: Any) -> None:
    post(live, *[{"msg": f"before {i}"} for i in range(3)])
    open_logs(page, live)
    page.keyboard.press(" ")
    expect(page.locator("#live-state")).to_have_text("PAUSED")
    for i in range(5):
        send(live, f"while paused {i}")
    expect(page.locator("#live-state")).to_have_text("PAUSED · 5 new")
    expect(page.locator("#new-bar")).to_contain_text("5 new records")
    assert len(row_ids(page)) == 3  # nothing moved while paused
    page.keyboard.press(" ")
    expect(page.locator("#live-state")).to_have_text("LIVE")
    expect(page.locator("#rows .row")).to_have_count(8)
    ids = row_ids(page)
    assert ids == sorted(set(ids), reverse=True)
    assert messages(page)[:5] == [f"while paused {i}" for i in range(4, -1, -1)]


def test_forced_websocket_drop_loses_and_duplicates_nothing(live: Live, page: Any, monkeypatch) -> None:
    """The network drops every tail socket (no close frame); reconnects fail until it is back."""
    network = Network(monkeypatch)
    post(live, {"msg": "first", "created": time.time() - 120})
    open_logs(page, live)
    send(live, "second")
    expect(page.locator("#rows .row")).to_have_count(2)
    network.cut()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#live-state")).to_contain_text(re.compile(r"RECONNECTING · retry in \ds"))
    post(live, {"msg": "late, a minute old", "created": time.time() - 60})  # a batching handler's, say
    for i in range(3):  # nobody is connected now: these can only come back through `after`
        send(live, f"during the drop {i}")
    network.restore()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live", timeout=10_000)
    send(live, "after the drop")
    expect_messages(page, ["after the drop", "during the drop 2", "during the drop 1", "during the drop 0",
                           "second", "late, a minute old", "first"])  # the late one once, in its time's place
    ids = row_ids(page)
    assert len(ids) == len(set(ids)) == 7
    assert page.locator("#rows .row.late .msg").all_text_contents() == ["late, a minute old"]
    resumed = [u for u in network.urls if u.startswith("/ws/tail?after=")]
    assert resumed[-1] == f"/ws/tail?after={ids[4]}"  # resumed from the last record it had


def test_scrolling_away_pauses_and_older_pages_load(live: Live, page: Any) -> None:
    post(live, *[{"msg": f"old {i}", "created": NOW - 1000 + i} for i in range(260)])
    open_logs(page, live)
    expect(page.locator("#rows .row")).to_have_count(100)
    page.locator("#list").evaluate("list => list.scrollTop = 400")
    expect(page.locator("#live-state")).to_have_text("PAUSED")
    send(live, "new while scrolled")
    expect(page.locator("#live-state")).to_have_text("PAUSED · 1 new")
    page.wait_for_function("""() => {
        const list = document.getElementById("list");
        list.scrollTop = list.scrollHeight;  // infinite scroll: keep going down until the end
        return !document.getElementById("list-end-note").hidden;
    }""", polling=100)
    expect(page.locator("#rows .row")).to_have_count(260)
    page.keyboard.press("g")
    expect(page.locator("#live-state")).to_have_text("LIVE")
    expect(page.locator("#rows .row")).to_have_count(261)
    assert messages(page)[0] == "new while scrolled"
    assert page.locator("#list").evaluate("list => list.scrollTop") == 0
    ids = row_ids(page)
    assert ids == sorted(set(ids), reverse=True)


def test_the_dom_keeps_a_bounded_number_of_rows(live: Live, page: Any, monkeypatch) -> None:
    monkeypatch.setattr(pages, "MAX_ROWS", 60)
    post(live, *[{"msg": f"old {i}"} for i in range(20)])
    open_logs(page, live)
    post(live, *[{"msg": f"new {i}"} for i in range(70)])
    expect(page.locator("#rows .row .msg").first).to_have_text("new 69")
    expect(page.locator("#rows .row")).to_have_count(60)
    expect(page.locator("#rows .row .msg").last).to_have_text("new 10")
    expect(page.locator("#load-older")).to_be_visible()  # the dropped rows come back by cursor
    expect(page.locator("#live-state")).to_have_text("LIVE")
