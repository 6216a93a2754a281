"""Who may reach the dashboard: the Host allowlist, the UI token (login, cookie, Bearer, CSRF, slow and
rate-limited wrong tokens), and the ingest token beside it. A real server on a loopback port."""
from __future__ import annotations

import http.client
import json
import logging
import re
import time
from typing import Any

import pytest
from conftest import Live, log_with

from dashboard.web.auth import safe_next
from dashboard.web.hosts import host_rule

TOKEN = "ui-s3cret-token"
FAST = {"UI_TOKEN": TOKEN, "UI_FAIL_DELAY": 0.2, "UI_FAIL_LIMIT": 3, "UI_FAIL_WINDOW": 60}
guarded = pytest.mark.parametrize("app_settings", [FAST])


def raw(live: Live, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One exchange with exactly these headers (no redirect followed): status, headers, JSON or text."""
    conn = http.client.HTTPConnection(live.host, live.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    found = {k.lower(): v for k, v in resp.getheaders()}
    conn.close()
    if "json" in found.get("content-type", ""):
        return resp.status, found, json.loads(data)
    return resp.status, found, data.decode("utf-8", "replace")


def sign_in(live: Live, next_page: str = "/") -> tuple[str, str, dict[str, str]]:
    """Sign in through the form: (cookie header, CSRF token of the signed-in session, answer headers)."""
    status, headers, page = raw(live, "GET", "/login")
    assert status == 200, page
    cookie = headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    form = f"csrf={csrf}&token={TOKEN}&next={next_page}".encode()
    status, headers, _ = raw(live, "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                            "Cookie": cookie})
    assert status == 302 and headers["location"] == next_page
    cookie = headers["set-cookie"].split(";")[0]
    status, _, page = raw(live, "GET", "/", headers={"Cookie": cookie})
    assert status == 200 and "Sign out" in page
    return cookie, re.search(r'name="csrf-token" content="([^"]+)"', page)[1], headers


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("GET", "/records/1"), ("GET", "/inspector"), ("GET", "/api/records"), ("GET", "/api/loggers"),
    ("GET", "/api/requests"), ("GET", "/api/export?format=csv"), ("POST", "/ingest"), ("GET", "/ingest?msg=x"),
    ("POST", "/inspect/hook"), ("GET", "/healthz"), ("GET", "/login"), ("GET", "/nowhere"),
])
def test_a_foreign_host_gets_400_on_every_route(live: Live, method: str, path: str) -> None:
    body = b'{"msg": "rebound"}' if method == "POST" else None
    status, _, answer = raw(live, method, path, body, {"Host": f"evil.example:{live.port}",
                                                       "Content-Type": "application/json"})
    assert status == 400 and "LOGDASH_ALLOWED_HOSTS" in answer["error"], answer
    assert live.records() == []  # nothing stored, nothing captured by a rebound page
    assert raw(live, "GET", "/api/requests")[2]["requests"] == []


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST.", "127.0.0.1:1"])
def test_loopback_names_are_answered_on_any_port(live: Live, host: str) -> None:
    status, _, answer = raw(live, "GET", "/api/records", headers={"Host": host})
    assert status == 200, answer


@pytest.mark.parametrize("app_settings", [{"ALLOWED_HOSTS": "logs.example.com, .corp.example"}])
def test_allowed_hosts_setting_adds_names(live: Live) -> None:
    for host in ("logs.example.com:8000", "corp.example", "a.b.corp.example"):
        assert raw(live, "GET", "/api/records", headers={"Host": host})[0] == 200, host
    for host in ("example.com", "evilcorp.example", "logs.example.com.evil.example"):
        assert raw(live, "GET", "/api/records", headers={"Host": host})[0] == 400, host


def test_host_rule() -> None:
    bound = host_rule("10.1.2.3", "")
    assert bound.allows("10.1.2.3:8000") and bound.allows("localhost") and not bound.allows("10.1.2.4")
    for bad in ("evil.example", "localhost:99999", "localhost:0", "a b", "[::1", "localhost@evil", ""):
        assert not bound.allows(bad), bad
    every = host_rule("0.0.0.0", "")
    assert every.allows("192.168.1.20:8000") and every.allows("[fe80::1]:8000") and not every.allows("evil.example")
    assert host_rule("::", "").allows("10.0.0.1")
    anything = host_rule("127.0.0.1", "*")
    assert anything.allows("evil.example") and anything.allows("whatever:1")


@guarded
def test_without_the_ui_token_pages_redirect_and_data_answers_401(live: Live) -> None:
    status, headers, _ = raw(live, "GET", "/records/7?tz=utc")
    assert status == 302 and headers["location"] == "/login?next=%2Frecords%2F7%3Ftz%3Dutc"
    assert raw(live, "GET", "/")[1]["location"] == "/login"
    for path in ("/api/records", "/api/records/1", "/api/loggers", "/api/histogram", "/api/requests",
                 "/api/export?format=ndjson", "/inspector/1"):
        status, headers, answer = raw(live, "GET", path, headers={"Accept": "application/json"})
        assert status == 401 and "UI token required" in answer["error"], (path, answer)
    status, _, answer = raw(live, "GET", "/api/export?format=csv")
    assert status == 401 and "records" not in answer
    # open: load balancers, apps sending logs, the bin, the login page and its stylesheet
    assert raw(live, "GET", "/healthz")[2] == {"status": "ok"}
    assert raw(live, "POST", "/ingest", b'{"msg": "open"}', {"Content-Type": "application/json"})[0] == 200
    assert raw(live, "POST", "/inspect/hook", b"x", {"Content-Type": "text/plain"})[0] == 200
    assert raw(live, "GET", "/static/css/login.css")[0] == 200
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    assert raw(live, "OPTIONS", "/ingest", headers=preflight)[0] in (200, 204)  # browser shippers' CORS


@guarded
def test_login_sets_a_strict_httponly_cookie_and_logout_clears_it(live: Live) -> None:
    cookie, csrf, headers = sign_in(live, "/inspector?status=4xx")
    flags = [f.strip().lower() for f in headers["set-cookie"].split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "secure" not in flags
    assert raw(live, "GET", "/api/records", headers={"Cookie": cookie})[0] == 200
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    assert raw(live, "GET", "/logout", headers={"Cookie": cookie})[0] == 405  # GET never signs out
    assert raw(live, "POST", "/logout", b"csrf=forged", form)[0] == 400
    assert raw(live, "GET", "/api/records", headers={"Cookie": cookie})[0] == 200
    status, headers, _ = raw(live, "POST", "/logout", f"csrf={csrf}".encode(), form)
    assert status == 302 and headers["location"] == "/login"
    cleared = headers["set-cookie"].split(";")[0]
    assert raw(live, "GET", "/api/records", headers={"Cookie": cleared})[0] == 401


@guarded
def test_login_form_needs_its_csrf_token(live: Live) -> None:
    status, headers, page = raw(live, "GET", "/login")
    cookie = headers["set-cookie"].split(";")[0]
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, headers, page = raw(live, "POST", "/login", f"csrf=nope&token={TOKEN}".encode(), form)
    assert status == 400 and "The form expired" in page
    after = headers.get("set-cookie", cookie).split(";")[0]
    assert raw(live, "GET", "/api/records", headers={"Cookie": after})[0] == 401
    assert raw(live, "POST", "/login", f"token={TOKEN}".encode(), {**form, "Cookie": ""})[0] == 400
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    started = time.monotonic()
    status, _, page = raw(live, "POST", "/login", f"csrf={csrf}&token=guess".encode(), form)
    assert status == 401 and "not the UI token" in page and time.monotonic() - started >= 0.2


@pytest.mark.parametrize("app_settings", [{**FAST, "SESSION_COOKIE_SECURE": True}])
def test_the_cookie_is_secure_under_tls(app) -> None:
    client = app.test_client()
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    resp = client.post("/login", data={"csrf": csrf, "token": TOKEN})
    assert resp.status_code == 302 and "Secure" in resp.headers["Set-Cookie"]


@pytest.mark.parametrize(("target", "safe"), [
    ("/records/5?tz=utc", "/records/5?tz=utc"), ("//evil.example/x", "/"), ("/\\evil.example", "/"),
    ("https://evil.example/", "/"), ("/\t/evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"),
    (None, "/"), ("evil.example", "/"), ("/inspector", "/inspector"),
])
def test_next_is_only_a_path_on_this_site(target: str | None, safe: str) -> None:
    assert safe_next(target) == safe


@guarded
def test_login_never_redirects_off_site(live: Live) -> None:
    status, headers, page = raw(live, "GET", "/login?next=//evil.example/")
    cookie = headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    assert 'name="next" value="/"' in page
    form = f"csrf={csrf}&token={TOKEN}&next=https://evil.example/".encode()
    status, headers, _ = raw(live, "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                            "Cookie": cookie})
    assert status == 302 and headers["location"] == "/"


@guarded
def test_bearer_works_and_a_wrong_one_is_slow(live: Live) -> None:
    assert raw(live, "GET", "/api/records", headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert raw(live, "GET", "/", headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200
    started = time.monotonic()
    status, _, answer = raw(live, "GET", "/api/records", headers={"Authorization": "Bearer guess"})
    assert status == 401 and answer["error"] == "UI token wrong" and time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert raw(live, "GET", "/api/records")[0] == 401 and time.monotonic() - started < 0.2  # no token: no guess


@guarded
def test_wrong_tokens_are_rate_limited_per_address(live: Live) -> None:
    for _ in range(3):
        assert raw(live, "GET", "/api/records", headers={"Authorization": "Bearer guess"})[0] == 401
    started = time.monotonic()
    status, headers, _ = raw(live, "GET", "/api/records", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 429 and 0 < int(headers["retry-after"]) <= 60 and time.monotonic() - started < 0.2
    status, headers, page = raw(live, "GET", "/login")
    cookie = headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    status, headers, page = raw(live, "POST", "/login", f"csrf={csrf}&token={TOKEN}".encode(),
                                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    assert status == 429 and "retry-after" in headers and "Too many wrong tokens" in page


def test_the_limiter_forgets_after_its_window_and_stays_bounded() -> None:
    from dashboard.web.throttle import FailureLimiter

    limiter = FailureLimiter(limit=2, window=0.3, max_clients=3)
    limiter.failed("a")
    assert limiter.retry_after("a") == 0
    limiter.failed("a")
    assert limiter.retry_after("a") == 1
    time.sleep(0.35)
    assert limiter.retry_after("a") == 0
    for key in "bcdef":
        limiter.failed(key)
    assert len(limiter._failures) == 3


def test_a_new_token_signs_everyone_out(db_url: str) -> None:
    from dashboard import close_app, create_app

    apps = [create_app({"DATABASE_URL": db_url, "RETENTION": "none", "UI_TOKEN": t}) for t in ("one", "two")]
    try:
        client = apps[0].test_client()
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        assert client.post("/login", data={"csrf": csrf, "token": "one"}).status_code == 302
        cookie = client.get_cookie("logdash_session").value
        assert client.get("/api/records").status_code == 200
        rotated = apps[1].test_client()
        rotated.set_cookie("logdash_session", cookie)
        assert rotated.get("/api/records").status_code == 401
    finally:
        for app in apps:
            close_app(app)


@pytest.mark.parametrize("app_settings", [{**FAST, "INGEST_TOKEN": "ingest-t0ken"}])
def test_the_ingest_token_stays_separate(live: Live) -> None:
    log_with(live.handler(credentials=("shop", "ingest-t0ken")), logging.INFO, "basic")
    json_type = {"Content-Type": "application/json"}
    bearer = {**json_type, "Authorization": "Bearer ingest-t0ken"}
    assert raw(live, "POST", "/ingest", b'{"msg": "bearer"}', bearer)[0] == 200
    assert raw(live, "GET", "/ingest?msg=query&token=ingest-t0ken")[0] == 200
    assert raw(live, "POST", "/ingest", b'{"msg": "ui"}', {**json_type, "Authorization": f"Bearer {TOKEN}"})[0] == 401
    assert raw(live, "POST", "/ingest", b'{"msg": "none"}', json_type)[0] == 401
    cookie, csrf, _ = sign_in(live)
    # the logs page's "send a test record": its session and CSRF token stand in for the ingest token
    page = {**json_type, "Cookie": cookie, "X-CSRF-Token": csrf}
    assert raw(live, "POST", "/ingest", b'{"msg": "page"}', page)[0] == 200
    assert raw(live, "POST", "/ingest", b'{"msg": "no csrf"}', {**json_type, "Cookie": cookie})[0] == 401
    found = raw(live, "GET", "/api/records", headers={"Authorization": f"Bearer {TOKEN}"})[2]["records"]
    assert sorted(r["message"] for r in found) == ["basic", "bearer", "page", "query"]
