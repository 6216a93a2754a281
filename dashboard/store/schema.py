"""The schema, as SQLAlchemy Core tables. Alembic revisions must match it (tests run `check`)."""
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

records = Table(
    "records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("app", String(200)),
    Column("name", Text, nullable=False),
    Column("levelno", Integer, nullable=False),
    Column("levelname", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("msg", Text),
    Column("args", Text),
    Column("pathname", Text),
    Column("filename", Text),
    Column("module", Text),
    Column("lineno", Integer),
    Column("funcName", Text),
    Column("process", BigInteger),
    Column("processName", Text),
    Column("thread", BigInteger),
    Column("threadName", Text),
    Column("taskName", Text),
    Column("exc_info", Text),
    Column("exc_text", Text),
    Column("stack_info", Text),
    Column("extra", Text, nullable=False, default="{}"),
    Column("source", String(100)),
    Column("request_id", Integer),
    Column("exc_type", Text),   # from exc_info, once at ingest (the stock handler sends no traceback)
    Column("exc_value", Text),
    Column("format_error", Text),  # why msg % args could not be rebuilt at ingest (message is msg as sent)
    Column("extra_text", Text),    # JSON: the text sent for each extra restored to a literal (stock handler)
    Column("trace_id", String(32)),  # W3C/OpenTelemetry ids as lowercase hex (OTLP, or otelTraceID sent as a field)
    Column("span_id", String(16)),
    Column("search_text", Text),  # store.search.search_text: the searchable text, case folded (at ingest)
    Index(None, "created"),
    Index(None, "name"),
    Index(None, "app"),
    Index(None, "levelno"),
    Index(None, "request_id"),
    # partial: most records carry no ids, and an index entry per NULL would tax every insert
    Index(None, "trace_id", sqlite_where=text("trace_id IS NOT NULL"), postgresql_where=text("trace_id IS NOT NULL")),
    Index(None, "span_id", sqlite_where=text("span_id IS NOT NULL"), postgresql_where=text("span_id IS NOT NULL")),
)

# Each extra of a record as text (store.search.value_text), for `key=value` in the search box: filled by the
# writer in the batch's transaction, deleted with the records by retention. Keyed by record, so a record's
# rows sit together and retention deletes a range; the (key, value) index answers a lookup.
record_extras = Table(
    "record_extras", metadata,
    Column("record_id", Integer, primary_key=True, autoincrement=False),
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Index(None, "key", "value", "record_id"),
    sqlite_with_rowid=False,
)

# Rollups kept by the writer in the same transaction as the records (and by retention when it
# deletes): record counts per time unit, so the histogram and the logger tree never scan a range.
# A missing app is stored as "" (a key column must not be NULL for the upsert to find its row).
def _counts(name: str, by_logger: bool) -> Table:
    """A rollup table: `unit` is floor(created / the table's seconds, see store.rollup), then its keys."""
    logger = [Column("name", Text, primary_key=True)] if by_logger else []
    return Table(name, metadata, Column("unit", BigInteger, primary_key=True),
                 Column("app", String(200), primary_key=True), *logger,
                 Column("levelno", Integer, primary_key=True), Column("levelname", Text, primary_key=True),
                 Column("n", BigInteger, nullable=False))


counts_minute = _counts("counts_minute", by_logger=False)
counts_quarter_app = _counts("counts_quarter_app", by_logger=False)  # a day's bars without a logger filter
counts_quarter = _counts("counts_quarter", by_logger=True)            # ... with one, or a mute
counts_hour_app = _counts("counts_hour_app", by_logger=False)          # weeks of bars without one
counts_hour = _counts("counts_hour", by_logger=True)                  # the logger tree, weeks with one
# the tree groups by logger: every column, led by the name, so no query of the table needs a sort or the table
Index("ix_counts_hour_name", counts_hour.c.name, counts_hour.c.unit, counts_hour.c.app, counts_hour.c.levelno,
      counts_hour.c.levelname, counts_hour.c.n)

# What the inspector captured of each request to /ingest or /inspect/...
requests = Table(
    "requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", Float, nullable=False),
    Column("method", String(20), nullable=False),
    Column("path", Text, nullable=False),
    Column("query", Text, nullable=False, default=""),
    Column("http_version", String(20), nullable=False),
    Column("remote_addr", String(100)),
    Column("headers", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("body_size", BigInteger, nullable=False),
    Column("truncated", Boolean, nullable=False),
    Column("status", Integer, nullable=False),
    Column("reason", Text),
    Column("response", Text),
    # "ingest" or "bin" (/inspect/...): each kind keeps its own newest LOGDASH_REQUEST_RETENTION rows
    Column("kind", String(10), nullable=False, server_default="ingest"),
    Index(None, "status"),
    Index(None, "kind", "id"),
)

# SQLite full-text index over `search_text` (trigram: substring search; case sensitive, as the text is
# folded already). The writer adds each batch with store.search in the batch's transaction; a trigger
# removes deleted rows it holds.
FTS_TABLE = "records_fts"
SEARCH_SOURCES = ("message", "exc_text", "exc_info", "args")  # the record columns search sees
# PostgreSQL's counterpart (pg_trgm GIN over `search_text`, created by raw SQL in revision 0009): LIKE
# '%needle%' narrows through it and PostgreSQL rechecks every candidate, so the hits are exact
PG_TEXT_INDEX = "ix_records_search_text_trgm"
# and one for logger subtrees: `name LIKE 'a.b.%'` reaches it whatever the database's collation
PG_NAME_INDEX = "ix_records_name_pattern"
