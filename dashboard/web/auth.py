"""The UI token (LOGDASH_UI_TOKEN): who may read the pages, the API, the export and the websockets.

A person signs in once at /login and gets a signed session cookie; scripts send
`Authorization: Bearer <token>`. The cookie is signed with a key derived from the token, so every
worker agrees without shared state and a new token signs everyone out. A wrong token costs a fixed
delay and counts against the client's address (429 after too many). /ingest and the request bin
keep their own rules (apps send there); /healthz answers only "ok" or "error".
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, Request, Response, current_app, jsonify, redirect, request, session

from .errors import wants_json
from .throttle import FailureLimiter

OPEN_BLUEPRINTS = frozenset({"ingest", "requestbin", "health"})  # apps, webhooks, load balancers (CORS preflight too)
OPEN_ENDPOINTS = frozenset({"static", "login.login"})
DEFAULTS: dict[str, Any] = {
    "UI_FAIL_DELAY": 0.75,  # seconds a wrong token waits before its answer
    "UI_FAIL_LIMIT": 10,  # wrong tokens per address and window before 429
    "UI_FAIL_WINDOW": 300,  # seconds
}
SESSION_DAYS = 7


def enabled() -> bool:
    """Whether a UI token is configured."""
    return bool(current_app.config["UI_TOKEN"])


def session_key(token: str) -> str:
    """The cookie-signing key: derived from the token, the same in every worker, new with a new token."""
    return hmac.new(token.encode(), b"logdash ui session", hashlib.sha256).hexdigest()


def token_matches(sent: str) -> bool:
    """Constant-time comparison with the configured token."""
    return hmac.compare_digest(sent.encode(), current_app.config["UI_TOKEN"].encode())


def signed_in() -> bool:
    """True when the request carries a valid session cookie from /login."""
    return enabled() and session.get("ui") is True


def csrf_token() -> str:
    """This session's CSRF token (created on first use); empty when no UI token is configured."""
    if not enabled():
        return ""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def _same(sent: str, expected: Any) -> bool:
    return bool(expected) and hmac.compare_digest(sent.encode(), str(expected).encode())


def csrf_ok(req: Request) -> bool:
    """True when the form field `csrf` (or the `X-CSRF-Token` header) matches the session's token."""
    return _same(req.form.get("csrf") or req.headers.get("X-CSRF-Token") or "", session.get("csrf"))


def vouches_for_ingest(req: Request) -> bool:
    """A signed-in page posting with its CSRF token in `X-CSRF-Token` (the logs page's test record) needs
    no ingest token. Only the header is read: the body is the records, never parsed as a form here."""
    return signed_in() and _same(req.headers.get("X-CSRF-Token") or "", session.get("csrf"))


def limiter() -> FailureLimiter:
    return current_app.extensions["logdash.ui_failures"]


def try_token(sent: str) -> int | None:
    """Check a token sent by `request.remote_addr`: None when right; the status (401, or 429 when this
    address failed too often) when not. A wrong token is answered only after the fixed delay."""
    address = request.remote_addr or "?"
    if limiter().retry_after(address):
        return 429
    if token_matches(sent):
        limiter().succeeded(address)
        return None
    limiter().failed(address)
    time.sleep(current_app.config["UI_FAIL_DELAY"])
    return 401


def refusal(status: int, reason: str) -> Response:
    """A JSON refusal; 429 says when to try again."""
    resp = jsonify(error=reason)
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="logdash"'
    if status == 429:
        resp.headers["Retry-After"] = str(limiter().retry_after(request.remote_addr or "?"))
    return resp


def safe_next(target: str | None) -> str:
    """A same-site relative path to return to after signing in ("/" for anything else: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(c == "\\" or ord(c) < 0x21 for c in target):  # browsers read /\evil and /<tab>/evil as //evil
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def login_url() -> str:
    """/login with `next` pointing back at this page (GET only: a POST cannot be replayed)."""
    here = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
    return "/login" if request.method != "GET" or here == "/" else f"/login?next={quote(here, safe='')}"


def gate() -> Response | None:
    """`before_request`: with a UI token, every route but the open ones needs the session or a Bearer token.
    Pages redirect to /login; the API, export and websockets (before the upgrade) answer 401 JSON."""
    if not enabled() or request.endpoint in OPEN_ENDPOINTS or request.blueprint in OPEN_BLUEPRINTS:
        return None
    if signed_in():
        return None
    auth = request.authorization
    if auth is not None and auth.type == "bearer" and auth.token:
        status = try_token(auth.token)
        if status is None:
            return None
        return refusal(status, "UI token wrong" if status == 401 else "too many wrong UI tokens; wait and retry")
    rule = request.url_rule
    if wants_json() or (rule is not None and rule.websocket) or request.path.startswith("/ws/"):
        return refusal(401, "UI token required: sign in at /login, or send Authorization: Bearer <token>")
    return redirect(login_url())


def init_app(app: Flask) -> None:
    """Sessions signed with the token's key, cookie flags, the failure limiter and the gate."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    token = app.config["UI_TOKEN"]
    if token:
        app.secret_key = session_key(token)
    app.config.update(SESSION_COOKIE_NAME="logdash_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", PERMANENT_SESSION_LIFETIME=timedelta(days=SESSION_DAYS))
    # SESSION_COOKIE_SECURE (Flask's, default off) is set by `serve --certfile`
    app.extensions["logdash.ui_failures"] = FailureLimiter(app.config["UI_FAIL_LIMIT"], app.config["UI_FAIL_WINDOW"])
    app.jinja_env.globals.update(csrf_token=csrf_token, signed_in=signed_in)
    app.before_request(gate)
