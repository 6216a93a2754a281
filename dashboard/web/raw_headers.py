"""Headers in the order received, repeats kept: the WSGI environ loses both, gunicorn has them.

gunicorn's gthread worker calls the `pre_request(worker, req)` hook and then the
WSGI app in the same thread (workers/gthread.py, handle_request), and `req.headers`
is the list of (NAME, value) pairs as parsed: order and repeats kept, names
upper-cased by gunicorn (http/message.py), values with surrounding blanks
stripped. The hook parks that list in a thread-local; `RawHeaders`, wrapped around
the app, moves it into `environ["logdash.raw_headers"]` for capture.py.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

_parked = threading.local()

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def remember_headers(worker: Any, req: Any) -> None:
    """gunicorn pre_request hook: park this request's header list for the app call that follows."""
    _parked.request = (req.method, req.uri, list(req.headers))


class RawHeaders:
    """WSGI middleware: hand the parked header list to the app when it belongs to this request."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        parked, _parked.request = getattr(_parked, "request", None), None
        if parked and parked[:2] == (environ.get("REQUEST_METHOD"), environ.get("RAW_URI")):
            environ["logdash.raw_headers"] = parked[2]
        return self.app(environ, start_response)
