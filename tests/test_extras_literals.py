"""Extras from the stock handler's form restored to literals, with the text as sent kept beside them."""
from __future__ import annotations

import datetime
import json
import logging
import re

import pytest
from conftest import log_with
from parse_helpers import RECEIVED

from dashboard.ingest.extras import FormFields
from dashboard.ingest.parse import parse_record

SENT = {
    "n": ("42", 42), "ok": ("True", True), "tags": ("['a', 'b']", ["a", "b"]), "gone": ("None", None),
    "meta": ("{'k': 1}", {"k": 1}), "ratio": ("2.5", 2.5), "big": ("1e5", 100000.0), "neg": ("-3", -3),
    "pair": ("(1, 'x')", [1, "x"]), "quoted": ("'hi'", "hi"),
    "mixed": ("[datetime.date(2024, 1, 1), 1]", ["datetime.date(2024, 1, 1)", 1]),  # a part: its text
}
KEPT = {"word": "hello", "sentence": "hello world", "zip": "007", "call": "datetime.date(2024, 1, 1)",
        "obj": "<object object at 0x7f00>", "empty": "", "broken": "[1, 2"}


def test_form_extras_are_restored_and_their_text_kept() -> None:
    fields = FormFields({"msg": "m", **{k: text for k, (text, _) in SENT.items()}, **KEPT})
    r = parse_record(fields, received=RECEIVED)
    assert r["extra"] == {**{k: value for k, (_, value) in SENT.items()}, **KEPT}
    assert r["extra_text"] == {k: text for k, (text, _) in SENT.items()}  # only what was restored


def test_json_extras_are_left_as_sent() -> None:
    r = parse_record({"msg": "m", "n": "42", "tags": "['a']", "real": 7}, received=RECEIVED)
    assert (r["extra"], r["extra_text"]) == ({"n": "42", "tags": "['a']", "real": 7}, None)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_stock_handler_extras_round_trip(live, method: str) -> None:
    extra = {"order_id": 42, "paid": True, "items": ["a", "b"], "note": None, "meta": {"k": 1}, "rate": 2.5,
             "user": "ann", "zip": "007", "when": datetime.date(2024, 1, 1)}
    handler = live.handler(method=method)
    log_with(handler, logging.INFO, "order placed", extra=extra)
    handler.close()
    [record] = live.records()
    assert record["extra"] == {**extra, "when": "2024-01-01", "zip": "007"}  # a date is sent as its str()
    assert record["extra_text"] == {"order_id": "42", "paid": "True", "items": "['a', 'b']", "note": "None",
                                    "meta": "{'k': 1}", "rate": "2.5"}
    status, html = live.get(f"/records/{record['id']}")
    assert status == 200 and "(sent as text: [&#39;a&#39;, &#39;b&#39;])" in html
    assert re.search(r"\[&#34;a&#34;, &#34;b&#34;\](</\w+>)* <span", html)  # the restored value, then its text


def test_json_client_extras_are_not_touched(live) -> None:
    body = json.dumps({"msg": "m", "order_id": "42", "n": 5}).encode()
    assert live.post("/ingest", body, "application/json")[0] == 200
    [record] = live.records()
    assert (record["extra"], record["extra_text"]) == ({"order_id": "42", "n": 5}, None)
