"""The ingest URLs: /ingest (the stock HTTPHandler, JSON and NDJSON) and /v1/logs (OpenTelemetry OTLP/HTTP).

Both go the one way through of `receive`; each says only how its body becomes records and how it answers.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Request, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from ..web.security import Refused, allowed_origins, cors_headers, preflight
from . import otlp, otlp_reply
from .decode import NOTE_FIELD, decode
from .extras import FormFields
from .receive import Batch, Endpoint, receive

bp = Blueprint("ingest", __name__)


def _json_answer(payload: dict[str, Any], status: int, headers: dict[str, str]) -> Response:
    resp = jsonify(payload)
    resp.status_code = status
    resp.headers.update(headers)
    return resp


def _ingest_items(req: Request, body: bytes) -> tuple[list[tuple[Any, str | None]], list[str]]:
    items = decode(req.method, req.content_type or "", req.args, body)
    notes = sorted({item[NOTE_FIELD] for item in items if isinstance(item, FormFields) and NOTE_FIELD in item})
    app_name = req.args.get("app") or None
    return [(item, app_name) for item in items], notes


def _ingest_accepted(batch: Batch) -> dict[str, Any]:
    payload: dict[str, Any] = {"accepted": len(batch.rows)}
    if batch.notes:
        payload["notes"] = batch.notes
    if batch.refused:
        payload["rejected"] = batch.refused
    return payload


INGEST = Endpoint(read=_ingest_items, accepted=_ingest_accepted, refused=lambda status, reason: {"error": reason},
                  reply=_json_answer)


def _protobuf_request() -> bool:
    return (request.mimetype or "") == otlp.PROTOBUF


def _otlp_items(req: Request, body: bytes) -> tuple[list[tuple[Any, str | None]], list[str]]:
    if req.method != "POST":
        raise Refused(405, "OTLP/HTTP logs are sent with POST", {"Allow": "POST"})
    return otlp.read_logs(req.mimetype or "", body, req.args.get("app") or None), []


def _otlp_accepted(batch: Batch) -> dict[str, Any]:
    message = "; ".join(batch.refused[:3]) + (f" (and {len(batch.refused) - 3} more)" if len(batch.refused) > 3 else "")
    return otlp_reply.accepted(len(batch.refused), message)


OTLP = Endpoint(read=_otlp_items, accepted=_otlp_accepted, refused=otlp_reply.failed,
                reply=lambda payload, status, headers: otlp_reply.reply(payload, status, headers, _protobuf_request()))


@bp.route("/ingest", methods=["OPTIONS"], provide_automatic_options=False)
@bp.route("/v1/logs", methods=["OPTIONS"], provide_automatic_options=False)
def ingest_preflight() -> ResponseReturnValue:
    """CORS preflight: allowed only for the browser origins in LOGDASH_INGEST_ORIGINS."""
    return preflight(request, allowed_origins(current_app.config["INGEST_ORIGINS"]))


@bp.after_request
def _cors(resp: Response) -> Response:
    return cors_headers(request, resp, allowed_origins(current_app.config["INGEST_ORIGINS"]))


@bp.route("/ingest", methods=["GET", "POST"])
def ingest() -> ResponseReturnValue:
    """Store the records carried by this request; answer only after they are committed."""
    return receive(INGEST)


@bp.route("/v1/logs", methods=["GET", "POST"])
def otlp_logs() -> ResponseReturnValue:
    """Store the log records of an OTLP/HTTP export (protobuf or JSON); answer in its encoding once committed."""
    return receive(OTLP)
