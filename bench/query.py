"""Query latency at scale: API lists and filters, histogram, logger tree, pages and export over N records.

Builds N realistic records (default 1,000,000: 72 loggers in dotted hierarchies, 5 apps, mostly
INFO/DEBUG, spread over the last 7 days, "timeout" in ~5% of messages, a rare word in 8, a random
`request_id` extra on each; the search language's shapes: an extra, a phrase, folded case, an
exclusion, a muted logger subtree, a regex) through the
real ingest path: NDJSON POSTs of 2,000 records from several threads to `logdash serve`. Building 1M
takes minutes, so `--db PATH` keeps the file and reuses it when it already holds >= N records.
Then serves it (a fresh `logdash serve --workers 2`) and times each query to the last byte on a
keep-alive connection: warm-up runs first (discarded), then p50/p95 over the measured runs, each
next to its target; export of ~100,000 rows 3 times; database bytes per record against NDJSON.

    .venv/bin/python bench/query.py --records 20000                  # quick check, temporary database
    .venv/bin/python bench/query.py --db /tmp/bench-1m.db            # the real target (1,000,000)
"""
from __future__ import annotations

import argparse
import json
import queue
import random
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _common import (
    ABSENT_WORD,
    COMMON_APP,
    COMMON_LOGGER,
    COMMON_WORD,
    RARE_LOGGER,
    RARE_WORD,
    Http,
    Server,
    encode,
    footer,
    header,
    ms,
    percentile,
    print_table,
    record_batches,
    rss_line,
    start_logdash,
)

WEEK = 7 * 86400
BUILD_ENV = {"LOGDASH_MAX_BODY": str(16 << 20)}  # 2,000-record bodies may pass the default 1 MB


@dataclass
class Spec:
    name: str
    path: Callable[[random.Random], str]
    target_ms: float | None


def build(server: Server, count: int, batch: int, threads: int, seed: int) -> tuple[int, float]:
    """Ingest `count` records in NDJSON batches from `threads` connections; (stored, seconds)."""
    work: queue.Queue[tuple[str, bytes, str] | None] = queue.Queue(maxsize=threads * 2)
    stored, errors, lock = [0], [], threading.Lock()

    def worker() -> None:
        http = Http(server.port)
        while (item := work.get()) is not None:
            try:
                accepted = http.post_body(*item)
            except Exception as e:  # reported by the main thread
                errors.append(e)
                continue
            with lock:
                stored[0] += accepted
        http.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    started, shown = time.monotonic(), 0
    now = time.time()
    for app, records in record_batches(count, batch, now - WEEK, WEEK, seed=seed):
        if errors:
            break
        work.put(encode(records, "ndjson", app))
        if stored[0] - shown >= max(1, count // 20):
            shown = stored[0]
            rate = shown / (time.monotonic() - started)
            print(f"built {shown:,}/{count:,} records ({rate:,.0f}/s, about {(count - shown) / rate:.0f} s left)",
                  file=sys.stderr, flush=True)
    for _ in pool:
        work.put(None)
    for t in pool:
        t.join(600)
    if errors:
        raise RuntimeError(f"build failed: {errors[0]}")
    return stored[0], time.monotonic() - started


PHRASE = '"upstream timeout"'


def q(text: str) -> str:
    """A search as a URL argument."""
    return "q=" + urllib.parse.quote(text, safe="")


def specs(newest_id: int, newest: float, oldest: float, count: int, old_request_id: str) -> list[Spec]:
    """Every timed query; ranges are relative to the newest record (the database may be days old)."""
    deep = min(10_000, count // 2)
    def hour(rng: random.Random) -> float:
        return rng.uniform(oldest, max(oldest, newest - 3600))

    last = f"since={newest - 3600:.0f}"
    day = f"since={newest - 86400:.0f}"
    return [
        Spec("newest page /api/records", lambda r: "/api/records", 5),
        Spec(f"logger={COMMON_LOGGER} (common)", lambda r: f"/api/records?logger={COMMON_LOGGER}", 50),
        Spec(f"logger={RARE_LOGGER} (rare)", lambda r: f"/api/records?logger={RARE_LOGGER}", 50),
        Spec("level=ERROR", lambda r: "/api/records?level=ERROR", 50),
        Spec("app=billing", lambda r: "/api/records?app=billing", 50),
        Spec("1 h time range (random hour)",
             lambda r: f"/api/records?since={(a := hour(r)):.0f}&until={a + 3600:.0f}", 50),
        Spec(f"q={COMMON_WORD} (common word)", lambda r: f"/api/records?q={COMMON_WORD}", 50),
        Spec(f"q={RARE_WORD} (rare word)", lambda r: f"/api/records?q={RARE_WORD}", 50),
        Spec(f"q={ABSENT_WORD} (absent word)", lambda r: f"/api/records?q={ABSENT_WORD}", 50),
        Spec("q=request_id=… (an extra, one old record)", lambda r: f"/api/records?{q('request_id=' + old_request_id)}",
             50),
        Spec('q="upstream timeout" (phrase)', lambda r: f"/api/records?{q(PHRASE)}", 50),
        Spec(f"q={COMMON_WORD.upper()} (folded case)", lambda r: f"/api/records?{q(COMMON_WORD.upper())}", 50),
        Spec(f"q={COMMON_WORD} -upstream (exclusion)", lambda r: f"/api/records?{q(COMMON_WORD + ' -upstream')}", 50),
        Spec("q=-logger=urllib3 (mute)", lambda r: f"/api/records?{q('-logger=urllib3')}", 50),
        Spec("q=/timeout after \\d+/ (regex)", lambda r: f"/api/records?{q('/timeout after ' + chr(92) + 'd+/')}", 50),
        Spec("histogram 24 h, q=-logger=urllib3", lambda r: f"/api/histogram?{day}&{q('-logger=urllib3')}", 50),
        Spec("all filters together", lambda r: f"/api/records?logger={COMMON_LOGGER}&level=WARNING&app={COMMON_APP}"
             f"&{day}&q={COMMON_WORD}", 50),
        Spec(f"cursor {deep:,} deep", lambda r: f"/api/records?before={newest_id - deep - r.randint(0, deep // 10)}",
             50),
        Spec("histogram 1 h", lambda r: f"/api/histogram?{last}", 50),
        Spec("histogram 24 h", lambda r: f"/api/histogram?{day}", 50),
        Spec("histogram everything", lambda r: "/api/histogram", 50),
        Spec("/api/loggers", lambda r: "/api/loggers", 50),
        Spec("/api/loggers since 24 h", lambda r: f"/api/loggers?{day}", 50),
        Spec("page / (no filter)", lambda r: "/", 100),
        Spec("page /?last=24h", lambda r: "/?last=24h", 100),
        Spec("page /?last=7d", lambda r: "/?last=7d", 100),
        Spec("page /?q=-logger=urllib3 (mute)", lambda r: f"/?{q('-logger=urllib3')}", 100),
    ]


def rows_in(path: str, body: bytes) -> int:
    """How many records (or bars, loggers, rows) an answer holds."""
    if not path.startswith("/api"):
        return body.count(b'class="row"')
    data = json.loads(body)
    if "buckets" in data:
        return sum(sum(b["counts"].values()) for b in data["buckets"])
    return len(data.get("records", data.get("loggers", [])))


def measure(http: Http, spec: Spec, warmup: int, runs: int, budget: float, rng: random.Random) -> list[object]:
    """Warm-up runs (discarded), then measured runs, each loop bounded by count and time."""
    deadline = time.monotonic() + budget / 3
    for _ in range(warmup):
        if time.monotonic() > deadline:
            break
        http.timed_get(spec.path(rng))
    times, body, path = [], b"", ""
    deadline = time.monotonic() + budget
    while len(times) < runs and (len(times) < 5 or time.monotonic() < deadline):
        path = spec.path(rng)
        elapsed, body = http.timed_get(path)
        times.append(elapsed)
    p95 = percentile(times, 95)
    target = "" if spec.target_ms is None else f"p95 < {spec.target_ms:g} ms"
    met = "" if spec.target_ms is None else ("met" if p95 * 1000 < spec.target_ms else "MISSED")
    return [spec.name, ms(percentile(times, 50)), ms(p95), len(times), f"{rows_in(path, body):,}", target, met]


def since_for_newest(http: Http, wanted: int) -> float:
    """A `since` that leaves about `wanted` of the newest records (histogram bars, then a finer look)."""
    path = "/api/histogram"
    for _ in range(3):
        hist = http.get_json(path)
        total = 0
        for bar in reversed(hist["buckets"]):
            n = sum(bar["counts"].values())
            if total + n >= wanted:
                break
            total += n
        size = hist["bucket"]
        if size <= 1:
            break
        wanted -= total
        path = f"/api/histogram?since={bar['start']}&until={bar['start'] + size}&bucket={max(1, size // 100)}"
    return bar["start"]


def space(db: Path, count: int) -> list[list[object]]:
    """Bytes per record of each table and index (SQLite's dbstat), biggest first."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        sizes = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    return [[name, f"{size / 2**20:,.1f}", f"{size / count:.0f}"] for name, size in sizes[:12]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the database")
    parser.add_argument("--db", type=Path, help="SQLite file to keep and reuse (default: a temporary one)")
    parser.add_argument("--batch", type=int, default=2000, help="records per build POST")
    parser.add_argument("--threads", type=int, default=3, help="build client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of logdash serve")
    parser.add_argument("--warmup", type=int, default=10, help="discarded runs per query")
    parser.add_argument("--runs", type=int, default=20, help="measured runs per query")
    parser.add_argument("--budget", type=float, default=60, help="seconds at most per query (5 runs at least)")
    opts = parser.parse_args()
    started = time.monotonic()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        folder = Path(tmp)
        db = opts.db.resolve() if opts.db else folder / "query.db"
        server = start_logdash(db, folder, opts.workers, BUILD_ENV)
        try:
            have = Http(server.port).record_count()
            if have < opts.records:
                stored, seconds = build(server, opts.records - have, opts.batch, opts.threads, seed=have + 1)
                notes.append(f"built {stored:,} records in {seconds:.0f} s ({stored / seconds:,.0f} records/s, "
                             f"NDJSON POSTs of {opts.batch:,} from {opts.threads} threads); build {rss_line(server)}")
            else:
                notes.append(f"reused {db} with {have:,} records (no build)")
        finally:
            server.stop()
        server = start_logdash(db, folder, opts.workers)
        rng = random.Random(11)
        try:
            http = Http(server.port)
            count = http.record_count()
            newest = http.get_json("/api/records?limit=1")["records"][0]
            oldest_created = http.get_json("/api/histogram")["since"]
            middle = http.get_json(f"/api/records?before={newest['id'] - count // 2}&limit=1")["records"][0]
            results = [measure(http, spec, opts.warmup, opts.runs, opts.budget, rng)
                       for spec in specs(newest["id"], newest["created"], oldest_created, count,
                                         middle["extra"]["request_id"])]
            since = f"&since={since_for_newest(http, 100_000)}" if count > 100_000 else ""
            exports = [http.timed_get(f"/api/export?format=ndjson{since}") for _ in range(3)]
            db_bytes = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
            notes.append(f"serve {rss_line(server)}")
        finally:
            server.stop()
        exported = exports[0][1].count(b"\n")
        export_times = sorted(t for t, _ in exports)
        results.append([f"export NDJSON, {exported:,} rows (to last byte)", ms(export_times[1]),
                        ms(export_times[-1]), 3, f"{exported:,}", "", ""])
        sample = [r for _, recs in record_batches(20_000, 2000, time.time() - WEEK, WEEK) for r in recs]
        sent_per_record = sum(len(json.dumps(r)) + 1 for r in sample) / len(sample)
        export_per_record = len(exports[0][1]) / max(1, exported)
        breakdown = space(db, count)

    age_h = (time.time() - newest["created"]) / 3600
    header(f"Queries over {count:,} records (newest record {age_h:.1f} h old), {opts.workers} workers, "
           f"p50/p95 over the measured runs after {opts.warmup} warm-up runs")
    print_table(["query", "p50 ms", "p95 ms", "runs", "rows/records", "target", "met?"], results)
    per_record = db_bytes / count
    met = "met" if per_record <= 1.5 * sent_per_record else "MISSED"
    print_table(["storage", "bytes per record", "database / this", "target"], [
        ["database files (db + wal)", f"{per_record:,.0f}", "", ""],
        ["NDJSON as sent at ingest (20,000-record sample)", f"{sent_per_record:,.0f}",
         f"{per_record / sent_per_record:.2f}x", f"<= 1.5x: {met}"],
        ["NDJSON as exported (/api/export)", f"{export_per_record:,.0f}", f"{per_record / export_per_record:.2f}x", ""],
    ])
    print_table(["table or index (dbstat)", "MB", "bytes per record"], breakdown)
    footer(started, notes)


if __name__ == "__main__":
    main()
