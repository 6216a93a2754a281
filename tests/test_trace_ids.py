"""Trace and span ids become filterable columns, whoever sends them; what is not an id stays an extra."""
from __future__ import annotations

import json
import logging
import sqlite3
import urllib.parse

import pytest
from alembic import command
from conftest import Live, log_with

from dashboard.ingest.parse import parse_record
from dashboard.store.migrate import alembic_config

TRACE, SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.mark.parametrize("fields", [
    {"msg": "m", "otelTraceID": TRACE, "otelSpanID": SPAN},           # opentelemetry-instrumentation-logging
    {"msg": "m", "trace_id": TRACE.upper(), "span_id": SPAN.upper()},  # any JSON client; hex in either case
    {"msg": "m", "extra": {"trace_id": TRACE, "otelSpanID": SPAN}},    # inside a packed extra object
])
def test_ids_under_any_name_become_the_columns_and_leave_the_extras(fields) -> None:
    record = parse_record(fields, received=1.0)
    assert (record["trace_id"], record["span_id"]) == (TRACE, SPAN)
    assert record["extra"] == {}


@pytest.mark.parametrize(("sent_trace", "sent_span"), [
    ("0", "0"),                              # what the instrumentation injects outside any span
    ("0" * 32, "0" * 16),                    # the invalid (all-zero) ids of the W3C spec
    (TRACE[:-1], SPAN + "0"),                # wrong lengths
    ("z" * 32, "g" * 16),                    # not hex
])
def test_values_that_are_not_ids_stay_extras(sent_trace: str, sent_span: str) -> None:
    record = parse_record({"msg": "m", "otelTraceID": sent_trace, "span_id": sent_span}, received=1.0)
    assert (record["trace_id"], record["span_id"]) == (None, None)
    assert record["extra"] == {"otelTraceID": sent_trace, "span_id": sent_span}


def test_a_top_level_id_wins_and_the_packed_one_stays_an_extra() -> None:
    record = parse_record({"msg": "m", "trace_id": TRACE, "extra": {"trace_id": OTHER_TRACE}}, received=1.0)
    assert record["trace_id"] == TRACE
    assert record["extra"] == {"trace_id": OTHER_TRACE}


def test_stock_handler_records_are_filtered_by_trace_in_the_api_page_and_export(live: Live) -> None:
    handler = live.handler("/ingest?app=shop")
    log_with(handler, logging.INFO, "in the trace", extra={"otelTraceID": TRACE, "otelSpanID": SPAN})
    log_with(handler, logging.INFO, "other trace", extra={"otelTraceID": OTHER_TRACE, "otelSpanID": "0" * 16})
    log_with(handler, logging.INFO, "no trace", extra={"otelTraceID": "0", "otelSpanID": "0"})
    handler.close()
    assert {r["message"] for r in live.records()} == {"in the trace", "other trace", "no trace"}
    (found,) = live.records(trace_id=TRACE.upper())
    assert (found["message"], found["trace_id"], found["span_id"]) == ("in the trace", TRACE, SPAN)
    assert [r["message"] for r in live.records(span_id=SPAN)] == ["in the trace"]
    other = live.records(trace_id=OTHER_TRACE)
    assert [(r["span_id"], r["extra_text"]["otelSpanID"]) for r in other] == [(None, "0" * 16)]  # kept as sent
    untraced = next(r for r in live.records() if r["message"] == "no trace")
    assert untraced["trace_id"] is None and untraced["extra_text"]["otelTraceID"] == "0"

    status, body = live.get("/api/export?format=ndjson&trace_id=" + TRACE)
    assert status == 200 and body["message"] == "in the trace"  # one NDJSON line: it parses as one document
    status, body = live.get("/api/histogram?trace_id=" + TRACE)
    assert status == 200 and sum(sum(b["counts"].values()) for b in body["buckets"]) == 1

    status, page = live.get("/?" + urllib.parse.urlencode({"trace_id": TRACE}))
    assert status == 200 and f"trace {TRACE}" in page and "other trace" not in page and "in the trace" in page

    status, page = live.get(f"/records/{found['id']}")
    assert status == 200 and f'href="/?trace_id={TRACE}"' in page and f'href="/?span_id={SPAN}"' in page


@pytest.mark.parametrize(("arg", "value"), [("trace_id", "xyz"), ("trace_id", "0" * 32), ("span_id", TRACE)])
def test_a_bad_id_argument_is_a_400_naming_it(live: Live, arg: str, value: str) -> None:
    status, body = live.get(f"/api/records?{arg}={value}")
    assert status == 400 and body["argument"] == arg and "hex digits" in body["error"]
    status, page = live.get(f"/?{arg}={value}")  # the page drops it and says so
    assert status == 200 and f"Ignored the filter argument {arg}" in page


def test_0007_moves_ids_of_existing_rows_into_the_columns_and_back(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'v6.db'}"
    command.upgrade(alembic_config(url), "0006")
    raw = sqlite3.connect(tmp_path / "v6.db")
    extras = [{"otelTraceID": TRACE, "otelSpanID": SPAN, "user": "bob"}, {"otelTraceID": "0", "otelSpanID": "0"},
              {}, {"trace_id": OTHER_TRACE.upper()}]
    raw.executemany("INSERT INTO records (created, name, levelno, levelname, message, extra) "
                    "VALUES (?, 'x', 20, 'INFO', ?, ?)",
                    [(i, f"kept words {i}", json.dumps(e)) for i, e in enumerate(extras)])
    raw.execute("INSERT INTO records_fts(rowid, message, exc_text, exc_info, args) "  # as the writer indexes them
                "SELECT id, message, exc_text, exc_info, args FROM records")
    raw.commit()
    command.upgrade(alembic_config(url), "0007")
    rows = raw.execute("SELECT message, trace_id, span_id, extra FROM records ORDER BY id").fetchall()
    assert [(m, t, s, json.loads(e)) for m, t, s, e in rows] == [
        ("kept words 0", TRACE, SPAN, {"user": "bob"}),
        ("kept words 1", None, None, {"otelTraceID": "0", "otelSpanID": "0"}),
        ("kept words 2", None, None, {}),
        ("kept words 3", OTHER_TRACE, None, {}),
    ]
    assert raw.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH '\"kept\"'").fetchone() == (4,)
    assert raw.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')").fetchall() == []
    raw.commit()
    plan = " ".join(str(r) for r in raw.execute("EXPLAIN QUERY PLAN SELECT id FROM records WHERE trace_id = ? "
                                                "ORDER BY id DESC LIMIT 100", (TRACE,)))
    assert "ix_records_trace_id" in plan and "TEMP B-TREE" not in plan
    command.downgrade(alembic_config(url), "0006")  # the ids go back to the extras: nothing lost
    extra = [json.loads(e) for (e,) in raw.execute("SELECT extra FROM records ORDER BY id")]
    assert extra[0] == {"user": "bob", "trace_id": TRACE, "span_id": SPAN} and extra[3] == {"trace_id": OTHER_TRACE}
    raw.close()
