"""How wide the list's app and logger columns are: sized from the names the page can show.

A fixed width wastes room on short names and cuts long ones; sizing every row to its content
would relayout the whole list whenever a row arrives. So the server picks one of a few widths
(in characters) from the apps and loggers in range, and the stylesheet maps each to a column.
The width holds nine names in ten: one very long name is elided (its title has it whole) rather
than taking the message's room on every row.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .tree import Node

APP_WIDTHS = (6, 10, 14, 18)        # characters; the stylesheet has a rule for each
LOGGER_WIDTHS = (16, 22, 28, 36)


def _fit(names: Iterable[str], widths: Sequence[int]) -> int:
    """The narrowest width that holds nine names in ten (all of them when fewer than ten), else the widest."""
    lengths = sorted(len(n) for n in names)
    if not lengths:
        return widths[0]
    wanted = lengths[max(0, math.ceil(len(lengths) * 0.9) - 1)] if len(lengths) >= 10 else lengths[-1]
    return next((w for w in widths if wanted <= w), widths[-1])


def column_widths(apps: Iterable[str], tree: Iterable[Node]) -> dict[str, int]:
    """{"app": chars, "logger": chars} for the page's list: the apps in range, the loggers' full names."""
    loggers = (n.name for root in tree for n in root.walk() if not n.children)
    return {"app": _fit(apps, APP_WIDTHS), "logger": _fit(loggers, LOGGER_WIDTHS)}
