"""Zero-width, invisible and control characters are shown as escapes on every page and in the JS twin,
and exports carry nothing a terminal would obey."""
from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from typing import Any

import pytest
from conftest import store_records

from dashboard.web.format import printable

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u00ad", "\u2028", "\u2029",
             "\U000e0000", "\U000e0041", "\U000e007f", "\u202a", "\u202e", "\u2066", "\u2069", "\u200e",
             "\x1b", "\x00", "\x7f", "\x85"]
SPOOF = "pay\u200bments"
HOSTILE = "pay\u200bments \x1b[2J\x1b[31mred \u202eevil\u202c tag\U000e0041\U000e0062 nul\x00 sep\u2028 bom\ufeff"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
                 "\ufeff\U000e0000-\U000e007f]")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_each_invisible_character_is_spelled_out(char: str) -> None:
    shown = printable(f"a{char}b")
    assert shown != f"a{char}b" and not RAW.search(shown) and shown.startswith("a\\") and shown.endswith("b")
    code = ord(char)
    assert shown[1:-1] == (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF
                           else f"\\U{code:08x}")


def test_visible_text_is_left_alone() -> None:
    for text in ["payments", "ünïcödé ß", "😀 𝄞", "tab\tnewline\n", "\xa0nbsp", "中文", "עברית", "العربية"]:
        assert printable(text) == text


def visible_text(html: str) -> str:
    """What a reader sees: the page without its tags and attribute values."""
    return re.sub(r"<[^>]*>", "", html)


def test_pages_show_the_escapes(app, client) -> None:
    (rid,) = store_records(app, {"msg": HOSTILE, "name": f"shop.{SPOOF}", "note": SPOOF})
    resp = client.post("/inspect/hook?q=" + SPOOF, data=HOSTILE.encode(), content_type="text/plain",
                       headers={"X-Note": SPOOF.encode().decode("latin-1")})
    request_id = int(resp.headers["X-Logdash-Inspector"].rsplit("/", 1)[1])
    for url in ("/", f"/records/{rid}", f"/inspector/{request_id}"):
        html = client.get(url).get_data(as_text=True)
        shown = visible_text(html)
        assert "pay\\u200bments" in shown, url
        assert not RAW.search(shown), (url, RAW.findall(shown))
    record_page = visible_text(client.get(f"/records/{rid}").get_data(as_text=True))
    assert "\\x1b[2J\\x1b[31mred \\u202eevil\\u202c tag\\U000e0041\\U000e0062 nul\\x00" in record_page
    logs_page = visible_text(client.get("/").get_data(as_text=True))
    assert "shop.pay\\u200bments" in logs_page  # the row's logger
    assert re.search(r">\s*pay\\u200bments\s*<", client.get("/").get_data(as_text=True))  # the tree's leaf label
    api = client.get(f"/api/records/{rid}").get_json()
    assert api["message"] == HOSTILE and api["name"] == f"shop.{SPOOF}"  # the data itself is unchanged


def download(live: Any, fmt: str) -> bytes:
    with urllib.request.urlopen(f"{live.url}/api/export?format={fmt}", timeout=30) as resp:
        return resp.read()


def test_exports_carry_no_raw_control_or_invisible_characters(live) -> None:
    store_records(live.app, {"msg": HOSTILE, "name": SPOOF, "extra": repr({"k\u202e": "v\x1b"})})
    csv_bytes = download(live, "csv")
    text = csv_bytes.decode("utf-8")
    assert not RAW.search(text.replace("\r\n", "\n"))
    assert b"\x1b" not in csv_bytes and b"\x00" not in csv_bytes and "\u202e".encode() not in csv_bytes
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["message"] == printable(HOSTILE) and row["name"] == "pay\\u200bments"
    ndjson = download(live, "ndjson")
    assert not RAW.search(ndjson.decode("utf-8").rstrip("\n"))
    assert b"\\u202e" in ndjson and b"\\u2028" in ndjson and b"\\udb40\\udc41" in ndjson
    (line,) = ndjson.decode("utf-8").splitlines()
    assert json.loads(line) == live.get("/api/records")[1]["records"][0]  # escaped, not changed


def test_js_twin_spells_them_the_same(live, page) -> None:
    """static/js/format.js printable gives exactly what the Python twin gives."""
    page.goto(live.url + "/")
    cases = [[f"a{c}b"] for c in INVISIBLE] + [[HOSTILE], ["😀\U000e0041😀"], [SPOOF * 3]]
    answers = page.evaluate("""async cases => {
      const { printable } = await import("/static/js/format.js");
      return cases.map(args => printable(...args));
    }""", cases)
    assert answers == [printable(*args) for args in cases]
