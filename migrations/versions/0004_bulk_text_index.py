"""the writer fills the full-text index per batch (one INSERT ... SELECT) instead of a trigger per row;
the delete trigger only touches rows the index holds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INSERT_TRIGGER = (
    "CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN "
    "INSERT INTO records_fts(rowid, message, exc_text, exc_info) "
    "VALUES (new.id, new.message, new.exc_text, new.exc_info); END")
# An external-content FTS5 index is corrupted by a 'delete' of a row it never indexed (a row put in
# by hand, not by the writer): delete only what it holds (its docsize table has a row per document).
GUARDED_DELETE = (
    "CREATE TRIGGER records_fts_delete AFTER DELETE ON records "
    "WHEN EXISTS (SELECT 1 FROM records_fts_docsize WHERE id = old.id) BEGIN "
    "INSERT INTO records_fts(records_fts, rowid, message, exc_text, exc_info) "
    "VALUES ('delete', old.id, old.message, old.exc_text, old.exc_info); END")
PLAIN_DELETE = (
    "CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN "
    "INSERT INTO records_fts(records_fts, rowid, message, exc_text, exc_info) "
    "VALUES ('delete', old.id, old.message, old.exc_text, old.exc_info); END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS records_fts_insert")
        op.execute("DROP TRIGGER IF EXISTS records_fts_delete")
        op.execute(GUARDED_DELETE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS records_fts_delete")
        op.execute(PLAIN_DELETE)
        op.execute(INSERT_TRIGGER)
