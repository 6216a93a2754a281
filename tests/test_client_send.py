"""`logdash send` against the real server: real apps' log files, JSON lines, a pipe, a followed file, failures."""
from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from client_helpers import record, wait_for
from conftest import free_port
from pythonjsonlogger.json import JsonFormatter

APP = """
    import logging, sys
    logging.basicConfig(level=logging.DEBUG)  # stderr, logging.BASIC_FORMAT
    stamped = logging.FileHandler(sys.argv[1])
    stamped.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(stamped)
    log = logging.getLogger("shop.db")
    log.info("starting %d workers", 3)
    log.warning("disk %d%% full", 91)
    try:
        try:
            {}["coupon"]
        except KeyError as e:
            raise ValueError("no coupon") from e
    except ValueError:
        log.exception("order %d failed", 7)
    log.error("two lines\\n  the second indented")
    print("a plain print", file=sys.stderr)
    raise RuntimeError("crash at the end")
"""
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("LOGDASH_")}


def send(*args: str, **kw) -> subprocess.Popen:
    kw.setdefault("env", CLEAN_ENV)
    return subprocess.Popen([sys.executable, "-m", "dashboard", "send", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def finish(proc: subprocess.Popen, last_input: str | None = None) -> str:
    """Wait for `send` (after writing `last_input` and closing its stdin); check it succeeded and kept stdout
    empty; return its stderr."""
    out, err = proc.communicate(last_input, timeout=60)
    assert proc.returncode == 0 and out == "", err
    return err


def by_message(live, app: str) -> dict[str, dict]:
    return {r["message"]: record(live, r["id"]) for r in live.records(app=app, limit="1000")}


def test_a_real_apps_log_files(live, tmp_path: Path) -> None:
    stderr_log, stamped_log = tmp_path / "stderr.log", tmp_path / "stamped.log"
    started = time.time()
    with stderr_log.open("wb") as out:
        subprocess.run([sys.executable, "-c", textwrap.dedent(APP), str(stamped_log)], stderr=out, timeout=30)
    ended = time.time()
    url = f"{live.url}/ingest"
    procs = [send("--url", url, "--app", "basic", str(stderr_log)), send("--url", url, "--app", "stamped",
                                                                         str(stamped_log))]
    errs = [finish(proc) for proc in procs]
    assert errs == [f"sent 6 records to {url}\n", f"sent 4 records to {url}\n"]
    for app in ("basic", "stamped"):
        rows = by_message(live, app)
        got = {m: (r["levelname"], r["name"]) for m, r in rows.items() if m in (
            "starting 3 workers", "disk 91% full", "order 7 failed", "two lines\n  the second indented")}
        assert got == {"starting 3 workers": ("INFO", "shop.db"), "disk 91% full": ("WARNING", "shop.db"),
                       "order 7 failed": ("ERROR", "shop.db"), "two lines\n  the second indented": ("ERROR", "shop.db")}
        failed = rows["order 7 failed"]["exc_text"]
        assert failed.startswith("Traceback (most recent call last):") and failed.endswith("ValueError: no coupon")
        assert "KeyError: 'coupon'" in failed and rows["order 7 failed"]["exc_type"] == "ValueError"
    stamped = by_message(live, "stamped")
    assert all(started - 1 <= r["created"] <= ended + 1 for r in stamped.values())  # asctime, read as local time
    basic = by_message(live, "basic")
    assert basic["a plain print"]["levelname"] == "INFO"
    crash = basic["RuntimeError: crash at the end"]  # the uncaught exception: a record of its own
    assert crash["levelname"] == "ERROR" and crash["exc_text"].endswith("RuntimeError: crash at the end")


def test_json_lines_and_plain_lines_through_a_pipe_arrive_as_they_come(live) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(name)s %(levelname)s %(message)s %(created)s"))
    shipper = logging.Logger("billing", level=logging.INFO)
    shipper.addHandler(handler)
    shipper.warning("invoice %s late", "inv-7", extra={"customer": 42})
    proc = send("--url", f"{live.url}/ingest", "--app", "piped", stdin=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(stream.getvalue())
    proc.stdin.write("[ERROR] from a pipe\n")
    proc.stdin.flush()  # the pipe stays open: both must show up anyway, within the idle time
    rows = wait_for(lambda: by_message(live, "piped") if len(live.records(app="piped")) == 2 else None)
    assert finish(proc, "INFO:web:last\n") == f"sent 3 records to {live.url}/ingest\n"
    shipped = rows["invoice inv-7 late"]
    assert (shipped["name"], shipped["levelname"], shipped["extra"]["customer"]) == ("billing", "WARNING", 42)
    assert rows["from a pipe"]["levelname"] == "ERROR"
    assert "last" in by_message(live, "piped")


def test_a_followed_file_sends_what_is_written_to_it_until_stopped(live, tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text("INFO:web:first\n")
    proc = send("--url", f"{live.url}/ingest", "--app", "followed", "-f", str(path))
    wait_for(lambda: live.records(app="followed"))
    with path.open("a") as log:
        log.write("ERROR:web:grew\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n")
        log.flush()
        time.sleep(0.7)  # longer than the idle time: a traceback written in two goes is still one record
        log.write("KeyError: 'k'\nWARNING:web:third\n")
    wait_for(lambda: len(live.records(app="followed")) == 3)
    proc.send_signal(signal.SIGTERM)
    assert finish(proc) == f"sent 3 records to {live.url}/ingest\n"
    rows = by_message(live, "followed")
    assert sorted(rows) == ["first", "grew", "third"]
    assert rows["grew"]["exc_text"].endswith("KeyError: 'k'") and rows["grew"]["levelname"] == "ERROR"


def test_no_server_is_one_line_and_a_failure_exit() -> None:
    port = free_port()
    proc = send("--url", f"http://127.0.0.1:{port}/ingest", stdin=subprocess.PIPE)
    _, err = proc.communicate("INFO:x:y\n", timeout=60)
    assert proc.returncode == 1 and err.count("\n") == 1
    assert f"connection refused at 127.0.0.1:{port}" in err


@pytest.mark.parametrize("app_settings", [{"INGEST_TOKEN": "s3cret"}])
def test_a_refusal_is_one_line_and_a_failure_exit(live) -> None:
    proc = send("--url", f"{live.url}/ingest", "--token", "wrong", stdin=subprocess.PIPE)
    _, err = proc.communicate("INFO:x:y\n", timeout=60)
    assert proc.returncode == 1 and err.count("\n") == 1 and "s3cret" not in err
    assert "401" in err and "ingest token was refused" in err and "(no records sent)" in err
    assert live.records() == []
