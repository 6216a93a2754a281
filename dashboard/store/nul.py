"""PostgreSQL text cannot hold NUL (U+0000); SQLite's can. On PostgreSQL each NUL of a text value
is stored as U+2400 (SYMBOL FOR NULL, shown as ␀), so a record that carries one is kept, readable,
and searched and tailed alike (the tail reads the stored row). Bytes (a captured body) keep theirs."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SHOWN = "\u2400"


def storable(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row with every NUL in its text values replaced (a copy; the row as is when it has none)."""
    if not any(isinstance(v, str) and "\0" in v for v in row.values()):
        return dict(row)
    return {k: v.replace("\0", SHOWN) if isinstance(v, str) else v for k, v in row.items()}
