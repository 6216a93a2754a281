"""Screenshots of every page at 400, 1280 and 1920 px in both themes, over realistic data, into a folder.

Starts `logdash serve` on a temporary SQLite file, fills it the way real apps do (a day of NDJSON
records from five apps, `logdash demo` through the stock HTTPHandler for tracebacks and extras,
records with long logger names and long messages, refused requests for the inspector), then
Playwright drives Debian's chromium and saves, per width and theme:

  logs-<width>-<theme>.png         the records list (`/`)
  logs-paused-<width>-<theme>.png  the list scrolled down, paused, with the "N new" bar
  logs-filtered-<width>-<theme>.png  four filter chips
  record-<width>-<theme>.png       one record with a traceback (`/records/<id>`)
  inspector-<width>-<theme>.png    a refused request picked (`/inspector/<id>`)

Look at them: this is where layout regressions show.

    .venv/bin/python bench/screens.py --out /tmp/screens
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import LOGDASH, Http, make_record, record_batches, start_logdash
from playwright.sync_api import Page, sync_playwright

WIDTHS = (400, 1280, 1920)
THEMES = ("light", "dark")
LONG_LOGGER = "worker.queue.consumer.retry.scheduler"


def fill(port: int, url: str, records: int) -> dict[str, int]:
    """Realistic data; returns ids worth a screenshot (a record with a traceback, a refused request)."""
    http = Http(port)
    now = time.time()
    try:
        for app, batch in record_batches(records, 500, now - 86400, 86400 - 120, seed=5):
            http.post_records(batch, app=app)
        rng = random.Random(3)
        special = [make_record(rng, "shop", now - 60 + i) for i in range(8)]
        special[2]["name"] = LONG_LOGGER
        special[4]["msg"] = "payload " + " ".join(f"field{i}={rng.randint(0, 999)}" for i in range(120))
        special[4]["args"] = []
        special[6]["name"] = "app.with.a.very.long.dotted.name.ending.in.handler"
        http.post_records(special, app="billing-reconciliation")
        subprocess.run([*LOGDASH, "demo", "--url", f"{url}/ingest", "--count", "40"], check=True,
                       capture_output=True)
        for body, ctype in ((b'{"msg": "cut', "application/json"), (b"not a record", "text/plain")):
            http.request("POST", "/ingest?app=broken", body, {"Content-Type": ctype})
        traced = [r for r in http.get_json("/api/records?limit=200")["records"] if r.get("exc_text")]
        refused = [r for r in http.get_json("/api/requests?limit=50")["requests"] if "JSON" in (r.get("reason") or "")]
        return {"record": traced[0]["id"] if traced else http.get_json("/api/records")["records"][0]["id"],
                "request": refused[0]["id"]}
    finally:
        http.close()


def shoot(page: Page, url: str, path: Path, ready: str) -> None:
    """Open `url`, wait for `ready` and the fonts, save a viewport screenshot."""
    page.goto(url)
    page.wait_for_selector(ready)
    page.wait_for_timeout(400)  # the histogram and live state settle
    page.screenshot(path=str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files (created)")
    parser.add_argument("--records", type=int, default=20_000, help="records spread over the last day")
    opts = parser.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="logdash-screens-") as tmp:
        server = start_logdash(Path(tmp) / "screens.db", Path(tmp), 2)
        try:
            ids = fill(server.port, server.url, opts.records)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
                try:
                    for theme in THEMES:
                        for width in WIDTHS:
                            context = browser.new_context(viewport={"width": width, "height": 900},
                                                          color_scheme=theme)
                            page = context.new_page()
                            base = server.url
                            shoot(page, f"{base}/", opts.out / f"logs-{width}-{theme}.png",
                                  "#live-state[data-state=live]")
                            page.locator("#list").evaluate("list => { list.scrollTop = 600; }")
                            Http(server.port).post_records(
                                [make_record(random.Random(width), "shop", time.time()) for _ in range(7)],
                                app="shop")
                            page.wait_for_selector("#new-bar:not([hidden])")
                            page.screenshot(path=str(opts.out / f"logs-paused-{width}-{theme}.png"))
                            shoot(page, f"{base}/?level=WARNING&app=shop&logger=shop.web&q=timeout&last=24h",
                                  opts.out / f"logs-filtered-{width}-{theme}.png", ".chips")
                            shoot(page, f"{base}/records/{ids['record']}", opts.out / f"record-{width}-{theme}.png",
                                  "#message")
                            shoot(page, f"{base}/inspector/{ids['request']}",
                                  opts.out / f"inspector-{width}-{theme}.png", ".req-detail")
                            context.close()
                            print(f"{theme} {width} done", file=sys.stderr)
                finally:
                    browser.close()
        finally:
            server.stop()
    print(json.dumps({"out": str(opts.out), "files": sorted(p.name for p in opts.out.glob("*.png"))}, indent=1))


if __name__ == "__main__":
    main()
