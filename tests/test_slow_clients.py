"""Slow clients and idle websockets cannot starve the workers: each holds a thread, and there are enough."""
from __future__ import annotations

import base64
import contextlib
import os
import socket
import time

SLOWLORIS, IDLE_SOCKETS = 200, 300


def open_socket(port: int, request: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(request)
    return sock


def upgrade(port: int) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET /ws/tail HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def healthz_seconds(port: int) -> float:
    """A fresh connection's GET /healthz, timed to the first bytes of a 200."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.1 200")
    return time.monotonic() - started


def test_slowloris_and_idle_websockets_leave_the_server_answering(serve, db_url) -> None:
    live = serve(db_url, workers=2)
    held: list[socket.socket] = []
    try:
        for _ in range(IDLE_SOCKETS):
            held.append(open_socket(live.port, upgrade(live.port)))
        upgraded = 0
        for sock in held:
            sock.settimeout(5)
            upgraded += sock.recv(12) == b"HTTP/1.1 101"
        assert upgraded == IDLE_SOCKETS  # every websocket opened
        slow = [open_socket(live.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n") for _ in range(SLOWLORIS)]
        held += slow
        for _ in range(3):  # headers trickle in, never finished
            time.sleep(0.5)
            for sock in slow:
                sock.sendall(b"X-Slow: 1\r\n")
        took = [healthz_seconds(live.port) for _ in range(5)]
        assert max(took) < 2.0, took
        status, page = live.get("/api/records?limit=1")
        assert status == 200 and page["records"] == []
    finally:
        for sock in held:
            with contextlib.suppress(OSError):
                sock.close()
