"""Secrets sent to /ingest and the request bin never reach the database files; the rest stays byte for byte."""
from __future__ import annotations

import json
import logging
import secrets
import urllib.parse
from pathlib import Path

import pytest
from conftest import http, log_with

from dashboard.inspector.redact import REDACTED, Redactor, parse_names

INGEST_TOKEN = "ingest-" + secrets.token_hex(12)
SECRET_HEADERS = ["Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token",
                  "Private-Token", "X-Access-Token", "X-Amz-Security-Token", "X-CSRF-Token", "X-XSRF-TOKEN",
                  "X-Gitlab-Token", "X-Hub-Signature-256", "Stripe-Signature", "X-Goog-Api-Key",
                  "Ocp-Apim-Subscription-Key", "X_Refresh_Token", "X-Shop-Thing"]  # the last via LOGDASH_REDACT
SECRET_PARAMS = ["token", "access_token", "api_key", "apikey", "password", "secret", "client_secret", "passwd",
                 "key", "sig", "X-Amz-Signature", "X-Amz-Credential", "refresh-token", "Client-Secret", "pwd",
                 "id_token", "session_id", "shop_thing"]
BODY_FIELDS = ["password", "token", "client_secret", "api_key", "Passwd", "auth_token", "shop-thing"]


@pytest.fixture
def app_settings() -> dict:
    return {"INGEST_TOKEN": INGEST_TOKEN, "REDACT": "x-shop-thing, Shop_Thing"}


class Secrets(dict):
    """A distinct random secret per name; the test greps the database for every one."""

    def __missing__(self, key: str) -> str:
        self[key] = value = f"S3{secrets.token_hex(10)}"
        return value


def database_bytes(db_url: str) -> bytes:
    files = sorted(Path(db_url.removeprefix("sqlite:///")).parent.glob("logdash.db*"))  # .db, -wal, -shm
    assert any(f.name.endswith("-wal") for f in files)
    return b"".join(f.read_bytes() for f in files)


def test_no_secret_reaches_the_database_files(live, db_url) -> None:
    sent = Secrets()
    control = "control-" + secrets.token_hex(10)
    auth = {"Authorization": f"Bearer {INGEST_TOKEN}"}
    headers = {name: ("Bearer " if "authorization" in name.lower() else "") + sent[f"h:{name}"]
               for name in SECRET_HEADERS}
    headers["Cookie"] = f"sid={sent['h:Cookie']}; theme=dark"
    query = urllib.parse.urlencode({**{p: sent[f"q:{p}"] for p in SECRET_PARAMS}, "note": control})
    record = json.dumps({"msg": "with secrets around it"}).encode()
    # /ingest: secret headers (the token as Bearer, then as Basic through the stock handler) and parameters
    for name in ("Authorization", "Proxy-Authorization"):
        headers.pop(name)
    ingest_headers = {**headers, **auth, "Content-Type": "application/json", "X-Note": control}
    assert http(f"{live.url}/ingest?app=a&{query}", record, ingest_headers)[0] == 200
    log_with(live.handler("/ingest?app=stock", credentials=("stock", INGEST_TOKEN)), logging.INFO, "basic")
    # the token in the URL, as typed and percent-encoded, on GET (the record rides in the query) and POST
    log_with(live.handler(f"/ingest?token={INGEST_TOKEN}", method="GET"), logging.INFO, "get token")
    log_with(live.handler(f"/ingest?%74oken={INGEST_TOKEN}", method="GET"), logging.INFO, "get encoded token")
    log_with(live.handler(f"/ingest?%74oken={INGEST_TOKEN}"), logging.INFO, "post encoded token")
    # the request bin: headers, parameters and bodies of every shape
    bin_headers = {**headers, "Authorization": "Basic " + sent["h:Authorization"],
                   "Proxy-Authorization": "Digest " + sent["h:Proxy-Authorization"], "X-Note": control}
    form = {**{f: sent[f"form:{f}"] for f in BODY_FIELDS}, "note": control}
    nested = {"note": control, "user": {"name": "ann", "password": sent["json:password"],
                                        "keys": [{"api_key": sent["json:api_key"], "n": 1}]},
              "auth": {"token": sent["json:auth.token"]}, "Client_Secret": sent["json:Client_Secret"]}
    boundary = "b0undary"
    multipart = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                        for name, value in [("password", sent["mp:password"]), ("note", control),
                                            ("X-Access-Token", sent["mp:X-Access-Token"])]) + f"--{boundary}--\r\n"
    bodies = [
        ("application/x-www-form-urlencoded", urllib.parse.urlencode(form)),
        ("application/json", json.dumps(nested)),
        ("application/x-ndjson", "\n".join(json.dumps({"password": sent[f"nd:{i}"], "note": control})
                                           for i in range(3))),
        (f"multipart/form-data; boundary={boundary}", multipart),
        ("text/plain", f"user=ann password={sent['text:password']} token: {sent['text:token']} {control}"),
        ("application/json", '{"note": "' + control + '", "secret": "' + sent["broken:secret"] + '", '),
        (None, f"client_secret={sent['none:client_secret']}&note={control}"),
    ]
    for content_type, body in bodies:
        hdrs = {**bin_headers, **({"Content-Type": content_type} if content_type else {})}
        status, echo = http(f"{live.url}/inspect/hook?{query}", body.encode(), hdrs)
        assert status == 200, echo
        assert not any(v in json.dumps(echo) for v in sent.values())  # the echo is what was stored
    records = live.records(limit="100")
    assert sorted(r["message"] for r in records) == sorted(
        ["with secrets around it", "basic", "get token", "get encoded token", "post encoded token"])
    assert INGEST_TOKEN not in json.dumps(records)
    stored = database_bytes(db_url)
    assert control.encode() in stored  # the grep sees what was sent
    leaked = [name for name, value in sent.items() if value.encode() in stored]
    assert leaked == [] and INGEST_TOKEN.encode() not in stored


def test_names_are_compared_decoded_without_case_and_with_underscore_as_dash() -> None:
    redact = Redactor(parse_names("X-Shop-Thing, shop_thing,  ,other_name"))
    for name in [*SECRET_HEADERS, *SECRET_PARAMS, *BODY_FIELDS, "X_AUTH_TOKEN", "other-NAME", "x-shop_thing"]:
        assert redact.is_secret(name), name
    for name in ["", "name", "msg", "levelname", "Content-Type", "User-Agent", "Sec-WebSocket-Key", "keyboard",
                 "monkey", "author", "signal", "passenger", "note", "Host", "app"]:
        assert not redact.is_secret(name), name
    assert redact.query("a=b%20c&%74oken=abc&x=&api%5Fkey=z+y&t=%FF&Password=&note=1") == (
        "a=b%20c&%74oken=[redacted]&x=&api%5Fkey=[redacted]&t=%FF&Password=&note=1")
    assert redact.header("Authorization", "Basic dTpw") == "Basic [redacted]"
    assert redact.header("X-Auth-Token", "abc") == REDACTED and redact.header("X-Note", "abc") == "abc"


@pytest.mark.parametrize(("content_type", "body", "expected"), [
    ("application/x-www-form-urlencoded", b"a=1&pass%77ord=hunter2&b=%FF%00&token=&c",
     b"a=1&pass%77ord=[redacted]&b=%FF%00&token=&c"),
    ("application/json", b'{ "a" :1,\n "user": {"password" : "x\\"y", "n": [ {"Api_Key": 12.5e3} ]}, "t":"token"}',
     b'{ "a" :1,\n "user": {"password" : "[redacted]", "n": [ {"Api_Key": "[redacted]"} ]}, "t":"token"}'),
    ("application/json", b'{"note": "token=abc", "secret": null, "ok": true}',
     b'{"note": "token=[redacted]", "secret": "[redacted]", "ok": true}'),
    ("application/json", b'{"auth": {"user": "u", "pw": "p"}, "note": 1}',
     b'{"auth": "[redacted]", "note": 1}'),  # a secret holding an object: the document rewritten
    ("application/x-ndjson", b'{"a": 1}\n{"token": ["x"]}\nnot json password=p\n',
     b'{"a": 1}\n{"token": "[redacted]"}\nnot json password=[redacted]\n'),
    ("text/plain", b"login password=\"a b\" ok; X-Auth-Token: t0k, keyboard=qwerty \xff",
     b"login password=[redacted] ok; X-Auth-Token: [redacted], keyboard=qwerty \xff"),
    ("application/octet-stream", b"\x00\x01binary\xfe", b"\x00\x01binary\xfe"),
    ('multipart/form-data; boundary="xx"',
     b'--xx\r\nContent-Disposition: form-data; name="password"\r\n\r\npw\r\n'
     b'--xx\r\nContent-Disposition: form-data; name="token"; filename="t.txt"\r\n\r\nfile body\r\n--xx--\r\n',
     b'--xx\r\nContent-Disposition: form-data; name="password"\r\n\r\n[redacted]\r\n'
     b'--xx\r\nContent-Disposition: form-data; name="token"; filename="t.txt"\r\n\r\nfile body\r\n--xx--\r\n'),
], ids=["form", "json-in-place", "json-text-pairs", "json-rewritten", "ndjson", "text", "binary", "multipart"])
def test_bodies_keep_every_other_byte(content_type: str, body: bytes, expected: bytes) -> None:
    assert Redactor().body(content_type, body) == expected


def test_deep_or_huge_json_is_redacted_without_failing() -> None:
    deep = b"[" * 50_000 + b'{"password": "p"}' + b"]" * 50_000
    assert b'"password": "[redacted]"' in Redactor().body("application/json", deep)
    many = json.dumps([{"token": str(i)} for i in range(20_000)]).encode()
    out = Redactor().body("application/json", many)
    assert json.loads(out) == [{"token": REDACTED}] * 20_000


def test_extra_names_come_from_the_setting(live) -> None:
    status, echo = http(f"{live.url}/inspect/x?shop_thing=v1&other=v2", None, {"X-Shop-Thing": "v3"})
    assert status == 200 and echo["args"] == {"shop_thing": REDACTED, "other": "v2"}
    assert echo["headers"]["X-Shop-Thing"] == REDACTED


@pytest.mark.parametrize("body", [
    b'{"msg": "a"}\n{"tok\\u0065n": {"x": "y"}, "n": 1}',       # an escaped secret key holding an object
    b'{"msg": "a"}\n{"outer": [{"password" :\t [1, 2]}]}',       # deep, an array, space before the colon
    b'[{"msg": "a"}, {"api_key": {"id": 1}}]',                   # a JSON array batch
])
def test_a_secret_holding_an_object_is_found_wherever_it_is(body: bytes) -> None:
    """Bodies are only parsed when some secret key holds an object or an array: each such key is seen."""
    out = Redactor().body("application/json", body)
    assert b'"y"' not in out and b"[1, 2]" not in out and b'"id": 1' not in out, out
    assert REDACTED.encode() in out
    for line in out.split(b"\n"):
        json.loads(line)  # still JSON
