"""Fixtures: a migrated SQLite file per test, the real app on a loopback port, stock clients."""
from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from dashboard import close_app, create_app
from dashboard.ingest.parse import parse_record, to_row
from dashboard.store.engine import make_engine
from dashboard.store.migrate import upgrade

pytest_plugins = ("pg_helpers",)  # the PostgreSQL fixtures: pg_template, pg_run, pg_url
WIRE = Path(__file__).parent / "wire"


@dataclass
class Live:
    """A running dashboard: base URL plus small helpers used across the tests."""
    url: str
    host: str
    port: int
    app: Any = None
    proc: subprocess.Popen | None = None  # a `serve` subprocess, for tests that stop and restart it

    def get(self, path: str) -> tuple[int, Any]:
        """GET path; return (status, parsed JSON or text)."""
        return http(self.url + path)

    def post(self, path: str, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """POST raw bytes; return (status, parsed JSON or text)."""
        return http(self.url + path, body, {"Content-Type": content_type, **(headers or {})})

    def handler(self, path: str = "/ingest", method: str = "POST", **kw: Any) -> logging.Handler:
        """The stock HTTPHandler pointed at this server."""
        return logging.handlers.HTTPHandler(f"{self.host}:{self.port}", path, method=method, **kw)

    def records(self, **args: str) -> list[dict[str, Any]]:
        """/api/records with the given arguments."""
        query = urllib.parse.urlencode(args)
        status, body = self.get(f"/api/records?{query}")
        assert status == 200, body
        return body["records"]


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, Any]:
    """One HTTP exchange with urllib; errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        status, raw, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
    if "json" in ctype:
        return status, json.loads(raw)
    return status, raw.decode("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_with(handler: logging.Handler, level: int, msg: str, *args: Any, name: str = "test.app",
             **kw: Any) -> None:
    """Log one record through `handler` only, the way an app would (a detached logger: no root
    handlers, such as pytest's, format the record first)."""
    logger = logging.Logger(name, level=1)
    logger.addHandler(handler)
    with warnings.catch_warnings():  # HTTPHandler never closes its connection (CPython's, not ours)
        warnings.simplefilter("ignore", ResourceWarning)
        logger.log(level, msg, *args, **kw)


def store_records(app: Any, *records: dict[str, Any], app_name: str | None = "shop",
                  now: float | None = None) -> list[int]:
    """Store records through `app`'s own writer, shaped by the real ingest helpers (the ingest path after
    decoding); `created` defaults to `now`. Returns the new ids in the order given."""
    now = time.time() if now is None else now
    rows = [to_row(parse_record({"created": str(now), **fields}, received=now, app=app_name, source="127.0.0.1"))
            for fields in records]
    return app.extensions["logdash.writer"].store(rows).record_ids


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head with the real Alembic revisions, once per session."""
    path = tmp_path_factory.mktemp("template") / "logdash.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is folded into the file and removed
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_file: Path) -> str:
    """A fresh SQLite file at head: a copy of the session's migrated one (migrating each took longer
    than most tests)."""
    path = tmp_path / "logdash.db"
    shutil.copyfile(migrated_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """The test's database: SQLite (modules that run on both backends override this with backend_url)."""
    return sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest) -> str:
    """The test's database on each backend in turn (a module opts in by returning it from db_url)."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Per-test setting overrides (tests override this fixture or mutate the dict)."""
    return {}


@pytest.fixture
def app(db_url: str, app_settings: dict[str, Any]):
    app = create_app({"DATABASE_URL": db_url, "RETENTION": "none", **app_settings})
    yield app
    close_app(app)


@pytest.fixture
def live(app) -> Iterator[Live]:
    """The app served on a loopback port by a threaded WSGI server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.port}", "127.0.0.1", server.port, app)
    server.shutdown()
    thread.join(5)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start `logdash serve` (gunicorn, several workers) as a real subprocess; returns a starter."""
    procs: list[subprocess.Popen] = []

    def start(db_url: str, workers: int = 2, env: dict[str, str] | None = None, port: int | None = None) -> Live:
        port = port or free_port()
        # its output goes to a file: a pipe nobody reads fills up and freezes the server mid-test
        log_path = tmp_path / f"serve-{port}.log"
        with log_path.open("wb") as log_file:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--db", db_url,
                 "--workers", str(workers)],
                cwd=tmp_path, env={**os.environ, "LOGDASH_RETENTION": "none", **(env or {})},
                stdout=log_file, stderr=subprocess.STDOUT)
        procs.append(proc)
        live = Live(f"http://127.0.0.1:{port}", "127.0.0.1", port, proc=proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {log_path.read_text(errors='replace')}")
            try:
                if live.get("/healthz")[0] == 200:
                    return live
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("serve did not become healthy")

    yield start
    for proc in procs:
        stop_server(proc)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a `logdash serve` gracefully, killing it if it will not go."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(15)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; skips (with the reason) where either is missing."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI (apt-get install -y chromium)")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@contextlib.contextmanager
def _tab(browser: Any) -> Iterator[Any]:
    """A browser tab at 1280x800 in its own context; console and page errors fail at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


@pytest.fixture
def page(browser):
    """A fresh browser tab at 1280x800; console errors fail the test."""
    with _tab(browser) as tab:
        yield tab


# Module-scoped: browser tests that can share one server and one tab (starting a server and a browser
# context per test costs more than the checks themselves) keep their data apart by app name or path.
@pytest.fixture(scope="module")
def shared_live(tmp_path_factory: pytest.TempPathFactory, migrated_file: Path) -> Iterator[Live]:
    """One migrated SQLite file and the real app on a loopback port, for a whole module."""
    path = tmp_path_factory.mktemp("shared") / "logdash.db"
    shutil.copyfile(migrated_file, path)
    url = f"sqlite:///{path}"
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Live(f"http://127.0.0.1:{server.port}", "127.0.0.1", server.port, app)
    server.shutdown()
    thread.join(5)
    server.server_close()
    close_app(app)


@pytest.fixture(scope="module")
def shared_page(browser: Any) -> Iterator[Any]:
    """One tab at 1280x800 for a whole module; page errors fail the module's last test."""
    with _tab(browser) as tab:
        yield tab
