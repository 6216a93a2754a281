"""`logdash serve` (gunicorn, several workers), `logdash demo`, restarts and the CLI surface."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

from conftest import http, log_with

from dashboard.logs.snippets import connect_snippet
from dashboard.store.engine import describe_url


def test_serve_migrates_a_new_file_and_survives_restart(serve, tmp_path) -> None:
    db_url = f"sqlite:///{tmp_path / 'fresh.db'}"
    live = serve(db_url, workers=2)
    for i in range(20):  # new connection per record: both workers take some
        log_with(live.handler(method="POST" if i % 2 else "GET"), logging.INFO, "record %d", i)
    assert sorted(r["message"] for r in live.records(limit="100")) == sorted(f"record {i}" for i in range(20))
    again = serve(db_url, workers=1)  # a second server on the same file, as after a restart
    assert len(again.records(limit="100")) == 20


def test_long_get_record_passes_under_gunicorn(serve, db_url) -> None:
    live = serve(db_url, workers=1)
    log_with(live.handler(method="GET"), logging.ERROR, "long %s", "x" * 100_000)
    record = live.records()[0]
    assert record["message"] == "long " + "x" * 100_000  # args up to 1 MiB of text are formatted
    assert record["args"] == repr(("x" * 100_000,))


def banner_of(tmp_path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start serve (one worker), read its banner up to the snippet's last line, stop it."""
    from conftest import free_port
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port),
                             "--db", "sqlite:///p.db", "--workers", "1", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
                            env={**os.environ, **(env or {})})
    lines: list[str] = []
    try:
        while not lines or "hello, logdash" not in lines[-1]:
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
    finally:
        proc.terminate()
        proc.wait(15)
        proc.stdout.close()
    return port, "".join(lines)


def test_serve_prints_url_and_the_snippet_once_listening(tmp_path) -> None:
    port, text = banner_of(tmp_path)
    assert f"http://localhost:{port}/  (1 worker, database {tmp_path / 'p.db'}," in text
    assert f"accepted or refused, is in http://localhost:{port}/inspector" in text
    snippet = connect_snippet(f"localhost:{port}", False, False)
    assert textwrap.indent(snippet, "    ") in text
    assert "setLevel(logging.INFO)" in snippet and "credentials" not in snippet


def test_with_a_token_the_banner_snippet_sends_credentials_but_not_the_token(tmp_path) -> None:
    port, text = banner_of(tmp_path, env={"LOGDASH_INGEST_TOKEN": "banner-secret"})
    assert textwrap.indent(connect_snippet(f"localhost:{port}", False, True), "    ") in text
    assert 'credentials=("myapp", "YOUR_INGEST_TOKEN")' in text and "banner-secret" not in text


def test_shown_database_is_absolute_and_hides_passwords(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert describe_url("sqlite:///rel.db") == str(tmp_path / "rel.db")
    shown = describe_url("postgresql+psycopg://me:hunter2@db.example/logs")
    assert "hunter2" not in shown and shown.startswith("postgresql+psycopg://me:***@db.example")


def test_demo_sends_realistic_records(serve, db_url) -> None:
    live = serve(db_url, workers=2)
    result = subprocess.run([sys.executable, "-m", "dashboard", "demo", "--url", f"{live.url}/ingest",
                             "--count", "30"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"sent 30 records to {live.url}/ingest" in result.stdout
    records = live.records(limit="100")
    assert len(records) == 30
    assert len({r["name"] for r in records}) >= 4 and len({r["levelname"] for r in records}) >= 3
    assert {r["app"] for r in records} <= {"shop", "billing", "auth"}
    failures = [r for r in records if r["exc_type"]]
    assert failures and all(r["extra"].get("order") for r in failures)
    assert any(r["extra"].get("request_id") for r in records)


def test_help_everywhere() -> None:
    for args in (["--help"], ["serve", "--help"], ["demo", "--help"], ["db", "upgrade", "--help"]):
        result = subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True)
        assert result.returncode == 0 and "Usage: logdash" in result.stdout, result.stderr


def test_serve_refuses_half_tls(tmp_path) -> None:
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    result = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--certfile", str(cert)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2 and "--certfile and --keyfile go together" in result.stderr


def test_health_of_a_served_instance(serve, db_url) -> None:
    live = serve(db_url, workers=1)
    assert http(f"{live.url}/healthz") == (200, {"status": "ok"})
