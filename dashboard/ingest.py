"""POST/GET /ingest: records in, stored, and only then answered.

Every answer, accepted or refused, is captured for the inspector, because the
stock HTTPHandler ignores it.
"""
from __future__ import annotations

import hmac
import json
import logging
import time
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from flask import Blueprint, Request, current_app, jsonify, request

from .capture import capture
from .decode import DecodeError, decode, problem
from .parse import RecordError, parse_record
from .writer import QueueFull, Writer

bp = Blueprint("ingest", __name__)
log = logging.getLogger(__name__)
COMMIT_TIMEOUT = 60.0


class Refused(Exception):
    """An ingest request we answer with an error status and a reason."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


def get_writer() -> Writer:
    """This process's writer (created by the app factory)."""
    return current_app.extensions["logdash.writer"]


def read_body(req: Request, limit: int) -> tuple[bytes, int]:
    """Read at most `limit` + 1 bytes; return them and the full size (declared or read)."""
    declared = req.content_length
    if declared is not None and declared > limit:
        return b"", declared
    body = req.stream.read(limit + 1)
    return body, declared if declared is not None else len(body)


def check_token(req: Request, token: str) -> None:
    """Accept the token as Basic password, Bearer token or ?token=; refuse 401 otherwise."""
    if not token:
        return
    auth = req.authorization
    sent = req.args.get("token")
    if auth is not None:
        sent = auth.password if auth.type == "basic" else auth.token
    if not sent:
        raise Refused(401, "token missing", {"WWW-Authenticate": 'Basic realm="logdash ingest"'})
    if not hmac.compare_digest(str(sent).encode(), token.encode()):
        raise Refused(401, "token wrong", {"WWW-Authenticate": 'Basic realm="logdash ingest"'})


def check_not_cross_site(req: Request) -> None:
    """Refuse a browser page on another site posting into our logs."""
    if req.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Refused(403, "cross-site browser request refused")
    origin = req.headers.get("Origin")
    if origin and origin != req.host_url.rstrip("/"):
        raise Refused(403, f"request from origin {origin} refused")


def records_of(req: Request, body: bytes, body_size: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Check and parse the request: the storable rows, and a reason for each item refused.

    Raises Refused when nothing in the request can be stored.
    """
    cfg = current_app.config
    limit = cfg["MAX_BODY"]
    if body_size > limit:
        raise Refused(413, f"body over {limit:,} bytes ({body_size:,} sent)")
    if len(req.query_string) > limit:
        raise Refused(414, f"GET URL too long (over {limit:,} bytes); use HTTPHandler(..., method=\"POST\")")
    check_token(req, cfg["INGEST_TOKEN"])
    check_not_cross_site(req)
    try:
        items = decode(req.method, req.content_type or "", req.args, body)
    except DecodeError as e:
        raise Refused(400, str(e)) from None
    received, app_name = time.time(), req.args.get("app") or None
    rows, refused = [], []
    for number, item in enumerate(items, 1):
        try:
            reason = problem(item)
            if reason is None:
                rows.append(to_row(parse_record(item, received=received, app=app_name, source=req.remote_addr)))
        except RecordError as e:
            reason = str(e)
        except Exception:  # noqa: BLE001 - a parser bug must not turn one bad record into a 500
            log.exception("could not parse record %d", number)
            reason = "record could not be read (server error, see the server log)"
        if reason is not None:
            refused.append(reason if len(items) == 1 else f"record {number}: {reason}")
    if not rows:
        raise Refused(400, "; ".join(refused[:3]) + (f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""))
    return rows, refused


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    """A parsed record as a database row (extras as JSON text)."""
    return dict(record, extra=json.dumps(record["extra"], ensure_ascii=False, default=str))


def _answer(payload: dict[str, Any], status: int, headers: dict[str, str] | None = None):  # noqa: ANN202
    resp = jsonify(payload)
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


@bp.route("/ingest", methods=["GET", "POST"])
def ingest():  # noqa: ANN201
    """Store the records carried by this request; answer only after they are committed."""
    cfg = current_app.config
    body, body_size = read_body(request, cfg["MAX_BODY"])
    writer = get_writer()

    def captured(status: int, reason: str | None, response: dict[str, Any]) -> dict[str, Any]:
        return capture(request, body, body_size, status=status, reason=reason,
                       response=response, body_cap=cfg["REQUEST_BODY_CAP"])

    try:
        rows, refused = records_of(request, body, body_size)
    except Refused as e:
        payload = {"error": e.reason}
        try:
            writer.submit([], captured(e.status, e.reason, payload))
        except QueueFull:
            log.warning("inspector capture dropped: writer queue full")
        return _answer(payload, e.status, e.headers)

    payload: dict[str, Any] = {"accepted": len(rows)}
    reason = None
    if refused:
        payload["rejected"] = refused
        reason = f"{len(refused)} of {len(rows) + len(refused)} records refused: {refused[0]}"
    try:
        writer.submit(rows, captured(200, reason, payload)).result(COMMIT_TIMEOUT)
    except QueueFull:
        return _answer({"error": "server busy: writer queue full, retry later"}, 503, {"Retry-After": "1"})
    except (FutureTimeout, RuntimeError) as e:
        log.error("ingest not stored: %s", e)
        return _answer({"error": "records could not be stored"}, 503, {"Retry-After": "5"})
    return _answer(payload, 200)
