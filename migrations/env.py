"""Alembic environment: the URL comes from the app's settings, the schema from dashboard.store.schema."""
from alembic import context
from sqlalchemy import create_engine

from dashboard import settings
from dashboard.store.schema import FTS_TABLE, PG_NAME_INDEX, PG_TEXT_INDEX, metadata

config = context.config


def include_name(name, type_, parent_names):
    """Leave the text indexes out of autogenerate: SQLite's full-text tables, PostgreSQL's trigram and
    pattern indexes (all raw SQL)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name in (PG_TEXT_INDEX, PG_NAME_INDEX))


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or settings.load()["DATABASE_URL"]
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
