"""Live tail: ingest-to-websocket latency with 1 and 20 tails, and ingest throughput with and without tails.

Against `logdash serve --workers 2` (fresh temporary database):

1. Latency: records are POSTed at a steady rate (default 1,000 records/s, paced NDJSON batches of 20)
   for ~10 s while 1, then 20 websocket tails (`/ws/tail?app=...&after=<id>`, websocket-client, spread
   over a few processes, its pure-Python UTF-8 validation off: with it the clients, not the server, were
   the bottleneck) receive them. Each record carries its send time (`bench_sent`, an extra field);
   latency = receive time - send time. Counts what each tail received against what was sent, and
   the `{"type": "skipped"}` counts. Targets: nothing skipped, p99 < 100 ms. CPU seconds of the
   server workers and of the tail clients are shown, to see which side limits.
2. Throughput: records POSTed as fast as the server takes them (NDJSON batches of 100 from 3
   threads) with 0 and with 20 tails connected, alternately for --rounds; ratio target >= 0.8. These
   tails are raw sockets in one process that count records without parsing them (`_rawtail.py`),
   so the clients take little of the 2 cores the server needs.

    .venv/bin/python bench/tail.py [--rate 1000] [--seconds 10] [--tails 1 20] [--records 30000] [--rounds 2]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import websocket
from _common import Http, encode, footer, header, make_record, ms, percentile, print_table, rss_line, start_logdash
from _rawtail import count_tails

TailResult = tuple[int, int, list[float]]  # (records received, skipped count, latencies in s)


def tail_process(url: str, tails: int, deadline: float, ready: Any, results: Any) -> None:
    """Run `tails` websocket tails in threads until each sees the end marker (or the deadline)."""
    out: list[TailResult] = []

    def one() -> None:
        received, skipped, lats = 0, 0, []
        ws = websocket.create_connection(url, timeout=10, skip_utf8_validation=True)
        ready.put(1)
        ws.settimeout(0.5)
        try:
            while time.time() < deadline:
                try:
                    raw = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                msg = json.loads(raw)
                if msg["type"] == "skipped":
                    skipped += msg["count"]
                    continue
                extra = msg["record"]["extra"]
                if extra.get("bench_end"):
                    break
                lats.append(time.time() - extra["bench_sent"])
                received += 1
        except websocket.WebSocketConnectionClosedException:
            pass
        finally:
            ws.close()
        out.append((received, skipped, lats))

    pool = [threading.Thread(target=one) for _ in range(tails)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(max(1.0, deadline - time.time() + 5))
    results.put((out, time.process_time()))


class Tails:
    """`count` tails on `app`'s records, in up to `procs` processes; results() after the end marker."""

    def __init__(self, port: int, app: str, count: int, procs: int, seconds: float, raw: bool = False) -> None:
        ctx = mp.get_context("spawn")
        self.ready, self.out = ctx.Queue(), ctx.Queue()
        latest = Http(port).get_json("/api/records?limit=1")["records"]
        path = f"/ws/tail?app={app}&after={latest[0]['id'] if latest else 0}"
        self.deadline = time.time() + seconds + 60
        shares = [count // procs + (1 if i < count % procs else 0) for i in range(min(procs, count))]
        target, first = (count_tails, port) if raw else (tail_process, f"ws://127.0.0.1:{port}")
        args = (first, path) if raw else (first + path,)
        self.procs = [ctx.Process(target=target, args=(*args, n, self.deadline, self.ready, self.out))
                      for n in shares]
        for p in self.procs:
            p.start()
        for _ in range(count):
            self.ready.get(timeout=60)

    def results(self) -> list[TailResult]:
        found: list[TailResult] = []
        self.cpu = 0.0  # CPU seconds the tail processes used
        for _ in self.procs:
            tails, cpu = self.out.get(timeout=max(1.0, self.deadline - time.time() + 15))
            found.extend(tails)
            self.cpu += cpu
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
        return found


def records(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_record(rng, "shop", time.time()) | {"seq": i} for i in range(count)]


def send_end(http: Http, app: str) -> None:
    http.post_records([{"name": "bench", "msg": "end", "bench_end": True}], app=app)


def paced(port: int, app: str, rate: float, seconds: float, batch: int) -> int:
    """POST `rate` records/s for `seconds` in batches stamped with their send time; returns records sent."""
    http, todo = Http(port), records(int(rate * seconds), seed=3)
    interval, next_at = batch / rate, time.perf_counter()
    for i in range(0, len(todo), batch):
        time.sleep(max(0.0, next_at - time.perf_counter()))
        next_at += interval
        now = time.time()
        http.post_records([r | {"bench_sent": now} for r in todo[i:i + batch]], app=app)
    send_end(http, app)
    return len(todo)


def flood(port: int, app: str, count: int, batch: int, threads: int) -> float:
    """POST `count` records as fast as accepted from `threads` connections; returns records/s."""
    todo = records(count, seed=4)
    bodies = [encode([r | {"bench_sent": 0.0} for r in todo[i:i + batch]], "ndjson", app)
              for i in range(0, count, batch)]

    def worker(mine: list[tuple[str, bytes, str]]) -> None:
        http = Http(port)
        for body in mine:
            http.post_body(*body)

    pool = [threading.Thread(target=worker, args=(bodies[i::threads],)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    rate = count / (time.perf_counter() - started)
    send_end(Http(port), app)
    return rate


def spread(found: list[TailResult]) -> str:
    got = [r for r, _, _ in found]
    return f"{min(got):,}-{max(got):,}" if got else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=1000, help="records/s in the latency phase")
    parser.add_argument("--seconds", type=float, default=10, help="length of each latency phase")
    parser.add_argument("--batch", type=int, default=20, help="records per POST in the latency phase")
    parser.add_argument("--tails", type=int, nargs="+", default=[1, 20], help="tail counts (latency phase)")
    parser.add_argument("--records", type=int, default=30_000, help="records per throughput run")
    parser.add_argument("--max-tails", type=int, default=20, help="tails in the throughput comparison")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds (median)")
    parser.add_argument("--procs", type=int, default=2, help="processes the tails are spread over")
    opts = parser.parse_args()
    started = time.monotonic()
    latency_rows, rates, flood_tails = [], {0: [], opts.max_tails: []}, []
    cpu = {0: [0.0, 0.0], opts.max_tails: [0.0, 0.0]}  # tails: [server CPU s, tail clients CPU s], all rounds
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        server = start_logdash(Path(tmp) / "tail.db", Path(tmp), workers=2)
        try:
            Http(server.port).post_records(records(10, seed=1), app="warmup")
            for n in opts.tails:
                app = f"paced{n}"
                tails = Tails(server.port, app, n, opts.procs, opts.seconds)
                cpu0 = server.cpu_seconds()
                sent = paced(server.port, app, opts.rate, opts.seconds, opts.batch)
                found = tails.results()
                server_cpu = server.cpu_seconds() - cpu0
                lats = [x for _, _, ls in found for x in ls]
                skipped = sum(s for _, s, _ in found)
                p99 = percentile(lats, 99)
                met = "met" if skipped == 0 and p99 < 0.1 and all(r == sent for r, _, _ in found) else "MISSED"
                latency_rows.append([n, f"{sent:,}", spread(found), f"{skipped:,}", ms(percentile(lats, 50)),
                                     ms(p99), ms(max(lats, default=float("nan"))), f"{server_cpu:.1f}",
                                     f"{tails.cpu:.1f}", met])
                print(f"latency with {n} tails done", file=sys.stderr)
            for round_ in range(opts.rounds):
                for n in (0, opts.max_tails) if round_ % 2 == 0 else (opts.max_tails, 0):
                    app = f"flood{n}r{round_}"
                    tails = Tails(server.port, app, n, 1, 120, raw=True) if n else None
                    cpu0 = server.cpu_seconds()
                    rates[n].append(flood(server.port, app, opts.records, 100, 3))
                    if tails:
                        flood_tails.extend(tails.results())
                        cpu[n][1] += tails.cpu
                    cpu[n][0] += server.cpu_seconds() - cpu0
                    print(f"throughput round {round_ + 1} with {n} tails done", file=sys.stderr)
            rss = rss_line(server)
        finally:
            server.stop()

    header(f"Live tail latency: {opts.rate:,.0f} records/s for {opts.seconds:g} s in NDJSON batches of {opts.batch}")
    print_table(["tails", "records sent", "received per tail", "skipped (all tails)", "p50 ms", "p99 ms", "max ms",
                 "server CPU s", "tail clients CPU s", "target: none skipped, p99 < 100 ms"], latency_rows)
    base = statistics.median(rates[0])
    rows = []
    for n, runs in rates.items():
        rate = statistics.median(runs)
        target = "" if n == 0 else f">= 0.8: {'met' if rate / base >= 0.8 else 'MISSED'}"
        received = spread(flood_tails) if n else "-"
        skipped = f"{sum(s for _, s, _ in flood_tails):,}" if n else "-"
        rows.append([n, f"{rate:,.0f}", f"{rate / base:.2f}", received, skipped, f"{cpu[n][0]:.1f}",
                     f"{cpu[n][1]:.1f}", target])
    print(f"Ingest throughput, unpaced: {opts.records:,} records per run in NDJSON batches of 100 from 3 threads, "
          f"median of {opts.rounds} rounds\n")
    print_table(["tails", "records/s", "ratio to 0 tails", "received per tail (all rounds)", "skipped (all rounds)",
                 "server CPU s", "tail clients CPU s", "target"], rows)
    footer(started, [rss])


if __name__ == "__main__":
    main()
