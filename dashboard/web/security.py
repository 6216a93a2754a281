"""Who may do what: response security headers, the ingest token, cross-site and foreign-origin checks."""
from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Request, Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="logdash ingest"'}


class Refused(Exception):
    """A request answered with an error status and a reason a person can act on."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


def security_headers(response: Response) -> Response:
    """CSP without inline scripts, no sniffing, no framing, no referrer leaks."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def check_token(req: Request, token: str) -> None:
    """Accept the token as Basic password, Bearer token or ?token=; refuse 401 otherwise."""
    if not token:
        return
    auth = req.authorization
    sent = req.args.get("token")
    if auth is not None:
        sent = auth.password if auth.type == "basic" else auth.token
    if not sent:
        raise Refused(401, "token missing", _BASIC_CHALLENGE)
    if not hmac.compare_digest(str(sent).encode(), token.encode()):
        raise Refused(401, "token wrong", _BASIC_CHALLENGE)


def check_not_cross_site(req: Request) -> None:
    """Refuse a browser page on another site posting into our logs."""
    if req.headers.get("Sec-Fetch-Site") == "cross-site":
        raise Refused(403, "cross-site browser request refused")
    origin = req.headers.get("Origin")
    if origin and origin != req.host_url.rstrip("/"):
        raise Refused(403, f"request from origin {origin} refused")


def foreign_origin(req: Request) -> str | None:
    """The Origin header when it names another site than the one serving us, else None."""
    origin = req.headers.get("Origin")
    if not origin:
        return None
    return None if urlsplit(origin).netloc == req.host else origin
