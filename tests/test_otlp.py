"""The OpenTelemetry SDK's own exporter logs to /v1/logs: every field arrives where the README's table says.

Expected values come from the SDK's own records (its in-memory exporter) and from the span the records
were logged in, never from our decoder. OTLP/JSON documents are built from the same records by the
SDK's encoder, so the two encodings must store identical records.
"""
from __future__ import annotations

import json
import logging

import pytest
import websocket
from conftest import Live, http
from opentelemetry import trace as trace_api
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from otlp_helpers import PROTOBUF, hex_ids, otel_logging, otlp_json, protobuf_body

PYTHON_LEVELS = {SeverityNumber.DEBUG: 10, SeverityNumber.INFO: 20, SeverityNumber.WARN: 30,  # the README's table
                 SeverityNumber.ERROR: 40, SeverityNumber.FATAL: 50}
CODE_KEYS = {"code.file.path", "code.function.name", "code.line.number", "code.filepath", "code.function",
             "code.lineno"}


def stored(live: Live, **args: str) -> list[dict]:
    """Every matching record in full, in the order they were stored, as /api/records/<id> answers it
    (the list is in time order, and records sent again keep their time)."""
    return [live.get(f"/api/records/{i}")[1] for i in sorted(r["id"] for r in live.records(**args))]


def log_a_checkout(sdk) -> tuple[str, str]:
    """Log as an app would, inside a span: a warning with extras and args, and an exception."""
    with sdk.tracer.start_as_current_span("checkout") as span:
        sdk.logger.warning("charged %s for order %s", "12.50 EUR", "o-77", extra={"order": "o-77", "items": 3,
                                                                                 "ratio": 0.5, "paid": True})
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            sdk.logger.exception("payment failed")
    sdk.logger.info("outside any span")
    return hex_ids(span)


def expected(sent, service: str = "billing") -> dict:
    """What logdash must store for one SDK record, read off the SDK's ReadableLogRecord."""
    log = sent.log_record
    attrs = dict(log.attributes)
    resource = {f"resource.{k}": v for k, v in sent.resource.attributes.items() if k != "service.name"}
    extras = {k: v for k, v in attrs.items() if k not in CODE_KEYS and not k.startswith("exception.")} | resource
    out = {"app": service, "name": sent.instrumentation_scope.name, "levelno": PYTHON_LEVELS[log.severity_number],
           "levelname": log.severity_text, "message": log.body, "extra": extras,
           "pathname": attrs.get("code.file.path", attrs.get("code.filepath")),
           "funcName": attrs.get("code.function.name", attrs.get("code.function")),
           "lineno": attrs.get("code.line.number", attrs.get("code.lineno")),
           "exc_text": attrs.get("exception.stacktrace"), "exc_type": attrs.get("exception.type"),
           "exc_value": attrs.get("exception.message"),
           "trace_id": f"{log.trace_id:032x}" if log.trace_id else None,
           "span_id": f"{log.span_id:016x}" if log.span_id else None}
    return out


def test_the_sdk_exporter_stores_every_field(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs") as sdk:
        trace, span = log_a_checkout(sdk)
        sent = sdk.sent()
    records = stored(live)
    assert len(records) == len(sent) == 3
    for record, one in zip(records, sent, strict=True):
        assert {k: record[k] for k in expected(one)} == expected(one)
        assert record["created"] == pytest.approx(one.log_record.timestamp / 1e9, abs=1e-6)
    warning, failure, untraced = records
    # and against the facts themselves, not only the SDK's view of them
    assert (warning["levelno"], warning["levelname"]) == (30, "WARN")
    assert warning["message"] == "charged 12.50 EUR for order o-77"
    assert warning["extra"]["order"] == "o-77" and warning["extra"]["items"] == 3 and warning["extra"]["paid"] is True
    assert (warning["name"], warning["funcName"], warning["pathname"]) == ("shop.payments", "log_a_checkout", __file__)
    assert (failure["levelno"], failure["exc_type"]) == (40, "ZeroDivisionError")
    assert failure["exc_value"] == "division by zero"
    assert failure["exc_text"].startswith("Traceback (most recent call last):") and "1 / 0" in failure["exc_text"]
    assert (warning["trace_id"], warning["span_id"]) == (failure["trace_id"], failure["span_id"]) == (trace, span)
    assert (untraced["trace_id"], untraced["span_id"], untraced["levelname"]) == (None, None, "INFO")
    assert warning["extra"]["resource.deployment.environment"] == "test"
    assert "resource.service.name" not in warning["extra"]  # it is the app


def test_json_and_protobuf_store_identical_records(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs") as sdk:  # the exporter sends protobuf
        log_a_checkout(sdk)
        sent = sdk.sent()
    doc = otlp_json(sent)
    doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["aFieldFromTheFuture"] = {"x": 1}  # must be ignored
    status, answer = live.post("/v1/logs", json.dumps(doc).encode(), "application/json")
    assert (status, answer) == (200, {})
    status, raw = http(f"{live.url}/v1/logs", protobuf_body(sent), {"Content-Type": PROTOBUF})
    assert status == 200 and raw == ""  # an empty ExportLogsServiceResponse is zero bytes
    records = stored(live)
    assert len(records) == 9 and len({r["request_id"] for r in records}) == 5  # 3 exports of 1, then 2 of 3
    exported, as_json, as_protobuf = ([{k: v for k, v in r.items() if k not in ("id", "request_id")}
                                       for r in records[i:i + 3]] for i in (0, 3, 6))
    assert exported == as_json == as_protobuf


def test_gzip_export_and_the_inspector_shows_the_protobuf_decoded(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs", compression=Compression.Gzip) as sdk:
        sdk.logger.error("compressed %d", 1)
    (record,) = live.records()
    assert record["message"] == "compressed 1"
    request = live.get(f"/api/requests/{record['request_id']}")[1]
    assert ["Content-Encoding", "gzip"] in request["headers"] and request["status"] == 200
    assert request["view"]["body"]["label"] == "OTLP protobuf, decoded to OTLP/JSON"
    decoded = json.loads(request["view"]["body"]["text"])
    body = decoded["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["body"]
    assert body == {"stringValue": "compressed 1"}


def test_service_name_is_the_app_and_the_url_app_fills_in_for_none(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs?app=fallback", service="orders") as sdk:
        sdk.logger.info("named")
    with otel_logging(f"{live.url}/v1/logs?app=fallback", service=None) as sdk:  # unknown_service:python
        sdk.logger.info("unnamed")
        default = sdk.sent()[0].resource.attributes["service.name"]
    assert default.startswith("unknown_service")
    apps = {r["message"]: (r["app"], r["extra"].get("resource.service.name")) for r in live.records()}
    assert apps == {"named": ("orders", None), "unnamed": ("fallback", default)}  # the default kept as an extra


def test_filter_by_trace_in_the_api_and_the_live_tail(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs") as sdk:
        with sdk.tracer.start_as_current_span("first") as first:
            sdk.logger.info("first trace, before the tail")
        trace, _ = hex_ids(first)
        ws = websocket.create_connection(f"ws://{live.host}:{live.port}/ws/tail?after=0&trace_id={trace}", timeout=10)
        try:
            assert json.loads(ws.recv())["record"]["message"] == "first trace, before the tail"
            with sdk.tracer.start_as_current_span("second"):
                sdk.logger.info("second trace")
            sdk.logger.info("no trace")
            with sdk.tracer.start_as_current_span("child", context=trace_api.set_span_in_context(first)):
                sdk.logger.warning("first trace, later span")
            message = json.loads(ws.recv())["record"]
            assert (message["message"], message["trace_id"]) == ("first trace, later span", trace)
            ws.settimeout(0.3)
            with pytest.raises(websocket.WebSocketTimeoutException):
                ws.recv()
        finally:
            ws.close()
    found = live.records(trace_id=trace)
    assert [r["message"] for r in found] == ["first trace, later span", "first trace, before the tail"]
    assert len({r["span_id"] for r in found}) == 2
    assert [r["message"] for r in live.records(span_id=found[1]["span_id"])] == ["first trace, before the tail"]


def test_log_levels_through_the_sdk_keep_python_numbers(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs") as sdk:
        for level in (logging.DEBUG, logging.INFO, 25, logging.WARNING, logging.ERROR, logging.CRITICAL):
            sdk.logger.log(level, "at %d", level)
    got = [(r["levelno"], r["levelname"]) for r in reversed(live.records())]
    assert got == [(10, "DEBUG"), (20, "INFO"), (23, "Level 25"), (30, "WARN"), (40, "ERROR"), (50, "FATAL")]
