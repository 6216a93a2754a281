"""per-minute and per-hour record counts (rollups) for the histogram and the logger tree

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _unit(dialect: str, seconds: int) -> str:
    return f"CAST(created / {seconds} AS BIGINT)" if dialect == "sqlite" else f"FLOOR(created / {seconds})::BIGINT"


def upgrade() -> None:
    op.create_table(
        "counts_minute",
        sa.Column("unit", sa.BigInteger(), nullable=False),
        sa.Column("app", sa.String(length=200), nullable=False),
        sa.Column("levelno", sa.Integer(), nullable=False),
        sa.Column("levelname", sa.Text(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("unit", "app", "levelno", "levelname", name=op.f("pk_counts_minute")),
    )
    op.create_table(
        "counts_hour",
        sa.Column("unit", sa.BigInteger(), nullable=False),
        sa.Column("app", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("levelno", sa.Integer(), nullable=False),
        sa.Column("levelname", sa.Text(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("unit", "app", "name", "levelno", "levelname", name=op.f("pk_counts_hour")),
    )
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO counts_minute (unit, app, levelno, levelname, n) "
               f"SELECT {_unit(dialect, 60)}, COALESCE(app, ''), levelno, levelname, count(*) FROM records "
               f"GROUP BY 1, 2, 3, 4")
    op.execute(f"INSERT INTO counts_hour (unit, app, name, levelno, levelname, n) "
               f"SELECT {_unit(dialect, 3600)}, COALESCE(app, ''), name, levelno, levelname, count(*) FROM records "
               f"GROUP BY 1, 2, 3, 4, 5")


def downgrade() -> None:
    op.drop_table("counts_hour")
    op.drop_table("counts_minute")
