"""`logdash tail` as a real subprocess, its output read from a pseudo-terminal or from pipes."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar

# The settings `tail` reads from the environment: each test says what it wants.
CLEAN = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LOGDASH_URL", "LOGDASH_UI_TOKEN")}


class Tail:
    """A running `python -m dashboard tail ...`; `tty=True` gives it a pseudo-terminal for stdout and
    stderr (as a person's shell would), else one pipe each."""

    started: ClassVar[list[Tail]] = []  # every one, for a fixture to close after each test whatever happened

    def __init__(self, *args: str, tty: bool, env: dict[str, str] | None = None) -> None:
        command = [sys.executable, "-m", "dashboard", "tail", *args]
        environ = {**CLEAN, **(env or {})}
        self.tty = tty
        self.raw = {"out": b"", "err": b""}
        if tty:
            master, slave = os.openpty()
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=environ)
            os.close(slave)
            self._fds = {master: "out"}
        else:
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=environ)
            self._fds = {self.proc.stdout.fileno(): "out", self.proc.stderr.fileno(): "err"}
        self._open = dict(self._fds)
        Tail.started.append(self)

    def _read(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False when every stream has ended."""
        if not self._open:
            return False
        ready, _, _ = select.select(list(self._open), [], [], timeout)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # a pty's master reads EIO once the child has gone
                chunk = b""
            if chunk:
                self.raw[self._open[fd]] += chunk
            else:
                del self._open[fd]
        return True

    def text(self, stream: str = "out") -> str:
        """What came so far, decoded, with the terminal's CR LF back to LF."""
        return self.raw[stream].replace(b"\r\n", b"\n").decode("utf-8", "replace")

    def wait_for(self, done: Callable[[Tail], bool], timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not done(self):
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.2)) and self.proc.poll() is not None):
                raise AssertionError(f"timed out (exit {self.proc.poll()}); out={self.text()!r} "
                                     f"err={self.text('err')!r}")

    def wait_for_text(self, needle: str, stream: str = "out", timeout: float = 15) -> None:
        self.wait_for(lambda t: needle in t.text(stream), timeout)

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines()]

    def wait_for_records(self, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        """The first `count` NDJSON records (with --json)."""
        self.wait_for(lambda t: t.text().count("\n") >= count, timeout)
        return self.json_lines()

    def quiet_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._read(deadline - time.monotonic()):
            pass

    def close_stdout(self) -> None:
        """Stop reading its output, as `head -1` does once it has its line."""
        fd = next(fd for fd, name in self._fds.items() if name == "out")
        self._open.pop(fd, None)
        self.proc.stdout.close()

    def stop(self) -> int:
        """Ctrl-C, then everything it still wrote; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.finish()

    def finish(self, timeout: float = 10) -> int:
        """Wait for it to exit on its own (killed after `timeout`), reading as it writes; close our ends."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        if self.proc.poll() is None:
            self.proc.kill()
        rc = self.proc.wait()
        while self._read(0.2):
            pass
        self.close()
        return rc

    def close(self) -> None:
        """Kill it if it still runs and close our ends (again is fine): a failed test leaves nothing behind."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._open.clear()
        if self.tty:
            for fd in list(self._fds):
                if self._fds.pop(fd, None) is not None:
                    os.close(fd)
        else:
            self.proc.stdout.close()
            self.proc.stderr.close()
