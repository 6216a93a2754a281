"""Reading a request body within the size limit, keeping the size that was sent."""
from __future__ import annotations

from flask import Request


def read_body(req: Request, limit: int) -> tuple[bytes, int]:
    """Read at most `limit` + 1 bytes; return them and the full size (declared or read)."""
    declared = req.content_length
    if declared is not None and declared > limit:
        return b"", declared
    body = req.stream.read(limit + 1)
    return body, declared if declared is not None else len(body)
