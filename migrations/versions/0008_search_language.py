"""search folds Unicode case (a folded copy of the searchable text, indexed) and sees extras (a key/value table)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
import json
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from dashboard.store.search import extra_pairs, search_text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 5000
OLD_COLUMNS = "message, exc_text, exc_info, args"


def _fts(columns: str, tokenize: str) -> list[str]:
    """The full-text table over `columns`, filled from every row, and its guarded delete trigger (as 0005)."""
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    return [
        "DROP TRIGGER IF EXISTS records_fts_delete",
        "DROP TABLE IF EXISTS records_fts",
        f"CREATE VIRTUAL TABLE records_fts USING fts5({columns}, content='records', content_rowid='id', "
        f"tokenize='{tokenize}')",
        f"INSERT INTO records_fts(rowid, {columns}) SELECT id, {columns} FROM records",
        "CREATE TRIGGER records_fts_delete AFTER DELETE ON records "
        "WHEN EXISTS (SELECT 1 FROM records_fts_docsize WHERE id = old.id) BEGIN "
        f"INSERT INTO records_fts(records_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); END",
    ]


def _batches(conn: sa.Connection, *columns: str) -> Iterator[list]:
    """Every row's id and `columns`, BATCH rows at a time, in id order."""
    records = sa.table("records", sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in columns))
    last = 0
    while True:
        rows = conn.execute(sa.select(records).where(records.c.id > last).order_by(records.c.id)
                            .limit(BATCH)).mappings().all()
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def _fill(conn: sa.Connection) -> None:
    """The folded text of every row, and its extras as key/value rows, exactly as the writer now stores them."""
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    extras = sa.table("record_extras", sa.column("record_id", sa.Integer), sa.column("key", sa.Text),
                      sa.column("value", sa.Text))
    update = records.update().where(records.c.id == sa.bindparam("rid")).values(search_text=sa.bindparam("t"))
    for rows in _batches(conn, "message", "exc_text", "exc_info", "args", "extra"):
        conn.execute(update, [{"rid": r["id"], "t": search_text(r)} for r in rows])
        pairs = []
        for r in rows:
            try:
                extra = json.loads(r["extra"] or "{}")
            except ValueError:
                continue
            if isinstance(extra, dict):
                pairs.extend({"record_id": r["id"], "key": k, "value": v} for k, v in extra_pairs(extra))
        if pairs:
            conn.execute(extras.insert(), pairs)


def upgrade() -> None:
    # plain ADD COLUMN (no table copy): every row and the delete trigger stay as they are until replaced below
    op.add_column("records", sa.Column("search_text", sa.Text(), nullable=True))
    op.create_table(
        "record_extras",
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "key", name=op.f("pk_record_extras")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_record_extras_key_value_record_id"), "record_extras", ["key", "value", "record_id"])
    _fill(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        for statement in _fts("search_text", "trigram case_sensitive 1"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _fts(OLD_COLUMNS, "trigram"):
            op.execute(statement)
    op.drop_index(op.f("ix_record_extras_key_value_record_id"), table_name="record_extras")
    op.drop_table("record_extras")
    op.execute("ALTER TABLE records DROP COLUMN search_text")  # plain DROP COLUMN (SQLite 3.35+): triggers stay
