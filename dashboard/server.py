"""Serving with gunicorn: N worker processes, each with threads (websockets hold one each)."""
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .console_log import ServerLog
from .web.raw_headers import RawHeaders, remember_headers
from .workers import share as share_siblings


class Server(BaseApplication):
    """gunicorn configured from code; each worker builds its own app (own writer and engine)."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        share_siblings(int(options.get("workers", 1)))  # before the workers fork: they share it
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
    it exits at once, instead of waiting on open tabs until the arbiter's SIGKILL."""
    from . import stop_live

    app = getattr(worker, "wsgi", None)  # unset while the worker is still booting
    if isinstance(app, Flask):
        stop_live(app)


def guard_signals(worker: Any) -> None:
    """`post_worker_init`: make the worker's stop signals safe with open websockets.

    - SIGINT/SIGQUIT: Ctrl-C reaches the worker twice (from the terminal, and from the arbiter as
      SIGQUIT). gthread's handler shuts its thread pool down under a lock that is not reentrant,
      so a second signal arriving meanwhile would hang the worker for good; it is ignored.
    - SIGTERM (a graceful stop): the gthread worker waits up to graceful_timeout for open
      connections, and a websocket never ends by itself; so after gunicorn's own handler has run,
      close the websockets too (gunicorn has no hook for SIGTERM).
    """
    from . import stop_live

    quit_handler, term_handler = signal.getsignal(signal.SIGQUIT), signal.getsignal(signal.SIGTERM)
    stopping = False

    def on_quit(signum: int, frame: Any) -> None:
        nonlocal stopping
        if stopping or not callable(quit_handler):
            return
        stopping = True
        quit_handler(signum, frame)

    def on_term(signum: int, frame: Any) -> None:
        if callable(term_handler):
            term_handler(signum, frame)
        stop_live(worker.wsgi)  # post_worker_init runs after the app is loaded
        watchdog = threading.Timer(STOP_GRACE, _finish, args=(worker.wsgi,))
        watchdog.daemon = True
        watchdog.start()

    signal.signal(signal.SIGINT, on_quit)
    signal.signal(signal.SIGQUIT, on_quit)
    signal.signal(signal.SIGTERM, on_term)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn sets it: requests in flight go on


STOP_GRACE = 3.0  # seconds a stopping worker may take before it commits what is queued and exits


def prepare_worker(worker: Any) -> None:
    """`post_worker_init`: safe stop signals, and every template compiled before the first request
    (a fresh worker's first page otherwise compiles them while it is served: seen taking 2.4 s
    under a flood of ingest)."""
    guard_signals(worker)
    env = worker.wsgi.jinja_env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def _finish(app: Flask) -> None:
    """A stopping worker still alive after STOP_GRACE (a connection that will not end): commit what
    is queued, then exit. Every acknowledged record is already committed; nothing waits longer."""
    from . import close_app

    try:
        close_app(app)
    finally:
        os._exit(0)


def announce(text: str) -> Callable[[Any], None]:
    """A `when_ready` hook printing `text`: the banner appears only once the port is bound."""
    def when_ready(_arbiter: Any) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    return when_ready


def gunicorn_options(host: str, port: int, workers: int, threads: int,
                     certfile: str | None = None, keyfile: str | None = None,
                     banner: str | None = None, log_format: str = "text") -> dict[str, Any]:
    """The gunicorn settings logdash needs (gthread workers; long GET URLs allowed through; websockets
    closed promptly on shutdown; `banner` printed once listening; its log lines in our format)."""
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "dashboard.workers.BalancedWorker",  # gthread, sharing connections evenly
        "threads": threads,
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 0,
        "limit_request_field_size": 0,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "logger_class": type("ServerLog", (ServerLog,), {"kind": log_format}),
        "pre_request": remember_headers,  # headers in received order, for the inspector
        "worker_int": stop_live_sockets,
        "post_worker_init": prepare_worker,
    }
    if os.access("/dev/shm", os.W_OK):  # the workers' heartbeat file, touched per request: in memory, not on disk
        options["worker_tmp_dir"] = "/dev/shm"
    if banner is not None:
        options["when_ready"] = announce(banner)
    if certfile:
        options.update(certfile=certfile, keyfile=keyfile)
    return options
