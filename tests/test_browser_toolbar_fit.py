"""The logs toolbar where room is short, in Debian's chromium: just above the narrow layout (761 px) five
filters still show as chips (on a line of their own when not one fits beside the controls), and the
store-health badge, when the server cannot store, takes its room too: every control stays whole in
the window, the badge included, at 761 and 1024 px. One server for the module."""
from __future__ import annotations

import json
from typing import Any

from conftest import Live, store_records
from playwright.sync_api import expect

BOX = "el => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; }"
FILTERS = "?app=fit&level=WARNING&logger=shop&q=timeout&last=24h"  # five chips
CONTROLS = ("#level", "#app", "#time-menu", "#tz-toggle", "#view-menu summary", "#export-menu summary",
            "#live-state", "#pause")
UNWELL = {"status": "unavailable", "error": "database or disk is full"}


def whole(page: Any, selector: str, width: int) -> None:
    """`selector` is shown and whole inside the window, its text not cut."""
    node = page.locator(selector)
    expect(node).to_be_visible()
    left, _, w, _ = node.evaluate(BOX)
    assert left >= -.5 and left + w <= width + .5, f"{selector} at {left:.0f}+{w:.0f} px in {width} px"


def shown_chips(page: Any) -> int:
    return sum(chip.is_visible() for chip in page.locator(".chip-list .chip").all())


def test_chips_and_health_badge_fit_just_above_the_narrow_layout(shared_live: Live, browser: Any) -> None:
    store_records(shared_live.app, {"msg": "timeout", "name": "shop.web", "levelname": "ERROR"}, app_name="fit")
    context = browser.new_context(viewport={"width": 761, "height": 800})
    page = context.new_page()
    unwell = False

    def health(route: Any) -> None:  # the server's answer while it cannot store (a full disk, say)
        if unwell:
            route.fulfill(status=503, content_type="application/json", body=json.dumps(UNWELL))
        else:
            route.continue_()

    page.route("**/healthz", health)
    try:
        for width in (761, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            unwell = False
            page.goto(f"{shared_live.url}/{FILTERS}")
            expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
            expect(page.locator(".chip-list .chip")).to_have_count(5)
            assert shown_chips(page) >= 1, f"no chip shown at {width} px, only the +N menu"
            for control in CONTROLS:
                whole(page, control, width)
            unwell = True
            page.reload()
            badge = page.locator("#store-health")
            expect(badge).to_contain_text("database or disk is full")
            page.wait_for_timeout(100)  # the toolbar refits in the frame after the badge shows
            for control in (*CONTROLS, "#store-health"):
                whole(page, control, width)
            assert shown_chips(page) >= 1, f"no chip shown at {width} px with the health badge"
            assert badge.get_attribute("title").startswith("STORE: database or disk is full")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
