"""Shared helpers for the benchmarks: servers as subprocesses, HTTP, realistic records, statistics, tables.

Only the public interface is used (the `logdash` command and HTTP), never `dashboard.*` internals.
"""
from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
LOGDASH = [str(BIN / "logdash")] if (BIN / "logdash").exists() else [sys.executable, "-m", "dashboard"]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A server started as its own process group, so stop() ends it and every child."""
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:  # http://127.0.0.1:<port>
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """Pids of the child processes (gunicorn workers)."""
        children: set[int] = set()
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                children.update(int(c) for c in (task / "children").read_text().split())
        return sorted(children)

    def worker_peak_rss_mb(self) -> dict[int, float]:
        """Peak RSS (VmHWM) of each worker, in MB; read before stop()."""
        peaks = {}
        for pid in self.workers():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                peaks[pid] = int(status.split("VmHWM:")[1].split()[0]) / 1024
        return peaks

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the workers."""
        return sum(cpu_seconds(pid) for pid in self.workers())

    def stop(self) -> None:
        """SIGTERM to the whole process group, then SIGKILL to whatever of it is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a live process has used, from /proc/<pid>/stat; 0 when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(name: str, cmd: list[str], port: int, log_dir: Path, env: dict[str, str] | None = None,
          health: str = "/healthz", timeout: float = 60) -> Server:
    """Start `cmd` (which listens on `port`) and wait until `health` answers 200."""
    log = log_dir / f"{name.replace(' ', '_')}-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=log_dir, env={**os.environ, **(env or {})})
    server = Server(name, proc, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(server.url + health, timeout=2) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} did not start; its log ends:\n" + log.read_text(errors="replace")[-2000:])


def start_logdash(db: Path, log_dir: Path, workers: int = 2, env: dict[str, str] | None = None) -> Server:
    """`logdash serve` on a free loopback port with a SQLite file."""
    port = free_port()
    cmd = [*LOGDASH, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", f"sqlite:///{db}",
           "--workers", str(workers)]
    return start("logdash", cmd, port, log_dir, env)


def db_upgrade(db: Path) -> None:
    """Create the schema in a SQLite file with `logdash db upgrade`."""
    subprocess.run([*LOGDASH, "db", "upgrade", "--db", f"sqlite:///{db}"], check=True, capture_output=True)


def rss_line(server: Server) -> str:
    """'peak RSS per worker: 81 MB, 79 MB' for the Markdown output."""
    peaks = server.worker_peak_rss_mb()
    shown, worst = ", ".join(f"{mb:.0f} MB" for mb in peaks.values()) or "n/a", max(peaks.values(), default=0.0)
    return f"{server.name} peak RSS per worker (VmHWM): {shown} (target < 200 MB: {'met' if worst < 200 else 'MISSED'})"


class Http:
    """One keep-alive HTTP/1.1 connection to a loopback server; reconnects once on a dropped connection."""

    def __init__(self, port: int, timeout: float = 120) -> None:
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, http.client.HTTPMessage]:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                return resp.status, resp.read(), resp.headers
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path: str) -> Any:
        return json.loads(self.timed_get(path)[1])

    def record_count(self) -> int:  # records stored: the sum of /api/histogram's bars
        return sum(sum(bar["counts"].values()) for bar in self.get_json("/api/histogram")["buckets"])

    def timed_get(self, path: str, headers: dict[str, str] | None = None) -> tuple[float, bytes]:
        """Seconds to the last byte of GET `path`, and the body; raises unless 200."""
        t0 = time.perf_counter()
        status, body, _ = self.request("GET", path, headers=headers)
        elapsed = time.perf_counter() - t0
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")
        return elapsed, body

    def post_records(self, records: Sequence[dict[str, Any]], fmt: str = "ndjson", app: str | None = None) -> int:
        """POST records as NDJSON or a JSON array (see encode); returns the accepted count."""
        return self.post_body(*encode(records, fmt, app))

    def post_body(self, path: str, body: bytes, ctype: str, max_tries: int = 200) -> int:
        """POST an ingest body; retries 503 (bounded); returns the accepted count."""
        for _ in range(max_tries):
            status, answer, headers = self.request("POST", path, body, {"Content-Type": ctype})
            if status == 200:
                return json.loads(answer)["accepted"]
            if status != 503:
                raise RuntimeError(f"POST {path}: {status} {answer[:300]!r}")
            time.sleep(min(float(headers.get("Retry-After") or 1), 1) / 10)
        raise RuntimeError(f"POST {path}: still 503 after {max_tries} tries")

    def close(self) -> None:
        self.conn.close()


def encode(records: Sequence[dict[str, Any]], fmt: str = "ndjson", app: str | None = None) -> tuple[str, bytes, str]:
    """(ingest path, body, content type) for records as NDJSON or a JSON array."""
    if fmt == "ndjson":
        body, ctype = "".join(json.dumps(r) + "\n" for r in records).encode(), "application/x-ndjson"
    else:
        body, ctype = json.dumps(list(records)).encode(), "application/json"
    return "/ingest" + (f"?app={app}" if app else ""), body, ctype


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between the closest ranks; nan for no values."""
    if not values:
        return float("nan")
    data = sorted(values)
    k = (len(data) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def ms(seconds: float) -> str:  # seconds shown as milliseconds with one decimal
    return f"{seconds * 1000:.1f}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table: first column left-aligned, the others right-aligned."""
    print("| " + " | ".join(headers) + " |")
    print("| --- |" + " ---: |" * (len(headers) - 1))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def header(title: str) -> None:  # a Markdown heading, then when and on what the benchmark ran
    print(f"\n## {title}\n")
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}\n")


def footer(started: float, notes: Sequence[str] = ()) -> None:
    """The notes as a list, then the total runtime since `started` (time.monotonic())."""
    print("".join(f"- {note}\n" for note in notes))
    print(f"total runtime: {time.monotonic() - started:.0f} s")


# --- realistic records ---------------------------------------------------------------------------

APPS = {"shop": 40, "billing": 25, "auth": 15, "search": 12, "mailer": 8}  # app: share of records (%)
_TOPS = {"shop": ("shop", "worker"), "billing": ("billing", "sqlalchemy"), "auth": ("auth",),
         "search": ("search", "urllib3"), "mailer": ("mailer",)}
_MIDS = ("web", "db", "tasks", "payments", "invoices", "api", "sessions", "tokens", "oauth", "index", "query",
         "suggest", "smtp", "queue", "templates", "jobs", "scheduler", "retry", "engine", "pool", "orm",
         "connectionpool", "util", "response")
_LEAVES = ("cart", "checkout", "catalog", "orders", "stock", "users", "cache", "client", "events", "refunds", "metrics",
           "audit")
LOGGERS = [f"{top}.{_MIDS[3 * i + j]}.{_LEAVES[(i + 4 * j + k) % 12]}"  # 72, in dotted hierarchies
           for i, top in enumerate(t for tops in _TOPS.values() for t in tops) for j in range(3) for k in range(3)]
_WEIGHTS = {name: 1 / (rank + 1) ** 1.3 for rank, name in enumerate(random.Random(3).sample(LOGGERS, 72))}
_APP_LOGGERS = {app: [n for n in LOGGERS if n.split(".")[0] in tops] for app, tops in _TOPS.items()}
_APP_CUM = {app: list(itertools.accumulate(_WEIGHTS[n] for n in names)) for app, names in _APP_LOGGERS.items()}
_SHARE = {n: APPS[app] * _WEIGHTS[n] / cum[-1] for app, cum in _APP_CUM.items() for n in _APP_LOGGERS[app]}
COMMON_LOGGER = max(_TOPS["shop"], key=lambda top: sum(v for n, v in _SHARE.items() if n.startswith(top + ".")))
RARE_LOGGER = min(_SHARE, key=_SHARE.__getitem__)  # the least used leaf
COMMON_APP = next(app for app, tops in _TOPS.items() if COMMON_LOGGER in tops)
COMMON_WORD, RARE_WORD, ABSENT_WORD = "timeout", "xylophone", "zeppelin"
_TEMPLATES: list[tuple[int, float, str, Any]] = [  # (levelno, weight, msg, args maker)
    (10, 25, "cache miss for %s", lambda r: (f"user:{r.randint(1, 99999)}",)),
    (10, 10, "sql %s took %.1f ms", lambda r: (r.choice(("SELECT", "UPDATE", "INSERT")), r.uniform(0.1, 40))),
    (20, 30, "%s %s %d in %.1f ms", lambda r: (r.choice(("GET", "POST")), r.choice(("/", "/cart", "/login")),
                                               r.choice((200, 200, 200, 201, 302, 404)), r.uniform(1, 300))),
    (20, 15, "user %s logged in from %s", lambda r: (f"u{r.randint(1, 5000)}",
                                                     f"10.0.{r.randint(0, 9)}.{r.randint(2, 250)}")),
    (20, 8, "job %s done in %.2f s", lambda r: (f"job-{r.getrandbits(24):06x}", r.uniform(0.01, 9))),
    (30, 4, "upstream timeout after %.1f s calling %s", lambda r: (r.uniform(1, 30), r.choice(("payments", "stock")))),
    (30, 4, "stock of %s low: %d left", lambda r: (r.choice(("apple", "pear", "plum")), r.randint(0, 5))),
    (40, 2.5, "payment %s declined: %s", lambda r: (f"pay_{r.randint(0, 9999):04d}", r.choice(("expired", "fraud")))),
    (40, 1, "read timeout talking to %s", lambda r: (r.choice(("db-1", "cache-2", "smtp")),)),
    (50, 0.5, "database unreachable: %s", lambda r: (r.choice(("connection refused", "no route to host")),)),
]
_TEMPLATE_CUM = list(itertools.accumulate(t[1] for t in _TEMPLATES))
_LEVEL_NAMES = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
_FUNCS = ("handle", "run", "get", "post", "process", "fetch", "send", "execute")


def make_record(rng: random.Random, app: str, created: float, rare: bool = False) -> dict[str, Any]:
    """One record as a JSON client sends it (LogRecord attribute names, `args` as a list, an extra field)."""
    name = rng.choices(_APP_LOGGERS[app], cum_weights=_APP_CUM[app])[0]
    levelno, _, msg, args = rng.choices(_TEMPLATES, cum_weights=_TEMPLATE_CUM)[0]
    msg += f" ({RARE_WORD})" if rare else ""
    mid = name.split(".")[1]
    return {"name": name, "msg": msg, "args": list(args(rng)), "levelname": _LEVEL_NAMES[levelno], "levelno": levelno,
            "created": round(created, 3), "pathname": f"/srv/{app}/{name.split('.')[0]}/{mid}.py",
            "filename": f"{mid}.py", "module": mid, "lineno": rng.randint(10, 900), "funcName": rng.choice(_FUNCS),
            "process": 1000 + len(app), "processName": "MainProcess",
            "thread": 140000000000000 + rng.randint(0, 7), "threadName": "MainThread",
            "request_id": f"{rng.getrandbits(32):08x}"}


def record_batches(total: int, batch: int, start: float, span: float, seed: int = 1,
                   rare_count: int = 8) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """`total` records spread in time order over [start, start+span], as (app, batch) per app.

    Each app ships its own batches (the app comes from the ingest URL); `rare_count` messages
    carry RARE_WORD.
    """
    rng = random.Random(seed)
    pending: dict[str, list[dict[str, Any]]] = {app: [] for app in APPS}
    rare_every = max(1, total // max(1, rare_count))
    apps, cum = list(APPS), list(itertools.accumulate(APPS.values()))
    for i in range(total):
        app = rng.choices(apps, cum_weights=cum)[0]
        created = start + span * i / total + rng.uniform(-30, 30)
        pending[app].append(make_record(rng, app, min(created, start + span), rare=i % rare_every == 7))
        if len(pending[app]) >= batch:
            yield app, pending[app]
            pending[app] = []
    for app, rest in pending.items():
        if rest:
            yield app, rest
