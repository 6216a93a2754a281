"""`logdash demo`: realistic records through the stock HTTPHandler, as a user's app would send them."""
from __future__ import annotations

import logging
import logging.handlers
import random
from collections.abc import Callable
from urllib.parse import urlsplit

from .checked import CheckedHTTPHandler, CheckedMixin, answer_problem, check_health, connection_problem
from .demo_errors import DemoFailed

__all__ = ["DemoFailed", "TracebackHTTPHandler", "send_demo"]


class TracebackHTTPHandler(logging.handlers.HTTPHandler):
    """The fix the dashboard suggests: also send the formatted message and traceback."""

    def mapLogRecord(self, record: logging.LogRecord) -> dict:
        fields = dict(super().mapLogRecord(record))
        fields["message"] = record.getMessage()
        if record.exc_info:
            fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
        return fields


class _CheckedTracebackHandler(CheckedMixin, TracebackHTTPHandler):
    """TracebackHTTPHandler that remembers the server's answer."""


def _handler(url: str, app: str, token: str | None, cls: type = CheckedHTTPHandler) -> CheckedMixin:
    parts = urlsplit(url)
    path = parts.path or "/ingest"
    query = f"{parts.query}&" if parts.query else ""
    return cls(parts.netloc.rpartition("@")[2], f"{path}?{query}app={app}", method="POST",
               secure=parts.scheme == "https", credentials=("demo", token) if token else None)


def _check(handler: CheckedMixin, url: str, token: str | None) -> None:
    status, error, failure = handler.take_answer()
    if failure is not None:
        raise DemoFailed(connection_problem(url, failure))
    if status != 200:
        raise DemoFailed(answer_problem(url, status or 0, error, bool(token)))


def _log_failure(logger: logging.Logger, order: int, divide: bool) -> None:
    try:
        if divide:
            order / 0
        else:
            {}["coupon"]
    except Exception:
        logger.exception("order %d failed", order, extra={"order": order})


def send_demo(url: str, count: int, progress: Callable[[int], None] = lambda n: None,
              token: str | None = None) -> int:
    """Send `count` records from a pretend shop, a few with exceptions and extras; checks /healthz
    first and each answer after, and stops at the first failure with DemoFailed (one line)."""
    check_health(url)
    rng = random.Random(7)
    handlers = {app: _handler(url, app, token) for app in ("shop", "billing", "auth")}
    traceback_handler = _handler(url, "billing", token, _CheckedTracebackHandler)
    loggers = {
        "shop": ["shop.web", "shop.db", "shop.cart"],
        "billing": ["billing.payments", "billing.invoices"],
        "auth": ["auth", "auth.sessions"],
    }
    events = [
        (logging.DEBUG, "cache miss for %s", lambda: (rng.choice(["cart:42", "user:7", "price:apple"]),)),
        (logging.INFO, "served %s %s in %.1f ms", lambda: (rng.choice(["GET", "POST"]),
                                                          rng.choice(["/cart", "/", "/checkout"]),
                                                          rng.uniform(2, 90))),
        (logging.INFO, "user %(user)s logged in from %(ip)s", lambda: ({"user": rng.choice(["ann", "bo"]),
                                                                        "ip": f"10.0.0.{rng.randint(2, 99)}"},)),
        (logging.WARNING, "stock of %s low: %d left", lambda: (rng.choice(["apple", "pear"]), rng.randint(0, 5))),
        (logging.ERROR, "payment %s declined", lambda: (f"pay_{rng.randint(0, 9999):04d}",)),
    ]
    sent = 0
    try:
        for i in range(count):
            app = rng.choice(list(loggers))
            logger = logging.getLogger(rng.choice(loggers[app]))
            logger.propagate = False
            logger.setLevel(logging.DEBUG)
            handler = traceback_handler if i % 26 == 25 else handlers[app]
            logger.addHandler(handler)
            try:
                if i % 13 == 12:
                    _log_failure(logger, 1000 + i, divide=i % 2 == 0)
                else:
                    level, fmt, args = rng.choice(events)
                    logger.log(level, fmt, *args(), extra={"request_id": f"{rng.getrandbits(32):08x}"})
            finally:
                logger.removeHandler(handler)
            _check(handler, url, token)
            sent += 1
            progress(sent)
    finally:
        for h in (*handlers.values(), traceback_handler):
            h.close()
    return sent
