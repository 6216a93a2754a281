"""Hypothesis throws random bytes, JSON of random shape, forms, encodings and content types at /ingest and
random argument text at the API: never a 5xx, and every record acknowledged reads back from /api/records.

The Flask test client drives a real app on a real SQLite file (one per module, for speed).
"""
from __future__ import annotations

import gzip
import json
import urllib.parse
from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import close_app, create_app
from dashboard.store.engine import make_engine
from dashboard.store.migrate import upgrade

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'logdash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "RETENTION": "none", "MAX_BODY": 64 * 1024})
    yield app
    close_app(app)


names = st.text(max_size=12) | st.sampled_from(["msg", "message", "name", "levelname", "levelno", "args", "created",
                                                "exc_info", "exc_text", "extra", "level", "time", "event", "record",
                                                "text", "lineno", "process", "logdash_note", "token", "app"])
scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats() | st.text(max_size=40))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=5),
                      max_leaves=25)
records = st.dictionaries(names, values, max_size=8)
encodings = st.sampled_from(["utf-8", "utf-8", "latin-1", "utf-16", "utf-32", "cp1252"])


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "replace")


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """(body, Content-Type) of a random kind; the type may or may not match the body."""
    kind = draw(st.sampled_from(["json", "ndjson", "form", "bytes", "deep", "digits", "big"]))
    if kind == "json":
        body = encoded(json.dumps(draw(values | records | st.lists(records, max_size=5)), allow_nan=True),
                       draw(encodings))
    elif kind == "ndjson":
        lines = draw(st.lists(records.map(json.dumps) | st.text(max_size=20), max_size=6))
        body = encoded("\n".join(lines), draw(encodings))
    elif kind == "form":
        fields = draw(st.lists(st.tuples(names, st.text(max_size=30)), max_size=8))
        body = encoded(urllib.parse.urlencode(fields), draw(encodings))
        if draw(st.booleans()):  # raw bytes where percent-escapes belong
            body += b"&msg=" + draw(st.binary(max_size=20))
    elif kind == "deep":
        depth = draw(st.integers(min_value=1, max_value=3000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"msg":"d","x":[', "]}")]))
        body = (opener * depth + "1" + closer * depth).encode()
    elif kind == "big":  # around the 64 KiB body limit of this app
        body = b"msg=" + b"a" * draw(st.integers(min_value=60_000, max_value=70_000))
    elif kind == "digits":  # past Python's 4,300-digit limit for int(text)
        body = b'{"msg": "n", "n": ' + b"9" * draw(st.integers(min_value=4000, max_value=6000)) + b"}"
    else:
        body = draw(st.binary(max_size=300))
    ctype = draw(st.none() | st.sampled_from([
        "application/x-www-form-urlencoded", "application/json", "application/x-ndjson", "text/plain", "text/json",
        "application/json; charset=utf-16", "multipart/form-data; boundary=x", "", "garbage", "application/jsonlines",
    ]) | st.text(max_size=20).filter(lambda t: "\n" not in t and "\r" not in t))
    return body, ctype


@FUZZ
@given(sent=bodies(), method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "HEAD"]),
       query=st.lists(st.tuples(names, st.text(max_size=10)), max_size=3),
       compress=st.sampled_from([None, None, None, "gzip", "gzip-broken", "zstd"]),
       page=st.integers(min_value=0, max_value=9).map(lambda n: n == 0))
def test_ingest_never_answers_5xx_and_keeps_what_it_accepts(fuzz_app: Flask, sent: tuple[bytes, str | None],
                                                            method: str, query: list[tuple[str, str]],
                                                            compress: str | None, page: bool) -> None:
    body, ctype = sent
    headers = {} if ctype is None else {"Content-Type": ctype}
    if compress:
        headers["Content-Encoding"] = compress.split("-")[0]
        body = gzip.compress(body)[: -3 if compress.endswith("broken") else None]
    client = fuzz_app.test_client()
    resp = client.open("/ingest", method=method, data=body, headers=headers, query_string=query)
    assert resp.status_code < 500, resp.get_data(as_text=True)
    if method == "PUT":  # not a route of ours: Flask's 405, not captured
        return
    if resp.status_code != 200:  # a refusal is captured in the background: wait for the writer
        fuzz_app.extensions["logdash.writer"].store([])
    newest = client.get("/api/requests?limit=1").get_json()["requests"][0]["id"]
    capture = client.get(f"/api/requests/{newest}").get_json()
    assert capture["method"] == method and capture["status"] == resp.status_code
    if page:  # the detail JSON above holds the same views; the page also lists the rest (slower: a tenth)
        assert client.get(f"/inspector/{newest}").status_code == 200
    if resp.status_code == 200:  # every record acknowledged reads back
        assert len(capture["record_ids"]) == resp.get_json()["accepted"] >= 1
        for record_id in capture["record_ids"]:
            assert client.get(f"/api/records/{record_id}").status_code == 200
        assert client.get(f"/records/{capture['record_ids'][0]}").status_code == 200


argument_text = (st.text(max_size=30) | st.sampled_from(["\x00", "a\x00b", "1e308", "-1e308", "inf", "nan", "1e12",
                                                         "99999999999999999999", "-1", "0", "9" * 40, "2026-01-01",
                                                         "99999-01-01", "10000-01-01T00:00", "15m", "\x1b[31m"]))
API = ["/api/records", "/api/histogram", "/api/loggers", "/api/export", "/api/requests", "/", "/inspector",
       "/api/export?format=csv"]
ARGUMENTS = ["q", "since", "until", "before", "bucket", "level", "limit", "logger", "app", "last", "after", "method",
             "path", "status", "format"]


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(url=st.sampled_from(API), args=st.dictionaries(st.sampled_from(ARGUMENTS), argument_text, max_size=4))
def test_api_arguments_never_answer_5xx(fuzz_app: Flask, url: str, args: dict[str, str]) -> None:
    client = fuzz_app.test_client()
    resp = client.get(url + ("&" if "?" in url else "?") + urllib.parse.urlencode(args))
    text = resp.get_data(as_text=True)  # an export streams: a failure would show only while it is read
    resp.close()
    assert resp.status_code < 500, text[:300]
    if resp.status_code == 400 and resp.is_json:
        assert resp.get_json()["argument"] in ARGUMENTS
