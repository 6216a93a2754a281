"""POST /v1/logs bodies: an OTLP ExportLogsServiceRequest, in protobuf or OTLP/JSON, as one item per log record.

Protobuf is read whole by the generated classes of opentelemetry-proto. OTLP/JSON is the proto3 JSON
mapping with the specification's deviations: trace and span ids are hex (not base64), enums are
numbers, 64-bit integers are numbers or strings, unknown fields are ignored. Its envelope
(resourceLogs, scopeLogs, logRecords) is walked here and each message is read by json_format on its
own, so one malformed log record is refused alone while the others are stored.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError as ProtobufError
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from .decode import DecodeError, Invalid, read_json
from .limits import MAX_RECORDS
from .otlp_fields import attributes, pick_app, record_fields
from .parse import RecordError

__all__ = ["JSON", "PROTOBUF", "read_logs", "request_json"]

PROTOBUF, JSON = "application/x-protobuf", "application/json"
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")
_IDS = (("traceId", "trace_id"), ("spanId", "span_id"))
Group = tuple[Resource, InstrumentationScope, list[Any]]  # log records (or Invalid) of one scope


def read_logs(mimetype: str, body: bytes, url_app: str | None) -> list[tuple[Any, str | None]]:
    """(fields for parse_record or an Invalid, app) per log record, in the order sent."""
    if mimetype == PROTOBUF:
        groups = _protobuf(body)
    elif mimetype == JSON:
        groups = list(_json(body))
    else:
        raise DecodeError(f"unsupported Content-Type {mimetype or 'none'}: OTLP/HTTP logs are "
                          f"{PROTOBUF} or {JSON}", 415)
    count = sum(len(records) for _, _, records in groups)
    if count > MAX_RECORDS:
        raise DecodeError(f"{count:,} log records in one request; the limit is {MAX_RECORDS:,}: "
                          "send smaller batches (max_export_batch_size)", 413)
    items: list[tuple[Any, str | None]] = []
    for resource, scope, records in groups:
        resource_attrs = attributes(resource.attributes)
        app = pick_app(resource_attrs, url_app)
        for record in records:
            if not isinstance(record, Invalid):
                try:
                    record = record_fields(record, scope, resource_attrs, app)
                except RecordError as e:
                    record = Invalid(str(e))
            items.append((record, app))
    return items


def _protobuf(body: bytes) -> list[Group]:
    request = ExportLogsServiceRequest()
    try:
        request.ParseFromString(body)
    except ProtobufError as e:
        raise DecodeError(f"the body is not an OTLP ExportLogsServiceRequest in protobuf ({str(e)[:200]})") from None
    return [(rl.resource, sl.scope, list(sl.log_records)) for rl in request.resource_logs for sl in rl.scope_logs]


# --- OTLP/JSON -------------------------------------------------------------------------------

def _list(parent: dict[str, Any], name: str, where: str) -> list[dict[str, Any]]:
    """The array `name` (lowerCamelCase, or the proto's snake_case) of an object; each item an object."""
    snake = re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), name)
    value = parent.get(name, parent.get(snake))
    if value is None:
        return []
    if not isinstance(value, list):
        raise DecodeError(f"{where}{name} is not an array")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise DecodeError(f"{where}{name}[{i}] is not an object")
    return value


def _parse(value: Any, message: Message, where: str) -> Message:
    """`value` read into `message` by json_format (unknown fields ignored); ValueError saying what is wrong."""
    if value is None:
        return message
    try:
        return json_format.ParseDict(value, message, ignore_unknown_fields=True)
    except (json_format.ParseError, RecursionError) as e:
        raise ValueError(f"{where}: {str(e)[:300]}") from None


def _hex_ids(record: dict[str, Any], where: str) -> dict[str, Any]:
    """A log record object with its hex traceId/spanId as the base64 json_format reads for bytes."""
    out = dict(record)
    for key in (k for pair in _IDS for k in pair if k in record):
        value = out.pop(key)
        if value in (None, ""):
            continue
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise ValueError(f"{where}.{key}: {str(value)[:40]!r} is not hex (OTLP/JSON ids are hex strings)")
        out[key] = base64.b64encode(bytes.fromhex(value)).decode("ascii")
    return out


def _json(body: bytes) -> Iterator[Group]:
    doc = read_json(body)
    if not isinstance(doc, dict):
        raise DecodeError("OTLP/JSON logs are one object with resourceLogs, not "
                          f"{'an array' if isinstance(doc, list) else type(doc).__name__}")
    for i, rl in enumerate(_list(doc, "resourceLogs", "")):
        try:
            resource = _parse(rl.get("resource"), Resource(), f"resourceLogs[{i}].resource")
            for j, sl in enumerate(_list(rl, "scopeLogs", f"resourceLogs[{i}].")):
                where = f"resourceLogs[{i}].scopeLogs[{j}]"
                scope = _parse(sl.get("scope"), InstrumentationScope(), f"{where}.scope")
                yield resource, scope, [_record(lr, f"{where}.logRecords[{k}]")
                                        for k, lr in enumerate(_list(sl, "logRecords", f"{where}."))]
        except ValueError as e:
            if isinstance(e, DecodeError):
                raise
            raise DecodeError(str(e)) from None


def _record(value: dict[str, Any], where: str) -> LogRecord | Invalid:
    try:
        return _parse(_hex_ids(value, where), LogRecord(), where)
    except ValueError as e:
        return Invalid(str(e))


def request_json(body: bytes) -> dict[str, Any] | None:
    """A protobuf body as OTLP/JSON (hex ids), for people to read; None when it is no ExportLogsServiceRequest."""
    request = ExportLogsServiceRequest()
    try:
        request.ParseFromString(body)
    except ProtobufError:
        return None
    doc = json_format.MessageToDict(request)
    for rl in doc.get("resourceLogs", []):
        for sl in rl.get("scopeLogs", []):
            for lr in sl.get("logRecords", []):
                for key in ("traceId", "spanId"):
                    if key in lr:
                        lr[key] = base64.b64decode(lr[key]).hex()
    return doc
