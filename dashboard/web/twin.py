"""Every page has a JSON twin: the same data, at the same URL, for `Accept: application/json`.

As in Datasette, the view builds one data dict; the page renders it and the twin
returns it, so tests (and scripts) read exactly what the page shows. One URL has
two representations, so both answers say `Vary: Accept`: a cache (the browser's
own, a proxy) must never hand the JSON to a browser that asked for the page.
"""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response, render_template, request


def wants_twin() -> bool:
    """True when the client prefers JSON to HTML (a browser, curl's */* and no Accept get HTML)."""
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match(["text/html", "application/json"]) == "application/json"


def page_or_twin(template: str, twin: dict[str, Any], **context: Any) -> Response:
    """Render `template` with `context`, or answer `twin` (the same data) as JSON to a JSON client."""
    response = jsonify(twin) if wants_twin() else make_response(render_template(template, **context))
    response.vary.add("Accept")
    return response
