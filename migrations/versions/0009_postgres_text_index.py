"""PostgreSQL: a trigram index over the folded searchable text (SQLite has its FTS5 trigram table) and a
pattern index on logger names (a subtree is `name LIKE 'a.b.%'`)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""
from alembic import op

from dashboard.store.schema import PG_NAME_INDEX, PG_TEXT_INDEX

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # a trusted extension: the database owner may create it
    op.execute(f"CREATE INDEX IF NOT EXISTS {PG_TEXT_INDEX} ON records USING gin (search_text gin_trgm_ops)")
    op.execute(f"CREATE INDEX IF NOT EXISTS {PG_NAME_INDEX} ON records (name text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_TEXT_INDEX}")
        op.execute(f"DROP INDEX IF EXISTS {PG_NAME_INDEX}")
