"""DashboardHandler over an app's whole life: configured by dictConfig, flushed at exit, quick to exit when the
server hangs, and losing nothing while the server restarts."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from client_helpers import detached, hung_server, record, serve_on
from conftest import free_port

from dashboard.client import DashboardHandler

README = Path(__file__).resolve().parent.parent / "README.md"


def run_app(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_dictconfig_builds_it_and_exit_sends_what_is_queued(live) -> None:
    app = run_app(f"""
        import logging, logging.config
        logging.config.dictConfig({{
            "version": 1, "disable_existing_loggers": False,
            "formatters": {{"plain": {{"format": "%(levelname)s %(name)s: %(message)s"}}}},
            "handlers": {{"dash": {{"class": "dashboard.client.DashboardHandler", "url": "{live.url}/ingest",
                                    "app": "configured", "level": "INFO", "formatter": "plain"}}}},
            "root": {{"handlers": ["dash"], "level": "DEBUG"}},
        }})
        log = logging.getLogger("billing")
        log.debug("below the handler's level")
        log.info("paid %s", "inv-7")
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("refund failed")
    """)  # no flush, no close: the exit hook sends them
    out, err = app.communicate(timeout=30)
    assert app.returncode == 0 and out == "" and err == "", err
    rows = {r["message"]: r for r in live.records(app="configured")}
    assert set(rows) == {"paid inv-7", "refund failed"}
    assert rows["paid inv-7"]["name"] == "billing" and rows["paid inv-7"]["levelname"] == "INFO"
    assert "ZeroDivisionError: division by zero" in record(live, rows["refund failed"]["id"])["exc_text"]


def test_an_app_exits_promptly_while_the_server_hangs() -> None:
    with hung_server() as port:
        app = run_app(f"""
            import logging
            from dashboard.client import DashboardHandler
            log = logging.getLogger("app")
            log.setLevel(logging.INFO)
            log.addHandler(DashboardHandler("http://127.0.0.1:{port}/ingest", app="hung"))
            for i in range(100):
                log.info("record %d", i)
            print("logged", flush=True)
        """)
        assert app.stdout is not None and app.stdout.readline() == "logged\n"
        started = time.monotonic()
        _, err = app.communicate(timeout=30)
        took = time.monotonic() - started
    assert app.returncode == 0 and took < 3.5, f"exit took {took:.1f} s"
    assert "100 records not sent to http://127.0.0.1" in err and len(err.splitlines()) == 1, err


def test_records_logged_while_the_server_restarts_arrive_exactly_once(tmp_path, db_url) -> None:
    port = free_port()
    with serve_on(port, db_url, tmp_path) as live:
        handler = DashboardHandler(f"{live.url}/ingest", app="restart", max_backoff=0.5)
        log = detached(handler)
        for i in range(5):
            log.info("before %d", i)
        assert handler.flush(10)
    for i in range(50):  # nobody listening now
        log.info("during %d", i)
    assert not handler.flush(0.5)  # held and retried, not lost
    with serve_on(port, db_url, tmp_path) as live:
        assert handler.flush(15)
        log.info("after")
        handler.close()
        messages = [r["message"] for r in live.records(app="restart", limit="1000")]
    expected = [f"before {i}" for i in range(5)] + [f"during {i}" for i in range(50)] + ["after"]
    assert sorted(messages) == sorted(expected)


def readme_example(marker: str) -> str:
    section = README.read_text().split("## Clients", 1)[1]
    return next(block for block in re.findall(r"```python\n(.*?)```", section, re.S) if marker in block)


def test_the_readme_examples_deliver(live) -> None:
    url = f"{live.url}/ingest"
    plain = readme_example("addHandler").replace("http://localhost:8000/ingest", url)
    configured = readme_example("dictConfig").replace("http://localhost:8000/ingest", url)
    for program in (plain + 'logging.getLogger("x").info("plain")\n',
                    configured + 'logging.getLogger("x").info("configured")\n'):
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0 and result.stderr == "", result.stderr
    assert [r["message"] for r in live.records(app="myapp")] == ["plain"]
    assert [r["message"] for r in live.records(app="billing")] == ["configured"]


def test_a_forked_child_sends_its_own_records_and_not_its_parents(live) -> None:
    app = run_app(f"""
        import logging, os, sys
        from dashboard.client import DashboardHandler
        log = logging.getLogger("forked")
        log.setLevel(logging.INFO)
        log.addHandler(DashboardHandler("{live.url}/ingest", app="fork"))
        log.info("parent before")
        pid = os.fork()
        if pid == 0:
            log.info("child")
            sys.exit(0)
        os.waitpid(pid, 0)
        log.info("parent after")
    """)
    _, err = app.communicate(timeout=30)
    assert app.returncode == 0 and err == "", err
    assert sorted(r["message"] for r in live.records(app="fork")) == ["child", "parent after", "parent before"]
