"""Requests refused because the writer's queue was full, kept for the inspector in bounded memory.

When the queue is full there is no room for a capture row per refused request, yet those
refusals are exactly what a user needs to see. So they are tallied per second and status,
keeping the first request of each as the example; once the writer has room it stores one row
per tally: that request, with a reason saying how many were refused alongside it.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

MAX_TALLIES = 60  # seconds-with-refusals held at most; the oldest is dropped first


class Overflow:
    """Tallies of refused requests, grouped by (second, status), with the first one as example."""

    def __init__(self, limit: int = MAX_TALLIES) -> None:
        self._limit = limit
        self._tallies: OrderedDict[tuple[int, int], list[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.dropped = 0  # tallies lost to the bound (a flood lasting over `limit` seconds unstored)

    def __bool__(self) -> bool:
        return bool(self._tallies)

    def add(self, capture: dict[str, Any], status: int, reason: str) -> None:
        """Count one refused request; its capture row is kept if it is the first of its second."""
        key = (int(capture["time"]), status)
        with self._lock:
            tally = self._tallies.get(key)
            if tally is not None:
                tally[0] += 1
                return
            example = dict(capture, status=status, reason=reason, response=json.dumps({"error": reason}))
            self._tallies[key] = [1, example]
            while len(self._tallies) > self._limit:
                self._tallies.popitem(last=False)
                self.dropped += 1

    def take(self, before: float | None = None) -> list[dict[str, Any]]:
        """The rows to store now (seconds before `before`, or all), removed from the tally."""
        with self._lock:
            keys = [k for k in self._tallies if before is None or k[0] < int(before)]
            tallies = [self._tallies.pop(k) for k in keys]
        rows = []
        for count, example in tallies:
            if count > 1:
                example = dict(example, reason=f"{count} requests refused with {example['status']} in this second: "
                                               f"{example['reason']} (the first of them is shown)")
            rows.append(example)
        return rows
