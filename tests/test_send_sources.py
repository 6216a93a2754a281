"""`logdash send -f` reads a followed file like `tail -F`: growth, truncation and rotation, half-written lines."""
from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from dashboard.client.sources import start_readers


def take(lines: queue.Queue, count: int, timeout: float = 5.0) -> list[str | None]:
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        got.append(lines.get(timeout=max(0.01, deadline - time.monotonic()))[1])
    return got


def test_following_through_growth_truncation_and_rotation(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(b"one\n")
    lines: queue.Queue = queue.Queue()
    stop = threading.Event()
    (reader,) = start_readers([str(path)], True, lines, stop)
    try:
        assert take(lines, 1) == ["one\n"]
        with path.open("ab") as log:
            log.write(b"two, half")
            log.flush()
            time.sleep(0.3)  # a line still being written is not sent in pieces
            assert lines.empty()
            log.write(b" and whole\n\xff\n")
        assert take(lines, 2) == ["two, half and whole\n", "\ufffd\n"]
        path.write_bytes(b"x\n")  # truncated (shorter than what was read) and written again
        assert take(lines, 1) == ["x\n"]
        with path.open("ab") as log:
            log.write(b"last of the old file\n")
        path.rename(tmp_path / "app.log.1")
        path.write_bytes(b"first of the new file\n")
        assert take(lines, 2) == ["last of the old file\n", "first of the new file\n"]
    finally:
        stop.set()
        reader.join(5)
    assert take(lines, 1) == [None]  # the source says it ended
    assert not reader.is_alive()


def test_a_file_not_followed_ends_with_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "done.log"
    path.write_bytes(b"a\nno newline at the end")
    lines: queue.Queue = queue.Queue()
    start_readers([str(path)], False, lines, threading.Event())
    assert take(lines, 3) == ["a\n", "no newline at the end", None]
