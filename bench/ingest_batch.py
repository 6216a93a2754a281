"""Batch ingest (JSON arrays and NDJSON, 100 and 1,000 records per request) against raw executemany.

A few client threads POST pre-encoded bodies of realistic records to `logdash serve --workers 2`
(each answer comes after the commit). The baseline, in the same run, inserts the same rows (the
columns ingest fills, extras as JSON text) with SQLAlchemy `executemany`, one transaction per batch of
the same size, into a fresh SQLite file created by `logdash db upgrade` (the `records` table
reflected, WAL and synchronous=NORMAL like logdash); a second baseline also runs, in the same
transaction, the set-based statements that fill the full-text index, the rollups and the extras'
key/value rows, where the schema has no trigger doing that (the database's whole share of ingest; a
folded search text, where the schema keeps one, is prepared before the clock starts). The workers'
CPU time per record is shown too: on a shared machine it moves less than records/s. Note that logdash also
stores one inspector row (capped request body) per request; the baselines do not.

`--backend postgresql` runs the same into PostgreSQL, `--backend both` next to SQLite (each cell on
one then the other). There logdash serves a scratch database, and the baseline is psycopg's own
`executemany` (pipelined) into the `records` table of another scratch database made by `logdash db
upgrade`; its index work is the rollups and the extras' rows, as set-based SQL. The trigram index
behind text search is a GIN index on `records`: PostgreSQL keeps it within the insert, so there
both baselines pay for it. Scratch databases are dropped after each round.

    .venv/bin/python bench/ingest_batch.py [--records 50000] [--threads 3] [--sizes 100 1000] [--rounds 2]
    .venv/bin/python bench/ingest_batch.py --backend both
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _pg
from _common import (
    Http,
    db_upgrade,
    encode,
    footer,
    header,
    ms,
    percentile,
    print_table,
    record_batches,
    rss_line,
)
from _rollups import rollup_work
from sqlalchemy import Engine, MetaData, Table, create_engine, event, text

Batch = tuple[str, list[dict[str, Any]]]


def batches(total: int, size: int, seed: int) -> list[Batch]:
    """`total` realistic records in per-app batches of `size` over the last hour."""
    return list(record_batches(total, size, time.time() - 3600, 3600, seed=seed))


def post_all(port: int, bodies: list[tuple[str, bytes, str]], threads: int) -> tuple[float, list[float]]:
    """POST every body from `threads` keep-alive connections; (elapsed seconds, per-request seconds)."""
    latencies: list[float] = []
    lock = threading.Lock()
    shares = [bodies[i::threads] for i in range(threads)]

    def worker(mine: list[tuple[str, bytes, str]]) -> None:
        http, times = Http(port), []
        for body in mine:
            t0 = time.perf_counter()
            http.post_body(*body)
            times.append(time.perf_counter() - t0)
        http.close()
        with lock:
            latencies.extend(times)

    pool = [threading.Thread(target=worker, args=(share,)) for share in shares]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started, latencies


def sqlite_engine(db: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def as_row(app: str, rec: dict[str, Any]) -> dict[str, Any]:
    """The row ingest would store for `rec` (message formatted, args as repr, the rest as extras)."""
    known = ("name", "msg", "args", "levelname", "levelno", "created", "pathname", "filename", "module",
             "lineno", "funcName", "process", "processName", "thread", "threadName")
    return {"created": rec["created"], "app": app, "name": rec["name"], "levelno": rec["levelno"],
            "levelname": rec["levelname"], "message": rec["msg"] % tuple(rec["args"]), "msg": rec["msg"],
            "args": repr(tuple(rec["args"])), "pathname": rec["pathname"], "filename": rec["filename"],
            "module": rec["module"], "lineno": rec["lineno"], "funcName": rec["funcName"], "process": rec["process"],
            "processName": rec["processName"], "thread": rec["thread"], "threadName": rec["threadName"],
            "taskName": None, "exc_info": None, "exc_text": None, "stack_info": None,
            "extra": json.dumps({k: v for k, v in rec.items() if k not in known}), "source": "127.0.0.1",
            "request_id": None}


# What the database itself must do for a batch beside the rows, where the schema has no trigger doing
# it: fill the full-text index, every rollup table (counts per minute, quarter and hour) and the extras'
# key/value rows (the writer's set-based statements).
FTS_WORK = "INSERT INTO records_fts(rowid, {columns}) SELECT id, {columns} FROM records WHERE id > :last"
EXTRAS_WORK = ("INSERT INTO record_extras (record_id, key, value) SELECT records.id, j.key, j.value "
               "FROM records, json_each(records.extra) AS j WHERE records.id > :last")


def index_work(engine: Engine) -> list[str]:
    """The statements this schema needs beside the rows (no full-text one where a trigger indexes)."""
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        names = {row[0] for row in found}
        tables = {name: [row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({name})")]
                  for name in names if name.startswith("counts_")}
        columns = ", ".join(row[1] for row in conn.exec_driver_sql("PRAGMA table_info(records_fts)"))
    if not tables:
        return []
    work = [] if "records_fts_insert" in names else [FTS_WORK.format(columns=columns)]
    work += rollup_work(tables, postgres=False, where="id > :last")
    if "record_extras" in names:  # extras as key/value rows, for key=value search
        work.append(EXTRAS_WORK)
    return work


def prepare(data: list[Batch], search_text: bool) -> list[list[dict[str, Any]]]:
    """The rows of every batch; with the folded searchable text where the schema keeps one (stored there)."""
    rows = [[as_row(app, rec) for rec in recs] for app, recs in data]
    if search_text:
        for row in (r for batch in rows for r in batch):
            row["search_text"] = f"{row['message']}\n{row['args']}".casefold()
    return rows


def executemany(engine: Engine, table: Table, rows: list[list[dict[str, Any]]], extra: list[str]) -> float:
    """Insert every batch, one transaction each (plus the `extra` statements over its rows);
    seconds taken (rows prepared before timing)."""
    started = time.perf_counter()
    for batch_rows in rows:
        with engine.begin() as conn:
            last = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM records").scalar()
            conn.execute(table.insert(), batch_rows)
            for statement in extra:
                conn.execute(text(statement), {"last": last})
    return time.perf_counter() - started


BASELINES = ("raw executemany", "raw executemany + index work")


class Lane:
    """One backend's part of a round: logdash serving a fresh database, and the baseline's own fresh one."""

    def __init__(self, backend: str, folder: Path, round_: int, pg_server: str, stack: contextlib.ExitStack) -> None:
        self.backend = backend
        if backend == "sqlite":
            raw_db = folder / f"raw{round_}.db"
            db_upgrade(raw_db)
            engine = sqlite_engine(raw_db)
            stack.callback(engine.dispose)
            meta = MetaData()
            meta.reflect(engine, only=["records"])
            table = meta.tables["records"]
            self.search_text, self.index_work = "search_text" in table.c, index_work(engine)
            self.insert = lambda rows, extra: executemany(engine, table, rows, extra)
            served = _pg.Database(folder / f"logdash{round_}.db")
        else:
            raw_url = stack.enter_context(_pg.scratch_database(pg_server, "raw"))
            _pg.upgrade(raw_url)
            self.search_text, self.index_work = True, _pg.index_work(raw_url)
            self.insert = lambda rows, extra: _pg.executemany(raw_url, rows, extra)
            served = _pg.Database(stack.enter_context(_pg.scratch_database(pg_server, "ingest")))
        self.server = served.serve(folder, workers=2)
        stack.callback(self.server.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000, help="records per cell")
    parser.add_argument("--threads", type=int, default=3, help="client threads posting")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="records per request")
    parser.add_argument("--rounds", type=int, default=2)
    _pg.add_options(parser)
    opts = parser.parse_args()
    started = time.monotonic()
    backends = _pg.BACKENDS[opts.backend]
    labelled = opts.backend != "sqlite"  # SQLite alone prints as it always did
    data = {size: batches(opts.records, size, seed=size) for size in opts.sizes}
    rows: dict[tuple[bool, int], list[list[dict[str, Any]]]] = {}  # (with search text, size): prepared once
    bodies = {(fmt, size): [encode(recs, fmt, app) for app, recs in data[size]]
              for fmt in ("json", "ndjson") for size in opts.sizes}
    rates: dict[tuple[str, str, int], list[float]] = {}  # (backend, kind, size): records/s of each round
    lats: dict[tuple[str, str, int], list[float]] = {}
    cpus: dict[tuple[str, str, int], list[float]] = {}  # workers' CPU seconds per record: steadier on a busy machine
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="logdash-bench-") as tmp:
        folder = Path(tmp)
        for round_ in range(opts.rounds):  # per size: the baseline and logdash's cells, order alternating
            order = 1 if round_ % 2 == 0 else -1
            with contextlib.ExitStack() as stack:
                lanes = [Lane(backend, folder, round_, opts.pg_server, stack) for backend in backends]
                for lane in lanes:
                    Http(lane.server.port).post_records(data[opts.sizes[0]][0][1][:10])  # warm up
                for size in opts.sizes:
                    for kind in (*BASELINES, "json", "ndjson")[::order]:
                        for lane in lanes[::order]:
                            key = (lane.backend, kind, size)
                            if kind in BASELINES:
                                extra = lane.index_work if kind == BASELINES[1] else []
                                if (lane.search_text, size) not in rows:
                                    rows[lane.search_text, size] = prepare(data[size], lane.search_text)
                                elapsed = lane.insert(rows[lane.search_text, size], extra)
                            else:
                                cpu = lane.server.cpu_seconds()
                                elapsed, latencies = post_all(lane.server.port, bodies[kind, size], opts.threads)
                                cpus.setdefault(key, []).append((lane.server.cpu_seconds() - cpu) / opts.records)
                                lats.setdefault(key, []).extend(latencies)
                            rates.setdefault(key, []).append(opts.records / elapsed)
                for lane in lanes:
                    label = f"{_pg.NAMES[lane.backend]}: " if labelled else ""
                    notes.append(f"round {round_ + 1}: {label}{rss_line(lane.server)}")
            print(f"round {round_ + 1}/{opts.rounds} done", file=sys.stderr)
    if "postgresql" in backends:
        notes.append(_pg.describe(opts.pg_server))
    report(opts, backends, rates, lats, cpus)
    footer(started, notes)


def report(opts: argparse.Namespace, backends: list[str], rates: dict[tuple[str, str, int], list[float]],
           lats: dict[tuple[str, str, int], list[float]], cpus: dict[tuple[str, str, int], list[float]]) -> None:
    """The table: per size and backend, the two baselines then logdash (and PostgreSQL / SQLite, for both)."""
    labelled, both = backends != ["sqlite"], len(backends) > 1
    on = " into " + " and ".join(_pg.NAMES[b] for b in backends) if labelled else ""
    header(f"Batch ingest{on}, {opts.records:,} records per cell, {opts.threads} client threads, "
           f"{opts.rounds} rounds (median)")
    def rate(backend: str, kind: str, size: int) -> float:
        return statistics.median(rates[backend, kind, size])

    rows = []
    for size in opts.sizes:
        for backend in backends:
            label = f"{_pg.NAMES[backend]}: " if labelled else ""
            versus = {kind: [f"{rate(backend, kind, size) / rate('sqlite', kind, size):.0%}"  # PostgreSQL / SQLite
                             if backend != "sqlite" else ""] if both else [] for kind in (*BASELINES, "json", "ndjson")}
            baseline = "raw executemany" if backend == "sqlite" else "raw psycopg executemany"
            raw, rows_only = rate(backend, BASELINES[1], size), rate(backend, BASELINES[0], size)
            rows.append([f"{label}{baseline}, rows only (1 thread)", size, f"{rows_only:,.0f}",
                         f"{rows_only / raw:.0%}", "", "", "", *versus[BASELINES[0]]])
            rows.append([f"{label}{baseline} + the index work in SQL (1 thread)", size, f"{raw:,.0f}", "100%", "", "",
                         "", *versus[BASELINES[1]]])
            for fmt in ("json", "ndjson"):
                key, fmt_rate = (backend, fmt, size), rate(backend, fmt, size)
                name = "logdash, JSON array" if fmt == "json" else "logdash, NDJSON"
                rows.append([label + name, size, f"{fmt_rate:,.0f}", f"{fmt_rate / raw:.0%}",
                             ms(percentile(lats[key], 50)), ms(percentile(lats[key], 99)),
                             f"{statistics.median(cpus[key]) * 1e6:.0f}", *versus[fmt]])
    print_table(["ingest", "records/request", "records/s", "vs raw executemany", "request p50 ms",
                 "request p99 ms", "worker CPU µs/record", *(["PostgreSQL / SQLite records/s"] if both else [])], rows)


if __name__ == "__main__":
    main()
