"""What `logdash serve` prints once it is listening: where to look, and how to send logs.

The snippet is the same one the empty logs page shows (logs.snippets.connect_snippet), so the
two cannot drift apart; it sets the root level, or `log.info` would never leave the app.
"""
from __future__ import annotations

import socket
import textwrap

from .logs.snippets import connect_snippet
from .web.hosts import is_any_address, is_loopback


def shown_host(host: str) -> str:
    """The host people should type: "localhost" for loopback, this machine's name for an every-interface
    bind (0.0.0.0, ::), else the address itself (IPv6 in brackets). Never "localhost" for a network bind."""
    if is_loopback(host):
        return "localhost"
    if is_any_address(host):
        return socket.gethostname() or host
    return f"[{host}]" if ":" in host else host


def access_line(host: str, url: str, ui_token: bool) -> str | None:
    """Who may read the dashboard, when that is not simply "this machine"."""
    if ui_token:
        return f"Pages, the API and websockets need the UI token (LOGDASH_UI_TOKEN): sign in at {url}/login"
    if not is_loopback(host):
        return f"NO UI TOKEN (--insecure): anyone who can reach {host} reads every record and captured request"
    return None


def banner(*, version: str, host: str, port: int, secure: bool, workers: int, database: str,
           keeping: str, token_required: bool, ui_token: bool = False) -> str:
    """The lines printed after the server is bound; `database` must already hide any password."""
    address = f"{shown_host(host)}:{port}"
    url = f"{'https' if secure else 'http'}://{address}"
    snippet = connect_snippet(address, secure, token_required)
    bound = "" if is_loopback(host) else f"bound to {host}, "
    access = access_line(host, url, ui_token)
    return "\n".join([
        f"logdash {version} on {url}/  ({bound}{workers} worker{'s' if workers != 1 else ''}, "
        f"database {database}, keeping {keeping})",
        *([access] if access else []),
        f"Every request, accepted or refused, is in {url}/inspector",
        "Send logs from any Python app with:",
        "",
        textwrap.indent(snippet, "    "),
        "",
    ])
