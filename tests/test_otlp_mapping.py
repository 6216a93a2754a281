"""A hand-written OTLP/JSON document, shaped as the specification writes them, maps as the README's table says.

Other senders than the Python SDK (a Collector, other languages) use the parts the SDK leaves out:
every AnyValue kind, bodies that are not text, the older `code.*` names, event names, severities
without text or text without a number, ids in upper case, 64-bit integers as strings or numbers.
"""
from __future__ import annotations

import json

import pytest
from conftest import Live

from dashboard.ingest.otlp_fields import severity_level


def kv(key: str, value: dict) -> dict:
    return {"key": key, "value": value}


DOC = {"resourceLogs": [{
    "resource": {"attributes": [kv("service.name", {"stringValue": "inventory"}),
                                kv("host.name", {"stringValue": "web-1"})]},
    "scopeLogs": [{
        "scope": {"name": "inventory.sync", "version": "2.1.0", "attributes": [kv("lib", {"stringValue": "x"})]},
        "logRecords": [
            {"timeUnixNano": "1700000000500000000", "observedTimeUnixNano": "1700000001000000000",
             "severityNumber": 17, "severityText": "Error",
             "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "EEE19B7EC3C1B174",
             "body": {"kvlistValue": {"values": [kv("event", {"stringValue": "sync failed"}),
                                                 kv("tries", {"intValue": "3"})]}},
             "attributes": [
                 kv("string.attribute", {"stringValue": "some string"}), kv("boolean.attribute", {"boolValue": True}),
                 kv("int.attribute", {"intValue": "10"}), kv("double.attribute", {"doubleValue": 637.704}),
                 kv("array.attribute", {"arrayValue": {"values": [{"stringValue": "many"}, {"intValue": 2}]}}),
                 kv("map.attribute", {"kvlistValue": {"values": [kv("some.map.key", {"stringValue": "v"})]}}),
                 kv("bytes.attribute", {"bytesValue": "AAEC/w=="}), kv("empty.attribute", {}),
                 kv("code.filepath", {"stringValue": "/srv/sync.py"}), kv("code.function", {"stringValue": "run"}),
                 kv("code.lineno", {"intValue": "42"}), kv("thread.name", {"stringValue": "worker-2"}),
                 kv("exception.type", {"stringValue": "TimeoutError"}),
                 kv("exception.message", {"stringValue": "upstream slow"})]},
            {"observedTimeUnixNano": 1700000002000000000, "severityNumber": 10, "body": {"stringValue": "second"},
             "eventName": "inventory.tick", "attributes": [kv("levelno", {"stringValue": "not a level"})]},
            {"severityNumber": 99, "body": {"bytesValue": "aGk="}, "timeUnixNano": 1700000003000000000},
            {"severityText": "notice-otlp", "body": {"doubleValue": 1.5}, "timeUnixNano": "1700000004000000000"},
        ]}]}]}


def test_a_spec_shaped_document_maps_every_field(live: Live) -> None:
    status, answer = live.post("/v1/logs?app=ignored", json.dumps(DOC).encode(), "application/json")
    assert (status, answer) == (200, {})
    first, second, third, fourth = (live.get(f"/api/records/{r['id']}")[1] for r in reversed(live.records()))
    assert {k: first[k] for k in ("app", "name", "created", "levelno", "levelname", "message", "trace_id", "span_id",
                                  "pathname", "funcName", "lineno", "threadName", "exc_text", "exc_type",
                                  "exc_value")} == {
        "app": "inventory", "name": "inventory.sync", "created": 1_700_000_000.5, "levelno": 40, "levelname": "Error",
        "message": '{"event": "sync failed", "tries": 3}', "trace_id": "5b8efff798038103d269b633813fc60c",
        "span_id": "eee19b7ec3c1b174", "pathname": "/srv/sync.py", "funcName": "run", "lineno": 42,
        "threadName": "worker-2", "exc_text": "TimeoutError: upstream slow", "exc_type": "TimeoutError",
        "exc_value": "upstream slow"}
    assert first["extra"] == {
        "string.attribute": "some string", "boolean.attribute": True, "int.attribute": 10,
        "double.attribute": 637.704, "array.attribute": ["many", 2], "map.attribute": {"some.map.key": "v"},
        "bytes.attribute": "AAEC/w==", "empty.attribute": None,
        "scope.version": "2.1.0", "scope.lib": "x", "resource.host.name": "web-1"}
    assert (second["created"], second["levelno"], second["levelname"], second["message"]) == (
        1_700_000_002.0, 21, "INFO2", "second")  # observed time when there is no time; INFO2 is a step up
    assert second["extra"] == {"levelno": "not a level", "event_name": "inventory.tick", "scope.version": "2.1.0",
                               "scope.lib": "x", "resource.host.name": "web-1"}
    assert (third["levelno"], third["levelname"], third["message"]) == (20, "INFO", "aGk=")
    assert third["extra"]["severity_number"] == 99  # outside 1-24: kept, not guessed
    assert (fourth["levelno"], fourth["levelname"], fourth["message"]) == (20, "notice-otlp", "1.5")
    assert {r["trace_id"] for r in (second, third, fourth)} == {None}


def test_snake_case_keys_and_an_empty_envelope_are_read_too(live: Live) -> None:
    doc = {"resource_logs": [{"scope_logs": [{"log_records": [{"body": {"string_value": "snake"},
                                                                "severity_number": 13}]}]},
                             {"scopeLogs": []}]}
    assert live.post("/v1/logs?app=fallback", json.dumps(doc).encode(), "application/json") == (200, {})
    (record,) = live.records()
    assert (record["message"], record["levelno"], record["app"], record["name"]) == ("snake", 30, "fallback", "root")


@pytest.mark.parametrize(("number", "level"), [
    (0, None), (1, (5, "TRACE")), (4, (8, "TRACE4")), (5, (10, "DEBUG")), (8, (13, "DEBUG4")), (9, (20, "INFO")),
    (12, (23, "INFO4")), (13, (30, "WARNING")), (16, (33, "WARN4")), (17, (40, "ERROR")), (18, (41, "ERROR2")),
    (21, (50, "CRITICAL")), (24, (53, "FATAL4")), (25, None), (-1, None),
])
def test_severity_numbers_map_to_python_levels(number: int, level: tuple[int, str] | None) -> None:
    assert severity_level(number) == level
