"""The logs page under a stream, in Debian's chromium: rows go in once per animation frame, stay small
(details only when expanded) and read no layout, trimming past 2,000 rows reads layout once instead of once
per row, a late record goes where its time belongs, the histogram counts live records in place, and once a
stream stops nothing in the page moves. One server and one tab for the module (data kept apart by app)."""
from __future__ import annotations

import itertools
import re
import time
from typing import Any

from browser_helpers import NOW, ingest
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


# The chart's redraws (bars put in: one mutation callback each), timed, with the last bar's height after each;
# the chart element shown now (a rebuild replaces it); how often the LIVE dot blinked.
WATCH = """() => {
  const watch = window.__watch = {redraws: [], heights: [], blinks: 0, svg: document.querySelector('#histogram svg')};
  new MutationObserver(records => {
    if (!records.some(r => [...r.addedNodes].some(n => n.classList?.contains('bar')))) return;
    watch.redraws.push(performance.now());
    const last = [...document.querySelectorAll('#histogram g.bucket')].at(-1);
    watch.heights.push([...last.querySelectorAll('rect.bar')].reduce((h, r) => h + r.height.baseVal.value, 0));
  }).observe(document.getElementById('histogram'), {childList: true, subtree: true});
  const dot = document.querySelector('#live-state .dot');
  new MutationObserver(records => {
    if (dot.classList.contains('blink') || records.some(r => r.oldValue?.includes('blink'))) watch.blinks++;
  }).observe(dot, {attributes: true, attributeOldValue: true});
}"""
# Every change in the page for `ms` milliseconds: attributes (classes too), nodes, text.
CHANGES = """ms => new Promise(resolve => {
  const seen = [], observer = new MutationObserver(records => seen.push(...records.map(r => [r.type,
    r.target.nodeName, r.target.id, r.target.getAttribute?.('class'), r.attributeName].join(' '))));
  observer.observe(document.documentElement, {attributes: true, childList: true, characterData: true, subtree: true});
  setTimeout(() => { observer.disconnect(); resolve(seen); }, ms);
})"""


def open_app(page: Any, live: Live, app: str) -> None:
    """The logs page filtered to one app (other tests' records stay out), its tail live."""
    page.goto(f"{live.url}/?app={app}")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    page.evaluate(PROBE)


def test_a_stream_goes_in_once_per_frame_as_small_rows(shared_live: Live, shared_page: Any) -> None:
    page = shared_page
    store_records(shared_live.app, {"msg": "served", "name": "worker.queue.consumer"}, app_name="frames")
    open_app(page, shared_live, "frames")
    for batch in range(12):  # twelve commits, so the tail delivers records in many messages
        ingest(shared_live, "frames", [{"msg": f"r{batch}-{i}", "name": "shop.web.cart", "levelname": "INFO",
                                        "created": time.time()} for i in range(25)]
               + ([{"msg": "boom", "exc_info": "(<class 'ValueError'>, ValueError('x'), None)"}] if batch == 5 else []))
    expect(page.locator("#rows .row")).to_have_count(1 + 12 * 25 + 1)
    reads = page.evaluate("__probe.reads")
    assert reads <= 1, f"{reads} layout reads while 301 rows streamed in"  # none per row, none per batch
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
    # a few per block of 25 rows put in (a frame each), not one per row
    assert reads <= 4 * pages.PAGE_SIZE // 25, f"{reads} layout reads for one trim of {pages.PAGE_SIZE} rows"
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


def test_live_records_grow_the_last_bar_in_place_then_the_page_is_still(shared_live: Live, shared_page: Any) -> None:
    """~50 records into the current bucket: counted in the page (no /api/histogram), the same chart, the last
    bar taller at each redraw, a redraw a second at most; reduced motion: the LIVE dot never blinks; once the
    stream stops nothing in the page changes."""
    page = shared_page
    store_records(shared_live.app, *[{"msg": f"busy {i}", "created": str(time.time() - 1200)} for i in range(200)],
                  app_name="bars")  # the peak stays on an older bar: the current one grows, not rescaled to full
    asked: list[str] = []

    def count_asks(request: Any) -> None:
        if "/api/histogram" in request.url:
            asked.append(request.url)
    page.emulate_media(reduced_motion="reduce")
    page.on("request", count_asks)
    try:
        with page.expect_response("**/api/histogram?*") as answer:
            open_app(page, shared_live, "bars")
        chart = answer.value.json()
        page.evaluate(WATCH)
        asked.clear()
        current = chart["until"] - chart["bucket"] / 2  # inside the page's last bucket
        started = time.monotonic()
        for batch in range(5):  # over more than a second
            ingest(shared_live, "bars", [{"msg": f"b{batch}-{i}", "created": current} for i in range(10)])
            time.sleep(max(0, started + 0.3 * (batch + 1) - time.monotonic()))
        last = page.locator("#histogram g.bucket").last
        expect(last.locator("title")).to_have_text(re.compile(r": 50 records \(INFO 50\)$"))
        expect(page.locator('.tree .count[data-logger="root"]')).to_have_attribute("data-count", "250")
        watch = page.evaluate("({...__watch, svg: __watch.svg === document.querySelector('#histogram svg')})")
        assert asked == [], f"live records asked the server for the histogram again: {asked}"
        assert watch["svg"], "the chart was rebuilt for live records"
        plot = float(last.locator("rect.hit").get_attribute("height"))
        assert watch["heights"] == sorted(set(watch["heights"])), watch["heights"]  # taller at each redraw
        assert abs(watch["heights"][-1] - 50 / 200 * (plot - 2)) < 1, (watch["heights"], plot)
        gaps = [b - a for a, b in itertools.pairwise(watch["redraws"])]
        assert all(gap >= 950 for gap in gaps), f"redraws {gaps} ms apart"  # at most about one a second
        assert watch["blinks"] == 0, "the LIVE dot blinked for a reader who prefers reduced motion"
        changes = page.evaluate(CHANGES, 2000)
        assert changes == [], f"the page kept changing after the stream stopped: {changes}"
        assert page.evaluate("document.getAnimations().length") == 0
    finally:
        page.remove_listener("request", count_asks)
        page.emulate_media(reduced_motion="no-preference")
