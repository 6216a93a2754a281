"""One console line per refused ingest, rate-limited: a client flooding bad requests must not
drown the terminal of `logdash serve`, yet nobody should have to guess why records are missing."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ..web.format import printable

log = logging.getLogger("dashboard.ingest")

BURST = 5        # lines per window, then a count
WINDOW = 10.0    # seconds


class RefusalLog:
    """At most `burst` lines per `window` seconds; the rest become one "... and K more" line
    when the window ends (a timer says it even if no refusal follows)."""

    def __init__(self, logger: logging.Logger = log, burst: int = BURST, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.burst, self.window, self.clock = logger, burst, window, clock
        self._lock = threading.Lock()
        self._started = float("-inf")
        self._shown = 0
        self._more = 0
        self._timer: threading.Timer | None = None

    def refused(self, status: int, reason: str, client: str | None, path: str = "/ingest") -> None:
        """Note one refusal: a line now, or a count for the window's summary."""
        with self._lock:
            now = self.clock()
            if now - self._started >= self.window:
                self._summarise()
                self._started, self._shown = now, 0
            if self._shown < self.burst:
                self._shown += 1
                show = True
            else:
                self._more += 1
                show = False
                if self._timer is None:
                    self._timer = threading.Timer(max(self._started + self.window - now, 0.0), self._flush)
                    self._timer.daemon = True
                    self._timer.start()
        if show:
            # reason and path carry what the client sent: made visible, never a terminal escape
            self.logger.warning("refused %s from %s: %d %s (details: /inspector)", printable(path),
                                printable(client or "?"), status, printable(reason[:500]))

    def _flush(self) -> None:
        with self._lock:
            self._timer = None
            self._summarise()

    def _summarise(self) -> None:
        """Log the count of unshown refusals (call with the lock held)."""
        if self._more:
            self.logger.warning("... and %d more refusals in the last %g s (all of them are in /inspector)",
                                self._more, self.window)
            self._more = 0
