"""A first run that follows the README: bad settings, a taken port and the snippet, each in one line."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port

from dashboard.logs.snippets import connect_snippet

README = Path(__file__).resolve().parent.parent / "README.md"
COMMANDS = [["serve"], ["prune", "--keep", "5"], ["db", "upgrade"]]


def logdash(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60,
            hide: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess; `hide` makes those modules unimportable (a missing package)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LOGDASH_")}
    code = (f"import sys; sys.modules.update(dict.fromkeys({list(hide)!r})); "
            "from dashboard.cli import main; main(prog_name='logdash')")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env={**base, "PYTHONPATH": str(README.parent), **(env or {})})


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout + result.stderr
    return lines[0]


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this user cannot create files in (root writes anywhere, except in /proc)."""
    if os.geteuid() == 0:
        return Path("/proc")
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


BAD_URLS = [
    ("sqlite://x.db", "sqlite:///x.db"),
    ("nonsense", "'nonsense' is not a database URL"),
    ("sqlite:////missing/folder/x.db", "folder /missing/folder does not exist"),
    ("postgres://me:pw@localhost/logs", "postgresql+psycopg://me:***@localhost/logs"),
    ("mysql://me@localhost/logs", "not installed"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(("url", "named"), BAD_URLS, ids=[u for u, _ in BAD_URLS])
def test_a_bad_database_url_is_one_line(tmp_path: Path, command: list[str], url: str, named: str) -> None:
    result = logdash(*command, "--db", url, cwd=tmp_path)
    assert result.returncode != 0
    line = one_line(result)
    assert named in line and "pw" not in line.replace("psycopg", "")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unwritable_folder_is_named(tmp_path: Path, command: list[str]) -> None:
    path = unwritable_folder(tmp_path) / "x.db"
    result = logdash(*command, "--db", f"sqlite:///{path}", cwd=tmp_path)
    assert result.returncode != 0
    line = one_line(result)
    assert str(path) in line and ("writable" in line or "unable to open" in line)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_missing_postgres_driver_says_what_to_install(tmp_path: Path, command: list[str]) -> None:
    result = logdash(*command, "--db", "postgresql+psycopg://me:pw@localhost/logs", cwd=tmp_path,
                     hide=("psycopg",))
    assert result.returncode != 0
    line = one_line(result)
    assert "pip install 'logdash[postgres]'" in line and ":pw@" not in line


@pytest.mark.parametrize(("env", "named"), [
    ({"LOGDASH_PORT": "abc"}, "LOGDASH_PORT"),
    ({"LOGDASH_WORKERS": "many"}, "LOGDASH_WORKERS"),
    ({"LOGDASH_RETENTION": "7 fortnights"}, "LOGDASH_RETENTION"),
    ({"LOGDASH_QUEUE_SIZE": "big"}, "LOGDASH_QUEUE_SIZE"),
    ({"LOGDASH_LOG_FORMAT": "xml"}, "LOGDASH_LOG_FORMAT"),
])
def test_a_bad_setting_in_the_environment_is_one_line(tmp_path: Path, env: dict[str, str], named: str) -> None:
    result = logdash("serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert named in one_line(result)


def test_a_taken_port_is_one_line_and_no_banner(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = logdash("serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'x.db'}", cwd=tmp_path,
                         timeout=20)
    assert result.returncode != 0
    line = one_line(result)
    assert f"port {port}" in line and "--port" in line and "logdash 0" not in line


def test_help_names_the_environment_twins(tmp_path: Path) -> None:
    result = logdash("serve", "--help", cwd=tmp_path)
    assert "LOGDASH_CERTFILE" in result.stdout and "LOGDASH_KEYFILE" in result.stdout


def readme_snippet() -> str:
    section = README.read_text().split("## Send logs", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_snippet_is_the_one_the_pages_and_banner_show() -> None:
    assert readme_snippet().strip() == connect_snippet("localhost:8000", False, False)


def test_the_readme_snippet_delivers_info_records(serve, db_url, tmp_path: Path) -> None:
    live = serve(db_url, workers=1)
    program = readme_snippet().replace("localhost:8000", f"127.0.0.1:{live.port}")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    [record] = live.records()
    assert (record["levelname"], record["message"], record["app"]) == ("INFO", "hello, logdash", "myapp")


def test_the_port_is_free_again_after_a_refusal(tmp_path: Path) -> None:
    port = free_port()
    result = logdash("serve", "--port", str(port), "--db", "nonsense", cwd=tmp_path)
    assert result.returncode != 0
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # nothing was left listening
