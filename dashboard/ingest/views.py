"""POST/GET /ingest: records in, stored, and only then answered.

Every answer, accepted or refused, is captured for the inspector, because the
stock HTTPHandler ignores it.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, Request, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from ..inspector.capture import capture
from ..store.writer import StoreUnavailable, get_writer
from ..web.body import UnreadableBody, read_body
from ..web.security import Refused, allowed_origins, check_not_cross_site, check_token, cors_headers, preflight
from .decode import NOTE_FIELD, URL_PARAMS, DecodeError, decode, decompress, problem
from .extras import FormFields
from .limits import MAX_RECORDS
from .parse import MAX_FIELDS, RecordError, parse_record, to_row
from .refusals import RefusalLog

bp = Blueprint("ingest", __name__)
log = logging.getLogger(__name__)
refusals = RefusalLog()  # per worker process


def records_of(req: Request, body: bytes, body_size: int) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Check and parse the request: the storable rows, a reason for each item refused, notes on what was stored.

    HEAD is refused (405): Flask answers HEAD with the GET view, and a HEAD must not store anything.

    Raises Refused when nothing in the request can be stored.
    """
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
    try:
        body = decompress(body, req.headers.get("Content-Encoding", ""), limit)
        items = decode(req.method, req.content_type or "", req.args, body)
    except DecodeError as e:
        raise Refused(e.status, str(e)) from None
    except Exception:
        log.exception("could not decode the body")
        raise Refused(400, "body could not be read (server error, see the server log)") from None
    if len(items) > MAX_RECORDS:
        raise Refused(413, f"{len(items):,} records in one request; the limit is {MAX_RECORDS:,}: send smaller batches")
    notes = sorted({item[NOTE_FIELD] for item in items if isinstance(item, FormFields) and NOTE_FIELD in item})
    received, app_name = time.time(), req.args.get("app") or None
    rows, refused = [], []
    for number, item in enumerate(items, 1):
        try:
            reason = problem(item)
            if reason is None:
                rows.append(to_row(parse_record(item, received=received, app=app_name, source=req.remote_addr)))
        except RecordError as e:
            reason = str(e)
        except Exception:
            log.exception("could not parse record %d", number)
            reason = "record could not be read (server error, see the server log)"
        if reason is not None:
            refused.append(reason if len(items) == 1 else f"record {number}: {reason}")
    if not rows:
        raise Refused(400, "; ".join(refused[:3]) + (f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""))
    return rows, refused, notes


def _answer(payload: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    resp = jsonify(payload)
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


@bp.route("/ingest", methods=["OPTIONS"], provide_automatic_options=False)
def ingest_preflight() -> ResponseReturnValue:
    """CORS preflight: allowed only for the browser origins in LOGDASH_INGEST_ORIGINS."""
    return preflight(request, allowed_origins(current_app.config["INGEST_ORIGINS"]))


@bp.after_request
def _cors(resp: Response) -> Response:
    return cors_headers(request, resp, allowed_origins(current_app.config["INGEST_ORIGINS"]))


@bp.route("/ingest", methods=["GET", "POST"])
def ingest() -> ResponseReturnValue:
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
        rows, refused, notes = records_of(request, body, body_size)
    except Refused as e:
        payload = {"error": e.reason}
        writer.keep_refused(captured(e.status, e.reason, payload))
        refusals.refused(e.status, e.reason, request.remote_addr, request.path)
        return _answer(payload, e.status, e.headers)

    payload: dict[str, Any] = {"accepted": len(rows)}
    reason = "; ".join(notes) or None
    if notes:
        payload["notes"] = notes
    if refused:
        payload["rejected"] = refused
        reason = f"{len(refused)} of {len(rows) + len(refused)} records refused: {refused[0]}"
    try:
        writer.store(rows, captured(200, reason, payload))
    except StoreUnavailable as e:
        refusals.refused(503, str(e), request.remote_addr, request.path)
        raise
    return _answer(payload, 200)
