"""/v1/logs refuses what it cannot store with the OTLP/HTTP status and a google.rpc.Status saying why,
in the request's encoding; every refusal is captured for the inspector and nothing is stored."""
from __future__ import annotations

import gzip
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import Live
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from otlp_helpers import PROTOBUF, otel_logging

JSON = "application/json"


def post(live: Live, body: bytes, content_type: str | None, headers: dict[str, str] | None = None,
         method: str = "POST") -> tuple[int, dict[str, str], bytes]:
    """One raw request to /v1/logs: (status, headers, body bytes), whatever the status."""
    sent = {"Content-Type": content_type} if content_type else {}
    req = urllib.request.Request(f"{live.url}/v1/logs", data=body, headers={**sent, **(headers or {})},
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, dict(e.headers), e.read()


def captured(live: Live, status: int, count: int = 1) -> dict:
    """The newest capture of /v1/logs with this status, once `count` of them are stored (refusals are
    stored just after the answer: the newest may still be on its way)."""
    deadline = time.monotonic() + 5
    while True:
        query = urllib.parse.urlencode({"path": "/v1/logs", "status": str(status), "limit": str(count)})
        found = live.get(f"/api/requests?{query}")[1]["requests"]
        if len(found) >= count:
            return live.get(f"/api/requests/{found[0]['id']}")[1]
        assert time.monotonic() < deadline, f"no {status} capture of /v1/logs"
        time.sleep(0.02)


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), [
    (b"\xff\xff\xff\xff garbage", PROTOBUF, 400, "not an OTLP ExportLogsServiceRequest in protobuf"),
    (b'{"resourceLogs": [', JSON, 400, "invalid JSON at line 1 column 19"),
    (b'[{"resourceLogs": []}]', JSON, 400, "one object with resourceLogs, not an array"),
    (b'{"resourceLogs": {"x": 1}}', JSON, 400, "resourceLogs is not an array"),
    (b'{"resourceLogs": [{"resource": {"attributes": 5}}]}', JSON, 400, "resourceLogs[0].resource"),
    (b"msg=hello", "application/x-www-form-urlencoded", 415, "application/x-protobuf or application/json"),
    (b"{}", "text/plain", 415, "unsupported Content-Type text/plain"),
])
def test_undecodable_bodies_get_a_status_saying_why(live: Live, body: bytes, content_type: str | None,
                                                     status: int, reason: str) -> None:
    got, headers, raw = post(live, body, content_type)
    assert got == status
    if content_type == PROTOBUF:
        assert headers["Content-Type"] == PROTOBUF
        answer = Status.FromString(raw)
        assert reason in answer.message and answer.code == 3
    else:
        assert headers["Content-Type"] == JSON
        assert reason in json.loads(raw)["message"]
    capture = captured(live, status)
    assert reason in capture["reason"] and capture["record_ids"] == []
    assert live.records() == []


@pytest.mark.parametrize("app_settings", [{"MAX_BODY": 20_000}])
def test_over_the_limit_plain_or_inflated_is_a_413(live: Live) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # 5 MB of zeros in a few kB
    assert len(bomb) < 20_000
    status, _, raw = post(live, bomb, PROTOBUF, {"Content-Encoding": "gzip"})
    assert status == 413 and "once decompressed" in Status.FromString(raw).message
    assert captured(live, 413)["headers"]
    status, _, raw = post(live, b"\x0a" * 20_001, PROTOBUF)
    assert status == 413 and "body over 20,000 bytes" in Status.FromString(raw).message
    status, _, raw = post(live, b"not gzip at all", PROTOBUF, {"Content-Encoding": "gzip"})
    assert status == 400 and "bad gzip stream" in Status.FromString(raw).message
    assert live.records() == []


def test_one_bad_log_record_is_refused_alone_with_a_partial_success(live: Live) -> None:
    records = [{"body": {"stringValue": "good one"}, "traceId": "5B8EFFF798038103D269B633813FC60C"},
               {"body": {"stringValue": "bad id"}, "traceId": "not hex"},
               {"body": {"stringValue": "bad time"}, "timeUnixNano": "soon"},
               {"body": {"stringValue": "good two"}, "timeUnixNano": "1700000000000000000"}]
    doc = {"resourceLogs": [{"scopeLogs": [{"logRecords": records}]}]}
    status, headers, raw = post(live, json.dumps(doc).encode(), JSON)
    answer = json.loads(raw)
    assert (status, headers["Content-Type"]) == (200, JSON)
    partial = answer["partialSuccess"]
    assert partial["rejectedLogRecords"] == "2"  # an int64: a string in proto3 JSON
    assert "record 2: resourceLogs[0].scopeLogs[0].logRecords[1].traceId" in partial["errorMessage"]
    assert "record 3: resourceLogs[0].scopeLogs[0].logRecords[2]" in partial["errorMessage"]
    stored = {r["message"]: r for r in live.records()}
    assert sorted(stored) == ["good one", "good two"]
    assert stored["good one"]["trace_id"] == "5b8efff798038103d269b633813fc60c"  # hex in any case, kept lower
    assert stored["good two"]["created"] == 1_700_000_000.0
    capture = live.get(f"/api/requests/{live.records()[0]['request_id']}")[1]
    assert capture["reason"].startswith("2 of 4 records refused") and capture["response"] == answer

    status, _, raw = post(live, json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": records[1:3]}]}]})
                          .encode(), JSON)
    assert status == 400 and "record 1:" in json.loads(raw)["message"]  # nothing storable: a 400


def test_an_empty_export_is_a_success_that_stores_nothing(live: Live) -> None:
    status, headers, raw = post(live, b"", PROTOBUF)
    assert (status, headers["Content-Type"], raw) == (200, PROTOBUF, b"")
    assert ExportLogsServiceResponse.FromString(raw) == ExportLogsServiceResponse()
    assert post(live, b"{}", JSON)[0::2] == (200, b"{}")
    assert live.records() == []


def test_get_and_cross_site_browser_posts_are_refused(live: Live) -> None:
    status, headers, raw = post(live, b"", None, method="GET")
    assert (status, headers["Allow"]) == (405, "POST") and "sent with POST" in json.loads(raw)["message"]
    status, _, raw = post(live, b"", PROTOBUF, {"Origin": "https://evil.example"})
    assert status == 403 and "evil.example" in Status.FromString(raw).message
    assert captured(live, 403)["path"] == "/v1/logs"


@pytest.mark.parametrize("app_settings", [{"INGEST_TOKEN": "0tel-t0ken"}])
def test_a_token_protected_server_takes_the_exporter_with_its_bearer_header(live: Live) -> None:
    with otel_logging(f"{live.url}/v1/logs") as sdk:
        sdk.logger.warning("without the token")
    with otel_logging(f"{live.url}/v1/logs", headers={"Authorization": "Bearer wrong"}) as sdk:
        sdk.logger.warning("with a wrong token")
    assert live.records() == []
    refused = captured(live, 401, count=2)
    assert refused["reason"] == "token wrong" and ["Authorization", "Bearer [redacted]"] in refused["headers"]
    with otel_logging(f"{live.url}/v1/logs", headers={"Authorization": "Bearer 0tel-t0ken"}) as sdk:
        sdk.logger.warning("with the token")
    assert [r["message"] for r in live.records()] == ["with the token"]
    status, _, raw = post(live, b"", PROTOBUF)
    assert status == 401 and Status.FromString(raw).message == "token missing"


@pytest.mark.parametrize("app_settings", [{"QUEUE_SIZE": 2}])
def test_a_full_writer_is_a_503_the_exporter_retries_after(live: Live, db_url: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    lock = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the writer now waits for the database, and its queue fills
    fillers = [threading.Thread(target=post, args=(live, b'{"msg": "filler"}', None)) for _ in range(6)]
    for t in fillers:
        t.start()
        time.sleep(0.03)
    try:
        status, headers, raw = post(live, b"", PROTOBUF)
        assert (status, headers["Retry-After"]) == (503, "1")
        assert "retry later" in Status.FromString(raw).message and Status.FromString(raw).code == 14
        with otel_logging(f"{live.url}/v1/logs") as sdk:
            exporting = threading.Thread(target=sdk.logger.error, args=("after a retry",))
            exporting.start()
            time.sleep(0.4)  # its first try is refused; it waits Retry-After, 1 s
            lock.execute("ROLLBACK")
            exporting.join(15)
    finally:
        lock.close()
        for t in fillers:
            t.join(30)
    assert "after a retry" in [r["message"] for r in live.records()]
    retries = [r.getMessage() for r in caplog.records if r.name.startswith("opentelemetry.exporter")]
    assert any("SERVICE UNAVAILABLE" in m and "retrying in 1.00s" in m for m in retries), retries  # its Retry-After
