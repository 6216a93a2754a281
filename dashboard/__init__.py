"""logdash: a self-hosted web dashboard for Python logs.

Flask is imported inside `create_app`, not here: `dashboard.client` (the handler an app imports)
lives in this package and must not drag the web stack into the app's process.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, then LOGDASH_* environment, then `overrides`."""
    from flask import Flask
    from sqlalchemy import make_url

    from . import settings
    from .ingest.level_seed import seed_levels
    from .inspector import queries as request_queries
    from .json_out import JsonProvider
    from .logs import queries as record_queries
    from .resources import resource_dir
    from .store import engine as store_engine
    from .store import retention
    from .store.feed import Feed
    from .store.pruner import Pruner
    from .store.writer import Writer
    from .web import access, errors, sockets, templating

    app = Flask(__name__, template_folder=str(resource_dir("templates")),
                static_folder=str(resource_dir("static")))
    app.config.update(settings.load(overrides=overrides))
    app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": 25}
    app.json = JsonProvider(app)
    policy = retention.parse_policy(app.config["RETENTION"])  # refused before any connection is opened
    retention.check_backend(policy, make_url(app.config["DATABASE_URL"]).get_backend_name())
    store_engine.init_app(app)
    engine = store_engine.get_engine_of(app)
    seed_levels(engine)  # custom level names already stored keep their numbers in this process
    # PostgreSQL: commits of other processes and instances arrive by NOTIFY (store/listen.py), so the feeds'
    # own poll is only a fallback; the listener starts with the first feed (in the gunicorn worker, after its fork)
    postgres = engine.dialect.name == "postgresql"
    live: dict[str, Any] = {"interval": 5.0, "on_start": lambda: app.extensions["logdash.listener"].start()} \
        if postgres else {}
    record_feed = Feed(engine, record_queries.new_records, record_queries.newest_record_id, kind="record", **live)
    # captured requests: rows carry bodies, so fewer per read and per waiting subscriber
    request_feed = Feed(engine, request_queries.new_requests, request_queries.newest_request_id,
                        kind="request", batch=100, queue_size=256, **live)
    app.extensions["logdash.record_feed"] = record_feed
    app.extensions["logdash.request_feed"] = request_feed
    if postgres:
        from .store.listen import Listener
        app.extensions["logdash.listener"] = Listener(engine, {"records": record_feed, "requests": request_feed})

    def wake_feeds() -> None:
        record_feed.wake()
        request_feed.wake()

    commit_hooks = [wake_feeds]  # under `serve`, the other workers' feeds are woken too (workers.py)

    def on_commit() -> None:
        for hook in commit_hooks:
            hook()

    app.extensions["logdash.wake_feeds"] = wake_feeds
    app.extensions["logdash.commit_hooks"] = commit_hooks
    app.extensions["logdash.writer"] = Writer(
        engine, app.config["QUEUE_SIZE"], app.config["BATCH_SIZE"], on_commit=on_commit,
        request_retention=app.config["REQUEST_RETENTION"])
    app.extensions["logdash.retention"] = Pruner(engine, policy, app.config["PRUNE_INTERVAL"])
    app.extensions["logdash.retention"].start()
    errors.init_app(app)
    templating.init_app(app)
    access.init_app(app)  # Host allowlist, websocket Origin, UI token: before any view
    sockets.sock.init_app(app)
    _register_blueprints(app)
    return app


def stop_live(app: Flask) -> None:
    """Stop the feeds: every live socket gets a 1001 close and its thread ends (a stopping worker
    must not wait on open browser tabs)."""
    for part in ("logdash.record_feed", "logdash.request_feed"):
        feed = app.extensions.get(part)
        if feed is not None:  # a worker stopped while still booting has none yet
            feed.close()
    listener = app.extensions.get("logdash.listener")
    if listener is not None:  # PostgreSQL: told to stop, not waited for (up to a second); close_app waits
        listener.close(timeout=0)


def close_app(app: Flask) -> None:
    """Stop this app's background work: prune no more, commit what is queued, stop the feeds (once)."""
    if app.extensions.setdefault("logdash.closed", False):
        return
    app.extensions["logdash.closed"] = True
    for part in ("logdash.retention", "logdash.writer", "logdash.record_feed", "logdash.request_feed"):
        app.extensions[part].close()
    if "logdash.listener" in app.extensions:  # PostgreSQL
        app.extensions["logdash.listener"].close()
    app.extensions["logdash.engine"].dispose()


def _register_blueprints(app: Flask) -> None:
    """Every feature's views; features never import each other's views."""
    from .ingest import views as ingest_views
    from .inspector import api as request_api
    from .inspector import live as request_live
    from .inspector import pages as request_pages
    from .inspector import requestbin
    from .logs import api as record_api
    from .logs import export, histogram
    from .logs import live as record_live
    from .logs import pages as record_pages
    from .web import health

    for module in (ingest_views, record_api, histogram, export, record_live, record_pages,
                   request_api, request_pages, request_live, requestbin, health):
        app.register_blueprint(module.bp)
