"""Serving with gunicorn: N worker processes, each with threads (websockets hold one each)."""
from __future__ import annotations

import atexit
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


def gunicorn_options(host: str, port: int, workers: int, threads: int,
                     certfile: str | None = None, keyfile: str | None = None) -> dict[str, Any]:
    """The gunicorn settings logdash needs (gthread workers; long GET URLs allowed through)."""
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
    }
    if certfile:
        options.update(certfile=certfile, keyfile=keyfile)
    return options
