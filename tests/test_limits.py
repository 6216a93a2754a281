"""Every ingest limit has a clear answer: 413 for too much, 400 for unreadable, truncation with a marker
for an over-long field (the record is still stored), and gzip accepted but bounded."""
from __future__ import annotations

import gzip
import json
import zlib

import pytest
from client_helpers import wait_for
from raw_http import exchange, post, served

from dashboard.ingest.limits import MAX_NAME, MAX_RECORDS, MAX_TEXT, TRUNCATED_KEY, cut
from dashboard.ingest.parse import MAX_FIELDS

JSON = "application/json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with served(tmp_path_factory.mktemp("limits")) as live:
        yield live


def answer_of(server, path: str, body: bytes, content_type: str = JSON, **headers: str) -> tuple[int, dict]:
    answer = exchange(server, post(path, body, content_type, **headers))
    return answer.status, json.loads(answer.body)


def test_gzip_body_is_accepted(server) -> None:
    body = gzip.compress(json.dumps([{"name": "zip", "msg": f"zipped {i}"} for i in range(3)]).encode())
    assert answer_of(server, "/ingest", body, Content_Encoding="gzip") == (200, {"accepted": 3})
    assert [r["message"] for r in server.records(logger="zip")] == ["zipped 2", "zipped 1", "zipped 0"]


def test_deflate_body_is_accepted_and_an_unknown_encoding_is_415(server) -> None:
    body = zlib.compress(b"name=deflate&msg=squeezed")
    form = "application/x-www-form-urlencoded"
    assert answer_of(server, "/ingest", body, form, Content_Encoding="deflate") == (200, {"accepted": 1})
    assert server.records(logger="deflate")[0]["message"] == "squeezed"
    status, answer = answer_of(server, "/ingest", b'{"msg": "x"}', Content_Encoding="br")
    assert status == 415 and "unsupported Content-Encoding 'br'" in answer["error"]


def test_a_gzip_bomb_stops_at_the_body_limit(server) -> None:
    bomb = gzip.compress(b'{"msg": "' + b"a" * 50_000_000 + b'"}')
    assert len(bomb) < 100_000
    status, answer = answer_of(server, "/ingest", bomb, Content_Encoding="gzip")
    assert status == 413 and "once decompressed" in answer["error"]


@pytest.mark.parametrize(("body", "why"), [
    (b"\x1f\x8bnot really gzip", "bad gzip stream"),
    (gzip.compress(b'{"msg": "cut short"}', mtime=0)[:-10], "bad gzip stream: it ends early"),
    (b'{"msg": "plain"}', "bad gzip stream"),
])
def test_a_bad_gzip_stream_is_400_and_captured(server, body: bytes, why: str) -> None:
    before = max([r["id"] for r in server.get("/api/requests?limit=1")[1]["requests"]], default=0)
    status, answer = answer_of(server, "/ingest", body, Content_Encoding="gzip")
    assert status == 400 and why in answer["error"]
    # a refusal is answered at once and captured just after (an earlier test's may still come first)
    captured = wait_for(lambda: [r for r in server.get("/api/requests?limit=1")[1]["requests"]
                                 if r["id"] > before and r["reason"] == answer["error"]])
    assert captured[0]["status"] == 400


def test_too_many_records_in_one_request_is_413(server) -> None:
    body = b'{"msg": "x"}\n' * (MAX_RECORDS + 1)
    status, answer = answer_of(server, "/ingest", body, "application/x-ndjson")
    assert status == 413 and answer["error"] == (f"{MAX_RECORDS + 1:,} records in one request; the limit is "
                                                 f"{MAX_RECORDS:,}: send smaller batches")
    status, answer = answer_of(server, "/ingest", b'{"msg": "y", "name": "batch"}\n' * MAX_RECORDS,
                               "application/x-ndjson")
    assert (status, answer) == (200, {"accepted": MAX_RECORDS})


def test_too_many_form_fields_are_refused_before_they_are_built(server) -> None:
    body = b"msg=x&" + b"&".join(b"f%d=v" % i for i in range(MAX_FIELDS * 50))
    status, answer = answer_of(server, "/ingest", body, "application/x-www-form-urlencoded")
    assert status == 400 and answer["error"] == f"record has {MAX_FIELDS * 50 + 1} fields; the limit is {MAX_FIELDS}"
    query = "&".join(f"f{i}=v" for i in range(MAX_FIELDS * 50))
    head = f"GET /ingest?msg=x&{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    answer = exchange(server, head.encode())
    assert answer.status == 400 and json.loads(answer.body)["error"] == (
        f"record has {MAX_FIELDS * 50 + 1} fields in the URL; the limit is {MAX_FIELDS}")


def test_the_body_and_url_limits_still_answer_413_and_414(server) -> None:
    status, answer = answer_of(server, "/ingest", b"x" * 1_048_577)
    assert status == 413 and "body over 1,048,576 bytes" in answer["error"]
    url = "/ingest?msg=" + "a" * 1_048_577
    answer = exchange(server, f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert answer.status == 414 and "GET URL too long" in json.loads(answer.body)["error"]


def test_cut_keeps_the_start_and_says_how_long_the_text_was() -> None:
    assert cut("short", 10) == "short"
    assert cut("x" * 1_234_567, 5) == "xxxxx…[truncated, 1,234,567 characters]"


@pytest.mark.parametrize("app_settings", [{"MAX_BODY": 4 * 1024 * 1024}])
def test_over_long_fields_are_stored_cut_with_a_marker_and_their_length(app, app_settings) -> None:
    client = app.test_client()
    long_key = "k" * (MAX_NAME + 5)
    sent = {"name": "n" * (MAX_NAME + 1), "msg": "m" * (MAX_TEXT + 10), "exc_text": "e" * (3 * MAX_TEXT),
            "funcName": "f" * 100, "extra": {long_key: 1, "blob": "b" * (MAX_TEXT + 1)}}
    resp = client.post("/ingest", json=sent)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    record = client.get("/api/records").get_json()["records"][0]
    assert record["message"] == "m" * MAX_TEXT + f"…[truncated, {MAX_TEXT + 10:,} characters]"
    assert record["name"] == "n" * MAX_NAME + f"…[truncated, {MAX_NAME + 1:,} characters]"
    assert record["exc_text"].endswith(f"…[truncated, {3 * MAX_TEXT:,} characters]")
    assert record["funcName"] == "f" * 100
    extra = record["extra"]
    assert extra["blob"] == "b" * MAX_TEXT + f"…[truncated, {MAX_TEXT + 1:,} characters]"
    assert extra[cut(long_key, MAX_NAME)] == 1
    sizes = extra[TRUNCATED_KEY]
    assert sizes["message"] == MAX_TEXT + 10 and sizes["name"] == MAX_NAME + 1
    assert sizes["exc_text"] == 3 * MAX_TEXT and sizes["msg"] == MAX_TEXT + 10
    assert sizes["extra.blob"] == MAX_TEXT + 1 and sizes[f"extra key {long_key[:100]}"] == MAX_NAME + 5
    page = client.get(f"/records/{record['id']}")
    assert page.status_code == 200 and "truncated, 262,154 characters" in page.get_data(as_text=True)
