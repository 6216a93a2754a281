"""Parsed views of a captured request's query and body for the inspector: pure, no HTTP.

Parsing is Werkzeug's: query strings and urlencoded forms with the very call
Request.args and Werkzeug's form parser make (`parse_qsl(..., keep_blank_values=True,
errors="werkzeug.url_quote")`), kept as ordered pairs instead of a MultiDict so the
order across keys survives; multipart bodies with Werkzeug's MultipartDecoder (the
engine of its MultiPartParser), which lets a body cut at the storage cap still
show every part up to the cut.
"""
from __future__ import annotations

import codecs
import json
import re
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" codec error handler
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from ..ingest.decode import DecodeError, decompress
from ..ingest.otlp import request_json

PREVIEW_CHARS = 4096   # text shown per multipart part
PREVIEW_HEX = 512      # bytes shown as hex per binary part
KEEP_FILE = PREVIEW_CHARS * 4  # bytes of a file part kept for its preview (UTF-8: up to 4 per char)
MAX_PARTS = 1000       # Werkzeug's own default for Request.max_form_parts
MAX_DECODED = 4 * 1024 * 1024  # bytes a compressed OTLP body may grow to for its decoded view
OTLP_LABEL = "OTLP protobuf, decoded to OTLP/JSON"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Pair = tuple[str, str]


def pairs(text: str) -> list[Pair]:
    """Key/value pairs of a query string or urlencoded body: order, repeats and blanks kept."""
    return parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")


def mimetype_of(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The lower-case mimetype and its options (boundary, charset), parsed by Werkzeug."""
    return parse_options_header(content_type or "")


def as_text(data: bytes, cut: bool = False) -> str | None:
    """The bytes as UTF-8 text, or None when not text (invalid UTF-8 or control bytes).

    `cut=True`: the bytes are a prefix, so a character split at the end is not an error.
    """
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(data, final=not cut)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def hex_dump(data: bytes, width: int = 16) -> list[str]:
    """`hexdump -C` lines: offset, hex bytes in two groups, printable ASCII column."""
    lines = []
    for start in range(0, len(data), width):
        chunk = data[start:start + width]
        hexes = " ".join(f"{b:02x}" for b in chunk[:8]) + "  " + " ".join(f"{b:02x}" for b in chunk[8:])
        ascii_ = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in chunk)
        lines.append(f"{start:08x}  {hexes:<{width * 3}}  |{ascii_}|")
    return lines


def pretty_json(data: bytes) -> str | None:
    """The body pretty-printed when it is JSON (or NDJSON: one document per line), else None."""
    text = as_text(data.strip()) if data.strip() else None
    if text is None:
        return None
    try:
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except json.JSONDecodeError:
            lines = [line for line in text.splitlines() if line.strip()]
            if len(lines) < 2:
                return None
            return "\n".join(json.dumps(json.loads(line), indent=2, ensure_ascii=False) for line in lines)
    except (ValueError, RecursionError):  # ValueError: not JSON, or an integer past Python's 4,300 digits
        return None


def body_view(content_type: str | None, data: bytes) -> dict[str, Any]:
    """How the Body tab shows the body: empty, pretty JSON, text, or a hex dump."""
    if not data:
        return {"kind": "empty"}
    pretty = pretty_json(data)
    if pretty is not None:
        return {"kind": "json", "text": pretty}
    text = as_text(data)
    if text is not None:
        return {"kind": "text", "text": text.replace("\r\n", "\n")}
    return {"kind": "binary", "hex": hex_dump(data)}


def otlp_view(data: bytes, content_encoding: str | None) -> dict[str, Any] | None:
    """An OTLP logs body in protobuf (the exporters' default) as pretty OTLP/JSON, or None when it is not one."""
    try:
        doc = request_json(decompress(data, content_encoding or "", MAX_DECODED))
    except DecodeError:
        return None
    return None if doc is None else {"kind": "json", "text": json.dumps(doc, indent=2, ensure_ascii=False),
                                     "label": OTLP_LABEL}


def _new_part(event: Field | File) -> dict[str, Any]:
    return {"field": event.name, "filename": event.filename if isinstance(event, File) else None,
            "content_type": event.headers.get("content-type"), "size": 0, "complete": False,
            "_data": bytearray()}


def _finish_part(part: dict[str, Any]) -> dict[str, Any]:
    """Turn the kept bytes into a text preview or a hex dump, saying whether it is clipped."""
    data = bytes(part.pop("_data"))
    if part["filename"] is None:
        part["value"] = data.decode("utf-8", "replace")
    text = as_text(data[:KEEP_FILE], cut=part["size"] > KEEP_FILE)
    if text is not None:
        preview = text[:PREVIEW_CHARS]
        shown = len(preview.encode("utf-8"))
        part["preview"], part["hex"] = preview.replace("\r\n", "\n"), None
    else:
        part["preview"], part["hex"] = None, hex_dump(data[:PREVIEW_HEX])
        shown = min(len(data), PREVIEW_HEX)
    part["preview_clipped"] = part["size"] > shown
    return part


def multipart_parts(data: bytes, boundary: str, complete: bool = True) -> tuple[list[dict[str, Any]], str | None]:
    """Every part (field, filename, content type, size, preview); a problem in words or None.

    `complete=False` (a body cut at the cap) shows the parts up to the cut, the last one
    marked incomplete, instead of failing.
    """
    decoder = MultipartDecoder(boundary.encode("latin-1"), max_parts=MAX_PARTS)
    parts: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    problem = None
    decoder.receive_data(data)
    if complete:
        decoder.receive_data(None)
    try:
        while not isinstance(event := decoder.next_event(), (NeedData, Epilogue)):
            if isinstance(event, (Field, File)):
                current = _new_part(event)
                parts.append(current)
            elif isinstance(event, Data) and current is not None:
                current["size"] += len(event.data)
                keep = len(event.data) if current["filename"] is None else KEEP_FILE - len(current["_data"])
                current["_data"] += event.data[:max(keep, 0)]
                current["complete"] = not event.more_data
    except Exception as e:
        problem = f"multipart body could not be read past part {len(parts)}: {e}"
    if not complete and (not parts or not parts[-1]["complete"]):
        problem = problem or "body cut at the storage cap: the last part is incomplete"
    return [_finish_part(p) for p in parts], problem


def form_fields(content_type: str | None, data: bytes, complete: bool = True) -> dict[str, Any]:
    """The body as a form: `form` pairs, `files`, multipart `parts`, and any `problem`."""
    mimetype, options = mimetype_of(content_type)
    out: dict[str, Any] = {"form": [], "files": [], "parts": [], "problem": None}
    if mimetype == "application/x-www-form-urlencoded":
        out["form"] = [list(p) for p in pairs(data.decode("utf-8", "replace"))]
    elif mimetype == "multipart/form-data":
        if not options.get("boundary"):
            out["problem"] = "multipart Content-Type without a boundary"
            return out
        parts, out["problem"] = multipart_parts(data, options["boundary"], complete)
        out["parts"] = parts
        out["form"] = [[p["field"], p["value"]] for p in parts if p["filename"] is None]
        out["files"] = [{"field": p["field"], "filename": p["filename"], "content_type": p["content_type"],
                         "size": p["size"]} for p in parts if p["filename"] is not None]
    return out
