"""Error answers: JSON for API clients, a short page for browsers, never a stack trace."""
from __future__ import annotations

import logging
from typing import Any, TypeVar

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from ..store import regexp
from ..store.writer import StoreUnavailable
from .args import INT64_MAX, BadArgument
from .twin import wants_twin

log = logging.getLogger(__name__)
T = TypeVar("T")


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON."""
    if request.path.startswith(("/api/", "/ingest", "/v1/", "/healthz", "/inspect/")):
        return True
    return wants_twin()  # pages: the same rule as their JSON twins


class Int64Converter(IntegerConverter):
    """`<int:id>` up to what the database holds: a larger id matches no route (404), not an overflow."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["max"] = min(kwargs.get("max") or INT64_MAX, INT64_MAX)
        super().__init__(url_map, *args, **kwargs)


def get_or_404(found: T | None, description: str) -> T:
    """`found`, or a 404 that says what is missing (and why it may be)."""
    if found is None:
        raise NotFound(description=description)
    return found


def _answer(e: HTTPException) -> ResponseReturnValue:
    if wants_json():
        return jsonify(error=e.description), e.code or 500
    return render_template("error.html", code=e.code, name=e.name, description=e.description), e.code or 500


def bad_argument(e: BadArgument) -> ResponseReturnValue:
    """400 naming the argument: JSON for API clients, the error page for a browser."""
    if wants_json():
        return jsonify(error=str(e), argument=e.argument), 400
    return render_template("error.html", code=400, name="Bad filter", description=str(e)), 400


def store_unavailable(e: StoreUnavailable) -> ResponseReturnValue:
    """503 with Retry-After: the writer is behind or the database refused; nothing was stored."""
    return jsonify(error=str(e)), 503, {"Retry-After": str(e.retry_after)}


def database_refused(e: OperationalError) -> ResponseReturnValue:
    """503 naming what the database said (a full disk, a lock) instead of a bare 500; a search
    whose /regex/ spent its time budget is the caller's to narrow: 400 naming `q`."""
    reason = str(e.orig).splitlines()[0] if e.orig else type(e).__name__
    slow = regexp.take_overrun()
    if slow is not None and "user-defined function" in reason:
        return bad_argument(BadArgument("q", regexp.too_slow(slow)))
    log.error("database error on %s %s: %s", request.method, request.path, reason)
    answer = ServiceUnavailable(f"The database could not answer: {reason}. Retry in a moment.")
    body, status = _answer(answer)
    return body, status, {"Retry-After": "5"}


def init_app(app: Flask) -> None:
    """Register the handlers and the bounded `int` converter (before any route is added)."""
    app.url_map.converters["int"] = Int64Converter
    app.register_error_handler(BadArgument, bad_argument)
    app.register_error_handler(StoreUnavailable, store_unavailable)
    app.register_error_handler(OperationalError, database_refused)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> ResponseReturnValue:
        return _answer(e)

    @app.errorhandler(Exception)
    def unexpected(e: Exception) -> ResponseReturnValue:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(InternalServerError())
