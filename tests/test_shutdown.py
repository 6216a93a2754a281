"""Stopping `logdash serve` with tabs open: websockets get `1001 going away` and the server exits at once."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websocket
from conftest import Live, free_port

from dashboard.server import STOP_GRACE

GOING_AWAY = 1001


def start(tmp_path: Path, workers: int) -> tuple[subprocess.Popen, Live, Path]:
    """serve in its own process group, as a shell runs a foreground job."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port),
                                 "--db", f"sqlite:///{tmp_path / 'x.db'}", "--workers", str(workers)],
                                cwd=tmp_path, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "LOGDASH_RETENTION": "none"})
    live = Live(f"http://127.0.0.1:{port}", "127.0.0.1", port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if live.get("/healthz")[0] == 200:
                return proc, live, log_path
        except OSError:
            time.sleep(0.1)
    stop_group(proc)
    raise AssertionError(log_path.read_text())


def stop_group(proc: subprocess.Popen) -> None:
    """Whatever happened, leave no server process behind (workers included: they share the group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def close_code(ws: websocket.WebSocket) -> int | None:
    """Read until the server's close frame; its status code."""
    while True:
        opcode, data = ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(data[:2], "big") if len(data) >= 2 else None


@pytest.mark.parametrize(("signum", "to_group"), [
    (signal.SIGINT, True),    # Ctrl-C: the terminal signals the whole foreground group
    (signal.SIGINT, False),
    (signal.SIGTERM, False),  # a graceful stop (systemd, docker stop)
], ids=["ctrl-c", "sigint-main", "sigterm"])
def test_stop_with_open_websockets_is_prompt_and_quiet(tmp_path: Path, signum: int, to_group: bool) -> None:
    proc, live, log_path = start(tmp_path, workers=2)
    try:
        sockets = [websocket.create_connection(f"ws://127.0.0.1:{live.port}{path}", timeout=10)
                   for path in ("/ws/tail", "/ws/requests", "/ws/tail?level=ERROR")]
        time.sleep(0.5)  # the sockets are streaming
        started = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        codes = [close_code(ws) for ws in sockets]
        proc.wait(10)
        took = time.monotonic() - started
        for ws in sockets:
            ws.shutdown()
    finally:
        stop_group(proc)
    output = log_path.read_text(errors="replace")
    assert codes == [GOING_AWAY] * len(sockets)
    assert took < (2.0 if signum == signal.SIGINT else 2.0 + STOP_GRACE), output
    assert proc.returncode == 0
    assert "SIGKILL" not in output and "out of memory" not in output and "Traceback" not in output, output


def test_records_accepted_before_the_stop_are_kept(tmp_path: Path) -> None:
    proc, live, _ = start(tmp_path, workers=1)
    ws = websocket.create_connection(f"ws://127.0.0.1:{live.port}/ws/tail?after=0", timeout=10)
    try:
        status, _ = live.post("/ingest", b'{"msg": "before the stop"}', "application/json")
        assert status == 200
        assert '"before the stop"' in ws.recv()
        os.killpg(proc.pid, signal.SIGINT)
        assert close_code(ws) == GOING_AWAY
        proc.wait(10)
    finally:
        ws.shutdown()
        stop_group(proc)
    again, live, _ = start(tmp_path, workers=1)
    try:
        assert [r["message"] for r in live.records()] == ["before the stop"]
    finally:
        stop_group(again)


def test_a_second_quit_signal_while_the_first_is_handled_is_ignored() -> None:
    """Ctrl-C reaches a worker twice (terminal SIGINT, then the arbiter's SIGQUIT); gthread's quit
    handler is not reentrant (its pool shutdown lock), so the second must not run it again."""
    from dashboard.server import guard_signals

    calls: list[int] = []

    def gunicorn_quit(signum: int, frame: object) -> None:  # stands in for gthread's handle_quit
        calls.append(signum)
        os.kill(os.getpid(), signal.SIGQUIT)  # the arbiter's SIGQUIT lands in the middle
        time.sleep(0.05)  # let it be delivered here, inside the handler

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM)}
    try:
        signal.signal(signal.SIGQUIT, gunicorn_quit)
        guard_signals(object())
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    assert calls == [signal.SIGINT]
