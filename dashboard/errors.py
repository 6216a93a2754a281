"""Error answers: JSON for API clients, a short page for browsers, never a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """API paths and clients that prefer JSON get JSON."""
    if request.path.startswith(("/api/", "/ingest", "/healthz", "/inspect/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _answer(e: HTTPException):  # noqa: ANN202
    if wants_json():
        return jsonify(error=e.description), e.code
    return render_template("error.html", code=e.code, name=e.name, description=e.description), e.code


def init_app(app: Flask) -> None:
    """Register the handlers."""
    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):  # noqa: ANN202
        return _answer(e)

    @app.errorhandler(Exception)
    def unexpected(e: Exception):  # noqa: ANN202
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(InternalServerError())
