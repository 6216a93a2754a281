"""Ingest throughput and latency of `logdash serve` against a do-nothing baseline, in one run.

The machine is noisy, so both servers are measured here, alternately, with the same client:
the stock HTTPHandler (one connection per record) from several threads.

    python bench/ingest.py [--records 3000] [--threads 8] [--workers 2] [--rounds 2]
"""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from pathlib import Path

BASELINE_APP = '''
from flask import Flask, request
app = Flask(__name__)

@app.route("/ingest", methods=["GET", "POST"])
def ingest():
    request.form  # parse like the real one, store nothing
    return {"accepted": 1}
'''


NOSTORE_APP = '''
from concurrent.futures import Future
from dashboard import create_app
from dashboard.writer import Stored


class NoStoreWriter:
    """Everything logdash does per request except the database write."""
    def submit(self, records, capture=None):
        done = Future()
        done.set_result(Stored(None, []))
        return done


app = create_app({"DATABASE_URL": "sqlite:///nostore.db"})
app.extensions["logdash.writer"] = NoStoreWriter()
'''
SERVERS = {
    "bare Flask (parse form, store nothing)": "baseline",
    "logdash, database write skipped": "nostore",
    "logdash": "logdash",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ingest", data=b"msg=warmup", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} did not start")


def start(kind: str, workers: int, folder: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    if kind == "logdash":
        cmd = [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--workers", str(workers),
               "--db", f"sqlite:///{folder / 'bench.db'}"]
    else:
        (folder / f"{kind}_app.py").write_text(BASELINE_APP if kind == "baseline" else NOSTORE_APP)
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", "32",
               "-b", f"127.0.0.1:{port}", "--chdir", str(folder), f"{kind}_app:app"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    wait_up(port)
    return proc, port


def load(port: int, records: int, threads: int) -> tuple[float, list[float]]:
    """Send `records` through stock HTTPHandlers; return (records/s, latencies in s)."""
    per_thread = records // threads
    latencies: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        handler = logging.handlers.HTTPHandler(f"127.0.0.1:{port}", "/ingest", method="POST")
        logger = logging.Logger("bench", level=1)
        logger.addHandler(handler)
        mine = []
        for i in range(per_thread):
            t0 = time.perf_counter()
            logger.info("order %d shipped to %s", i, "somewhere", extra={"user": "u%d" % i})
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    warnings.simplefilter("ignore", ResourceWarning)
    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(latencies) / (time.perf_counter() - started), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    opts = parser.parse_args()
    results: dict[str, list[tuple[float, list[float]]]] = {name: [] for name in SERVERS}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(opts.rounds):
            for kind in results:
                proc, port = start(SERVERS[kind], opts.workers, Path(tmp))
                try:
                    results[kind].append(load(port, opts.records, opts.threads))
                finally:
                    proc.terminate()
                    proc.wait(20)
                print(f"round {round_ + 1}/{opts.rounds}: {kind} done", file=sys.stderr)
    base_rate = statistics.median(rate for rate, _ in next(iter(results.values())))
    print(f"\n{opts.records} records, {opts.threads} client threads, {opts.workers} workers, "
          f"{opts.rounds} rounds (median), {os.cpu_count()} CPUs\n")
    print("| server | records/s | vs bare Flask | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, runs in results.items():
        rate = statistics.median(r for r, _ in runs)
        lat = sorted(x for _, lats in runs for x in lats)
        p50, p99 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000
        print(f"| {kind} | {rate:,.0f} | {rate / base_rate:.0%} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
