"""Three more rollups, filled from every record: 15-minute counts by logger (a day's histogram with a
logger filter or a mute), and 15-minute and hourly counts by app and level only (a day's and a week's
histogram without one: a row per app and level, not per logger)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _unit(dialect: str, seconds: int) -> str:
    return f"CAST(created / {seconds} AS BIGINT)" if dialect == "sqlite" else f"FLOOR(created / {seconds})::BIGINT"


def _key(*names: str) -> list[sa.Column]:
    return [sa.Column("unit", sa.BigInteger(), nullable=False), sa.Column("app", sa.String(length=200), nullable=False),
            *(sa.Column(n, sa.Text(), nullable=False) for n in names if n == "name"),
            sa.Column("levelno", sa.Integer(), nullable=False), sa.Column("levelname", sa.Text(), nullable=False),
            sa.Column("n", sa.BigInteger(), nullable=False)]


def upgrade() -> None:
    op.create_table("counts_quarter", *_key("name"),
                    sa.PrimaryKeyConstraint("unit", "app", "name", "levelno", "levelname",
                                            name=op.f("pk_counts_quarter")))
    op.create_table("counts_quarter_app", *_key(),
                    sa.PrimaryKeyConstraint("unit", "app", "levelno", "levelname", name=op.f("pk_counts_quarter_app")))
    op.create_table("counts_hour_app", *_key(),
                    sa.PrimaryKeyConstraint("unit", "app", "levelno", "levelname", name=op.f("pk_counts_hour_app")))
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO counts_quarter (unit, app, name, levelno, levelname, n) "
               f"SELECT {_unit(dialect, 900)}, COALESCE(app, ''), name, levelno, levelname, count(*) FROM records "
               f"GROUP BY 1, 2, 3, 4, 5")
    for table, seconds in (("counts_quarter_app", 900), ("counts_hour_app", 3600)):
        op.execute(f"INSERT INTO {table} (unit, app, levelno, levelname, n) "
                   f"SELECT {_unit(dialect, seconds)}, COALESCE(app, ''), levelno, levelname, count(*) FROM records "
                   f"GROUP BY 1, 2, 3, 4")


def downgrade() -> None:
    op.drop_table("counts_hour_app")
    op.drop_table("counts_quarter_app")
    op.drop_table("counts_quarter")
