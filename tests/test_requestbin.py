"""The request bin on a real loopback server: any method on /inspect/<path>, echoed and captured."""
from __future__ import annotations

import http.client
import json

import pytest
from conftest import http as fetch

BOUNDARY = "XyZzY"


def multipart_body() -> bytes:
    """A text field and two files in one field, as a browser form would send them."""
    png = bytes(range(256)) * 4
    parts = [
        (b'form-data; name="comment"', None, "<b>nice</b> 😀".encode()),
        (b'form-data; name="attachments"; filename="notes.txt"', b"text/plain", b"line one\nline two\n" * 50),
        (b'form-data; name="attachments"; filename="pixel.png"', b"image/png", png),
    ]
    out = b""
    for disposition, ctype, data in parts:
        out += b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition + b"\r\n"
        out += (b"Content-Type: " + ctype + b"\r\n" if ctype else b"") + b"\r\n" + data + b"\r\n"
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


def request(live, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """One exchange with http.client (any method, exact body); returns (status, headers, JSON)."""
    conn = http.client.HTTPConnection(live.host, live.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def captured(live, request_id: int) -> dict:
    """/api/requests/<id>."""
    status, body = live.get(f"/api/requests/{request_id}")
    assert status == 200, body
    return body


def captured_from(headers) -> int:
    """The capture named by the echo's X-Logdash-Inspector header."""
    return int(headers["X-Logdash-Inspector"].rsplit("/", 1)[1])


def test_echo_is_like_httpbin_anything_and_stored_before_the_answer(live) -> None:
    status, headers, echo = request(live, "POST", "/inspect/hooks/github?pets=dog&pets=cat&user2=",
                                    b'{"action": "opened"}', {"Content-Type": "application/json", "X-Event": "pr"})
    assert status == 200
    assert echo["method"] == "POST" and echo["path"] == "/inspect/hooks/github"
    assert echo["args"] == {"pets": ["dog", "cat"], "user2": ""}
    assert echo["json"] == {"action": "opened"} and echo["headers"]["X-Event"] == "pr"
    assert echo["origin"] == "127.0.0.1" and echo["form"] == {} and echo["files"] == {}
    stored = captured(live, captured_from(headers))  # already committed when we got the answer
    assert stored["status"] == 200 and stored["response"] == echo
    assert stored["body"] == '{"action": "opened"}' and stored["view"]["body"]["kind"] == "json"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "HEAD"])
def test_any_method_on_any_path(live, method) -> None:
    conn = http.client.HTTPConnection(live.host, live.port, timeout=30)
    conn.request(method, "/inspect/any/deeper/path/")
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    assert resp.status == 200
    if method != "HEAD":
        assert json.loads(raw)["method"] == method
    newest = live.get("/api/requests?limit=1")[1]["requests"][0]
    assert (newest["method"], newest["path"]) == (method, "/inspect/any/deeper/path/")


@pytest.mark.parametrize("path", ["/inspect", "/inspect/"])
def test_bin_root(live, path) -> None:
    status, _, echo = request(live, "GET", path)
    assert status == 200 and echo["path"] == path


def test_multipart_upload_shows_every_part_with_the_right_sizes(live) -> None:
    body = multipart_body()
    status, headers, echo = request(live, "POST", "/inspect/upload", body,
                                    {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert status == 200
    assert echo["form"] == {"comment": "<b>nice</b> 😀"}
    assert echo["files"] == {"attachments": [
        {"filename": "notes.txt", "content_type": "text/plain", "size": 900},
        {"filename": "pixel.png", "content_type": "image/png", "size": 1024}]}
    stored = captured(live, captured_from(headers))
    assert stored["body_size"] == len(body) and not stored["truncated"]
    assert stored["form"] == [["comment", "<b>nice</b> 😀"]]
    assert stored["files"] == [
        {"field": "attachments", "filename": "notes.txt", "content_type": "text/plain", "size": 900},
        {"field": "attachments", "filename": "pixel.png", "content_type": "image/png", "size": 1024}]
    comment, notes, pixel = stored["view"]["parts"]
    assert comment["size"] == len("<b>nice</b> 😀".encode()) and comment["preview"] == "<b>nice</b> 😀"
    assert notes["preview"].startswith("line one\nline two\n") and notes["hex"] is None
    assert pixel["preview"] is None and pixel["hex"][1].startswith("00000010  10 11 12 13")


def test_repeated_and_blank_form_keys_are_kept(live) -> None:
    status, headers, echo = request(live, "PUT", "/inspect/form", b"pets=dog&pets=cat&user2=",
                                    {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and echo["form"] == {"pets": ["dog", "cat"], "user2": ""}
    stored = captured(live, captured_from(headers))
    assert stored["form"] == [["pets", "dog"], ["pets", "cat"], ["user2", ""]]


class TestLimits:
    """MAX_BODY and the body cap, made small so they are cheap to hit."""

    @pytest.fixture
    def app_settings(self) -> dict:
        """A 4 KiB ingest limit and a 1 KiB body cap."""
        return {"MAX_BODY": 4096, "REQUEST_BODY_CAP": 1024}

    def test_oversize_body_is_refused_413_and_captured_with_its_reason(self, live) -> None:
        status, _, answer = request(live, "POST", "/inspect/big", b"x" * 5000, {"Content-Type": "text/plain"})
        assert status == 413 and answer == {"error": "body over 4,096 bytes (5,000 sent)"}
        stored = live.get("/api/requests?status=413")[1]["requests"][0]
        assert stored["reason"] == "body over 4,096 bytes (5,000 sent)" and stored["body_size"] == 5000

    def test_body_cap_truncates_and_keeps_the_full_size(self, live) -> None:
        body = bytes(range(256)) * 12  # 3072 bytes: under MAX_BODY, over the 1024-byte cap
        status, headers, echo = request(live, "POST", "/inspect/cap", body,
                                        {"Content-Type": "application/octet-stream"})
        assert status == 200 and echo["body_size"] == 3072
        stored = captured(live, captured_from(headers))
        assert stored["truncated"] and stored["body_size"] == 3072 and stored["stored_size"] == 1024
        assert stored["body_base64"] and len(stored["view"]["body"]["hex"]) == 64


def test_echo_never_holds_secrets_in_clear(live) -> None:
    status, headers, echo = request(live, "GET", "/inspect/s?token=abc&keep=1",
                                    headers={"Authorization": "Bearer sekrit", "Cookie": "session=abc"})
    assert status == 200
    assert echo["args"] == {"token": "[redacted]", "keep": "1"}
    assert echo["headers"]["Authorization"] == "Bearer [redacted]" and echo["headers"]["Cookie"] == "[redacted]"
    stored = captured(live, captured_from(headers))
    assert "sekrit" not in json.dumps(stored) and "session=abc" not in json.dumps(stored)


def test_urllib_post_round_trip(live) -> None:
    status, echo = fetch(live.url + "/inspect/urllib", b"a=1", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and echo["form"] == {"a": "1"}
