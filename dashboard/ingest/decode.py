"""Read an ingest request's body (or query string) as a list of field mappings.

Every accepted shape lands here: the stock HTTPHandler's urlencoded POST and
its GET query string (via Werkzeug's parsers), a JSON object or array, and
NDJSON. Each failure raises DecodeError with a reason a person can act on.
"""
from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler the form reader uses)
from werkzeug.datastructures import MultiDict

from ..json_in import exact_with_orjson, loads
from .extras import FormFields
from .parse import MAX_FIELDS

URL_PARAMS = ("app", "token")  # ours, on the ingest URL; not record fields
RECORD_MARKERS = ("msg", "message", "text", "event")
NOTE_FIELD = "logdash_note"  # added to a form record whose bytes were not all UTF-8 (kept in its extras)
ENCODINGS = {"gzip": 47, "x-gzip": 47, "deflate": 15}  # Content-Encoding -> zlib wbits (47: gzip or zlib header)


class DecodeError(ValueError):
    """The body cannot be read as records; str() says why, `status` is the answer (400 unless said)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def decompress(body: bytes, encoding: str, limit: int) -> bytes:
    """The body without its Content-Encoding, at most `limit` bytes of it (a small bomb cannot grow past it)."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return body
    if name not in ENCODINGS:
        raise DecodeError(f"unsupported Content-Encoding {name[:40]!r}: send gzip, deflate or none", 415)
    inflater = zlib.decompressobj(wbits=ENCODINGS[name])
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as e:
        raise DecodeError(f"bad {name} stream: {e}") from None
    if len(out) > limit:
        raise DecodeError(f"body over {limit:,} bytes once decompressed ({len(body):,} sent as {name})", 413)
    if not inflater.eof:
        raise DecodeError(f"bad {name} stream: it ends early")
    return out


@dataclass(frozen=True)
class Invalid:
    """One unreadable item among readable ones (an NDJSON line); the others are still stored."""
    reason: str


def _strip_url_params(args: MultiDict) -> dict[str, Any]:
    """Query fields minus our own first `app`/`token` (HTTPHandler appends the record after them).

    Names are compared decoded (`?%74oken=` is `token`), and a repeat of the token's value is dropped
    too: the ingest token is never stored as a record field.
    """
    fields = FormFields()
    seen: dict[str, str] = {}
    for key, value in args.items(multi=True):
        if key in URL_PARAMS and (key not in seen or (key == "token" and value == seen[key])):
            seen.setdefault(key, value)
            continue
        fields.setdefault(key, value)
    return fields


def _form(body: bytes) -> list[Mapping[str, Any]]:
    """The urlencoded fields (the first of a repeated name), as Werkzeug reads them (a percent-escape that is
    not UTF-8 stays as sent, `%FF`), but with the field count checked before any is built, and raw bytes
    that are not UTF-8 shown as U+FFFD (the record says so in NOTE_FIELD) instead of failing the request."""
    count = body.count(b"&") + 1
    if count > MAX_FIELDS:
        raise DecodeError(f"record has {count} fields; the limit is {MAX_FIELDS}")
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    fields = FormFields()
    for key, value in parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"):
        fields.setdefault(key, value)
    if bad:
        fields.setdefault(NOTE_FIELD, f"the body was not UTF-8: {bad:,} invalid byte sequence(s) shown as U+FFFD")
    return [fields]


def _unreadable(e: Exception) -> str:
    """Why valid-looking JSON was not read: nesting past the parser's depth, or an integer of thousands of digits."""
    if isinstance(e, RecursionError):
        return "JSON nested too deep (arrays and objects inside each other)"
    return f"JSON could not be read: {str(e)[:200]}"


def _json_problem(e: json.JSONDecodeError, line: int | None = None) -> str:
    """Python's reason, whole: a message that points at a place ("Unterminated string starting at") keeps the
    place it points at, as Python itself prints it. `line` is the NDJSON line (the decoder saw one line)."""
    where = f"line {e.lineno if line is None else line} column {e.colno}"
    return f"{e.msg}: {where} (char {e.pos})" if e.msg.endswith(" at") else e.msg


def read_json(body: bytes) -> Any:
    """The one JSON document of a UTF-8 body; DecodeError saying where it breaks."""
    text = _text(body)
    try:
        return loads(text, exact_with_orjson(body))
    except json.JSONDecodeError as e:
        raise DecodeError(f"invalid JSON at line {e.lineno} column {e.colno}: {_json_problem(e)}") from None
    except (RecursionError, ValueError) as e:
        raise DecodeError(_unreadable(e)) from None


def _json(body: bytes) -> list[Any]:
    value = read_json(body)
    return value if isinstance(value, list) else [value]


def _ndjson(body: bytes) -> list[Any]:
    out: list[Any] = []
    quick = exact_with_orjson(body)
    for lineno, line in enumerate(_text(body).split("\n"), 1):  # not splitlines(): U+2028 may sit in a string
        if not line.strip():
            continue
        try:
            out.append(loads(line, quick))
        except json.JSONDecodeError as e:
            out.append(Invalid(f"invalid JSON on line {lineno} column {e.colno}: {_json_problem(e, lineno)}"))
        except (RecursionError, ValueError) as e:
            out.append(Invalid(f"line {lineno}: {_unreadable(e)}"))
    return out


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError(f"body is not UTF-8 (bad byte at offset {e.start})") from None


def problem(item: Any) -> str | None:
    """Why one decoded item is not a record, or None when it looks like one."""
    if isinstance(item, Invalid):
        return item.reason
    if not isinstance(item, Mapping):
        return f"not an object but {type(item).__name__}"
    if not any(k in item for k in RECORD_MARKERS):
        return "no msg or message field"
    return None


def decode(method: str, content_type: str, args: MultiDict, body: bytes) -> list[Any]:
    """Return one item per record in the request (check each with `problem`)."""
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if method == "GET" or (not body and not mimetype):
        fields = _strip_url_params(args)
        if not fields:
            raise DecodeError("no record: the query string has no fields (send name, msg, levelname, ...)")
        items: list[Any] = [fields]
    elif not body:
        raise DecodeError("empty body: no record")
    elif body[:2] == b"\x1f\x8b":
        raise DecodeError("the body is gzip-compressed but the request has no Content-Encoding: gzip")
    elif mimetype == "application/x-www-form-urlencoded":
        items = _form(body)
    elif mimetype in ("application/json", "text/json"):
        items = _json(body)
    elif mimetype in ("application/x-ndjson", "application/jsonlines", "application/x-jsonlines"):
        items = _ndjson(body)
    elif not mimetype and body.lstrip()[:1] in (b"{", b"["):
        items = _json(body)
    else:
        shown = mimetype or "none"
        raise DecodeError(f"unsupported Content-Type {shown}: send application/x-www-form-urlencoded "
                          "(HTTPHandler), application/json or application/x-ndjson")
    if not items:
        raise DecodeError("no record: the body holds an empty list")
    return items
