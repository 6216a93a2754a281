"""The logs page in Debian's chromium: filters, live tail, pause, reconnect, hostile text, detail page."""
from __future__ import annotations

import json
import logging
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Live, log_with

from dashboard.client.demo import TracebackHTTPHandler
from dashboard.logs import pages
from dashboard.web import sockets as live_module

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
NOW = time.time()


def post(live: Live, *records: dict[str, Any], app: str = "shop") -> None:
    """Store records through /ingest as JSON (lets a test choose `created`)."""
    body = json.dumps([{"created": NOW, "levelname": "INFO", **r} for r in records]).encode()
    status, answer = live.post(f"/ingest?app={app}", body, "application/json")
    assert status == 200, answer


def send(live: Live, msg: str, level: int = logging.INFO, name: str = "test.app", **kw: Any) -> None:
    """Log one record through the stock HTTPHandler."""
    handler = live.handler()
    log_with(handler, level, msg, name=name, **kw)
    handler.close()


def open_logs(page: Any, live: Live, query: str = "") -> None:
    """Load the logs page and wait until its tail is live."""
    page.goto(f"{live.url}/{query}")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def messages(page: Any) -> list[str]:
    return page.locator("#rows .row .msg").all_text_contents()


def row_ids(page: Any) -> list[int]:
    return [int(i) for i in page.locator("#rows .row").evaluate_all("rows => rows.map(r => r.dataset.id)")]


def expect_messages(page: Any, expected: list[str]) -> None:
    """Wait until the list shows exactly these messages, newest first."""
    expect(page.locator("#rows .row .msg")).to_have_text(expected)


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
    sockets: list[socket.socket] = []
    urls: list[str] = []
    down = {"on": False}

    def cut_while_down(request: Any) -> str | None:  # runs at the start of every /ws/tail
        urls.append(request.full_path)
        sockets.append(request.environ["werkzeug.socket"])
        if down["on"]:
            sockets[-1].shutdown(socket.SHUT_RDWR)
            return "network down"
        return None

    monkeypatch.setattr(live_module, "foreign_origin", cut_while_down)
    post(live, {"msg": "first"})
    open_logs(page, live)
    send(live, "second")
    expect(page.locator("#rows .row")).to_have_count(2)
    down["on"] = True
    for sock in sockets:
        sock.shutdown(socket.SHUT_RDWR)
    expect(page.locator("#live-state")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#live-state")).to_contain_text(re.compile(r"RECONNECTING · retry in \ds"))
    for i in range(3):  # nobody is connected now: these can only come back through `after`
        send(live, f"during the drop {i}")
    down["on"] = False
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live", timeout=10_000)
    send(live, "after the drop")
    expect_messages(page, ["after the drop", "during the drop 2", "during the drop 1", "during the drop 0",
                           "second", "first"])
    ids = row_ids(page)
    assert len(ids) == len(set(ids)) == 6
    resumed = [u for u in urls if u.startswith("/ws/tail?after=")]
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


HOSTILE = ['<script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 2">',
           "\x1b[31mred\x1b[0m and \x1b]0;title\x07", "<b>bold</b> \u202eevil"]
SHOWN = ['<script>window.pwned = 1</script>', '<img src=x onerror="window.pwned = 2">',
         "\\x1b[31mred\\x1b[0m and \\x1b]0;title\\x07", "<b>bold</b> \\u202eevil"]


def test_hostile_messages_show_as_text_and_run_nothing(live: Live, page: Any) -> None:
    send(live, HOSTILE[0], name="<script>alert(1)</script>")
    open_logs(page, live)
    for text in HOSTILE[1:]:
        send(live, text)
    expect_messages(page, SHOWN[::-1])  # three live rows above one server-rendered row
    page.reload()
    expect_messages(page, SHOWN[::-1])
    page.locator("#rows .row .line").first.click()
    expect(page.locator("#rows .details .full")).to_have_text(SHOWN[3])
    page.goto(f"{live.url}/records/1")
    expect(page.locator("#message")).to_have_text(SHOWN[0])
    for url in (f"{live.url}/", f"{live.url}/records/2"):
        page.goto(url)
        assert page.evaluate("window.pwned") is None
        assert page.locator("main img, main b, main script:not([type='application/json'])").count() == 0


def test_row_expands_and_detail_page_shows_extras_and_exception(live: Live, page: Any) -> None:
    handler = live.handler()
    try:
        1 / 0
    except ZeroDivisionError:
        log_with(handler, logging.ERROR, "order %d failed", 42, name="shop.orders", exc_info=True,
                 extra={"order": 42, "customer": "ann"})
    handler.close()
    open_logs(page, live)
    expect(page.locator("#rows .row .exc")).to_have_count(1)
    page.locator("#rows .row .line").first.click()
    details = page.locator("#rows .row .details")
    expect(details.locator(".exc-summary")).to_contain_text("ZeroDivisionError: division by zero")
    expect(details.locator(".extras")).to_contain_text("customer")
    expect(page.locator("#live-state")).to_have_text("PAUSED")  # reading: new rows wait
    details.get_by_role("link", name=re.compile("Open record")).click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    expect(page.locator("#message")).to_have_text("order 42 failed")
    expect(page.locator("#exc-summary")).to_have_text("ZeroDivisionError: division by zero")
    expect(page.locator("#traceback-note")).to_contain_text("mapLogRecord")
    expect(page.locator("#extras")).to_contain_text("order")
    expect(page.locator("#extras tr", has_text="customer")).to_contain_text("ann")
    expect(page.locator(".where")).to_contain_text(re.compile(r"conftest.py:\d+ in log_with\(\)"))
    expect(page.locator(".record-request")).to_have_attribute("href", re.compile(r"^/inspector/\d+$"))

    handler = TracebackHTTPHandler(f"{live.host}:{live.port}", "/ingest", method="POST")
    try:
        {}["coupon"]
    except KeyError:
        log_with(handler, logging.ERROR, "with traceback", exc_info=True)
    handler.close()
    page.go_back()
    page.keyboard.press("Escape")
    expect(page.locator("#rows .row")).to_have_count(2)
    page.locator("#rows .row .line").first.click()
    expect(page.locator("#rows .details .traceback")).to_contain_text("Traceback (most recent call last)")
    page.keyboard.press("Enter")
    expect(page.locator("#traceback")).to_contain_text("KeyError: 'coupon'")


def test_keyboard_shortcuts(live: Live, page: Any) -> None:
    post(live, *[{"msg": f"m{i}"} for i in range(3)])
    open_logs(page, live)
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("#rows .row.selected .msg")).to_have_text("m1")
    page.keyboard.press("k")
    expect(page.locator("#rows .row.selected .msg")).to_have_text("m2")
    page.keyboard.press("Enter")
    expect(page.locator("#rows .row.open .details")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#rows .row.open")).to_have_count(0)
    expect(page.locator("#live-state")).to_have_text("LIVE")
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("dialog.shortcuts")).to_be_visible()
    expect(page.locator("dialog.shortcuts")).to_contain_text("pause / resume")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.shortcuts")).to_be_hidden()


def test_histogram_drag_selects_a_time_range(live: Live, page: Any) -> None:
    post(live, *[{"msg": f"h{i}", "created": NOW - 3000 + i * 60, "levelname": ["INFO", "ERROR"][i % 2]}
                 for i in range(50)])
    open_logs(page, live)
    bars = page.locator("#histogram rect.bar")
    expect(bars.first).to_be_visible()
    assert bars.count() >= 50
    box = page.locator("#histogram").bounding_box()  # the chart inside may be redrawn meanwhile
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=5)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"since=.*until="))
    expect(page.locator(".chip[data-name=since]")).to_be_visible()
    shown = len(messages(page))
    assert 0 < shown < 50


def test_custom_time_range_in_local_time(live: Live, page: Any) -> None:
    post(live, {"msg": "two hours ago", "created": NOW - 7200}, {"msg": "just now"})
    open_logs(page, live)
    local = "t => new Date(t * 1000 - new Date(t * 1000).getTimezoneOffset() * 60000).toISOString().slice(0, 19)"
    page.click("#custom-time")
    page.fill("#custom-range input[name=since]", page.evaluate(local, NOW - 3 * 3600))
    page.fill("#custom-range input[name=until]", page.evaluate(local, NOW - 3600))
    page.click("#custom-range button[type=submit]")
    expect(page).to_have_url(re.compile(r"since=.*Z&until=.*Z"))
    expect_messages(page, ["two hours ago"])
    expect(page.locator(".chip")).to_have_count(2)
    page.click("#custom-time")  # the form shows the range it applied
    assert page.input_value("#custom-range input[name=until]") == page.evaluate(local, int(NOW - 3600))


def test_empty_state_shows_the_snippet_and_sends_a_test_record(live: Live, page: Any) -> None:
    open_logs(page, live)
    expect(page.locator("#snippet")).to_contain_text(f'"{live.host}:{live.port}", "/ingest?app=myapp", method="POST"')
    page.click("#send-test")
    expect(page.locator("#rows .row .msg")).to_contain_text(["Test record from the logdash page"])
    expect(page.locator("#empty")).to_have_count(0)


def test_export_button_downloads_the_filtered_view(live: Live, page: Any) -> None:
    post(live, {"msg": "keep", "levelname": "ERROR"}, {"msg": "drop"})
    open_logs(page, live, "?level=ERROR")
    page.click("#export-menu summary")
    with page.expect_download() as info:
        page.click("#export-ndjson")
    lines = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["keep"]
    assert "format=csv" in page.locator("#export-csv").get_attribute("href")


def test_utc_toggle_theme_and_narrow_drawer(live: Live, page: Any) -> None:
    post(live, {"msg": "tick", "created": 1_800_000_000.5, "name": "shop.db"})
    open_logs(page, live)
    page.click("#tz-toggle")
    expect(page.locator("#rows .row .t .c")).to_have_text("08:00:00.500")
    page.click("#theme-toggle")
    theme = page.evaluate("document.documentElement.dataset.theme")
    page.set_viewport_size({"width": 400, "height": 800})
    page.reload()
    expect(page.locator("#tz-toggle")).to_have_text("UTC")
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    tree = page.locator("#tree")
    expect(tree).not_to_be_in_viewport()
    page.click("#drawer-toggle")
    expect(tree).to_be_in_viewport()
    page.locator(".tree a", has_text="db").click()
    expect(page).to_have_url(re.compile(r"logger=shop.db"))
    expect(tree).not_to_be_in_viewport()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400


def test_theme_follows_the_system_and_the_toggle_overrides_it(live: Live, browser: Any) -> None:
    background = "getComputedStyle(document.body).backgroundColor"
    for scheme, system_bg, toggled_bg in (("dark", "rgb(13, 17, 23)", "rgb(255, 255, 255)"),
                                           ("light", "rgb(255, 255, 255)", "rgb(13, 17, 23)")):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(live.url + "/")
        assert page.evaluate(background) == system_bg
        page.click("#theme-toggle")
        assert page.evaluate(background) == toggled_bg
        page.reload()  # the choice is remembered
        assert page.evaluate(background) == toggled_bg
        context.close()
