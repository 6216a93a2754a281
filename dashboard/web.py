"""What every page shares: template globals, cache-busted static URLs, security headers."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


@lru_cache(maxsize=256)
def _digest(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """URL of a static file with a content hash, so browsers never run a stale module."""
    path = Path(current_app.static_folder or "") / filename
    version = _digest(path, path.stat().st_mtime) if path.is_file() else "0"
    return url_for("static", filename=filename, v=version)


def ingest_url() -> str:
    """The URL apps should send records to, as this browser reached us."""
    return request.host_url + "ingest"


def security_headers(response: Response) -> Response:
    """CSP without inline scripts, no sniffing, no framing, no referrer leaks."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def init_app(app: Flask) -> None:
    """Register the template globals and the header hook."""
    from . import __version__

    app.jinja_env.globals.update(static_url=static_url, ingest_url=ingest_url, version=__version__)
    app.after_request(security_headers)
