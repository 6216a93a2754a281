"""`logdash tail` against a real server: what a terminal receives, backlog then live, filters, reconnects,
overflow, refusals. Each tail is a real subprocess; records go through the stock HTTPHandler."""
from __future__ import annotations

import logging
import re
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from conftest import Live, free_port, log_with, stop_server, store_records
from tail_process import Tail

from dashboard import close_app, create_app
from dashboard.client.tail import Dashboard, TailFailed, since_arg

# What a terminal obeys or hides; only our own colour codes (SGR) may carry an ESC.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
                 "\ufeff\U000e0000-\U000e007f]")
OUR_SGR = re.compile("\x1b\\[(?:0|1|2|7|3[123])m")
HOSTILE = ("clear\x1b[2J\x1b[H osc8 \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ "
           "clip\x1b]52;c;cm0gLXJmIH4=\x07 csi\x9b31m bidi\u202eexe.txt\u202c zw pay\u200bments "
           "nul\x00 bel\x07 cr\rFAKE\n12:00:00.000 ERROR    shop fake.logger injected line")
SHOWN = ["clear\\x1b[2J\\x1b[H", "\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\",
         "clip\\x1b]52;c;cm0gLXJmIH4=\\x07", "csi\\x9b31m", "bidi\\u202eexe.txt\\u202c", "pay\\u200bments",
         "nul\\x00", "bel\\x07", "cr\\x0dFAKE"]
HEAD = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} ")


@pytest.fixture(autouse=True)
def no_tail_left_running() -> Iterator[None]:
    yield
    while Tail.started:
        Tail.started.pop().close()


def send(live: Live, *messages: str, level: int = logging.INFO, name: str = "shop.cart",
         path: str = "/ingest?app=shop") -> None:
    """Log through the stock HTTPHandler, as an app would."""
    handler = live.handler(path)
    for message in messages:
        log_with(handler, level, "%s", message, name=name)
    handler.close()


def messages(tail: Tail) -> list[str]:
    return [r["message"] for r in tail.json_lines()]


def test_hostile_records_reach_the_terminal_spelled_out_never_obeyed(live: Live) -> None:
    app = urllib.parse.quote("evil\x1b]0;title\x07app")
    send(live, "before " + HOSTILE, path=f"/ingest?app={app}", name="log\x1b[8mger\u202e", level=logging.ERROR)
    handler = live.handler()
    tb = "Traceback (most recent call last):\n  File \x1b[2Jx.py\nValueError: \u202ebad\n12:00:00.000 CRITICAL fake"
    handler.handle(logging.makeLogRecord({"name": "shop", "msg": "with traceback", "levelno": 40,
                                          "levelname": "ERROR", "exc_text": tb}))
    handler.close()
    tail = Tail("--url", live.url, tty=True)
    tail.wait_for_text("with traceback")
    send(live, "after " + HOSTILE, level=logging.CRITICAL)  # the live path too
    tail.wait_for_text("after clear")
    tail.wait_for_text("injected line", timeout=5)
    assert tail.stop() == 0
    text = tail.text()
    assert not RAW.search(OUR_SGR.sub("", text)), [m.group() for m in RAW.finditer(OUR_SGR.sub("", text))]
    for shown in SHOWN:
        assert text.count(shown) == 2, shown
    assert "evil\\x1b]0;title\\x07app" in text and "log\\x1b[8mger\\u202e" in text
    assert "\\x1b[2Jx.py" in text and "\\u202ebad" in text
    lines = OUR_SGR.sub("", text).splitlines()
    heads = [line for line in lines if HEAD.match(line)]
    assert len(heads) == 3  # one per record: the fake lines are continuations
    for fake in ("injected line", "CRITICAL fake"):
        assert all(line.startswith("    12:00:00.000") for line in lines if fake in line)
    assert "\x1b[31m\x1b[1m\x1b[7mCRITICAL" in text  # colour on a terminal: ours
    assert "Traceback" not in text.replace("Traceback (most recent", "")  # Ctrl-C ended it quietly


@pytest.mark.parametrize(("tty", "args", "env", "coloured"), [
    (True, [], {"NO_COLOR": "1"}, False),
    (True, ["--no-color"], {}, False),
    (False, [], {}, False),
    (False, ["--color"], {"NO_COLOR": "1"}, True),
])
def test_colour_only_on_a_terminal_without_no_color(live: Live, tty: bool, args: list[str], env: dict[str, str],
                                                     coloured: bool) -> None:
    send(live, "disk full", level=logging.ERROR)
    tail = Tail("--url", live.url, "-n", "1", *args, tty=tty, env=env)
    tail.wait_for_text("disk full")
    assert tail.stop() == 0
    assert ("\x1b[31m\x1b[1mERROR" in tail.text()) is coloured
    assert ("\x1b" in tail.text()) is coloured


def test_json_lines_round_trip_the_records(live: Live) -> None:
    send(live, "plain", "a\nb \x1b[2J \u202e é")
    tail = Tail("--url", live.url, "--json", tty=True)
    tail.wait_for(lambda t: t.text().count("\n") >= 2)
    assert tail.stop() == 0
    assert tail.raw["out"].isascii() and b"\x1b" not in tail.raw["out"]
    shown = tail.json_lines()
    assert [r["message"] for r in shown] == ["plain", "a\nb \x1b[2J \u202e é"]
    for record in shown:
        assert live.get(f"/api/records/{record['id']}") == (200, record)


def test_backlog_then_live_each_record_once_in_order(live: Live) -> None:
    send(live, *(f"old {i}" for i in range(5)))
    tail = Tail("--url", live.url + "/ingest", "-n", "3", "--json", tty=False)  # the ingest URL works too
    assert [r["message"] for r in tail.wait_for_records(3)] == ["old 2", "old 3", "old 4"]
    send(live, *(f"new {i}" for i in range(4)))
    tail.wait_for_records(7)
    tail.quiet_for(0.3)
    assert tail.stop() == 0
    assert messages(tail) == ["old 2", "old 3", "old 4", "new 0", "new 1", "new 2", "new 3"]
    ids = [r["id"] for r in tail.json_lines()]
    assert ids == sorted(set(ids))
    assert tail.text("err") == ""


def test_filters_show_only_matching_records(live: Live) -> None:
    send(live, "card declined early", level=logging.ERROR, name="shop.pay")
    send(live, "card declined but info", level=logging.INFO, name="shop.pay")
    send(live, "card declined elsewhere", level=logging.ERROR, name="shopping")
    send(live, "timeout", level=logging.ERROR, name="shop.pay")
    tail = Tail("--url", live.url, "--level", "error", "--logger", "shop", "--q", "declined", "--json", tty=False)
    tail.wait_for_records(1)
    send(live, "card declined late", level=logging.CRITICAL, name="shop")
    send(live, "declined but debug", level=logging.DEBUG, name="shop.pay")
    send(live, "declined", level=logging.ERROR, name="other")
    send(live, "card declined last", level=logging.ERROR, name="shop.pay.db")
    tail.wait_for_records(3)
    tail.quiet_for(0.3)
    assert tail.stop() == 0
    assert messages(tail) == ["card declined early", "card declined late", "card declined last"]


def test_a_restarted_server_loses_and_repeats_nothing(serve, db_url: str) -> None:
    first = serve(db_url, workers=1)
    send(first, "a", "b")
    tail = Tail("--url", first.url, "-n", "2", "--json", tty=False)
    tail.wait_for_records(2)
    send(first, "c")
    tail.wait_for_records(3)  # it came live: the websocket is open
    stop_server(first.proc)
    tail.wait_for_text("connection lost; retrying", stream="err")
    app = create_app({"DATABASE_URL": db_url, "RETENTION": "none"})  # stored while nobody serves
    store_records(app, {"msg": "d"}, {"msg": "e"}, app_name="shop")
    close_app(app)
    again = serve(db_url, workers=1, port=first.port)
    send(again, "f")
    tail.wait_for_records(6)
    tail.wait_for_text("reconnected", stream="err")
    send(again, "g")
    tail.wait_for_records(7)
    tail.quiet_for(0.3)
    assert tail.stop() == 0
    assert messages(tail) == ["a", "b", "c", "d", "e", "f", "g"]
    assert tail.text("err").splitlines() == ["connection lost; retrying…", "reconnected"]


def test_records_skipped_for_a_slow_socket_are_fetched_again(live: Live, monkeypatch) -> None:
    feed = live.app.extensions["logdash.record_feed"]
    monkeypatch.setattr(feed, "queue_size", 1)
    tail = Tail("--url", live.url, "-n", "0", "--json", tty=False)
    deadline = time.monotonic() + 15
    while not feed._subs:  # subscribed: what follows comes live, not in the catch-up
        assert time.monotonic() < deadline and tail.proc.poll() is None, tail.text("err")
        time.sleep(0.05)
    stored = store_records(live.app, *[{"msg": f"burst {i}"} for i in range(300)])
    tail.wait_for_records(300)
    tail.quiet_for(0.3)
    assert tail.stop() == 0
    assert [r["id"] for r in tail.json_lines()] == stored
    assert "records skipped (too slow); reconnecting to catch up" in tail.text("err")


@pytest.mark.parametrize("app_settings", [{"UI_TOKEN": "s3cret"}])
def test_the_ui_token_is_sent_as_bearer(live: Live) -> None:
    send(live, "private")
    refused = Tail("--url", live.url, tty=False)
    assert refused.finish() == 1
    assert refused.text("err") == ("Error: 401 from " + live.url + ": this dashboard needs its UI token: "
                                   "pass --token (or set LOGDASH_UI_TOKEN)\n")
    tail = Tail("--url", live.url, "--json", tty=False, env={"LOGDASH_UI_TOKEN": "s3cret"})
    tail.wait_for_records(1)
    send(live, "still private")  # through the websocket, which needs the token too
    tail.wait_for_records(2)
    assert tail.stop() == 0
    assert messages(tail) == ["private", "still private"]


@pytest.mark.parametrize(("args", "status", "line"), [
    (["--since", "2GB"], 1, "Error: since: '2GB' is neither ISO 8601 nor epoch seconds"),
    (["--level", "LOUD"], 2, "Error: Invalid value for --level: 'LOUD' is not a level name or number"),
])
def test_a_bad_filter_is_one_line(live: Live, args: list[str], status: int, line: str) -> None:
    tail = Tail("--url", live.url, *args, tty=False)
    assert tail.finish() == status
    assert tail.text("err").startswith(line) and tail.text("err").count("\n") == 1
    assert tail.text() == ""


def test_an_unreachable_dashboard_is_one_line_at_once() -> None:
    port = free_port()
    started = time.monotonic()
    tail = Tail("--url", f"http://127.0.0.1:{port}", tty=False)
    assert tail.finish() == 1
    assert time.monotonic() - started < 10  # the process's own start took 5.5 s on a starved run; no retries
    assert tail.text("err") == f"Error: connection refused at 127.0.0.1:{port}: is `logdash serve` running there?\n"


def test_a_closed_pipe_ends_the_tail_quietly(live: Live) -> None:
    send(live, "one", "two")
    tail = Tail("--url", live.url, tty=False)
    tail.close_stdout()  # `logdash tail | head -1` once head has its line
    assert tail.finish() == 0
    assert tail.text("err") == ""


@pytest.mark.parametrize(("given", "base", "ws"), [
    ("127.0.0.1:8000", "http://127.0.0.1:8000", "ws://127.0.0.1:8000/ws/tail?after=1"),
    ("http://127.0.0.1:8000/ingest?app=x", "http://127.0.0.1:8000", "ws://127.0.0.1:8000/ws/tail?after=1"),
    ("https://logs.example.com/dash/ingest/", "https://logs.example.com/dash",
     "wss://logs.example.com/dash/ws/tail?after=1"),
    ("https://user:pw@[::1]:9000/", "https://[::1]:9000", "wss://[::1]:9000/ws/tail?after=1"),
])
def test_the_url_may_be_the_base_or_the_ingest_url(given: str, base: str, ws: str) -> None:
    dash = Dashboard.from_url(given)
    assert (dash.base, dash.ws_url({"after": "1"})) == (base, ws)


@pytest.mark.parametrize("given", ["ftp://host", "http://host:port", "http://"])
def test_a_url_that_is_no_dashboard_is_refused(given: str) -> None:
    with pytest.raises(TailFailed, match="--url"):
        Dashboard.from_url(given)


def test_since_takes_an_age_or_passes_the_time_on() -> None:
    assert float(since_arg("15m", 1000.0)) == 100.0
    assert since_arg("2026-01-01T00:00", 0) == "2026-01-01T00:00"
    assert since_arg("1700000000", 0) == "1700000000"

