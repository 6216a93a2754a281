"""The `logdash` command: serve, demo, db upgrade."""
from __future__ import annotations

import logging
import os
import sys
import time

import click

from . import settings

log = logging.getLogger("dashboard")
ENV = settings.PREFIX


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="logdash")
def main() -> None:
    """logdash: a web dashboard for Python logs sent with logging.handlers.HTTPHandler."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _db_option(f):
    return click.option("--db", "database_url", envvar=ENV + "DATABASE_URL", show_envvar=True,
                        default=settings.DEFAULTS["DATABASE_URL"], show_default=True,
                        help="Database URL (SQLite file or postgresql+psycopg://...).")(f)


@main.command()
@click.option("--host", envvar=ENV + "HOST", default=settings.DEFAULTS["HOST"], show_default=True,
              show_envvar=True, help="Address to bind. The default keeps the dashboard on this machine.")
@click.option("--port", envvar=ENV + "PORT", type=int, default=settings.DEFAULTS["PORT"],
              show_default=True, show_envvar=True, help="Port to listen on.")
@_db_option
@click.option("--workers", envvar=ENV + "WORKERS", type=click.IntRange(0), default=0, show_envvar=True,
              help="Worker processes (0 = one per CPU).")
@click.option("--threads", envvar=ENV + "THREADS", type=click.IntRange(1),
              default=settings.DEFAULTS["THREADS"], show_default=True, show_envvar=True,
              help="Threads per worker; each open browser tab holds one or two.")
@click.option("--certfile", envvar=ENV + "CERTFILE", type=click.Path(exists=True, dir_okay=False),
              help="TLS certificate (serve https).")
@click.option("--keyfile", envvar=ENV + "KEYFILE", type=click.Path(exists=True, dir_okay=False),
              help="TLS private key.")
def serve(host: str, port: int, database_url: str, workers: int, threads: int,
          certfile: str | None, keyfile: str | None) -> None:
    """Upgrade the database, then serve the dashboard and /ingest."""
    from . import create_app
    from .server import Server, gunicorn_options
    from .store.engine import make_engine
    from .store.migrate import upgrade
    from .store.retention import parse_policy

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    try:
        policy = parse_policy(settings.load()["RETENTION"])
    except ValueError as e:
        raise click.UsageError(f"{ENV}{e}") from None
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    workers = workers or os.cpu_count() or 1
    scheme = "https" if certfile else "http"
    shown_host = "localhost" if host in ("127.0.0.1", "::1", "0.0.0.0", "::") else host
    url = f"{scheme}://{shown_host}:{port}"
    click.echo(f"logdash {_version()} on {url}/  ({workers} workers, database {engine.url!r}, "
               f"keeping {policy.describe()})")
    click.echo("Send logs from any Python app with:\n")
    click.echo("    import logging, logging.handlers")
    click.echo(f'    logging.getLogger().addHandler(logging.handlers.HTTPHandler('
               f'"{shown_host}:{port}", "/ingest", method="POST"{", secure=True" if certfile else ""}))\n')
    overrides = {"DATABASE_URL": database_url}
    Server(lambda: create_app(overrides),
           gunicorn_options(host, port, workers, threads, certfile, keyfile)).run()


@main.command()
@click.option("--url", default="http://127.0.0.1:8000/ingest", show_default=True,
              help="The dashboard's ingest URL.")
@click.option("--count", type=click.IntRange(1), default=40, show_default=True,
              help="How many records to send.")
def demo(url: str, count: int) -> None:
    """Send realistic records through the stock HTTPHandler."""
    from .client.demo import send_demo

    sent = send_demo(url, count, progress=lambda n: click.echo(f"\rsent {n}/{count}", nl=False))
    click.echo(f"\nsent {sent} records to {url}")


@main.command()
@_db_option
@click.option("--older-than", "older_than", metavar="AGE", help="Delete records older than this (7d, 12h, 90m).")
@click.option("--keep", type=click.IntRange(1), metavar="N", help="Keep only the newest N records.")
def prune(database_url: str, older_than: str | None, keep: int | None) -> None:
    """Delete old records now, oldest first, in small steps (ingest goes on meanwhile)."""
    from .store.engine import make_engine
    from .store.migrate import upgrade
    from .store.retention import Policy, parse_policy, prunable
    from .store.retention import prune as prune_now

    if not older_than and not keep:
        raise click.UsageError("say what to delete: --older-than AGE and/or --keep N")
    try:
        age = parse_policy(older_than).max_age if older_than else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--older-than") from None
    if older_than and age is None:
        raise click.BadParameter(f"{older_than!r} is not an age (7d, 12h, 90m)", param_hint="--older-than")
    engine = make_engine(database_url)
    upgrade(engine)
    policy = Policy(max_age=age, max_records=keep)
    total = prunable(engine, policy)
    started = time.monotonic()

    def progress(n: int) -> None:
        rate = n / max(time.monotonic() - started, 1e-6)
        share = f" of {total:,} ({100 * n / total:.0f}%)" if total else ""
        click.echo(f"\rpruned {n:,}{share} records, {rate:,.0f}/s   ", nl=False, err=True)

    deleted = prune_now(engine, policy, progress=progress)
    click.echo(("\n" if deleted else "") + f"pruned {deleted:,} records from {engine.url!r} "
               f"in {time.monotonic() - started:.1f} s", err=False)
    engine.dispose()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@_db_option
def db_upgrade(database_url: str) -> None:
    """Bring the database to the newest schema, keeping every row."""
    from .store.engine import make_engine
    from .store.migrate import current_revision, upgrade

    engine = make_engine(database_url)
    before = current_revision(engine)
    upgrade(engine)
    click.echo(f"database {engine.url!r}: {before or 'empty'} -> {current_revision(engine)}")


def _version() -> str:
    from . import __version__
    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
