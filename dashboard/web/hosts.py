"""The Host allowlist: a page on another site must not reach us through a name it controls.

DNS rebinding points an attacker's name at 127.0.0.1; the browser then treats our answers as that
site's own. The `Host` header still carries the attacker's name, so only the names this server is
known by are answered: localhost, 127.0.0.1 and [::1] (any port), the bound address, and
LOGDASH_ALLOWED_HOSTS. Bound to every interface (0.0.0.0, ::), any IP literal and the machine's own
names are answered too: an IP literal is not a name anyone can rebind.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
from dataclasses import dataclass

from flask import Flask, Response, current_app, jsonify, request

log = logging.getLogger(__name__)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::(?P<port>[0-9]{1,5}))?", re.IGNORECASE)
_LOGGED_MAX = 100  # distinct refused names logged per process: a flood stays quiet


def bare(host: str) -> str:
    """`host` without IPv6 brackets or a final dot, lower case."""
    return host.strip().strip("[]").rstrip(".").lower()


def is_loopback(host: str) -> bool:
    """True for addresses (and the name) that only this machine can reach."""
    host = bare(host)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_any_address(host: str) -> bool:
    """True for the every-interface binds (0.0.0.0, ::)."""
    return bare(host) in ANY_ADDRESS


def machine_names() -> frozenset[str]:
    """This machine's host name and fully qualified name: what a bind to every interface is reached by."""
    return frozenset(bare(n) for n in (socket.gethostname(), socket.getfqdn()) if n)


@dataclass(frozen=True)
class HostRule:
    """Which `Host` headers are answered."""
    names: frozenset[str]
    suffixes: tuple[str, ...] = ()
    any_ip: bool = False
    any_host: bool = False

    def allows(self, header: str) -> bool:
        """Whether a `Host` header (`name[:port]`, `[v6][:port]`) is one of ours."""
        if self.any_host:
            return True
        match = _HOST.fullmatch(header.strip())
        if match is None or (match["port"] and not 0 < int(match["port"]) < 65536):
            return False
        name = bare(match["v6"] or match["name"])
        if name in self.names or any(name.endswith(suffix) for suffix in self.suffixes):
            return True
        if self.any_ip:
            try:
                ipaddress.ip_address(name)
            except ValueError:
                return False
            return True
        return False


def host_rule(bound: str, allowed: str) -> HostRule:
    """The rule for a server bound to `bound`, with LOGDASH_ALLOWED_HOSTS `allowed` (comma-separated)."""
    extra = [a.strip().lower() for a in allowed.split(",") if a.strip()]
    names = set(LOOPBACK_NAMES)
    any_ip = is_any_address(bound)
    if any_ip:
        names |= machine_names()
    else:
        names.add(bare(bound))
    names |= {bare(e.lstrip(".")) for e in extra if e != "*"}  # `.example.com` takes example.com itself too
    suffixes = tuple(e.rstrip(".") for e in extra if e.startswith(".") and len(e) > 1)
    return HostRule(frozenset(names), suffixes, any_ip=any_ip, any_host="*" in extra)


class _Logged:
    """Refused names already logged (bounded), so the console says each once."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def first(self, name: str) -> bool:
        with self._lock:
            if name in self._seen or len(self._seen) >= _LOGGED_MAX:
                return False
            self._seen.add(name)
            return True


def check_host() -> Response | None:
    """`before_request`: 400 for a `Host` that is not ours (every route, websockets before the upgrade)."""
    header = request.headers.get("Host")
    if header is None:  # HTTP/1.0 without Host: no browser sends that
        return None
    if current_app.extensions["logdash.hosts"].allows(header):
        return None
    shown = header[:100]
    if current_app.extensions["logdash.hosts_logged"].first(shown):
        log.warning("refused requests for Host %r (from %s): if that name is ours, add it to "
                    "LOGDASH_ALLOWED_HOSTS", shown, request.remote_addr)
    resp = jsonify(error=f"Host {shown!r} is not served here; add it to LOGDASH_ALLOWED_HOSTS if it is ours")
    resp.status_code = 400
    return resp


def init_app(app: Flask) -> None:
    """Compute the rule once per process from HOST (the bound address) and ALLOWED_HOSTS."""
    app.extensions["logdash.hosts"] = host_rule(app.config["HOST"], app.config["ALLOWED_HOSTS"])
    app.extensions["logdash.hosts_logged"] = _Logged()
    app.before_request(check_host)
