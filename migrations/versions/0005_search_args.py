"""text search covers args; why a message was not rebuilt and the text of restored extras are kept

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_COLUMNS = "message, exc_text, exc_info"
NEW_COLUMNS = "message, exc_text, exc_info, args"


def _fts(columns: str) -> list[str]:
    """The full-text table over `columns`, filled from every row, and 0004's guarded delete trigger."""
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    return [
        "DROP TRIGGER IF EXISTS records_fts_delete",
        "DROP TABLE IF EXISTS records_fts",
        f"CREATE VIRTUAL TABLE records_fts USING fts5({columns}, content='records', content_rowid='id', "
        "tokenize='trigram')",
        f"INSERT INTO records_fts(rowid, {columns}) SELECT id, {columns} FROM records",
        # An external-content FTS5 index is corrupted by a 'delete' of a row it never indexed (a row
        # put in by hand, not by the writer): delete only what it holds (its docsize table has a row each).
        "CREATE TRIGGER records_fts_delete AFTER DELETE ON records "
        "WHEN EXISTS (SELECT 1 FROM records_fts_docsize WHERE id = old.id) BEGIN "
        f"INSERT INTO records_fts(records_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); END",
    ]


def upgrade() -> None:
    # plain ADD COLUMN (no table copy): the rows and the full-text trigger stay as they are
    op.add_column("records", sa.Column("format_error", sa.Text(), nullable=True))
    op.add_column("records", sa.Column("extra_text", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for statement in _fts(NEW_COLUMNS):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _fts(OLD_COLUMNS):
            op.execute(statement)
    op.execute("ALTER TABLE records DROP COLUMN extra_text")
    op.execute("ALTER TABLE records DROP COLUMN format_error")
