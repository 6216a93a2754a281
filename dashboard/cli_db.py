"""`logdash db`: upgrade a database's schema, copy a database to another (SQLite <-> PostgreSQL).

Kept apart from cli.py (the everyday commands) so each stays small; also home of the --db option
that every command opening the database shares.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import click

from . import settings

ENV = settings.PREFIX
INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)
SHOWN_AS = {"records": "records", "requests": "captured requests"}


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--db URL (or LOGDASH_DATABASE_URL), for every command that opens the database."""
    return click.option("--db", "database_url", envvar=ENV + "DATABASE_URL", show_envvar=True,
                        default=settings.DEFAULTS["DATABASE_URL"], show_default=True,
                        help="Database URL (SQLite file or postgresql+psycopg://...).")(f)


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@db_option
def db_upgrade(database_url: str) -> None:
    """Bring the database to the newest schema, keeping every row."""
    from .cli_errors import database_errors
    from .store.engine import describe_url, make_engine
    from .store.migrate import current_revision, upgrade

    with database_errors(database_url):
        engine = make_engine(database_url)
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    click.echo(f"database {describe_url(database_url)}: {before or 'empty'} -> {after}")
    engine.dispose()


class Interrupted(click.ClickException):
    """Ctrl-C during a copy: one line, and the shell's exit code for it."""
    exit_code = INTERRUPTED


@db.command("copy")
@click.option("--from", "source_url", required=True, metavar="URL",
              help="The database to copy (left unchanged; must be at the newest schema).")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="Where to copy it: an empty database, or one an interrupted copy of the same source left.")
@click.option("--batch", type=click.IntRange(1, 100_000), default=2000, show_default=True,
              help="Records per target transaction.")
def db_copy(source_url: str, target_url: str, batch: int) -> None:
    """Copy every record and captured request, ids kept, to another database (SQLite and PostgreSQL,
    either way). Resumable: after an interruption, run the same command again."""
    from sqlalchemy.exc import DBAPIError

    from .cli_errors import database_errors
    from .store.copy import CopyRefused, copy_database
    from .store.engine import describe_url, make_engine

    with database_errors(source_url):
        source = make_engine(source_url)
    with database_errors(target_url):
        target = make_engine(target_url)
    line = ProgressLine()
    started = time.monotonic()
    try:
        copied = copy_database(source, target, batch=batch, progress=line.show)
    except CopyRefused as e:
        line.end()
        raise click.ClickException(str(e)) from None
    except DBAPIError as e:  # one line naming the database that failed
        line.end()
        with database_errors(source_url if getattr(e, "logdash_side", None) == "source" else target_url):
            raise
    except KeyboardInterrupt:
        line.end()
        raise Interrupted(f"interrupted: {describe_url(target_url)} holds {line.state()}, each batch whole with "
                          "its search index and counts; run the same command again to resume") from None
    finally:
        source.dispose()
        target.dispose()
    line.end()
    parts = [f"{c.copied:,} {SHOWN_AS[c.table]}" + (f" (after {c.before:,} already there)" if c.before else "")
             for c in reversed(copied)]
    click.echo(f"copied {' and '.join(parts)} from {describe_url(source_url)} to {describe_url(target_url)} "
               f"in {time.monotonic() - started:.1f} s")


class ProgressLine:
    """`copied 40,000 of 100,000 records (40%), 12,345/s`, rewritten in place on stderr; the rate counts
    only this run's rows."""

    def __init__(self) -> None:
        self.table: str | None = None
        self.done = self.total = self.first = 0
        self.since = time.monotonic()
        self.shown = False

    def show(self, table: str, done: int, total: int) -> None:
        """The progress callback of copy_database (a table with nothing to copy shows no line)."""
        if not total:
            return
        if table != self.table:
            if self.shown:
                click.echo(err=True)  # the finished table's line stays
            self.table, self.first, self.since = table, done, time.monotonic()
        self.done, self.total, self.shown = done, total, True
        rate = (done - self.first) / max(time.monotonic() - self.since, 1e-6)
        share = f" ({100 * done / total:.0f}%)" if total else ""
        click.echo(f"\rcopied {done:,} of {total:,} {SHOWN_AS[table]}{share}, {rate:,.0f}/s   ", nl=False, err=True)

    def state(self) -> str:
        """How far the copy got (committed batches), for the interruption message."""
        if self.table is None:
            return "what it held before"
        return f"the first {self.done:,} of {self.total:,} {SHOWN_AS[self.table]}"

    def end(self) -> None:
        """Finish the line (once), so what follows starts on a line of its own."""
        if self.shown:
            click.echo(err=True)
            self.shown = False
