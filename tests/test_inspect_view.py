"""The inspector's pure parts: parsed views, raw reconstruction, curl, the request filter."""
from __future__ import annotations

import base64
import json
import shlex
import subprocess

import pytest
from flask import Flask, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dashboard.inspector.body import body_view, form_fields, hex_dump, multipart_parts, pairs, pretty_json
from dashboard.inspector.capture import capture, redact_query
from dashboard.inspector.filter import RequestFilter
from dashboard.inspector.replay import curl_command, raw_request, raw_text
from dashboard.inspector.serialize import detail_json, headers_note
from dashboard.store import nul
from dashboard.store.engine import make_engine
from dashboard.store.schema import requests
from dashboard.web.format import byte_size, fold


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url

BOUNDARY = "----b0undary"


def multipart(*parts: tuple[str, str | None, str | None, bytes]) -> bytes:
    """A multipart/form-data body of (field, filename, content type, data) parts."""
    out = b""
    for field, filename, ctype, data in parts:
        disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        out += (f"Content-Type: {ctype}\r\n" if ctype else "").encode() + b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def row(**kw) -> dict:
    """A stored requests row made by the real capture(), with some fields then set by the test."""
    headers = [("Host", "127.0.0.1:8000"), ("Content-Type", "text/plain")]
    with Flask(__name__).test_request_context("/inspect/x", method="POST", headers=headers, data=b"hello",
                                              environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        request.environ["logdash.raw_headers"] = headers  # as gunicorn's order-keeping hook leaves them
        base = capture(request, b"hello", 5, status=200, reason=None, body_cap=64 * 1024)
    base.update(id=1, time=1_795_000_000.5)
    base.update(kw)
    return base


def test_query_pairs_keep_order_repeats_and_blanks() -> None:
    assert pairs("pets=dog&user2=&pets=cat&flag&x=%FF&y=a+b") == [
        ("pets", "dog"), ("user2", ""), ("pets", "cat"), ("flag", ""), ("x", "%FF"), ("y", "a b")]


def test_urlencoded_form_fields() -> None:
    fields = form_fields("application/x-www-form-urlencoded; charset=utf-8", b"pets=dog&pets=cat&user2=")
    assert fields["form"] == [["pets", "dog"], ["pets", "cat"], ["user2", ""]]
    assert fields["files"] == [] and fields["parts"] == []


def test_multipart_two_files_in_one_field_and_a_text_field() -> None:
    png = bytes(range(256)) * 3
    body = multipart(("note", None, None, "héllo".encode()), ("docs", "a.txt", "text/plain", b"A" * 1000),
                     ("docs", "b.png", "image/png", png))
    fields = form_fields(f"multipart/form-data; boundary={BOUNDARY}", body)
    assert fields["problem"] is None
    assert fields["form"] == [["note", "héllo"]]
    assert fields["files"] == [
        {"field": "docs", "filename": "a.txt", "content_type": "text/plain", "size": 1000},
        {"field": "docs", "filename": "b.png", "content_type": "image/png", "size": 768}]
    note, txt, binary = fields["parts"]
    assert (note["size"], note["preview"], note["hex"]) == (6, "héllo", None)
    assert txt["preview"] == "A" * 1000 and not txt["preview_clipped"]
    assert binary["preview"] is None and binary["hex"][0].startswith("00000000  00 01 02")
    assert binary["preview_clipped"] and len(binary["hex"]) == 32


def test_multipart_cut_at_the_cap_shows_parts_up_to_the_cut() -> None:
    body = multipart(("a", None, None, b"1"), ("f", "big.bin", "application/octet-stream", b"\x00" * 5000))
    parts, problem = multipart_parts(body[:400], BOUNDARY, complete=False)
    assert [p["field"] for p in parts] == ["a", "f"]
    assert parts[0]["complete"] and not parts[1]["complete"]
    assert "incomplete" in problem


def test_multipart_garbage_is_a_problem_not_a_crash() -> None:
    fields = form_fields(f"multipart/form-data; boundary={BOUNDARY}", b"no boundary here at all")
    assert fields["parts"] == [] and fields["problem"]
    assert form_fields("multipart/form-data", b"x")["problem"] == "multipart Content-Type without a boundary"


def test_hex_dump_has_offsets_and_an_ascii_column() -> None:
    lines = hex_dump(b"Hello world\n\x00\xff<script>")
    assert lines[0] == "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 ff 3c 73  |Hello world...<s|"
    assert lines[1].startswith("00000010  63 72 69 70 74 3e ") and lines[1].endswith("|cript>|")
    assert len(lines[0]) == len(lines[1].split("|")[0]) + len("|Hello world...<s|")


def test_body_views() -> None:
    assert body_view("application/json", b"") == {"kind": "empty"}
    assert body_view("application/json", b'{"a":[1,"<b>"]}') == {
        "kind": "json", "text": '{\n  "a": [\n    1,\n    "<b>"\n  ]\n}'}
    assert body_view(None, b'{"a":1}\n{"b":2}\n')["kind"] == "json"  # NDJSON, document by document
    assert body_view("text/plain", b"line\r\nnext") == {"kind": "text", "text": "line\nnext"}
    assert body_view("text/plain", b"\x1b[31mred")["kind"] == "binary"  # control bytes: shown as hex
    assert body_view(None, b"\xff\xfe")["hex"] == ["00000000  ff fe" + " " * 43 + "  |..|"]
    assert pretty_json(b"[" * 100_000) is None  # deep nesting: no crash


def test_raw_request_and_its_text() -> None:
    r = row(path="/inspect/a b", query="x=1&x=2", body=b"hi\r\nthere")
    headers = json.loads(r["headers"])
    assert raw_request(r, headers) == (b"POST /inspect/a%20b?x=1&x=2 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
                                       b"Content-Type: text/plain\r\n\r\nhi\r\nthere")
    assert raw_text(r, headers).endswith("\n\nhi\nthere")
    cut = row(body=b"\x00\x01", body_size=10, truncated=True)
    assert "[binary body: 2 bytes" in raw_text(cut, headers) and "8 more bytes not stored" in raw_text(cut, headers)


def test_curl_command_round_trips_through_a_shell() -> None:
    body = b"it's a \"test\" $HOME `x` \\ %s\n"
    r = row(method="PUT", query="token=[redacted]&a=1", body=body, body_size=len(body),
            headers=json.dumps([["Host", "h:1"], ["Authorization", "Bearer [redacted]"], ["X-Empty", ""],
                                ["Content-Length", "30"]]))
    command = curl_command(r, json.loads(r["headers"]))
    args = shlex.split(command)
    assert args[:3] == ["curl", "-X", "PUT"] and "--globoff" in args
    assert "http://h:1/inspect/x?token=[redacted]&a=1" in args
    assert args[args.index("-H"):args.index("-H") + 2] == ["-H", "Authorization: Bearer [redacted]"]
    assert "X-Empty;" in args and not any(a.startswith("Content-Length") for a in args)
    assert args[-2:] == ["--data-raw", body.decode()]


def test_curl_pipes_a_binary_body_through_printf() -> None:
    body = bytes(range(256))
    r = row(body=body, body_size=256)
    command = curl_command(r, json.loads(r["headers"]))
    printf = command.split(" | ")[0]
    out = subprocess.run(["sh", "-c", printf], capture_output=True, check=True).stdout
    assert out == body and command.endswith("--data-binary @-")


def test_detail_json_has_the_design_shape() -> None:
    r = row(headers=json.dumps([["HOST", "h"], ["CONTENT-TYPE", "application/octet-stream"]]),
            body=b"\xff\x00", body_size=2, status=400, reason="body is not UTF-8", response='{"error": "x"}')
    d = detail_json(r, [7, 8])
    for key in ("id", "time", "method", "path", "query", "http_version", "remote_addr", "headers", "body",
                "body_size", "truncated", "form", "files", "status", "reason", "record_ids"):
        assert key in d
    assert d["body_base64"] and base64.b64decode(d["body"]) == b"\xff\x00"
    assert d["record_ids"] == [7, 8] and d["response"] == {"error": "x"} and d["status_text"] == "Bad Request"
    assert d["view"]["headers_note"].startswith("Names as normalised by the server")
    assert headers_note([["Host", "h"]]).startswith("Names and order as the WSGI server")


def test_redacted_query_keeps_everything_else_byte_for_byte() -> None:
    assert redact_query("a=b%20c&token=abc&x=&api_key=z+y&t=%FF") == (
        "a=b%20c&token=[redacted]&x=&api_key=[redacted]&t=%FF")


def test_fold_and_sizes() -> None:
    text = "".join(f"{i}\n" for i in range(500))
    head, rest = fold(text)
    assert head.count("\n") == 200 and head + rest == text
    assert fold("x" * 50_000)[0] == "x" * 20_000
    assert fold("short") == ("short", "")
    assert [byte_size(n) for n in (0, 999, 1234, 65536, 1_048_576)] == ["0 B", "999 B", "1.2 kB", "66 kB", "1.0 MB"]


@pytest.mark.parametrize("args, error", [({"status": "7xx"}, "status"), ({"method": "G E T"}, "method")])
def test_bad_filter_arguments(args, error) -> None:
    with pytest.raises(ValueError, match=error):
        RequestFilter.from_args(args)


def generated_row(method: str, path: str, query: str, header: str, body: bytes, reason: str | None,
                  status: int) -> dict:
    """A captured row with generated values in every field the filter reads."""
    headers = json.dumps([["X-H", header]], ensure_ascii=False)
    return row(method=method, path="/" + path, query=query, headers=headers, body=body, reason=reason, status=status)


texts = st.text(alphabet=st.sampled_from("aAbB/é?=&:\x00 "), max_size=8)
rows = st.builds(generated_row, st.sampled_from(["GET", "POST", "PUT"]), texts, texts, texts,
                 st.binary(max_size=8) | texts.map(lambda t: t.encode()), st.none() | texts,
                 st.sampled_from([200, 204, 302, 400, 401, 413, 503]))
filters = st.builds(lambda m, p, s, q: RequestFilter.from_args({"method": m, "path": p, "status": s, "q": q}),
                    st.sampled_from(["", "GET", "post,put"]), st.sampled_from(["", "/", "/a", "a", "é"]),
                    st.sampled_from(["", "2xx", "4xx", "failed", "401"]),
                    st.sampled_from(["", "a", "B", "é", "a b", "\x00", "x-h"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(rows, min_size=1, max_size=6), flt=filters)
def test_sql_and_live_predicate_agree(db_url, batch, flt) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(requests.delete())
            keep = nul.storable if conn.dialect.name == "postgresql" else dict  # as the writer stores them
            conn.execute(requests.insert(), [keep({k: v for k, v in r.items() if k != "id"}) for r in batch])
            stored = conn.execute(select(requests)).mappings().all()
            where = flt.clause(conn.dialect.name)
            by_sql = {r["id"] for r in conn.execute(select(requests.c.id).where(where)).mappings()}
        assert by_sql == {r["id"] for r in stored if flt.matches(r)}
    finally:
        engine.dispose()
