"""The zone every page shows times in, from the first byte: the browser names it in a cookie.

static/js/zone-cookie.js (in every page's head) sets `logdash_zone` to the browser's own zone
(Intl.DateTimeFormat().resolvedOptions().timeZone), or to UTC when the user chose UTC with the
toggle. The server renders every time in that zone; a name zoneinfo does not know is shown as
UTC, and the toggle's title says why. JSON answers keep epoch seconds and ISO 8601 UTC.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g, has_request_context, request

from . import format as fmt

COOKIE = "logdash_zone"
UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}")  # an IANA name: no dots, no root


@dataclass(frozen=True)
class Zone:
    """The zone times are shown in: its name, the tzinfo, and why another one asked for was not used."""
    key: str
    tz: tzinfo
    problem: str | None = None

    @property
    def utc(self) -> bool:
        return self.key == "UTC"


def read_zone(name: str | None) -> Zone:
    """The zone a cookie names: UTC for none, or, with the reason, for a name zoneinfo does not know."""
    name = unquote(name or "")  # Europe%2FParis, as a script that encodes its cookies writes it
    if not name or name in UTC_NAMES:
        return Zone("UTC", UTC)
    shown = name[:64]
    if len(name) > 64 or not _NAME.fullmatch(name):
        return Zone("UTC", UTC, f"{shown!r} is not a time zone name")
    try:
        return Zone(name, ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return Zone("UTC", UTC, f"the zone {shown!r} is unknown to this server")


def display_zone() -> Zone:
    """This request's zone (read once per request); UTC outside a request."""
    if not has_request_context():
        return Zone("UTC", UTC)
    if "logdash_zone" not in g:
        g.logdash_zone = read_zone(request.cookies.get(COOKIE))
    return g.logdash_zone


def _in_zone(show: Any) -> Any:
    return lambda epoch: show(epoch, display_zone().tz)


def init_app(app: Flask) -> None:
    """Templates format times in the request's zone; `zone()` tells them which it is."""
    app.jinja_env.globals.update(clock=_in_zone(fmt.clock), date_label=_in_zone(fmt.date_label),
                                 stamp=_in_zone(fmt.stamp), long_time=_in_zone(fmt.long_time), zone=display_zone)
