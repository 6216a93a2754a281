"""What `logdash serve` prints once it is listening: where to look, and how to send logs.

The snippet is the same one the empty logs page shows (logs.snippets.connect_snippet), so the
two cannot drift apart; it sets the root level, or `log.info` would never leave the app.
"""
from __future__ import annotations

import textwrap

from .logs.snippets import connect_snippet

LOCAL_HOSTS = ("127.0.0.1", "::1", "0.0.0.0", "::", "localhost")


def shown_host(host: str) -> str:
    """The host people should type: "localhost" for loopback and any-address binds."""
    return "localhost" if host in LOCAL_HOSTS else host


def banner(*, version: str, host: str, port: int, secure: bool, workers: int, database: str,
           keeping: str, token_required: bool) -> str:
    """The lines printed after the server is bound; `database` must already hide any password."""
    address = f"{shown_host(host)}:{port}"
    url = f"{'https' if secure else 'http'}://{address}"
    snippet = connect_snippet(address, secure, token_required)
    return "\n".join([
        f"logdash {version} on {url}/  ({workers} worker{'s' if workers != 1 else ''}, "
        f"database {database}, keeping {keeping})",
        f"Every request, accepted or refused, is in {url}/inspector",
        "Send logs from any Python app with:",
        "",
        textwrap.indent(snippet, "    "),
        "",
    ])
