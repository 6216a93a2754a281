"""Schema only through Alembic: head matches the models, upgrades keep rows, FTS follows."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from alembic import command
from sqlalchemy import inspect

from dashboard import close_app, create_app
from dashboard.ingest.parse import parse_record, to_row
from dashboard.store.engine import make_engine
from dashboard.store.migrate import alembic_config, current_revision, upgrade
from dashboard.store.search import trigram_query
from dashboard.store.writer import Writer

HEAD = "0012"


def fts_ids(raw: sqlite3.Connection, needle: str) -> list[tuple[int]]:
    """The rowids the text index holds as candidates for `needle` (all of its trigrams)."""
    return raw.execute("SELECT rowid FROM records_fts WHERE records_fts MATCH ?", (trigram_query(needle),)).fetchall()


def test_empty_database_upgrades_to_head_matching_the_models(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == HEAD
    assert {"records", "requests", "records_fts", "alembic_version"} <= set(inspect(engine).get_table_names())
    cfg = alembic_config(str(engine.url))
    command.check(cfg)  # raises when the models drifted from the revisions
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_upgrade_keeps_rows_and_full_text_index(tmp_path, live, db_url) -> None:
    for i in range(5):
        live.post("/ingest", json.dumps({"msg": f"keep me {i}"}).encode(), "application/json")
    result = subprocess.run([sys.executable, "-m", "dashboard", "db", "upgrade", "--db", db_url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{HEAD} -> {HEAD}" in result.stdout
    assert len(live.records(q="keep")) == 5


def test_downgrade_and_upgrade_round_trip(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'rt.db'}"
    engine = make_engine(url)
    upgrade(engine)
    command.downgrade(alembic_config(url), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    writer = Writer(engine, queue_size=10, batch_size=10)  # the writer fills the text index per batch
    writer.store([to_row(parse_record({"msg": "searchable words"}, received=1.0))])
    writer.close()
    raw = sqlite3.connect(tmp_path / "rt.db")
    assert fts_ids(raw, "able wo") == [(1,)]
    raw.execute("DELETE FROM records")
    raw.commit()
    assert fts_ids(raw, "able") == []
    raw.close()
    engine.dispose()


def test_0002_fills_the_exception_summary_of_existing_rows_and_keeps_search(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    raw = sqlite3.connect(tmp_path / "old.db")
    raw.executemany("INSERT INTO records (created, name, levelno, levelname, message, exc_info, extra) "
                    "VALUES (1, 'x', 40, 'ERROR', ?, ?, '{}')", [
                        ("payment failed", "(<class 'ZeroDivisionError'>, ZeroDivisionError('division by zero'), "
                                           "<traceback object at 0x7f0>)"),
                        ("plain", None),
                        ("odd", "True"),
                    ])
    raw.commit()
    raw.close()
    result = subprocess.run([sys.executable, "-m", "dashboard", "db", "upgrade", "--db", url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"0001 -> {HEAD}" in result.stdout
    raw = sqlite3.connect(tmp_path / "old.db")
    assert raw.execute("SELECT message, exc_type, exc_value FROM records ORDER BY id").fetchall() == [
        ("payment failed", "ZeroDivisionError", "division by zero"), ("plain", None, None), ("odd", None, None)]
    assert fts_ids(raw, "payment") == [(1,)]
    raw.close()
    command.downgrade(alembic_config(url), "0001")  # and back: the columns go, the rows and index stay
    raw = sqlite3.connect(tmp_path / "old.db")
    assert "exc_type" not in [c[1] for c in raw.execute("PRAGMA table_info(records)")]
    raw.execute("INSERT INTO records (created, name, levelno, levelname, message, extra) "
                "VALUES (2, 'x', 20, 'INFO', 'after downgrade', '{}')")
    raw.commit()
    assert raw.execute("SELECT count(*) FROM records_fts WHERE records_fts MATCH '\"downgrade\"'").fetchone() == (1,)
    raw.close()


def test_rows_put_in_by_hand_can_be_deleted_without_harming_the_text_index(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'hand.db'}"
    engine = make_engine(url)
    upgrade(engine)
    writer = Writer(engine, queue_size=10, batch_size=10)
    writer.store([to_row(parse_record({"msg": "written by the writer"}, received=1.0))])
    writer.close()
    raw = sqlite3.connect(tmp_path / "hand.db")
    raw.execute("INSERT INTO records (created, name, levelno, levelname, message, extra) "
                "VALUES (2, 'x', 20, 'INFO', 'put in by hand', '{}')")
    raw.commit()
    raw.execute("DELETE FROM records WHERE message = 'put in by hand'")
    raw.commit()
    assert raw.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')").fetchall() == []
    assert fts_ids(raw, "writer") == [(1,)]
    raw.execute("DELETE FROM records")
    raw.commit()
    assert fts_ids(raw, "writer") == []
    raw.close()
    engine.dispose()


def test_0005_keeps_every_row_and_makes_args_searchable(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'v4.db'}"
    command.upgrade(alembic_config(url), "0004")
    raw = sqlite3.connect(tmp_path / "v4.db")
    raw.executemany("INSERT INTO records (created, name, levelno, levelname, message, msg, args, extra) "
                    "VALUES (?, 'x', 20, 'INFO', ?, ?, ?, '{}')", [
                        (1, "order %s paid", "order %s paid", "('ord-7781',)"),
                        (2, "plain words", None, None),
                        (3, "user bob in", "user %s in", "('bob',)"),
                    ])
    raw.execute("INSERT INTO records_fts(rowid, message, exc_text, exc_info) "  # as 0004's writer indexed them
                "SELECT id, message, exc_text, exc_info FROM records")
    raw.commit()
    raw.close()
    result = subprocess.run([sys.executable, "-m", "dashboard", "db", "upgrade", "--db", url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"0004 -> {HEAD}" in result.stdout
    raw = sqlite3.connect(tmp_path / "v4.db")
    assert raw.execute("SELECT id, message, args FROM records ORDER BY id").fetchall() == [
        (1, "order %s paid", "('ord-7781',)"), (2, "plain words", None), (3, "user bob in", "('bob',)")]
    assert fts_ids(raw, "ord-7781") == [(1,)]
    assert fts_ids(raw, "plain") == [(2,)]
    raw.close()
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    try:
        found = app.test_client().get("/api/records?q=ord-7781").get_json()["records"]
        assert [r["id"] for r in found] == [1]  # only its args hold the words
    finally:
        close_app(app)
    raw = sqlite3.connect(tmp_path / "v4.db")
    raw.execute("DELETE FROM records WHERE id = 1")  # the delete trigger knows the args column
    raw.commit()
    assert raw.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')").fetchall() == []
    assert fts_ids(raw, "ord-7781") == []
    raw.close()


def test_0008_folds_the_text_and_indexes_the_extras_of_existing_rows(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0007")
    raw = sqlite3.connect(tmp_path / "v7.db")
    raw.executemany("INSERT INTO records (created, name, levelno, levelname, message, args, extra) "
                    "VALUES (?, 'x', 20, 'INFO', ?, ?, ?)", [
                        (1, "Grüße an CHLOÉ", None, json.dumps({"request_id": "r-1", "n": 5.0, "big": "x" * 600})),
                        (2, "plain words", "('Ärger',)", "{}"),
                    ])
    raw.execute("INSERT INTO records_fts(rowid, message, exc_text, exc_info, args) "  # as 0007's writer indexed them
                "SELECT id, message, exc_text, exc_info, args FROM records")
    raw.commit()
    raw.close()
    command.upgrade(cfg, "head")
    raw = sqlite3.connect(tmp_path / "v7.db")
    assert raw.execute("SELECT record_id, key, value FROM record_extras ORDER BY 2").fetchall() == [
        (1, "n", "5"), (1, "request_id", "r-1")]  # a value over 512 characters is not indexed
    assert raw.execute("SELECT search_text FROM records ORDER BY id").fetchall() == [
        ("grüsse an chloé",), ("plain words\n('ärger',)",)]
    raw.close()
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    try:
        client = app.test_client()
        for q, ids in [("chloé", [1]), ("GRÜSSE", [1]), ("ärger", [2]), ("request_id=r-1", [1]), ("n=5", [1])]:
            assert [r["id"] for r in client.get("/api/records", query_string={"q": q}).get_json()["records"]] == ids
    finally:
        close_app(app)
    raw = sqlite3.connect(tmp_path / "v7.db")
    raw.execute("DELETE FROM records WHERE id = 1")  # the delete trigger knows the folded column
    raw.commit()
    assert raw.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')").fetchall() == []
    assert fts_ids(raw, "chloé") == []
    raw.close()
    command.downgrade(cfg, "0007")
    raw = sqlite3.connect(tmp_path / "v7.db")
    assert raw.execute("SELECT rowid FROM records_fts WHERE records_fts MATCH '\"PLAIN\"'").fetchall() == [(2,)]
    assert "record_extras" not in {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()


def test_0010_rebuilds_the_text_index_without_positions_and_search_still_finds(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'v9.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0009")
    raw = sqlite3.connect(tmp_path / "v9.db")  # rows and index as 0009's writer left them
    texts = [(m, m) for m in ("upstream timeout", "timeout upstream")]
    raw.executemany("INSERT INTO records (created, name, levelno, levelname, message, extra, search_text) "
                    "VALUES (1, 'x', 20, 'INFO', ?, '{}', ?)", texts)
    raw.execute("INSERT INTO records_fts(rowid, search_text) SELECT id, search_text FROM records")
    raw.commit()
    raw.close()
    command.upgrade(cfg, "head")
    raw = sqlite3.connect(tmp_path / "v9.db")
    assert "detail=none" in raw.execute("SELECT sql FROM sqlite_master WHERE name = 'records_fts'").fetchone()[0]
    assert raw.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')").fetchall() == []
    raw.close()
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    try:
        client = app.test_client()
        for q, ids in [('"upstream timeout"', [1]), ("timeout", [2, 1]), ('"timeout upstream"', [2]), ("xyz", [])]:
            assert [r["id"] for r in client.get("/api/records", query_string={"q": q}).get_json()["records"]] == ids
    finally:
        close_app(app)
    command.downgrade(cfg, "0009")
    raw = sqlite3.connect(tmp_path / "v9.db")
    phrase = "SELECT rowid FROM records_fts WHERE records_fts MATCH '\"upstream timeout\"'"
    assert raw.execute(phrase).fetchall() == [(1,)]
    raw.close()


def test_0011_fills_the_new_rollups_from_existing_records(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'v10.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0003")
    raw = sqlite3.connect(tmp_path / "v10.db")
    rows = [(3600 * 5 + 60 * i, "a" if i % 2 else None, f"l{i % 3}", 20 if i % 4 else 40, "INFO" if i % 4 else "ERROR")
            for i in range(200)]
    raw.executemany("INSERT INTO records (created, app, name, levelno, levelname, message, extra) "
                    "VALUES (?, ?, ?, ?, ?, 'm', '{}')", rows)
    raw.commit()
    raw.close()
    command.upgrade(cfg, "head")
    app = create_app({"DATABASE_URL": url, "RETENTION": "none"})
    try:
        client = app.test_client()
        for bucket, flt in [(900, {"q": "-logger=l1"}), (900, {"logger": "l2"}), (7200, {}), (7200, {"app": "a"})]:
            args = {"since": "0", "until": str(3600 * 10), "bucket": str(bucket), **flt}
            bars = client.get("/api/histogram", query_string=args).get_json()["buckets"]
            listed = client.get("/api/records", query_string={**flt, "limit": "1000"}).get_json()["records"]
            assert sum(sum(b["counts"].values()) for b in bars) == len(listed) > 0
    finally:
        close_app(app)
