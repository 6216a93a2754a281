"""The request bin: any method on /inspect/<path> is captured and answered with a JSON echo.

The echo is httpbin's /anything in spirit (method, path, args, form, files with
sizes, headers, origin), built from the captured row, so what we answer is what
the inspector shows: secrets in it are already redacted.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.routing import Rule

from ..store.writer import get_writer
from ..web.body import UnreadableBody, read_body
from .body import as_text, form_fields, pairs
from .capture import capture, redactor

bp = Blueprint("requestbin", __name__)
PATHS = ("/inspect", "/inspect/", "/inspect/<path:path>")


def flatten(items: list[list[str]] | list[tuple[str, str]]) -> dict[str, Any]:
    """httpbin's semiflatten: a key sent once maps to its value, a repeated key to the list."""
    out: dict[str, Any] = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return {key: values[0] if len(values) == 1 else values for key, values in out.items()}


def json_or_none(body: bytes) -> Any:
    """The body parsed as one JSON document, or None."""
    text = as_text(body)
    try:
        return json.loads(text) if text and text.strip() else None
    except (ValueError, RecursionError):
        return None


def echo(row: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The answer to a bin request, from its capture row and the body as read (not cut at the cap)."""
    headers = json.loads(row["headers"])
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    fields = form_fields(content_type, body)
    files: list[list[Any]] = [[f["field"], {"filename": f["filename"], "content_type": f["content_type"],
                                            "size": f["size"]}] for f in fields["files"]]
    data = "" if fields["form"] or files else as_text(body)
    if data is None:
        data = "data:application/octet-stream;base64," + base64.b64encode(body).decode("ascii")
    return {
        "method": row["method"], "path": row["path"],
        "url": request.base_url + (f"?{row['query']}" if row["query"] else ""),
        "args": flatten(pairs(row["query"])), "form": flatten(fields["form"]), "files": flatten(files),
        "data": data, "json": json_or_none(body),
        "headers": flatten(headers), "origin": row["remote_addr"], "body_size": row["body_size"],
    }


def storable(answer: dict[str, Any], cap: int) -> dict[str, Any]:
    """Our answer as kept for the Response tab: in full unless it dwarfs the body cap."""
    size = len(json.dumps(answer, ensure_ascii=False))
    if size <= 4 * cap:
        return answer
    return {"note": f"echo of {size:,} bytes not stored (over 4 x the body cap)", "method": answer["method"],
            "path": answer["path"], "files": answer["files"]}


def bin_request(path: str = "") -> ResponseReturnValue:
    """Capture the request, wait until it is stored, then answer the echo (or 413/503)."""
    cfg = current_app.config
    status, reason = 200, None
    try:
        body, body_size = read_body(request, cfg["MAX_BODY"])
    except UnreadableBody as e:
        body, body_size, status, reason = b"", 0, e.status, e.reason
    if body_size > cfg["MAX_BODY"]:
        status, reason = 413, f"body over {cfg['MAX_BODY']:,} bytes ({body_size:,} sent)"
    row = capture(request, body, body_size, status=status, reason=reason, body_cap=cfg["REQUEST_BODY_CAP"])
    shown = redactor().body(request.headers.get("Content-Type"), body)  # the echo is stored: secrets out
    answer = {"error": reason} if reason else echo(row, shown)
    row["response"] = json.dumps(storable(answer, cfg["REQUEST_BODY_CAP"]), ensure_ascii=False)
    stored = get_writer().store([], row)
    return jsonify(answer), status, {"X-Logdash-Inspector": f"/inspector/{stored.request_id}"}


@bp.record_once
def _any_method(state: Any) -> None:
    """Route every method (PROPFIND too): a Rule without `methods` matches any; Flask adds no OPTIONS reply."""
    state.app.view_functions["requestbin.bin_request"] = bin_request
    for path in PATHS:
        state.app.url_map.add(Rule(path, endpoint="requestbin.bin_request", strict_slashes=False))
