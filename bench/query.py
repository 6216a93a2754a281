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

`--backend postgresql` does the same on a PostgreSQL database (`--pg-db NAME` keeps and reuses it,
like `--db`; it is VACUUM ANALYZEd after a build); `--backend both` serves the two at once and
runs each query on one then the other (order alternating), so the noise of this shared machine
falls on both: one table, side by side.

    .venv/bin/python bench/query.py --records 20000                  # quick check, temporary database
    .venv/bin/python bench/query.py --db /tmp/bench-1m.db            # the real target (1,000,000)
    .venv/bin/python bench/query.py --backend both --db /tmp/bench-1m.db --pg-db logdash_bench
"""
from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _pg
from _common import (
    ABSENT_WORD,
    COMMON_APP,
    COMMON_LOGGER,
    COMMON_WORD,
    RARE_LOGGER,
    RARE_WORD,
    Http,
    Server,
    footer,
    header,
    ms,
    percentile,
    print_table,
    record_batches,
    rss_line,
)

WEEK = 7 * 86400
BUILD_ENV = {"LOGDASH_MAX_BODY": str(16 << 20)}  # 2,000-record bodies may pass the default 1 MB


@dataclass
class Spec:
    name: str
    path: Callable[[random.Random], str]
    target_ms: float | None


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
    """Warm-up runs (discarded), then measured runs, each loop bounded by count and time; a query that
    fails (a 400 when a regex spends its budget) is reported in its row."""
    target = "" if spec.target_ms is None else f"p95 < {spec.target_ms:g} ms"
    times, body, path = [], b"", ""
    try:
        deadline = time.monotonic() + budget / 3
        for _ in range(warmup):
            if time.monotonic() > deadline:
                break
            http.timed_get(spec.path(rng))
        deadline = time.monotonic() + budget
        while len(times) < runs and (len(times) < 5 or time.monotonic() < deadline):
            path = spec.path(rng)
            elapsed, body = http.timed_get(path)
            times.append(elapsed)
    except RuntimeError as e:  # "GET <path>: <status> <body>"; the body's "error" says why
        status, why = str(e).split(": ", 1)[-1][:3], re.search(r'"error":\s*"([^";]*)', str(e))
        shown = re.sub(r"\\+", r"\\", why[1]).replace("|", "/")[:80] if why else ""
        return [spec.name, "failed", "failed", len(times), "-", target, f"FAILED: HTTP {status} {shown}".strip()]
    p95 = percentile(times, 95)
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


class Target(_pg.Database):
    """One database under test and what was measured on it."""

    def __init__(self, db: Path | str, labelled: bool) -> None:
        super().__init__(db, labelled)
        self.results: list[list[object]] = []
        self.exports: list[tuple[float, bytes]] = []

    def prepare(self, port: int) -> None:
        """What the queries need to know of this database: its size, newest, oldest and a middle record."""
        self.http, self.rng = Http(port), random.Random(11)
        self.count = self.http.record_count()
        self.newest = self.http.get_json("/api/records?limit=1")["records"][0]
        oldest = self.http.get_json("/api/histogram")["since"]
        middle = self.http.get_json(f"/api/records?before={self.newest['id'] - self.count // 2}&limit=1")["records"][0]
        self.specs = specs(self.newest["id"], self.newest["created"], oldest, self.count,
                           middle["extra"]["request_id"])


def side_by_side(rows: list[list[list[object]]]) -> tuple[list[str], list[list[object]]]:
    """One table from each backend's rows (same queries, same order): p50/p95 of each, then the ratio."""
    def ratio(a: object, b: object) -> str:
        try:
            return f"{float(str(b)) / float(str(a)):.1f}x"
        except (ValueError, ZeroDivisionError):
            return ""

    def both(a: object, b: object) -> str:
        return str(a) if a == b else f"{a} / {b}"

    heads = ["query", "SQLite p50 ms", "SQLite p95 ms", "PostgreSQL p50 ms", "PostgreSQL p95 ms",
             "PostgreSQL / SQLite p50", "runs", "rows/records", "target", "met? (SQLite / PostgreSQL)"]
    return heads, [[a[0], a[1], a[2], b[1], b[2], ratio(a[1], b[1]), both(a[3], b[3]), both(a[4], b[4]), a[5],
                    f"{a[6]} / {b[6]}" if a[6] else ""] for a, b in zip(*rows, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the database")
    parser.add_argument("--db", type=Path, help="SQLite file to keep and reuse (default: a temporary one)")
    parser.add_argument("--pg-db", metavar="NAME", help="PostgreSQL database to keep and reuse, created when "
                        "missing (default: a scratch database, dropped at the end)")
    _pg.add_options(parser)
    parser.add_argument("--batch", type=int, default=2000, help="records per build POST")
    parser.add_argument("--threads", type=int, default=3, help="build client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of logdash serve")
    parser.add_argument("--warmup", type=int, default=10, help="discarded runs per query")
    parser.add_argument("--runs", type=int, default=20, help="measured runs per query")
    parser.add_argument("--budget", type=float, default=60, help="seconds at most per query (5 runs at least)")
    opts = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        dbs = _pg.databases(opts, folder, stack, Target, "query.db")
        for t in dbs:
            t.fill(opts.records, folder, opts.workers, opts.batch, opts.threads, WEEK, BUILD_ENV)
        servers: list[Server] = []
        try:
            for t in dbs:  # all served at once: each query runs on every backend in turn (the machine is noisy)
                servers.append(t.serve(folder, opts.workers))
                t.prepare(servers[-1].port)
            for i, group in enumerate(zip(*(t.specs for t in dbs), strict=True)):
                for t, spec in list(zip(dbs, group, strict=True))[::1 if i % 2 == 0 else -1]:
                    t.results.append(measure(t.http, spec, opts.warmup, opts.runs, opts.budget, t.rng))
            sinces = [f"&since={since_for_newest(t.http, 100_000)}" if t.count > 100_000 else "" for t in dbs]
            for _ in range(3):
                for t, since in zip(dbs, sinces, strict=True):
                    t.exports.append(t.http.timed_get(f"/api/export?format=ndjson{since}"))
            for t, server in zip(dbs, servers, strict=True):
                t.total, t.parts = t.size()
                t.note(f"serve {rss_line(server)}")
        finally:
            for server in servers:
                server.stop()
        if any(isinstance(t.db, str) for t in dbs):
            dbs[-1].notes.append(_pg.describe(opts.pg_server))
        for t in dbs:
            exported = t.exports[0][1].count(b"\n")
            export_times = sorted(seconds for seconds, _ in t.exports)
            t.results.append([f"export NDJSON, {exported:,} rows (to last byte)", ms(export_times[1]),
                              ms(export_times[-1]), 3, f"{exported:,}", "", ""])
            t.export_per_record = len(t.exports[0][1]) / max(1, exported)
        sample = [r for _, recs in record_batches(20_000, 2000, time.time() - WEEK, WEEK) for r in recs]
        sent_per_record = sum(len(json.dumps(r)) + 1 for r in sample) / len(sample)
    report(dbs, opts, sent_per_record, started)


SIZES = {"sqlite": ("database files (db + wal)", "table or index (dbstat)"),
         "postgresql": ("tables, indexes and TOAST (pg_total_relation_size)",
                        "table or index (pg_table_size, pg_relation_size)")}


def report(dbs: list[Target], opts: argparse.Namespace, sent: float, started: float) -> None:
    """The tables: every query (side by side for two backends), bytes per record, each table and index."""
    counts = " / ".join(dict.fromkeys(f"{t.count:,}" for t in dbs))
    ages = " / ".join(f"{(time.time() - t.newest['created']) / 3600:.1f} h" for t in dbs)
    on = " on " + " and ".join(t.name for t in dbs) if dbs[0].label else ""
    header(f"Queries over {counts} records{on} (newest record {ages} old), {opts.workers} workers, "
           f"p50/p95 over the measured runs after {opts.warmup} warm-up runs")
    if len(dbs) > 1:
        print_table(*side_by_side([t.results for t in dbs]))
    else:
        print_table(["query", "p50 ms", "p95 ms", "runs", "rows/records", "target", "met?"], dbs[0].results)
    rows: list[list[object]] = [[t.label + SIZES[t.backend][0], f"{t.total / t.count:,.0f}", *[""] * len(dbs), ""]
                                for t in dbs]
    met = " / ".join("met" if t.total / t.count <= 1.5 * sent else "MISSED" for t in dbs)
    rows.append(["NDJSON as sent at ingest (20,000-record sample)", f"{sent:,.0f}",
                 *(f"{t.total / t.count / sent:.2f}x" for t in dbs), f"<= 1.5x: {met}"])
    rows.append(["NDJSON as exported (/api/export)", " / ".join(f"{t.export_per_record:,.0f}" for t in dbs),
                 *(f"{t.total / t.count / t.export_per_record:.2f}x" for t in dbs), ""])
    print_table(["storage", "bytes per record", *(f"{t.name} / this" if t.label else "database / this" for t in dbs),
                 "target"], rows)
    for t in dbs:
        print_table([t.label + SIZES[t.backend][1], "MB", "bytes per record"],
                    [[name, f"{size / 2**20:,.1f}", f"{size / t.count:.0f}"] for name, size in t.parts[:12]])
    footer(started, [note for t in dbs for note in t.notes])


if __name__ == "__main__":
    main()
