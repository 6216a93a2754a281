"""Keyboard and assistive access in Debian's chromium: rows take real focus (one in the tab order, j/k
move it), skip links lead straight to the records and to the inspector's detail pane, the narrow
drawer holds focus while open and gives it back, and no control is a bare symbol. One server."""
from __future__ import annotations

import logging
import time
from typing import Any

from conftest import Live, log_with, store_records
from playwright.sync_api import expect

# Visible controls whose name (aria-label, else text) is only symbols: "◐", "×", "?", "☰".
UNLABELLED = """() => [...document.querySelectorAll('button, summary, a[href], [role=button]')]
  .filter(n => n.checkVisibility())
  .filter(n => !/[\\p{L}\\p{N}]/u.test(n.getAttribute('aria-label') || n.textContent))
  .map(n => n.outerHTML.slice(0, 120))"""
FOCUSED = """() => { const a = document.activeElement;
  return [a.id, a.className, a.dataset.id || null, a.textContent.slice(0, 40)]; }"""


def test_rows_take_focus_and_j_k_move_it(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    now = time.time()
    ids = store_records(shared_live.app, *[{"msg": f"m{i}", "created": str(now - 10 + i)} for i in range(3)],
                        app_name="keys")
    page.goto(f"{shared_live.url}/?app=keys")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    assert page.locator("#rows .row[tabindex='0']").count() == 1  # one row in the tab order
    page.keyboard.press("j")
    assert page.evaluate(FOCUSED)[2] == str(ids[2])
    page.keyboard.press("j")
    assert page.evaluate(FOCUSED)[2] == str(ids[1])
    expect(page.locator("#rows .row.selected")).to_have_attribute("data-id", str(ids[1]))
    page.keyboard.press("k")
    assert page.evaluate(FOCUSED)[2] == str(ids[2])
    assert page.locator("#rows .row[tabindex='0']").get_attribute("data-id") == str(ids[2])
    page.keyboard.press("Enter")  # on the focused row: expand it, and a link inside takes Enter itself
    link = page.locator("#rows .row.open .details a").first
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{shared_live.url}/records/{ids[2]}?app=keys")
    assert page.evaluate(UNLABELLED) == []  # the record page's controls too


def test_skip_links_lead_to_the_records_and_the_request(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "skip me"}, app_name="skip")
    page.goto(f"{shared_live.url}/?app=skip")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to records")
    expect(page.locator(":focus")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert "row" in page.evaluate(FOCUSED)[1].split()
    assert page.evaluate(UNLABELLED) == []

    handler = shared_live.handler("/ingest?app=skip")
    log_with(handler, logging.INFO, "captured")
    handler.close()
    page.goto(f"{shared_live.url}/inspector")
    page.wait_for_selector(".req-detail")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the selected request")
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)[0] == "detail", page.evaluate(FOCUSED)
    page.locator("#f-path").focus()
    page.keyboard.press("Escape")
    page.keyboard.press("d")  # the same from anywhere, by key
    assert page.evaluate(FOCUSED)[0] == "detail"
    expect(page.locator("#detail")).to_have_attribute("aria-label", "Selected request")  # a named region
    assert page.evaluate(UNLABELLED) == []


def test_the_narrow_drawer_holds_focus_and_gives_it_back(shared_live: Live, browser: Any) -> None:
    store_records(shared_live.app, *[{"msg": "x", "name": f"drawer.n{i}"} for i in range(3)], app_name="drawer")
    context = browser.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{shared_live.url}/?app=drawer")
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        assert page.evaluate(UNLABELLED) == []
        in_tree = "() => document.getElementById('tree').contains(document.activeElement)"
        page.locator("#drawer-toggle").focus()
        page.keyboard.press("Tab")  # closed: the off-screen tree is not in the tab order
        assert not page.evaluate(in_tree)
        page.locator("#drawer-toggle").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#tree")).to_be_in_viewport()
        assert page.evaluate(in_tree)
        expect(page.locator("#tree")).to_have_attribute("aria-modal", "true")
        for key in ["Tab"] * 12 + ["Shift+Tab"] * 14:
            page.keyboard.press(key)
            assert page.evaluate(in_tree), f"focus left the open drawer after {key}"
        page.keyboard.press("Escape")
        expect(page.locator("#tree")).not_to_be_in_viewport()
        assert page.evaluate(FOCUSED)[0] == "drawer-toggle"
        page.keyboard.press("Enter")
        assert page.evaluate(in_tree)
        page.locator("#drawer-close").click()
        assert page.evaluate(FOCUSED)[0] == "drawer-toggle"
    finally:
        context.close()
