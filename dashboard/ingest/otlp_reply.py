"""What /v1/logs answers, in the request's own encoding (OTLP/HTTP): an ExportLogsServiceResponse when
records were stored (its partial_success filled when some were refused), a google.rpc.Status otherwise.

The payloads are the OTLP/JSON shape of those messages, so the inspector shows what was answered
whichever encoding went over the wire.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response
from google.protobuf import json_format
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse

from .otlp import JSON, PROTOBUF

__all__ = ["accepted", "failed", "reply"]

# The gRPC code of each HTTP status we answer (OTLP clients may log it; they act on the HTTP status)
GRPC_CODES = {400: 3, 401: 16, 403: 7, 405: 12, 408: 4, 413: 8, 414: 3, 415: 3, 429: 8, 503: 14}
UNKNOWN = 2


def accepted(rejected: int, message: str | None) -> dict[str, Any]:
    """The ExportLogsServiceResponse: empty, or with how many log records were refused and why."""
    response = ExportLogsServiceResponse()
    if rejected:
        response.partial_success.rejected_log_records = rejected
        response.partial_success.error_message = message or ""
    return json_format.MessageToDict(response)


def failed(status: int, reason: str) -> dict[str, Any]:
    """The google.rpc.Status of a refused request."""
    return json_format.MessageToDict(Status(code=GRPC_CODES.get(status, UNKNOWN), message=reason))


def reply(payload: dict[str, Any], status: int, headers: dict[str, str], protobuf: bool) -> Response:
    """`payload` as protobuf or OTLP/JSON, whichever the request was."""
    if not protobuf:
        return Response(json.dumps(payload, ensure_ascii=False), status, headers, content_type=JSON)
    message = ExportLogsServiceResponse() if status == 200 else Status()
    return Response(json_format.ParseDict(payload, message).SerializeToString(), status, headers,
                    content_type=PROTOBUF)
