"""Exact bytes over a socket to a real `logdash serve`, for what only the transport shows (framing, HEAD)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import Live, free_port, stop_server

from dashboard.store.engine import make_engine
from dashboard.store.migrate import upgrade


@contextmanager
def served(folder: Path, workers: int = 1) -> Iterator[Live]:
    """`logdash serve` (gunicorn) on a fresh migrated SQLite file, for a whole test module."""
    db_url = f"sqlite:///{folder / 'logdash.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    port = free_port()
    with (folder / "serve.log").open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db_url,
             "--workers", str(workers)],
            cwd=folder, env={**os.environ, "LOGDASH_RETENTION": "none"}, stdout=log_file, stderr=subprocess.STDOUT)
    live = Live(f"http://127.0.0.1:{port}", "127.0.0.1", port)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, (folder / "serve.log").read_text()
            try:
                if live.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield live
    finally:
        stop_server(proc)


@dataclass
class Answer:
    """The first response read off the socket, and how long it took."""
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def exchange(live: Live, data: bytes, *, half_close: bool = False, timeout: float = 20) -> Answer:
    """Send `data` as is (optionally closing our side after it); read one response, framed by its Content-Length."""
    started = time.monotonic()
    with socket.create_connection((live.host, live.port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed without an answer: {raw!r}"
            raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length and not data.startswith(b"HEAD "):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return Answer(int(lines[0].split()[1]), headers, body[:length], time.monotonic() - started)


def post(path: str, body: bytes, content_type: str = "application/x-www-form-urlencoded", **headers: str) -> bytes:
    """A complete POST request, Content-Length and all, as bytes."""
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n")
    return head.encode("latin-1") + body
