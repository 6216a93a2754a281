"""The inspector over real HTTP: what /ingest and the bin capture, the API, pages, live feed, gunicorn."""
from __future__ import annotations

import base64
import json
import logging
import socket
import time
import urllib.parse
from pathlib import Path

import pytest
import websocket
from conftest import http, log_with
from wire_replay import OTHERS, STOCK, WIRE, send_raw


def newest(live, **args: str) -> dict:
    """The newest captured request matching `args`, in full; waits a little for refusals,
    whose capture /ingest stores without holding up its answer."""
    deadline = time.monotonic() + 5
    while True:
        status, body = live.get("/api/requests?" + urllib.parse.urlencode({**args, "limit": "1"}))
        assert status == 200, body
        if body["requests"]:
            return live.get(f"/api/requests/{body['requests'][0]['id']}")[1]
        assert time.monotonic() < deadline, f"no captured request matches {args}"
        time.sleep(0.02)


JSON = {"Accept": "application/json"}


def header(detail: dict, name: str) -> list[str]:
    """Every value of header `name` in a captured request."""
    return [v for k, v in detail["headers"] if k.lower() == name.lower()]


def test_stock_handler_record_shows_with_headers_form_and_links(live) -> None:
    log_with(live.handler("/ingest?app=shop"), logging.WARNING, "stock of %s low", "apple")
    req = newest(live)
    assert (req["method"], req["path"], req["query"], req["status"]) == ("POST", "/ingest", "app=shop", 200)
    assert header(req, "Content-type") == ["application/x-www-form-urlencoded"]
    assert header(req, "Host") == [f"{live.host}:{live.port}"]
    form = dict(req["form"])
    assert form["msg"] == "stock of %s low" and form["args"] == "('apple',)" and form["levelname"] == "WARNING"
    assert req["body_size"] == int(header(req, "Content-length")[0]) and not req["truncated"]
    assert req["response"] == {"accepted": 1}
    record = live.records(limit="1")[0]
    assert req["record_ids"] == [record["id"]] and record["request_id"] == req["id"]


class TestRefusals:
    """Every refused ingest is captured with its status and the reason in words."""

    @pytest.fixture
    def app_settings(self) -> dict:
        """A token is required; bodies over 2 KiB are refused."""
        return {"INGEST_TOKEN": "s3cret", "MAX_BODY": 2048}

    @pytest.mark.parametrize("path, body, ctype, status, reason", [
        ("/ingest?token=s3cret", b'{"msg": "x",', "application/json", 400, "invalid JSON at line 1 column 13"),
        ("/ingest", b"msg=x", "application/x-www-form-urlencoded", 401, "token missing"),
        ("/ingest?token=nope", b"msg=x", "application/x-www-form-urlencoded", 401, "token wrong"),
        ("/ingest?token=s3cret", b"msg=" + b"x" * 3000, "application/x-www-form-urlencoded", 413,
         "body over 2,048 bytes"),
    ], ids=["bad-json", "token-missing", "token-wrong", "oversize"])
    def test_refused_ingest_is_captured(self, live, path, body, ctype, status, reason) -> None:
        got, answer = live.post(path, body, ctype)
        assert got == status, answer
        req = newest(live, status=str(status))
        assert req["reason"].startswith(reason)
        assert req["response"] == {"error": req["reason"]} and req["record_ids"] == []
        assert req["body_size"] == len(body)
        assert newest(live, status="failed")["id"] == req["id"]

    def test_get_url_too_long(self, live) -> None:
        status, _ = live.get("/ingest?token=s3cret&msg=" + "x" * 3000)
        assert status == 414
        assert newest(live, status="414")["reason"].startswith("GET URL too long")

    def test_credentials_are_redacted_everywhere(self, live, db_url) -> None:
        log_with(live.handler(credentials=("billing", "s3cret")), logging.INFO, "with creds")
        http(live.url + "/inspect/x?token=s3cret&api_key=s3cret", None,
             {"Authorization": "Bearer s3cret", "Cookie": "sid=s3cret"})
        ingest, bin_ = newest(live, path="/ingest"), newest(live, path="/inspect/")
        assert ingest["status"] == 200 and header(ingest, "Authorization") == ["Basic [redacted]"]
        assert bin_["query"] == "token=[redacted]&api_key=[redacted]"
        assert header(bin_, "Authorization") == ["Bearer [redacted]"] and header(bin_, "Cookie") == ["[redacted]"]
        for req in (ingest, bin_):
            assert "s3cret" not in json.dumps(req)
            assert b"s3cret" not in http(f"{live.url}/inspector/{req['id']}/raw")[1].encode()
            assert "s3cret" not in http(f"{live.url}/inspector/{req['id']}")[1]
            assert "s3cret" not in json.dumps(http(f"{live.url}/inspector/{req['id']}", None, JSON)[1])
        files = Path(db_url.removeprefix("sqlite:///")).parent.glob("logdash.db*")
        assert not any(b"s3cret" in f.read_bytes() or b"YmlsbGluZzpzM2NyZXQ=" in f.read_bytes() for f in files)


@pytest.mark.parametrize("path", [*STOCK, *OTHERS], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_wire_capture_is_captured_byte_for_byte(live, path) -> None:
    raw = path.read_bytes()
    status, _ = send_raw(live.port, raw)
    req = newest(live)
    body = raw.partition(b"\r\n\r\n")[2]
    stored = base64.b64decode(req["body"]) if req["body_base64"] else req["body"].encode()
    assert stored == body and req["body_size"] == len(body) and req["status"] == status
    if path.stem == "creds":
        assert header(req, "Authorization") == ["Basic [redacted]"] and "dTpw" not in json.dumps(req)


def test_a_pickle_sent_to_the_http_port_never_reaches_the_app(live) -> None:
    status, _ = send_raw(live.port, (WIRE / "other-clients" / "sockethandler.bin").read_bytes())
    assert status in (None, 400)
    assert live.get("/api/requests")[1]["requests"] == []


class TestRetention:
    """Only the newest REQUEST_RETENTION requests are kept; bodies are cut at REQUEST_BODY_CAP."""

    @pytest.fixture
    def app_settings(self) -> dict:
        """Keep 5 requests and 100 body bytes."""
        return {"REQUEST_RETENTION": 5, "REQUEST_BODY_CAP": 100}

    def test_retention_prunes_to_the_newest(self, live) -> None:
        for i in range(12):
            http(f"{live.url}/inspect/{i}")
        listed = live.get("/api/requests")[1]["requests"]
        assert [r["path"] for r in listed] == [f"/inspect/{i}" for i in range(11, 6, -1)]
        assert live.get(f"/api/requests/{listed[-1]['id'] - 1}")[0] == 404
        assert http(f"{live.url}/inspector/{listed[-1]['id'] - 1}")[0] == 404

    def test_body_cap_truncates_with_the_full_size_kept(self, live) -> None:
        log_with(live.handler(), logging.INFO, "x" * 500)
        req = newest(live)
        assert req["truncated"] and req["stored_size"] == 100 and req["body_size"] > 500
        assert req["status"] == 200 and len(req["record_ids"]) == 1  # the record itself is whole
        assert live.records(limit="1")[0]["message"] == "x" * 500


def test_api_filters(live) -> None:
    http(live.url + "/inspect/hooks/github", b'{"zen": "Keep it logically awesome"}',
         {"Content-Type": "application/json"})
    http(live.url + "/inspect/other?x=1", None, {"X-Trace": "abc-123"}, method="DELETE")
    live.post("/ingest", b"{", "application/json")
    log_with(live.handler(), logging.INFO, "fine")

    def paths(**args: str) -> list[str]:
        status, body = live.get("/api/requests?" + urllib.parse.urlencode(args))
        assert status == 200, body
        return [r["path"] for r in body["requests"]]

    assert paths() == ["/ingest", "/ingest", "/inspect/other", "/inspect/hooks/github"]
    assert paths(method="delete") == ["/inspect/other"]
    assert paths(method="GET,DELETE") == ["/inspect/other"]
    assert paths(path="/inspect/") == ["/inspect/other", "/inspect/hooks/github"]
    assert paths(path="/hooks") == [] and paths(path="hooks") == ["/inspect/hooks/github"]
    assert paths(status="failed") == ["/ingest"] and paths(status="4xx") == ["/ingest"]
    assert paths(status="200") == ["/ingest", "/inspect/other", "/inspect/hooks/github"]
    assert paths(q="LOGICALLY") == ["/inspect/hooks/github"]  # body text, any ASCII case
    assert paths(q="abc-123") == ["/inspect/other"]          # header value
    assert paths(q="x=1") == ["/inspect/other"]              # raw query
    assert paths(q="invalid json") == ["/ingest"]            # reason
    first = live.get("/api/requests?limit=2")[1]
    assert len(first["requests"]) == 2 and first["next"] == first["requests"][1]["id"]
    rest = live.get(f"/api/requests?limit=2&before={first['next']}")[1]
    assert [r["path"] for r in rest["requests"]] == ["/inspect/other", "/inspect/hooks/github"] and rest["next"] is None
    assert live.get("/api/requests?status=nope")[0] == 400
    assert live.get("/api/requests?limit=0")[0] == 400
    assert live.get("/api/requests/999")[0] == 404


def test_pages_render_hostile_content_escaped(live) -> None:
    evil = "<script>alert(1)</script>"
    http(live.url + "/inspect/%3Cimg%20src=x%20onerror=alert(2)%3E?q=" + urllib.parse.quote(evil), evil.encode(),
         {"Content-Type": "text/html", "X-Evil": evil})
    req = newest(live)
    status, page = http(f"{live.url}/inspector/{req['id']}")
    assert status == 200 and "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    status, twin = http(f"{live.url}/inspector/{req['id']}", None, JSON)
    assert status == 200 and twin["selected"]["path"] == "/inspect/<img src=x onerror=alert(2)>"
    assert header(twin["selected"], "X-Evil") == [evil] and twin["selected"]["body"] == evil  # data as sent


def test_pages_over_http(live) -> None:
    http(live.url + "/inspect/ok")
    status, twin = http(f"{live.url}/inspector?status=failed", None, JSON)
    assert status == 200 and twin["requests"] == [] and twin["selected"] is None
    assert twin["filters"] == {"status": "failed"}
    status, page = http(f"{live.url}/inspector?status=failed")
    assert status == 200 and "<!doctype html>" in page.lower()  # an empty list still renders
    status, twin = http(f"{live.url}/inspector", None, JSON)
    assert [r["path"] for r in twin["requests"]] == ["/inspect/ok"] and twin["selected"]["path"] == "/inspect/ok"
    assert http(f"{live.url}/inspector?status=bogus")[0] == 400
    assert http(f"{live.url}/inspector?status=bogus", None, JSON) == (400, {
        "error": "status: 'bogus' is not a code, 2xx/4xx/5xx or 'failed'", "argument": "status"})
    assert http(f"{live.url}/inspector/424242")[0] == 404


def test_raw_download(live) -> None:
    http(live.url + "/inspect/dl?a=1", b"\x00\xffbody", {"Content-Type": "application/octet-stream"})
    req = newest(live)
    status, raw = http(f"{live.url}/inspector/{req['id']}/raw")
    assert status == 200 and raw.startswith("POST /inspect/dl?a=1 HTTP/1.1\r\n")
    assert raw.encode("utf-8", "surrogateescape").endswith(b"\r\n\r\n" + "\x00\ufffd".encode() + b"body")


def ws_messages(live, query: str, count: int, *, send=None) -> list[dict]:
    """Open /ws/requests?query, then trigger requests, and read `count` messages. The socket resumes
    from the newest id stored now (`after`), so a request made while it subscribes is not lost."""
    newest_id = max([r["id"] for r in live.get("/api/requests?limit=1")[1]["requests"]], default=0)
    ws = websocket.create_connection(f"ws://{live.host}:{live.port}/ws/requests?{query}&after={newest_id}", timeout=10)
    try:
        if send:
            time.sleep(0.2)  # let the catch-up finish: what follows arrives live
            send()
        return [json.loads(ws.recv()) for _ in range(count)]
    finally:
        ws.close()


def test_websocket_delivers_new_captures_matching_the_filter(live) -> None:
    def send() -> None:
        http(live.url + "/inspect/ok")
        live.post("/ingest", b"{", "application/json")
        http(live.url + "/inspect/later", None, {"X-Mark": "1"}, method="PATCH")

    got = ws_messages(live, "", 3, send=send)
    assert [m["type"] for m in got] == ["request"] * 3
    assert [m["request"]["path"] for m in got] == ["/inspect/ok", "/ingest", "/inspect/later"]
    assert got[1]["request"]["status"] == 400 and got[1]["request"]["reason"].startswith("invalid JSON")
    failed = ws_messages(live, "status=failed", 1, send=lambda: (http(live.url + "/inspect/a"),
                                                                 live.post("/ingest", b"[", "application/json")))
    assert failed[0]["request"]["path"] == "/ingest" and failed[0]["request"]["id"] > got[-1]["request"]["id"]
    after = got[0]["request"]["id"]
    ws = websocket.create_connection(f"ws://{live.host}:{live.port}/ws/requests?after={after}&method=PATCH", timeout=10)
    assert json.loads(ws.recv())["request"]["path"] == "/inspect/later"  # caught up from the database
    ws.close()


def test_websocket_refuses_bad_filters(live) -> None:
    ws = websocket.create_connection(f"ws://{live.host}:{live.port}/ws/requests?status=7xx", timeout=10)
    opcode, frame = ws.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE and b"status" in frame.data
    ws.shutdown()


def test_websocket_refuses_a_foreign_origin(live) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:  # a 403, never a 101 (test_access_ws)
        websocket.create_connection(f"ws://{live.host}:{live.port}/ws/requests", timeout=10,
                                    origin="http://evil.example")
    assert refused.value.status_code == 403


def test_gunicorn_keeps_header_order_and_repeats(serve, db_url) -> None:
    live = serve(db_url)
    head = (f"POST /inspect/dup?a=1&a=2 HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\nX-Dup: one\r\n"
            "x-lower-case: Value Kept\r\nAccept: */*\r\nX-Dup: two\r\nContent-Type: text/plain\r\n"
            "Content-Length: 5\r\nConnection: close\r\n\r\nhello")
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as s:
        s.sendall(head.encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    request_id = int(answer.split(b"X-Logdash-Inspector: /inspector/")[1].split(b"\r\n")[0])
    req = live.get(f"/api/requests/{request_id}")[1]
    assert req["headers"] == [["HOST", f"127.0.0.1:{live.port}"], ["X-DUP", "one"], ["X-LOWER-CASE", "Value Kept"],
                              ["ACCEPT", "*/*"], ["X-DUP", "two"], ["CONTENT-TYPE", "text/plain"],
                              ["CONTENT-LENGTH", "5"], ["CONNECTION", "close"]]
    assert req["view"]["headers_note"].startswith("Names as normalised by the server")
    assert req["body"] == "hello" and req["view"]["query"] == [["a", "1"], ["a", "2"]]
