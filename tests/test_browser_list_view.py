"""The logs list's columns and controls in Debian's chromium: logger names elided in the middle, view
toggles remembered, a status pill of one width, an "N new" bar that moves nothing, one toolbar line
with five chips (three or more shown at 1280 px), and records high on a 400 px screen, with readable
selects, a chip, bars of a usable height, the time range a menu beside the search box and a short
paused state; no sideways page scroll from 360 to 1280 px. One server for the module."""
from __future__ import annotations

import re
import time
from typing import Any

from browser_helpers import Network, ingest, shown_text
from conftest import Live, store_records
from playwright.sync_api import expect

APP = "billing-reconciliation"
LONG = "worker.queue.consumer.retry.scheduler.dispatch.handler"
BOX = "el => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; }"
FILTERS = "&level=WARNING&logger=shop&q=timeout&last=24h"  # with the app: five chips


def open_app(page: Any, live: Live, app: str, query: str = "") -> None:
    page.goto(f"{live.url}/?app={app}{query}")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def test_logger_names_lose_their_middle_and_show_whole_on_hover(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "served", "name": LONG}, app_name="names")
    open_app(page, shared_live, "names")
    ingest(shared_live, "names", [{"msg": "live", "name": LONG, "created": time.time()}])
    cells = page.locator("#rows .row .logger")
    expect(cells).to_have_count(2)
    for cell in cells.all():  # the served row and the live one alike
        assert cell.get_attribute("title") == LONG
        shown = cell.evaluate("""cell => {
          const range = document.createRange(), last = cell.lastChild;
          range.selectNodeContents(last);
          const tail = range.getBoundingClientRect(), box = cell.getBoundingClientRect(), head = cell.firstChild;
          return {last: last.data, fits: tail.left >= box.left - .5 && tail.right <= box.right + .5,
                  headCut: head.scrollWidth > head.clientWidth, cellW: box.width, nameW: cell.scrollWidth};
        }""")
        assert shown["last"] == "handler" and shown["fits"], shown  # the last part stays whole
        assert shown["headCut"], shown  # the middle is what gets elided
    widths = page.evaluate("""() => { const b = s => document.querySelector(s).getBoundingClientRect().width;
      return {msg: b('#rows .row .msg'), line: b('#rows .row .line')}; }""")
    assert widths["msg"] > widths["line"] * 0.45  # the message takes the room at 1280 px


def test_view_toggles_are_keys_and_are_remembered(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    now = time.time()
    store_records(shared_live.app, {"msg": "long " * 80, "created": str(now - 200)}, app_name=APP)
    open_app(page, shared_live, APP)
    row = page.locator("#rows .row").first
    app = row.locator(".app")  # a long app name, whole in its cell at 1280 px
    assert (shown_text(app), app.get_attribute("title")) == (APP, APP)
    assert app.evaluate("cell => cell.scrollWidth <= cell.clientWidth")
    height = row.evaluate("row => row.getBoundingClientRect().height")
    time_cell = row.locator(".t .c")
    page.keyboard.press("d")  # comfortable rows are taller than compact ones
    expect(page.locator("html")).to_have_attribute("data-comfortable", "")
    assert row.evaluate("row => row.getBoundingClientRect().height") > height
    for key in ("w", "r"):
        page.keyboard.press(key)
    expect(page.locator("html")).to_have_attribute("data-wrap", "")
    expect(time_cell).to_have_text("3 min ago")
    assert row.locator(".t").get_attribute("title").startswith(time.strftime("%Y-%m-%d", time.localtime(now - 200)))
    wrapped = row.evaluate("row => row.getBoundingClientRect().height")
    assert wrapped > height * 2
    page.reload()
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    for name in ("wrap", "comfortable", "relative"):
        expect(page.locator("html")).to_have_attribute(f"data-{name}", "")
        expect(page.locator(f'#view-menu button[data-view="{name}"]')).to_have_attribute("aria-pressed", "true")
    expect(time_cell).to_have_text("3 min ago")
    page.click("#view-menu summary")  # the same toggles by pointer
    for name in ("wrap", "comfortable", "relative"):
        page.click(f'#view-menu button[data-view="{name}"]')
    page.reload()
    for name in ("wrap", "comfortable", "relative"):
        assert page.locator("html").get_attribute(f"data-{name}") is None
    expect(time_cell).to_have_text(time.strftime("%H:%M:%S", time.localtime(now - 200)) + "."
                                   + f"{int((now - 200) % 1 * 1000):03d}")


def place(page: Any) -> tuple[int, int]:  # the status pill's width and the Pause button's left edge
    return round(page.locator("#live-state").evaluate(BOX)[2]), round(page.locator("#pause").evaluate(BOX)[0])


def reconnecting_place(page: Any, network: Network) -> tuple[tuple[int, int], str]:
    """place() while the tail reconnects (the network cut, then back), and the pill's text shown then."""
    network.cut()
    expect(page.locator("#live-state")).to_contain_text(re.compile(r"^RECONNECTING · retry"))
    seen = place(page), shown_text(page.locator("#live-state"))
    network.restore()
    return seen


def test_controls_keep_their_place(shared_live: Live, shared_page: Any, monkeypatch: Any) -> None:
    page = shared_page
    network = Network(monkeypatch)
    now = time.time()
    store_records(shared_live.app, *[{"msg": f"m{i}", "created": str(now - 100 + i)} for i in range(80)],
                  app_name="steady")
    open_app(page, shared_live, "steady")
    pill = page.locator("#live-state")
    seen = {place(page)}
    page.keyboard.press("Space")
    expect(pill).to_have_text("PAUSED")
    seen.add(place(page))
    ingest(shared_live, "steady", [{"msg": f"n{i}", "created": time.time()} for i in range(12)])
    expect(pill).to_have_text("PAUSED · 12 new")
    seen.add(place(page))
    seen.add(reconnecting_place(page, network)[0])
    assert len(seen) == 1, f"pill width and Pause position changed: {seen}"
    expect(pill).to_have_text("PAUSED · 12 new", timeout=10_000)  # back
    assert pill.get_attribute("title") == "PAUSED · 12 new"
    page.keyboard.press("Space")
    expect(pill).to_have_text("LIVE")
    # scrolled down (paused by scrolling): the "N new" bar floats over the list, which stays put
    page.locator("#list").evaluate("list => { list.scrollTop = 300; }")
    expect(pill).to_have_attribute("data-state", "paused")
    reader = page.locator("#rows .row").nth(20)
    before = reader.evaluate(BOX)
    ingest(shared_live, "steady", [{"msg": "newer", "created": time.time()}])
    expect(page.locator("#new-bar")).to_be_visible()
    assert reader.evaluate(BOX) == before


def shown_chips(page: Any) -> list[Any]:
    """The chips on the toolbar, each checked whole: inside the list's box, not cut by its edge."""
    edge = page.locator(".chip-list").evaluate(BOX)
    shown = [chip for chip in page.locator(".chip-list .chip").all() if chip.is_visible()]
    for chip in shown:
        left, _, width, _ = chip.evaluate(BOX)
        assert edge[0] - .5 <= left and left + width <= edge[0] + edge[2] + .5, (chip.text_content(), edge)
    return shown


def test_toolbar_stays_one_line_with_chips(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "timeout here", "name": "shop.web", "levelname": "ERROR"}, app_name="chips")
    open_app(page, shared_live, "chips")
    plain = page.locator(".filterbar").evaluate(BOX)[3]
    open_app(page, shared_live, "chips", FILTERS)
    chips = page.locator(".chip-list .chip")
    expect(chips).to_have_count(5)
    assert page.locator(".filterbar").evaluate(BOX)[3] == plain  # still one line
    shown = len(shown_chips(page))
    assert shown >= 3, f"{shown} of the 5 chips shown at 1280 px"  # the time ranges fold to make room
    more = page.locator(".chips-more")
    if shown < 5:  # the rest wait behind "+N", whole, with "clear all"
        expect(more.locator("summary")).to_have_text(f"+{5 - shown}")
        more.locator("summary").click()
        expect(more.locator(".menu-items .chip")).to_have_count(5 - shown)
        expect(more.locator(".menu-items .chip").first).to_be_visible()
        expect(more.locator(".menu-items .chip-clear")).to_be_visible()
        page.keyboard.press("Escape")
        page.locator("#time-menu summary").click()  # the folded time ranges are a menu
        expect(page.locator("#time-menu .quick", has_text="1h")).to_be_visible()
        page.keyboard.press("Escape")
    else:
        expect(more).to_be_hidden()
    for chip in chips.all():
        if chip.is_visible():
            assert chip.evaluate(BOX)[1] < page.locator(".filterbar").evaluate(BOX)[1] + plain
    try:  # fitted again on resize: all five in a wide window, three or more again at 1280 px
        page.set_viewport_size({"width": 1920, "height": 800})
        expect(more).to_be_hidden()
        assert len(shown_chips(page)) == 5
        expect(page.locator("#time-menu .quick", has_text="1h")).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(more).to_be_visible()
        assert len(shown_chips(page)) == shown
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_records_start_high_on_a_narrow_screen(shared_live: Live, browser: Any) -> None:
    store_records(shared_live.app, {"msg": "narrow"}, app_name="narrow")
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    try:
        open_app(page, shared_live, "narrow")
        top = page.locator("#rows .row").first.evaluate(BOX)[1]
        assert top < 196, f"the first record starts at {top:.0f} px of 900"  # 176 before the taller histogram
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
        for control in ("#drawer-toggle", "#level", "#live-state", "#pause", "#view-menu summary", "#search"):
            assert page.locator(control).is_visible(), control
    finally:
        context.close()


def test_narrow_toolbar_shows_chips_whole_selects_and_tall_bars(shared_live: Live, browser: Any) -> None:
    now = time.time()
    store_records(shared_live.app, *[{"msg": f"timeout {i}", "name": "shop.web", "levelname": "ERROR",
                                      "created": str(now - i * 600)} for i in range(60)], app_name="narrowchips")
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    try:
        open_app(page, shared_live, "narrowchips", FILTERS)
        expect(page.locator(".chip-list .chip")).to_have_count(5)
        shown = len(shown_chips(page))
        assert shown >= 1, "no chip shown at 400 px"
        more = page.locator(".chips-more")
        expect(more.locator("summary")).to_have_text(f"+{5 - shown}")
        more.locator("summary").click()
        expect(more.locator(".menu-items .chip")).to_have_count(5 - shown)
        page.keyboard.press("Escape")
        # the level and app selects: wide enough to read, whole inside the strip's visible part
        strip = page.locator(".filter-strip").evaluate(BOX)
        for select in ("#level", "#app"):
            left, _, width, _ = page.locator(select).evaluate(BOX)
            assert width >= 80, f"{select} is {width:.0f} px wide"
            assert strip[0] - .5 <= left and left + width <= strip[0] + strip[2] + .5, (select, left, width, strip)
        # the histogram's bars get a usable height below their legend
        bars = page.locator("#histogram svg rect.hit").first
        expect(bars).to_be_attached()
        assert float(bars.get_attribute("height")) >= 26
        assert page.locator("#rows .row").first.evaluate(BOX)[1] < 196
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
    finally:
        context.close()


def narrow_page(browser: Any, width: int = 400) -> Any:
    return browser.new_context(viewport={"width": width, "height": 900}).new_page()


def test_narrow_time_range_is_a_menu_beside_the_search_box(shared_live: Live, browser: Any) -> None:
    store_records(shared_live.app, {"msg": "timeout", "name": "shop.web", "levelname": "ERROR"}, app_name="narrowtime")
    page = narrow_page(browser)
    try:
        for query, label in (("", "time"), (FILTERS, "24h")):
            open_app(page, shared_live, "narrowtime", query)
            summary = page.locator("#time-menu summary")
            expect(summary).to_be_visible()
            expect(summary).to_have_text(label)  # the range in force
            left, _, width, _ = summary.evaluate(BOX)
            assert left >= 0 and left + width <= 400, f"the time menu at {left:.0f}+{width:.0f} px of 400"
            assert page.locator("#rows .row").first.evaluate(BOX)[1] < 196
            strip = page.locator(".filter-strip").evaluate("s => [s.scrollWidth, s.clientWidth]")
            assert strip[0] <= strip[1], f"the filter line scrolls sideways: {strip}"
        summary.click()
        hour = page.locator("#time-menu .quick", has_text="1h")
        left, _, width, _ = hour.evaluate(BOX)
        assert left >= 0 and left + width <= 400
        hour.click()
        page.wait_for_url("**last=1h*")
        expect(page.locator("#time-menu summary")).to_have_text("1h")
    finally:
        page.context.close()


def test_no_sideways_page_scroll_at_any_width(shared_live: Live, browser: Any) -> None:
    store_records(shared_live.app, {"msg": "timeout", "name": "shop.web", "levelname": "ERROR"}, app_name="widths")
    page = narrow_page(browser)
    try:
        for width in (360, 761, 880, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            for query in ("", "&level=WARNING", FILTERS):  # no chip, two, five
                open_app(page, shared_live, "widths", query)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{scroll} px wide at {width} px with ?app=widths{query}"
    finally:
        page.context.close()


def test_narrow_paused_state_is_short_and_whole(shared_live: Live, browser: Any, monkeypatch: Any) -> None:
    network = Network(monkeypatch)
    store_records(shared_live.app, *[{"msg": f"m{i}"} for i in range(30)], app_name="narrowpause")
    page = narrow_page(browser)
    try:
        open_app(page, shared_live, "narrowpause")
        pill = page.locator("#live-state")
        seen = set()
        for act, text, shown in ((None, "LIVE", "LIVE"), ("Space", "PAUSED", "PAUSED"),
                                 (7, "PAUSED · 7 new", "PAUSED 7")):
            if act == "Space":
                page.keyboard.press("Space")
            elif act:
                ingest(shared_live, "narrowpause", [{"msg": f"n{i}", "created": time.time()} for i in range(act)])
            expect(pill).to_have_text(text)  # whole for screen readers and in the title
            assert pill.get_attribute("title") == text
            assert shown_text(pill) == shown  # short on the screen, and not cut
            seen.add(place(page))
        reconnecting, shown = reconnecting_place(page, network)
        seen.add(reconnecting)
        assert re.fullmatch(r"retry \ds|retry now", shown), shown  # short too
        assert len(seen) == 1, f"pill width and Pause position changed: {seen}"
    finally:
        page.context.close()
