"""Every answer, pages, errors, JSON, exports and static files alike, carries the security headers."""
from __future__ import annotations

import logging
import urllib.error
import urllib.request

import pytest
from conftest import log_with

HTML = {"Accept": "text/html"}


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers (lower-case names) of one exchange; errors are answers too."""
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


@pytest.fixture
def urls(live) -> list[tuple[str, str, int | None]]:
    """(method, path, expected status or None when another setting decides) for every kind of answer."""
    log_with(live.handler(), logging.ERROR, "one record")
    record_id = live.records()[0]["id"]
    request_id = live.get("/api/requests?limit=1")[1]["requests"][0]["id"]
    return [
        ("GET", "/", 200), ("GET", "/?level=bogus", 200), ("GET", "/inspector?status=7xx", 400),
        ("GET", f"/records/{record_id}", 200), ("GET", "/records/999999", 404),
        ("GET", "/inspector", 200), ("GET", f"/inspector/{request_id}", 200),
        ("GET", f"/inspector/{request_id}/raw", 200), ("GET", "/inspector/999999", 404),
        ("GET", "/api/records", 200), ("GET", f"/api/records/{record_id}", 200), ("GET", "/api/records/999999", 404),
        ("GET", "/api/records?level=bogus", 400), ("GET", "/api/loggers", 200), ("GET", "/api/histogram", 200),
        ("GET", "/api/requests", 200), ("GET", f"/api/requests/{request_id}", 200),
        ("GET", "/api/export?format=csv", 200), ("GET", "/api/export?format=ndjson", 200),
        ("GET", "/api/export?format=xml", 400), ("GET", "/healthz", 200), ("GET", "/login", None),
        ("GET", "/no/such/page", 404), ("GET", "/static/js/format.js", 200), ("GET", "/static/nope.js", 404),
        ("DELETE", "/api/records", 405), ("GET", "/ingest", 400), ("OPTIONS", "/ingest", 204),
        ("POST", "/inspect/hook", 200), ("GET", "/ws/tail", None),
    ]


def test_every_answer_carries_the_security_headers(live, urls) -> None:
    for method, path, expected in urls:
        for accept in (HTML, {"Accept": "application/json"}):
            status, headers = fetch(live.url + path, method, accept)
            where = f"{method} {path} ({accept['Accept']}) -> {status}"
            if expected is not None:
                assert status == expected, where
            assert headers.get("x-content-type-options") == "nosniff", where
            assert headers.get("referrer-policy") in ("same-origin", "no-referrer"), where
            assert headers.get("x-frame-options") == "DENY", where
            csp = headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
            if headers.get("content-type", "").startswith("text/html"):
                assert "script-src 'self'" in csp and "style-src 'self'" in csp and "object-src 'none'" in csp, where
            else:
                assert "default-src 'none'" in csp, where


def test_html_error_pages_are_pages_with_the_page_policy(live) -> None:
    for path, code in (("/no/such/page", 404), ("/inspector?status=7xx", 400), ("/records/999999", 404)):
        status, headers = fetch(live.url + path, headers=HTML)
        assert status == code and headers["content-type"].startswith("text/html"), path
        assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'"), path
