"""captured requests carry their kind (/ingest or the request bin), each kind pruned on its own

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN with a default (no table copy): every row is kept, then bin captures are marked
    op.add_column("requests", sa.Column("kind", sa.String(10), nullable=False, server_default="ingest"))
    op.execute("UPDATE requests SET kind = 'bin' WHERE path = '/inspect' OR path LIKE '/inspect/%'")
    op.create_index(op.f("ix_requests_kind_id"), "requests", ["kind", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_requests_kind_id"), table_name="requests")
    op.execute("ALTER TABLE requests DROP COLUMN kind")
