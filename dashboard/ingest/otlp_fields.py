"""One OpenTelemetry log record, restated in LogRecord field names for `parse_record`.

The README's OpenTelemetry table lists each mapping. Attributes become extras, except the semantic
conventions that have a LogRecord field of their own (`code.*`, `exception.*`, `thread.*`), which
the SDK's LoggingHandler fills from the Python record; resource and scope attributes are kept as
`resource.<key>` and `scope.<key>` extras. Pure: messages in, a dict out.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord

from .levels import LEVEL_NAMES
from .parse import MAX_FIELDS, RecordError
from .shippers import exception_text

__all__ = ["any_value", "attributes", "pick_app", "record_fields", "severity_level"]

SEVERITY_BANDS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")  # OTel numbers 1-4, 5-8, ... 21-24
# semantic attribute -> LogRecord field; the newer convention first (it wins when both came)
SEMANTIC_FIELDS = (("pathname", ("code.file.path", "code.filepath")),
                   ("funcName", ("code.function.name", "code.function")),
                   ("lineno", ("code.line.number", "code.lineno")),
                   ("thread", ("thread.id",)), ("threadName", ("thread.name",)))
UNKNOWN_SERVICE = "unknown_service"  # the SDKs' service.name when the app set none


def any_value(value: AnyValue) -> Any:
    """An AnyValue as a JSON value: bytes as base64 text, a kvlist as an object, nothing as null."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode("ascii")
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    return getattr(value, kind)  # string, bool, int or double


def attributes(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    """Repeated KeyValue as a dict (a repeated key: the last one wins, as in the SDKs)."""
    return {kv.key: any_value(kv.value) for kv in pairs}


def severity_level(number: int) -> tuple[int, str] | None:
    """(levelno, name) for an OTel severity number: the first of each band of four is the Python level
    (TRACE 1 -> 5, DEBUG 5 -> 10, INFO 9 -> 20, WARN 13 -> 30, ERROR 17 -> 40, FATAL 21 -> 50), the others
    step up from it (INFO2 -> 21); named as Python names that number, else as OTel does. None when unset."""
    if not 1 <= number <= 24:
        return None
    band, step = divmod(number - 1, 4)
    levelno = (5 if band == 0 else band * 10) + step
    return levelno, LEVEL_NAMES.get(levelno) or SEVERITY_BANDS[band] + (str(step + 1) if step else "")


def pick_app(resource: dict[str, Any], url_app: str | None) -> str | None:
    """The record's app: the resource's service.name, else the URL's `?app=` (also in place of the SDKs'
    `unknown_service:...` default), else that default as sent."""
    service = resource.get("service.name")
    service = service if isinstance(service, str) and service else None
    if service is not None and not service.startswith(UNKNOWN_SERVICE):
        return service
    return url_app or service


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _hex_id(raw: bytes) -> str | None:
    """An id's bytes as hex; None for none or all zeros (the protocol's "no trace")."""
    return raw.hex() if raw.strip(b"\0") else None


def record_fields(record: LogRecord, scope: InstrumentationScope, resource: dict[str, Any],
                  app: str | None) -> dict[str, Any]:
    """The fields `parse_record` reads, for one log record of `scope` under `resource` (its attributes)."""
    attrs = attributes(record.attributes)
    scope_attrs = attributes(scope.attributes)
    if len(attrs) + len(scope_attrs) + len(resource) > MAX_FIELDS:
        raise RecordError(f"record has {len(attrs) + len(scope_attrs) + len(resource)} attributes (with its "
                          f"resource and scope); the limit is {MAX_FIELDS}")
    fields: dict[str, Any] = {"name": scope.name, "message": "" if not record.HasField("body")
                              else _text(any_value(record.body))}
    nanos = record.time_unix_nano or record.observed_time_unix_nano
    if nanos:
        fields["created"] = nanos / 1e9
    level = severity_level(record.severity_number)
    if level is not None:
        fields["levelno"], fields["levelname"] = level
    if record.severity_text:
        fields["levelname"] = record.severity_text  # alone, parse_record reads it like any level name
    if record.severity_number and level is None:
        attrs.setdefault("severity_number", record.severity_number)  # outside 1-24: kept, not guessed
    for field, keys in SEMANTIC_FIELDS:
        found = [attrs.pop(key) for key in keys if key in attrs]
        if found:
            fields[field] = found[0]
    stack, kind, text = (attrs.pop(f"exception.{k}", None) for k in ("stacktrace", "type", "message"))
    if stack not in (None, ""):
        fields["exc_text"] = _text(stack)
    elif kind or text:
        fields["exc_text"] = exception_text(_text(kind or "Exception"), "" if text is None else _text(text))
    for key, raw in (("trace_id", record.trace_id), ("span_id", record.span_id)):
        if (found := _hex_id(raw)) is not None:
            fields[key] = found  # parse_record keeps one of the wrong length as an extra
    if getattr(record, "event_name", ""):
        attrs.setdefault("event_name", record.event_name)
    if scope.version:
        attrs.setdefault("scope.version", scope.version)
    for key, value in scope_attrs.items():
        attrs.setdefault(f"scope.{key}", value)
    for key, value in resource.items():
        if key != "service.name" or value != app:
            attrs.setdefault(f"resource.{key}", value)
    fields["extra"] = attrs
    return fields
