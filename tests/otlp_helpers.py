"""The real OpenTelemetry SDK logging to a logdash server, and what the SDK itself recorded.

A LoggerProvider with the stock OTLP/HTTP exporter (opentelemetry-exporter-otlp-proto-http) and, beside
it, the SDK's in-memory exporter: the tests compare what logdash stored with the SDK's own records.
"""
from __future__ import annotations

import base64
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer

PROTOBUF = "application/x-protobuf"


@dataclass
class Sdk:
    """An app's logging through the SDK: a stdlib logger, a tracer, and the records the SDK made."""
    logger: logging.Logger
    tracer: Tracer
    memory: InMemoryLogRecordExporter

    def sent(self) -> Sequence[Any]:
        """The SDK's ReadableLogRecords, in the order logged."""
        return self.memory.get_finished_logs()


@contextmanager
def otel_logging(url: str, *, service: str | None = "billing", logger: str = "shop.payments",
                 compression: Compression | None = None, headers: dict[str, str] | None = None) -> Iterator[Sdk]:
    """Log through the SDK's LoggingHandler to `url` (…/v1/logs), one export per record (a simple processor)."""
    attributes = {"deployment.environment": "test"} | ({"service.name": service} if service else {})
    provider = LoggerProvider(resource=Resource.create(attributes))
    memory = InMemoryLogRecordExporter()
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    exporter = OTLPLogExporter(endpoint=url, compression=compression, headers=headers, timeout=15)
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    with warnings.catch_warnings():  # the SDK's own handler says it moves to opentelemetry-instrumentation-logging
        warnings.simplefilter("ignore", DeprecationWarning)
        handler = LoggingHandler(logger_provider=provider)
    app_logger = logging.Logger(logger, level=1)  # detached: no pytest handler formats the record first
    app_logger.addHandler(handler)
    try:
        yield Sdk(app_logger, TracerProvider().get_tracer("checkout"), memory)
    finally:
        provider.shutdown()


def protobuf_body(records: Sequence[Any]) -> bytes:
    """The exporter's own encoding of `records` (what it POSTs)."""
    return encode_logs(records).SerializeToString()


def otlp_json(records: Sequence[Any]) -> dict[str, Any]:
    """`records` as an OTLP/JSON document: the proto3 JSON mapping with the specification's changes
    (enums as numbers, trace and span ids as hex, here upper case: case does not matter), and 64-bit
    integers sometimes as numbers (receivers take both)."""
    doc = json_format.MessageToDict(encode_logs(records), use_integers_for_enums=True)
    for rl in doc["resourceLogs"]:
        for sl in rl["scopeLogs"]:
            for lr in sl["logRecords"]:
                for key in ("traceId", "spanId"):
                    if key in lr:
                        lr[key] = base64.b64decode(lr[key]).hex().upper()
                lr["timeUnixNano"] = int(lr["timeUnixNano"])
    return doc


def hex_ids(span: Any) -> tuple[str, str]:
    """(trace id, span id) of a span as W3C hex."""
    context = span.get_span_context()
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"
