"""Who may do what: response security headers, the ingest token, cross-site and foreign-origin checks."""
from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Request, Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
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
    # every answer: an HTML error page or a JSON body opened in a tab must not run or frame anything either
    response.headers.setdefault("Content-Security-Policy", CSP if response.mimetype == "text/html" else DATA_CSP)
    return response


def check_token(req: Request, token: str) -> None:
    """Accept the token as Basic password, Bearer token or ?token=; refuse 401 otherwise."""
    if not token:
        return
    from .auth import vouches_for_ingest  # a signed-in page's CSRF token stands in for the ingest token
    if vouches_for_ingest(req):
        return
    auth = req.authorization
    sent = req.args.get("token")
    if auth is not None:
        sent = auth.password if auth.type == "basic" else auth.token
    if not sent:
        raise Refused(401, "token missing", _BASIC_CHALLENGE)
    if not hmac.compare_digest(str(sent).encode(), token.encode()):
        raise Refused(401, "token wrong", _BASIC_CHALLENGE)


SAME_ORIGIN_FETCH = ("same-origin", "none")  # Sec-Fetch-Site values of our own pages and of typed-in URLs


def allowed_origins(setting: str) -> frozenset[str]:
    """LOGDASH_INGEST_ORIGINS as a set of origins (scheme://host[:port], no trailing slash)."""
    return frozenset(o.strip().rstrip("/").lower() for o in setting.split(",") if o.strip())


def allowed_origin(req: Request, allowed: frozenset[str]) -> str | None:
    """The request's Origin when it is one of `allowed` (a browser log shipper we were told about), else None."""
    origin = (req.headers.get("Origin") or "").rstrip("/").lower()
    return origin if origin and origin in allowed else None


def check_not_cross_site(req: Request, allowed: frozenset[str] = frozenset()) -> None:
    """Refuse any browser request from another origin (another site, or another port of this host).

    Browsers say where a request comes from (Sec-Fetch-Site, Origin) even for an <img> or a no-cors
    fetch; servers' HTTP clients send neither, so they pass. Origins in `allowed` pass too.
    """
    origin = req.headers.get("Origin")
    if origin is not None and allowed_origin(req, allowed):
        return
    site = req.headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in SAME_ORIGIN_FETCH:
        raise Refused(403, f"{site} browser request refused (Sec-Fetch-Site: {site}); "
                           "allow a browser origin with LOGDASH_INGEST_ORIGINS")
    if origin and origin.rstrip("/").lower() != req.host_url.rstrip("/").lower():
        raise Refused(403, f"request from origin {origin} refused; allow it with LOGDASH_INGEST_ORIGINS")


def preflight(req: Request, allowed: frozenset[str]) -> Response:
    """The answer to a CORS preflight: permission only for the configured origins, and nothing else."""
    resp = Response(status=204, mimetype="text/plain")
    origin = allowed_origin(req, allowed)
    resp.headers["Vary"] = "Origin"
    if origin is not None:
        resp.headers["Access-Control-Allow-Origin"] = req.headers["Origin"]
        resp.headers["Access-Control-Allow-Methods"] = "POST, GET"
        resp.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
        resp.headers["Access-Control-Max-Age"] = "600"
    return resp


def cors_headers(req: Request, resp: Response, allowed: frozenset[str]) -> Response:
    """Let an allowed browser origin read our answer (how many records were accepted, or why not)."""
    if allowed_origin(req, allowed) is not None:
        resp.headers["Access-Control-Allow-Origin"] = req.headers["Origin"]
        resp.headers.add("Vary", "Origin")
    return resp


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _site(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port with the scheme's default filled in) of a URL, or None when it has none."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return (scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme)) if parts.hostname else None
    except ValueError:  # a port that is not a number
        return None


def foreign_origin(req: Request) -> str | None:
    """The Origin header when it is not exactly us (scheme, host and port; `null` included), else None.

    Browsers always send Origin on websockets: a page elsewhere (another site, or another port of this
    host) must not open ours with the person's cookie."""
    origin = req.headers.get("Origin")
    if not origin:
        return None
    ours = _site(req.host_url)
    return None if ours is not None and _site(origin) == ours else origin
