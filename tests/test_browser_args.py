"""In Debian's chromium: a message that could not be rebuilt says why, in the expanded row (live and
server-rendered) and on the record page; the args' text stays text."""
from __future__ import annotations

import logging
import re
from typing import Any

from browser_helpers import open_logs, send
from conftest import Live, log_with
from playwright.sync_api import expect

WHY = "not enough arguments for format string"


def log(live: Live, msg: str, *args: Any) -> None:
    """One record with args through the stock HTTPHandler."""
    handler = live.handler()
    log_with(handler, logging.INFO, msg, *args)
    handler.close()


def test_expanded_row_and_record_page_say_why_a_message_was_not_rebuilt(live: Live, page: Any) -> None:
    log(live, "charge %s to %s", "<img src=x onerror=alert(1)>")  # stored before the page loads
    open_logs(page, live)
    log(live, "user %s at %s", "ann")                                # arrives live
    log(live, "fine %s", "ok")
    expect(page.locator("#rows .row .msg")).to_have_text(["fine ok", "user %s at %s", "charge %s to %s"])
    rows = page.locator("#rows .row")
    for index in (1, 2):
        rows.nth(index).locator(".line").click()
        expect(rows.nth(index).locator(".details .format-error")).to_have_text(
            f"Shown as sent, not formatted with its args: {WHY}.")
    rows.nth(0).locator(".line").click()
    expect(rows.nth(0).locator(".details")).to_be_visible()
    expect(rows.nth(0).locator(".details .format-error")).to_have_count(0)
    expect(page.locator("img")).to_have_count(0)  # the args' text was never markup
    rows.nth(2).get_by_role("link", name=re.compile("Open record")).click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    expect(page.locator("#message")).to_have_text("charge %s to %s")
    expect(page.locator("#format-error")).to_have_text(f"Shown as sent, not formatted with its args: {WHY}.")
    expect(page.locator("#fields")).to_contain_text("('<img src=x onerror=alert(1)>',)")
    expect(page.locator("img")).to_have_count(0)


def test_restored_extras_show_the_text_sent(live: Live, page: Any) -> None:
    send(live, "order placed", extra={"items": ["a", "b"], "paid": True})
    page.goto(f"{live.url}/records/1")
    expect(page.locator("#extras")).to_contain_text('["a", "b"] (sent as text: [\'a\', \'b\'])')
    expect(page.locator("#extras")).to_contain_text("true (sent as text: True)")
