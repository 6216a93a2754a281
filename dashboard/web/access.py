"""Who may reach us, checked before any view (and before any websocket upgrade), in this order:

1. the Host allowlist (hosts): 400 for a name that is not ours (DNS rebinding);
2. a websocket handshake's Origin (sockets.check_handshake): 403 for a page elsewhere;
3. the UI token (auth): 401 JSON, or a redirect to /login for a page.
"""
from __future__ import annotations

from flask import Flask

from . import auth, hosts, login
from .sockets import check_handshake


def init_app(app: Flask) -> None:
    """Register the checks (the order above) and /login, /logout."""
    hosts.init_app(app)
    app.before_request(check_handshake)
    auth.init_app(app)
    app.register_blueprint(login.bp)
