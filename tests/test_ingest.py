"""/ingest over a real socket: every accepted shape, every refusal, nothing lost, no 5xx."""
from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import http, log_with


def test_stock_handler_post_and_get_default(live) -> None:
    log_with(live.handler(method="POST"), logging.INFO, "user %s paid %.2f", "ann", 9.5, name="shop.pay")
    log_with(live.handler(method="GET"), logging.WARNING, "100% done")
    get_rec, post_rec = live.records()
    assert post_rec["message"] == "user ann paid 9.50" and post_rec["name"] == "shop.pay"
    assert post_rec["msg"] == "user %s paid %.2f" and post_rec["args"] == "('ann', 9.5)"
    assert get_rec["message"] == "100% done" and get_rec["levelname"] == "WARNING"
    assert post_rec["source"] == "127.0.0.1" and post_rec["request_id"] is not None


def test_app_tag_from_url_for_post_and_get(live) -> None:
    log_with(live.handler("/ingest?app=billing"), logging.INFO, "a")
    log_with(live.handler("/ingest?app=web", method="GET"), logging.INFO, "b", extra={"app": "inner"})
    rec_b, rec_a = live.records()
    assert rec_a["app"] == "billing"
    assert rec_b["app"] == "web" and rec_b["extra"] == {"app": "inner"}
    assert [r["message"] for r in live.records(app="billing")] == ["a"]


def test_json_object_array_and_ndjson(live) -> None:
    one = {"name": "api", "msg": "one %s", "args": ["x"], "levelname": "ERROR", "created": 1700000000.5,
           "user": {"id": 7}}
    assert live.post("/ingest", json.dumps(one).encode(), "application/json") == (200, {"accepted": 1})
    many = [{"message": "two"}, {"msg": "three", "levelno": 25, "levelname": "NOTICE"}]
    assert live.post("/ingest?app=batch", json.dumps(many).encode(), "application/json") == (200, {"accepted": 2})
    nd = b'{"msg": "four"}\n\n{"msg": "five", "level": "debug"}\n'
    assert live.post("/ingest", nd, "application/x-ndjson") == (200, {"accepted": 2})
    five, four, three, two, first = live.records()
    assert first["message"] == "one x" and first["levelno"] == 40 and first["extra"] == {"user": {"id": 7}}
    assert first["time"] == "2023-11-14T22:13:20.500Z"
    assert (two["app"], three["levelno"], three["levelname"]) == ("batch", 25, "NOTICE")
    assert [r["message"] for r in live.records(level="25")] == ["three", "one x"]
    assert (four["message"], five["levelname"]) == ("four", "DEBUG")


def test_ndjson_bad_line_keeps_the_good_ones(live) -> None:
    body = b'{"msg": "ok1"}\n{"msg": broken\n[1]\n{"msg": "ok2"}\n'
    status, body = live.post("/ingest", body, "application/x-ndjson")
    assert status == 200 and body["accepted"] == 2
    assert body["rejected"][0].startswith("record 2: invalid JSON on line 2")
    assert body["rejected"][1] == "record 3: not an object but list"
    assert [r["message"] for r in live.records()] == ["ok2", "ok1"]


@pytest.mark.parametrize("body,ctype,status,reason", [
    (b'{"msg": "x",', "application/json", 400, "invalid JSON at line 1"),
    (b'{"msg": "\xff\xfe"}', "application/json", 400, "not UTF-8"),
    (b"\x80\x04\x95pickle", "application/octet-stream", 400, "unsupported Content-Type application/octet-stream"),
    (b"", "application/json", 400, "empty body"),
    (b"[]", "application/json", 400, "empty list"),
    (b"{}", "application/json", 400, "no msg or message field"),
    (b"[1, 2]", "application/json", 400, "record 1: not an object but int"),
    (b"name=x&levelname=INFO", "application/x-www-form-urlencoded", 400, "no msg or message field"),
])
def test_unreadable_bodies_get_400_with_reason(live, body, ctype, status, reason) -> None:
    got, answer = live.post("/ingest", body, ctype)
    assert got == status and reason in answer["error"]
    assert live.records() == []


def test_five_thousand_fields_refused(live) -> None:
    body = "msg=x&" + "&".join(f"f{i}=v" for i in range(5000))
    status, answer = live.post("/ingest", body.encode(), "application/x-www-form-urlencoded")
    assert status == 400 and "5001 fields" in answer["error"]


def test_hostile_format_and_args_are_stored_unformatted_fast(live) -> None:
    handler = live.handler()
    started = time.monotonic()
    log_with(handler, logging.INFO, "%500000000s", "x")
    nested = "(" * 100_000 + ")" * 100_000
    status, _ = live.post("/ingest", f"msg=%s&args={nested}".encode(), "application/x-www-form-urlencoded")
    assert status == 200
    assert time.monotonic() - started < 5
    deep, wide = live.records()
    assert wide["message"] == "%500000000s" and wide["args"] == "('x',)"
    assert deep["message"] == "%s"


def test_missing_fields_get_defaults(live) -> None:
    before = time.time()
    assert live.post("/ingest", b"msg=bare", "application/x-www-form-urlencoded")[0] == 200
    rec = live.records()[0]
    assert (rec["name"], rec["levelno"], rec["levelname"], rec["message"]) == ("root", 20, "INFO", "bare")
    assert before <= rec["created"] <= time.time() + 1


def test_oversize_body(live) -> None:
    big = b"msg=" + b"a" * (1024 * 1024)
    status, answer = live.post("/ingest", big, "application/x-www-form-urlencoded")
    assert status == 413 and "body over 1,048,576 bytes" in answer["error"]
    assert live.records() == []


@pytest.mark.parametrize("app_settings", [{"MAX_BODY": 20_000}])
def test_oversize_url(live) -> None:
    status, answer = http(f"{live.url}/ingest?msg={'b' * 20_010}")
    assert status == 414 and "GET URL too long" in answer["error"]
    assert http(f"{live.url}/ingest?msg={'c' * 19_000}")[0] == 200
    assert [len(r["message"]) for r in live.records()] == [19_000]


@pytest.mark.parametrize("app_settings", [{"INGEST_TOKEN": "s3cret"}])
def test_ingest_token(live) -> None:
    log_with(live.handler(), logging.INFO, "no token")
    log_with(live.handler(credentials=("billing", "wrong")), logging.INFO, "wrong token")
    assert live.records() == []
    log_with(live.handler(credentials=("billing", "s3cret")), logging.INFO, "basic")
    log_with(live.handler("/ingest?token=s3cret", method="GET"), logging.INFO, "query")
    status, _ = live.post("/ingest", b'{"msg": "bearer"}', "application/json", {"Authorization": "Bearer s3cret"})
    assert status == 200
    status, answer = live.post("/ingest", b'{"msg": "x"}', "application/json", {"Authorization": "Bearer nope"})
    assert (status, answer["error"]) == (401, "token wrong")
    status, answer = live.post("/ingest", b'{"msg": "x"}', "application/json")
    assert (status, answer["error"]) == (401, "token missing")
    assert [r["message"] for r in live.records()] == ["bearer", "query", "basic"]
    assert "token" not in live.records()[1]["extra"]


def test_cross_site_browser_post_refused(live) -> None:
    status, answer = live.post("/ingest", b'{"msg": "x"}', "application/json", {"Origin": "https://evil.example"})
    assert status == 403 and "evil.example" in answer["error"]
    status, _ = live.post("/ingest", b"msg=x", "application/x-www-form-urlencoded", {"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    status, _ = live.post("/ingest", b'{"msg": "same"}', "application/json", {"Origin": live.url})
    assert status == 200
    assert [r["message"] for r in live.records()] == ["same"]


def test_a_200_means_stored_under_concurrent_load(live) -> None:
    def send(i: int) -> int:
        return live.post("/ingest", json.dumps({"msg": f"m{i}"}).encode(), "application/json")[0]

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(send, range(300)))
    assert statuses == [200] * 300
    got = set()
    cursor = None
    while True:
        status, page = live.get("/api/records?limit=1000" + (f"&before={cursor}" if cursor else ""))
        assert status == 200, page
        got |= {r["message"] for r in page["records"]}
        if not (cursor := page["next"]):
            break
    assert got == {f"m{i}" for i in range(300)}


@pytest.mark.parametrize("app_settings", [{"QUEUE_SIZE": 2}])
def test_full_queue_answers_503_and_loses_nothing_accepted(live, db_url) -> None:
    lock = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # the writer now waits for the database
    results: list[tuple[int, dict, int]] = []
    retry_after: list[str | None] = []

    def send(i: int) -> None:
        req = urllib.request.Request(f"{live.url}/ingest", data=json.dumps({"msg": f"m{i}"}).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                results.append((resp.status, json.load(resp), i))
        except urllib.error.HTTPError as e:
            results.append((e.code, json.load(e), i))
            retry_after.append(e.headers.get("Retry-After"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
        time.sleep(0.02)
    time.sleep(0.3)
    lock.execute("ROLLBACK")
    lock.close()
    for t in threads:
        t.join(30)
    refused = [r for r in results if r[0] == 503]
    assert retry_after == ["1"] * len(refused)
    accepted = {f"m{i}" for status, _, i in results if status == 200}
    assert refused and accepted and len(results) == 12
    assert all("retry later" in body["error"] for _, body, _ in refused)
    assert {r["message"] for r in live.records()} == accepted


def test_basic_credentials_are_not_stored_with_the_record(live) -> None:
    log_with(live.handler(credentials=("u", "p")), logging.INFO, "with creds")
    rec = live.records()[0]
    assert base64.b64encode(b"u:p").decode() not in json.dumps(rec)
