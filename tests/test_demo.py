"""`logdash demo` succeeds only when every record arrived, and otherwise says why in one line."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import free_port

TOKEN = "s3cret-demo-token"


def demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "LOGDASH_INGEST_TOKEN"}
    return subprocess.run([sys.executable, "-m", "dashboard", "demo", "--count", "5", *args],
                          capture_output=True, text=True, timeout=60, env={**clean, **(env or {})})


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


def test_no_server_is_one_line_naming_the_address() -> None:
    port = free_port()
    result = demo("--url", f"http://127.0.0.1:{port}/ingest")
    assert result.returncode != 0
    assert f"connection refused at 127.0.0.1:{port}" in one_line(result)


@pytest.fixture
def token_server(serve, db_url):
    return serve(db_url, workers=1, env={"LOGDASH_INGEST_TOKEN": TOKEN})


def test_a_401_asks_for_the_token(token_server) -> None:
    result = demo("--url", f"{token_server.url}/ingest")
    assert result.returncode != 0
    line = one_line(result)
    assert "401" in line and "needs the ingest token: pass --token" in line
    assert token_server.records() == []


def test_a_wrong_token_is_named_and_never_echoed(token_server) -> None:
    result = demo("--url", f"{token_server.url}/ingest?token=wrong-{TOKEN}")
    assert result.returncode != 0
    line = one_line(result)
    assert "401" in line and TOKEN not in line and "token=" not in line


def test_a_404_says_there_is_no_ingest_there(token_server) -> None:
    result = demo("--url", f"{token_server.url}/logs?token={TOKEN}")
    assert result.returncode != 0
    line = one_line(result)
    assert "no /ingest at this URL" in line and "404" in line and TOKEN not in line


@pytest.mark.parametrize("how", ["option", "environment"])
def test_with_the_token_every_record_arrives(token_server, how: str) -> None:
    url = f"{token_server.url}/ingest"
    result = demo("--url", url, *(["--token", TOKEN] if how == "option" else []),
                  env={"LOGDASH_INGEST_TOKEN": TOKEN} if how == "environment" else None)
    assert result.returncode == 0, result.stderr
    assert f"sent 5 records to {url}" in result.stdout and TOKEN not in result.stdout + result.stderr
    assert len(token_server.records()) == 5
    status, listing = token_server.get("/api/requests?status=failed")
    assert status == 200 and listing["requests"] == []
