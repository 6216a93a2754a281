"""The PostgreSQL store: ids seen in commit order by concurrent writers, retention keeping the rollups
in step, NUL kept visibly, the Alembic history upgrading rows in place, size bounds refused."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pg_helpers
import pytest
from alembic import command
from conftest import store_records

from dashboard import close_app, create_app
from dashboard.ingest.parse import parse_record, to_row
from dashboard.store.engine import make_engine
from dashboard.store.migrate import alembic_config, upgrade
from dashboard.store.retention import Policy, prune
from dashboard.store.rollup import ROLLUPS
from dashboard.store.writer import Writer

ROLLUP_TABLES = [r.table.name for r in ROLLUPS]


def rows(n: int, start: float, tag: str) -> list[dict]:
    return [to_row(parse_record({"created": str(start + i), "name": f"shop.{tag}.m{i % 7}", "levelname": "INFO",
                                 "levelno": "20", "msg": f"{tag} record {i}"}, received=start, app="shop"))
            for i in range(n)]


def test_concurrent_writers_commit_in_id_order(pg_url: str) -> None:
    """Four writers with their own engines (as four workers or instances) store batches at once; a
    reader that only ever asks for `id > last seen` still sees every row: no id commits after a
    larger one became visible."""
    writers = [Writer(make_engine(pg_url), queue_size=1000, batch_size=50) for _ in range(4)]
    reader_engine = make_engine(pg_url)
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        with reader_engine.connect() as conn:
            while True:
                finished = done.is_set()
                last = seen[-1] if seen else 0
                seen.extend(conn.exec_driver_sql(f"SELECT id FROM records WHERE id > {last} ORDER BY id").scalars())
                conn.commit()  # a new snapshot for the next read
                if finished:
                    return

    def write(writer: Writer, tag: str) -> None:
        futures = [writer.submit(rows(10, 1_800_000_000 + i, f"{tag}{i}")) for i in range(60)]
        for future in futures:
            future.result(30)

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=write, args=(w, f"w{i}")) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    reader.join(30)
    for w in writers:
        w.close()
        w.engine.dispose()
    with reader_engine.connect() as conn:
        stored = list(conn.exec_driver_sql("SELECT id FROM records ORDER BY id").scalars())
    reader_engine.dispose()
    assert len(stored) == 4 * 60 * 10
    assert seen == stored  # every row, once, in order: none committed behind the reader's back


def test_retention_keeps_the_rollups_in_step(pg_url: str) -> None:
    app = create_app({"DATABASE_URL": pg_url, "RETENTION": "none"})
    try:
        now = time.time()
        store_records(app, *({"msg": f"old {i}", "name": f"shop.o{i % 3}"} for i in range(300)), now=now - 3 * 86400)
        store_records(app, *({"msg": f"new {i}", "name": f"shop.n{i % 3}"} for i in range(200)), now=now - 60)
        engine = app.extensions["logdash.engine"]
        assert prune(engine, Policy(max_age=86400), pause=0) == 300
        assert prune(engine, Policy(max_records=150), pause=0) == 50
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM records").scalar() == 150
            for table in ROLLUP_TABLES:
                assert conn.exec_driver_sql(f"SELECT sum(n) FROM {table}").scalar() == 150, table
            assert conn.exec_driver_sql("SELECT count(*) FROM records WHERE strpos(message, 'old') = 1").scalar() == 0
    finally:
        close_app(app)


def test_two_pruners_at_once_take_each_record_out_of_the_rollups_once(pg_url: str) -> None:
    """`logdash prune` beside a server's pruner (or two instances'): their steps take turns, so no
    step subtracts from the rollups records another step already deleted."""
    app = create_app({"DATABASE_URL": pg_url, "RETENTION": "none"})
    try:
        store_records(app, *({"msg": f"r {i}", "name": f"shop.m{i % 5}"} for i in range(3000)),
                      now=time.time() - 3 * 86400)
    finally:
        close_app(app)
    engines = [make_engine(pg_url) for _ in range(3)]
    deleted: list[int] = []
    threads = [threading.Thread(target=lambda e=e: deleted.append(prune(e, Policy(max_records=500), pause=0)))
               for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with engines[0].connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM records").scalar() == 500
        for table in ROLLUP_TABLES:
            assert conn.exec_driver_sql(f"SELECT sum(n) FROM {table}").scalar() == 500, table
    assert sum(deleted) == 2500
    for e in engines:
        e.dispose()


def test_a_nul_is_kept_as_its_symbol_and_found(pg_url: str) -> None:
    app = create_app({"DATABASE_URL": pg_url, "RETENTION": "none"})
    try:
        store_records(app, {"msg": "before\0after", "funcName": "f\0g"})
        client = app.test_client()
        found = client.get("/api/records", query_string={"q": "after"}).get_json()["records"]
        assert [(r["message"], r["funcName"]) for r in found] == [("before\u2400after", "f\u2400g")]
        pasted = client.get("/api/records", query_string={"q": "before\u2400after"}).get_json()["records"]
        assert [r["id"] for r in pasted] == [r["id"] for r in found]  # what the page shows can be searched
    finally:
        close_app(app)


def test_the_alembic_history_upgrades_rows_in_place(pg_template: str) -> None:
    """A database made by an early revision, with rows, reaches head keeping them, searchable."""
    name = pg_helpers.new_name("old")
    url = pg_helpers.create(name)
    try:
        engine = make_engine(url)
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO records (created, app, name, levelno, levelname, message, extra) VALUES "
                "(1800000000, 'shop', 'shop.cart', 40, 'ERROR', 'Payment REFUSED for Chloé', '{\"user\": \"ann\"}')")
        upgrade(engine)
        app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
        try:
            client = app.test_client()
            for q in ("refused", "CHLOÉ", "user=ann", "/pay.*chlo/"):
                found = client.get("/api/records", query_string={"q": q}).get_json()["records"]
                assert [r["message"] for r in found] == ["Payment REFUSED for Chloé"], q
        finally:
            close_app(app)
        engine.dispose()
    finally:
        pg_helpers.drop(name)


def test_a_size_bound_is_refused_on_postgresql_in_one_line(pg_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs SQLite"):
        create_app({"DATABASE_URL": pg_url, "RETENTION": "30d,2GB"})
    done = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--db", pg_url, "--port", "1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"LOGDASH_RETENTION": "2GB", "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "needs SQLite" in done.stderr, done.stderr


def test_instances_starting_together_migrate_one_at_a_time(pg_template: str) -> None:
    """Four upgrades of one empty database at once (four instances starting): one builds the schema,
    the others wait their turn and find it at head."""
    name = pg_helpers.new_name("race")
    url = pg_helpers.create(name)
    try:
        engines = [make_engine(url) for _ in range(4)]
        errors: list[BaseException] = []

        def run(engine) -> None:
            try:
                upgrade(engine)
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=run, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        with engines[0].connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0012"
        for e in engines:
            e.dispose()
    finally:
        pg_helpers.drop(name)
