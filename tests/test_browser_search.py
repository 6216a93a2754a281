"""Search on the pages in Debian's chromium: hits marked (hostile text stays text), values that
filter when clicked (alt-click excludes), a muted logger subtree shown as a chip, the ? help."""
from __future__ import annotations

import itertools
import logging
import re
import urllib.parse
from typing import Any

from browser_helpers import expect_messages, open_logs, post, send, shape
from conftest import Live
from playwright.sync_api import expect

from dashboard.logs.query import parse

HOSTILE = 'Hello CHLOÉ <img src=x onerror="window.pwned=1"> straße'
Q = 'chloé "<img src" /stra(ss|ß)e/ -nothing'


def live_again(page: Any) -> None:
    """After a click went to another logs page: wait until its script runs (the tail is live)."""
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")


def marks(locator: Any) -> list[str]:
    return locator.locator("mark").all_text_contents()


def test_hits_are_marked_alike_on_first_paint_and_live_and_hostile_text_stays_text(live: Live, page: Any) -> None:
    post(live, {"msg": HOSTILE, "name": "shop.web"}, {"msg": "no hit here", "name": "shop.web"})
    open_logs(page, live, "?" + urllib.parse.urlencode({"q": Q}))
    first = page.locator("#rows .row").first
    assert marks(first.locator(".msg")) == ["CHLOÉ", "<img src", "straße"]
    served = shape(first.locator(".line"))
    post(live, {"msg": HOSTILE, "name": "shop.web"})  # the same record, built by the live tail
    expect(page.locator("#rows .row")).to_have_count(2)
    assert shape(page.locator("#rows .row").first.locator(".line")) == served
    first.locator(".line").click()  # the expanded message is marked too
    assert marks(page.locator("#rows .row.open .full").first) == ["CHLOÉ", "<img src", "straße"]
    page.goto(f"{live.url}/records/{page.locator('#rows .row').first.get_attribute('data-id')}?"
              + urllib.parse.urlencode({"q": Q}))
    assert marks(page.locator("#message")) == ["CHLOÉ", "<img src", "straße"]
    assert page.locator("img").count() == 0 and page.evaluate("window.pwned") is None


def test_click_a_value_to_filter_alt_click_to_exclude(live: Live, page: Any) -> None:
    for name, message, extra in [("shop.pay", "paid", {"user": "alice", "request_id": "r 1"}),
                                 ("shop.geo", "moved", {"user": "alice"}),
                                 ("shop.geo", "left", {"user": "bob"})]:
        send(live, message, name=name, extra=extra)
    open_logs(page, live)
    expect_messages(page, ["left", "moved", "paid"])
    page.locator("#rows .row .line", has_text="moved").click()
    page.locator("#rows .row.open .extras button", has_text="alice").click()
    expect(page).to_have_url(re.compile(r"q=user%3Dalice$"))
    live_again(page)
    expect_messages(page, ["moved", "paid"])
    page.locator("#rows .row .line", has_text="moved").click()
    page.locator("#rows .row.open .filter-by button", has_text="shop.geo").click(modifiers=["Alt"])
    expect(page).to_have_url(re.compile(r"q=user%3Dalice\+-logger%3Dshop\.geo$"))
    live_again(page)
    expect_messages(page, ["paid"])
    page.locator("#rows .row .line").click()
    page.get_by_role("link", name="Open record").click()
    page.wait_for_load_state("domcontentloaded")  # module scripts have run
    page.locator("#extras button", has_text="r 1").click(modifiers=["Shift"])
    expect(page).to_have_url(re.compile(r"/\?q=user%3Dalice\+-logger%3Dshop\.geo\+-request_id%3D%22r\+1%22$"))
    expect(page.locator("#empty")).to_contain_text("No records match")


def test_muting_a_logger_subtree_is_a_chip_and_holds_live(live: Live, page: Any) -> None:
    send(live, "pool full", level=logging.WARNING, name="urllib3.connectionpool")
    send(live, "cart shown", name="shop.web")
    open_logs(page, live)
    expect_messages(page, ["cart shown", "pool full"])
    page.locator(".tree summary", has=page.locator("a[title='urllib3']")).hover()
    page.get_by_role("link", name="Mute logger urllib3", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=-logger%3Durllib3$"))
    expect(page.locator(".chip[data-name='mute']")).to_have_text(re.compile("muted urllib3"))
    expect_messages(page, ["cart shown"])
    expect(page.locator(".tree-node.muted").first).to_contain_text("unmute")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    send(live, "retrying", name="urllib3.util.retry")
    send(live, "checkout", name="shop.web")
    expect_messages(page, ["checkout", "cart shown"])
    page.locator(".chip[data-name='mute'] .chip-remove").click()
    expect_messages(page, ["checkout", "retrying", "cart shown", "pool full"])


def test_the_help_overlay_teaches_the_search_language(live: Live, page: Any) -> None:
    open_logs(page, live)
    page.keyboard.press("?")
    help_ = page.locator("dialog.shortcuts .search-help")
    expect(help_).to_be_visible()
    for example in ['"connection reset"', "-debug", "request_id=abc123", "-logger=urllib3", "/time(d)?out/"]:
        expect(help_).to_contain_text(example)


def test_a_term_the_browser_writes_reads_back_as_its_key_and_value(live: Live, page: Any) -> None:
    keys = ["user", "with space", "2fa", "extra.app", "k-1", "ключ"]
    values = ["plain", "a b", 'q"uote', "back\\slash\\", "tab\there", "\x1cfs", "", "ünï", "-x", "/x", "a=b"]
    page.goto(f"{live.url}/", wait_until="domcontentloaded")
    written = page.evaluate("""async ([keys, values]) => {
        const { term, addTerm } = await import("/static/js/logs/field-filter.js");
        const terms = keys.flatMap(k => values.map(v => term(k, v, true)));
        return [terms, addTerm('"a  b" user=x', term("user", "x", true))];
    }""", [keys, values])
    for (key, value), text in zip(itertools.product(keys, values), written[0], strict=True):
        (term,) = parse(text)
        assert (term.kind, term.key, term.value, term.exclude) == ("field", key, value, True), text
    assert written[1] == '"a  b" -user=x'


def test_on_a_touch_screen_the_mute_links_show_without_hover(live: Live, browser: Any) -> None:
    """No hover to reveal them there: every logger's mute link is visible from the start (and on a
    desktop, the selected logger's)."""
    send(live, "pool full", name="urllib3.connectionpool")
    context = browser.new_context(viewport={"width": 400, "height": 800}, has_touch=True, is_mobile=True)
    try:
        touch = context.new_page()
        touch.goto(f"{live.url}/")
        mute = touch.locator(".tree .mute").first
        expect(mute).to_have_css("opacity", "1")
    finally:
        context.close()
