"""Settings: defaults, then LOGDASH_* environment variables, then explicit overrides.

The one place that knows every setting, its type and its meaning; the README
table and `logdash serve --help` are checked against it by the tests.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "LOGDASH_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: type
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "sqlite:///logdash.db", str,
            "SQLAlchemy database URL; the default is a SQLite file in the current folder"),
    Setting("HOST", "127.0.0.1", str,
            "address `serve` binds to; any other than this machine's needs `LOGDASH_UI_TOKEN` (or `--insecure`)"),
    Setting("UI_TOKEN", "", str,
            "when set, pages, the API, export and websockets need it (sign in at /login, or a Bearer token)"),
    Setting("ALLOWED_HOSTS", "", str,
            "more `Host` names answered besides localhost, 127.0.0.1, [::1] and the bound address "
            "(comma-separated; `.example.com` takes its subdomains; `*` takes any, which undoes the "
            "DNS-rebinding protection)"),
    Setting("INSECURE", False, bool,
            "serve a non-loopback address without a UI token (`serve --insecure`): anyone who reaches it "
            "reads everything"),
    Setting("PORT", 8000, int, "port `serve` listens on"),
    Setting("WORKERS", 0, int, "gunicorn worker processes; 0 means one per CPU"),
    Setting("THREADS", 512, int,
            "threads per worker: each open websocket and each request being read holds one; idle ones cost nothing"),
    Setting("INGEST_TOKEN", "", str,
            "when set, /ingest needs it (Basic password, Bearer token or ?token=)"),
    Setting("MAX_BODY", 1024 * 1024, int, "largest ingest body or GET URL, in bytes"),
    Setting("QUEUE_SIZE", 2000, int, "ingest requests waiting for the writer before 503"),
    Setting("BATCH_SIZE", 1000, int, "most records the writer commits in one transaction"),
    Setting("RETENTION", "30d", str,
            "records kept: an age (`7d`, `12h`), a count (`1000000`), a database size (`2GB`), or several "
            "(`7d,2GB`); `none` keeps everything. Pruned in the background in small steps"),
    Setting("LOG_FORMAT", "text", str,
            "the server's own log lines on stderr: `text`, or `json` (one object per line) for log collectors"),
    Setting("PRUNE_INTERVAL", 60, int, "seconds between background retention rounds"),
    Setting("REQUEST_RETENTION", 5000, int,
            "captured requests kept for the inspector, for /ingest and the request bin each"),
    Setting("REQUEST_BODY_CAP", 64 * 1024, int, "bytes of each request body kept for the inspector"),
    Setting("INGEST_ORIGINS", "", str,
            "browser origins allowed to send to /ingest (comma-separated, e.g. `https://app.example.com`); "
            "every other cross-origin browser request is refused"),
    Setting("REDACT", "", str,
            "more header, parameter and body field names whose values the inspector stores as `[redacted]` "
            "(comma-separated)"),
)

DEFAULTS = {s.name: s.default for s in SETTINGS}


def _convert(setting: Setting, raw: str) -> Any:
    if setting.kind is bool:
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{PREFIX}{setting.name} must be true or false, not {raw!r}")
    if setting.kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{PREFIX}{setting.name} must be a whole number, not {raw!r}") from None
    return raw


def load(environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, overridden by the environment, then by `overrides`."""
    environ = os.environ if environ is None else environ
    values = dict(DEFAULTS)
    for setting in SETTINGS:
        raw = environ.get(PREFIX + setting.name)
        if raw is not None and raw != "":
            values[setting.name] = _convert(setting, raw)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return values
