"""Browser: time to the first rows of `/` over N records, then smoothness while records stream in live
and while the reader scrolls back through the list.

Serves a database of N records (reuse the one `bench/query.py --db PATH` built; without enough
records this builds them the same way) with `logdash serve --workers 2`, then Playwright drives
Debian's chromium (headless):

1. Opens `/` --loads times (the first with a cold cache) and reports, from navigation start: the
   server's first byte, the first `.row` element in the DOM (a MutationObserver), the first frame
   after it (requestAnimationFrame, then a task), first paint / first contentful paint
   (PerformanceObserver 'paint'), DOMContentLoaded, and the Python-side wait for a visible `.row`.
   "First rows painted" is the later of that next frame and first contentful paint (rows parsed
   before the first paint show with it). Target: first rows painted < 300 ms (warm loads' median).
2. For each rate of --rates (records/s), opens `/` fresh (live tail on), POSTs records at that rate
   for --seconds (paced NDJSON, about 20 requests a second, as busy apps send them) while the
   keyboard presses `g` and `j` in turn every 250 ms, and reports: frames per second
   (requestAnimationFrame callbacks), the share of the time spent in long tasks (PerformanceObserver
   'longtask', summed over the window), the longest task, and each key press's latency (from the
   event's timestamp to the next frame after its handlers ran: what the reader waits for). Then the
   rows and DOM nodes the list holds. Targets: >= 50 fps, no long task over 50 ms, keys < 100 ms.
3. Opens `/` fresh and scrolls the list down with the mouse wheel until --scroll-rows rows were
   loaded below (each "Load older" page, the list trimming itself past its cap), reporting the same
   frame and long-task figures. Target: no long task over 50 ms.
(The streamed records, app=browser, stay in a reused database.)

    .venv/bin/python bench/browser.py --db /tmp/bench-1m.db          # 1,000,000 records (the target)
    .venv/bin/python bench/browser.py --records 200000 --loads 3     # quicker, temporary database
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import Http, footer, header, make_record, percentile, print_table, rss_line, start_logdash
from _pg import ingest
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from query import BUILD_ENV, WEEK

INIT_SCRIPT = """
window.__bench = {firstRow: null, rowPainted: null, paints: {}, longtasks: [], frames: [], keys: [], framing: false};
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
// a key press's latency: from the event's timestamp to the next frame after every handler ran
addEventListener('keydown', e => {
  const t = e.timeStamp;
  requestAnimationFrame(() => __bench.keys.push([t, performance.now() - t]));
}, true);
__bench.startFrames = () => {
  __bench.framing = true;
  const tick = now => { __bench.frames.push(now); if (__bench.framing) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
};
"""
TIMINGS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = __bench.paints['first-contentful-paint'] || 0;  // nothing is painted before it
  return {...__bench, rowsPainted: Math.max(__bench.rowPainted, fcp), responseStart: nav.responseStart,
          dcl: nav.domContentLoadedEventEnd};
}"""
WINDOW = """([from, to]) => {
  __bench.framing = false;
  const frames = __bench.frames.filter(t => t >= from && t <= to);
  const tasks = __bench.longtasks.filter(([s, d]) => s + d >= from && s <= to);
  const busy = tasks.reduce((sum, [s, d]) => sum + Math.min(s + d, to) - Math.max(s, from), 0);
  const rows = document.querySelectorAll('#rows .row').length;
  let nodes = 0;
  const walk = document.createTreeWalker(document.getElementById('rows'));
  while (walk.nextNode()) nodes++;
  return {fps: frames.length / ((to - from) / 1000), busy: busy / (to - from), tasks: tasks.map(([s, d]) => d),
          keys: __bench.keys.filter(([t]) => t >= from && t <= to).map(([, d]) => d), rows, nodes,
          all: document.getElementsByTagName('*').length};
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


def stream(port: int, rate: float, seconds: float, sent: list[int], per_second: float = 20) -> None:
    """POST `rate` records/s for `seconds` in paced NDJSON batches (about `per_second` POSTs a second);
    adds the records sent to sent[0]."""
    http, rng = Http(port), random.Random(9)
    batch = max(1, round(rate / per_second))
    interval, next_at = batch / rate, time.perf_counter()
    try:
        for _ in range(int(rate * seconds / batch)):
            time.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += interval
            sent[0] += http.post_records([make_record(rng, "shop", time.time()) for _ in range(batch)], app="browser")
    finally:
        http.close()


def fresh(page: Page, url: str) -> None:
    """Open the page anew, wait until its tail is live and the histogram is drawn."""
    page.goto(url)
    page.wait_for_selector("#live-state[data-state=live]", timeout=30_000)
    page.wait_for_timeout(1000)


def measure_stream(page: Page, url: str, port: int, rate: float, seconds: float) -> dict[str, Any]:
    """Stream at `rate` while pressing keys; the window's frame, long-task and key figures."""
    fresh(page, url)
    page.evaluate("__bench.startFrames()")
    start = page.evaluate("performance.now()")
    sent = [0]
    sender = threading.Thread(target=stream, args=(port, rate, seconds, sent), daemon=True)
    sender.start()
    keys = ("g", "j")
    presses = 0
    while sender.is_alive():
        page.keyboard.press(keys[presses % 2])
        presses += 1
        page.wait_for_timeout(250)
    sender.join()
    page.wait_for_timeout(500)
    end = page.evaluate("performance.now()")
    return {**page.evaluate(WINDOW, [start, end]), "sent": sent[0], "presses": presses,
            "state": page.locator("#live-state").get_attribute("data-state")}


def measure_scroll(page: Page, url: str, rows: int, limit: float = 120) -> dict[str, Any]:
    """Wheel down the list until `rows` older rows were loaded (or `limit` seconds passed)."""
    loaded = [0]

    def count(response: Any) -> None:
        if "/api/records?" in response.url and "before=" in response.url:
            loaded[0] += 1

    fresh(page, url)
    page_size = page.evaluate("JSON.parse(document.getElementById('logs-state').textContent).pageSize")
    page.on("response", count)
    box = page.locator("#list").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.evaluate("__bench.startFrames()")
    start, t0 = page.evaluate("performance.now()"), time.monotonic()
    while loaded[0] * page_size < rows and time.monotonic() - t0 < limit:
        page.mouse.wheel(0, 1200)
        page.wait_for_timeout(40)
    page.wait_for_timeout(500)
    end = page.evaluate("performance.now()")
    page.remove_listener("response", count)
    return {**page.evaluate(WINDOW, [start, end]), "loaded": loaded[0] * page_size, "seconds": (end - start) / 1000}


def smooth_table(streams: dict[float, dict[str, Any]], scroll: dict[str, Any]) -> None:
    """The stream and scroll windows side by side, with the issue's targets."""
    cols = [f"{rate:,.0f} records/s" for rate in streams] + [f"scrolling {scroll['loaded']:,} rows"]
    windows = [*streams.values(), scroll]

    def row(label: str, cell: Any, target: str = "") -> list[str]:
        return [label, *[cell(w) for w in windows], target]

    def keys(w: dict[str, Any], p: float) -> str:
        return f"{percentile(w['keys'], p):.0f}" if w.get("keys") else "-"

    print_table(["", *cols, "target"], [
        row("records sent / rows loaded", lambda w: f"{w['sent']:,}" if "sent" in w else f"{w['loaded']:,}"),
        row("frames per second", lambda w: f"{w['fps']:.0f}", ">= 50"),
        row("time in long tasks", lambda w: f"{w['busy']:.0%}", ""),
        row("long tasks (> 50 ms)", lambda w: str(len(w["tasks"])), "none"),
        row("longest task ms", lambda w: f"{max(w['tasks'], default=0):.0f}", "<= 50"),
        row("key press to next frame ms, median", lambda w: keys(w, 50)),
        row("key press to next frame ms, max", lambda w: keys(w, 100), "< 100"),
        row("rows in the list after", lambda w: f"{w['rows']:,}"),
        row("DOM nodes in the list (per row)",
            lambda w: f"{w['nodes']:,} ({w['nodes'] / max(1, w['rows']):.1f})"),
        row("elements in the page", lambda w: f"{w['all']:,}"),
        row("live state after", lambda w: w.get("state", "-")),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the database")
    parser.add_argument("--db", type=Path, help="SQLite file (from bench/query.py --db); default: temporary")
    parser.add_argument("--loads", type=int, default=5, help="times / is opened (the first cold)")
    parser.add_argument("--rates", default="50,200,500",
                        help="records/s streamed while the page is open, comma-separated")
    parser.add_argument("--seconds", type=float, default=10, help="how long records are streamed at each rate")
    parser.add_argument("--scroll-rows", type=int, default=10_000, help="older rows to scroll through")
    opts = parser.parse_args()
    rates = [float(r) for r in opts.rates.split(",") if r.strip()]
    started = time.monotonic()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        folder = Path(tmp)
        db = opts.db.resolve() if opts.db else folder / "browser.db"
        server = start_logdash(db, folder, 2, BUILD_ENV)
        try:
            have = Http(server.port).record_count()
            if have < opts.records:
                stored, seconds = ingest(server, opts.records - have, 2000, 3, have + 1, WEEK)
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
                    load_tasks = [d for s, d in loads[-1]["longtasks"]]
                    streams = {}
                    for rate in rates:
                        streams[rate] = measure_stream(page, server.url + "/", server.port, rate, opts.seconds)
                        print(f"streamed at {rate:,.0f}/s", file=sys.stderr)
                    scroll = measure_scroll(page, server.url + "/", opts.scroll_rows)
                    print("scrolled", file=sys.stderr)
                finally:
                    browser.close()
            notes.append(rss_line(server))
        finally:
            server.stop()

    header(f"Browser (headless chromium, 1400x900) on / over {count:,} records")
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
    notes.insert(0, f"long tasks during the last page load: {len(load_tasks)} "
                    f"(longest {max(load_tasks, default=0):.0f} ms)")
    notes.insert(1, f"streams: {opts.seconds:.0f} s each, keys g and j pressed in turn every 250 ms; "
                    f"scrolling: mouse wheel 1,200 px every 40 ms ({scroll['seconds']:.0f} s)")
    smooth_table(streams, scroll)
    footer(started, notes)


if __name__ == "__main__":
    main()
