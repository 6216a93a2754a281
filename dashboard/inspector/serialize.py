"""Captured-request rows to the JSON of DESIGN.md: a list entry, and one request in full.

The pages, the API, the live feed and the tests all read these two shapes.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from ..web.format import iso_time
from .body import body_view, form_fields, otlp_view, pairs
from .replay import curl_command, raw_text

UPPERCASED_NOTE = ("Names as normalised by the server (gunicorn upper-cases them); "
                   "order, repeats and values as received.")
ENVIRON_NOTE = ("Names and order as the WSGI server passed them on; "
                "a server may merge repeated headers into one.")


def header_list(row: Mapping[str, Any]) -> list[list[str]]:
    """The stored headers: [name, value] pairs in the order kept at capture."""
    return [list(pair) for pair in json.loads(row["headers"] or "[]")]


def header_value(headers: Sequence[Sequence[str]], name: str) -> str | None:
    """The first value of header `name` (case-insensitive), or None."""
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def headers_note(headers: Sequence[Sequence[str]]) -> str:
    """What the Headers tab can promise about names and order, by where they came from."""
    names = [name for name, _ in headers]
    return UPPERCASED_NOTE if names and all(n == n.upper() for n in names) else ENVIRON_NOTE


def body_json(body: bytes) -> dict[str, Any]:
    """`body` as UTF-8 text, or base64 with `body_base64: true` when it is not UTF-8."""
    try:
        return {"body": body.decode("utf-8"), "body_base64": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode("ascii"), "body_base64": True}


def status_text(status: int) -> str:
    """The standard phrase of a status code ("Bad Request"), or "" for an unknown code."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def summary_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One line of the request list (and of /ws/requests)."""
    headers = header_list(row)
    return {
        "id": row["id"], "time": iso_time(row["time"]), "created": row["time"],
        "method": row["method"], "path": row["path"], "query": row["query"],
        "remote_addr": row["remote_addr"], "status": row["status"], "status_text": status_text(row["status"]),
        "reason": row["reason"],
        "body_size": row["body_size"], "truncated": bool(row["truncated"]),
        "content_type": header_value(headers, "content-type"),
    }


def detail_json(row: Mapping[str, Any], record_ids: list[int], scheme: str = "http") -> dict[str, Any]:
    """One request in full: the DESIGN fields, our answer, and the inspector's parsed views."""
    headers = header_list(row)
    body = bytes(row["body"])
    content_type = header_value(headers, "content-type")
    fields = form_fields(content_type, body, complete=not row["truncated"])
    response = json.loads(row["response"]) if row["response"] else None
    shown = body_view(content_type, body)
    if row["path"] == "/v1/logs" and shown["kind"] == "binary" and not row["truncated"]:
        shown = otlp_view(body, header_value(headers, "content-encoding")) or shown
    return {
        **summary_json(row),
        "http_version": row["http_version"],
        "headers": headers,
        **body_json(body),
        "stored_size": len(body),
        "form": fields["form"],
        "files": fields["files"],
        "record_ids": record_ids,
        "response": response,
        "view": {
            "raw": raw_text(row, headers),
            "curl": curl_command(row, headers, scheme),
            "query": [list(p) for p in pairs(row["query"])],
            "parts": fields["parts"],
            "form_problem": fields["problem"],
            "body": shown,
            "headers_note": headers_note(headers),
            "response_text": None if response is None else json.dumps(response, indent=2, ensure_ascii=False),
        },
    }
