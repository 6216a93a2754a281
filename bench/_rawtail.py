"""Many live tails from one thread, cheap enough that the clients do not steal the server's CPU.

A websocket-client tail decodes every frame and parses every message in Python: 20 of them used
more CPU than the server they measured, on the same 2 cores. For throughput only counts matter,
so these tails do the RFC 6455 handshake on a plain socket, then count records in the raw stream
with `bytes.count` (C speed), without framing or JSON. The end marker ends a tail.
"""
from __future__ import annotations

import base64
import os
import selectors
import socket
import time
from typing import Any

# how the server encodes each live record: compact JSON (orjson), or with json.dumps' default separators
RECORD = (b'"type":"record"', b'"type": "record"')
SKIPPED = (b'"type":"skipped"', b'"type": "skipped"')
END = (b'"bench_end":true', b'"bench_end": true')
_KEEP = max(len(m) for m in (*RECORD, *SKIPPED, *END)) - 1  # bytes carried over so no marker is split


class RawTail:
    """One tail's socket and counters."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                           f"Origin: http://127.0.0.1:{port}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the websocket handshake")
            head += chunk
        head, self.rest = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"handshake refused: {head.splitlines()[0]!r}")
        self.sock.setblocking(False)
        self.received = self.skipped = 0
        self.done = False
        self.feed(b"")

    def feed(self, chunk: bytes) -> None:
        old = self.rest
        buf = old + chunk

        def new(markers: tuple[bytes, ...]) -> int:  # a marker wholly inside the carried-over bytes was counted before
            return sum(buf.count(marker) - old.count(marker) for marker in markers)

        self.received += new(RECORD)
        self.skipped += new(SKIPPED)
        if new(END):
            self.received -= 1  # the end marker is a record too
            self.done = True
        self.rest = buf[-_KEEP:]


def count_tails(port: int, path: str, tails: int, deadline: float, ready: Any, results: Any) -> None:
    """Run `tails` raw tails until each sees the end marker (or the deadline); report like tail_process."""
    sel = selectors.DefaultSelector()
    pool = []
    for _ in range(tails):
        tail = RawTail(port, path)
        sel.register(tail.sock, selectors.EVENT_READ, tail)
        pool.append(tail)
        ready.put(1)
    open_ = len(pool)
    while open_ and time.time() < deadline:
        for key, _ in sel.select(timeout=0.5):
            tail = key.data
            chunk = tail.sock.recv(1 << 18)
            if chunk:
                tail.feed(chunk)
            if tail.done or not chunk:
                sel.unregister(tail.sock)
                tail.sock.close()
                open_ -= 1
    results.put(([(t.received, t.skipped, []) for t in pool], time.process_time()))
