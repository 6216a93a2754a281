"""Search on the pages in Debian's chromium: hits marked (hostile text stays text), values that
filter when clicked (alt-click excludes), typed field terms, exclusions, phrases, case folding and a
runaway regex, a muted logger subtree shown as a chip, the ? help."""
from __future__ import annotations

import itertools
import logging
import re
import time
import urllib.parse
from typing import Any

from browser_helpers import expect_messages, messages, open_logs, post, send, shape
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
    post(live, {"msg": "paid", "name": "shop.pay", "user": "alice", "request_id": "r 1"},
         {"msg": "moved", "name": "shop.geo", "user": "alice"}, {"msg": "left", "name": "shop.geo", "user": "bob"},
         {"msg": "warned", "name": "shop.geo", "levelname": "WARNING", "user": "alice"})
    post(live, {"msg": "billed", "name": "shop.geo", "user": "alice"}, app="billing")
    open_logs(page, live)
    expect_messages(page, ["billed", "warned", "left", "moved", "paid"])
    q = ""
    for value, term, shown in [("shop", "app%3Dshop", ["warned", "left", "moved", "paid"]),
                               ("INFO", "level%3DINFO", ["left", "moved", "paid"]),
                               ("shop.geo", r"logger%3Dshop\.geo", ["left", "moved"]),
                               ("alice", "user%3Dalice", ["moved"])]:  # each one narrows
        page.locator("#rows .row .line", has_text="moved").click()
        page.locator("#rows .row.open .details").get_by_role("button", name=value, exact=True).click()
        q = rf"{q}\+{term}" if q else term
        expect(page).to_have_url(re.compile(rf"/\?q={q}$"))
        live_again(page)
        expect_messages(page, shown)
    page.locator("#rows .row .line", has_text="moved").click()
    page.locator("#rows .row.open .filter-by button", has_text="shop.geo").click(modifiers=["Alt"])
    q = r"app%3Dshop\+level%3DINFO\+user%3Dalice\+-logger%3Dshop\.geo"  # the logger term turned over
    expect(page).to_have_url(re.compile(rf"/\?q={q}$"))
    live_again(page)
    expect_messages(page, ["paid"])
    page.locator("#rows .row .line").click()
    page.get_by_role("link", name="Open record").click()
    page.wait_for_load_state("domcontentloaded")  # module scripts have run
    page.locator("#extras button", has_text="r 1").click(modifiers=["Shift"])
    expect(page).to_have_url(re.compile(rf"/\?q={q}\+-request_id%3D%22r\+1%22$"))
    expect(page.locator("#empty")).to_contain_text("No records match")


TYPED = [  # (typed into the search box, the messages listed)
    ("app=billing", ["invoice sent"]),
    ("level=error", ["card declined"]),
    ("funcName=show_cart", ["cart shown"]),
    ("pathname=/srv/billing/mail.py", ["invoice sent"]),
    ("user:alice", ["card declined"]),  # an extra, the colon form
    ("timeout -db", ["timeout on upstream"]),  # not "timeout talking to db"
]
EVIL = "a" * 5000 + "!"  # /(a+)+$/ backtracks exponentially on it


def search(page: Any, q: str) -> None:
    """Type `q` into the search box and send it; the next page is live."""
    page.fill("#search", q)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(urllib.parse.urlencode({"q": q})) + "$"))
    live_again(page)


def test_typed_searches_narrow_the_list_and_mark_exactly_their_hits(live: Live, page: Any) -> None:
    post(live, {"msg": "invoice sent", "name": "billing.mail", "funcName": "send_invoice",
                "pathname": "/srv/billing/mail.py"}, app="billing")
    post(live, {"msg": "card declined", "name": "shop.pay", "levelname": "ERROR", "funcName": "charge",
                "pathname": "/srv/shop/pay.py", "user": "alice"},
         {"msg": "cart shown", "name": "shop.web", "funcName": "show_cart", "pathname": "/srv/shop/web.py",
          "user": "bob"},
         {"msg": "timeout talking to db"}, {"msg": "timeout on upstream"}, {"msg": "Connection reset by peer"},
         {"msg": "Hauptstraße, chloé!"}, {"msg": EVIL})
    open_logs(page, live)
    for q, shown in TYPED:
        search(page, q)
        expect_messages(page, shown)
    post(live, {"msg": "timeout again in db"}, {"msg": "timeout again upstream"})  # live: the same search
    expect_messages(page, ["timeout again upstream", "timeout on upstream"])

    search(page, '"by reset"')  # a phrase is its words in that order
    expect(page.locator("#empty")).to_contain_text("No records match")
    search(page, '"reset by"')
    expect_messages(page, ["Connection reset by peer"])
    assert marks(page.locator("#rows .row .msg")) == ["reset by"]

    search(page, "STRASSE CHLOÉ")  # full case folding: ß is ss, one character for two
    expect_messages(page, ["Hauptstraße, chloé!"])
    assert marks(page.locator("#rows .row .msg")) == ["straße", "chloé"]
    post(live, {"msg": "Hauptstraße, chloé!"})  # marked by the page's script alike
    expect(page.locator("#rows .row")).to_have_count(2)
    assert marks(page.locator("#rows .row .msg").first) == ["straße", "chloé"]

    started = time.monotonic()  # a regex that backtracks without end on a long record: bounded
    page.goto(f"{live.url}/?" + urllib.parse.urlencode({"q": "/(a+)+$/"}))
    expect(page.locator("#empty, #rows .row, .page-banner").first).to_be_visible()
    assert time.monotonic() - started < 3, f"the page took {time.monotonic() - started:.1f} s"
    if page.locator(".page-banner").count():  # refused: says which argument and why
        expect(page.locator(".page-banner").first).to_contain_text("q")
    else:
        assert not any(m.startswith("a" * 100) for m in messages(page))  # a row shows its first 500
    live_again(page)
    post(live, {"msg": EVIL}, {"msg": "aaa"})  # the tail too
    expect(page.locator("#rows .row .msg").first).to_have_text("aaa", timeout=3000)
    assert not any(m.startswith("a" * 100) for m in messages(page))


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
        return [terms, addTerm('"a  b" user=x', term("user", "x", true)), addTerm("a -user=x b", term("user", "x"))];
    }""", [keys, values])
    for (key, value), text in zip(itertools.product(keys, values), written[0], strict=True):
        (term,) = parse(text)
        assert (term.kind, term.key, term.value, term.exclude) == ("field", key, value, True), text
    assert written[1] == '"a  b" -user=x'
    assert written[2] == "a b user=x"  # the opposite term goes with its space


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
