"""the exception summary (type and value) stored at ingest instead of recovered on every read

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

from dashboard.ingest.parse import exception_summary

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    # plain ADD COLUMN (no table copy): the full-text triggers on records stay as they are
    op.add_column("records", sa.Column("exc_type", sa.Text(), nullable=True))
    op.add_column("records", sa.Column("exc_value", sa.Text(), nullable=True))
    conn = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("exc_info", sa.Text),
                       sa.column("exc_type", sa.Text), sa.column("exc_value", sa.Text))
    update = (records.update().where(records.c.id == sa.bindparam("rid"))
              .values(exc_type=sa.bindparam("t"), exc_value=sa.bindparam("v")))
    last = 0
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.exc_info)
                            .where(records.c.id > last, records.c.exc_info.is_not(None))
                            .order_by(records.c.id).limit(BATCH)).all()
        if not rows:
            break
        params = []
        for rid, exc_info in rows:
            exc_type, exc_value = exception_summary(exc_info)
            if exc_type is not None:
                params.append({"rid": rid, "t": exc_type, "v": exc_value})
        if params:
            conn.execute(update, params)
        last = rows[-1][0]


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+), again so the full-text triggers stay
    op.execute("ALTER TABLE records DROP COLUMN exc_value")
    op.execute("ALTER TABLE records DROP COLUMN exc_type")
