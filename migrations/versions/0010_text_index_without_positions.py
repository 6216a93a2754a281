"""SQLite: the trigram index keeps which records hold each trigram, not where (detail=none): 100 fewer
bytes per record. A word or phrase asks for all of its trigrams and the folded text confirms the hit, as
it already did.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _rebuilt(detail: str) -> list[str]:
    """records_fts again over records.search_text with `detail`, filled from every row, and its guarded
    delete trigger (as 0008 made them)."""
    return [
        "DROP TRIGGER IF EXISTS records_fts_delete",
        "DROP TABLE IF EXISTS records_fts",
        "CREATE VIRTUAL TABLE records_fts USING fts5(search_text, content='records', content_rowid='id', "
        f"tokenize='trigram case_sensitive 1', detail={detail})",
        "INSERT INTO records_fts(records_fts) VALUES ('rebuild')",
        "CREATE TRIGGER records_fts_delete AFTER DELETE ON records "
        "WHEN EXISTS (SELECT 1 FROM records_fts_docsize WHERE id = old.id) BEGIN "
        "INSERT INTO records_fts(records_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _rebuilt("none"):
            op.execute(statement)
        op.execute("PRAGMA incremental_vacuum")  # the old index's pages back to the file system (files made
        # by logdash vacuum incrementally; elsewhere this does nothing)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _rebuilt("full"):
            op.execute(statement)
