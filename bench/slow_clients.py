"""Slow clients: slowloris connections and idle websockets against `logdash serve --workers 2`.

gunicorn's gthread workers hold a thread for each websocket and for each request whose headers are
still arriving. This opens N idle websockets and M slowloris connections (headers trickling in,
never finished), then times GET /healthz on fresh connections, for each `--threads` setting given
(the old default of 32 per worker is the baseline). Reports websockets that opened, /healthz p50 and
max (a 2 s timeout counts as a failure), threads and peak RSS per worker.

    .venv/bin/python bench/slow_clients.py [--slowloris 200] [--websockets 300] [--threads 32 512]
"""
from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import footer, header, print_table, start_logdash


def trickle(port: int, count: int, stop: threading.Event) -> None:
    """`count` connections that send a header line a second and never end their headers."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(sock)
    while not stop.wait(1.0):
        for sock in socks:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
    for sock in socks:
        sock.close()


def open_websockets(port: int, count: int) -> tuple[list[socket.socket], int]:
    """Send `count` upgrade requests; (the sockets, how many got 101 within 3 s)."""
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(f"GET /ws/tail HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        socks.append(sock)
    time.sleep(3)
    opened = 0
    for sock in socks:
        sock.setblocking(False)
        try:
            opened += sock.recv(12) == b"HTTP/1.1 101"
        except OSError:
            pass
    return socks, opened


def healthz(port: int) -> float:
    """Seconds to a 200 from /healthz on a fresh connection; inf after 2 s."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            ok = sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    return time.perf_counter() - started if ok else float("inf")


def shown(seconds: float) -> str:
    return "timeout" if seconds == float("inf") else f"{seconds * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slowloris", type=int, default=200)
    parser.add_argument("--websockets", type=int, default=300)
    parser.add_argument("--threads", type=int, nargs="+", default=[32, 512], help="threads per worker to compare")
    opts = parser.parse_args()
    started, rows = time.monotonic(), []
    for threads in opts.threads:
        with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
            server = start_logdash(Path(tmp) / "slow.db", Path(tmp), workers=2,
                                   env={"LOGDASH_THREADS": str(threads)})
            stop = threading.Event()
            try:
                socks, opened = open_websockets(server.port, opts.websockets)
                slow = threading.Thread(target=trickle, args=(server.port, opts.slowloris, stop))
                slow.start()
                time.sleep(3)
                took = [healthz(server.port) for _ in range(10)]
                counts = [len(os.listdir(f"/proc/{pid}/task")) for pid in server.workers()]
                rss = server.worker_peak_rss_mb()
                stop.set()
                slow.join()
                for sock in socks:
                    sock.close()
            finally:
                server.stop()
        ok = opened == opts.websockets and max(took) < 2
        rows.append([threads, f"{opened:,} of {opts.websockets:,}", shown(statistics.median(took)), shown(max(took)),
                     ", ".join(map(str, counts)), ", ".join(f"{mb:.0f}" for mb in rss.values()),
                     "met" if ok else "MISSED"])
    header(f"{opts.slowloris} slowloris connections + {opts.websockets} idle websockets, 2 workers")
    print_table(["threads per worker", "websockets opened", "/healthz p50 ms", "/healthz max ms",
                 "threads per worker (OS)", "peak RSS per worker MB", "target: all open, /healthz < 2 s"], rows)
    footer(started, [])


if __name__ == "__main__":
    main()
