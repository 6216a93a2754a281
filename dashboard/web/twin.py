"""Every page has a JSON twin: the same data, at the same URL, for `Accept: application/json`.

As in Datasette, the view builds one data dict; the page renders it and the twin
returns it, so tests (and scripts) read exactly what the page shows.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue


def wants_twin() -> bool:
    """True when the client prefers JSON to HTML (a browser, curl's */* and no Accept get HTML)."""
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match(["text/html", "application/json"]) == "application/json"


def page_or_twin(template: str, twin: dict[str, Any], **context: Any) -> ResponseReturnValue:
    """Render `template` with `context`, or answer `twin` (the same data) as JSON to a JSON client."""
    if wants_twin():
        return jsonify(twin)
    return render_template(template, **context)
