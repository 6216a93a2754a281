"""The one way through of every ingest endpoint: records in, stored, and only then answered.

/ingest and /v1/logs differ in how a body becomes records and in how they answer; reading the body
within the limit, the token and cross-site checks, decompression, parsing each record, the capture
for the inspector, the writer's commit (503 when it is full) and the refusals log are shared here.
Every answer, accepted or refused, is captured, because most log clients ignore it.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Request, Response, current_app, request

from ..inspector.capture import capture
from ..store.writer import StoreUnavailable, get_writer
from ..web.body import UnreadableBody, read_body
from ..web.security import Refused, allowed_origins, check_not_cross_site, check_token
from .decode import URL_PARAMS, DecodeError, decompress, problem
from .limits import MAX_RECORDS
from .parse import MAX_FIELDS, RecordError, parse_record, to_row
from .refusals import RefusalLog

log = logging.getLogger(__name__)
refusals = RefusalLog()  # per worker process


@dataclass
class Batch:
    """What a request carried: the rows to store, why each refused item was refused, notes on the stored."""
    rows: list[dict[str, Any]]
    refused: list[str]
    notes: list[str]


@dataclass(frozen=True)
class Endpoint:
    """How one ingest URL reads its records and words its answers.

    `read(request, body)` gives (item, app) pairs (an item is a field mapping or decode.Invalid) and
    notes, raising Refused or DecodeError; `accepted(batch)` and `refused(status, reason)` are the
    payloads (JSON-able, as captured); `reply(payload, status, headers)` sends one."""
    read: Callable[[Request, bytes], tuple[list[tuple[Any, str | None]], list[str]]]
    accepted: Callable[[Batch], dict[str, Any]]
    refused: Callable[[int, str], dict[str, Any]]
    reply: Callable[[dict[str, Any], int, dict[str, str]], Response]


def checked_body(req: Request, body: bytes, body_size: int) -> bytes:
    """The body without its Content-Encoding, once the request passed the checks every ingest makes.

    HEAD is refused (405): Flask answers HEAD with the GET view, and a HEAD must not store anything."""
    cfg = current_app.config
    limit = cfg["MAX_BODY"]
    if req.method == "HEAD":
        raise Refused(405, "HEAD stores nothing: send records with POST (or GET)", {"Allow": "GET, POST"})
    if body_size > limit:
        raise Refused(413, f"body over {limit:,} bytes ({body_size:,} sent)")
    if len(req.query_string) > limit:
        raise Refused(414, f"GET URL too long (over {limit:,} bytes); use HTTPHandler(..., method=\"POST\")")
    if (fields := req.query_string.count(b"&") + 1) > MAX_FIELDS + len(URL_PARAMS):  # before Werkzeug builds them
        raise Refused(400, f"record has {fields} fields in the URL; the limit is {MAX_FIELDS}")
    check_token(req, cfg["INGEST_TOKEN"])
    check_not_cross_site(req, allowed_origins(cfg["INGEST_ORIGINS"]))
    return decompress(body, req.headers.get("Content-Encoding", ""), limit)


def parse_items(items: list[tuple[Any, str | None]], source: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The storable rows of (item, app) pairs, and a reason for each item refused (numbered when several)."""
    if len(items) > MAX_RECORDS:
        raise Refused(413, f"{len(items):,} records in one request; the limit is {MAX_RECORDS:,}: send smaller batches")
    received = time.time()
    rows, refused = [], []
    for number, (item, app) in enumerate(items, 1):
        try:
            reason = problem(item)
            if reason is None:
                rows.append(to_row(parse_record(item, received=received, app=app, source=source)))
        except RecordError as e:
            reason = str(e)
        except Exception:
            log.exception("could not parse record %d", number)
            reason = "record could not be read (server error, see the server log)"
        if reason is not None:
            refused.append(reason if len(items) == 1 else f"record {number}: {reason}")
    return rows, refused


def batch_of(endpoint: Endpoint, req: Request, body: bytes, body_size: int) -> Batch:
    """Check, decode and parse the request; Refused when nothing in it can be stored."""
    try:
        items, notes = endpoint.read(req, checked_body(req, body, body_size))
    except DecodeError as e:
        raise Refused(e.status, str(e)) from None
    except Refused:
        raise
    except Exception:
        log.exception("could not decode the body")
        raise Refused(400, "body could not be read (server error, see the server log)") from None
    rows, refused = parse_items(items, req.remote_addr)
    if refused and not rows:
        raise Refused(400, "; ".join(refused[:3]) + (f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""))
    return Batch(rows, refused, notes)


def receive(endpoint: Endpoint) -> Response:
    """Store the records carried by this request; answer only after they are committed."""
    cfg = current_app.config
    body, body_size, unreadable = b"", 0, None
    try:
        body, body_size = read_body(request, cfg["MAX_BODY"])
    except UnreadableBody as e:
        unreadable = Refused(e.status, e.reason)
    writer = get_writer()

    def captured(status: int, reason: str | None, response: dict[str, Any]) -> dict[str, Any]:
        return capture(request, body, body_size, status=status, reason=reason,
                       response=response, body_cap=cfg["REQUEST_BODY_CAP"])

    try:
        if unreadable is not None:
            raise unreadable
        batch = batch_of(endpoint, request, body, body_size)
    except Refused as e:
        payload = endpoint.refused(e.status, e.reason)
        writer.keep_refused(captured(e.status, e.reason, payload))
        refusals.refused(e.status, e.reason, request.remote_addr, request.path)
        return endpoint.reply(payload, e.status, e.headers)

    payload = endpoint.accepted(batch)
    reason = "; ".join(batch.notes) or None
    if batch.refused:
        total = len(batch.rows) + len(batch.refused)
        reason = f"{len(batch.refused)} of {total} records refused: {batch.refused[0]}"
    try:
        writer.store(batch.rows, captured(200, reason, payload))
    except StoreUnavailable as e:
        refusals.refused(503, str(e), request.remote_addr, request.path)
        return endpoint.reply(endpoint.refused(503, str(e)), 503, {"Retry-After": str(e.retry_after)})
    return endpoint.reply(payload, 200, {})
