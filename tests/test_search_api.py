"""The search language over a real server: records sent by the stock HTTPHandler (extras with
`extra=`), found through /api/records, the histogram, the logger tree and the live tail alike."""
from __future__ import annotations

import logging
import urllib.parse

import pytest
from conftest import Live, log_with
from test_tail import ids, nothing_more, open_tail, receive

from dashboard.store import regexp
from dashboard.store.retention import Policy, prune


@pytest.fixture
def db_url(backend_url: str) -> str:
    """This module runs on SQLite and on PostgreSQL."""
    return backend_url

SENT = [  # (level, logger, message, extra)
    (logging.INFO, "shop.pay", "payment ok for Chloé", {"request_id": "abc123", "user": "alice", "attempt": 2}),
    (logging.WARNING, "urllib3.connectionpool", "Connection reset by peer", {"request_id": "def456"}),
    (logging.ERROR, "shop.geo", "STRASSE closed: reset", {"user": "Chloé M", "level": "high"}),
    (logging.INFO, "shop.pay.card", "card declined", {"request_id": "abc1234", "attempt": 2.0}),
    (logging.DEBUG, "urllib3.util", "Starting new HTTPS connection (1): api.example.com:443", {}),
]


@pytest.fixture
def sent(live: Live) -> list[str]:
    """The records above, sent in order through the stock handler; their messages."""
    handler = live.handler("/ingest?app=shop")
    for level, name, message, extra in SENT:
        log_with(handler, level, message, name=name, extra=extra)
    handler.close()
    assert len(live.records()) == len(SENT)
    return [m for _, _, m, _ in SENT]


def found(live: Live, q: str) -> list[str]:
    """The messages `q` finds, oldest first."""
    return [r["message"] for r in reversed(live.records(q=q))]


QUERIES = [  # (q, indexes into SENT)
    ("request_id=abc123", [0]),                       # an extra, exactly (not abc1234)
    ("user:alice", [0]),
    ('user="Chloé M"', [2]),
    ("attempt=2", [0, 3]),                            # 2 and 2.0 are both "2" as text
    ("-request_id=abc123 -request_id=def456", [2, 3, 4]),
    ("chloé", [0]), ("CHLOÉ", [0]),                   # Unicode case folding (extras are not text)
    ("straße", [2]),                                   # full folding: ß is ss
    ('"reset by peer"', [1]), ('"by reset"', []),     # a phrase is a phrase
    ("reset -peer", [2]), ('-"reset by"', [0, 2, 3, 4]),
    ("logger=shop.pay", [0, 3]), ("-logger=urllib3", [0, 2, 3]), ("name=shop", [0, 2, 3]),
    ("level=warning", [1]), ("-level=info", [1, 2, 4]),
    ("extra.level=high", [2]), ("level=high", []),    # an unknown level name is compared as the stored name
    ("app=shop funcName=log_with", [0, 1, 2, 3, 4]),
    (f"pathname={log_with.__code__.co_filename}", [0, 1, 2, 3, 4]), ("pathname=/elsewhere/conftest.py", []),
    (f"-pathname={log_with.__code__.co_filename}", []),
    ("/^card (declined|ok)$/", [3]), ("/CONNECTION\\b/", [1, 4]), ("-/\\d/", [0, 1, 2, 3]),
    ("reset /ST[R]ASSE/ user=Chloé", []),
]


def test_each_search_finds_what_it_says(live: Live, sent: list[str]) -> None:
    wrong = {q: found(live, q) for q, want in QUERIES if found(live, q) != [sent[i] for i in want]}
    assert not wrong


def test_unreadable_searches_are_400_naming_q(live: Live, sent: list[str]) -> None:
    for q, problem in [('say "hi', "unterminated quote"), ("/a(/", "not a valid regex"), ("=x", "empty key"),
                       ("/health", "unterminated /regex/"), ("lineno=ten", "whole number")]:
        status, body = live.get("/api/records?" + urllib.parse.urlencode({"q": q}))
        assert (status, body["argument"]) == (400, "q"), body
        assert problem in body["error"]
    status, page = live.get("/?" + urllib.parse.urlencode({"q": 'say "hi'}))  # the page drops it and says why
    assert status == 200 and "unterminated quote" in page


def test_a_regex_past_its_time_budget_is_a_400_naming_q(live: Live, sent: list[str], monkeypatch) -> None:
    monkeypatch.setattr(regexp, "BUDGET", 0.0)
    status, body = live.get("/api/records?" + urllib.parse.urlencode({"q": "/x/"}))
    assert status == 400 and body["argument"] == "q" and "took over 0 s" in body["error"]
    monkeypatch.undo()
    assert live.get("/api/records?q=%2Fx%2F")[0] == 200


def test_histogram_and_logger_tree_follow_the_mute(live: Live, sent: list[str]) -> None:
    _, muted = live.get("/api/histogram?q=-logger%3Durllib3")
    assert sum(sum(b["counts"].values()) for b in muted["buckets"]) == 3
    _, extra = live.get("/api/histogram?q=request_id%3Dabc123")
    assert sum(sum(b["counts"].values()) for b in extra["buckets"]) == 1
    _, tree = live.get("/api/loggers?q=-logger%3Durllib3")  # the tree still lists what is muted
    assert {t["name"] for t in tree["loggers"]} >= {"urllib3.connectionpool", "urllib3.util"}


def test_the_live_tail_uses_the_same_search(live: Live, sent: list[str]) -> None:
    q = 'request_id=abc123 -logger=urllib3 "ok for"'
    ws = open_tail(live, q=q, after=0)
    try:
        assert [m["record"]["message"] for m in receive(ws, 1)] == [sent[0]]  # catch-up from SQL
        handler = live.handler()
        log_with(handler, logging.INFO, "payment ok for Bob", name="shop.pay", extra={"request_id": "abc123"})
        log_with(handler, logging.INFO, "payment ok for Bob", name="urllib3.x", extra={"request_id": "abc123"})
        log_with(handler, logging.INFO, "payment OK FOR Ann", name="shop", extra={"request_id": "abc123"})
        handler.close()
        live_ids = ids(receive(ws, 2))
        assert nothing_more(ws)
    finally:
        ws.close()
    assert [r["message"] for r in live.records(q=q)][:2] == ["payment OK FOR Ann", "payment ok for Bob"]
    assert live_ids == sorted(r["id"] for r in live.records(q=q)[:2])


def test_retention_deletes_the_extras_with_their_records(live: Live, sent: list[str]) -> None:
    engine = live.app.extensions["logdash.engine"]
    prune(engine, Policy(max_records=2), pause=0)
    with engine.connect() as conn:
        kept = set(conn.exec_driver_sql("SELECT id FROM records").scalars())
        indexed = set(conn.exec_driver_sql("SELECT record_id FROM record_extras").scalars())
    assert len(kept) == 2 and indexed <= kept and indexed
    assert found(live, "request_id=abc123") == [] and found(live, "attempt=2") == [sent[3]]
