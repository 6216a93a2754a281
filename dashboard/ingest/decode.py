"""Read an ingest request's body (or query string) as a list of field mappings.

Every accepted shape lands here: the stock HTTPHandler's urlencoded POST and
its GET query string (via Werkzeug's parsers), a JSON object or array, and
NDJSON. Each failure raises DecodeError with a reason a person can act on.
"""
from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.formparser import parse_form_data

from .extras import FormFields

URL_PARAMS = ("app", "token")  # ours, on the ingest URL; not record fields
RECORD_MARKERS = ("msg", "message", "text", "event")


class DecodeError(ValueError):
    """The body cannot be read as records; str() says why."""


@dataclass(frozen=True)
class Invalid:
    """One unreadable item among readable ones (an NDJSON line); the others are still stored."""
    reason: str


def _strip_url_params(args: MultiDict) -> dict[str, Any]:
    """Query fields minus our own first `app`/`token` (HTTPHandler appends the record after them)."""
    fields = FormFields()
    seen: set[str] = set()
    for key, value in args.items(multi=True):
        if key in URL_PARAMS and key not in seen:
            seen.add(key)
            continue
        fields.setdefault(key, value)
    return fields


def _form(body: bytes, content_type: str) -> list[Mapping[str, Any]]:
    environ = {
        "REQUEST_METHOD": "POST", "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
    }
    _, form, _ = parse_form_data(environ, silent=False)
    return [FormFields(form.to_dict(flat=True))]


def _json(text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise DecodeError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    return value if isinstance(value, list) else [value]


def _ndjson(text: str) -> list[Any]:
    out: list[Any] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            out.append(Invalid(f"invalid JSON on line {lineno} column {e.colno}: {e.msg}"))
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
    elif mimetype == "application/x-www-form-urlencoded":
        items = _form(body, content_type)
    elif mimetype in ("application/json", "text/json"):
        items = _json(_text(body))
    elif mimetype in ("application/x-ndjson", "application/jsonlines", "application/x-jsonlines"):
        items = _ndjson(_text(body))
    elif not mimetype and body.lstrip()[:1] in (b"{", b"["):
        items = _json(_text(body))
    else:
        shown = mimetype or "none"
        raise DecodeError(f"unsupported Content-Type {shown}: send application/x-www-form-urlencoded "
                          "(HTTPHandler), application/json or application/x-ndjson")
    if not items:
        raise DecodeError("no record: the body holds an empty list")
    return items
