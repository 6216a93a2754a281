"""PostgreSQL LISTEN/NOTIFY: wake this process's feeds when any instance commits, instead of polling.

Every writer transaction NOTIFYs channel `commit_order.CHANNEL` with the table that grew (see
commit_order). One Listener per worker process holds its own autocommit connection (not one of
the engine's pool: it sits in LISTEN for the process's life) and turns each notification into a
`Feed.wake()`. A notification carries no rows, only "read now": the feeds read `id > last seen`, so
a lost or duplicated notification costs at most a delay or an empty read, never a missed or
repeated row.

The connection can go (server restart, `pg_terminate_backend`, a network cut): the listener logs
one line, reconnects with capped exponential back-off, and after every (re)connect wakes every
feed, which then reads whatever committed while nobody was listening. Meanwhile the feeds' own
slow fallback poll still runs.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

import psycopg
from sqlalchemy import Engine

from .commit_order import CHANNEL
from .feed import Feed

log = logging.getLogger(__name__)

FIRST_DELAY, MAX_DELAY = 0.1, 5.0  # seconds between reconnect attempts: doubling from the first to the cap
TICK = 1.0  # longest wait for a notification before looking at `close()` again
# a silently dead connection (a cut network: no FIN) is noticed by TCP keepalive within about a minute
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class Listener:
    """One daemon thread per worker process: LISTEN on the channel, `wake()` the feed each payload names.

    `feeds` maps a payload (a table name: "records", "requests") to the feed of that table. Started
    lazily by `start()` (the first subscriber, i.e. in the gunicorn worker after its fork: a thread
    started before a fork does not exist in the child), stopped by `close()`.
    """

    def __init__(self, engine: Engine, feeds: Mapping[str, Feed], *, tick: float = TICK) -> None:
        # the engine's URL without SQLAlchemy's "+psycopg": a libpq URI psycopg connects with directly
        self.conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.feeds = dict(feeds)
        self.tick = tick
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self._listening_since = 0.0  # monotonic time of the last successful LISTEN

    def start(self) -> None:
        """Start listening (idempotent; nothing after `close`)."""
        with self._lock:
            if self._thread is not None or self._closed.is_set():
                return
            self._thread = threading.Thread(target=self._run, name="logdash-listen", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening: the thread sees the flag within `tick` seconds, then closes its connection."""
        self._closed.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        """Listen until closed; on any failure log one line, wait, reconnect."""
        delay = FIRST_DELAY
        while not self._closed.is_set():
            attempt = time.monotonic()
            try:
                self._listen()
            except Exception as e:  # psycopg.Error, OSError, anything: the thread must not die
                if self._closed.is_set():
                    return
                if self._listening_since > attempt and time.monotonic() - self._listening_since > MAX_DELAY:
                    delay = FIRST_DELAY  # it had been listening a while: a new outage starts afresh
                log.warning("LISTEN failed (%s: %s); reconnecting in %.1f s",
                            type(e).__name__, _first_line(e), delay)
                self._closed.wait(delay)
                delay = min(delay * 2, MAX_DELAY)

    def _listen(self) -> None:
        """One connection's life: LISTEN, wake every feed (catch up on what committed unheard), then
        relay notifications until closed. Returns only when closed; raises when the connection fails."""
        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5, **KEEPALIVE) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._listening_since = time.monotonic()
            self._wake_all()
            while not self._closed.is_set():
                for notify in conn.notifies(timeout=self.tick):
                    feed = self.feeds.get(notify.payload)
                    if feed is not None:
                        feed.wake()
                    if self._closed.is_set():
                        return

    def _wake_all(self) -> None:
        for feed in self.feeds.values():
            feed.wake()


def _first_line(error: BaseException) -> str:
    """An error as one short log line (server errors come with DETAIL/HINT lines)."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "no message"
