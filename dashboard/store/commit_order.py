"""Ids that commit in id order on every backend, so a tail reading `id > last seen` skips nothing.

A PostgreSQL sequence hands out ids when rows are inserted, not when they commit: with two
writers (two workers, two instances), id 11 can commit before id 10, and a tail that has read
11 never reads 10. SQLite has one writer at a time, so there the order holds by itself. On
PostgreSQL each transaction that inserts records or captures first takes one transaction-scoped
advisory lock, so inserts and commits take turns across every process and instance:

- a writer draws its ids only once it holds the lock, after the previous holder committed;
- PostgreSQL makes a commit visible before it releases the transaction's locks;

so the ids any snapshot sees are all those up to some id, and `id > last seen` is gap-free.
The same transaction NOTIFYs the other instances (delivered at commit, a few bytes).
"""
from __future__ import annotations

from sqlalchemy import Connection, text

LOCK_KEY = 0x6C6F6764  # "logd": the advisory lock every writer of a PostgreSQL database takes
CHANNEL = "logdash"    # LISTEN/NOTIFY channel; the payload names the table that grew

_LOCK = text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
_NOTIFY = text("SELECT pg_notify(:channel, :table)")


def take_turn(conn: Connection) -> None:
    """Wait for this transaction's turn to insert (PostgreSQL; SQLite's write lock already orders)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK)


def announce(conn: Connection, *tables: str) -> None:
    """Tell every instance, at commit, that these tables have new rows (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.execute(_NOTIFY, {"channel": CHANNEL, "table": table})
