"""Mistakes in the command line, the environment or the database answered in one line, not a traceback.

A first run goes wrong in ordinary ways (a URL with two slashes, a folder that does not exist, a
port taken); each gets one line that names the culprit and the fix, and a non-zero exit.
"""
from __future__ import annotations

import contextlib
import errno
import socket
import sys
from collections.abc import Iterator
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from .store.engine import DatabaseUrlError, describe_url, make_engine

NO_ARGS_IS_HELP: type[Exception] | tuple[()] = getattr(click.exceptions, "NoArgsIsHelpError", ())


class OneLineGroup(click.Group):
    """A click group whose errors, usage errors included, are a single line on stderr."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except NO_ARGS_IS_HELP as e:  # `logdash` alone: the help, as click shows it
            e.show()
            sys.exit(e.exit_code)
        except click.UsageError as e:
            click.echo(f"Error: {usage_message(e)}", err=True)
            sys.exit(e.exit_code)
        except click.ClickException as e:
            click.echo(f"Error: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def usage_message(e: click.UsageError) -> str:
    """The message on one line (click names the environment variable when the value came from there),
    and where to read more."""
    command = e.ctx.command_path if e.ctx is not None else "logdash"
    return f"{' '.join(e.format_message().split())}  See: {command} --help"


def _database_problem(url: str, e: Exception) -> str:
    try:
        where = describe_url(url)
    except Exception:
        where = "the database"
    reason = str(getattr(e, "orig", None) or e).splitlines()[0]
    hint = ""
    if "unable to open database file" in reason:
        hint = " (is its folder writable by this user?)"
    return f"database {where}: {reason}{hint}"


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a bad URL, a missing driver or a database that refuses into one line naming it."""
    try:
        yield
    except DatabaseUrlError as e:
        raise click.ClickException(str(e)) from None
    except DBAPIError as e:
        raise click.ClickException(_database_problem(url, e)) from None
    except ImportError as e:
        raise click.ClickException(f"{describe_url(url)}: {e.name or e} is not installed "
                                   "(for PostgreSQL: pip install 'logdash[postgres]')") from None


def open_database(url: str) -> Engine:
    """An engine on an upgraded database, or a one-line ClickException saying why not."""
    from .store.migrate import upgrade

    with database_errors(url):
        engine = make_engine(url)
        upgrade(engine)
    return engine


def check_port_free(host: str, port: int) -> None:
    """Bind as gunicorn will, before saying anything: a taken port is one line, not a retry loop."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise click.ClickException(f"port {port} on {host} is already in use; "
                                           f"pick another with --port (e.g. --port {port + 1})") from None
            if e.errno == errno.EACCES:
                raise click.ClickException(f"not allowed to listen on port {port}; use a port above 1023 "
                                           "with --port") from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror}") from None
