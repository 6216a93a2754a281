"""The stock HTTPHandler over a real socket: messages rebuilt from non-literal args, args searchable,
and the reason shown (record JSON, record page) when a message could not be rebuilt."""
from __future__ import annotations

import logging

from conftest import log_with
from test_args_rebuild import APP_VALUES, UID, WHEN, app_message


def test_each_argument_type_is_stored_as_the_app_printed_it_and_found_by_its_value(live) -> None:
    handler = live.handler()
    for msg, args in APP_VALUES:
        log_with(handler, logging.INFO, msg, *args)
    handler.close()
    stored = live.records(limit="1000")[::-1]  # oldest first: the order they were sent
    assert len(stored) == len(APP_VALUES)
    for (msg, args), record in zip(APP_VALUES, stored, strict=True):
        expected, args_text = app_message(msg, args)
        assert (record["message"], record["args"], record["format_error"]) == (expected, args_text, None)
        value = str(args[0] if not isinstance(args[0], dict) else args[0]["user"])
        phrase = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'  # as text, whatever it starts with
        assert record["id"] in [r["id"] for r in live.records(q=phrase, limit="1000")], value


def test_get_method_and_a_50_kb_argument(live) -> None:
    big = "k" * 50_000
    for method in ("POST", "GET"):
        handler = live.handler(method=method)
        log_with(handler, logging.INFO, "blob %s at %s for %s", big, WHEN, UID)
        handler.close()
    expected, _ = app_message("blob %s at %s for %s", (big, WHEN, UID))
    assert [r["message"] for r in live.records()] == [expected, expected]


def test_search_covers_args_when_the_message_was_not_rebuilt(live) -> None:
    handler = live.handler()
    log_with(handler, logging.WARNING, "charge %s for %s", "cust-4417")  # one argument short
    log_with(handler, logging.INFO, "unrelated")
    handler.close()
    [found] = live.records(q="cust-4417")
    assert (found["message"], found["args"]) == ("charge %s for %s", "('cust-4417',)")
    assert found["format_error"] == "not enough arguments for format string"
    assert [r["id"] for r in live.records(q="CUST-44")] == [found["id"]]  # ASCII case-insensitive, substring


def test_record_page_and_its_json_say_why(live) -> None:
    handler = live.handler()
    log_with(handler, logging.INFO, "width %*d", 5, 3)
    log_with(handler, logging.INFO, "fine %s", "<b>bold</b>")
    handler.close()
    fine, failed = live.records()
    why = "format %*d not rebuilt (a `*` width or precision)"
    assert (failed["format_error"], fine["format_error"]) == (why, None)
    status, one = live.get(f"/api/records/{failed['id']}")
    assert status == 200 and one["format_error"] == why
    status, html = live.get(f"/records/{failed['id']}")
    assert status == 200 and 'id="format-error"' in html and "(a `*` width or precision)" in html
    status, html = live.get(f"/records/{fine['id']}")
    assert 'id="format-error"' not in html and "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
