"""logdash: a self-hosted web dashboard for Python logs."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import db, errors, queries, request_queries, settings, web
from .feed import Feed
from .resources import resource_dir
from .sockets import sock
from .writer import Writer

__version__ = "0.1.0"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, then LOGDASH_* environment, then `overrides`."""
    app = Flask(__name__, template_folder=str(resource_dir("templates")),
                static_folder=str(resource_dir("static")))
    app.config.update(settings.load(overrides=overrides))
    app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": 25}
    app.json.sort_keys = False
    db.init_app(app)
    engine = db.get_engine_of(app)
    feeds = [Feed(engine, queries.new_records, queries.newest_record_id)]
    app.extensions["logdash.record_feed"] = feeds[0]
    # captured requests: rows carry bodies, so fewer per read and per waiting subscriber
    feeds.append(Feed(engine, request_queries.new_requests, request_queries.newest_request_id,
                      batch=100, queue_size=256))
    app.extensions["logdash.request_feed"] = feeds[-1]

    def wake_feeds() -> None:
        for feed in feeds:
            feed.wake()

    app.extensions["logdash.writer"] = Writer(
        engine, app.config["QUEUE_SIZE"], app.config["BATCH_SIZE"], on_commit=wake_feeds,
        request_retention=app.config["REQUEST_RETENTION"])
    errors.init_app(app)
    web.init_app(app)
    sock.init_app(app)

    from . import api, ingest, live
    app.register_blueprint(ingest.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(live.bp)
    from . import inspector, request_live, requestbin
    app.register_blueprint(inspector.bp)
    app.register_blueprint(request_live.bp)
    app.register_blueprint(requestbin.bp)
    from . import export, histogram, pages
    app.register_blueprint(pages.bp)
    app.register_blueprint(histogram.bp)
    app.register_blueprint(export.bp)
    return app
