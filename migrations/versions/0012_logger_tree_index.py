"""An index on the hourly counts by logger that holds every column, led by the logger name: the logger
tree groups by name, and without it SQLite read the whole table into a sort (23 ms at 1M records over
a week; 6 ms through the index, and every filtered tree reads it alone too)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ["name", "unit", "app", "levelno", "levelname", "n"]


def upgrade() -> None:
    op.create_index(op.f("ix_counts_hour_name"), "counts_hour", COLUMNS)


def downgrade() -> None:
    op.drop_index(op.f("ix_counts_hour_name"), table_name="counts_hour")
