"""Stock `logging.handlers.HTTPHandler(method="POST")` into logdash against three do-little receivers.

One client process sends records with the stock handler (one connection per record) from 1, 4 and 16
threads to each server, measured alternately in the same run (the machine is noisy):

- logdash: `logdash serve --workers 2` (parses, stores, answers only after the commit);
- bare Flask: a Flask app under the same gunicorn settings (gthread, 2 workers, 32 threads) that
  parses the form and stores nothing;
- do-nothing asyncio: raw asyncio streams, reads the request and answers 200;
- http.server: the classic `ThreadingHTTPServer` + `urllib.parse.parse_qs` receiver (listen backlog
  raised to 64 so that 16 connecting threads do not measure SYN retransmits).

Reports records/s (median over rounds), per-emit latency p50/p99 (time around `handler.emit`) and the
ratio to bare Flask and to the do-nothing server; then the peak RSS of each logdash worker.

    .venv/bin/python bench/ingest_stock.py [--records 3000] [--rounds 2] [--threads 1 4 16]
"""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from _common import (
    Http,
    Server,
    footer,
    free_port,
    header,
    make_record,
    ms,
    percentile,
    print_table,
    rss_line,
    start,
    start_logdash,
)

BARE_FLASK = '''
from flask import Flask, request

app = Flask(__name__)


@app.route("/ingest", methods=["GET", "POST"])
def ingest():
    request.form  # parse like logdash does, store nothing
    return {"accepted": 1}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
'''

ASYNCIO_NOTHING = '''
import asyncio
import sys

ANSWER = b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 15\\r\\n\\r\\n{\\"accepted\\": 1}"


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
            length = 0
            for line in head.split(b"\\r\\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main())
'''

HTTP_SERVER = '''
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        parse_qs(self.rfile.read(length).decode())
        self.answer()

    def do_GET(self):
        self.answer()

    def answer(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "15")
        self.end_headers()
        self.wfile.write(b'{"accepted": 1}')

    def log_message(self, *args):
        pass


ThreadingHTTPServer.request_queue_size = 64
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
'''

SERVERS = ("logdash", "bare Flask", "do-nothing asyncio", "http.server + parse_qs")


def start_gunicorn(name: str, app_code: str, log_dir: Path, workers: int = 2, threads: int = 32) -> Server:
    """A WSGI app (source text defining `app`) under gunicorn with logdash's gthread settings."""
    module = name.replace(" ", "_").replace("-", "_")
    (log_dir / f"{module}.py").write_text(app_code)
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--chdir", str(log_dir), "--timeout", "120", "--graceful-timeout", "10",
           "--keep-alive", "5", "--limit-request-line", "0", "--limit-request-field_size", "0",
           "--log-level", "warning", f"{module}:app"]
    return start(name, cmd, port, log_dir)


def start_script(name: str, code: str, log_dir: Path) -> Server:
    """A Python script (given the port as argv[1]) run with this interpreter."""
    path = log_dir / f"{name.replace(' ', '_').replace('-', '_')}.py"
    path.write_text(code)
    port = free_port()
    return start(name, [sys.executable, str(path), str(port)], port, log_dir)


class CountingHTTPHandler(logging.handlers.HTTPHandler):
    """The stock handler; a failed emit is counted instead of printed."""
    errors = 0

    def handleError(self, record: logging.LogRecord) -> None:  # logging's name
        self.errors += 1


def log_records(count: int, seed: int) -> list[logging.LogRecord]:
    """Realistic LogRecords (the same for every server), built before any timing."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        fields = make_record(rng, "shop", time.time())
        rec = logging.LogRecord(fields["name"], fields["levelno"], fields["pathname"], fields["lineno"],
                                fields["msg"], tuple(fields["args"]), None, func=fields["funcName"])
        rec.request_id = fields["request_id"]
        out.append(rec)
    return out


def load(port: int, records: list[logging.LogRecord], threads: int) -> tuple[float, list[float], int]:
    """Emit `records` split over `threads` stock handlers; (records/s, per-emit seconds, failed emits)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    share = len(records) // threads

    def worker(mine: list[logging.LogRecord]) -> None:
        handler = CountingHTTPHandler(f"127.0.0.1:{port}", "/ingest?app=bench", method="POST")
        times = []
        for rec in mine:
            t0 = time.perf_counter()
            handler.emit(rec)
            times.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(times)
            errors[0] += handler.errors

    pool = [threading.Thread(target=worker, args=(records[i * share:(i + 1) * share],)) for i in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(latencies) / (time.perf_counter() - started), latencies, errors[0]


def starter(kind: str, folder: Path, round_: int) -> Callable[[], Server]:
    return {
        "logdash": lambda: start_logdash(folder / f"round{round_}.db", folder, workers=2),
        "bare Flask": lambda: start_gunicorn("bare flask", BARE_FLASK, folder),
        "do-nothing asyncio": lambda: start_script("asyncio nothing", ASYNCIO_NOTHING, folder),
        "http.server + parse_qs": lambda: start_script("http server", HTTP_SERVER, folder),
    }[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=3000, help="records per cell (server x threads)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; servers alternate within each")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16], help="client thread counts")
    opts = parser.parse_args()
    started = time.monotonic()
    socket.setdefaulttimeout(60)  # bounds every emit: the stock handler's connections have no timeout
    records = log_records(opts.records, seed=5)
    warmup = log_records(50, seed=6)
    cells: dict[tuple[str, int], list[tuple[float, list[float], int]]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        for round_ in range(opts.rounds):
            order = SERVERS[round_ % len(SERVERS):] + SERVERS[:round_ % len(SERVERS)]
            for kind in order:
                server = starter(kind, Path(tmp), round_)()
                try:
                    load(server.port, warmup, 2)
                    for threads in opts.threads:
                        cells.setdefault((kind, threads), []).append(load(server.port, records, threads))
                    if kind == "logdash":
                        sent = len(warmup) + sum(len(records) // t * t for t in opts.threads)
                        stored = Http(server.port).record_count()
                        notes.append(f"round {round_ + 1}: {rss_line(server)}; stored {stored:,} of {sent:,} sent")
                finally:
                    server.stop()
                print(f"round {round_ + 1}/{opts.rounds}: {kind} done", file=sys.stderr)

    header(f"Stock HTTPHandler(method=\"POST\") ingest, {opts.records:,} records per cell, "
           f"{opts.rounds} rounds (median records/s; latencies pooled)")
    rows = []
    for threads in opts.threads:
        rate = {kind: statistics.median(r for r, _, _ in cells[kind, threads]) for kind in SERVERS}
        for kind in SERVERS:
            lat = [x for _, lats, _ in cells[kind, threads] for x in lats]
            errors = sum(e for _, _, e in cells[kind, threads])
            rows.append([kind, threads, f"{rate[kind]:,.0f}", ms(percentile(lat, 50)), ms(percentile(lat, 99)),
                         f"{rate[kind] / rate['bare Flask']:.0%}", f"{rate[kind] / rate['do-nothing asyncio']:.0%}",
                         errors])
    print_table(["server", "client threads", "records/s", "emit p50 ms", "emit p99 ms", "vs bare Flask",
                 "vs do-nothing asyncio", "failed emits"], rows)
    footer(started, notes)


if __name__ == "__main__":
    main()
