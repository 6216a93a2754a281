"""The logs list's row grid in Debian's chromium, on the wide layout (761 to 1920 px): with a long app
name, a long logger name and a long message, the message keeps a usable share of every row (35% of it
on one line, or a line of its own across most of it), in both densities and with wrap on or off, the
logger keeps its last part whole, and nothing scrolls sideways. One server for the module."""
from __future__ import annotations

import time
from typing import Any

from conftest import Live, store_records
from playwright.sync_api import expect

LOGGER = "worker.queue.consumer.retry.scheduler"
MESSAGE = "payment reconciliation failed after retrying the gateway " + " ".join(f"field{i}={i * 7}" for i in range(30))
WIDTHS = (761, 800, 880, 1024, 1280, 1920)
MEASURE = """row => {
  const box = el => el.getBoundingClientRect(), list = document.querySelector('#list'), line = row.firstChild;
  const msg = box(row.querySelector('.msg')), logger = row.querySelector('.logger'), cell = box(logger);
  const range = document.createRange();
  range.selectNodeContents(logger.lastChild);
  const last = range.getBoundingClientRect();
  return {row: box(row).width, msg: msg.width, msgTop: msg.top, loggerBottom: cell.bottom, logger: cell.width,
          app: box(row.querySelector('.app')).width,
          lastWhole: last.left >= cell.left - .5 && last.right <= cell.right + .5,
          page: document.documentElement.scrollWidth, list: list.scrollWidth - list.clientWidth,
          line: line.scrollWidth - line.clientWidth};
}"""


def test_message_keeps_its_share_of_the_row_at_every_wide_width(shared_live: Live, browser: Any) -> None:
    now = time.time()
    long_row = {"msg": MESSAGE, "name": LOGGER, "levelname": "CRITICAL", "created": str(now)}
    store_records(shared_live.app, {"msg": "older", "name": LOGGER, "created": str(now - 5)}, long_row,
                  app_name="billing-reconciliation")
    store_records(shared_live.app, {"msg": "two days ago", "name": LOGGER, "created": str(now - 2 * 86400)},
                  long_row, app_name="billing-reconciliation-days")  # rows that span days show dates
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # its own view options
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for app in ("billing-reconciliation", "billing-reconciliation-days"):
            page.goto(f"{shared_live.url}/?app={app}")
            expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
            row = page.locator("#rows .row").first
            expect(row.locator(".msg")).to_have_text(MESSAGE)
            for keys in ((), ("d",), ("w",), ("d",)):  # compact, comfortable, comfortable + wrap, wrap
                for key in keys:
                    page.keyboard.press(key)
                mode = [name for name in ("wrap", "comfortable")
                        if page.locator("html").get_attribute(f"data-{name}") is not None]
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 800})
                    # the toolbar refits on resize (static/js/logs/toolbar.js): the page is as wide as the window
                    page.wait_for_function("w => document.documentElement.scrollWidth <= w", arg=width, timeout=5000)
                    m = row.evaluate(MEASURE)
                    where = f"{app} at {width} px, {mode or 'compact'}: {m}"
                    if m["msgTop"] >= m["loggerBottom"] - 1:  # two lines: the message has one of its own
                        assert m["msg"] >= m["row"] * 0.6, where
                    else:
                        assert m["msg"] >= m["row"] * 0.35, where
                    assert m["app"] >= 80 and m["logger"] >= 80 and m["lastWhole"], where
                    assert m["page"] <= width and m["list"] <= 0 and m["line"] <= 1, where
    finally:
        context.close()
    assert not errors, errors
