"""The `logdash` command: serve, demo, send, prune, tail, and `db` (cli_db). Mistakes are one line (see cli_errors)."""
from __future__ import annotations

import logging
import os
import sys
import time

import click

from . import settings
from .cli_db import db, db_option
from .cli_errors import OneLineGroup, check_port_free, open_database

log = logging.getLogger("dashboard")
ENV = settings.PREFIX


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="logdash")
def main() -> None:
    """logdash: a web dashboard for Python logs sent with logging.handlers.HTTPHandler."""
    from .console_log import configure

    try:
        configure(os.environ.get(ENV + "LOG_FORMAT") or settings.DEFAULTS["LOG_FORMAT"])
    except ValueError as e:
        raise click.UsageError(f"{ENV}{e}") from None
    logging.getLogger("alembic").setLevel(logging.WARNING)


main.add_command(db)


@main.command()
@click.option("--host", envvar=ENV + "HOST", default=settings.DEFAULTS["HOST"], show_default=True,
              show_envvar=True, help="Address to bind. The default keeps the dashboard on this machine.")
@click.option("--port", envvar=ENV + "PORT", type=int, default=settings.DEFAULTS["PORT"],
              show_default=True, show_envvar=True, help="Port to listen on.")
@db_option
@click.option("--workers", envvar=ENV + "WORKERS", type=click.IntRange(0), default=0, show_envvar=True,
              help="Worker processes (0 = one per CPU).")
@click.option("--threads", envvar=ENV + "THREADS", type=click.IntRange(1),
              default=settings.DEFAULTS["THREADS"], show_default=True, show_envvar=True,
              help="Threads per worker; each open browser tab holds one or two.")
@click.option("--certfile", envvar=ENV + "CERTFILE", type=click.Path(exists=True, dir_okay=False),
              show_envvar=True, help="TLS certificate (serve https).")
@click.option("--keyfile", envvar=ENV + "KEYFILE", type=click.Path(exists=True, dir_okay=False),
              show_envvar=True, help="TLS private key.")
@click.option("--insecure", is_flag=True, envvar=ENV + "INSECURE", show_envvar=True,
              help="Serve an address other than this machine's without LOGDASH_UI_TOKEN: anyone who reaches it "
                   "reads every log.")
def serve(host: str, port: int, database_url: str, workers: int, threads: int,
          certfile: str | None, keyfile: str | None, insecure: bool) -> None:
    """Upgrade the database, then serve the dashboard and /ingest."""
    from sqlalchemy import make_url

    from . import create_app
    from .banner import banner
    from .server import Server, gunicorn_options
    from .store.engine import describe_url
    from .store.retention import check_backend, parse_policy

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    try:
        config = settings.load()  # what every worker will read: a bad value fails here, once
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    try:
        policy = parse_policy(config["RETENTION"])
    except ValueError as e:
        raise click.ClickException(f"{ENV}RETENTION: {e}") from None
    check_exposure(host, bool(config["UI_TOKEN"]), insecure)
    check_port_free(host, port)
    open_database(database_url).dispose()
    try:
        check_backend(policy, make_url(database_url).get_backend_name())
    except ValueError as e:
        raise click.ClickException(f"{ENV}RETENTION: {e}") from None
    workers = workers or os.cpu_count() or 1
    text = banner(version=_version(), host=host, port=port, secure=bool(certfile), workers=workers,
                  database=describe_url(database_url), keeping=policy.describe(),
                  token_required=bool(config["INGEST_TOKEN"]), ui_token=bool(config["UI_TOKEN"]))
    # every worker knows the bound address (Host allowlist) and whether cookies must be Secure
    overrides = {"DATABASE_URL": database_url, "HOST": host, "SESSION_COOKIE_SECURE": bool(certfile)}
    Server(lambda: create_app(overrides),
           gunicorn_options(host, port, workers, threads, certfile, keyfile, banner=text,
                            log_format=config["LOG_FORMAT"])).run()


@main.command()
@click.option("--url", default="http://127.0.0.1:8000/ingest", show_default=True,
              help="The dashboard's ingest URL.")
@click.option("--count", type=click.IntRange(1), default=40, show_default=True,
              help="How many records to send.")
@click.option("--token", envvar=ENV + "INGEST_TOKEN", show_envvar=True, default=None,
              help="The server's ingest token, sent as the Basic password (credentials=).")
def demo(url: str, count: int, token: str | None) -> None:
    """Send realistic records through the stock HTTPHandler; fails (one line) unless every one arrived."""
    from .client.checked import public_url
    from .client.demo import DemoFailed, send_demo

    interactive = sys.stdout.isatty()  # a progress line only for a person watching

    def progress(n: int) -> None:
        if interactive:
            click.echo(f"\rsent {n}/{count}", nl=False)

    try:
        sent = send_demo(url, count, token=token or None, progress=progress)
    except DemoFailed as e:
        if interactive:
            click.echo()
        raise click.ClickException(str(e)) from None
    site = public_url(url).rpartition("/ingest")[0] or public_url(url)
    click.echo(("\n" if interactive else "") + f"sent {sent} records to {public_url(url)}; see them at {site}/")


@main.command("send")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--url", envvar=ENV + "INGEST_URL", default="http://127.0.0.1:8000/ingest", show_default=True,
              show_envvar=True, help="The dashboard's ingest URL.")
@click.option("--app", envvar=ENV + "APP", show_envvar=True, default=None,
              help="Tag every record with this app name (?app=).")
@click.option("--token", envvar=ENV + "INGEST_TOKEN", show_envvar=True, default=None,
              help="The server's ingest token, sent as a Bearer token.")
@click.option("-f", "--follow", is_flag=True, envvar=ENV + "FOLLOW", show_envvar=True,
              help="After the end of each FILE, keep sending the lines written to it (like tail -F); "
                   "Ctrl-C sends what was read and stops.")
@click.option("--retry-for", type=click.FloatRange(0), default=30.0, show_default=True, envvar=ENV + "RETRY_FOR",
              show_envvar=True, metavar="SECONDS",
              help="How long to keep retrying a batch while the dashboard is down or busy (a restart) before "
                   "failing.")
def send_command(files: tuple[str, ...], url: str, app: str | None, token: str | None, follow: bool,
                 retry_for: float) -> None:
    """Send log lines from FILEs (or stdin) as records: JSON lines as they are, plain lines with their level,
    logger and time, tracebacks with the line they belong to. Progress and errors go to stderr."""
    from .client.checked import public_url
    from .client.send import SendFailed, send
    from .client.transport import Transport

    interactive = sys.stderr.isatty()  # a progress line only for a person watching
    shown = []

    def progress(n: int) -> None:
        if interactive:
            shown.append(n)
            click.echo(f"\rsent {n} records", nl=False, err=True)

    try:
        transport = Transport(url, app, token or None)
        sent = send(files, follow, transport, retry_for, progress)
    except (ValueError, SendFailed) as e:
        raise click.ClickException(("\n" if shown else "") + str(e)) from None
    click.echo(("\r" if shown else "") + f"sent {sent} records to {public_url(transport.url)}", err=True)


@main.command()
@db_option
@click.option("--older-than", "older_than", metavar="AGE", help="Delete records older than this (7d, 12h, 90m).")
@click.option("--keep", type=click.IntRange(1), metavar="N", help="Keep only the newest N records.")
def prune(database_url: str, older_than: str | None, keep: int | None) -> None:
    """Delete old records now, oldest first, in small steps (ingest goes on meanwhile)."""
    from .store.engine import describe_url
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
    engine = open_database(database_url)
    policy = Policy(max_age=age, max_records=keep)
    total = prunable(engine, policy)
    started = time.monotonic()

    def progress(n: int) -> None:
        rate = n / max(time.monotonic() - started, 1e-6)
        share = f" of {total:,} ({100 * n / total:.0f}%)" if total else ""
        click.echo(f"\rpruned {n:,}{share} records, {rate:,.0f}/s   ", nl=False, err=True)

    deleted = prune_now(engine, policy, progress=progress)
    click.echo(("\n" if deleted else "") + f"pruned {deleted:,} records from {describe_url(engine.url)} "
               f"in {time.monotonic() - started:.1f} s", err=False)
    engine.dispose()


@main.command()
@click.option("--url", envvar=ENV + "URL", show_envvar=True, default="http://127.0.0.1:8000", show_default=True,
              help="The dashboard's address (its /ingest URL works too).")
@click.option("--level", help="Minimum level (DEBUG, INFO, WARNING, ERROR, CRITICAL or a number).")
@click.option("--logger", help="Logger name and its children (`app` matches app and app.db).")
@click.option("--q", help="Text every shown record contains (each word).")
@click.option("--app", help="Only records of this app.")
@click.option("--since", metavar="WHEN", help="Only records from then on: an age (15m, 2h, 7d), ISO 8601 or epoch.")
@click.option("-n", "--lines", type=click.IntRange(0, 1000), default=20, show_default=True,
              help="How many of the newest records to show before following.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per record and line (for jq).")
@click.option("--color/--no-color", default=None,
              help="Colour levels (default: on a terminal, unless NO_COLOR is set).")
@click.option("--token", envvar=ENV + "UI_TOKEN", show_envvar=True, default=None,
              help="The dashboard's UI token, sent as Authorization: Bearer.")
def tail(url: str, level: str | None, logger: str | None, q: str | None, app: str | None, since: str | None,
         lines: int, as_json: bool, color: bool | None, token: str | None) -> None:
    """Show the newest records, then follow new ones as they are stored (Ctrl-C stops).

    Control characters in records are shown as escapes (\\x1b, \\u202e), never obeyed."""
    from itertools import chain

    from .client.tail import Dashboard, TailFailed, follow, last_records, since_arg
    from .client.terminal import json_line, render, use_color
    from .ingest.levels import level_number

    if level:
        try:
            level_number(level)
        except ValueError:
            raise click.BadParameter(f"{level!r} is not a level name or number", param_hint="--level") from None
    filters = {k: v for k, v in {"level": level, "logger": logger, "q": q, "app": app,
                                 "since": since and since_arg(since, time.time())}.items() if v}
    colored = not as_json and use_color(color, sys.stdout.isatty(), os.environ)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a terminal that cannot show a character gets \u....

    def notice(text: str) -> None:
        click.secho(text, err=True, fg="yellow" if colored else None)

    try:
        dash = Dashboard.from_url(url, token)
        backlog, after = last_records(dash, filters, lines)
        for record in chain(backlog, follow(dash, filters, after, notice)):
            click.echo(json_line(record) if as_json else render(record, color=colored), color=colored)
    except TailFailed as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        return  # Ctrl-C is how a tail ends
    except BrokenPipeError:  # `logdash tail | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's final flush goes nowhere, quietly


def check_exposure(host: str, ui_token: bool, insecure: bool) -> None:
    """Refuse (one line) to serve another address than this machine's without the UI token, unless
    --insecure says so; then warn, loudly and on one line."""
    from .web.hosts import is_loopback

    if is_loopback(host) or ui_token:
        return
    if not insecure:
        raise click.ClickException(
            f"refusing to serve {host} without a UI token: anyone who reaches it would read every log. "
            f"Set {ENV}UI_TOKEN (pages, API and websockets then need it), bind 127.0.0.1, or pass --insecure")
    click.secho(f"WARNING: serving {host} with no UI token (--insecure): anyone who can reach it reads "
                "every record and captured request", err=True, fg="red", bold=True)


def _version() -> str:
    from . import __version__
    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
