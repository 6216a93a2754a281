"""Hostile text through every field a client controls is inert on every page and in the live tail.

OWASP XSS cheat-sheet vectors, terminal escapes, CR/LF log forging, bidi overrides and NUL go in
through the record's message, logger name, function, traceback, extra keys and values and app, and
through a request's headers, path, query, form fields and a multipart filename. Every page is then
opened in chromium with `alert`/`confirm`/`prompt` hooked, dialogs watched and the console failing
the test (a CSP refusal of an injected inline script would show there too).
"""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from browser_helpers import open_logs
from conftest import Live
from playwright.sync_api import expect

XSS = [
    "<script>window.__fired.push('script')</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(2)>",
    "\"><script>alert(3)</script>",
    "'><img src=x onerror=alert(4)>",
    "javascript:alert(5)",
    "<iframe src=\"javascript:alert(6)\"></iframe>",
    "<body onload=alert(7)>",
    "</textarea></title></style><script>alert(8)</script>",
    "<a href=\"javascript:alert(9)\">click</a>",
    "<details open ontoggle=alert(10)>",
    "<input autofocus onfocus=alert(11)>",
    "<video><source onerror=alert(12)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(13)>",
    "<object data=\"javascript:alert(14)\"></object>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(15)\">",
    "<base href=\"//evil.example/\">",
    "{{constructor.constructor('alert(16)')()}}",
    "${alert(17)}",
    "<style>*{background:url(javascript:alert(18))}</style>",
]
TEXT = ["\x1b[31mred\x1b[0m\x1b]0;title\x07", "line one\r\nINFO forged second line", "\u202egnp.exe",
        "nul\x00byte", "zero\u200bwidth"]
HOOK = """
window.__fired = [];
for (const name of ["alert", "confirm", "prompt", "print"]) window[name] = (...a) => window.__fired.push([name, ...a]);
"""


def post_json(live: Live, items: list[dict[str, Any]], app: str) -> None:
    status, answer = live.post(f"/ingest?app={urllib.parse.quote(app)}", json.dumps(items).encode(),
                               "application/json")
    assert status == 200, answer


def hostile_records(live: Live) -> None:
    items = []
    for i, payload in enumerate(XSS + TEXT):
        items.append({"msg": payload, "name": f"x{i}.{payload}", "funcName": payload, "levelname": "ERROR",
                      "exc_text": f"Traceback (most recent call last):\nValueError: {payload}",
                      payload: payload, "extra_key": {payload: [payload]}})
    post_json(live, items, app=XSS[0])


def hostile_requests(live: Live) -> None:
    for i, payload in enumerate(XSS):
        path = "/inspect/" + urllib.parse.quote(payload, safe="") + "?" + urllib.parse.urlencode({payload: payload})
        boundary = "xboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{i}\"; filename=\"{payload}\"\r\n"
                f"Content-Type: text/html\r\n\r\n{payload}\r\n--{boundary}--\r\n").encode()
        request = urllib.request.Request(live.url + path, data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Payload": payload,
            "User-Agent": payload})
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 200


@pytest.fixture
def hooked(browser):
    """A tab whose dialogs and console errors are recorded (the test asserts none happened)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(HOOK)
    page = context.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog {d.message}"), d.dismiss()))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield page, problems
    context.close()


def assert_inert(page: Any, problems: list[str], where: str) -> None:
    page.wait_for_timeout(200)  # let autofocus, onload and refresh vectors have their chance
    assert page.evaluate("window.__fired") == [], where
    assert not problems, (where, problems)
    injected = page.locator("main img, main svg:not([aria-hidden]) script, main iframe, main object, main video, "
                            "main details[open] input, main input[autofocus], base[href*=evil], meta[http-equiv]")
    assert injected.count() == 0, where
    assert page.url.startswith("http://127.0.0.1"), where  # no refresh or base took us elsewhere


def test_hostile_text_is_inert_on_every_page_and_in_the_live_tail(live: Live, hooked) -> None:
    page, problems = hooked
    open_logs(page, live)
    hostile_records(live)  # arrive while the page tails: live rows built by the script
    expect(page.locator("#rows .row")).to_have_count(len(XSS) + len(TEXT))
    assert_inert(page, problems, "live tail")
    expect(page.locator("#rows")).to_contain_text("<script>window.__fired.push('script')</script>")
    expect(page.locator("#rows")).to_contain_text("\\x1b[31mred")
    page.locator("#rows .row .line").first.click()  # an expanded row
    assert_inert(page, problems, "expanded row")
    hostile_requests(live)
    _, records = live.get("/api/records?limit=100")
    _, requests = live.get("/api/requests?limit=100")
    urls = ["/", "/?q=" + urllib.parse.quote(XSS[1]), "/inspector"]
    urls += [f"/records/{r['id']}" for r in records["records"][:: 5]]
    urls += [f"/inspector/{r['id']}" for r in requests["requests"][:: 4]]
    for url in urls:
        page.goto(live.url + url)
        assert_inert(page, problems, url)
    page.goto(live.url + "/records/" + str(records["records"][0]["id"]))
    expect(page.locator("main")).to_contain_text("ValueError:")
