"""`logdash serve` on another address than this machine's: refused without a UI token (one line), started
with --insecure (a loud warning) or with the token; the banner never claims "localhost" then."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import free_port, http

from dashboard.banner import banner, shown_host


def run_serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "serve", "--db", "sqlite:///p.db", *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={**os.environ, "LOGDASH_UI_TOKEN": "", "LOGDASH_INSECURE": "", **(env or {})})


def started(tmp_path: Path, port: int, *args: str, env: dict[str, str]) -> tuple[str, str]:
    """Start serve on every interface, read up to the banner's last line, check it answers, stop it."""
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--host", "0.0.0.0", "--port", str(port),
                             "--db", "sqlite:///p.db", "--workers", "1", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "LOGDASH_UI_TOKEN": "", "LOGDASH_INSECURE": "", **env})
    lines: list[str] = []
    try:
        while not lines or "hello, logdash" not in lines[-1]:
            line = proc.stdout.readline()
            assert line, "".join(lines) + proc.stderr.read()
            lines.append(line)
        assert http(f"http://127.0.0.1:{port}/healthz")[0] == 200
        status, _ = http(f"http://127.0.0.1:{port}/api/records")
    finally:
        proc.terminate()
        proc.wait(15)
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return "".join(lines) + f"\n/api/records: {status}", err


def test_a_network_bind_without_a_ui_token_is_refused_in_one_line(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "::", "192.0.2.7"):
        result = run_serve(tmp_path, "--host", host)
        assert result.returncode == 1 and result.stdout == ""
        line, = result.stderr.splitlines()
        assert line.startswith(f"Error: refusing to serve {host} without a UI token")
        assert "LOGDASH_UI_TOKEN" in line and "--insecure" in line
    assert not (tmp_path / "p.db").exists()  # refused before touching anything


def test_insecure_starts_with_a_loud_warning_and_the_real_address(tmp_path: Path) -> None:
    port = free_port()
    text, err = started(tmp_path, port, "--insecure", env={})
    warning, = [line for line in err.splitlines() if "WARNING" in line]
    assert "serving 0.0.0.0 with no UI token (--insecure)" in warning
    assert "localhost" not in text and f"http://{socket.gethostname()}:{port}/  (bound to 0.0.0.0," in text
    assert "NO UI TOKEN (--insecure)" in text and "/api/records: 200" in text
    _, err = started(tmp_path, port, env={"LOGDASH_INSECURE": "1"})
    assert "WARNING: serving 0.0.0.0" in err


def test_with_a_ui_token_a_network_bind_starts_and_needs_it(tmp_path: Path) -> None:
    port = free_port()
    text, err = started(tmp_path, port, env={"LOGDASH_UI_TOKEN": "serve-ui-token"})
    assert "WARNING" not in err and "serve-ui-token" not in text
    assert f"need the UI token (LOGDASH_UI_TOKEN): sign in at http://{socket.gethostname()}:{port}/login" in text
    assert "/api/records: 401" in text


def test_the_banner_names_the_real_address() -> None:
    assert shown_host("127.0.0.1") == shown_host("::1") == shown_host("localhost") == "localhost"
    assert shown_host("0.0.0.0") == shown_host("::") == socket.gethostname()
    assert shown_host("192.0.2.7") == "192.0.2.7" and shown_host("2001:db8::1") == "[2001:db8::1]"
    text = banner(version="1", host="192.0.2.7", port=8000, secure=True, workers=1, database="d", keeping="k",
                  token_required=False, ui_token=True)
    assert "https://192.0.2.7:8000/  (bound to 192.0.2.7," in text and "localhost" not in text
    assert "sign in at https://192.0.2.7:8000/login" in text
