"""What every page's template shares: cache-busted static URLs, the ingest URL, formatting, levels."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for
from markupsafe import Markup

from ..ingest.levels import for_browser
from . import zone
from .format import HELPERS
from .security import security_headers


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


@lru_cache(maxsize=1)
def levels_json() -> Markup:
    """The level table for static/js/levels.js, safe inside <script type="application/json">."""
    text = json.dumps(for_browser()).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def retention() -> str:
    """What retention keeps, in words ("30 days", "everything")."""
    return current_app.extensions["logdash.retention"].policy.describe()


def init_app(app: Flask) -> None:
    """Register the template globals and the header hook."""
    from .. import __version__

    app.jinja_env.globals.update(HELPERS, static_url=static_url, ingest_url=ingest_url, version=__version__,
                                 levels_json=levels_json, retention_policy=retention)
    zone.init_app(app)  # after HELPERS: times in the request's zone
    app.after_request(security_headers)
