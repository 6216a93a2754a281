"""The app's side: what logging costs the app with the stock HTTPHandler and with DashboardHandler.

One client process logs the same realistic records from 1 and 16 threads through each handler into
`logdash serve --workers 2`, alternating in the same run (the machine is noisy), and then once more with
nothing listening on the port (the dashboard is down). Reports, per cell:

- app records/s: how fast the app's threads get through their logging calls;
- emit p50/p99: time spent inside `handler.handle` on the app's thread;
- stored/s: records stored per second of the whole run, until the last one is committed (DashboardHandler
  sends in the background; `flush()` waits for it);
- stored: how many of the records sent reached the database.

A hung server (one that accepts and never answers) is not measured: the stock handler has no timeout and
blocks the logging thread for ever; DashboardHandler's emit is the same as with the server down.

    .venv/bin/python bench/client.py [--records 4000] [--rounds 2] [--threads 1 16]
"""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import Http, footer, free_port, header, ms, percentile, print_table, start_logdash
from ingest_stock import CountingHTTPHandler, log_records

from dashboard.client import DashboardHandler

HANDLERS = ("stock HTTPHandler", "DashboardHandler")


def make_handler(kind: str, port: int, app: str) -> logging.Handler:
    if kind == "stock HTTPHandler":
        return CountingHTTPHandler(f"127.0.0.1:{port}", f"/ingest?app={app}", method="POST")
    return DashboardHandler(f"http://127.0.0.1:{port}/ingest", app=app, close_timeout=30)


def run(kind: str, port: int, records: list[logging.LogRecord], threads: int,
        app: str) -> tuple[float, list[float], float]:
    """Log `records` over `threads` app threads; (app records/s, per-call seconds, seconds until all sent)."""
    latencies: list[float] = []
    lock = threading.Lock()
    share = len(records) // threads
    shared = make_handler(kind, port, app) if kind == "DashboardHandler" else None  # one per app, as configured

    def worker(mine: list[logging.LogRecord]) -> None:
        handler = shared or make_handler(kind, port, app)
        times = []
        for rec in mine:
            t0 = time.perf_counter()
            handler.handle(rec)
            times.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(times)

    pool = [threading.Thread(target=worker, args=(records[i * share:(i + 1) * share],)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    logged = time.perf_counter() - started
    if shared is not None:
        shared.flush(timeout=120)
        shared.close(timeout=1)
    return len(latencies) / logged, latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=4000, help="records per cell")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; handlers alternate within each")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 16], help="app thread counts")
    opts = parser.parse_args()
    started = time.monotonic()
    records = log_records(opts.records, seed=7)
    cells: dict[tuple[str, int], list[tuple[float, list[float], float, int]]] = {}
    down: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        server = start_logdash(Path(tmp) / "client.db", Path(tmp), workers=2)
        http = Http(server.port)
        try:
            for round_ in range(opts.rounds):
                order = HANDLERS if round_ % 2 == 0 else HANDLERS[::-1]
                for kind in order:
                    for threads in opts.threads:
                        app = f"r{round_}-{threads}-{kind.split()[0]}"
                        rate, lats, took = run(kind, server.port, records, threads, app)
                        bars = http.get_json(f"/api/histogram?app={app}")["buckets"]
                        stored = sum(sum(bar["counts"].values()) for bar in bars)
                        cells.setdefault((kind, threads), []).append((rate, lats, took, stored))
                    print(f"round {round_ + 1}/{opts.rounds}: {kind} done", file=sys.stderr)
        finally:
            server.stop()
        port = free_port()  # nothing listens here
        for kind in HANDLERS:
            handler = make_handler(kind, port, "down")
            if isinstance(handler, DashboardHandler):
                handler.close_timeout = 0.1
            times = []
            for rec in records[:500]:
                t0 = time.perf_counter()
                handler.handle(rec)
                times.append(time.perf_counter() - t0)
            handler.close()
            down[kind] = times

    header(f"Logging from the app: {opts.records:,} records per cell, {opts.rounds} rounds into `logdash serve "
           "--workers 2` (medians; latencies pooled)")
    rows = []
    for threads in opts.threads:
        for kind in HANDLERS:
            runs = cells[kind, threads]
            lats = [x for _, lat, _, _ in runs for x in lat]
            rows.append([kind, threads, f"{statistics.median(r for r, _, _, _ in runs):,.0f}",
                         f"{1e6 * percentile(lats, 50):,.0f} µs", f"{1e6 * percentile(lats, 99):,.0f} µs",
                         f"{statistics.median(len(records) // threads * threads / t for _, _, t, _ in runs):,.0f}",
                         f"{sum(s for *_, s in runs):,} of {len(runs) * (len(records) // threads * threads):,}"])
    print_table(["handler", "app threads", "app records/s", "emit p50", "emit p99", "stored/s", "stored"], rows)
    print()
    print("With the dashboard down (nothing listening), 500 records from 1 thread:")
    print()
    print_table(["handler", "emit p50", "emit p99", "max"],
                [[kind, f"{1e6 * percentile(t, 50):,.0f} µs", f"{1e6 * percentile(t, 99):,.0f} µs", ms(max(t))]
                 for kind, t in down.items()])
    footer(started)


if __name__ == "__main__":
    main()
