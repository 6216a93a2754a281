"""The logs page in Debian's chromium, reading: hostile text, expanded rows and the record page, keys,
histogram, time ranges, empty state, export, zone, theme and the narrow layout."""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from browser_helpers import NOW, expect_messages, messages, open_logs, post, send, shape
from conftest import Live, log_with
from playwright.sync_api import expect

from dashboard.client.demo import TracebackHTTPHandler
from dashboard.ingest.levels import level_class

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
        _ = 1 / 0
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
    expect(page.locator("#time-menu summary")).to_have_text("custom")  # two wide chips: the ranges fold into a menu
    page.click("#time-menu summary")
    page.click("#custom-time")  # the form shows the range it applied
    expect(page.locator("#time-menu")).not_to_have_attribute("open", "")
    applied = page.evaluate(local, int(NOW - 3600))  # the input drops ":00" seconds, as browsers do
    expect(page.locator("#custom-range input[name=until]")).to_have_value(
        re.compile(re.escape(applied.removesuffix(":00")) + "(:00)?$"))


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


LOOKS = [  # rows a live tail adds must read exactly like the rows the server renders
    {"msg": "plain"},
    {"msg": "custom level", "levelname": "TRACE", "levelno": 5},
    {"msg": "aliases", "levelname": "WARN", "levelno": 30},
    {"msg": "fatal", "levelname": "FATAL", "levelno": 50},
    {"msg": "😀" * 600, "levelname": "ERROR"},  # cut at 500 characters, as Python counts them
    {"msg": "\x1b[1mbold\u202e", "name": "odd\x07name", "exc_info": "(<class 'ValueError'>, ValueError('bad'), None)"},
]


def test_live_rows_look_like_server_rendered_rows(live: Live, page: Any) -> None:
    open_logs(page, live)
    post(live, *LOOKS)
    rows = page.locator("#rows .row")
    expect(rows).to_have_count(len(LOOKS))
    built = [shape(row) for row in rows.all()]
    badges = page.locator("#rows .row .level").evaluate_all("nodes => nodes.map(n => n.className)")
    assert badges == [level_class(r.get("levelname", "INFO")) for r in reversed(LOOKS)]
    page.reload()
    expect(rows).to_have_count(len(LOOKS))
    assert [shape(row) for row in rows.all()] == built
