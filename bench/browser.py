"""Browser: time to the first rows of `/` over N records, then long tasks while records stream in live.

Serves a database of N records (reuse the one `bench/query.py --db PATH` built; without enough
records this builds them the same way) with `logdash serve --workers 2`, then Playwright drives
Debian's chromium (headless):

1. Opens `/` --loads times (the first with a cold cache) and reports, from navigation start: the
   server's first byte, the first `.row` element in the DOM (a MutationObserver), the first frame
   after it (requestAnimationFrame, then a task), first paint / first contentful paint
   (PerformanceObserver 'paint'), DOMContentLoaded, and the Python-side wait for a visible `.row`.
   "First rows painted" is the later of that next frame and first contentful paint (rows parsed
   before the first paint show with it). Target: first rows painted < 300 ms (warm loads' median).
2. With the page open (live tail on), POSTs records at 500 records/s for ~10 s (paced NDJSON) and
   reports long tasks (PerformanceObserver 'longtask'): count and the longest; rows shown after.
   Target: no long task over 50 ms. (The streamed records, app=browser, stay in a reused database.)

    .venv/bin/python bench/browser.py --db /tmp/bench-1m.db          # 1,000,000 records (the target)
    .venv/bin/python bench/browser.py --records 20000                # quick check, temporary database
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import Http, footer, header, make_record, print_table, rss_line, start_logdash
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from query import BUILD_ENV, build

INIT_SCRIPT = """
window.__bench = {firstRow: null, rowPainted: null, paints: {}, longtasks: []};
new MutationObserver((_, observer) => {
  if (document.querySelector('.row')) {
    __bench.firstRow = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { __bench.rowPainted = performance.now(); }));
  }
}).observe(document, {childList: true, subtree: true});
new PerformanceObserver(list => {
  for (const e of list.getEntries()) __bench.paints[e.name] = e.startTime;
}).observe({type: 'paint', buffered: true});
new PerformanceObserver(list => {
  for (const e of list.getEntries()) __bench.longtasks.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});
"""
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = __bench.paints['first-contentful-paint'] || 0;  // nothing is painted before it
  return {...__bench, rowsPainted: Math.max(__bench.rowPainted, fcp), responseStart: nav.responseStart,
          dcl: nav.domContentLoadedEventEnd};
}"""
COLUMNS = [("responseStart", "first byte"), ("firstRow", "first .row in DOM"),
           ("rowPainted", "next frame after it (rAF + task)"), ("first-paint", "first paint"),
           ("first-contentful-paint", "first contentful paint"), ("rowsPainted", "first rows painted (max of the two)"),
           ("dcl", "DOMContentLoaded"), ("wait", "wait_for_selector('.row') (Python)")]


def load(page: Page, url: str) -> dict[str, Any]:
    """Open `url`, wait for visible rows and the paint mark; all times in ms from navigation start."""
    t0 = time.perf_counter()
    response = page.goto(url, wait_until="commit")
    try:
        page.wait_for_selector(".row", state="visible", timeout=60_000)
    except PlaywrightTimeout:
        status = response.status if response else "no response"
        raise RuntimeError(f"no visible .row on {url} ({status}): {page.inner_text('body')[:500]!r}") from None
    wait = (time.perf_counter() - t0) * 1000
    page.wait_for_function("() => __bench.rowPainted !== null", timeout=30_000)
    page.wait_for_load_state("load")
    timings = page.evaluate(TIMINGS)
    return {**timings, **timings["paints"], "wait": wait}


def stream(port: int, rate: float, seconds: float, batch: int = 25) -> int:
    """POST `rate` records/s for `seconds` in paced NDJSON batches; returns records sent."""
    http, rng = Http(port), random.Random(9)
    interval, next_at, sent = batch / rate, time.perf_counter(), 0
    for _ in range(int(rate * seconds / batch)):
        time.sleep(max(0.0, next_at - time.perf_counter()))
        next_at += interval
        sent += http.post_records([make_record(rng, "shop", time.time()) for _ in range(batch)], app="browser")
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the database")
    parser.add_argument("--db", type=Path, help="SQLite file (from bench/query.py --db); default: temporary")
    parser.add_argument("--loads", type=int, default=5, help="times / is opened (the first cold)")
    parser.add_argument("--rate", type=float, default=500, help="records/s streamed while the page is open")
    parser.add_argument("--seconds", type=float, default=10, help="how long records are streamed")
    opts = parser.parse_args()
    started = time.monotonic()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        folder = Path(tmp)
        db = opts.db.resolve() if opts.db else folder / "browser.db"
        server = start_logdash(db, folder, 2, BUILD_ENV)
        try:
            have = Http(server.port).record_count()
            if have < opts.records:
                stored, seconds = build(server, opts.records - have, 2000, 3, seed=have + 1)
                notes.append(f"built {stored:,} records in {seconds:.0f} s")
        finally:
            server.stop()
        server = start_logdash(db, folder, 2)
        try:
            count = Http(server.port).record_count()
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
                try:
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    context.add_init_script(INIT_SCRIPT)
                    page = context.new_page()
                    loads = [load(page, server.url + "/") for _ in range(max(1, opts.loads))]
                    print(f"{len(loads)} loads done", file=sys.stderr)
                    rows_before = page.locator(".row").count()
                    mark = page.evaluate("() => performance.now()")
                    sent = stream(server.port, opts.rate, opts.seconds)
                    page.wait_for_timeout(2000)
                    shown = page.evaluate("() => document.querySelectorAll('.row').length")
                    live_in_page = page.locator(".row").first.get_attribute("data-id")
                    tasks = [d for s, d in page.evaluate("() => __bench.longtasks") if s >= mark]
                    load_tasks = [d for s, d in loads[-1]["longtasks"]]
                finally:
                    browser.close()
            notes.append(rss_line(server))
        finally:
            server.stop()

    header(f"Browser (headless chromium) on / over {count:,} records")
    rows = []
    for key, label in COLUMNS:
        values = [lo.get(key) for lo in loads]
        warm = [v for v in values[1:] if v is not None]
        target = "< 300 ms: " + ("met" if warm and statistics.median(warm) < 300 else "MISSED") \
            if key == "rowsPainted" else ""
        rows.append([label, f"{values[0]:.0f}" if values[0] is not None else "n/a",
                     f"{statistics.median(warm):.0f}" if warm else "n/a", target])
    print_table(["ms from navigation start", "cold load", f"warm loads (median of {len(loads) - 1})", "target"],
                rows)
    longest = max(tasks, default=0.0)
    print_table(["while streaming", "value", "target"], [
        ["records sent", f"{sent:,} at {opts.rate:,.0f}/s", ""],
        ["long tasks (> 50 ms)", len(tasks), "none: " + ("met" if not tasks else "MISSED")],
        ["longest task ms", f"{longest:.0f}", ""],
        ["long tasks ms (longest 10)", ", ".join(f"{d:.0f}" for d in sorted(tasks, reverse=True)[:10]) or "-", ""],
        ["long tasks during the last page load", f"{len(load_tasks)} (longest {max(load_tasks, default=0):.0f} ms)",
         ""],
        ["rows in the page before / after", f"{rows_before} / {shown} (newest id shown {live_in_page})", ""],
    ])
    footer(started, notes)


if __name__ == "__main__":
    main()
