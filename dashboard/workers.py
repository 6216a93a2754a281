"""What the gunicorn workers of one `serve` share: how many connections each holds, so a few busy
clients use every worker, and a nudge when one commits, so the others' live tails read at once.

Every worker waits on the one listening socket, and whichever wakes first accepts. A worker
already awake tends to take a burst of new connections, so three keep-alive clients (three apps
batching with `DashboardHandler`) often all landed on one worker: one interpreter lock then
parsed and wrote everything while the other worker idled (14,500 records/s instead of 20,000 in
`bench/ingest_batch.py`). Here each worker publishes its count in memory made before the fork;
a worker holding more than the least-loaded live sibling leaves a new connection to it for up
to MAX_WAIT, then takes it itself if nobody has. Equal counts accept at once, as before.

A live tail on one worker and an app's connection on another would see each record only at the
tail's next poll of the database (50 ms on SQLite): after each commit the writer writes a byte
down each sibling's pipe, which wakes that sibling's feeds.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from multiprocessing import Array
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

MAX_WAIT = 0.02   # seconds a busier worker leaves a new connection to a less busy one
PAUSE = 0.001     # between two looks at a waiting connection
NEW_WAIT = 0.005  # no look for this long: the connection looked at last was taken, a new one waits


class Siblings:
    """Per worker slot: its pid, how many connections it holds, and a pipe that wakes it."""

    def __init__(self, slots: int) -> None:
        self.pids = Array("q", slots, lock=False)
        self.counts = Array("q", slots, lock=False)
        self.pipes = [os.pipe() for _ in range(slots)]
        for _, write_end in self.pipes:
            os.set_blocking(write_end, False)

    def claim(self, pid: int) -> int | None:
        """A slot for a new worker: a free one, or one whose worker has died; None when every slot is
        taken (workers added at run time with TTIN), and that worker simply takes part in neither."""
        for slot, owner in enumerate(self.pids):
            if owner == 0 or not _alive(owner):
                self.pids[slot], self.counts[slot] = pid, 0
                return slot
        return None

    def fewest_elsewhere(self, slot: int) -> int | None:
        """The fewest connections a live sibling holds (None: no sibling)."""
        counts = [self.counts[i] for i, pid in enumerate(self.pids) if i != slot and pid and _alive(pid)]
        return min(counts, default=None)

    def nudge_others(self, slot: int) -> None:
        """Wake every other claimed slot's reader; a pipe already holding a nudge needs no more."""
        for i, pid in enumerate(self.pids):
            if i != slot and pid:
                with contextlib.suppress(BlockingIOError):
                    os.write(self.pipes[i][1], b"!")

    def listen(self, slot: int, on_nudge: Callable[[], None]) -> None:
        """Call `on_nudge` in a daemon thread each time a sibling nudges `slot` (several at once: once)."""
        read_end = self.pipes[slot][0]

        def run() -> None:
            while os.read(read_end, 4096):
                on_nudge()

        threading.Thread(target=run, name="logdash-nudged", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only whether the process exists (PermissionError: it does)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


SIBLINGS: Siblings | None = None  # made in the arbiter by `share`, before the workers fork


def share(workers: int) -> None:
    """Make the shared slots (twice the workers: a replaced worker's slot is freed once it has died)."""
    global SIBLINGS
    SIBLINGS = Siblings(max(2, 2 * workers))


class BalancedWorker(ThreadWorker):
    """gunicorn's gthread worker, leaving new connections to a less busy sibling and waking the
    siblings' feeds after its commits (see the module)."""

    slot: int | None = None
    _waiting_since: float | None = None
    _last_look = 0.0

    def run(self) -> None:
        """Take a slot once the app is loaded, just before accepting: a booting worker is left nothing."""
        siblings = SIBLINGS
        slot = None if siblings is None else siblings.claim(os.getpid())
        if siblings is not None and slot is not None:
            self.slot = slot
            extensions = self.wsgi.extensions
            siblings.listen(slot, extensions["logdash.wake_feeds"])
            extensions["logdash.commit_hooks"].append(lambda: siblings.nudge_others(slot))
        super().run()

    # Wherever the count changes (a connection accepted, answered and closed, or timed out while kept
    # alive), publish it; the heartbeat, once per turn of the worker's loop, too.
    def notify(self) -> None:
        super().notify()
        self._publish()

    def finish_request(self, *args: Any) -> None:
        super().finish_request(*args)
        self._publish()

    def murder_keepalived(self, *args: Any, **kwargs: Any) -> None:
        super().murder_keepalived(*args, **kwargs)
        self._publish()

    def accept(self, *args: Any) -> None:
        if self._leave_to_sibling():
            time.sleep(PAUSE)
            return
        super().accept(*args)
        self._publish()

    def _publish(self) -> None:
        if SIBLINGS is not None and self.slot is not None:
            SIBLINGS.counts[self.slot] = self.nr_conns

    def _leave_to_sibling(self) -> bool:
        if SIBLINGS is None or self.slot is None:
            return False
        self._publish()
        fewest = SIBLINGS.fewest_elsewhere(self.slot)
        now = time.monotonic()
        if fewest is None or self.nr_conns <= fewest:
            self._waiting_since = None
            return False
        if self._waiting_since is None or now - self._last_look > NEW_WAIT:
            self._waiting_since = now  # a connection not seen before
        self._last_look = now
        return now - self._waiting_since < MAX_WAIT
