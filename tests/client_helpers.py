"""What the client tests share: servers in the states a client must survive, and `logdash serve` on a chosen port."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import Live, stop_server
from werkzeug.serving import make_server


@contextmanager
def hung_server() -> Iterator[int]:
    """A port where connections are accepted and never answered (a server stuck in a deadlock); yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        listener.close()


@contextmanager
def served_app(wsgi: Callable[..., Any]) -> Iterator[str]:
    """A WSGI app (the real one, perhaps wrapped) on a loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def delayed(app: Any, gate: threading.Event | None = None, delay: float = 0.0) -> Callable[..., Any]:
    """The real app behind a slow front: each request waits `delay` seconds, and for `gate` when given."""
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if gate is not None:
            gate.wait(30)
        time.sleep(delay)
        return app(environ, start_response)
    return wsgi


@contextmanager
def serve_on(port: int, db_url: str, folder: Path) -> Iterator[Live]:
    """`logdash serve` (gunicorn, one worker) on `port` and `db_url`, stopped at the end."""
    log_path = folder / f"serve-{port}-{time.monotonic_ns()}.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db_url,
                                 "--workers", "1"], cwd=folder, stdout=log_file, stderr=subprocess.STDOUT,
                                env={**os.environ, "LOGDASH_RETENTION": "none"})
    live = Live(f"http://127.0.0.1:{port}", "127.0.0.1", port)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
            try:
                if live.get("/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        yield live
    finally:
        stop_server(proc)


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"not true within {timeout} s"
            return value
        time.sleep(0.05)


def record(live: Live, record_id: int) -> dict[str, Any]:
    """/api/records/<id>: every field."""
    status, body = live.get(f"/api/records/{record_id}")
    assert status == 200, body
    return body


def detached(handler: logging.Handler, name: str = "shop.checkout") -> logging.Logger:
    """A logger whose only handler is `handler` (pytest's own handlers must not format records first)."""
    logger = logging.Logger(name, level=logging.DEBUG)
    logger.addHandler(handler)
    return logger
