"""The inspector page in Debian's chromium: live arrivals, hostile text, selection, tabs, keys, layout."""
from __future__ import annotations

import logging

from conftest import http, log_with
from playwright.sync_api import expect

EVIL = '<img src=x onerror="window.__pwned=1">'


def rows(page) -> list[str]:
    """The paths listed, top to bottom."""
    return page.locator("#req-list .req .p").evaluate_all("nodes => nodes.map(n => n.firstChild.textContent)")


def wait_live(page) -> None:
    """Until the websocket is open."""
    page.wait_for_selector('#live-state[data-state="live"]')


def test_new_request_appears_live_and_is_selected(live, page) -> None:
    page.goto(live.url + "/inspector")
    assert page.locator("#list-empty").is_visible()
    wait_live(page)
    log_with(live.handler("/ingest?app=shop"), logging.INFO, "hello %s", "browser")
    page.wait_for_selector("#req-list .req")
    assert rows(page) == ["/ingest"]
    assert page.locator("#list-empty").is_hidden()
    page.wait_for_selector(".req-detail .req-line")
    assert page.locator(".req-detail .req-line").inner_text().startswith("POST /ingest?app=shop")
    assert page.locator(".req.selected .s").inner_text() == "200"
    live.post("/ingest", b"{oops", "application/json")  # a refusal: red, and selected in turn
    expect(page.locator("#req-list .req")).to_have_count(2)
    assert "failed" in page.locator("#req-list .req").first.get_attribute("class").split()
    assert "failed" not in page.locator("#req-list .req").last.get_attribute("class").split()
    page.wait_for_selector(".req-detail .answer .reason")
    assert page.locator(".req-detail .answer .reason").first.inner_text().startswith("invalid JSON at line 1")
    assert page.url == live.url + "/inspector"  # nothing picked: still following the newest


def test_hostile_header_and_body_render_as_text(live, page) -> None:
    http(live.url + "/inspect/%3Cscript%3Ewindow.__pwned=3%3C%2Fscript%3E",
         f"<script>window.__pwned=2</script>{EVIL}".encode(),
         {"Content-Type": "text/html", "X-Evil": EVIL, "X-Bidi": "abc\u202edef".encode().decode("latin-1")})
    page.goto(live.url + "/inspector")
    page.wait_for_selector(".req-detail.tabbed")
    page.click('.tab[data-tab="headers"]')
    headers = page.locator("#panel-headers")
    assert EVIL in headers.inner_text() and "abc\\u202edef" in headers.inner_text()
    page.click('.tab[data-tab="body"]')
    assert "<script>window.__pwned=2</script>" in page.locator("#panel-body pre").inner_text()
    assert "<script>window.__pwned=3</script>" in page.locator(".req-detail .req-line").inner_text()
    assert page.locator("#detail img, #detail script, #req-list img, #req-list script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_picked_request_stays_while_new_ones_arrive(live, page) -> None:
    for name in ("one", "two"):
        http(f"{live.url}/inspect/{name}")
    page.goto(live.url + "/inspector")
    wait_live(page)
    page.click("#req-list .req >> nth=1")  # /inspect/one
    page.wait_for_url("**/inspector/1")
    http(f"{live.url}/inspect/three")
    expect(page.locator("#req-list .req")).to_have_count(3)
    assert rows(page) == ["/inspect/three", "/inspect/two", "/inspect/one"]
    assert page.locator(".req-detail").get_attribute("data-id") == "1"
    page.keyboard.press("g")  # back to following the newest
    expect(page.locator(".req-detail")).to_have_attribute("data-id", "3")


def test_keyboard_tabs_and_copy_as_curl(live, page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    http(f"{live.url}/inspect/a?pets=dog&pets=cat&user2=")
    http(f"{live.url}/inspect/b", b"x=1", {"Content-Type": "application/x-www-form-urlencoded"})
    page.goto(live.url + "/inspector")
    page.wait_for_selector(".req-detail.tabbed")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inspector/1")
    expect(page.locator(".req-detail")).to_have_attribute("data-id", "1")
    page.keyboard.press("3")
    assert page.locator("#panel-query").is_visible() and page.locator("#panel-raw").is_hidden()
    expect(page.locator("#panel-query td.v")).to_have_text(["dog", "cat", "(blank)"])
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "f-q"
    page.keyboard.press("Escape")
    page.click('button[data-copy="curl"]')
    page.wait_for_selector('button[data-copy="curl"]:text("Copied")')
    curl = page.evaluate("navigator.clipboard.readText()")
    assert curl.startswith("curl 'http://127.0.0.1:") and "/inspect/a?pets=dog&pets=cat&user2=" in curl
    page.keyboard.press("?")
    assert page.locator("dialog.shortcuts").is_visible()


def test_filters_live_in_the_url(live, page) -> None:
    http(f"{live.url}/inspect/fine")
    live.post("/ingest", b"[", "application/json")
    page.goto(live.url + "/inspector")
    wait_live(page)
    page.select_option("#f-status", "failed")
    page.wait_for_url("**/inspector?status=failed")
    expect(page.locator("#req-list .req")).to_have_count(1)
    assert rows(page) == ["/ingest"]
    http(f"{live.url}/inspect/ignored")
    live.post("/ingest", b"]", "application/json")
    expect(page.locator("#req-list .req")).to_have_count(2)
    assert rows(page) == ["/ingest", "/ingest"]
    page.reload()
    assert page.locator("#f-status").input_value() == "failed" and len(rows(page)) == 2


def test_multipart_parts_binary_hex_and_folding(live, page) -> None:
    body = (b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n' + bytes(range(64)) +
            b'\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="b.txt"\r\n\r\nhi\r\n--B--\r\n')
    http(f"{live.url}/inspect/up", body, {"Content-Type": "multipart/form-data; boundary=B"})
    long = "\n".join(f"line {i}" for i in range(1000)).encode()
    http(f"{live.url}/inspect/long", long, {"Content-Type": "text/plain"})
    page.goto(live.url + "/inspector/1#form")
    page.wait_for_selector("#panel-form .part")
    heads = page.locator("#panel-form .part-head").all_inner_texts()
    assert heads[0].split() == ["f", "a.bin", "no", "Content-Type", "64", "B"]
    assert heads[1].split()[:2] == ["f", "b.txt"]
    assert page.locator("#panel-form pre.hex").inner_text().startswith("00000000  00 01 02 03")
    page.goto(live.url + "/inspector/2#body")
    page.wait_for_selector("#panel-body .fold")
    assert page.locator("#panel-body pre").first.inner_text().count("\n") == 200
    page.click("#panel-body .fold summary")
    assert page.locator("#panel-body pre.rest").inner_text().endswith("line 999")


def test_narrow_window_stacks_the_panes(live, page) -> None:
    http(f"{live.url}/inspect/narrow")
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(live.url + "/inspector")
    page.wait_for_selector(".req-detail.tabbed")
    listed, detail = page.locator(".list-pane").bounding_box(), page.locator("#detail").bounding_box()
    assert detail["y"] >= listed["y"] + listed["height"] - 1 and detail["width"] <= 400
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def test_narrow_filter_bar_is_two_short_lines_with_whole_hints(live, page) -> None:
    http(f"{live.url}/inspect/narrow")
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(live.url + "/inspector")
    wait_live(page)
    assert page.locator(".insp-bar").bounding_box()["height"] < 110
    for control in ("#f-method", "#f-status", "#tz-toggle", "#live-state", "#f-path", "#f-q", ".insp-filter button"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 400, control
    for box in ("#f-path", "#f-q"):  # each hint fits its box; the whole one is its tooltip
        room, needed = page.locator(box).evaluate("""input => { const style = getComputedStyle(input);
          const context = document.createElement("canvas").getContext("2d");
          context.font = style.font;
          return [input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
                  context.measureText(input.placeholder).width]; }""")
        assert needed <= room, f"{box}: a hint of {needed:.0f} px in {room:.0f} px"
        assert page.locator(box).get_attribute("title") == page.locator(box).get_attribute("aria-label")
    for width in (360, 400):  # the picked values show whole in their selects (the drop-down arrow aside)
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live.url + "/inspector?method=OPTIONS&status=failed")
        for select in ("#f-method", "#f-status"):
            room, needed = page.locator(select).evaluate("""select => { const style = getComputedStyle(select);
              const context = document.createElement("canvas").getContext("2d");
              context.font = style.font;
              return [select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16,
                      context.measureText(select.selectedOptions[0].text).width]; }""")
            assert needed <= room, f"{select} at {width} px: {needed:.0f} px of text in {room:.0f} px"
    page.set_viewport_size({"width": 1280, "height": 800})  # wide again: the long hint
    page.goto(live.url + "/inspector")
    expect(page.locator("#f-q")).to_have_attribute("placeholder", "text in headers, body, reason  ( / )")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_nothing_jumps_while_reading_further_down(live, page) -> None:
    for i in range(60):
        http(f"{live.url}/inspect/{i}")
    page.goto(live.url + "/inspector/30")
    expect(page.locator(".req-detail")).to_have_attribute("data-id", "30")
    page.locator("#list").evaluate("node => { node.scrollTop = 400; }")
    http(f"{live.url}/inspect/new")
    expect(page.locator("#new-bar")).to_have_text("1 new request · show")
    expect(page.locator("#live-state")).to_have_text("PAUSED · 1 new")  # as the logs page says it
    assert rows(page)[0] == "/inspect/59"
    page.click("#new-bar")
    expect(page.locator("#req-list .req").first.locator(".p")).to_have_text("/inspect/new")
    assert page.locator(".req-detail").get_attribute("data-id") == "30"  # picked: stays


def test_page_works_without_javascript(live, browser) -> None:
    http(f"{live.url}/inspect/nojs?a=1", b"x=1&x=2", {"Content-Type": "application/x-www-form-urlencoded"})
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live.url + "/inspector")
        assert page.locator(".req-detail .req-line").inner_text().startswith("POST /inspect/nojs?a=1")
        assert page.locator("#panel-form td.v").all_inner_texts() == ["1", "2"]
        page.click("#req-list .req-link")
        assert page.url.endswith("/inspector/1")
    finally:
        context.close()
