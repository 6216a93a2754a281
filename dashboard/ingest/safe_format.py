"""Untrusted args and %-formats: parsed and applied only within bounds.

The stock handler sends `args` as a repr and `msg` unformatted. Rebuilding the
message means reading attacker-controlled text as Python values (see `literals`:
bounded `ast` parsing, never `eval`) and `msg % args` (where "%500000000s"
allocates hundreds of MB). Both are bounded here before they run. When the
message cannot be rebuilt, the reason is given in words, for the record page.
"""
from __future__ import annotations

import re
from typing import Any

from .literals import MAX_ARGS_TEXT, MAX_DEPTH, Unreadable, literal, parse
from .substitutes import Shown, substitute

__all__ = ["MAX_ARGS_TEXT", "MAX_DEPTH", "format_message", "read_args", "safe_literal"]

MAX_SPEC = 10_000            # largest %-width / precision we agree to format
MAX_MESSAGE = 4 * MAX_ARGS_TEXT  # largest formatted message we agree to build
_SHOWN = re.compile(rf"not {Shown.__name__}\w*")


def safe_literal(text: str) -> Any:
    """The value when the whole text is a literal (as ast.literal_eval, but bounded); None otherwise."""
    try:
        return literal(text)
    except Unreadable:
        return None


def read_args(text: str) -> tuple[Any, str | None]:
    """(the app's args rebuilt from their repr, None) or (None, why they could not be read)."""
    try:
        value = parse(text, substitute)
    except Unreadable as e:
        return None, f"args could not be read: {e}"
    if isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, (tuple, dict)):
        return None, "args could not be read: not a tuple or a mapping"
    return value, None


def _format_cost(msg: str, args_len: int, mapping: bool) -> int | str:
    """Upper bound of len(msg % args), or why it is not formatted (a `*` or too large width/precision).

    Positional args are each used once, so their text counts once; a mapping's value may be used
    by every conversion, so it counts for each.

    Mirrors the %-format grammar (nested parentheses in mapping keys included) so a spec
    like "%(a(b))500000000s" cannot slip past a simple regex.
    """
    cost, i, n = len(msg) + (0 if mapping else 2 * args_len), 0, len(msg)
    while (i := msg.find("%", i)) >= 0:
        start_spec = i
        i += 1
        if msg[i:i + 1] == "(":
            depth = 0
            while i < n:
                depth += {"(": 1, ")": -1}.get(msg[i], 0)
                i += 1
                if depth == 0:
                    break
        while i < n and msg[i] in "-+ #0":
            i += 1
        for leader in ("", "."):  # width, then .precision
            if msg[i:i + len(leader)] != leader:
                break
            i += len(leader)
            if msg[i:i + 1] == "*":
                return f"format {_spec(msg, start_spec, i + 1)} not rebuilt (a `*` width or precision)"
            start = i
            while i < n and msg[i] in "0123456789":
                i += 1
            digits = msg[start:i]
            if len(digits) > 5 or int(digits or 0) > MAX_SPEC:
                spec = _spec(msg, start_spec, i)
                return f"format {spec} not rebuilt (a width or precision over {MAX_SPEC:,})"
            cost += int(digits or 0)
        cost += (2 * args_len if mapping else 0) + 400  # the mapping's text (repr), float/int digits
        i += 1
    return cost


def _spec(msg: str, start: int, last: int) -> str:
    """The conversion spec msg[start:last + 1], shortened for a reason line."""
    spec = msg[start:last + 1]
    return spec if len(spec) <= 40 else spec[:39] + "…"


def _why(error: Exception) -> str:
    """A formatting error in words; a value rebuilt only as text is named as such."""
    if isinstance(error, KeyError):
        return f"no key {error} in the args mapping"
    return _SHOWN.sub("not a value shown as text", str(error)) or type(error).__name__


def format_message(msg: str, args: tuple[Any, ...] | dict[Any, Any] | None, args_text: str | None,
                   args_error: str | None = None) -> tuple[str, str | None]:
    """(msg % args like LogRecord.getMessage, None), bounded; (msg as sent, why) whenever that is not safe.

    `args_error` is why the args text could not be read; it only matters when msg has a conversion."""
    if args is None:
        return msg, args_error if args_error and "%" in msg else None
    cost = _format_cost(msg, len(args_text or ""), isinstance(args, dict))
    if isinstance(cost, str):
        return msg, cost
    if cost > MAX_MESSAGE:
        return msg, f"the message would be over {MAX_MESSAGE:,} characters"
    try:
        result = msg % args
    except Exception as e:  # TypeError, ValueError, KeyError, MemoryError, RecursionError, OverflowError...
        return msg, _why(e)
    if len(result) > MAX_MESSAGE:
        return msg, f"the message would be over {MAX_MESSAGE:,} characters"
    return result, None
