"""Connections are shared evenly between `serve`'s workers, so a few keep-alive clients use both.

Which worker holds a connection is read from /proc: the socket inode of the server's end of it,
found among each worker's open files."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from dashboard.workers import Siblings

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")


def workers_of(proc: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def holder(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The worker whose open files include the server's end of the connection from `client_port`."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if local == server_port and remote == client_port:
            inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def open_kept(port: int) -> http.client.HTTPConnection:
    """A keep-alive connection that has been answered once (so a worker has accepted it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/healthz")
    assert conn.getresponse().read()
    return conn


def spread(live, conns: list[http.client.HTTPConnection]) -> list[int]:
    pids = workers_of(live.proc)
    owners = Counter(holder(live.port, c.sock.getsockname()[1], pids) for c in conns)
    assert None not in owners, owners
    return sorted(owners.values())


def close_all(live, conns: list[http.client.HTTPConnection]) -> None:
    """Close, then wait until the workers have closed their ends too (so they count them no more)."""
    ports = [c.sock.getsockname()[1] for c in conns]
    for conn in conns:
        conn.close()
    deadline = time.monotonic() + 10
    while any(holder(live.port, port, workers_of(live.proc)) for port in ports):
        assert time.monotonic() < deadline, "the workers kept closed connections open"
        time.sleep(0.02)


def wait_for_both_workers(live) -> None:
    """Until each worker has answered a connection (the second may still be loading the app)."""
    seen: set[int] = set()
    for _ in range(200):
        conn = open_kept(live.port)
        seen.add(holder(live.port, conn.sock.getsockname()[1], workers_of(live.proc)))
        close_all(live, [conn])
        if len(seen) == 2:
            return
    raise AssertionError(f"only {seen} answered")


def test_keep_alive_connections_are_shared_evenly(serve, db_url: str) -> None:
    live = serve(db_url, workers=2)
    wait_for_both_workers(live)
    for count in (4, 6):  # opened one after another
        conns = [open_kept(live.port) for _ in range(count)]
        assert spread(live, conns) == [count // 2, count // 2]
        close_all(live, conns)
    conns: list[http.client.HTTPConnection] = []  # opened at once, as a client's threads start
    lock = threading.Lock()

    def connect() -> None:
        conn = open_kept(live.port)
        with lock:
            conns.append(conn)

    threads = [threading.Thread(target=connect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert spread(live, conns) == [2, 2]
    close_all(live, conns)


def test_a_single_worker_takes_every_connection_at_once(serve, db_url: str) -> None:
    live = serve(db_url, workers=1)
    conns = [open_kept(live.port) for _ in range(3)]
    assert spread(live, conns) == [3]
    for conn in conns:
        conn.close()


def test_siblings_skip_the_own_slot_and_dead_workers() -> None:
    loads = Siblings(4)
    mine = loads.claim(os.getpid())
    assert loads.fewest_elsewhere(mine) is None  # alone
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    other = loads.claim(dead.pid)
    loads.counts[other] = 0
    loads.counts[mine] = 5
    assert loads.fewest_elsewhere(mine) is None  # a dead sibling takes no connections
    assert loads.claim(os.getppid()) == other  # and its slot is given again
    loads.counts[other] = 2
    assert loads.fewest_elsewhere(mine) == 2
    assert loads.fewest_elsewhere(other) == 5
    assert [loads.claim(os.getpid()) for _ in range(3)] == [2, 3, None]  # full: no slot, no failure


def test_a_commit_nudges_every_other_claimed_worker_once_per_burst() -> None:
    siblings = Siblings(4)
    mine, other, third = (siblings.claim(os.getpid()) for _ in range(3))  # one process stands in for three
    woken = {slot: threading.Event() for slot in (mine, other, third)}
    calls = Counter()

    def on_nudge(slot: int):
        def wake() -> None:
            calls[slot] += 1
            woken[slot].set()
        return wake

    for slot in (mine, other, third):
        siblings.listen(slot, on_nudge(slot))
    siblings.nudge_others(mine)
    assert woken[other].wait(5) and woken[third].wait(5)
    assert not woken[mine].wait(0.2)  # a worker's own commit wakes its own feeds directly
    for _ in range(100_000):  # far more than a pipe holds: the extra nudges are dropped, never block
        siblings.nudge_others(mine)
    assert calls[other] >= 2
