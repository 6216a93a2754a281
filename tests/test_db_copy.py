"""`logdash db copy` on real databases: 100,000 records keep every field on the way to PostgreSQL, an
interrupted copy resumes with every record once, another history is refused untouched, and PostgreSQL
copies back to SQLite. Records go in through the app's own writer, shaped by the real ingest helpers."""
from __future__ import annotations

import os
import re
import select as selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from alembic import command
from flask import Flask, request
from sqlalchemy import Table, func
from sqlalchemy import select as sql_select

from dashboard import close_app, create_app
from dashboard.ingest.parse import parse_record, to_row
from dashboard.inspector.capture import capture
from dashboard.store.copy import copy_database, head_revision
from dashboard.store.engine import make_engine
from dashboard.store.migrate import alembic_config
from dashboard.store.nul import SHOWN, storable
from dashboard.store.rollup import ROLLUPS
from dashboard.store.schema import record_extras, records, requests
from dashboard.store.search import search_text

N = 100_000
NUL_AT = 123  # the record whose message, traceback and an extra hold a NUL
TABLES = (records, requests, record_extras, *(r.table for r in ROLLUPS))
START = 1_767_225_600.0  # 2026-01-01: records 0.2513 s apart span about 7 hours (420 minutes, 7 hours of rollups)
QUERIES = ["chloé", "STRASSE", "ord-12345", "user=u42", '"bad card"', "/ord-9999[0-9]/", "level=ERROR café",
           f"trace_id={2:032x}"]


def fields(i: int) -> dict[str, Any]:
    """Record i as a JSON client sends it: args, extras of each JSON type, tracebacks, unicode, trace ids."""
    f: dict[str, Any] = {
        "created": repr(START + i * 0.2513), "name": f"shop.{('db', 'web', 'pay', 'auth')[i % 4]}.m{i % 11}",
        "levelname": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")[i % 5], "msg": "order %s paid %d",
        "args": f"('ord-{i}', {i % 1000})", "pathname": "/srv/shop/orders.py", "filename": "orders.py",
        "module": "orders", "lineno": 10 + i % 300, "funcName": "pay", "process": 4000 + i % 3,
        "processName": "MainProcess", "thread": 140_000_000_000 + i % 5, "threadName": f"worker-{i % 5}"}
    if i % 7 == 0:
        f.update(msg="CHLOÉ paid 12 € at the STRASSE café ✓ 日本語 🚀 #%d", args=f"({i},)", taskName="Task-7")
    if i % 3 == 0:
        f.update(user=f"u{i % 500}", cart={"items": i % 5, "total": 12.5, "skus": ["a", "ü"]}, retry=i % 4,
                 ratio=i / 7, paid=bool(i % 2), note=None)
    if i % 50 == 0:
        f.update(exc_info="(<class 'ValueError'>, ValueError('bad card 4242'), <traceback object at 0x7f00>)",
                 exc_text='Traceback (most recent call last):\n  File "/srv/shop/orders.py", line 12, in pay\n'
                          "ValueError: bad card 4242")
    if i % 97 == 0:
        f["stack_info"] = 'Stack (most recent call last):\n  File "/srv/shop/app.py", line 3, in <module>'
    if i % 4 == 1:
        f.update(otelTraceID=f"{i + 1:032x}", otelSpanID=f"{i + 1:016x}")
    if i == NUL_AT:
        f.update(msg="nul\0inside the message", args=None, exc_text="tb\0tail", k="a\0b")
    return f


def captured(path: str, n: int) -> dict[str, Any]:
    """A captured request row as the inspector stores it (bytes that are not UTF-8, a NUL)."""
    body = b'{"msg": "x"}\n\x00\xff' + str(n).encode()
    with Flask(__name__).test_request_context(path, method="POST", data=body, query_string={"app": "shop"},
                                              headers={"Content-Type": "application/x-ndjson", "X-Batch": str(n)}):
        return capture(request, body, len(body), status=200 if n % 5 else 400, reason=None if n % 5 else "bad",
                       body_cap=64 * 1024)


def fill(url: str, count: int, batch: int = 5000) -> None:
    """Records 0..count-1 through the app's writer: each batch's first 50 with a captured request, plus a
    request-bin capture per batch."""
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    writer, waiting = app.extensions["logdash.writer"], []
    for start in range(0, count, batch):
        rows = [to_row(parse_record(fields(i), received=START + i, app=("shop", "billing", None)[i % 3],
                                    source="10.0.0.7")) for i in range(start, min(count, start + batch))]
        for future in waiting:  # the writer commits one batch while the next is parsed
            future.result(60)
        waiting = [writer.submit(rows[:50], captured("/ingest", start)), writer.submit(rows[50:]),
                   writer.submit([], captured("/inspect/hook", start + 1))]
    for future in waiting:
        future.result(60)
    close_app(app)


def query(url: str, statement: Any) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(statement).mappings()]
    engine.dispose()
    return rows


def dump(url: str, table: Table) -> list[dict[str, Any]]:
    """Every row of `table`, in primary key order."""
    return query(url, sql_select(table).order_by(*table.primary_key))


def as_postgres_holds(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A SQLite row as PostgreSQL holds it: each NUL shown as U+2400 (store.nul), so searchable past it."""
    out = storable(row)
    if table is records and out != row:
        out["search_text"] = search_text(out)
    return out


def as_sqlite_derives(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A PostgreSQL row as SQLite holds it: as it is, but extras are derived again from the record's extra
    JSON, whose \u0000 is a NUL there (this data holds no U+2400 of its own)."""
    return {**row, "value": row["value"].replace(SHOWN, "\0")} if table is record_extras else row


def assert_same(source: str, target: str, to_postgres: bool = False) -> None:
    """Every row of every table equal, as the target's own writer would have stored them."""
    for table in TABLES:
        want, got = dump(source, table), dump(target, table)
        want = [(as_postgres_holds if to_postgres else as_sqlite_derives)(table, row) for row in want]
        assert want and len(got) == len(want), table.name
        assert [(w, g) for w, g in zip(want, got, strict=True) if w != g][:2] == [], table.name


def db_copy(source: str, target: str, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dashboard", "db", "copy", "--from", source, "--to", target, *more],
                          capture_output=True, text=True, timeout=180)


def found(url: str, queries: list[str]) -> dict[str, list[int]]:
    """The ids each search finds through the API of an app on `url` (newest 500)."""
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    client, out = app.test_client(), {}
    for q in queries:
        resp = client.get("/api/records", query_string={"q": q, "limit": 500})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        out[q] = [r["id"] for r in resp.get_json()["records"]]
    close_app(app)
    return out


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1 and result.stdout == "", result
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: ")
    return line


def test_db_copy_of_100000_records_keeps_every_field(sqlite_url: str, pg_url: str) -> None:
    fill(sqlite_url, N)  # and 40 captured requests
    started = time.monotonic()
    result = db_copy(sqlite_url, pg_url)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert re.search(r"copied 100,000 of 100,000 records \(100%\), [\d,]+/s", result.stderr)
    assert re.fullmatch(rf"copied 100,000 records and 40 captured requests from {sqlite_url[10:]} to "
                        rf"postgresql\+psycopg://\S+ in [\d.]+ s\n", result.stdout)
    print(f"\n100,000 records SQLite -> PostgreSQL in {elapsed:.1f} s: {N / elapsed:,.0f} records/s")
    assert_same(sqlite_url, pg_url, to_postgres=True)
    (nul,) = query(pg_url, sql_select(records).where(records.c.id == NUL_AT + 1))
    assert (nul["message"], nul["exc_text"]) == (f"nul{SHOWN}inside the message", f"tb{SHOWN}tail")
    there, here = found(pg_url, [*QUERIES, "inside"]), found(sqlite_url, QUERIES)
    assert there.pop("inside") == [NUL_AT + 1]  # past the NUL: as PostgreSQL's own writer stores it
    assert there == here and all(here.values())

    app = create_app({"DATABASE_URL": pg_url, "RETENTION": "none"})  # ingest goes on after the copied ids
    writer = app.extensions["logdash.writer"]
    assert writer.store([to_row(parse_record({"msg": "after the copy"}, received=time.time()))]).record_ids == [N + 1]
    assert writer.store([], captured("/ingest", 0)).request_id == 41
    close_app(app)


def progress_passes(proc: subprocess.Popen, count: int, timeout: float = 60) -> bytes:
    """Read the copy's stderr until its progress line has passed `count` records; what was read."""
    seen, deadline = b"", time.monotonic() + timeout
    fd = proc.stderr.fileno()  # type: ignore[union-attr]
    while time.monotonic() < deadline:
        if selectors.select([fd], [], [], 1)[0]:
            chunk = os.read(fd, 65536)
            assert chunk, seen
            seen += chunk
            done = re.findall(rb"copied ([\d,]+) of [\d,]+ records", seen)
            if done and int(done[-1].replace(b",", b"")) >= count:
                return seen
    raise AssertionError(f"the copy did not pass {count} records in time: {seen[-300:]!r}")


def test_an_interrupted_copy_resumes_with_every_record_exactly_once(sqlite_url: str, pg_url: str) -> None:
    fill(sqlite_url, 20_000)
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "db", "copy", "--from", sqlite_url, "--to", pg_url,
                             "--batch", "500"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = progress_passes(proc, 5_000)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out == b""
    last = (seen + err).decode().splitlines()[-1]
    assert re.fullmatch(r"Error: interrupted: postgresql\+psycopg://\S+ holds the first [\d,]+ of 20,000 records, "
                        r"each batch whole with its search index and counts; run the same command again to resume",
                        last), last

    held = [r["id"] for r in query(pg_url, sql_select(records.c.id).order_by(records.c.id))]  # a consistent prefix
    k = len(held)
    assert 5_000 <= k < 20_000 and k % 500 == 0 and held == list(range(1, k + 1))
    for rollup in (r.table for r in ROLLUPS):
        assert sum(r["n"] for r in dump(pg_url, rollup)) == k
    extras = sql_select(func.count()).select_from(record_extras).where(record_extras.c.record_id <= k)
    assert query(pg_url, extras) == query(sqlite_url, extras) == [{"count_1": len(dump(pg_url, record_extras))}]

    again = db_copy(sqlite_url, pg_url, "--batch", "500")
    assert again.returncode == 0, again.stderr
    assert f"copied {20_000 - k:,} records (after {k:,} already there) and 0 captured requests (after 8" in again.stdout
    assert_same(sqlite_url, pg_url, to_postgres=True)


def test_a_target_with_another_history_is_refused_and_left_unchanged(sqlite_url: str, pg_url: str,
                                                                     migrated_file: Path, tmp_path: Path) -> None:
    fill(sqlite_url, 30)
    app = create_app({"DATABASE_URL": pg_url, "RETENTION": "none"})  # the target has records of its own
    app.extensions["logdash.writer"].store([to_row(parse_record({"msg": f"mine {i}"}, received=START))
                                            for i in range(3)])
    close_app(app)
    before = {t.name: dump(pg_url, t) for t in TABLES}
    line = one_error_line(db_copy(sqlite_url, pg_url))
    assert "holds another history (its records row 3 differs from the source's): copy to an empty database" in line
    assert {t.name: dump(pg_url, t) for t in TABLES} == before

    ahead = tmp_path / "ahead.db"  # a target that went further than the source
    shutil.copyfile(migrated_file, ahead)
    fill(f"sqlite:///{ahead}", 40)
    line = one_error_line(db_copy(sqlite_url, f"sqlite:///{ahead}"))
    assert "(its records go up to id 40, the source's only to 30)" in line
    assert len(dump(f"sqlite:///{ahead}", records)) == 40

    line = one_error_line(db_copy(sqlite_url, sqlite_url))
    assert line == f"Error: source and target are the same database ({sqlite_url[10:]})"


def test_a_source_not_at_head_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(old), "0008")
    target = tmp_path / "target.db"
    line = one_error_line(db_copy(old, f"sqlite:///{target}"))
    assert line == (f"Error: source {tmp_path / 'old.db'} is at schema revision 0008, not {head_revision()}: "
                    f"run `logdash db upgrade --db {old}` first, then copy again")
    assert not target.exists()
    line = one_error_line(db_copy(f"sqlite:///{tmp_path / 'typo.db'}", f"sqlite:///{target}"))
    assert line == f"Error: source {tmp_path / 'typo.db'} does not exist"
    assert not target.exists() and not (tmp_path / "typo.db").exists()


def test_postgresql_copies_back_to_sqlite(pg_url: str, sqlite_url: str) -> None:
    fill(pg_url, 300, batch=100)
    result = db_copy(pg_url, sqlite_url, "--batch", "64")
    assert result.returncode == 0, result.stderr
    assert "copied 300 records and 6 captured requests from postgresql+psycopg://" in result.stdout
    assert_same(pg_url, sqlite_url)
    queries = [*QUERIES, "inside"]
    assert found(sqlite_url, queries) == found(pg_url, queries)  # the full-text index was filled
    assert found(sqlite_url, ["inside"])["inside"] == [NUL_AT + 1]

    again = db_copy(pg_url, sqlite_url)  # nothing left to copy: nothing changes
    assert again.returncode == 0, again.stderr
    assert "copied 0 records (after 300 already there) and 0 captured requests (after 6 already there)" in again.stdout
    assert_same(pg_url, sqlite_url)


def test_sqlite_to_sqlite_reports_progress_per_batch(sqlite_url: str, migrated_file: Path, tmp_path: Path) -> None:
    fill(sqlite_url, 250, batch=125)
    shutil.copyfile(migrated_file, tmp_path / "copy.db")
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    source_engine, target_engine = make_engine(sqlite_url), make_engine(target)
    calls: list[tuple[str, int, int]] = []
    copied = copy_database(source_engine, target_engine, batch=100, progress=lambda *a: calls.append(a))
    assert [(c.table, c.before, c.copied) for c in copied] == [("requests", 0, 4), ("records", 0, 250)]
    assert calls == [("requests", 0, 4), ("requests", 4, 4),
                     ("records", 0, 250), ("records", 100, 250), ("records", 200, 250), ("records", 250, 250)]
    with target_engine.connect() as conn:
        fts = conn.exec_driver_sql("SELECT count(*) FROM records_fts_docsize").scalar()
        assert fts == conn.execute(sql_select(func.count()).select_from(records)).scalar() == 250
    assert_same(sqlite_url, target)

    app = create_app({"DATABASE_URL": sqlite_url, "RETENTION": "none"})
    app.extensions["logdash.writer"].store([], captured("/ingest", 9))
    close_app(app)
    with source_engine.begin() as conn:  # the source's capture retention cut what the target holds last
        conn.execute(requests.delete().where(requests.c.id <= 4))
    copied = copy_database(source_engine, target_engine)
    assert [(c.table, c.before, c.copied) for c in copied] == [("requests", 4, 1), ("records", 250, 0)]
    assert [r["id"] for r in dump(target, requests)] == [1, 2, 3, 4, 5]
    source_engine.dispose()
    target_engine.dispose()
