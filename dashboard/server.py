"""Serving with gunicorn: N worker processes, each with threads (websockets hold one each)."""
from __future__ import annotations

import atexit
import signal
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .web.raw_headers import RawHeaders, remember_headers


class Server(BaseApplication):
    """gunicorn configured from code; each worker builds its own app (own writer and engine)."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from . import close_app

        app = self.factory()
        atexit.register(close_app, app)  # in the worker: a graceful stop commits what is queued
        app.wsgi_app = RawHeaders(app.wsgi_app)  # type: ignore[method-assign]  # headers as received
        return app


def stop_live_sockets(worker: Any) -> None:
    """`worker_int` (Ctrl-C, SIGQUIT): close this worker's websockets with 1001 so its threads end and
    it exits at once, instead of waiting on open tabs until the arbiter's SIGKILL. Further SIGINT and
    SIGQUIT do nothing meanwhile: the terminal and the arbiter each send one, and a second
    `sys.exit` in the middle of the interpreter's shutdown would cut it short."""
    from . import stop_live

    for signum in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(signum, _already_stopping)  # not SIG_IGN: one already pending would raise OSError
    app = getattr(worker, "wsgi", None)  # unset while the worker is still booting
    if isinstance(app, Flask):
        stop_live(app)


def _already_stopping(signum: int, frame: Any) -> None:
    """The worker is on its way out; a second Ctrl-C needs nothing more."""


def close_live_on_term(worker: Any) -> None:
    """`post_worker_init`: on SIGTERM (a graceful stop) the gthread worker waits up to
    graceful_timeout for open connections, and a websocket never ends by itself; so after
    gunicorn's own handler has run, close the websockets too (gunicorn has no hook for SIGTERM)."""
    from . import stop_live

    gunicorn_handler = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        if callable(gunicorn_handler):
            gunicorn_handler(signum, frame)
        stop_live(worker.wsgi)  # post_worker_init runs after the app is loaded

    signal.signal(signal.SIGTERM, on_term)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn sets it: requests in flight go on


def announce(text: str) -> Callable[[Any], None]:
    """A `when_ready` hook printing `text`: the banner appears only once the port is bound."""
    def when_ready(_arbiter: Any) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    return when_ready


def gunicorn_options(host: str, port: int, workers: int, threads: int,
                     certfile: str | None = None, keyfile: str | None = None,
                     banner: str | None = None) -> dict[str, Any]:
    """The gunicorn settings logdash needs (gthread workers; long GET URLs allowed through; websockets
    closed promptly on shutdown; `banner` printed once listening)."""
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 0,
        "limit_request_field_size": 0,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "pre_request": remember_headers,  # headers in received order, for the inspector
        "worker_int": stop_live_sockets,
        "post_worker_init": close_live_on_term,
    }
    if banner is not None:
        options["when_ready"] = announce(banner)
    if certfile:
        options.update(certfile=certfile, keyfile=keyfile)
    return options
