"""Where `logdash send` reads lines: stdin or files, to their end or followed as they grow (like `tail -F`).

Each source is read by its own daemon thread into one bounded queue of (source number, line); None
as the line means that source has ended. A full queue makes the readers wait (the sender is behind):
nothing is dropped. Bytes that are not UTF-8 are read as U+FFFD; an over-long line comes in pieces.
"""
from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Sequence
from typing import BinaryIO

__all__ = ["MAX_LINE", "start_readers"]

MAX_LINE = 256 * 1024  # bytes of one line read at once (the dashboard keeps 256 K characters of a message)
POLL = 0.2             # seconds between looks at a followed file that has not grown


def start_readers(paths: Sequence[str], follow: bool, lines: queue.Queue,
                  stop: threading.Event) -> list[threading.Thread]:
    """Start one reader per path (`-` or none: stdin); return them (source number = position)."""
    readers = []
    for number, path in enumerate(list(paths) or ["-"]):
        target = _read_stdin if path == "-" else _follow_file if follow else _read_file
        readers.append(threading.Thread(target=target, args=(path, number, lines, stop),
                                        name=f"logdash-read-{number}", daemon=True))
        readers[-1].start()
    return readers


def _put(lines: queue.Queue, item: tuple[int, str | None], stop: threading.Event) -> bool:
    """Queue one item, waiting while the queue is full; False once stopping."""
    while not stop.is_set():
        try:
            lines.put(item, timeout=POLL)
            return True
        except queue.Full:
            continue
    return False


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _read_stream(stream: BinaryIO, number: int, lines: queue.Queue, stop: threading.Event) -> None:
    for raw in iter(lambda: stream.readline(MAX_LINE), b""):
        if not _put(lines, (number, _text(raw)), stop):
            return


def _read_stdin(_path: str, number: int, lines: queue.Queue, stop: threading.Event) -> None:
    try:
        _read_stream(sys.stdin.buffer, number, lines, stop)
    finally:
        _end(lines, number)


def _read_file(path: str, number: int, lines: queue.Queue, stop: threading.Event) -> None:
    try:
        with open(path, "rb") as stream:
            _read_stream(stream, number, lines, stop)
    finally:
        _end(lines, number)


def _follow_file(path: str, number: int, lines: queue.Queue, stop: threading.Event) -> None:
    """The whole file, then its new lines as they are written. Truncated (`> file`, copytruncate): read again
    from its start. Replaced (rotated: a new file under the name): finish the old one, then read the new one."""
    stream = open(path, "rb")  # noqa: SIM115 (reopened on rotation; closed in finally)
    partial = b""  # a line still being written: its end has not come yet
    try:
        while not stop.is_set():
            raw = stream.readline(MAX_LINE - len(partial))
            if raw:
                partial += raw
                whole = partial.endswith(b"\n") or len(partial) >= MAX_LINE
                if whole and _put(lines, (number, _text(partial)), stop):
                    partial = b""
                continue
            replacement = _replaced(path, stream)
            if replacement is not None:
                stream.close()
                stream = replacement
                if partial and _put(lines, (number, _text(partial)), stop):
                    partial = b""
            elif os.fstat(stream.fileno()).st_size < stream.tell():
                stream.seek(0)
                partial = b""
            else:
                stop.wait(POLL)
    finally:
        stream.close()
        _end(lines, number, partial)


def _end(lines: queue.Queue, number: int, partial: bytes = b"") -> None:
    """Say the source ended (after its unfinished last line), without waiting: the sender may be stopping."""
    try:
        if partial:
            lines.put_nowait((number, _text(partial)))
        lines.put_nowait((number, None))
    except queue.Full:
        pass


def _replaced(path: str, stream: BinaryIO) -> BinaryIO | None:
    """The new file at `path` when it is no longer the one `stream` reads, else None."""
    try:
        if os.stat(path).st_ino == os.fstat(stream.fileno()).st_ino:
            return None
        return open(path, "rb")  # the caller owns it
    except OSError:  # between the rename and the new file's creation
        return None
