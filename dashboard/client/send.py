"""`logdash send`'s loop: lines in (see `sources`), records out (see `lines`), NDJSON batches delivered
(see `transport`) before more are read, so a refusal or an outage stops the command instead of piling up.

A partial batch goes out once its first record has waited `idle` seconds, and everything waiting goes
out after `idle` seconds without a new line, so a pipe from an interactive app shows up at once.
"""
from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .checked import answer_problem, check_health, connection_problem, public_url
from .demo_errors import DemoFailed
from .lines import LineParser
from .sources import POLL, start_readers
from .transport import Backoff, Refused, Transport, Unreachable, deliver, encode_record

__all__ = ["SendFailed", "Shipper", "Stop", "send", "send_lines"]


class SendFailed(Exception):
    """Records stopped arriving; the message is one line naming why, and how many were sent."""


def send(paths: Sequence[str], follow: bool, transport: Transport, retry_for: float,
         progress: Callable[[int], None] = lambda n: None) -> int:
    """The whole command: check the dashboard is there, then send every source's records; SIGINT and SIGTERM
    stop reading and send what was read. Returns how many were sent; SendFailed otherwise."""
    try:
        check_health(transport.url)
    except DemoFailed as e:
        raise SendFailed(str(e)) from None
    stop = Stop()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, stop)
    shipper = Shipper(transport, retry_for=retry_for, stop=stop, on_sent=progress)
    try:
        return send_lines(paths, follow, shipper)
    except (Refused, Unreachable) as e:
        raise SendFailed(failure_line(transport.url, e, shipper, "Authorization" in transport.headers)) from None
    finally:
        transport.close()


class Stop:
    """Called on SIGINT/SIGTERM: read no more and send what was read, for at most `grace` seconds; a second
    signal interrupts at once."""

    def __init__(self, grace: float = 5.0) -> None:
        self.event = threading.Event()
        self.grace = grace
        self.deadline: float | None = None

    def __call__(self, *_: Any) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.deadline = time.monotonic() + self.grace
        self.event.set()


class Shipper:
    """Records gathered into batches of at most `batch_size` records and `batch_bytes` bytes, each delivered
    (retrying for `retry_for` seconds) before `add` returns; Refused or Unreachable when it was not."""

    def __init__(self, transport: Transport, *, batch_size: int = 500, batch_bytes: int = 1024 * 1024,
                 timeout: float = 5.0, retry_for: float = 30.0, stop: Stop | None = None,
                 on_sent: Callable[[int], None] = lambda n: None) -> None:
        self.transport, self.batch_size, self.batch_bytes = transport, batch_size, batch_bytes
        self.timeout, self.retry_for, self.stop, self.on_sent = timeout, retry_for, stop or Stop(), on_sent
        self.sent = 0
        self._lines: list[bytes] = []
        self._size = 0
        self._since: float | None = None

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            line = encode_record(record)
            if self._lines and self._size + len(line) > self.batch_bytes:
                self.flush()
            self._lines.append(line)
            self._size += len(line)
            self._since = time.monotonic() if self._since is None else self._since
            if len(self._lines) >= self.batch_size:
                self.flush()

    def due(self, idle: float) -> bool:
        """True when the oldest record waiting has waited `idle` seconds."""
        return self._since is not None and time.monotonic() - self._since >= idle

    def flush(self) -> None:
        if not self._lines:
            return
        try:
            deliver(self.transport, b"".join(self._lines), timeout=self.timeout, retry_for=self.retry_for,
                    backoff=Backoff(), cutoff=lambda: self.stop.deadline)
        except Refused as e:
            self.sent += len(self._lines) - e.count  # a batch split for size: the other parts were stored
            raise
        self.sent += len(self._lines)
        self._lines, self._size, self._since = [], 0, None
        self.on_sent(self.sent)


def send_lines(paths: Sequence[str], follow: bool, shipper: Shipper, idle: float = 0.5,
               clock: Callable[[], float] = time.time) -> int:
    """Read every source to its end (or, following, until stopped) and send its records; return how many."""
    lines: queue.Queue[tuple[int, str | None]] = queue.Queue(maxsize=10_000)
    stop = shipper.stop.event
    readers = start_readers(paths, follow, lines, stop)
    parsers = [LineParser() for _ in readers]
    open_sources = len(readers)
    while open_sources and not stop.is_set():
        try:
            number, line = lines.get(timeout=idle)
        except queue.Empty:
            for parser in parsers:
                shipper.add(parser.idle())
            shipper.flush()
            continue
        open_sources -= _take(parsers[number], line, shipper, clock)
        if shipper.due(idle):
            shipper.flush()
    if stop.is_set():  # stopped: what the readers already read is still sent
        for reader in readers:
            reader.join(POLL * 2)
        while True:
            try:
                number, line = lines.get_nowait()
            except queue.Empty:
                break
            _take(parsers[number], line, shipper, clock)
    for parser in parsers:
        shipper.add(parser.end())
    shipper.flush()
    return shipper.sent


def _take(parser: LineParser, line: str | None, shipper: Shipper, clock: Callable[[], float]) -> int:
    """Feed one queued item; 1 when it ended its source."""
    if line is None:
        shipper.add(parser.end())
        return 1
    shipper.add(parser.feed(line, clock()))
    return 0


def failure_line(url: str, error: Refused | Unreachable, shipper: Shipper, token_given: bool) -> str:
    """One line saying why records stopped arriving, and how many did."""
    done = f" ({shipper.sent} records sent before)" if shipper.sent else " (no records sent)"
    if isinstance(error, Refused):
        return answer_problem(url, error.status, error.error, token_given) + done
    reason = error.reason
    if shipper.stop.event.is_set():
        return f"stopped with records not sent to {public_url(url)}: {reason}{done}"
    if isinstance(reason, BaseException):
        return f"{connection_problem(url, reason)}; gave up after {shipper.retry_for:g} s{done}"
    return f"{public_url(url)} answered {reason} for {shipper.retry_for:g} s; gave up{done}"
