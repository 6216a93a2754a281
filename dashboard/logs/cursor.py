"""The records list's public cursor: a place in the time order, as one URL-safe string.

`next` (and `newer`) in /api/records answers are `<created>_<id>`, e.g. `1763724245.123_4521`:
the `created` of a record as Python's repr writes it (exact: it reads back to the same float)
and its id. Clients pass it back as `before` (or `after`) without looking inside. A plain id
(`before=4521`, what links made before the list was in time order) still works: it stands for
that record's place (see timeline.place_of_id).
"""
from __future__ import annotations

import math
import re

from ..store.paging import Position
from ..web.args import INT64_MAX, MAX_EPOCH, BadArgument

_CURSOR = re.compile(r"(?P<created>[0-9][0-9.e+-]{0,40})_(?P<id>[0-9]{1,19})")
_PLAIN_ID = re.compile(r"[0-9]{1,19}")


def encode(pos: Position) -> str:
    """The cursor text of a position."""
    return f"{pos.created!r}_{pos.id}"


def encode_or_none(pos: Position | None) -> str | None:
    """`encode`, passing None through (no further page)."""
    return None if pos is None else encode(pos)


def read_cursor(argument: str, value: str) -> Position | int:
    """A cursor argument: a Position, or an int for a plain record id; BadArgument naming it otherwise."""
    text = value.strip()
    if _PLAIN_ID.fullmatch(text) and int(text) <= INT64_MAX:
        return int(text)
    found = _CURSOR.fullmatch(text)
    if found:
        try:
            created = float(found["created"])
        except ValueError:
            created = math.nan
        ident = int(found["id"])
        if math.isfinite(created) and 0 <= created < MAX_EPOCH and ident <= INT64_MAX:
            return Position(created, ident)
    raise BadArgument(argument, f"{value[:80]!r} is not a cursor (pass back a `next` or `newer` value, "
                                f"or a record id)")
