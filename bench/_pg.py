"""PostgreSQL for the benchmarks: bench databases made and dropped on a server, `logdash serve` on
them, their size, the raw psycopg baseline; and `Database`, a SQLite file or a PostgreSQL database.

Like _common, only the public interface of logdash is used (the `logdash` command and HTTP). The
server is named by the URL of a database on it that we may connect to (`test` by default): CREATE
and DROP DATABASE cannot run in a transaction, so they go through an autocommit connection there.
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import _common
import psycopg
from _common import LOGDASH, Http, Server, encode, free_port, record_batches, rss_line, start
from _rollups import rollup_work
from psycopg import sql
from sqlalchemy import make_url

SERVER = os.environ.get("LOGDASH_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = {"sqlite": ["sqlite"], "postgresql": ["postgresql"], "both": ["sqlite", "postgresql"]}
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_scratch = itertools.count(1)


def add_options(parser: argparse.ArgumentParser) -> None:
    """--backend and --pg-server, the same in every bench."""
    parser.add_argument("--backend", choices=list(BACKENDS), default="sqlite",
                        help="database behind logdash serve; both: side by side in one run (default: sqlite)")
    parser.add_argument("--pg-server", default=SERVER, metavar="URL",
                        help="a database on the PostgreSQL server to use, to CREATE/DROP the bench databases "
                             "beside it (env LOGDASH_BENCH_PG; default: %(default)s)")


def dsn(url: str) -> str:
    """A SQLAlchemy postgresql+psycopg URL as psycopg's connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(server: str, name: str) -> str:
    """The URL of database `name` on the server of `server` (a URL for `logdash --db`)."""
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def create_database(server: str, name: str) -> bool:
    """Create database `name` unless it exists; whether it was created."""
    with psycopg.connect(dsn(server), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def drop_database(server: str, name: str) -> None:
    """Drop database `name` (its leftover connections too)."""
    with psycopg.connect(dsn(server), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def scratch_database(server: str, label: str) -> Iterator[str]:
    """A new empty database for one run, dropped afterwards; yields its URL."""
    name = f"logdash_bench_{label}_{os.getpid()}_{next(_scratch)}"
    create_database(server, name)
    try:
        yield database_url(server, name)
    finally:
        drop_database(server, name)


def upgrade(url: str) -> None:
    """Create the schema with `logdash db upgrade`."""
    subprocess.run([*LOGDASH, "db", "upgrade", "--db", url], check=True, capture_output=True)


def start_logdash(url: str, log_dir: Path, workers: int = 2, env: dict[str, str] | None = None,
                  name: str = "logdash on PostgreSQL") -> Server:
    """`logdash serve` on a free loopback port with a database URL (it upgrades the schema first)."""
    port = free_port()
    cmd = [*LOGDASH, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", url, "--workers", str(workers)]
    return start(name, cmd, port, log_dir, env)


def vacuum_analyze(url: str) -> float:
    """VACUUM (ANALYZE) the database, as autovacuum would soon after a bulk load; seconds taken.

    Measured right after a build, the planner would otherwise work from no statistics and
    autovacuum would run in the middle of the timings."""
    started = time.monotonic()
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return time.monotonic() - started


_SIZES = """
SELECT c.relname, CASE c.relkind WHEN 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') ORDER BY 2 DESC"""


def sizes(url: str) -> tuple[int, list[tuple[str, int]]]:
    """(bytes of every table with its indexes and TOAST, [(table or index, bytes)] biggest first).

    A table's bytes are pg_table_size (heap, TOAST, free space and visibility maps), an index's
    pg_relation_size: together the sum of pg_total_relation_size, without the catalogs that
    pg_database_size also counts (about 7 MB in every database)."""
    with psycopg.connect(dsn(url)) as conn:
        rows = [(name, int(size)) for name, size in conn.execute(_SIZES).fetchall()]
    return sum(size for _, size in rows), rows


def describe(url: str) -> str:
    """'PostgreSQL 15.20 on 127.0.0.1, shared_buffers 128MB, synchronous_commit on, ...' for the notes."""
    with psycopg.connect(dsn(url)) as conn:
        names = ("server_version", "shared_buffers", "synchronous_commit", "work_mem")
        values = dict(zip(names, conn.execute("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))
                          .fetchone() or (), strict=True))
    shown = ", ".join(f"{name} {values[name]}" for name in names[1:])
    return f"PostgreSQL {values['server_version'].split()[0]} on {make_url(url).host}, {shown}"


# The writer's work beside the rows, as set-based SQL over a batch: the rollups and the extras'
# key/value rows. The trigram index over search_text needs no statement: PostgreSQL keeps a GIN index
# with the insert itself, so even the rows-only baseline pays for it. The batch is `id BETWEEN`, as the
# writer asks: with `id > last` the planner, without statistics on a table that grows by the second,
# scans the whole table, three times a batch (about 10x slower at 100,000 rows).
EXTRAS_WORK = ("INSERT INTO record_extras (record_id, key, value) SELECT records.id, j.key, j.value "
               "FROM records, json_each_text(records.extra::json) AS j WHERE records.id BETWEEN %(lo)s AND %(hi)s")
_ROLLUP_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name LIKE 'counts%%' ORDER BY table_name, ordinal_position"""


def index_work(url: str) -> list[str]:
    """The writer's statements beside the rows for the schema at `url`: every rollup, then the extras."""
    tables: dict[str, list[str]] = {}
    with psycopg.connect(dsn(url)) as conn:
        for table, column in conn.execute(_ROLLUP_COLUMNS).fetchall():
            tables.setdefault(table, []).append(column)
    return [*rollup_work(tables, postgres=True, where="id BETWEEN %(lo)s AND %(hi)s"), EXTRAS_WORK]


def executemany(url: str, batches: list[list[dict[str, Any]]], extra: list[str]) -> float:
    """Insert every batch of rows with psycopg's `executemany` (pipelined), one transaction each, plus
    the `extra` statements over its rows; seconds taken (the statement is composed before timing)."""
    columns = list(batches[0][0])
    insert = sql.SQL("INSERT INTO records ({}) VALUES ({})").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join(sql.Placeholder() * len(columns)))
    params = [[tuple(row[c] for c in columns) for row in rows] for rows in batches]
    with psycopg.connect(dsn(url)) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        for batch in params:
            with conn.transaction():
                last = cur.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()[0]  # type: ignore[index]
                cur.executemany(insert, batch)
                for statement in extra:  # one writer: the batch drew the next ids of the sequence
                    cur.execute(statement, {"lo": last + 1, "hi": last + len(batch)})  # type: ignore[arg-type]
        return time.perf_counter() - started


def ingest(server: Server, count: int, batch: int, threads: int, seed: int, span: float) -> tuple[int, float]:
    """Ingest `count` records spread over the last `span` seconds in NDJSON batches from `threads`
    connections; (stored, seconds)."""
    work: queue.Queue[tuple[str, bytes, str] | None] = queue.Queue(maxsize=threads * 2)
    stored, errors, lock = [0], [], threading.Lock()

    def worker() -> None:
        http = Http(server.port)
        while (item := work.get()) is not None:
            try:
                accepted = http.post_body(*item)
            except Exception as e:  # reported by the main thread
                errors.append(e)
                continue
            with lock:
                stored[0] += accepted
        http.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    started, shown = time.monotonic(), 0
    now = time.time()
    for app, records in record_batches(count, batch, now - span, span, seed=seed):
        if errors:
            break
        work.put(encode(records, "ndjson", app))
        if stored[0] - shown >= max(1, count // 20):
            shown = stored[0]
            rate = shown / (time.monotonic() - started)
            print(f"built {shown:,}/{count:,} records ({rate:,.0f}/s, about {(count - shown) / rate:.0f} s left)",
                  file=sys.stderr, flush=True)
    for _ in pool:
        work.put(None)
    for t in pool:
        t.join(600)
    if errors:
        raise RuntimeError(f"build failed: {errors[0]}")
    return stored[0], time.monotonic() - started


class Database:
    """What `logdash serve --db` serves in a bench: a SQLite file (a Path) or a PostgreSQL database (a URL).

    `labelled`: name the backend in front of notes and table titles (not for SQLite alone: the
    benches printed it that way before PostgreSQL came)."""

    def __init__(self, db: Path | str, labelled: bool = False) -> None:
        self.db = db
        self.backend = "sqlite" if isinstance(db, Path) else "postgresql"
        self.name = NAMES[self.backend]
        self.label = f"{self.name} " if labelled else ""
        self.notes: list[str] = []

    @property
    def shown(self) -> str:  # the file, or the URL without its password
        return str(self.db) if isinstance(self.db, Path) else make_url(self.db).render_as_string(hide_password=True)

    def note(self, text: str) -> None:
        self.notes.append(f"{self.name}: {text}" if self.label else text)

    def serve(self, folder: Path, workers: int = 2, env: dict[str, str] | None = None) -> Server:
        """`logdash serve` on it (SQLite: _common.start_logdash, as every bench did before)."""
        if isinstance(self.db, Path):
            return _common.start_logdash(self.db, folder, workers, env)
        return start_logdash(self.db, folder, workers, env)

    def fill(self, records: int, folder: Path, workers: int, batch: int, threads: int, span: float,
             env: dict[str, str] | None = None) -> None:
        """Ingest through `logdash serve` what it lacks of `records` (nothing when it holds enough)."""
        server = self.serve(folder, workers, env)
        try:
            have = Http(server.port).record_count()
            if have < records:
                stored, seconds = ingest(server, records - have, batch, threads, have + 1, span)
                self.note(f"built {stored:,} records in {seconds:.0f} s ({stored / seconds:,.0f} records/s, "
                          f"NDJSON POSTs of {batch:,} from {threads} threads); build {rss_line(server)}")
            else:
                self.note(f"reused {self.shown} with {have:,} records (no build)")
        finally:
            server.stop()
        if have < records and isinstance(self.db, str):
            self.note(f"VACUUM (ANALYZE) after the build, as autovacuum would do: {vacuum_analyze(self.db):.0f} s")

    def size(self) -> tuple[int, list[tuple[str, int]]]:
        """(bytes of the database, [(table or index, bytes)] biggest first); SQLite: db + wal files, dbstat."""
        if isinstance(self.db, str):
            return sizes(self.db)
        total = sum(p.stat().st_size for p in (self.db, Path(f"{self.db}-wal")) if p.exists())
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
            parts = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        return total, parts


D = TypeVar("D", bound=Database)


def databases(opts: argparse.Namespace, folder: Path, stack: contextlib.ExitStack, kind: type[D],
              sqlite_name: str) -> list[D]:
    """The databases of --backend: SQLite's --db (default: a temporary file); PostgreSQL's --pg-db, created
    when missing and kept (default: a scratch database, dropped when `stack` closes)."""
    out = []
    for backend in BACKENDS[opts.backend]:
        labelled = opts.backend != "sqlite"
        if backend == "sqlite":
            out.append(kind(opts.db.resolve() if opts.db else folder / sqlite_name, labelled))
        elif opts.pg_db:
            create_database(opts.pg_server, opts.pg_db)
            out.append(kind(database_url(opts.pg_server, opts.pg_db), labelled))
        else:
            out.append(kind(stack.enter_context(scratch_database(opts.pg_server, Path(sqlite_name).stem)), labelled))
    return out
