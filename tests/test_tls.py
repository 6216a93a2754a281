"""HTTPS: `serve --certfile/--keyfile` takes the stock `HTTPHandler(secure=True, context=...)`."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port

from dashboard.client.checked import CheckedHTTPHandler


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made by openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def test_the_stock_handler_logs_over_https(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(cafile=str(cert))
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port), "--workers", "1",
                                 "--db", f"sqlite:///{tmp_path / 'tls.db'}", "--certfile", str(cert),
                                 "--keyfile", str(key)], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", context=context) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text(errors="replace")
                time.sleep(0.1)
        handler = CheckedHTTPHandler(f"127.0.0.1:{port}", "/ingest?app=tls", method="POST", secure=True,
                                     context=context)  # the stock handler, its connection kept to close it
        handler.emit(logging.LogRecord("tls", logging.WARNING, __file__, 1, "over %s", ("https",), None))
        handler.connection.close()
        assert handler.take_answer()[0] == 200
        with urllib.request.urlopen(base + "/api/records?app=tls", context=context) as answer:
            records = json.load(answer)["records"]
        assert [r["message"] for r in records] == ["over https"]
        banner = (tmp_path / "serve.log").read_text(errors="replace")
        assert f"https://localhost:{port}/" in banner and "secure=True" in banner
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
