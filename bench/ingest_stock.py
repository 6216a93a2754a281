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

`--backend postgresql` puts logdash on PostgreSQL instead (a scratch database per round, dropped
after it); `--backend both` measures logdash on SQLite and on PostgreSQL in the same alternation.
There is no raw-insert baseline here (ingest_batch.py has one): one record per request and per
commit, the cost is the request's, so the do-little receivers are the baselines.

    .venv/bin/python bench/ingest_stock.py [--records 3000] [--rounds 2] [--threads 1 4 16]
    .venv/bin/python bench/ingest_stock.py --backend both
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import logging.handlers
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import _pg
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
LOGDASH_ON = {"sqlite": ("logdash",), "postgresql": ("logdash on PostgreSQL",),  # --backend: logdash's rows
              "both": ("logdash on SQLite", "logdash on PostgreSQL")}


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


def start_server(kind: str, folder: Path, round_: int, pg_server: str, stack: contextlib.ExitStack) -> Server:
    """Start one of the servers; `stack` stops it (and drops a scratch PostgreSQL database)."""
    if kind.endswith("PostgreSQL"):
        server = _pg.Database(stack.enter_context(_pg.scratch_database(pg_server, "stock"))).serve(folder)
    else:
        server = {
            "logdash": lambda: start_logdash(folder / f"round{round_}.db", folder, workers=2),
            "bare Flask": lambda: start_gunicorn("bare flask", BARE_FLASK, folder),
            "do-nothing asyncio": lambda: start_script("asyncio nothing", ASYNCIO_NOTHING, folder),
            "http.server + parse_qs": lambda: start_script("http server", HTTP_SERVER, folder),
        }[SERVERS[0] if kind.startswith("logdash") else kind]()
    stack.callback(server.stop)
    if kind.startswith("logdash"):
        server.name = kind  # the RSS note says which logdash
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=3000, help="records per cell (server x threads)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; servers alternate within each")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16], help="client thread counts")
    _pg.add_options(parser)
    opts = parser.parse_args()
    servers = LOGDASH_ON[opts.backend] + SERVERS[1:]
    started = time.monotonic()
    socket.setdefaulttimeout(60)  # bounds every emit: the stock handler's connections have no timeout
    records = log_records(opts.records, seed=5)
    warmup = log_records(50, seed=6)
    cells: dict[tuple[str, int], list[tuple[float, list[float], int]]] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        for round_ in range(opts.rounds):
            order = servers[round_ % len(servers):] + servers[:round_ % len(servers)]
            for kind in order:
                with contextlib.ExitStack() as stack:
                    server = start_server(kind, Path(tmp), round_, opts.pg_server, stack)
                    load(server.port, warmup, 2)
                    for threads in opts.threads:
                        cells.setdefault((kind, threads), []).append(load(server.port, records, threads))
                    if kind.startswith("logdash"):
                        sent = len(warmup) + sum(len(records) // t * t for t in opts.threads)
                        stored = Http(server.port).record_count()
                        notes.append(f"round {round_ + 1}: {rss_line(server)}; stored {stored:,} of {sent:,} sent")
                print(f"round {round_ + 1}/{opts.rounds}: {kind} done", file=sys.stderr)

    if opts.backend != "sqlite":
        notes.append(_pg.describe(opts.pg_server))
    header(f"Stock HTTPHandler(method=\"POST\") ingest, {opts.records:,} records per cell, "
           f"{opts.rounds} rounds (median records/s; latencies pooled)")
    rows = []
    for threads in opts.threads:
        rate = {kind: statistics.median(r for r, _, _ in cells[kind, threads]) for kind in servers}
        for kind in servers:
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
