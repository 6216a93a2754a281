"""The logs list in blocks, in Debian's chromium: rows sit in blocks (the first page's, then 25 a block) and a
block far from the screen is skipped by the browser; j/k cross from block to block; a burst of live records goes in
over several frames (never more than a frame's share at once) in time order, nothing lost or twice;
what waited while paused goes in whole on resume; and a trim at the top that cuts a block in two keeps
the row being read where it was. One server and one tab for the module (data kept apart by app)."""
from __future__ import annotations

import re
import time
from typing import Any

from browser_helpers import NOW, ingest, open_logs
from conftest import Live, store_records
from playwright.sync_api import expect

from dashboard.logs import pages

# Each block: its class, its rows, whether its first row is rendered (false: the browser skips the block).
BLOCKS = """() => [...document.getElementById('rows').children].map(b => [b.className, b.childElementCount,
  b.firstElementChild.checkVisibility({contentVisibilityAuto: true})])"""
# Each mutation callback that put rows in: how many rows it added (one callback per frame's update).
WATCH = """() => {
  window.__added = [];
  new MutationObserver(records => {
    let n = 0;
    for (const r of records) for (const node of r.addedNodes) {
      if (node.classList?.contains('row')) n++;
      else if (node.classList?.contains('rows-block')) n += node.childElementCount;
    }
    if (n) __added.push(n);
  }).observe(document.getElementById('rows'), {childList: true, subtree: true});
}"""
MESSAGES = "() => [...document.querySelectorAll('#rows .row .msg')].map(m => m.textContent)"


def load_older_until(page: Any, count: int) -> None:
    """Click "Load older" until `count` rows show, each page of 100 in whole (it goes in a block a frame:
    a count read mid-page is not the page's end)."""
    rows = page.locator("#rows .row")
    for shown in range(rows.count() + pages.PAGE_SIZE, count + 1, pages.PAGE_SIZE):
        page.evaluate("document.getElementById('load-older').click()")
        expect(rows).to_have_count(shown)


def test_rows_sit_in_blocks_far_ones_are_skipped_and_j_k_cross_them(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    ids = store_records(shared_live.app, *[{"msg": f"b{i}", "created": str(NOW - 1000 + i)} for i in range(500)],
                        app_name="blocks")
    open_logs(page, shared_live, "?app=blocks")
    load_older_until(page, 500)
    page.wait_for_timeout(300)  # new blocks are drawn once, then may be skipped
    blocks = page.evaluate(BLOCKS)
    assert [n for _, n, _ in blocks] == [100] + [25] * 16, blocks  # the first page, then older pages in quarters
    assert blocks[0][2] and not blocks[-1][2], blocks  # the first on screen, the last skipped
    assert all("fresh" not in cls for cls, _, _ in blocks), blocks
    assert page.evaluate(MESSAGES) == [f"b{i}" for i in reversed(range(500))]
    last_of_first = page.locator("#rows .row").nth(99)
    last_of_first.focus()
    expect(page.locator("#rows .row.selected")).to_have_attribute("data-id", str(ids[400]))
    page.keyboard.press("j")  # into the second block
    expect(page.locator("#rows .row.selected")).to_have_attribute("data-id", str(ids[399]))
    assert page.evaluate("document.activeElement.dataset.id") == str(ids[399])
    page.keyboard.press("k")
    expect(page.locator("#rows .row.selected")).to_have_attribute("data-id", str(ids[400]))


def test_a_burst_goes_in_over_frames_in_time_order(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "first", "created": str(time.time() - 60)}, app_name="burst")
    open_logs(page, shared_live, "?app=burst")
    page.evaluate(WATCH)
    now = time.time()
    ingest(shared_live, "burst", [{"msg": f"r{i:03d}", "created": now - 30 + i * 0.01} for i in range(250)])
    expect(page.locator("#rows .row")).to_have_count(251)
    assert page.evaluate(MESSAGES) == [f"r{i:03d}" for i in reversed(range(250))] + ["first"]
    added = page.evaluate("__added")
    assert sum(added) == 250 and len(added) >= 5 and max(added) <= 60, added  # a frame's share at a time
    assert page.locator("#rows .row.late").count() == 0


def test_what_waited_while_paused_goes_in_whole_on_resume(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "before", "created": str(time.time() - 60)}, app_name="held")
    open_logs(page, shared_live, "?app=held")
    page.keyboard.press("Space")
    expect(page.locator("#live-state")).to_have_text("PAUSED")
    now = time.time()
    for batch in range(3):
        ingest(shared_live, "held", [{"msg": f"h{batch}-{i:02d}", "created": now + batch + i * 0.001}
                                     for i in range(70)])
    expect(page.locator("#live-state")).to_have_text("PAUSED · 210 new")
    assert page.locator("#rows .row").count() == 1  # nothing moved while paused
    page.keyboard.press("g")  # resume, then the newest record
    expect(page.locator("#rows .row")).to_have_count(211)
    expect(page.locator("#live-state")).to_have_text("LIVE")
    expect(page.locator("#rows .row.selected .msg")).to_have_text("h2-69")
    assert page.evaluate(MESSAGES) == [f"h{b}-{i:02d}" for b in reversed(range(3)) for i in reversed(range(70))] \
        + ["before"]


def test_a_trim_that_cuts_a_block_keeps_the_readers_place(live: Live, page: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(pages, "MAX_ROWS", 250)
    store_records(live.app, *[{"msg": f"old {i}", "created": str(NOW - 1000 + i)} for i in range(600)], app_name="cut")
    open_logs(page, live, "?app=cut")
    rows = page.locator("#rows .row")
    ingest(live, "cut", [{"msg": f"live {i}", "created": time.time() + i * 0.001} for i in range(25)])
    expect(rows).to_have_count(125)  # a block of 25 (one frame's share) above the first page's 100
    page.evaluate("document.getElementById('load-older').click()")  # one page of 100, a block a frame
    expect(rows).to_have_count(225)
    reader = rows.nth(180)  # 45 rows above the end: "load older" is not in reach of its observer
    reader.evaluate("row => row.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    mark, y = reader.get_attribute("data-id"), reader.bounding_box()["y"]
    page.evaluate("document.getElementById('load-older').click()")  # 325 rows: 75 go at the top, 50 of a block
    expect(rows.first).to_have_text(re.compile("old 549"))
    expect(rows).to_have_count(250)
    moved = page.locator(f'#rows .row[data-id="{mark}"]').bounding_box()["y"] - y
    assert abs(moved) <= 1, f"the row being read moved by {moved:.0f} px"
    expect(page.locator("#live-state")).to_have_attribute("data-state", "paused")
    sizes = [n for _, n, _ in page.evaluate(BLOCKS)]
    assert sizes[0] == 50 and sum(sizes) == 250, sizes
