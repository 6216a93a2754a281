"""records carry their trace and span ids (OpenTelemetry) as indexed columns, to filter by trace

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
import json

import sqlalchemy as sa
from alembic import op

from dashboard.ingest.trace_ids import take_ids

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5000


def _extras(text: str | None) -> dict:
    """A row's extras as a dict ({} for anything else: such a row is left as it is)."""
    try:
        extra = json.loads(text or "{}")
    except ValueError:
        return {}
    return extra if isinstance(extra, dict) else {}


def upgrade() -> None:
    # plain ADD COLUMN (no table copy): every row and the full-text triggers stay as they are
    op.add_column("records", sa.Column("trace_id", sa.String(32), nullable=True))
    op.add_column("records", sa.Column("span_id", sa.String(16), nullable=True))
    for column in ("trace_id", "span_id"):  # partial: the many records without ids cost no index entry
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(op.f(f"ix_records_{column}"), "records", [column], sqlite_where=where, postgresql_where=where)
    _move_ids_out_of_extras()


def _move_ids_out_of_extras() -> None:
    """Records stored before this revision with otelTraceID/otelSpanID (or trace_id/span_id) extras get
    their columns, exactly as ingest now does: only valid ids move, anything else stays an extra."""
    conn = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("extra", sa.Text),
                       sa.column("trace_id", sa.String), sa.column("span_id", sa.String))
    mentions = sa.or_(*(records.c.extra.contains(f'"{key}"') for key in ("otelTraceID", "trace_id",
                                                                         "otelSpanID", "span_id")))
    update = (records.update().where(records.c.id == sa.bindparam("rid"))
              .values(extra=sa.bindparam("e"), trace_id=sa.bindparam("t"), span_id=sa.bindparam("s")))
    last = 0
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.extra).where(records.c.id > last, mentions)
                            .order_by(records.c.id).limit(BATCH)).all()
        if not rows:
            break
        params = []
        for rid, text in rows:
            extra = _extras(text)
            trace, span = take_ids(extra)
            if trace is not None or span is not None:
                params.append({"rid": rid, "e": json.dumps(extra, ensure_ascii=False), "t": trace, "s": span})
        if params:
            conn.execute(update, params)
        last = rows[-1][0]


def _ids_back_into_extras() -> None:
    """Before the columns go, their ids go back to the extras (as trace_id/span_id): a downgrade loses nothing."""
    conn = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("extra", sa.Text),
                       sa.column("trace_id", sa.String), sa.column("span_id", sa.String))
    update = records.update().where(records.c.id == sa.bindparam("rid")).values(extra=sa.bindparam("e"))
    last = 0
    while True:
        rows = conn.execute(sa.select(records.c.id, records.c.extra, records.c.trace_id, records.c.span_id)
                            .where(records.c.id > last, sa.or_(records.c.trace_id.is_not(None),
                                                               records.c.span_id.is_not(None)))
                            .order_by(records.c.id).limit(BATCH)).all()
        if not rows:
            break
        params = []
        for rid, text, trace, span in rows:
            extra = _extras(text)
            extra.update({k: v for k, v in (("trace_id", trace), ("span_id", span)) if v is not None})
            params.append({"rid": rid, "e": json.dumps(extra, ensure_ascii=False)})
        conn.execute(update, params)
        last = rows[-1][0]


def downgrade() -> None:
    _ids_back_into_extras()
    op.drop_index(op.f("ix_records_span_id"), table_name="records")
    op.drop_index(op.f("ix_records_trace_id"), table_name="records")
    # plain DROP COLUMN (SQLite 3.35+), so the full-text triggers stay
    op.execute("ALTER TABLE records DROP COLUMN span_id")
    op.execute("ALTER TABLE records DROP COLUMN trace_id")
