"""records and captured requests, with the SQLite full-text index

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_SQL = [
    "CREATE VIRTUAL TABLE records_fts USING fts5("
    "message, exc_text, exc_info, content='records', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN "
    "INSERT INTO records_fts(rowid, message, exc_text, exc_info) "
    "VALUES (new.id, new.message, new.exc_text, new.exc_info); END",
    "CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN "
    "INSERT INTO records_fts(records_fts, rowid, message, exc_text, exc_info) "
    "VALUES ('delete', old.id, old.message, old.exc_text, old.exc_info); END",
]


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("app", sa.String(length=200), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("levelno", sa.Integer(), nullable=False),
        sa.Column("levelname", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("msg", sa.Text(), nullable=True),
        sa.Column("args", sa.Text(), nullable=True),
        sa.Column("pathname", sa.Text(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("module", sa.Text(), nullable=True),
        sa.Column("lineno", sa.Integer(), nullable=True),
        sa.Column("funcName", sa.Text(), nullable=True),
        sa.Column("process", sa.BigInteger(), nullable=True),
        sa.Column("processName", sa.Text(), nullable=True),
        sa.Column("thread", sa.BigInteger(), nullable=True),
        sa.Column("threadName", sa.Text(), nullable=True),
        sa.Column("taskName", sa.Text(), nullable=True),
        sa.Column("exc_info", sa.Text(), nullable=True),
        sa.Column("exc_text", sa.Text(), nullable=True),
        sa.Column("stack_info", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    for column in ("created", "name", "app", "levelno", "request_id"):
        op.create_index(op.f(f"ix_records_{column}"), "records", [column])
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("http_version", sa.String(length=20), nullable=False),
        sa.Column("remote_addr", sa.String(length=100), nullable=True),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("body_size", sa.BigInteger(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    op.create_index(op.f("ix_requests_status"), "requests", ["status"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_SQL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS records_fts")
    op.drop_table("requests")
    op.drop_table("records")
