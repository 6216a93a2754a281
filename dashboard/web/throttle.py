"""Failed UI-token attempts per client address: after `limit` in `window` seconds, refuse for a while.

Per process and in memory (each worker counts its own; N workers allow up to N x limit guesses per
window), bounded: at most `max_clients` addresses are tracked, the least recently failing dropped first.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque


class FailureLimiter:
    """Counts failures per key in a sliding window; `retry_after` says how long a key must wait."""

    def __init__(self, limit: int, window: float, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now)
            if times is None or len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[-self.limit] + self.window - now))

    def failed(self, key: str) -> None:
        """Record one failure for `key`."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(key, now) or deque(maxlen=self.limit)
            times.append(now)
            self._failures[key] = times
            self._failures.move_to_end(key)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        """Forget `key`'s failures (the person typed the token right)."""
        with self._lock:
            self._failures.pop(key, None)
