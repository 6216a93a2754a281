"""Retention: the policy setting, pruning in small steps in the background and from the CLI, and
ingest that keeps going while half a million records are pruned."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import http

from dashboard import create_app
from dashboard.store.engine import make_engine, write_lock
from dashboard.store.retention import Policy, parse_policy, prunable, prune, used_bytes


@pytest.mark.parametrize(("text", "policy"), [
    ("7d", Policy(max_age=7 * 86400)),
    ("12h, 1000000", Policy(max_age=12 * 3600, max_records=1_000_000)),
    ("2GB 30d 500", Policy(max_age=30 * 86400, max_records=500, max_bytes=2 * 10**9)),
    ("512MiB", Policy(max_bytes=512 * 2**20)),
    ("none", Policy()), ("", Policy()), ("1.5h", Policy(max_age=5400)),
])
def test_policy_reads_ages_counts_and_sizes(text: str, policy: Policy) -> None:
    assert parse_policy(text) == policy


@pytest.mark.parametrize("text", ["7x", "-3d", "1.5", "d7", "seven days"])
def test_policy_refuses_nonsense_with_the_reason(text: str) -> None:
    with pytest.raises(ValueError, match="retention"):
        parse_policy(text)


def test_policy_says_what_it_keeps() -> None:
    assert parse_policy("7d,1000000,2GB").describe() == "1 week, 1,000,000 records, 2 GB"
    assert parse_policy("36h").describe() == "36 hours"
    assert parse_policy("none").describe() == "everything" and not parse_policy("none")


def post(live: Any, n: int, created: float | None = None, tag: str = "r") -> None:
    lines = [json.dumps({"msg": f"{tag} {i}", **({"created": created} if created else {})}) for i in range(n)]
    status, body = live.post("/ingest", "\n".join(lines).encode(), "application/x-ndjson")
    assert status == 200 and body["accepted"] == n


class TestBackground:
    @pytest.fixture
    def app_settings(self) -> dict[str, Any]:
        return {"RETENTION": "1d,25", "PRUNE_INTERVAL": 1}

    def test_the_app_prunes_by_age_and_count_in_the_background(self, live) -> None:
        post(live, 10, created=time.time() - 3 * 86400, tag="old")
        post(live, 40, tag="new")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            _, body = live.get("/api/records?limit=1000")
            if len(body["records"]) == 25:
                break
            time.sleep(0.2)
        messages = [r["message"] for r in body["records"]]
        assert len(messages) == 25 and all(m.startswith("new") for m in messages)
        _, tree = live.get("/api/loggers")
        assert tree["loggers"] == [{"name": "root", "count": 25}]  # rollups follow the deletes

    def test_the_pages_say_what_is_kept(self, live) -> None:
        status, page = http(live.url + "/", headers={"Accept": "application/json"})
        assert status == 200 and page["retention"] == "1 day, 25 records"
        for path in ("/", "/inspector"):
            status, html = live.get(path)
            assert status == 200 and "keeping 1 day, 25 records" in html


def build(path: Path, n: int, start: float) -> None:
    """A database of `n` short records half a second apart (raw inserts: quick to make)."""
    engine = make_engine(f"sqlite:///{path}")
    from dashboard.store.migrate import upgrade
    upgrade(engine)
    engine.dispose()
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO records (created, app, name, levelno, levelname, message, extra, search_text) "
                   "VALUES (?, 'shop', ?, 20, 'INFO', ?, '{}', ?)",  # the message is its own folded text
                   ((start + i * 0.5, f"shop.m{i % 40}", f"m {i}", f"m {i}") for i in range(n)))
    db.execute("INSERT INTO records_fts(rowid, search_text) SELECT id, search_text FROM records")  # as the writer
    db.execute("INSERT INTO counts_minute (unit, app, levelno, levelname, n) SELECT CAST(created / 60 AS BIGINT), "
               "app, levelno, levelname, count(*) FROM records GROUP BY 1, 2, 3, 4")
    db.execute("INSERT INTO counts_hour (unit, app, name, levelno, levelname, n) SELECT CAST(created / 3600 AS "
               "BIGINT), app, name, levelno, levelname, count(*) FROM records GROUP BY 1, 2, 3, 4, 5")
    db.commit()
    db.close()


def test_cli_prune_shows_progress_and_shrinks_the_file(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    build(path, 60_000, time.time() - 86400)
    before = path.stat().st_size
    url = f"sqlite:///{path}"
    assert prunable(make_engine(url), Policy(max_records=1000)) == 59_000
    result = subprocess.run([sys.executable, "-m", "dashboard", "prune", "--db", url, "--keep", "1000"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "pruned 59,000 of 59,000 (100%) records" in result.stderr
    assert "pruned 59,000 records" in result.stdout
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*), min(message) FROM records").fetchone() == (1000, "m 59000")
    assert db.execute("SELECT sum(n) FROM counts_hour").fetchone() == (1000,)
    db.close()
    assert path.stat().st_size < before / 2  # the freed pages went back to the file system
    result = subprocess.run([sys.executable, "-m", "dashboard", "prune", "--db", url, "--older-than", "soon"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--older-than" in result.stderr


WINDOW = 10  # seconds of the prune with ingest at full speed beside it (its pace is the same throughout)


def test_ingest_goes_on_at_full_speed_while_500k_records_are_pruned(tmp_path: Path, serve) -> None:
    """Ingest keeps its pace while `logdash prune` deletes 500,000 records; once ingest stops, the
    prune no longer rests between steps and finishes at once."""
    path = tmp_path / "logdash.db"
    build(path, 500_000, time.time() - 10 * 86400)
    live = serve(f"sqlite:///{path}", workers=2)
    engine = make_engine(f"sqlite:///{path}")
    done = threading.Event()
    finished: list[tuple[float, float]] = []  # (when, how long) of each ingest request of 100 records

    def keep_posting() -> None:
        i = 0
        while not done.is_set():
            started = time.monotonic()
            post(live, 100, tag=f"during {i}")
            finished.append((time.monotonic(), time.monotonic() - started))
            i += 1

    poster = threading.Thread(target=keep_posting)
    poster.start()
    try:
        time.sleep(3)  # ingest alone, for comparison
        prune_started = time.monotonic()
        # `logdash prune`, its own process as when a user runs it (in this one it would wait on the poster's GIL)
        pruner = subprocess.Popen([sys.executable, "-m", "dashboard", "prune", "--db", f"sqlite:///{path}",
                                   "--older-than", "1d"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            pruner.wait(WINDOW)
        except subprocess.TimeoutExpired:
            pass
    finally:
        done.set()
        poster.join(30)
    window_ended = time.monotonic()
    out, err = pruner.communicate(timeout=600)
    alone = [t for t in finished if t[0] < prune_started]
    during = [t for t in finished if prune_started <= t[0] < window_ended]
    rate_alone = len(alone) / (prune_started - alone[0][0] + alone[0][1])
    rate_during = len(during) / (window_ended - prune_started)
    slowest = max(took for _, took in during)
    print(f"{out.strip()} ({time.monotonic() - window_ended:.1f} s of it after ingest stopped); ingest "
          f"{rate_alone:.1f} requests/s alone, {rate_during:.1f} during; slowest {slowest:.3f} s")
    assert pruner.returncode == 0 and "pruned 500,000 records" in out, err
    assert rate_during >= 0.6 * rate_alone, f"ingest slowed from {rate_alone:.1f} to {rate_during:.1f} requests/s"
    assert slowest < 2.0, f"an ingest request waited {slowest:.2f} s behind the prune"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM records").scalar() == 100 * len(finished)
        assert conn.exec_driver_sql("SELECT sum(n) FROM counts_minute").scalar() == 100 * len(finished)
    engine.dispose()


def test_a_prune_rests_between_steps_only_while_others_write(tmp_path: Path) -> None:
    """The pace rule itself: alone, steps follow each other at once; beside a writer, each is followed
    by a rest (here 0.4 s, made long to be unmistakable)."""
    path = tmp_path / "pace.db"

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(path, 2_000, time.time() - 10 * 86400)  # 4 steps of 500: 3 rests, if any

    def timed_prune() -> float:
        engine = make_engine(f"sqlite:///{path}")
        started = time.monotonic()
        assert prune(engine, Policy(max_age=86400), pause=0.4) == 2_000
        took = time.monotonic() - started
        engine.dispose()
        return took

    fresh()
    alone = timed_prune()
    stop = threading.Event()

    running = threading.Event()

    def write() -> None:
        """Another writer as logdash's own are: its own connection, taking turns through the write lock."""
        other = sqlite3.connect(path, timeout=30)
        lock = write_lock(make_engine(f"sqlite:///{path}"))
        while not stop.is_set():
            with lock:
                other.execute("INSERT INTO counts_minute (unit, app, levelno, levelname, n) "
                              "VALUES (1, 'w', 20, 'INFO', 1) ON CONFLICT DO UPDATE SET n = n + 1")
                other.commit()
            running.set()
            time.sleep(0.002)
        other.close()

    writer = threading.Thread(target=write)
    beside = None
    try:
        fresh()
        writer.start()
        assert running.wait(10)
        beside = timed_prune()
    finally:
        stop.set()
        writer.join(10)
    assert alone < 1.0, alone
    # 3 rests, of which the first may be missed: the writer may not have had its turn between the
    # pace's first look and the end of the first step (a few milliseconds); after a rest it always has
    assert beside >= 2 * 0.4, beside


def test_an_app_with_a_bad_retention_does_not_start(db_url: str) -> None:
    with pytest.raises(ValueError, match="retention"):
        create_app({"DATABASE_URL": db_url, "RETENTION": "forever"})


def test_a_size_bound_prunes_the_oldest_until_the_file_fits(tmp_path: Path) -> None:
    path = tmp_path / "sized.db"
    build(path, 40_000, time.time() - 86400)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        before = used_bytes(conn)
    deleted = prune(engine, Policy(max_bytes=before // 3), pause=0)
    with engine.connect() as conn:
        after = used_bytes(conn)
        oldest, count = conn.exec_driver_sql("SELECT min(id), count(*) FROM records").one()
        counted = conn.exec_driver_sql("SELECT sum(n) FROM counts_minute").scalar()
    assert after <= before // 3 and 0 < deleted < 40_000 and count == 40_000 - deleted == counted
    assert oldest == deleted + 1  # the oldest went first
    engine.dispose()
