"""Reading a request body within the size limit, keeping the size that was sent.

A body that cannot be read (a malformed chunk size, fewer bytes than its Content-Length, silence
past a short timeout) is an UnreadableBody with a 4xx status and a reason, never a server error.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Request
from werkzeug.exceptions import ClientDisconnected

from .args import INT64_MAX

READ_TIMEOUT = 5.0  # seconds without a byte of the body before it is given up


class UnreadableBody(Exception):
    """The body could not be read as the request framed it; answer `status` with `reason`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@contextmanager
def _timeout(req: Request, seconds: float) -> Iterator[None]:
    """Bound each read of the client socket (gunicorn hands it over), so a lying client cannot hold a thread."""
    sock = req.environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket):
        yield
        return
    before = sock.gettimeout()
    sock.settimeout(seconds)
    try:
        yield
    finally:
        sock.settimeout(before)


def read_body(req: Request, limit: int, timeout: float = READ_TIMEOUT) -> tuple[bytes, int]:
    """Read at most `limit` + 1 bytes; return them and the full size (declared or read; at most INT64_MAX,
    what the database holds). Raise UnreadableBody when the body is not what its framing says."""
    declared = req.content_length
    if declared is not None and declared > limit:
        return b"", min(declared, INT64_MAX)
    try:
        with _timeout(req, timeout):
            body = req.stream.read(limit + 1)
    except TimeoutError:
        framing = "chunked" if declared is None else f"Content-Length {declared:,}"
        raise UnreadableBody(408, f"no body bytes for {timeout:g} s: the body is shorter than its framing "
                                  f"({framing}) says, or the client stalled") from None
    except ClientDisconnected:
        raise UnreadableBody(400, f"the body ended before its Content-Length ({declared:,} bytes)") from None
    except Exception as e:  # the server's reader refused the framing: gunicorn's ParseException
        # (InvalidChunkSize, ChunkMissingTerminator...), werkzeug's OSError for a bad chunk header
        kind = "chunked body" if req.headers.get("Transfer-Encoding") else "body"
        raise UnreadableBody(400, f"the {kind} could not be read: {type(e).__name__} {str(e)[:200]}".rstrip()) from None
    if declared is not None and len(body) < declared:
        raise UnreadableBody(400, f"the body ended after {len(body):,} of its Content-Length ({declared:,} bytes)")
    return body, declared if declared is not None else len(body)
