"""Hostile and malformed requests on a real gunicorn server: each gets a clear 4xx (or is stored as sent),
never a 5xx, and each is captured by the inspector. The bytes are sent exactly, over a raw socket."""
from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable

import pytest
import websocket
from raw_http import Answer, exchange, post, served

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with served(tmp_path_factory.mktemp("hostile")) as live:
        yield live


_SEEN = {"id": 0}  # the newest capture read so far from the module's one server


def newest_capture(live, path: str | None = None, where: Callable[[dict], bool] = lambda capture: True) -> dict:
    """The capture of the exchange just made, in full (its reason, status and records): a refusal is
    answered at once and its capture stored just after, and an earlier test's may still come first,
    so wait (5 s at most) for one newer than the last read, of `path` when given, that `where` (on
    the listing's fields) accepts."""
    deadline = time.monotonic() + 5
    while True:
        status, listing = live.get("/api/requests?limit=1")
        assert status == 200, listing
        newest = listing["requests"][0]
        fresh = newest["id"] > _SEEN["id"] and (path is None or newest["path"] == path) and where(newest)
        if fresh or time.monotonic() > deadline:
            _SEEN["id"] = newest["id"]
            return live.get(f"/api/requests/{newest['id']}")[1]
        time.sleep(0.02)


def refused(answer: Answer, status: int, words: str) -> None:
    """The answer is `status` with a JSON reason containing `words`."""
    assert answer.status == status, answer
    assert words in json.loads(answer.body)["error"], answer.body


def test_raw_latin1_form_is_stored_with_replacement_and_a_note(server) -> None:
    answer = exchange(server, post("/ingest", b"name=latin&msg=caf\xe9 cr\xe8me&levelname=INFO"))
    assert answer.status == 200, answer
    assert json.loads(answer.body) == {"accepted": 1, "notes": [
        "the body was not UTF-8: 2 invalid byte sequence(s) shown as U+FFFD"]}
    record = server.records(logger="latin")[0]
    assert record["message"] == "caf\ufffd cr\ufffdme"
    assert record["extra"]["logdash_note"].startswith("the body was not UTF-8")
    capture = newest_capture(server)
    assert capture["status"] == 200 and "not UTF-8" in capture["reason"]
    assert capture["record_ids"] == [record["id"]]


def test_percent_escapes_that_are_not_utf8_stay_as_sent(server) -> None:
    assert exchange(server, post("/ingest", b"name=pct&msg=%FF%FE+raw")).status == 200
    assert server.records(logger="pct")[0]["message"] == "%FF%FE raw"


def test_gzip_bytes_without_content_encoding_are_refused_and_captured(server) -> None:
    answer = exchange(server, post("/ingest", gzip.compress(b"msg=hidden")))
    refused(answer, 400, "gzip-compressed but the request has no Content-Encoding")
    assert newest_capture(server, where=lambda c: "gzip" in (c["reason"] or ""))["status"] == 400


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
                                  b'{"msg":"deep","a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"])
def test_json_nested_100000_deep_is_400(server, body: bytes) -> None:
    refused(exchange(server, post("/ingest", body, "application/json")), 400, "JSON nested too deep")
    assert newest_capture(server, where=lambda c: "nested too deep" in (c["reason"] or ""))["status"] == 400


@pytest.mark.parametrize("depth", [100, 500, 900, 990])
@pytest.mark.parametrize("path", ["/ingest", "/inspect/deep"])
def test_json_nested_just_under_the_parser_limit_never_fails(server, path: str, depth: int) -> None:
    body = b'{"msg":"deep","a":' + b"[" * depth + b"]" * depth + b"}"
    answer = exchange(server, post(path, body, "application/json"))
    assert answer.status in (200, 400), answer
    if path == "/ingest" and answer.status == 200:
        record = server.records(q="deep")[0]
        assert server.get(f"/api/records/{record['id']}")[0] == 200
        assert server.get(f"/records/{record['id']}")[0] == 200


def test_bad_chunk_size_is_400(server) -> None:
    head = f"POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\nTransfer-Encoding: chunked\r\n\r\n"
    answer = exchange(server, head.encode() + b"zz\r\nmsg=x\r\n0\r\n\r\n")
    refused(answer, 400, "chunked body could not be read")
    capture = newest_capture(server, where=lambda c: "chunked" in (c["reason"] or ""))
    assert capture["status"] == 400 and capture["reason"].startswith("the chunked body could not be read")


def lying(length: int, body: bytes) -> bytes:
    head = f"POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {FORM}\r\nContent-Length: {length}\r\n\r\n"
    return head.encode() + body


def test_content_length_longer_than_the_body_is_408_after_a_short_wait(server) -> None:
    answer = exchange(server, lying(100, b"name=lie&msg=short"))
    refused(answer, 408, "no body bytes for 5 s")
    assert answer.seconds < 10
    assert server.records(logger="lie") == []


def test_content_length_longer_than_a_closed_body_is_400_at_once(server) -> None:
    answer = exchange(server, lying(100, b"name=lie&msg=closed"), half_close=True)
    refused(answer, 400, "the body ended after 19 of its Content-Length (100 bytes)")
    assert answer.seconds < 3


def test_content_length_shorter_than_the_body_stores_what_it_frames(server) -> None:
    answer = exchange(server, lying(20, b"name=short&msg=frame and then some more bytes"))
    assert answer.status == 200 and answer.seconds < 3, answer
    assert server.records(logger="short")[0]["message"] == "frame"


@pytest.mark.parametrize("path", ["/inspect/huge", "/ingest"])
def test_content_length_of_2_to_the_64_is_413(server, path: str) -> None:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {2**64}\r\nConnection: close\r\n\r\n"
    refused(exchange(server, head.encode()), 413, "body over 1,048,576 bytes")
    capture = newest_capture(server, path)
    assert (capture["path"], capture["status"]) == (path, 413)


def test_head_on_ingest_stores_nothing(server) -> None:
    answer = exchange(server, b"HEAD /ingest?name=head&msg=x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.status == 405 and answer.headers["allow"] == "GET, POST" and answer.body == b""
    assert server.records(logger="head") == []
    capture = newest_capture(server, where=lambda c: c["method"] == "HEAD")
    assert (capture["method"], capture["status"], capture["record_ids"]) == ("HEAD", 405, [])


def test_live_tail_with_after_past_int64_is_refused_promptly(server) -> None:
    started = time.monotonic()
    try:
        ws = websocket.create_connection(f"ws://{server.host}:{server.port}/ws/tail?after={10**20}", timeout=10)
    except websocket.WebSocketBadStatusException as e:  # refused before the upgrade
        assert e.status_code == 400
    else:  # or upgraded, then closed at once with the reason (a reset when the close beat the client's read)
        try:
            with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionResetError)):
                while True:
                    ws.recv()
        finally:  # shutdown, not close: close() does nothing once the server's close frame was read
            ws.shutdown()
    assert time.monotonic() - started < 5


# --- URL arguments and names, through the Flask test client on a real SQLite file --------------------------

QUERY_URLS = ["/", "/api/records", "/api/loggers", "/api/histogram", "/api/export", "/api/export?format=csv",
              "/inspector", "/api/requests"]


@pytest.mark.parametrize("q", ["%00", "nul%00here", "abc%00def", "%00%00%00", "%01%1b%7f", "x%00\"*NEAR(\""])
def test_nul_and_controls_in_q_are_searched_not_500(app, q: str) -> None:
    client = app.test_client()
    assert client.post("/ingest", json={"name": "nul", "msg": "nul\x00here abc def"}).status_code == 200
    for url in QUERY_URLS:
        resp = client.get(f"{url}{'&' if '?' in url else '?'}q={q}")
        body = resp.get_data(as_text=True)  # an export streams: read it whole, inside its request
        resp.close()
        assert resp.status_code == 200, (url, body[:300])


def test_nul_separates_search_words(app) -> None:
    client = app.test_client()
    client.post("/ingest", json={"name": "a", "msg": "alpha beta"})
    client.post("/ingest", json={"name": "b", "msg": "alpha gamma"})
    found = client.get("/api/records?q=alpha%00beta").get_json()["records"]
    assert [r["message"] for r in found] == ["alpha beta"]
    assert len(client.get("/api/loggers?q=alpha%00").get_json()["loggers"]) == 2


BIG = "99999999999999999999"


@pytest.mark.parametrize("url", [f"/records/{BIG}", f"/api/records/{BIG}", f"/inspector/{BIG}",
                                 f"/api/requests/{BIG}", f"/records/{2**63}", "/api/records/9223372036854775807"])
def test_ids_past_int64_are_404(app, url: str) -> None:
    assert app.test_client().get(url, headers={"Accept": "application/json"}).status_code == 404


@pytest.mark.parametrize("url", [f"/api/records?before={BIG}", f"/api/requests?before={BIG}",
                                 f"/api/records?limit={BIG}", f"/api/histogram?bucket={BIG}",
                                 f"/api/records?before={'9' * 5000}", f"/api/records?before=-{BIG}"])
def test_integers_past_int64_are_400_naming_the_argument(app, url: str) -> None:
    resp = app.test_client().get(url)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["argument"] == url.split("?")[1].split("=")[0]


@pytest.mark.parametrize("value", ["1e12", "1e308", "-1e308", "inf", "-inf", "nan", "-1", "99999-01-01",
                                   "0001-01-01T00:00:00-23:59", "9999-12-31T23:59:59-23:59", "1" * 400])
def test_times_out_of_range_are_400_naming_the_argument(app, value: str) -> None:
    client = app.test_client()
    for path in ("/api/records", "/api/histogram", "/api/loggers", "/api/export"):
        for name in ("since", "until"):
            resp = client.get(path, query_string={name: value})
            assert resp.status_code == 400, (path, name, resp.get_data(as_text=True))
            assert resp.get_json()["argument"] == name


@pytest.mark.parametrize("value", ["0", "-5", "1e12", "3153600001", BIG])
def test_bucket_out_of_range_is_400(app, value: str) -> None:
    resp = app.test_client().get("/api/histogram", query_string={"bucket": value})
    assert resp.status_code == 400 and resp.get_json()["argument"] == "bucket"


@pytest.mark.parametrize("dots", [245, 1000])
def test_a_logger_name_with_hundreds_of_dots_renders_everywhere(app, dots: int) -> None:
    client = app.test_client()
    name = ".".join(f"p{i}" for i in range(dots + 1))
    assert client.post("/ingest", data={"name": name, "msg": "deep logger"}).status_code == 200
    record = client.get("/api/records").get_json()["records"][0]
    assert record["name"] == name
    loggers = client.get("/api/loggers").get_json()["loggers"]
    assert loggers == [{"name": name, "count": 1}]
    for url in ("/", f"/?logger={name}", f"/records/{record['id']}", "/inspector",
                f"/inspector/{record['request_id']}"):
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.get_data(as_text=True)[:300])
    page = client.get("/").get_data(as_text=True)
    assert f'data-logger="{name}"' in page  # the deepest node filters by the full name
    assert ".".join(f"p{i}" for i in range(23, dots + 1)) in page  # its label holds the parts not drawn
