"""The logs page under a stream, in Debian's chromium: rows go in once per animation frame, stay small
(details only when expanded), trimming past 2,000 rows reads layout once instead of once per row, and a
late record goes where its time belongs. One server and one tab for the module (data kept apart by app)."""
from __future__ import annotations

import json
import time
from typing import Any

from browser_helpers import NOW
from conftest import Live, store_records
from playwright.sync_api import expect

from dashboard.logs import pages

# Counts layout reads (each one forces a layout when the DOM changed since the last) and wraps every
# requestAnimationFrame callback, so a test can tell whether rows went in from inside a frame.
PROBE = """() => {
  if (window.__probe) return;
  const probe = window.__probe = {reads: 0, inserts: [], inFrame: false};
  for (const [proto, names] of [[HTMLElement.prototype, ['offsetHeight', 'offsetTop', 'offsetWidth', 'offsetLeft']],
                                [Element.prototype, ['clientHeight', 'clientWidth', 'scrollHeight', 'scrollTop']]]) {
    for (const name of names) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      Object.defineProperty(proto, name, {...desc, get() { probe.reads++; return desc.get.call(this); }});
    }
  }
  for (const name of ['getBoundingClientRect', 'getClientRects']) {
    const original = Element.prototype[name];
    Element.prototype[name] = function () { probe.reads++; return original.call(this); };
  }
  const raf = window.requestAnimationFrame;
  window.requestAnimationFrame = cb => raf(t => {
    probe.inFrame = true;
    try { cb(t); } finally { probe.inFrame = false; }
  });
  const rows = document.getElementById('rows');
  for (const name of ['prepend', 'append', 'insertBefore']) {
    const original = rows[name];
    rows[name] = function (...args) { probe.inserts.push(probe.inFrame); return original.apply(this, args); };
  }
}"""
# Nodes in each row (the row and everything under it), and whitespace-only text nodes anywhere in rows.
ROW_NODES = """() => [...document.querySelectorAll('#rows .row')].map(row => {
  let nodes = 1, blank = 0;
  const walk = document.createTreeWalker(row);
  while (walk.nextNode()) { nodes++; if (walk.currentNode.nodeType === 3 && !walk.currentNode.data.trim()) blank++; }
  return [nodes, blank, row.querySelector('.exc') !== null];
})"""


def open_app(page: Any, live: Live, app: str) -> None:
    """The logs page filtered to one app (other tests' records stay out), its tail live."""
    page.goto(f"{live.url}/?app={app}")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    page.evaluate(PROBE)


def ingest(live: Live, app: str, records: list[dict[str, Any]]) -> None:
    status, answer = live.post(f"/ingest?app={app}", json.dumps(records).encode(), "application/json")
    assert status == 200, answer


def test_a_stream_goes_in_once_per_frame_as_small_rows(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "served", "name": "worker.queue.consumer"}, app_name="frames")
    open_app(page, shared_live, "frames")
    for batch in range(12):  # twelve commits, so the tail delivers records in many messages
        ingest(shared_live, "frames", [{"msg": f"r{batch}-{i}", "name": "shop.web.cart", "levelname": "INFO",
                                        "created": time.time()} for i in range(25)]
               + ([{"msg": "boom", "exc_info": "(<class 'ValueError'>, ValueError('x'), None)"}] if batch == 5 else []))
    expect(page.locator("#rows .row")).to_have_count(1 + 12 * 25 + 1)
    inserts = page.evaluate("__probe.inserts")
    assert inserts and all(inserts), f"rows inserted outside an animation frame: {inserts}"
    assert len(inserts) < 12 * 25 / 4  # batched: far fewer DOM updates than records
    shapes = page.evaluate(ROW_NODES)
    assert all(blank == 0 for _, blank, _ in shapes)  # the server-rendered row too
    assert max(nodes for nodes, _, exc in shapes if not exc) <= 17
    assert max(nodes for nodes, _, exc in shapes if exc) <= 19
    assert page.locator("#rows .details").count() == 0  # built only when a row is expanded
    page.locator("#rows .row .line").first.click()
    expect(page.locator("#rows .details")).to_have_count(1)


def test_trimming_past_2000_rows_measures_once_and_keeps_the_readers_place(shared_live: Live,
                                                                           shared_page: Any) -> None:
    page = shared_page
    count = pages.MAX_ROWS + 2 * pages.PAGE_SIZE
    store_records(shared_live.app, *[{"msg": f"old {i}", "created": str(NOW - count + i)} for i in range(count)],
                  app_name="trim")
    open_app(page, shared_live, "trim")
    rows = page.locator("#rows .row")
    for loaded in range(2, pages.MAX_ROWS // pages.PAGE_SIZE + 1):  # "Load older" until the list is full
        page.evaluate("document.getElementById('load-older').click()")
        expect(rows).to_have_count(loaded * pages.PAGE_SIZE)
    reader = rows.nth(1500)
    reader.evaluate("row => row.scrollIntoView()")
    mark = reader.get_attribute("data-id"), reader.bounding_box()["y"]
    first = rows.first.get_attribute("data-id")
    page.evaluate("__probe.reads = 0")
    page.evaluate("document.getElementById('load-older').click()")  # 2,100 rows: 100 go at the top
    expect(rows.first).not_to_have_attribute("data-id", first)
    expect(rows).to_have_count(pages.MAX_ROWS)
    reads = page.evaluate("__probe.reads")
    assert reads <= 10, f"{reads} layout reads for one trim of {pages.PAGE_SIZE} rows"  # a few, not one per row
    moved = page.locator(f'#rows .row[data-id="{mark[0]}"]').bounding_box()["y"] - mark[1]
    assert abs(moved) <= 1, f"the row being read moved by {moved:.0f} px"
    expect(page.locator("#live-state")).to_have_attribute("data-state", "paused")


def test_a_late_record_goes_where_its_time_belongs(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    now = time.time()
    store_records(shared_live.app, *[{"msg": f"at -{age}", "created": str(now - age)} for age in (60, 40, 20)],
                  app_name="late")
    open_app(page, shared_live, "late")
    ingest(shared_live, "late", [{"msg": "at -0", "created": now}])
    expect(page.locator("#rows .row .msg").first).to_have_text("at -0")
    page.evaluate("__probe.reads = 0")
    ingest(shared_live, "late", [{"msg": "at -30", "created": now - 30}, {"msg": "at -0.2", "created": now - 0.2},
                                 {"msg": "at -90", "created": now - 90}])
    expect(page.locator("#rows .row .msg")).to_have_text(["at -0", "at -0.2", "at -20", "at -30", "at -40", "at -60",
                                                          "at -90"])
    late = page.locator("#rows .row.late .msg").all_text_contents()
    assert late == ["at -30", "at -90"]  # far behind the newest: marked; a few ms out of order: just placed
    assert page.evaluate("__probe.reads") == 0
    page.wait_for_timeout(400)  # idle now: nothing animates (the LIVE dot blinked once, then stopped)
    assert page.evaluate("document.getAnimations().length") == 0
    assert page.locator("#live-state .dot.blink").count() == 0
